// Small helpers the page's modules share: making elements and writing numbers. No state.

/** An HTML element: `h("button", {class: "x", "data-go": "next"}, "Next")`. Attributes
 * whose value is null, undefined or false are left out; children are nodes or text. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}

/** An SVG element with attributes. */
export function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttrs(el, attrs);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
}

/** A number as the engine's drawings write it (the notebook's rule, `Numbers::Notebook`
 * in the library): four decimals, or four decimals and an exponent (`2.7570e27`,
 * `-2.5000e-12`) where it is not 0 and its magnitude is outside [1e-4, 1e16), so a
 * diverged loss is not 22 digits and a tiny grad does not read as 0. NaN and the
 * infinities arrive as the strings "NaN", "inf" and "-inf" and are shown as they are. */
export function fmt(x) {
  if (typeof x === "string") return x;
  if (x === null || x === undefined) return "";
  const a = Math.abs(x);
  if (x === 0) return "0.0000";
  if (a < 1e-4 || a >= 1e16) {
    // The exponent Rust's `{:.4e}` writes: the one of the rounded digits.
    let k = Math.floor(Math.log10(a));
    if (a < 10 ** k) k -= 1;             // log10 a hair above a power of ten
    else if (a >= 10 ** (k + 1)) k += 1;
    const even = evenAtTie(x, 4 - k);
    if (even === null) return x.toExponential(4).replace("e+", "e");
    const n = even.length > 5 ? even.slice(0, 5) : even;   // 99999.5 rounded up to 100000
    if (even.length > 5) k += 1;
    return `${x < 0 ? "-" : ""}${n[0]}.${n.slice(1)}e${k}`;
  }
  const even = evenAtTie(x, 4);
  if (even === null) return x.toFixed(4);
  const d = even.padStart(5, "0");
  return `${x < 0 ? "-" : ""}${d.slice(0, -4)}.${d.slice(-4)}`;
}

/** Where |x|·10^p is exactly halfway between two integers (x = 0.03125, p = 4), the even
 * one as decimal digits, as Rust's formatter rounds a tie; else null (no tie, so
 * `toFixed` and `toExponential`, which take the larger at a tie, round as Rust does). */
function evenAtTie(x, p) {
  // Far from a tie by more than the product's own rounding could move it (y is within a
  // few ulps, 1e-15·y, of the exact value): no tie. From about 1e15 up the float cannot
  // show a half, and every such y goes on to the exact test.
  const y = Math.abs(x) * 10 ** p;
  if (Math.abs(y - Math.floor(y) - 0.5) > 1e-12 * Math.max(1, y)) return null;
  // |x| = m·2^e exactly, from its bits; then |x|·10^p = num / den in integers.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const m = (bits & ((1n << 52n) - 1n)) | (biased ? 1n << 52n : 0n);
  const e = (biased || 1) - 1075;
  let num = m, den = 1n;
  if (e > 0) num <<= BigInt(e); else den <<= BigInt(-e);
  if (p > 0) num *= 10n ** BigInt(p); else den *= 10n ** BigInt(-p);
  if (2n * (num % den) !== den) return null;
  const q = num / den;
  return String(q % 2n === 0n ? q : q + 1n);
}

/** A step h as the learner typed it: `0.5`, `-0.001`, `1e-7`. */
export function short(x) {
  if (typeof x === "string") return x;
  return String(Number(x.toPrecision(6)));
}

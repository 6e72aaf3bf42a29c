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

/** A number as the engine's drawings write it (four decimals); NaN and the infinities
 * arrive as the strings "NaN", "inf" and "-inf" and are shown as they are. */
export function fmt(x) {
  if (typeof x === "string") return x;
  if (x === null || x === undefined) return "";
  return x.toFixed(4);
}

/** A step h as the learner typed it: `0.5`, `-0.001`, `1e-7`. */
export function short(x) {
  if (typeof x === "string") return x;
  return String(Number(x.toPrecision(6)));
}

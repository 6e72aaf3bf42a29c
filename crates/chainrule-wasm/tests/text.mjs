// The glue's `utf8Text` decodes a long text in pieces: it must give what one TextDecoder
// call on the whole buffer gives, for characters of 1 to 4 bytes cut at every place across
// a piece's end, and for bytes that are not UTF-8 (each bad sequence one U+FFFD, as a
// decoder that is not `fatal` reads it), at the ends of pieces too. Fails with the first
// difference.
//
//   node text.mjs
import { PIECE, utf8Text } from "../../chainrule-page/web/engine-wasm.js";

const encoder = new TextEncoder();
const whole = (bytes) => new TextDecoder().decode(bytes);
let checked = 0;

function check(bytes, what) {
  const want = whole(bytes);
  const got = utf8Text(bytes);
  if (got !== want) {
    const k = [...want].findIndex((c, i) => c !== [...got][i]);
    throw new Error(`${what}: ${bytes.length} bytes read differently, from character ${k}`);
  }
  checked++;
}

// ASCII up to near the first and the second piece's end, then a character of each width
// starting at each of the bytes around it.
for (const ch of ["é", "·", "∂", "€", "𝜕", "😀"]) {
  for (const end of [PIECE, 2 * PIECE]) {
    for (let at = end - 5; at <= end + 1; at++) {
      check(encoder.encode("a".repeat(at) + ch + "b".repeat(100) + ch), `${ch} at ${at}`);
    }
  }
}
// Bad bytes: a lone continuation byte, a sequence cut short by ASCII, one cut short by
// the end of the text, an overlong encoding, a surrogate's; each across a piece's end.
for (const bad of [[0x80], [0xe2, 0x88], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
  for (let at = PIECE - 4; at <= PIECE + 1; at++) {
    const bytes = new Uint8Array(at + bad.length + 10).fill(0x61);
    bytes.set(bad, at);
    check(bytes, `${bad} at ${at}`);
    check(bytes.subarray(0, at + bad.length), `${bad} at the end, ${at}`);
  }
}
// A text shorter than a piece, and one of many pieces with a character now and then.
check(encoder.encode("d tanh(n)/dn = 1 - tanh(n)²"), "a short text");
check(encoder.encode("dL/dx += dL/dp · dp/dx; ".repeat(40000)), "a long text");
console.log(`utf8Text: ${checked} texts read as in one piece`);

// Replays requests through the WebAssembly engine and its JS glue (engine-wasm.js), under
// Node, and writes each answer's status and text, for tests/node.rs to compare byte for
// byte with the native answers.
//
//   node answers.mjs ENGINE.wasm DIR     reads DIR/requests.json, writes DIR/wasm/NAME
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { loadEngine } from "../../chainrule-page/web/engine-wasm.js";

const [wasm, dir] = process.argv.slice(2);
const engine = await loadEngine(readFileSync(wasm));
const requests = JSON.parse(readFileSync(`${dir}/requests.json`, "utf8"));
mkdirSync(`${dir}/wasm`, { recursive: true });
for (const { name, question, request } of requests) {
  const { status, text } = engine.raw(question, request);
  writeFileSync(`${dir}/wasm/${name}`, `${status}\n${text}`);
}

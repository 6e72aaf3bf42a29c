// Replays requests through the WebAssembly engine and its JS glue (engine-wasm.js), under
// Node, and writes each answer's status and text, for tests/node.rs to compare byte for
// byte with the native answers. Each question that changes nothing in the engine (not
// training's) is also asked as the page asks (`ask`: a graph's drawing apart from the
// JSON, put back), which must give the very object the text parses to; the script fails
// when it does not.
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
  if (question.startsWith("train_")) continue;
  const asked = JSON.stringify(engine.ask(question, JSON.parse(request)));
  if (asked !== JSON.stringify(JSON.parse(text))) {
    throw new Error(`${name}: the answer asked with its drawing apart is not the answer`);
  }
}

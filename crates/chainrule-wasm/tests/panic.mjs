// A panic in the engine (asked for by the test export `panic_for_test`) is an error answer
// naming it, and a fresh instance answers the next question; the old sessions are gone.
//
//   node panic.mjs ENGINE.wasm      prints "panic: ok", or fails
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { loadEngine } from "../../chainrule-page/web/engine-wasm.js";

const engine = await loadEngine(readFileSync(process.argv[2]));
assert.equal(engine.ask("train_new", {}).id, 1);
const { status, text } = engine.guard((x) => x.panic_for_test());
assert.equal(status, 500);
const answer = JSON.parse(text);
assert.equal(answer.ok, false);
assert.match(answer.error.message, /the engine stopped \(.*a panic the tests asked for.*\); it has been restarted/);
assert.match(engine.ask("program", { source: "a = 1" }).error.message, /restarting/);
await engine.ready;
assert.equal(engine.ask("program", { source: "a = 2; L = a*a" }).output.data, 4);
assert.match(engine.ask("train_step", { id: 1, n: 1 }).error.message, /no training session 1/);
console.log("panic: ok");

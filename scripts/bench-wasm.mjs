#!/usr/bin/env node
// The page protocol's `program` question in the WebAssembly engine, under Node: the median
// time of one call (the request's JSON text in, the answer's out, through engine-wasm.js)
// on the 200-value programs of crates/chainrule-wasm/tests/programs, after 10 calls to
// warm up (and the fastest, and the first call's time); one JSON line each.
// The peer of `chainrule-bench page`; scripts/wasm-vs-native.sh runs both.
//
//   node scripts/bench-wasm.mjs ENGINE.wasm [RUNS]
import { readFileSync } from "node:fs";
import { loadEngine } from "../crates/chainrule-page/web/engine-wasm.js";

const [wasm, runs = "21"] = process.argv.slice(2);
const engine = await loadEngine(readFileSync(wasm));
for (const name of ["values200-tanh", "values200-relu"]) {
  const source = readFileSync(new URL(`../crates/chainrule-wasm/tests/programs/${name}.cr`, import.meta.url), "utf8");
  const body = JSON.stringify({ source });
  let t = performance.now();
  const { text } = engine.raw("program", body);
  const first = (performance.now() - t).toFixed(3);
  // Warm up: V8 runs WebAssembly in its baseline compiler first and optimises hot code
  // after a while, as a page that is being edited would.
  for (let i = 0; i < 10; i++) engine.raw("program", body);
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    t = performance.now();
    engine.raw("program", body);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const values = text.split('"header":').length - 1;
  const median = times[times.length >> 1].toFixed(3);
  const min = times[0].toFixed(3);
  console.log(`{"workload":"wasm-program","program":"${name}","values":${values},"runs":${runs},"median_ms":${median},"min_ms":${min},"first_ms":${first},"answer_bytes":${Buffer.byteLength(text)}}`);
}

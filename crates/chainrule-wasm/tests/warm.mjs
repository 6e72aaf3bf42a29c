// The static page's warm-up (chainrule-page/web/warm.js) under Node, on the engine: its
// programs are answered and as large as a learner's larger ones, every call is made, a
// few at a time as idle time allows, and an engine that fails is reported.
//
//   node warm.mjs ENGINE.wasm      prints "warm: ok", or fails
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { wasmEngine } from "../../chainrule-page/web/engine-wasm.js";
import { warmUp, WARM_CALLS, mlpProgram, lossProgram } from "../../chainrule-page/web/warm.js";

const engine = await wasmEngine(readFileSync(process.argv[2]), { worker: null });

// Its programs: answered, each a graph of 120 values or more (a short one warms up too
// little of the engine), and not alike.
const sizes = [];
for (const source of [mlpProgram(), lossProgram()]) {
  const j = await engine.program({ source, hand: [] });
  assert.ok(j.ok, JSON.stringify(j.error));
  assert.ok(j.nodes.length >= 120, `${j.nodes.length} values`);
  sizes.push(j.nodes.length);
}
assert.notEqual(sizes[0], sizes[1]);

/** An idle scheduler that gives `left` ms each time and counts its idle periods. */
function idler(left) {
  const it = { periods: 0 };
  it.idle = (f) => setTimeout(() => { it.periods++; f({ timeRemaining: () => left }); }, 0);
  return it;
}

// No idle time to spare: one call each idle period, every call made.
let it = idler(0);
let r = await warmUp(engine, { idle: it.idle });
assert.deepEqual([r.ok, r.calls, it.periods], [true, WARM_CALLS, WARM_CALLS]);
assert.ok(r.ms > 0);
const all = r;

// Time to spare: the calls share the idle periods.
it = idler(1e9);
r = await warmUp(engine, { calls: 6, idle: it.idle });
assert.deepEqual([r.ok, r.calls, it.periods], [true, 6, 1]);

// An engine that answers with an error (or without a drawing) is reported.
const failing = { program: async () => ({ ok: false, error: { message: "no" } }) };
assert.equal((await warmUp(failing, { calls: 2, idle: idler(0).idle })).ok, false);
const bare = { program: async () => ({ ok: true }) };
assert.equal((await warmUp(bare, { calls: 2, idle: idler(0).idle })).ok, false);
console.log(`warm: ok (${WARM_CALLS} calls on ${sizes.join(" and ")} values in ${Math.round(all.ms)} ms)`);

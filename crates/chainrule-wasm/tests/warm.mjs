// The static page's warm-up (chainrule-page/web/warm.js) under Node, on the engine: its
// programs are answered and as large as a learner's larger ones, every call is made, a
// few at a time as idle time allows and only while the page is quiet (it has asked
// nothing of its own lately: `watch`), and an engine that fails is reported.
//
//   node warm.mjs ENGINE.wasm      prints "warm: ok", or fails
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { wasmEngine } from "../../chainrule-page/web/engine-wasm.js";
import { warmUp, watch, WARM_CALLS, mlpProgram, lossProgram } from "../../chainrule-page/web/warm.js";

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

// Idle periods that are not quiet pass with no call: here the first three.
it = idler(1e9);
let loud = 3;
r = await warmUp(engine, { calls: 4, idle: it.idle, quiet: () => loud-- <= 0 });
assert.deepEqual([r.ok, r.calls, it.periods], [true, 4, 4]);

// `watch`: the page's questions through the watched interface make it not quiet, for
// `ms` after the last; the warm-up's own, asked of the engine itself, do not.
const [watched, quiet] = watch(engine);
assert.ok(quiet(50));
await warmUp(engine, { calls: 1, idle: idler(0).idle });
assert.ok(quiet(50), "the warm-up's own question");
await watched.program({ source: "a = 2; L = a*a", hand: [] });
assert.ok(!quiet(50), "just asked");
await new Promise((ok) => setTimeout(ok, 60));
assert.ok(quiet(50), "60 ms later");
await watched.nudge({ source: "a = 2; L = a*a", node: 0, h: 0.5 });
assert.ok(!quiet(50), "a nudge");
assert.equal(typeof watched.train, "function", "the rest of the interface is the engine's");

// An engine that answers with an error (or without a drawing) is reported.
const failing = { program: async () => ({ ok: false, error: { message: "no" } }) };
assert.equal((await warmUp(failing, { calls: 2, idle: idler(0).idle })).ok, false);
const bare = { program: async () => ({ ok: true }) };
assert.equal((await warmUp(bare, { calls: 2, idle: idler(0).idle })).ok, false);
console.log(`warm: ok (${WARM_CALLS} calls on ${sizes.join(" and ")} values in ${Math.round(all.ms)} ms)`);

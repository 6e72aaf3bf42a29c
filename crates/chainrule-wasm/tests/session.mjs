// The page's engine on WebAssembly (engine-wasm.js's wasmEngine) drives one training
// worker per session; here with stand-in workers, to see what it does when a worker
// misbehaves: a session whose worker does not answer Pause within 3 s is stopped (its
// worker ended) and started afresh at step 0, saying so; a start that fails ends its
// worker; a closed session ends its worker and answers no more.
//
//   node session.mjs ENGINE.wasm      prints "session: ok", or fails
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { wasmEngine } from "../../chainrule-page/web/engine-wasm.js";

const made = [];

/** A stand-in for train-worker.js: answers as it does, unless told to hang or fail. */
class StandIn {
  constructor() {
    this.posted = [];
    this.terminated = false;
    this.hang = false;
    this.failStart = StandIn.failNext;
    StandIn.failNext = false;
    made.push(this);
  }
  reply(type, answer, ack) {
    setTimeout(() => !this.terminated && this.onmessage({ data: ack ? { type, answer, ack } : { type, answer } }), 1);
  }
  postMessage(m) {
    this.posted.push(m.type);
    if (this.hang) return;
    if (m.type === "start" && this.failStart) return this.reply("error", { ok: false, error: { message: "no such dataset" } });
    if (m.type === "start") {
      this.reply("started", { ok: true, id: 1, points: [[0, 0, 1]], config: {}, pace: 0 });
      return this.reply("frame", { step: 0, playing: false, note: null });
    }
    if (m.type === "point") return this.reply("point", { ok: true, point: { index: m.index } });
    this.reply("frame", { step: 5, playing: m.type === "play", note: null }, m.type);
  }
  terminate() {
    this.terminated = true;
  }
}

const engine = await wasmEngine(readFileSync(process.argv[2]), { worker: () => new StandIn() });
// The questions are answered on this thread by the engine itself.
assert.equal((await engine.program({ source: "a = 2; L = a*a" })).output.data, 4);
assert.equal((await engine.ask("train_spec", {})).bounds.steps, 1000);

const frames = [];
const started = await engine.train({ steps: 10 }, (f) => frames.push(f));
assert.equal(started.ok, true);
assert.equal(started.id, 1);
assert.deepEqual(made[0].posted, ["start"]);
assert.deepEqual(await engine.control(1, "play"), { ok: true });
assert.equal((await engine.point(1, 3)).point.index, 3);

// The worker hangs (a step that never ends): Pause gives up after 3 s, the worker is
// ended, and a fresh one starts the same settings at step 0, its first frame saying why.
// Frames of Play that were on their way do not count as the answer to Pause.
made[0].hang = true;
made[0].reply("frame", { step: 6, playing: true, note: null });
const t0 = Date.now();
const paused = await engine.control(1, "pause");
const waited = Date.now() - t0;
assert.equal(paused.ok, false);
assert.match(paused.error.message, /did not pause in time, so it was stopped and reset to step 0/);
assert.ok(waited >= 2900 && waited < 6000, `gave up after ${waited} ms`);
assert.equal(made[0].terminated, true);
assert.equal(made.length, 2);
await new Promise((r) => setTimeout(r, 20));
const last = frames[frames.length - 1];
assert.equal(last.step, 0);
assert.match(last.note, /^stopped: it did not pause within 3 s; reset to step 0/);
assert.deepEqual(await engine.control(1, "play"), { ok: true });

// Closing ends the worker; the session answers no more.
engine.close(1);
assert.equal(made[1].terminated, true);
assert.match((await engine.control(1, "play")).error.message, /no training session 1/);

// A start the worker refuses: its answer, and the worker ended.
StandIn.failNext = true;
const refused = await engine.train({ dataset: "fly" }, () => {});
assert.equal(refused.ok, false);
assert.equal(refused.error.message, "no such dataset");
assert.equal(made[2].terminated, true);
console.log(`session: ok (pause given up after ${waited} ms)`);

// The training worker (train-worker.js) under Node, as a page drives it: start, play to
// the end, reset, play paced and pause, a point while playing, a bad message, and stop.
//
//   node worker.mjs ENGINE.wasm      prints "worker: ok", or fails
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

const wasm = readFileSync(process.argv[2]);
const script = new URL("../../chainrule-page/web/train-worker.js", import.meta.url).href;
const worker = new Worker(new URL("./worker-shim.mjs", import.meta.url), { workerData: script });
const inbox = [];
let wake = null;
worker.on("message", (m) => {
  inbox.push(m);
  wake?.();
});
worker.on("error", (e) => {
  console.error(e);
  process.exit(1);
});

/** The next message the worker posts (within `ms`). */
async function next(ms = 20000) {
  const deadline = Date.now() + ms;
  while (!inbox.length) {
    assert.ok(Date.now() < deadline, "the worker answers in time");
    await new Promise((r) => {
      wake = r;
      setTimeout(r, 50);
    });
  }
  return inbox.shift();
}

/** What `p` settles to, or `late` if it takes more than `ms` (the timer is cleared
 * either way, so it keeps nothing waiting). */
function within(p, ms, late) {
  let timer;
  const lateness = new Promise((r) => { timer = setTimeout(() => r(late), ms); });
  return Promise.race([p, lateness]).finally(() => clearTimeout(timer));
}

/** Frames until one satisfies `done`; returns it and how many came. */
async function until(done) {
  for (let n = 1; ; n++) {
    const m = await next();
    assert.equal(m.type, "frame", JSON.stringify(m).slice(0, 300));
    if (done(m.answer)) return [m.answer, n];
  }
}

// micrograd's demo, unpaced: started, frame 0, then Play to the end.
worker.postMessage({ type: "start", engine: wasm, spec: { pace: 0 } });
let m = await next();
assert.equal(m.type, "started");
assert.equal(m.answer.points.length, 100);
m = await next();
assert.equal(m.answer.step, 0);
worker.postMessage({ type: "play" });
const [end] = await until((f) => !f.playing && f.step > 0);
assert.equal(end.step, 100);
assert.equal(end.accuracy, 1);
assert.equal(end.note, "done: all the steps ran; Reset to start again");
worker.postMessage({ type: "reset" });
assert.equal((await next()).answer.step, 0);

// Paced (40 steps a second): a point while playing leaves it playing; Pause stops it.
worker.postMessage({ type: "start", engine: wasm, spec: { pace: 40, steps: 1000 } });
assert.equal((await next()).type, "started");
await next();
worker.postMessage({ type: "play" });
await until((f) => f.step >= 4);
worker.postMessage({ type: "point", index: 3 });
for (;;) {
  m = await next();
  if (m.type === "point") break;
}
assert.equal(m.answer.output.name, "loss");
assert.equal(m.answer.point.index, 3);
const [still] = await until(() => true);
assert.ok(still.playing, "a point does not stop Play");
const asked = Date.now();
worker.postMessage({ type: "pause" });
const [paused] = await until((f) => !f.playing);
assert.ok(paused.step < 1000);
assert.ok(Date.now() - asked < 1000, `paused in ${Date.now() - asked} ms`);

// Unpaced on 1,000 samples: Pause is heard between calls of about 25 ms.
worker.postMessage({ type: "start", engine: wasm, spec: { pace: 0, steps: 1000, samples: 1000 } });
await next();
await next();
worker.postMessage({ type: "play" });
await until((f) => f.step >= 2);
const t0 = Date.now();
worker.postMessage({ type: "pause" });
const [stopped] = await until((f) => !f.playing);
assert.ok(stopped.step < 1000, "paused before the end");
const latency = Date.now() - t0;
assert.ok(latency < 500, `paused in ${latency} ms`);

// A message it does not take, then Stop: the worker ends.
worker.postMessage({ type: "fly" });
m = await next();
assert.equal(m.type, "error");
assert.match(m.answer.error.message, /not a message this worker takes: fly/);
const exited = new Promise((r) => worker.on("exit", r));
worker.postMessage({ type: "stop" });
assert.equal(await within(exited, 5000, "still running"), 0);
console.log(`worker: ok (unpaced pause heard in ${latency} ms)`);

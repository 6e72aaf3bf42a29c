// Training in a Web Worker: the page posts the training settings, then Play, Pause, Step,
// Reset or a data point; the worker steps chainrule's engine (WebAssembly) and posts the
// frames, so the page answers clicks and keys while training plays (engine-wasm.js's
// `wasmEngine` drives one worker per session). Paced as the settings ask (`pace` steps a
// second, as `chainrule serve` paces them), or unpaced: as many steps as fit in 25 ms,
// one frame each. A frame goes out at most every 16 ms while playing (a screen's 60 a
// second; the page draws each, so the demo at 40 steps a second shows all 40), after
// every control, and always when playing stops.
//
//   const w = new Worker("train-worker.js", { type: "module" });
//   w.onmessage = ({ data }) => ...;  // {type: "started" | "frame" | "point" | "error", answer}
//                                     // (a frame that answers a control has ack: its name)
//   w.postMessage({ type: "start", engine: "chainrule.wasm", spec: { dataset: "moons" } });
//   w.postMessage({ type: "play" });  // then "pause", "step", "reset", {type: "point", index}
//   w.postMessage({ type: "stop" });  // ends the session and the worker (as terminate() does)
//
// `engine` is the module's URL, its bytes, or a compiled WebAssembly.Module.

import { loadEngine } from "./engine-wasm.js";

const FRAME_MS = 16;
const CALL_MS = 25;
let engine = null;
let id = 0;
let pace = 0;
let timer = 0;
let perCall = 1;
let lastFrame = 0;

/** Posts a message; `ack` names the control a frame answers (the page waits for it). */
function post(type, answer, ack) {
  self.postMessage(ack ? { type, answer, ack } : { type, answer });
}

/** Posts a frame if one is due (or `force`, or it answers control `ack`); says whether
 * the session still plays. */
function frame(f, force, ack) {
  if (f.ok === false) {
    post("error", f);
    return false;
  }
  const now = performance.now();
  if (force || ack || !f.playing || now - lastFrame >= FRAME_MS) {
    post("frame", f, ack);
    lastFrame = now;
  }
  return f.playing;
}

/** One beat of Play: a step at the pace, or unpaced a call's worth of steps. */
function tick() {
  let f;
  if (pace > 0) {
    f = engine.ask("train_step", { id, n: 1 });
  } else {
    const start = performance.now();
    f = engine.ask("train_step", { id, n: perCall });
    const took = Math.max(performance.now() - start, 0.1);
    perCall = Math.max(1, Math.min(1000, Math.round((perCall * CALL_MS) / took)));
  }
  if (frame(f, pace <= 0)) timer = setTimeout(tick, pace > 0 ? 1000 / pace : 0);
}

async function start(m) {
  engine ??= await loadEngine(m.engine);
  if (id) engine.ask("train_free", { id });
  const answer = engine.ask("train_new", m.spec ?? {});
  if (!answer.ok) {
    id = 0;
    return post("error", answer);
  }
  id = answer.id;
  pace = answer.pace;
  perCall = 1;
  post("started", answer);
  frame(engine.ask("train_step", { id, n: 0 }), true);
}

/** Asks the session to play, pause, step or reset; posts the frame after it. */
function act(action) {
  return frame(engine.ask("train_control", { id, action }), true, action);
}

// Play, Pause, Reset and Stop end the beat; Step and a point leave Play playing.
const actions = {
  play() {
    clearTimeout(timer);
    if (act("play")) timer = setTimeout(tick, 0);
  },
  pause() {
    clearTimeout(timer);
    act("pause");
  },
  step() { act("step"); },
  reset() {
    clearTimeout(timer);
    act("reset");
  },
  point(m) {
    const j = engine.ask("train_control", { id, point: m.index });
    post(j.ok === false ? "error" : "point", j);
  },
  stop() {
    clearTimeout(timer);
    engine.ask("train_free", { id });
    self.close();
  },
};

self.onmessage = async ({ data: m }) => {
  if (m.type === "start") {
    clearTimeout(timer);
    return start(m);
  }
  if (m.type === "stop" && !id) return self.close();
  if (!engine || !id) return post("error", { ok: false, error: { message: "start training first" } });
  const act = actions[m.type];
  if (!act) return post("error", { ok: false, error: { message: `not a message this worker takes: ${m.type}` } });
  act(m);
};

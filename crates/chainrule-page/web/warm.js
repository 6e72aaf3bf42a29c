// Warming the engine up, on the static page. A browser runs a WebAssembly module first on
// code it compiled fast, and compiles a function again, optimised, only once it has run
// hot (V8: Liftoff, then TurboFan, function by function). A learner's first edits after
// opening the page therefore ran on the fast-compiled code: in Chromium, edits 1-10 of a
// 200-value program took about 19 ms, edits 41-60 about 13.5 ms. So, after the static
// page opens, it asks the engine about two programs of 162 and 129 values, written here
// (an MLP on one point, and one neuron's loss over 16 points), WARM_CALLS times in all,
// a few calls at a time while the page is idle and has not asked anything of its own in
// the last QUIET_MS (so that no call holds up an answer's frame): about 150 ms of the
// page's thread, done about half a second after opening. A tiny program does not do it:
// the notebook's 7 values, 40 times, left the first edits as slow as before. (Asked in
// a worker sharing the page's compiled module, the warm-up worked as well in Chromium,
// but it took the second core from the page: an edit made during it took twice as long.)
//
//   import { warmUp, watch, WARMED, QUIET_MS } from "./warm.js";
//   const [watched, quiet] = watch(engine);   // the page asks `watched`
//   warmUp(engine, { quiet: () => quiet(QUIET_MS) })
//     .then((r) => performance.mark(WARMED, { detail: r }));   // {ok, calls, ms}

/** How many `program` calls the warm-up makes (each program in turn). */
export const WARM_CALLS = 30;

/** The performance mark the static page sets when the warm-up is done (its detail is
 * `warmUp`'s answer). */
export const WARMED = "chainrule:warmed";

/** A weight for the warm-up's programs: fixed, varied, in [-0.875, 0.875]. */
function weight(k) {
  return (Math.round(Math.sin(k * 12.9898) * 4375) / 5000).toFixed(3);
}

/** An MLP(3, [5, 5, 1]) on one point, tanh then relu, with its squared error: 162 values. */
export function mlpProgram() {
  const sizes = [3, 5, 5, 1];
  const lines = ["# An MLP(3, [5, 5, 1]) on one point", "x0 = 0.5; x1 = -1; x2 = 2; y = 1"];
  let ins = ["x0", "x1", "x2"];
  let k = 0;
  for (let l = 1; l < sizes.length; l++) {
    const outs = [];
    for (let j = 0; j < sizes[l]; j++) {
      const ws = ins.map((_, i) => `w${l}_${j}_${i}`);
      lines.push([...ws, `b${l}_${j}`].map((w) => `${w} = ${weight(++k)}`).join("; "));
      const sum = ins.map((x, i) => `${ws[i]}*${x}`).join(" + ") + ` + b${l}_${j}`;
      const last = l === sizes.length - 1;
      lines.push(`h${l}_${j} = ${last ? sum : `${l === 1 ? "tanh" : "relu"}(${sum})`}`);
      outs.push(`h${l}_${j}`);
    }
    ins = outs;
  }
  lines.push(`loss = (${ins[0]} - y)**2`);
  return lines.join("\n") + "\n";
}

/** One neuron tanh(w*x + b), its squared error summed over 16 points: 129 values. */
export function lossProgram() {
  const lines = ["# One neuron's squared error over 16 points", "w = 0.8; b = -0.3"];
  const terms = [];
  for (let i = 0; i < 16; i++) {
    lines.push(`x${i} = ${(2 * Math.cos(i * 7.1)).toFixed(2)}; y${i} = ${i % 3 ? 1 : -1}`);
    lines.push(`p${i} = tanh(w*x${i} + b)`);
    terms.push(`(p${i} - y${i})**2`);
  }
  lines.push(`loss = ${terms.join(" + ")}`);
  return lines.join("\n") + "\n";
}

/** How much idle time a warm-up call needs left to start (ms): one takes 4-12 ms. */
const CALL_MS = 10;

/** How long after the page's own question the warm-up keeps still (ms): the answer's
 * frame comes within this, and an idle period before it must not hold it up. */
export const QUIET_MS = 60;

/** `engine` with the page's questions watched: [the same interface, `quiet(ms)`, whether
 * the page has asked nothing for `ms` ms]. */
export function watch(engine) {
  let last = -Infinity;
  const asking = (f) => (...args) => {
    last = performance.now();
    return f(...args);
  };
  const watched = {
    ...engine,
    ask: asking(engine.ask),
    program: asking(engine.program),
    nudge: asking(engine.nudge),
  };
  return [watched, (ms) => performance.now() - last >= ms];
}

/** Calls `f(deadline)` once the page is idle, as `requestIdleCallback` does (where a
 * browser has none, 50 ms later with no time to spare: one call then). */
function whenIdle(f) {
  if (globalThis.requestIdleCallback) requestIdleCallback(f);
  else setTimeout(() => f({ timeRemaining: () => 0 }), 50);
}

/** Asks `engine` (the page's engine interface) for the warm-up's programs, `calls` in
 * all, as the page asks for a learner's (`program`), a few at a time while the page is
 * idle (`idle(f)` calls `f(deadline)` then) and `quiet()` (by default always): an idle
 * period that is not quiet passes with no call. Resolves to {ok (every answer was a
 * graph), calls, ms (the engine's time)}. */
export async function warmUp(
  engine,
  { calls = WARM_CALLS, idle = whenIdle, quiet = () => true } = {},
) {
  const programs = [mlpProgram(), lossProgram()];
  let ok = true;
  let ms = 0;
  for (let k = 0; k < calls; ) {
    const deadline = await new Promise((r) => idle(r));
    if (!quiet()) continue;
    do {
      const t0 = performance.now();
      const j = await engine.program({ source: programs[k % programs.length], hand: [] });
      ms += performance.now() - t0;
      ok &&= j.ok === true && typeof j.svg === "string" && j.svg.length > 0;
      k++;
    } while (k < calls && deadline.timeRemaining() > CALL_MS && quiet());
  }
  return { ok, calls, ms };
}

// The page on the WebAssembly engine, with no server: the static site's index.html and
// the one-file page (chainrule.html, where everything it loads is inlined). The page's
// modules are the served page's own; only the engine differs (engine-wasm.js), and once
// the page is up, the engine is warmed up while the page is idle (warm.js).

import { startPage } from "./app.js";
import { wasmEngine } from "./engine-wasm.js";
import { INLINE } from "./assets.js";
import { warmUp, watch, WARMED, QUIET_MS } from "./warm.js";

/** The engine's bytes (or its URL) and a maker of training workers, from the inlined
 * assets when the page is one file, else from the files beside it. */
function sources() {
  if (!INLINE) {
    return { engine: "./chainrule.wasm", worker: () => new Worker("./train-worker.js", { type: "module" }) };
  }
  const engine = Uint8Array.from(atob(INLINE.engine), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([INLINE.worker], { type: "text/javascript" }));
  return { engine, worker: () => new Worker(url) };
}

const { engine, worker } = sources();
wasmEngine(engine, { worker }).then((e) => {
  const [watched, quiet] = watch(e);
  startPage(watched);
  warmUp(e, { quiet: () => quiet(QUIET_MS) }).then((r) => performance.mark(WARMED, { detail: r }));
}, (e) => {
  const p = document.createElement("p");
  p.className = "load-error";
  p.setAttribute("role", "alert");
  p.textContent = `The engine could not start in this browser: ${e.message}. chainrule's page needs WebAssembly (any browser since 2017).`;
  document.querySelector("main").prepend(p);
});

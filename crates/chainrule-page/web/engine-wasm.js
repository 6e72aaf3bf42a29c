// chainrule's engine in WebAssembly: the page protocol's questions (crates/chainrule-page),
// answered in the page with the very JSON that `chainrule serve` sends. A plain ES module:
// no npm, no bundler, no wasm-bindgen (the module's C-ABI exports are documented in
// crates/chainrule-wasm/src/lib.rs).
//
//   import { loadEngine } from "./engine-wasm.js";
//   const engine = await loadEngine("chainrule.wasm");     // a URL, bytes or a WebAssembly.Module
//   const j = engine.program({ source: "a = 2; L = a*a" }); // as POST /api/program answers
//
// Should the engine panic (it should not: every request is bounded), the call traps; the
// question is answered {ok: false, error: {message}} with the panic's message, and a fresh
// instance answers the next one (the old one's training sessions are gone).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Compiles and starts the engine from a URL, bytes or a compiled WebAssembly.Module. */
export async function loadEngine(source) {
  let module = source;
  if (!(module instanceof WebAssembly.Module)) {
    const remote = typeof source === "string" || source instanceof URL;
    module = await WebAssembly.compile(remote ? await (await fetch(source)).arrayBuffer() : source);
  }
  const engine = new Engine(module);
  await engine.restart();
  return engine;
}

/** An answer that the engine could not give. */
function failed(message) {
  return { status: 500, text: JSON.stringify({ ok: false, error: { message } }) };
}

class Engine {
  constructor(module) {
    this.module = module;
    this.x = null;
  }

  /** A fresh instance of the module; `ready` settles when it is up. */
  restart() {
    this.ready = WebAssembly.instantiate(this.module, {}).then((i) => {
      this.x = i.exports;
    });
    return this.ready;
  }

  /** Calls export `name` with `args` (and the request's JSON text, if given): {status, text}. */
  raw(name, args = [], request) {
    const x = this.x;
    if (!x) return failed("the engine is restarting after a failure; ask again");
    try {
      if (request !== undefined) {
        const bytes = encoder.encode(request);
        const ptr = x.alloc(bytes.length);
        new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
        args = [...args, ptr, bytes.length];
      }
      const status = x[name](...args);
      return { status, text: decoder.decode(new Uint8Array(x.memory.buffer, x.out_ptr(), x.out_len())) };
    } catch (e) {
      const len = x.panic_len();
      const why = len ? decoder.decode(new Uint8Array(x.memory.buffer, x.panic_ptr(), len)) : String(e);
      this.x = null;
      this.restart();
      return failed(`the engine stopped (${why}); it has been restarted, ask again`);
    }
  }

  ask(name, args, request) {
    return JSON.parse(this.raw(name, args, request === undefined ? undefined : JSON.stringify(request)).text);
  }

  /** POST /api/program: {source, hand} → the graph, values, derivations, checks, schedule. */
  program(req) { return this.ask("program", [], req); }
  /** POST /api/nudge: {source, node, h} → L before and after, the finite difference. */
  nudge(req) { return this.ask("nudge", [], req); }
  /** POST /api/train: the spec's settings → {ok, id, points, config}. */
  trainNew(spec) { return this.ask("train_new", [], spec); }
  /** Up to n steps of session id (0: none) → the frame after them. */
  trainStep(id, n) { return this.ask("train_step", [id, n]); }
  /** {action: play | pause | step | reset} → the frame after it; {point: i} → its graph. */
  trainControl(id, req) { return this.ask("train_control", [id], req); }
  /** The graph of data point i through session id's current model. */
  trainPoint(id, i) { return this.ask("train_point", [id, i]); }
  /** The steps a second session id asked Play to go at (0: as fast as it can; -1: none). */
  trainPace(id) { return this.x ? this.x.train_pace(id) : -1; }
  /** Ends session id. */
  trainFree(id) { return this.ask("train_free", [id]); }
}

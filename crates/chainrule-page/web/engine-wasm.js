// chainrule's engine in WebAssembly: the page protocol's questions (crates/chainrule-page),
// answered in the browser with the very JSON that `chainrule serve` sends. A plain ES
// module: no npm, no bundler, no wasm-bindgen (the module's C-ABI exports are documented in
// crates/chainrule-wasm/src/lib.rs).
//
// Two layers:
//
//   const raw = await loadEngine("chainrule.wasm");  // a URL, bytes or a WebAssembly.Module
//   raw.ask("program", { source: "a = 2; L = a*a" }); // any question of the protocol, by name
//
//   const engine = await wasmEngine("chainrule.wasm", { worker: () => new Worker(...) });
//   startPage(engine);                                // the page's engine interface
//
// `wasmEngine` implements the engine interface documented at the top of engine-http.js
// (the HTTP transport's side): the same methods, the same answers, never a rejection.
// Questions are answered on the page's thread (a program of 200 values takes a few ms);
// training runs in a Web Worker (train-worker.js), one per session, so the page answers
// clicks and keys while it plays; closing a session ends its worker, wherever it is.
//
// Should the engine panic (it should not: every request is bounded), the call traps; the
// question is answered {ok: false, error: {message}} with the panic's message, and a fresh
// instance answers the next one (the old one's training sessions are gone).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The longest piece `utf8Text` decodes at once. Chromium's TextDecoder takes four times
 * as long per byte on a buffer of more than about 256 KiB that is not all ASCII: a
 * 200-value program's answer, 373 KB with a few `·` and `²`, took 0.25 ms in one piece
 * and 0.07 ms in pieces of 32 to 256 KiB; 64 KiB keeps well below that size. */
export const PIECE = 1 << 16;

/** The text of UTF-8 `bytes`, decoded a piece at a time (`PIECE`); a character cut
 * between two pieces is carried over to the next (`stream`). */
export function utf8Text(bytes) {
  if (bytes.length <= PIECE) return decoder.decode(bytes);
  let text = "";
  for (let at = 0; at < bytes.length; at += PIECE) {
    const end = Math.min(bytes.length, at + PIECE);
    text += decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length });
  }
  return text;
}

/** Compiles and starts the engine from a URL, bytes or a compiled WebAssembly.Module. */
export async function loadEngine(source) {
  let module = source;
  if (!(module instanceof WebAssembly.Module)) {
    const remote = typeof source === "string" || source instanceof URL;
    module = await WebAssembly.compile(remote ? await fetchBytes(source) : source);
  }
  const engine = new Engine(module);
  await engine.restart();
  return engine;
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot load the engine from ${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
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

  /** Asks question `name` with the request's JSON text: {status, text}. */
  raw(name, request = "{}") {
    return this.guard((x) => {
      const status = x.call(...this.put(x, name, request));
      return { status, text: this.read(x, x.out_ptr(), x.out_len()) };
    });
  }

  /** `raw`, with a graph's drawing apart (the module's `call_apart`): {status, text,
   * drawing}, `text` holding `"svg":""` and `drawing` the SVG when the answer is a
   * graph's, else `drawing` null. */
  apart(name, request = "{}") {
    return this.guard((x) => {
      const status = x.call_apart(...this.put(x, name, request));
      const n = x.drawing_len();
      return {
        status,
        text: this.read(x, x.out_ptr(), x.out_len()),
        drawing: n ? this.read(x, x.drawing_ptr(), n) : null,
      };
    });
  }

  /** Writes question `name` and its request text into the module: the arguments of a call. */
  put(x, name, request) {
    const head = encoder.encode(name), body = encoder.encode(request);
    const len = head.length + body.length;
    const ptr = x.alloc(len);
    const buf = new Uint8Array(x.memory.buffer, ptr, len);
    buf.set(head);
    buf.set(body, head.length);
    return [ptr, len, head.length];
  }

  /** The text of `len` bytes at `ptr` in the module's memory. */
  read(x, ptr, len) {
    return utf8Text(new Uint8Array(x.memory.buffer, ptr, len));
  }

  /** `work(exports)`, or, if the engine traps in it, the panic's answer. */
  guard(work) {
    if (!this.x) return failed("the engine is restarting after a failure; ask again");
    try {
      return work(this.x);
    } catch (e) {
      return this.stopped(e);
    }
  }

  /** A trap: the panic's message as the answer, and a fresh instance for what follows. */
  stopped(e) {
    const x = this.x;
    const len = x.panic_len();
    const why = len ? decoder.decode(new Uint8Array(x.memory.buffer, x.panic_ptr(), len)) : String(e);
    this.x = null;
    this.restart();
    return failed(`the engine stopped (${why}); it has been restarted, ask again`);
  }

  /** Asks question `name` with `request` (an object): the answer, parsed (the same
   * object as `JSON.parse` of `raw`'s text). A graph's drawing comes apart (`apart`), and
   * is put back in its `svg` field: as a JSON string, a 200-value drawing is 220 KB with
   * a backslash before every quote, for the engine to write and the page to read back. */
  ask(name, request = {}) {
    const a = this.apart(name, JSON.stringify(request));
    const j = JSON.parse(a.text);
    if (a.drawing != null) j.svg = a.drawing;
    return j;
  }
}

/** How long a session may stay silent after Pause before its worker is ended. */
const STOP_MS = 3000;

/** The page's engine on WebAssembly: `source` as `loadEngine` takes it; `worker()` makes
 * a Web Worker running train-worker.js. Resolves to the engine interface. */
export async function wasmEngine(source, { worker }) {
  const raw = await loadEngine(source);
  const ask = (name, req) => Promise.resolve(raw.ask(name, req));
  const sessions = new Map();   // the page's id -> Session
  let next = 1;
  return {
    ask,
    program: (req) => ask("program", req),
    nudge: (req) => ask("nudge", req),
    trainSpec: () => ask("train_spec", {}),
    train(spec, onFrame) {
      const id = next++;
      const s = new Session(worker, raw.module, spec, onFrame);
      sessions.set(id, s);
      return s.start().then((j) => {
        if (!j.ok) { s.end(); sessions.delete(id); return j; }
        return { ...j, id };
      });
    },
    control: (id, action) => (sessions.get(id) || gone(id)).control(action),
    point: (id, i) => (sessions.get(id) || gone(id)).point(i),
    close(id) {
      const s = sessions.get(id);
      if (s) s.end();
      sessions.delete(id);
    },
  };
}

/** What a session that is not there answers. */
function gone(id) {
  const answer = { ok: false, error: { message: `there is no training session ${id} (it ended); start training again` } };
  return { control: () => Promise.resolve(answer), point: () => Promise.resolve(answer) };
}

/** One training session: its worker, and the page's questions waiting for an answer. */
class Session {
  constructor(makeWorker, module, spec, onFrame) {
    this.makeWorker = makeWorker;
    this.module = module;
    this.spec = spec;
    this.onFrame = onFrame;
    this.waiting = [];       // [{kind: "frame" | "point", resolve}]
    this.watchdog = 0;
  }

  /** Starts the worker on the spec: the answer to starting (an error ends it). */
  start(note) {
    this.w = this.makeWorker();
    return new Promise((resolve) => {
      let started = false;
      this.w.onmessage = ({ data: m }) => {
        if (!started) {
          started = true;
          return resolve(m.answer);
        }
        this.heard(m, note);
        note = null;
      };
      this.w.onerror = (e) => {
        const answer = { ok: false, error: { message: `the training worker failed: ${e.message || "it could not start"}` } };
        if (!started) { started = true; return resolve(answer); }
        this.heard({ type: "error", answer });
      };
      this.w.postMessage({ type: "start", engine: this.module, spec: this.spec });
    });
  }

  /** A message from the worker: a frame (one that answers a control says which), a
   * point's graph or an error; each answers the oldest question waiting for its kind. */
  heard(m, note) {
    let k = -1;
    if (m.type === "point") k = this.waiting.findIndex((w) => w.kind === "point");
    else if (m.type === "frame" && m.ack) k = this.waiting.findIndex((w) => w.kind === "frame");
    else if (m.type === "error") k = this.waiting.length ? 0 : -1;
    if (m.type !== "frame" || m.ack) clearTimeout(this.watchdog);   // it heard the controls
    if (k >= 0) this.waiting.splice(k, 1)[0].resolve(m.type === "frame" ? { ok: true } : m.answer);
    if (m.type === "frame") this.onFrame(note ? { ...m.answer, note } : m.answer);
    else if (m.type === "error" && k < 0) this.onFrame(m.answer);
  }

  /** Posts `message` and resolves with the answer of kind `kind` that follows it. */
  ask(message, kind) {
    return new Promise((resolve) => {
      this.waiting.push({ kind, resolve });
      this.w.postMessage(message);
    });
  }

  /** play, pause, step or reset: {ok: true} once the worker has taken it. A session that
   * does not answer Pause within STOP_MS (a step that never ends) is stopped: its worker
   * is ended and a fresh one starts the same settings at step 0. */
  control(action) {
    const answer = this.ask({ type: action }, "frame");
    if (action === "pause") {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => this.restart(), STOP_MS);
    }
    return answer;
  }

  point(i) {
    return this.ask({ type: "point", index: i }, "point");
  }

  restart() {
    this.w.terminate();
    const why = { ok: false, error: { message: "training did not pause in time, so it was stopped and reset to step 0" } };
    for (const w of this.waiting.splice(0)) w.resolve(why);
    this.start(`stopped: it did not pause within ${STOP_MS / 1000} s; reset to step 0`);
  }

  end() {
    clearTimeout(this.watchdog);
    if (this.w) this.w.terminate();
    const why = { ok: false, error: { message: "the training session ended" } };
    for (const w of this.waiting.splice(0)) w.resolve(why);
  }
}

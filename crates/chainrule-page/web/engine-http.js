/**
 * The engine interface, and its HTTP transport for `chainrule serve`.
 *
 * The page's modules ask the chainrule engine everything they show; they never compute a
 * value or lay out a graph themselves. They talk to one engine object, whatever carries
 * the questions: HTTP to `chainrule serve` (this file), WebAssembly in a worker on the
 * static site, the Jupyter kernel in the widget (engine-kernel.js). Every transport
 * implements:
 *
 *   ask(name, request) -> Promise<answer>
 *     Any question of the protocol by its name (`chainrule_page::QUESTIONS`): the one entry
 *     point, so a question added in Rust reaches the page with no change here. The
 *     methods below are `ask` with the question's name (training aside, whose sessions
 *     each transport keeps its own way).
 *
 *   program({source, hand, of?}) -> Promise<answer>
 *     `source`: the program's text; `hand`: grads typed into the page to check, as
 *     [[node id, grad], ...]; `of`: the value whose graph is drawn (its grads are d`of`/dx),
 *     when not the program's last (asked as ask("program", ...)). The answer is that of POST /api/program:
 *     {ok: true, output: {id, name, data}, values, nodes: [{id, name, bound, leaf, op,
 *     expr, data, grad, header, derivation: [line], check: {h, analytic, numeric,
 *     abs_err, verdict, note} | null}], edges: [{from, to, slot, local, formula}],
 *     svg, schedule: [{node, name, grad, edges: [{from, to, local, formula}], summary}],
 *     schedule_intro, hand: [{id, name, given, correct, right, derivation, line, text,
 *     mistakes: [id], follows_from_yours, diagnosis}],
 *     check: {passed, rows}, non_finite: {id, name, pass, value, reason} | null}.
 *
 *   check({source, hand}) -> Promise<{ok: true, output: {id, name, data}, hand}>
 *     Optional: the hand grads alone, checked as program() checks them (`hand` as there).
 *     A transport without it is asked program() instead.
 *
 *   nudge({source, node, h, svg?}) -> Promise<answer>
 *     Leaf `node` moved by `h` and the graph replayed, as POST /api/nudge answers:
 *     {ok: true, node, name, output: {id, name}, a, h, before, after,
 *     finite_difference, grad, svg, texts: [[k, text]] | null, cells: null,
 *     values: [{id, data, grad}]}. With `svg: false` (the page shows the program's
 *     drawing), a replay drawn the same shape comes as `cells: [[id, data, grad]]`, the
 *     values whose cells read otherwise, with `svg` and `texts` null and `values` only
 *     those that changed; else `svg` is the replay's drawing.
 *
 *   trainSpec() -> Promise<answer>
 *     The training spec as the page may use it: {ok: true, fields: [{name, help,
 *     value_name, default, default_text, allowed, choices: [{name, help}] | null}],
 *     datasets: [{name, help, noise, classes}], optimizers: [{name, help, lr}],
 *     schedules: [{name, help, ends}], bounds: {...}, pace: {default, max}}.
 *
 *   train(spec, onFrame) -> Promise<{ok: true, id, points: [[x, y, class]], config, pace}>
 *     A training session for `spec` (dataset, noise, samples, seed, layers, activation,
 *     loss, optimizer, lr, batch, steps, classes, pace), as POST /api/train answers.
 *     Its frames go to `onFrame(frame)` until `close(id)`: {frame, step, of, loss,
 *     accuracy, lr, playing, classes, multiclass, grid: {n, x0, x1, y0, y1, scores},
 *     non_finite, warning, note, history: [[step, loss, accuracy]]}. The first frame (step 0)
 *     comes at once, before any training. Should the session fail later, `onFrame`
 *     gets that failure's answer, {ok: false, error}, instead of a frame.
 *   control(id, action) -> Promise<{ok: true}>   action: "play", "pause", "step", "reset"
 *   point(id, i) -> Promise<answer>   data point i through the session's current model:
 *     a program answer (its output is the loss on that point) plus point: {index, x, class}.
 *   close(id)   no more frames; the session may end.
 *
 * No method rejects: any failure, the network's included, is an answer
 * {ok: false, error: {message, help?, line?, column?, length?}} (line and column are
 * 1-based, in characters; length is how many characters the problem spans).
 * Numbers that are NaN or infinite arrive as the strings "NaN", "inf" and "-inf".
 */

/** The engine behind `chainrule serve`, at `base` (the server's origin and path prefix;
 * "" for the page's own server). Questions go over one WebSocket (`/api/ws`) once it is
 * open, and as POST /api/NAME until then, or while it is closed: the same answers either
 * way. Training's sessions and frames are HTTP's (POST and Server-Sent Events). */
export function httpEngine(base = "") {
  const streams = new Map();   // session id -> its EventSource
  const posted = (name, req) => postSized(`${base}/api/${name}`, req);
  const socket = questionSocket(base, posted);
  const ask = (name, req = {}) => socket.ask(name, req);
  return {
    ask,
    program: (req) => ask("program", req),
    nudge: (req) => ask("nudge", req),
    trainSpec: () => ask("train_spec", {}),
    async train(spec, onFrame) {
      const j = await post(`${base}/api/train`, spec);
      if (!j.ok) return j;
      const es = new EventSource(`${base}/api/train/${j.id}/events`);
      es.onmessage = (ev) => onFrame(JSON.parse(ev.data));
      streams.set(j.id, es);
      return j;
    },
    control: (id, action) => post(`${base}/api/train/${id}/control`, { action }),
    point: (id, i) => post(`${base}/api/train/${id}/control`, { point: i }),
    close(id) {
      const es = streams.get(id);
      if (es) es.close();
      streams.delete(id);
    },
  };
}

/** How many sockets in a row may close before they open (refused by the server, or by a
 * proxy between) before the page stops trying and asks over HTTP alone. */
const SOCKET_TRIES = 3;

/** A question whose last answer was larger than this goes over HTTP: Chromium takes a
 * message of many megabytes more slowly than a fetch (20 MB, a 10,000-value graph: 330 ms
 * against 260), while below about 8 MB the socket is faster (2 MB: 33 ms against 47). */
const LARGE_ANSWER = 8 << 20;

/**
 * The page's WebSocket to `chainrule serve` (crates/chainrule-serve/src/ws.rs): a
 * question is one text message, `ID NAME`, a newline and the request's JSON; its answer
 * one binary message of UTF-8, `ID STATUS`, a newline and the answer's JSON, the text POST
 * /api/NAME answers. Chromium spends 4–6 ms on a fetch to its own server, and about 2 on
 * a message over an open socket, so a drag of the nudge slider, a question a frame, gains
 * most.
 *
 * The socket opens on the first question, which, like any asked while it is not open,
 * goes to `fallback` (POST), as does a question whose last answer was large. A question
 * whose socket closes before its answer (the server closes one idle for a minute, or
 * that needs its connection for another, or on a message too large) is asked again
 * through `fallback`, which answers it, its errors included. The server's questions keep
 * no state, so asking one twice is harmless.
 */
function questionSocket(base, fallback) {
  const url = socketUrl(base);
  const sizes = new Map();     // question name -> its last answer's size in bytes
  const viaHttp = async (name, req) => {
    const [answer, size] = await fallback(name, req);
    sizes.set(name, size);
    return answer;
  };
  if (!url) return { ask: viaHttp };
  const text = new TextDecoder();
  let ws = null;          // the socket, open or opening
  let open = false;
  let failures = 0;       // sockets in a row that closed before they opened
  let next = 1;
  const pending = new Map();   // id -> {id, name, req, resolve}
  function connect() {
    if (ws || failures >= SOCKET_TRIES) return;
    let s;
    try {
      s = new WebSocket(url);
    } catch (e) {
      failures = SOCKET_TRIES;
      return;
    }
    s.binaryType = "arraybuffer";
    ws = s;
    s.onopen = () => {
      open = true;
      failures = 0;
    };
    s.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      const message = text.decode(ev.data);
      const nl = message.indexOf("\n");
      const p = pending.get(Number(message.slice(0, message.indexOf(" "))));
      if (!p || nl < 0) return;
      pending.delete(p.id);
      sizes.set(p.name, ev.data.byteLength);
      let answer;
      try {
        answer = JSON.parse(message.slice(nl + 1));
      } catch (e) {
        answer = { ok: false, error: { message: "the server's answer is not JSON" } };
      }
      p.resolve(answer);
    };
    s.onclose = () => {
      if (!open) failures += 1;
      ws = null;
      open = false;
      const left = [...pending.values()];
      pending.clear();
      for (const p of left) p.resolve(viaHttp(p.name, p.req));
    };
  }
  return {
    ask(name, req) {
      if (!open) connect();
      if (!open || (sizes.get(name) ?? 0) > LARGE_ANSWER) return viaHttp(name, req);
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, { id, name, req, resolve });
        ws.send(`${id} ${name}\n${JSON.stringify(req)}`);
      });
    },
  };
}

/** The WebSocket address for the server at `base`, or null where there is none. */
function socketUrl(base) {
  if (typeof WebSocket !== "function" || typeof location === "undefined") return null;
  try {
    const u = new URL(`${base}/api/ws`, location.href);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.href;
  } catch (e) {
    return null;
  }
}

async function post(url, body) {
  return (await postSized(url, body))[0];
}

/** POSTs `body` as JSON to `url`: [the answer, its size in bytes (0 when unknown)]. */
async function postSized(url, body) {
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const size = Number(r.headers.get("content-length")) || 0;
    try {
      return [await r.json(), size];
    } catch (e) {
      return [{ ok: false, error: { message: `the server answered HTTP ${r.status}` } }, size];
    }
  } catch (e) {
    return [{ ok: false, error: { message: `cannot reach chainrule serve: ${e.message}` } }, 0];
  }
}

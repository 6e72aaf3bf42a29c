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
 *     non_finite, note, history: [[step, loss, accuracy]]}. The first frame (step 0)
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
 * "" for the page's own server). */
export function httpEngine(base = "") {
  const streams = new Map();   // session id -> its EventSource
  const ask = (name, req = {}) => post(`${base}/api/${name}`, req);
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

async function post(url, body) {
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    try {
      return await r.json();
    } catch (e) {
      return { ok: false, error: { message: `the server answered HTTP ${r.status}` } };
    }
  } catch (e) {
    return { ok: false, error: { message: `cannot reach chainrule serve: ${e.message}` } };
  }
}

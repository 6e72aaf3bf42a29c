/**
 * The engine interface (see engine-http.js) over the Jupyter kernel, for the notebook
 * widget: the questions are asked of the kernel's copy of the learner's graph
 * (`chainrule.live`, answered by the page's protocol there) through the widget's model.
 *
 * A question is a custom message {ask: name, id, body}, `name` one of the protocol's
 * questions (`chainrule_page::QUESTIONS`; the view's graph is asked about as `given_*`,
 * the kernel adding its id) or `apply`, which the kernel answers itself. The kernel
 * answers {reply: id, answer} with the answer as JSON text, or, for a question whose
 * answer is the widget's state (a nudge's replay), {reply: id, state: name}: the answer
 * is then the trait `name` (read by `state(name)`) once the trait `request` says it
 * answers `id` (state and reply may arrive in either order). A kernel that does not answer within `timeout` ms (busy in a long cell,
 * or stopped) gets an error answer, as every transport answers a failure; the view keeps
 * what it shows.
 *
 * Besides the interface: `back()` (the view went back from a replay), `apply()` (the
 * replay written into the learner's Values), `asked(id)` (whether this engine asked the
 * question `id`), and `onWait(n)`, called with the number of questions still waiting
 * whenever it changes.
 */

/** The engine over anywidget's `model`; `timeout()`: how long to wait for an answer, in
 * ms (asked at each question); `state(name)`: trait `name`, parsed. */
export function kernelEngine(model, { timeout = () => 20000, state, onWait = () => {} } = {}) {
  const token = Math.random().toString(36).slice(2);
  let seq = 0;
  const waiting = new Map();   // id -> {resolve, timer, state, reply}

  function settle(id, answer) {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    onWait(waiting.size);
    w.resolve(answer);
  }

  /** A question answered in state: settled once its reply and its state are both in. */
  function fromState(id) {
    const w = waiting.get(id);
    if (!w || !w.reply || model.get("request") !== id) return;
    settle(id, state(w.reply.state) || { ok: false, error: { message: "the kernel sent no answer" } });
  }

  model.on("msg:custom", (msg) => {
    const w = msg && waiting.get(msg.reply);
    if (!w) return;
    if (msg.state) {
      w.reply = msg;
      fromState(msg.reply);
    } else {
      settle(msg.reply, JSON.parse(msg.answer));
    }
  });
  model.on("change:request", () => fromState(model.get("request")));

  function ask(method, body = {}) {
    const id = `${token}-${++seq}`;
    return new Promise((resolve) => {
      const ms = timeout();
      const timer = setTimeout(() => settle(id, { ok: false, error: {
        message: `the kernel did not answer in ${ms / 1000} s: a cell may be running, or the kernel has stopped (restart it and run the cell again). The view keeps what it showed.`,
      } }), ms);
      waiting.set(id, { resolve, timer, reply: null });
      onWait(waiting.size);
      try {
        model.send({ ask: method, id, body });
      } catch (e) {
        // The front end may already know the kernel is gone (it refuses to send): say
        // so, with the same advice as when the kernel does not answer in time.
        settle(id, { ok: false, error: {
          message: `cannot reach the kernel (${e.message}): it has stopped or its connection is gone (restart it and run the cell again). The view keeps what it showed.`,
        } });
      }
    });
  }

  const watched = { ok: false, error: { message: "training in a notebook is watched, not started here: use chainrule.watch in the kernel" } };
  return {
    ask,
    // The view's graph is the one the kernel gave its engine: `given_*` questions, whose
    // id the kernel adds (a view asks about its own graph only).
    program: () => ask("given_describe"),
    check: ({ hand }) => ask("given_check", { hand }),
    // svg: false: the view shows the graph as given; only the cells that changed come back
    // (a new drawing only when the replay is drawn another shape).
    nudge: ({ node, h }) => ask("given_nudge", { node, h, svg: false }),
    back: () => ask("given_back"),
    apply: () => ask("apply"),
    asked: (id) => typeof id === "string" && id.startsWith(`${token}-`),
    train: async () => watched,
    control: async () => watched,
    point: async () => watched,
    close() {},
  };
}

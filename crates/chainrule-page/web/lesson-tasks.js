// A lesson's tasks on the page, one card each, every answer checked by the engine
// (`lesson_check`): grads and values entered in order, each judged as it is entered and
// every wrong grad diagnosed (which catalogued mistake gives that number); a nudge
// predicted and committed before the real change is shown (belief elicitation: the
// prediction cannot be changed once the answer is out); the line of a bug, picked in the
// code; and a python task, shown with where it runs (the page has no Python). A card
// keeps its answers through `ctx.save`, so a learner who comes back finds them, and says
// what it has made known (`known()`), which the lesson's graph then shows.

import { h, fmt } from "./dom.js";
import { markdown } from "./markdown.js";
import { diagnosis } from "./hand-list.js";

const KIND_TITLES = {
  grads: "Enter the grads, in order",
  value: "The forward pass",
  nudge: "Predict, then nudge",
  bug: "Find the bug",
  python: "Write it in Python",
};

/** The card for task `task` (number `t`, from the `lesson` answer). `ctx`:
 *  check(body) -> Promise<lesson_check answer>   the lesson and seed filled in;
 *  record: the saved record or null;  save(record);  again(): the task afresh;
 *  changed(): something became known or done;  nudge(name, h): replay it on the graph;
 *  where: {jupyter, terminal} commands that open this lesson with these numbers;
 *  lectureValue: the lecture's Value class, for a python task. */
export function taskCard(task, t, ctx) {
  const make = { grads: ItemsCard, value: ItemsCard, nudge: NudgeCard, bug: BugCard, python: PythonCard }[task.kind];
  return new make(task, t, ctx);
}

class Card {
  constructor(task, t, ctx) {
    this.task = task;
    this.t = t;
    this.ctx = ctx;
    this.body = h("div", { class: "cr-task-body" });
    this.againBtn = h("button", { type: "button", class: "cr-task-again", hidden: true }, "Again");
    this.againBtn.addEventListener("click", () => ctx.again());
    this.status = h("span", { class: "cr-task-status" });
    this.ready = Promise.resolve();    // settles when the answers kept from before are shown
    this.root = h("section", { class: "cr-task", "data-task": t, "data-kind": task.kind, "data-state": "open" },
      h("h3", { class: "cr-task-title" }, `Task ${t + 1} · ${KIND_TITLES[task.kind]}`, this.status),
      h("div", { class: "cr-md" }, markdown(task.prompt, { headingLevel: 4 })),
      this.body,
      h("div", { class: "cr-task-foot" }, this.againBtn));
  }

  /** Whether the task counts in the lesson's progress on the page. */
  get countable() { return true; }

  /** Whether it is done: every item answered right or shown, the prediction committed,
   * the bug found. */
  get done() { return this.root.dataset.state === "done"; }

  /** What the task has made known, by name: {data: Map, grad: Map} of texts to show. */
  known() { return { data: new Map(), grad: new Map() }; }

  finish(said) {
    this.root.dataset.state = "done";
    this.status.textContent = said;
    this.againBtn.hidden = false;
  }

  started() { this.againBtn.hidden = false; }
}

/** Counts an answer checked on `el` (`data-checks`), so that whoever waits for the verdict
 * (a test, a screen reader's region) knows a new one is there. */
function counted(el) {
  el.dataset.checks = String(Number(el.dataset.checks || 0) + 1);
}

/** The engine's diagnosis of a wrong answer (its `text` lines, the mistakes it names), as
 * the hand grads show one. */
function diagnosed(f) {
  return diagnosis({ diagnosis: f.text, mistakes: f.mistakes, follows_from_yours: f.follows_from_yours }) || "";
}

/** The right step, written out (the chain rule, the nudge, the line and why). */
function step(lines) {
  return h("pre", { class: "cr-step-written" }, lines.join("\n"));
}

/** Grads or values, one item after the other: each is checked when entered, a wrong one
 * diagnosed and tried again, and any can be shown (then it counts as shown, not right). */
class ItemsCard extends Card {
  constructor(task, t, ctx) {
    super(task, t, ctx);
    this.accepted = [];     // the answers taken, in order (right or shown)
    this.shown = [];
    this.rows = task.items.map((q, k) => this.row(q, k));
    this.body.append(h("ol", { class: "cr-items" }, this.rows.map((r) => r.li)));
    this.unlock(0);
    const rec = ctx.record;
    this.ready = rec && rec.answers && rec.answers.length ? this.restore(rec) : Promise.resolve();
  }

  row(question, k) {
    const input = h("input", {
      type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false",
      "aria-label": question, "data-item": k, disabled: true,
    });
    const checkBtn = h("button", { type: "button", "data-act": "check", disabled: true }, "Check");
    const showBtn = h("button", { type: "button", "data-act": "show", disabled: true }, "Show me");
    const feedback = h("div", { class: "cr-feedback", "aria-live": "polite" });
    const li = h("li", { class: "cr-item", "data-item": k, "data-state": "locked" },
      h("div", { class: "cr-item-line" },
        h("label", {}, h("span", { class: "cr-item-q" }, question), " = ", input), checkBtn, showBtn),
      feedback);
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") this.check(k); });
    checkBtn.addEventListener("click", () => this.check(k));
    showBtn.addEventListener("click", () => this.show(k));
    return { li, input, checkBtn, showBtn, feedback };
  }

  unlock(k) {
    const r = this.rows[k];
    if (!r) return;
    r.li.dataset.state = "open";
    for (const el of [r.input, r.checkBtn, r.showBtn]) el.disabled = false;
  }

  async check(k) {
    const r = this.rows[k];
    if (r.li.dataset.state === "right" || r.li.dataset.state === "shown") return;
    const answers = this.accepted.slice(0, k).concat(r.input.value);
    const a = await this.ctx.check({ answers });
    counted(r.li);
    const f = a.ok && a.feedback[k];
    if (!f) return this.say(r, "unread", [a.ok ? "no answer to check" : a.error.message]);
    this.started();
    if (f.right) return this.accept(k, r.input.value, f, false);
    if (f.value === null) return this.say(r, "unread", f.text);
    r.li.dataset.state = "wrong";
    r.li.dataset.mistakes = f.mistakes.join(" ");
    r.feedback.replaceChildren(h("p", { class: "cr-verdict cr-wrong" }, `✗ ${f.answer} is not ${f.question}.`), diagnosed(f),
      h("p", { class: "cr-hint" }, "Try again, or press Show me for the step."));
    r.input.select();
  }

  /** An answer that could not be read: why, and the item stays open. */
  say(r, state, lines) {
    r.li.dataset.state = state;
    r.feedback.replaceChildren(...lines.map((l) => h("p", { class: "cr-verdict" }, l)));
  }

  async show(k) {
    const a = await this.ctx.check({ answers: this.accepted.slice(0, k).concat(""), show: true });
    counted(this.rows[k].li);
    if (!a.ok) return this.say(this.rows[k], "unread", [a.error.message]);
    this.started();
    this.rows[k].input.value = a.shown;
    this.accept(k, a.shown, a.feedback[k], true);
  }

  /** Item `k` answered (`shown`: by the page): marked, its step written out, the next
   * one opened, the answers kept. */
  accept(k, value, f, shown, { quiet = false } = {}) {
    const r = this.rows[k];
    this.accepted[k] = value;
    this.shown[k] = shown;
    this.values = this.values || [];
    this.values[k] = f.expected;
    r.li.dataset.state = shown ? "shown" : "right";
    delete r.li.dataset.mistakes;
    for (const el of [r.input, r.checkBtn, r.showBtn]) el.disabled = true;
    r.feedback.replaceChildren(
      h("p", { class: `cr-verdict ${shown ? "cr-shown" : "cr-right"}` }, shown ? `Shown: ${f.question} = ${f.expected}` : `✓ Right: ${f.question} = ${f.expected}`),
      step(f.reveal));
    const all = this.accepted.length === this.rows.length;
    if (all) this.finish(this.shown.some(Boolean) ? "done, with help" : "done ✓");
    else this.unlock(k + 1);
    if (quiet) return;
    this.ctx.save({ answers: this.accepted, shown: this.shown, done: all });
    this.ctx.changed();
    if (!all) this.rows[k + 1].input.focus();
  }

  /** The answers kept from before, checked again (the engine writes their steps). */
  async restore(rec) {
    const a = await this.ctx.check({ answers: rec.answers });
    if (!a.ok) return;
    for (const [k, f] of a.feedback.entries()) {
      if (!f.right) break;
      this.accept(k, rec.answers[k], f, Boolean(rec.shown && rec.shown[k]), { quiet: true });
    }
    this.ctx.changed();
  }

  known() {
    const part = this.task.kind === "grads" ? "grad" : "data";
    const m = new Map();
    (this.values || []).forEach((v, k) => {
      if (v !== undefined) m.set(this.task.ask[k], `${part} ${fmt(Number(v))}`);
    });
    return part === "grad" ? { data: new Map(), grad: m } : { data: m, grad: new Map() };
  }
}

/** A nudge: the learner's prediction of the output after the value moves by h, committed
 * first; only then is the real change shown (and the graph replayed on request). */
class NudgeCard extends Card {
  constructor(task, t, ctx) {
    super(task, t, ctx);
    const q = task.items[0];
    this.input = h("input", { type: "text", inputmode: "decimal", autocomplete: "off", "aria-label": `Your prediction: ${q}` });
    this.commitBtn = h("button", { type: "button", "data-act": "commit" }, "Commit my prediction");
    this.feedback = h("div", { class: "cr-feedback", "aria-live": "polite" });
    this.seeBtn = h("button", { type: "button", "data-act": "see", hidden: true }, "See the nudge on the graph");
    this.body.append(
      h("div", { class: "cr-item-line" }, h("label", {}, h("span", { class: "cr-item-q" }, q), " = ", this.input), this.commitBtn),
      h("p", { class: "cr-hint" }, "Once committed, your prediction stays as it is; then the real change is shown."),
      this.feedback, this.seeBtn);
    this.input.addEventListener("keydown", (e) => { if (e.key === "Enter") this.commit(); });
    this.commitBtn.addEventListener("click", () => this.commit());
    this.seeBtn.addEventListener("click", () => ctx.nudge(task.nudge, task.h));
    const rec = ctx.record;
    if (rec && rec.done) this.input.value = rec.answers[0];
    this.ready = rec && rec.done ? this.commit({ quiet: true }) : Promise.resolve();
  }

  async commit({ quiet = false } = {}) {
    if (this.root.dataset.state === "done") return;
    const value = this.input.value;
    const a = await this.ctx.check({ answers: [value] });
    counted(this.root);
    const f = a.ok && a.feedback[0];
    if (!f || f.value === null) {
      this.feedback.replaceChildren(h("p", { class: "cr-verdict" }, f ? f.text.join(" ") : a.error.message));
      return;
    }
    this.input.readOnly = true;
    this.commitBtn.hidden = true;
    this.seeBtn.hidden = false;
    this.root.dataset.prediction = f.right ? "right" : "wrong";
    if (!f.right) this.root.dataset.mistakes = f.mistakes.join(" ");
    this.feedback.replaceChildren(
      h("p", { class: `cr-verdict ${f.right ? "cr-right" : "cr-wrong"}` },
        f.right ? `✓ Your prediction was right: ${f.question} = ${f.expected}.` : `✗ Your prediction, ${value}, was off: ${f.question} = ${f.expected}.`),
      f.right ? "" : diagnosed(f),
      step(f.reveal));
    this.finish(f.right ? "done ✓" : "done: the prediction was off");
    if (quiet) return;
    this.ctx.save({ answers: [value], right: f.right, done: true });
    this.ctx.changed();
  }
}

/** The line of a bug, picked in the numbered code: a wrong line gets the hint, the right
 * one why it is the bug. */
class BugCard extends Card {
  constructor(task, t, ctx) {
    super(task, t, ctx);
    this.lines = task.code.replace(/\n$/, "").split("\n").map((text, i) =>
      h("li", { "data-line": i + 1 },
        h("button", { type: "button", class: "cr-line", "data-line": i + 1, "aria-label": `line ${i + 1}: ${text.trim()}` },
          h("span", { class: "cr-line-number" }, String(i + 1)), h("code", {}, text))));
    this.feedback = h("div", { class: "cr-feedback", "aria-live": "polite" });
    const showBtn = h("button", { type: "button", "data-act": "show" }, "Show me");
    this.body.append(h("ol", { class: "cr-code-lines" }, this.lines),
      h("div", { class: "cr-buttons" }, h("span", { class: "cr-hint" }, "Pick the line."), showBtn), this.feedback);
    if (task.fix) {
      this.body.append(h("p", { class: "cr-hint cr-elsewhere" },
        "In Jupyter this loop runs on chainrule's engine: fix it there and it is run beside the fixed loop (",
        h("code", {}, ctx.where.jupyter), ")."));
    }
    this.body.addEventListener("click", (e) => {
      const b = e.target.closest("button.cr-line");
      if (b) this.pick(b.dataset.line);
    });
    showBtn.addEventListener("click", () => this.pick("", true));
    this.showBtn = showBtn;
    const rec = ctx.record;
    this.ready = rec && rec.done ? this.pick(rec.answers[0], Boolean(rec.shown && rec.shown[0]), { quiet: true }) : Promise.resolve();
  }

  async pick(line, show = false, { quiet = false } = {}) {
    if (this.done) return;
    const a = await this.ctx.check({ answers: [String(line)], show });
    counted(this.root);
    const f = a.ok && a.feedback[0];
    if (!f) return;
    const at = show ? a.shown : String(line);
    for (const li of this.lines) {
      if (li.dataset.line === at) li.dataset.state = f.right ? "right" : "wrong";
    }
    if (!f.right) {
      this.started();
      this.feedback.replaceChildren(...f.text.map((l) => h("p", { class: "cr-verdict cr-wrong" }, l)));
      return;
    }
    this.showBtn.disabled = true;
    this.feedback.replaceChildren(h("p", { class: `cr-verdict ${show ? "cr-shown" : "cr-right"}` }, show ? "Shown:" : "✓ Right."), step(f.reveal));
    this.finish(show ? "done, with help" : "done ✓");
    if (quiet) return;
    this.ctx.save({ answers: [at], shown: [show], done: true });
    this.ctx.changed();
  }
}

/** A python task: the page runs no Python, so it shows the code to write, the graph it
 * runs on and where it is checked: a notebook or the terminal, with these numbers. */
class PythonCard extends Card {
  constructor(task, t, ctx) {
    super(task, t, ctx);
    this.root.dataset.state = "elsewhere";
    this.status.textContent = "in Jupyter or the terminal";
    this.body.append(
      h("pre", { class: "cr-md-code", "data-lang": "python" }, h("code", {}, task.code)),
      h("p", { class: "cr-elsewhere" },
        "This task runs your Python, which this page cannot do: it would need a Python ",
        "in the browser, downloaded from elsewhere, and the page loads nothing from elsewhere. ",
        "Your code is run on the lecture's Value and this graph, and every grad it gives is ",
        "checked and diagnosed, in Jupyter: ", h("code", {}, ctx.where.jupyter),
        ", or in a terminal: ", h("code", {}, ctx.where.terminal), "."),
      h("details", {}, h("summary", {}, "The lesson's graph, in Python"),
        h("pre", { class: "cr-md-code" }, h("code", {}, task.graph))),
      ctx.lectureValue ? h("details", {}, h("summary", {}, "The lecture's Value, which your code runs on"),
        h("pre", { class: "cr-md-code" }, h("code", {}, ctx.lectureValue))) : "");
  }

  get countable() { return false; }
}

// The lessons: the built-in ones listed with the learner's progress, and one lesson shown
// as the engine gives it (`lesson`): its text (Markdown, made into elements: markdown.js),
// its program drawn with the page's own graph view, where each grad and asked-for value
// shows as `?` until the learner has found it, and its tasks (lesson-tasks.js), each
// answer checked by the engine. The numbers come from a seed: a link's (a teacher's link
// gives everyone the same numbers), else the learner's own, shown and put in the link so
// that it can be shared. A teacher opens a lesson file of their own from a file (a file
// field, or dropped on the view) or a link that carries the lesson's whole text; one with
// an error is refused at its line and column. Progress stays in this browser
// (progress.js). Reusable: it keeps its state to itself and looks only inside its root.

import { h, fmt } from "./dom.js";
import { markdown } from "./markdown.js";
import { GraphView } from "./graph-view.js";
import { fillError } from "./editor.js";
import { Progress, fingerprint } from "./progress.js";
import { taskCard } from "./lesson-tasks.js";

export class LessonsView {
  /** `root`: an empty element; `engine`: the engine interface. `link`: what the page's
   * link asks for, {lesson: a built-in lesson's name or number, seed, own: {source, name}
   * (a lesson's text)}; `onState()`: the lesson or its numbers changed (the page writes
   * its link); `progress`: where progress is kept. */
  constructor(root, engine, { link = {}, onState = () => {}, progress = new Progress() } = {}) {
    this.root = root;
    this.engine = engine;
    this.onState = onState;
    this.progress = progress;
    this.link = link;
    this.seedAsked = link.seed === undefined || link.seed === null || link.seed === "" ? null : Number(link.seed);
    this.list = null;          // the `lessons` answer's lessons
    this.current = null;       // {which, answer, key, cards}
    this.seq = 0;
    this.fileInput = h("input", { type: "file", accept: ".md,.markdown,.txt,text/markdown,text/plain", class: "cr-file-input" });
    this.ownError = h("div", { class: "cr-error", role: "alert", hidden: true });
    this.listEl = h("ol", { class: "cr-lesson-list" });
    this.article = h("article", { class: "cr-lesson" });
    root.classList.add("cr", "cr-lessons");
    root.append(
      h("nav", { class: "cr-lesson-nav", "aria-label": "Lessons" }, h("h2", {}, "Lessons"), this.listEl),
      this.article,
      h("section", { class: "cr-own", "aria-label": "Your own lesson" },
        h("h2", {}, "Your own lesson"),
        h("p", { class: "cr-hint" }, "A lesson file: Markdown with a program and tasks, as docs/lessons.md describes. Once open, the page's link carries the whole lesson."),
        h("label", { class: "cr-file" }, "Open a lesson file ", this.fileInput),
        h("p", { class: "cr-hint cr-drop-hint" }, "or drop one on this view."),
        this.ownError));
    this.listEl.addEventListener("click", (e) => {
      const a = e.target.closest("a[data-lesson]");
      if (!a) return;
      e.preventDefault();
      this.select({ lesson: a.dataset.lesson });
    });
    this.fileInput.addEventListener("change", () => {
      if (this.fileInput.files[0]) this.openFile(this.fileInput.files[0]);
    });
    root.addEventListener("dragover", (e) => { e.preventDefault(); root.classList.add("cr-dropping"); });
    root.addEventListener("dragleave", () => root.classList.remove("cr-dropping"));
    root.addEventListener("drop", (e) => {
      e.preventDefault();
      root.classList.remove("cr-dropping");
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) this.openFile(f);
    });
  }

  /** Shows the view: the list, and the lesson the link asks for (else the first). */
  async open() {
    if (!this.list) {
      const a = await this.engine.ask("lessons", {});
      this.list = a.ok ? a.lessons : [];
      if (!a.ok) this.article.replaceChildren(h("p", { class: "cr-error" }, a.error.message));
    }
    if (this.current || this.selecting) return;
    const { own, lesson } = this.link;
    await this.select(own ? { source: own.source, name: own.name || "lesson", fromLink: true } : { lesson: lesson || "1" });
  }

  /** The seed the numbers come from now: the link's, else the learner's own. */
  get seed() {
    return this.seedAsked === null ? this.progress.seed : this.seedAsked;
  }

  /** What the page's link should carry: `query` ({lesson, seed}) and the fragment
   * (a teacher's lesson's text and name), so that the link opens this lesson with these
   * numbers. */
  state() {
    const c = this.current;
    if (!c) return { query: {}, hash: "" };
    if (c.which.source === undefined) return { query: { lesson: c.answer.lesson, seed: String(c.answer.seed) }, hash: "" };
    const frag = new URLSearchParams({ lesson: c.which.source, name: c.which.name });
    return { query: { seed: String(c.answer.seed) }, hash: "#" + frag.toString() };
  }

  // ---- a lesson -----------------------------------------------------------------------

  /** Shows lesson `which`: {lesson} (built-in) or {source, name} (a lesson file's text),
   * with the current seed. False if the engine refused it. */
  async select(which) {
    const seq = ++this.seq;
    this.selecting = true;
    const seed = this.seed;
    const req = which.source !== undefined ? { source: which.source, name: which.name, seed } : { lesson: which.lesson, seed };
    const a = await this.engine.ask("lesson", req);
    if (seq !== this.seq) return false;
    this.selecting = false;
    if (!a.ok) {
      if (which.source !== undefined && !which.fromLink) return this.refuse(this.ownError, a.error, which);
      this.current = null;
      this.article.replaceChildren();
      const box = h("div", { class: "cr-error cr-lesson-error", role: "alert" });
      this.article.append(h("h2", {}, which.source !== undefined ? "The lesson in this link has an error" : "No such lesson"), box);
      if (which.source !== undefined) fillError(box, a.error, which.source);
      else box.textContent = a.error.message;
      this.root.dataset.lesson = "";
      this.onState();
      return false;
    }
    this.ownError.hidden = true;
    const key = which.source !== undefined ? `file:${which.name}:${fingerprint(which.source)}` : a.lesson;
    this.current = { which, answer: a, key, cards: [] };
    await this.render();
    this.onState();
    return true;
  }

  /** A lesson the engine refused, in `box`: where (line, column, the line itself with a
   * caret) and what to do. */
  refuse(box, error, which) {
    fillError(box, error, which.source);
    box.prepend(h("p", { class: "cr-error-file" }, `${which.file || which.name} is not a lesson chainrule can read:`));
    return false;
  }

  async openFile(file) {
    const source = await file.text();
    // Its name as `chainrule learn --file` takes it (the seed mixes it in): the file's,
    // without the extension.
    const name = file.name.replace(/\.[^.]*$/, "") || "lesson";
    return this.select({ source, name, file: file.name });
  }

  async render() {
    const { answer: a, key } = this.current;
    const seed = a.seed;
    const own = this.current.which.source !== undefined;
    this.progressLine = h("p", { class: "cr-lesson-progress", role: "status" });
    const newBtn = h("button", { type: "button", "data-act": "new-numbers" }, "New numbers");
    const againBtn = h("button", { type: "button", "data-act": "start-again" }, "Start again");
    newBtn.addEventListener("click", () => {
      this.seedAsked = this.progress.newSeed();
      this.select(this.current.which);
    });
    againBtn.addEventListener("click", () => {
      this.progress.clear(key, seed);
      this.render();
    });
    const graphRoot = h("div", { class: "cr-lesson-graph" });
    const parts = h("div", { class: "cr-lesson-parts" });
    this.article.replaceChildren(
      h("header", { class: "cr-lesson-head" },
        h("h2", {}, own ? `Your lesson · ${a.title}` : `Lesson ${a.number} · ${a.title}`),
        h("p", { class: "cr-lesson-numbers" }, h("span", { class: "cr-seed", "data-seed": seed }, this.numbersSaid(seed)), " ", newBtn, " ", againBtn),
        this.progressLine),
      h("div", { class: "cr-lesson-body" }, graphRoot, parts));
    this.graph = new GraphView(graphRoot, { label: "The lesson's graph" });
    this.drawing = null;
    this.drawings = new Map();     // a value's name -> the answer drawing its graph
    this.drawnOf = null;
    parts.addEventListener("focusin", (e) => {
      const card = e.target.closest(".cr-task[data-task]");
      if (card) this.drawFor(a.tasks[Number(card.dataset.task)].output);
    });
    const first = a.tasks.length ? a.tasks[0].output : null;
    const drawn = this.drawFor(first);
    const cards = [];
    for (const p of a.parts) {
      if (p.kind === "text") parts.append(h("div", { class: "cr-md" }, markdown(p.text)));
      if (p.kind === "program") parts.append(h("pre", { class: "cr-md-code cr-lesson-program", "data-lang": "chainrule" }, h("code", {}, p.text)));
      if (p.kind === "torch") {
        parts.append(h("pre", { class: "cr-md-code", "data-lang": "python" }, h("code", {}, p.code)),
          h("p", { class: "cr-hint cr-elsewhere" }, "PyTorch runs this where it is installed: in Jupyter (", h("code", {}, this.where().jupyter), ") or a terminal (", h("code", {}, this.where().terminal), ")."));
      }
      if (p.kind === "task") {
        const card = this.card(p.index);
        cards[p.index] = card;
        parts.append(card.root);
      }
    }
    this.current.cards = cards;
    await drawn;
    if (this.current.answer !== a) return;
    this.changed();
    this.markList();
    await Promise.all(cards.map((c) => c.ready));
    this.changed();
    this.root.dataset.lesson = key;
    this.root.dataset.seed = String(seed);
  }

  /** Draws the graph of the value named `output` (a task's: see `lesson`'s answer), the
   * one the task being worked on is about; each graph is asked for once. */
  async drawFor(output) {
    if (!output || output === this.drawnOf) return;
    this.drawnOf = output;
    const a = this.current.answer;
    if (!this.drawings.has(output)) this.drawings.set(output, this.engine.ask("program", { source: a.program, hand: [], of: output }));
    const j = await this.drawings.get(output);
    if (this.drawnOf !== output || this.current.answer !== a) return;
    this.drawing = j.ok ? j : null;
    if (!j.ok) return;
    this.graph.clearBanner();
    this.graph.show(j.svg, j.nodes);
    this.graph.setCaption(`The graph of ${output}: each grad shows as ? until you find it`);
    this.graph.root.dataset.of = output;
    this.maskGraph();
  }

  /** The card of task `t`, given what it needs from the lesson. */
  card(t) {
    const { answer: a, key } = this.current;
    const seed = a.seed;
    const base = this.current.which.source !== undefined
      ? { source: this.current.which.source, name: this.current.which.name } : { lesson: a.lesson };
    let card;
    const ctx = {
      check: (body) => this.engine.ask("lesson_check", { ...base, seed, task: t, ...body }),
      record: this.progress.task(key, seed, t),
      save: (record) => this.progress.setTask(key, seed, t, record),
      again: () => {
        this.progress.clear(key, seed, t);
        const fresh = this.card(t);
        card.root.replaceWith(fresh.root);
        this.current.cards[t] = fresh;
        this.changed();
      },
      changed: () => this.changed(),
      nudge: (name, step) => this.replay(name, step, a.tasks[t].output),
      where: this.where(),
      lectureValue: a.lecture_value || null,
    };
    card = taskCard(a.tasks[t], t, ctx);
    return card;
  }

  /** The commands that open this lesson, with these numbers, in Jupyter and a terminal. */
  where() {
    const a = this.current.answer;
    if (this.current.which.source !== undefined) {
      return {
        jupyter: `chainrule.lessons.open("${this.current.which.name}.md", seed=${a.seed})`,
        terminal: `chainrule learn --file ${this.current.which.name}.md --seed ${a.seed}`,
      };
    }
    return { jupyter: `chainrule.lessons.open(${a.number}, seed=${a.seed})`, terminal: `chainrule learn ${a.lesson} --seed ${a.seed}` };
  }

  numbersSaid(seed) {
    if (seed === 0) return "The lesson's own numbers (seed 0).";
    if (this.seedAsked === null || this.seedAsked === this.progress.data.seed) return `Your numbers: seed ${seed}. The link carries it, to share.`;
    return `The numbers of seed ${seed}, from the link: everyone with it has these.`;
  }

  /** Something became known or done: the graph shows what is known, the line and the
   * list say how far the learner is. */
  changed() {
    const c = this.current;
    if (!c) return;
    const countable = c.cards.filter((k) => k && k.countable);
    const done = countable.filter((k) => k.done).length;
    const kept = this.progress.saved ? "kept in this browser" : "not kept: this browser keeps nothing for this page";
    this.progressLine.textContent = `${done} of ${countable.length} tasks done on this page · your progress is ${kept}`;
    this.progressLine.dataset.done = String(done);
    this.progressLine.dataset.of = String(countable.length);
    this.maskGraph();
    this.markList();
  }

  /** Every grad, and every value a task asks for, shows as `?` on the graph until a task
   * has made it known; then it shows as found. */
  maskGraph() {
    const j = this.drawing;
    if (!j) return;
    const ids = new Map(j.nodes.map((n) => [n.name, n.id]));
    const known = { data: new Map(), grad: new Map() };
    for (const card of this.current.cards) {
      if (!card) continue;
      const k = card.known();
      for (const [n, text] of k.data) known.data.set(n, text);
      // A grad is d(output)/d(value): shown only on its own output's graph.
      if (card.task.output === this.drawnOf) for (const [n, text] of k.grad) known.grad.set(n, text);
    }
    const grad = new Map(j.nodes.map((n) => [n.id, "grad ?"]));
    for (const [n, text] of known.grad) if (ids.has(n)) grad.set(ids.get(n), text);
    const data = new Map();
    for (const t of this.current.answer.tasks) {
      if (t.kind !== "value") continue;
      for (const n of t.ask) if (ids.has(n)) data.set(ids.get(n), known.data.get(n) || "data ?");
    }
    this.graph.mask({ data, grad });
  }

  /** The graph replayed with `name` moved by `step`, after a prediction was committed. */
  async replay(name, step, output) {
    await this.drawFor(output);
    const j = this.drawing;
    const node = j && j.nodes.filter((n) => n.name === name).pop();
    if (!node) return;
    const r = await this.engine.nudge({ source: this.current.answer.program, node: node.id, h: step });
    if (!r.ok) return;
    const values = new Map(r.values.map((v) => [v.id, v]));
    this.graph.show(r.svg, j.nodes.map((n) => ({ ...n, ...values.get(n.id) })), { keepView: true });
    this.graph.select(node.id);
    this.graph.setBanner(`Replayed with ${name} moved by ${step}: ${r.output.name} went from ${fmt(r.before)} to ${fmt(r.after)}.`,
      "Back to the lesson's values", () => {
        this.graph.clearBanner();
        this.graph.show(j.svg, j.nodes, { keepView: true });
        this.graph.select(null);
      });
    this.graph.root.scrollIntoView({ block: "nearest" });
  }

  // ---- the list -----------------------------------------------------------------------

  markList() {
    if (!this.list) return;
    const seed = this.seed;
    const current = this.current && this.current.which.source === undefined ? this.current.answer.lesson : null;
    this.listEl.replaceChildren(...this.list.map((l) => {
      const tasks = l.tasks.map((k, i) => [k, i]).filter(([k]) => k !== "python").map(([, i]) => i);
      const done = this.progress.done(l.name, seed, tasks);
      const a = h("a", {
        href: `?view=lessons&lesson=${l.name}&seed=${seed}`, "data-lesson": l.name,
        "aria-current": l.name === current ? "page" : null, title: l.summary,
      },
      h("span", { class: "cr-lesson-number" }, String(l.number)),
      h("span", { class: "cr-lesson-title" }, l.title),
      h("span", { class: "cr-lesson-done", "data-done": done, "data-of": tasks.length,
        "aria-label": `${done} of ${tasks.length} tasks done` }, done === tasks.length ? "✓" : `${done}/${tasks.length}`));
      return h("li", {}, a);
    }));
  }
}

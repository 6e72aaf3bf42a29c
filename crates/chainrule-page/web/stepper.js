// Backward, one step at a time, on a GraphView: it starts at step 0 (no grad known) and
// narrates each step as `chainrule steps` does: what the step does (the library's
// sentence), the chain rule for the grad just found, and which grads are known and which
// are not yet. Prev / Next / Start / End, or the arrow keys, Home and End. Reusable: it
// keeps its state to itself and looks only inside its root.

import { h, fmt } from "./dom.js";

const NAMES_SHOWN = 24;   // a longer list of names is cut, saying how many more

export class Stepper {
  /** `root`: an empty element to fill; `graph`: the GraphView to mark; `onMove()`: called
   * before a step the learner asked for (a button or a key) is shown. */
  constructor(root, { graph, onMove = () => {} }) {
    this.root = root;
    this.graph = graph;
    this.onMove = onMove;
    this.answer = null;
    this.step = 0;
    const btn = (go, text, title) => h("button", { type: "button", "data-go": go, title }, text);
    this.buttons = {
      home: btn("home", "« Start", "Before backward (Home)"),
      prev: btn("prev", "◀ Prev", "The step before (Left arrow)"),
      next: btn("next", "Next ▶", "The next step (Right arrow)"),
      end: btn("end", "End »", "Backward done (End)"),
    };
    this.title = h("p", { class: "cr-step-title", "aria-live": "polite" });
    this.summary = h("p", { class: "cr-step-summary" });
    this.chain = h("pre", { class: "cr-step-chain" });
    this.status = h("p", { class: "cr-step-status" });
    root.classList.add("cr", "cr-stepper");
    root.append(
      h("h2", {}, "Backward, step by step"),
      h("div", { class: "cr-buttons" }, Object.values(this.buttons),
        h("span", { class: "cr-hint" }, "← → Home End")),
      this.title, this.summary, this.chain, this.status);
    root.addEventListener("click", (e) => {
      const go = e.target.closest("button[data-go]")?.dataset.go;
      if (!go || !this.answer) return;
      const n = this.answer.schedule.length;
      this.onMove();
      this.go({ home: 0, prev: this.step - 1, next: this.step + 1, end: n }[go]);
    });
    root.addEventListener("keydown", (e) => { if (this.key(e)) e.preventDefault(); });
  }

  /** A new answer to step through. It opens at step 0, or with `keep` (the same program
   * edited) at the same step, at the end if it was at the end. */
  load(answer, { keep = false } = {}) {
    const before = this.answer ? this.answer.schedule.length : 0;
    const atEnd = keep && this.answer && this.step === before && before > 0;
    this.answer = answer;
    this.nodes = new Map(answer.nodes.map((n) => [n.id, n]));
    const n = answer.schedule.length;
    this.go(atEnd ? n : keep ? Math.min(this.step, n) : 0);
  }

  /** Shows the state after `k` steps (0: before backward). */
  go(k) {
    const a = this.answer;
    if (!a) return;
    const sched = a.schedule, n = sched.length;
    k = Math.max(0, Math.min(n, k));
    this.step = k;
    const names = sched.map((s) => s.name);
    const s = k > 0 ? sched[k - 1] : null;
    this.graph.setStep({
      lit: s ? s.node : null,
      unknown: new Set(sched.slice(k).map((t) => t.node)),
      edges: s ? s.edges.map((e) => ({ from: e.from, to: e.to, label: `× ${fmt(e.local)}` })) : [],
    });
    this.title.textContent = s ? `Step ${k} of ${n}: ${s.name}` : `Step 0 of ${n}: before backward`;
    this.summary.textContent = s ? s.summary : a.schedule_intro;
    this.chain.textContent = s ? (this.nodes.get(s.node)?.derivation || []).join("\n") : "";
    this.chain.hidden = !s;
    this.status.textContent = known(names.slice(0, k), names.slice(k));
    this.root.dataset.step = String(k);
    this.root.dataset.node = s ? String(s.node) : "";
    this.buttons.home.disabled = this.buttons.prev.disabled = k === 0;
    this.buttons.end.disabled = this.buttons.next.disabled = k === n;
  }

  /** Handles a step key (arrows, Home, End); true if it was one. */
  key(e) {
    if (!this.answer || e.altKey || e.ctrlKey || e.metaKey) return false;
    const n = this.answer.schedule.length;
    const to = { ArrowRight: this.step + 1, ArrowLeft: this.step - 1, Home: 0, End: n }[e.key];
    if (to === undefined) return false;
    this.onMove();
    this.go(to);
    return true;
  }
}

/** `Grads known: L, f. Not yet: d, e.`, as `chainrule steps` says it. */
function known(done, pending) {
  if (pending.length === 0) return `All ${done.length} grads are known: backward is done.`;
  const list = (xs) => xs.length > NAMES_SHOWN
    ? `${xs.slice(0, NAMES_SHOWN).join(", ")} and ${xs.length - NAMES_SHOWN} more`
    : xs.join(", ");
  return `Grads known: ${done.length ? list(done) : "none"}. Not yet: ${list(pending)}.`;
}

// One value, selected: its chain rule as `explain` writes it, its gradient check, a box to
// type one's own grad and hear whether it is right (and, if not, the engine's diagnosis
// of the mistake), and, for a leaf, the notebook's
// experiment made explicit: nudge it by h (a button, never a click on the graph), replay,
// and read the output before and after beside the finite difference and the grad, each
// labelled with the program's own names. h starts afresh for every value. Reusable: it
// keeps its state to itself and looks only inside its root.

import { h, fmt, short } from "./dom.js";
import { diagnosis } from "./hand-list.js";

const H_DEFAULT = "0.001";

export class NodePanel {
  /** `root`: an empty element to fill; `engine`: the engine interface. `onReplay(answer)`:
   * a nudge's answer (the graph replayed at leaf + h) to show, or null to go back.
   * `nudge`, `quiz`: whether it offers the nudge and a box to type one's own grad.
   * `hidden(id)`: whether value `id`'s grad is still the learner's to find (a quiz that
   * keeps its answers back: the chain rule, the gradient check and the nudge's grad are
   * shown once the learner has checked a grad of their own); `onChecked(id)`: they did. */
  constructor(root, engine, { onReplay = () => {}, nudge = true, quiz = true, hidden = null, onChecked = () => {} } = {}) {
    this.root = root;
    this.engine = engine;
    this.onReplay = onReplay;
    this.offers = { nudge, quiz };
    this.hidden = hidden || (() => false);
    this.onChecked = onChecked;
    this.node = null;
    this.ctx = null;
    this.seq = 0;
    this.title = h("h2", { class: "cr-node-title" });
    this.hint = h("p", { class: "cr-hint" });
    this.chain = h("pre", { class: "cr-node-chain" });
    this.check = h("p", { class: "cr-node-check" });
    this.handInput = h("input", { type: "text", inputmode: "decimal", size: "10", placeholder: "e.g. 4.0" });
    this.handLabel = h("span");
    this.handResult = h("p", { class: "cr-hand-result", "aria-live": "polite" });
    const handBtn = h("button", { type: "button" }, "Check");
    this.hand = h("div", { class: "cr-hand" },
      h("label", {}, this.handLabel, " ", this.handInput), " ", handBtn, this.handResult);
    this.hInput = h("input", { type: "number", step: "any", value: H_DEFAULT, class: "cr-nudge-h" });
    this.slider = h("input", { type: "range", min: "-1", max: "1", step: "0.01", value: "0", "aria-label": "h, dragged" });
    this.nudgeBtn = h("button", { type: "button", class: "cr-nudge-go" });
    this.nudgeIntro = h("p", { class: "cr-nudge-intro" });
    this.rows = ["before", "after", "fd", "grad"].map((k) =>
      h("tr", { "data-row": k }, h("th", { scope: "row" }), h("td")));
    this.table = h("table", { class: "cr-nudge-table" }, this.rows);
    this.nudgeNote = h("p", { class: "cr-nudge-note", "aria-live": "polite" });
    this.nudge = h("div", { class: "cr-nudge", hidden: true },
      h("h3", {}, "Nudge and replay"), this.nudgeIntro,
      h("div", { class: "cr-nudge-controls" },
        h("label", {}, "h = ", this.hInput), this.nudgeBtn,
        h("label", { class: "cr-slider" }, "or drag h ", this.slider)),
      this.table, this.nudgeNote);
    root.classList.add("cr", "cr-node");
    root.append(this.title, this.hint, this.chain, this.check, this.hand, this.nudge);
    handBtn.addEventListener("click", () => this.checkHand());
    this.handInput.addEventListener("keydown", (e) => { if (e.key === "Enter") this.checkHand(); });
    // A typed h moves the slider too (within its range), so the two never disagree.
    const typed = () => { this.slider.value = this.hInput.value; this.run(Number(this.hInput.value)); };
    this.nudgeBtn.addEventListener("click", typed);
    this.hInput.addEventListener("keydown", (e) => { if (e.key === "Enter") typed(); });
    this.slider.addEventListener("input", () => {
      this.hInput.value = this.slider.value;
      this.run(Number(this.slider.value));
    });
    this.clear();
  }

  /** Nothing selected. */
  clear() {
    this.node = null;
    this.root.dataset.nodeId = "";
    this.title.textContent = "Select a value";
    this.title.classList.add("cr-empty");
    const { nudge, quiz } = this.offers;
    this.hint.textContent = "Click a value in the graph (or Tab to it and press Enter) to read its chain rule and its check" +
      (quiz ? ", type your own grad" : "") + (nudge ? " and, for a leaf, nudge it" : "") + ".";
    this.hint.hidden = false;
    for (const el of [this.chain, this.check, this.hand, this.nudge]) el.hidden = true;
  }

  /** Shows value `node` of the answer for program `ctx.source` (whose output is
   * `ctx.output`). The same value of the same program keeps what was typed and found;
   * anything else starts afresh, h included. */
  show(node, ctx) {
    const same = this.node && this.node.id === node.id && this.ctx && this.ctx.source === ctx.source;
    const fresh = !this.node || this.node.id !== node.id;
    this.node = node;
    this.ctx = ctx;
    this.root.dataset.nodeId = String(node.id);
    this.hint.hidden = true;
    this.title.classList.remove("cr-empty");
    this.title.textContent = node.header;
    this.chain.textContent = node.derivation.join("\n");
    this.showCheck(node.check);
    const out = ctx.output.name;
    this.keepBack(this.hidden(node.id));
    this.hand.hidden = !this.offers.quiz;
    this.handLabel.textContent = `Your d${out}/d${node.name} =`;
    if (!same) {
      this.handResult.textContent = "";
      this.handResult.className = "cr-hand-result";
      delete this.handResult.dataset.right;
      if (fresh) this.handInput.value = "";
    }
    this.nudge.hidden = !node.leaf || !this.offers.nudge;
    if (!same) {
      this.seq++;            // a nudge still on its way belongs to what was shown before
      this.onReplay(null);   // the graph back to the program's values
      if (node.leaf) this.resetNudge(fresh);
    }
  }

  /** With `hide`, the answers stay back (the chain rule and the check), and the hint says
   * what to do first; without, they show. */
  keepBack(hide) {
    const n = this.node, out = this.ctx.output.name;
    this.chain.hidden = hide;
    if (hide) this.check.hidden = true;
    else this.showCheck(n.check);
    this.hint.hidden = !hide;
    if (hide) {
      this.hint.textContent = `Work out d${out}/d${n.name} and check it below: its chain rule and its gradient check show once you have.`;
    }
    this.root.dataset.kept = String(hide);
  }

  showCheck(c) {
    this.check.hidden = !c;
    if (!c) return;
    const words = { pass: "they agree", fail: "they DISAGREE", kink: "a kink: not differentiable here, so the two need not agree (not a failure)", "non-finite": "not finite" };
    this.check.className = `cr-node-check cr-${c.verdict}`;
    this.check.dataset.verdict = c.verdict;
    this.check.textContent = `Gradient check: backprop ${fmt(c.analytic)}, finite difference ${fmt(c.numeric)} (h ${short(c.h)}): ${words[c.verdict]}` + (c.note ? ` · ${c.note}` : "");
  }

  /** The nudge's labels in the program's names, its numbers cleared; `fresh` (another
   * value): h back to its default. */
  resetNudge(fresh) {
    const n = this.node, out = this.ctx.output.name;
    if (fresh) {
      this.hInput.value = H_DEFAULT;
      this.slider.value = "0";
    }
    this.nudgeBtn.textContent = `Nudge ${n.name} by h`;
    this.nudgeIntro.textContent = `Move ${n.name} by a small h, run the graph forward again, and see how far ${out} moves: per unit of h, that is d${out}/d${n.name}.`;
    this.label("h");
    for (const r of this.rows) r.cells[1].textContent = "";
    this.nudgeNote.textContent = "";
    delete this.table.dataset.h;
  }

  /** The table's labels, in the program's names: `L at b = -3.0000 + 0.5`. */
  label(hText, name = this.node.name, out = this.ctx.output.name, a = this.node.data) {
    const labels = {
      before: `${out} at ${name} = ${fmt(a)}`,
      after: `${out} at ${name} = ${fmt(a)} + ${hText}`,
      fd: `(${out}(${name}+h) − ${out}(${name}))/h`,
      grad: `d${out}/d${name} by backward`,
    };
    for (const r of this.rows) r.cells[0].textContent = labels[r.dataset.row];
  }

  async run(hv) {
    const n = this.node;
    if (!n || !n.leaf) return;
    if (!isFinite(hv) || hv === 0) {
      this.nudgeNote.textContent = "h must be a number other than 0.";
      return;
    }
    const seq = ++this.seq;
    // svg: false: the graph shown is the program's; only what changed comes back.
    const j = await this.engine.nudge({ source: this.ctx.source, node: n.id, h: hv, svg: false });
    if (seq !== this.seq) return;   // another nudge, value or program since
    if (!j.ok) { this.nudgeNote.textContent = j.error.message; return; }
    this.label(short(j.h), j.name, j.output.name, j.a);
    const cells = { before: j.before, after: j.after, fd: j.finite_difference, grad: j.grad };
    for (const r of this.rows) r.cells[1].textContent = fmt(cells[r.dataset.row]);
    if (this.hidden(n.id)) this.rows[3].cells[1].textContent = "? (check yours first)";
    Object.assign(this.table.dataset, { h: String(j.h), fd: String(j.finite_difference), grad: String(j.grad) });
    this.nudgeNote.textContent = "";
    this.onReplay(j);
  }

  async checkHand() {
    const n = this.node, r = this.handResult;
    const text = this.handInput.value.trim(), given = Number(text);
    if (!n || text === "" || !isFinite(given)) { r.textContent = "Type a number."; return; }
    // An engine with `check` answers the hand grads alone; else the program's answer has them.
    const req = { source: this.ctx.source, hand: [[n.id, given]] };
    const j = await (this.engine.check ? this.engine.check(req) : this.engine.program(req));
    if (this.node !== n) return;
    if (!j.ok) { r.textContent = j.error.message; return; }
    const c = j.hand[j.hand.length - 1];
    const out = j.output.name;
    r.className = "cr-hand-result " + (c.right ? "cr-right" : "cr-wrong");
    r.dataset.right = String(c.right);
    r.dataset.correct = String(c.correct);
    r.dataset.mistakes = (c.mistakes || []).join(" ");
    r.textContent = c.right
      ? `Right: d${out}/d${c.name} = ${fmt(c.correct)}.`
      : `Not right: it should be ${fmt(c.correct)}, because\n${c.derivation.join("\n")}`;
    if (!c.right) r.append(diagnosis(c) || "");
    // Checked, right or wrong (a wrong one was just told the answer): nothing is kept back.
    this.onChecked(n.id);
    if (this.root.dataset.kept === "true") this.keepBack(false);
    const g = this.rows[3].cells[1];
    if (this.table.dataset.h !== undefined) g.textContent = fmt(Number(this.table.dataset.grad));
  }
}

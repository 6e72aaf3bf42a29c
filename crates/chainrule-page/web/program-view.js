// A program's answer shown: the graph, the backward stepper on it, the selected value's
// panel (its chain rule, the hand-grad quiz, the nudge) and the grads set by hand, wired
// together: a click on a value selects it, a nudge shows the replayed graph until the
// learner goes back or steps, the selection survives an edit. The live page, the embed
// and the notebook widget (a graph the kernel gave, not a program) all show answers this
// way. Reusable: several can live on one page or in
// shadow roots; it keeps its state to itself and looks only inside its roots.

import { fmt, short } from "./dom.js";
import { GraphView } from "./graph-view.js";
import { Stepper } from "./stepper.js";
import { NodePanel } from "./node-panel.js";
import { HandList } from "./hand-list.js";

export class ProgramView {
  /** `roots`: empty elements for the `graph`, and, each if given, the `stepper`, the
   * value's panel (`node`) and the hand grads (`hand`); `engine`: the engine interface.
   * `nudge`, `quiz`: whether the panel offers them; `label`: what the graph is.
   * `replayWords`: what a replay goes back to (the program's values, your Values);
   * `replayActions(j)`: the banner's buttons over a nudge's replay `j`, as [[text,
   * action], ...] (by default, one that goes back); `onReplayStart(j)`: the graph shows a
   * replay; `onReplayEnd()`: it went back from one. `hideGrads`: a quiz that keeps its
   * answers back: every grad but the output's reads `grad ?` (when there is no stepper to
   * reveal them step by step), and the panel holds back a value's chain rule and check,
   * until the learner has checked a grad of their own for it. */
  constructor(roots, engine, {
    label = "The program's graph", nudge = true, quiz = true, hideGrads = false,
    replayWords = "the program's values", replayActions = null,
    onReplayStart = () => {}, onReplayEnd = () => {},
  } = {}) {
    this.graph = new GraphView(roots.graph, { onSelect: (id) => this.selectNode(id), label });
    this.stepper = roots.stepper
      ? new Stepper(roots.stepper, { graph: this.graph, onMove: () => this.endReplay() })
      : null;
    this.hideGrads = hideGrads;
    this.revealed = new Set();   // ids whose grads the learner has checked (`hideGrads`)
    this.panel = roots.node
      ? new NodePanel(roots.node, engine, {
        onReplay: (j) => this.replay(j), nudge, quiz,
        hidden: hideGrads ? (id) => !this.revealed.has(id) : null,
        onChecked: (id) => this.reveal(id),
      })
      : null;
    this.hands = roots.hand ? new HandList(roots.hand) : null;
    this.answer = null;      // the last good answer, and the source it answers
    this.answered = null;
    this.selected = null;    // {id, name} of the selected value
    this.replayed = null;    // a nudge's answer while the graph shows it
    this.undo = null;        // and the texts to put back, when it changed only texts
    this.replayActions = replayActions || (() => [[`Back to ${replayWords}`, () => this.endReplay()]]);
    this.onReplayStart = onReplayStart;
    this.onReplayEnd = onReplayEnd;
  }

  /** Shows answer `j` of program `source`; the same program edited keeps its view,
   * step and selection. */
  show(j, source) {
    const first = !this.answer;
    if (source !== this.answered) this.revealed.clear();
    this.answer = j;
    this.answered = source;
    this.replayed = null;
    this.undo = null;
    this.graph.clearBanner();
    this.graph.setStale(false);
    this.graph.show(j.svg, j.nodes, { keepView: !first });
    this.keepBack();
    if (this.stepper) this.stepper.load(j, { keep: !first });
    if (this.hands) this.hands.show(j);
    const bad = j.non_finite
      ? ` · the first non-finite number is the ${j.non_finite.pass} of ${j.non_finite.name} (node ${j.non_finite.id}), ${j.non_finite.value}: ${j.non_finite.reason}`
      : "";
    this.graph.setCaption(`${j.output.name} = ${fmt(j.output.data)} · ${j.values} values · gradient check ${j.check.passed ? "passed" : "FAILED"} (${j.check.rows} checked)${bad}`);
    this.graph.caption.dataset.output = String(j.output.data);
    // The selected value stays selected across an edit: found by its name, else its id.
    const s = this.selected;
    const n = s && (j.nodes.find((x) => x.name === s.name) || j.nodes.find((x) => x.id === s.id));
    if (n) this.showNode(n);
    else { this.selected = null; this.graph.select(null); if (this.panel) this.panel.clear(); }
  }

  /** Dims the graph: it belongs to the last program that worked, not to the text now. */
  setStale(on) { this.graph.setStale(on); }

  /** Selects the value called `name` (the embed's `select`) and pans to it; false if
   * there is none. */
  selectName(name) {
    const n = this.answer && this.answer.nodes.find((x) => x.name === name);
    if (!n) return false;
    this.showNode(n);
    this.graph.revealNode(n.id);
    return true;
  }

  selectNode(id) {
    const n = this.answer && this.answer.nodes.find((x) => x.id === id);
    if (n) this.showNode(n);
  }

  showNode(n) {
    this.selected = { id: n.id, name: n.name };
    this.graph.select(n.id);
    if (this.panel) this.panel.show(n, { source: this.answered, output: this.answer.output });
  }

  /** A nudge's answer: the graph as replayed at leaf + h, said above it. Null: back. When
   * the replay is drawn the same shape as the answer's drawing, only its texts change
   * in place (`j.cells`, the values' cells that read otherwise, or `j.texts`); else the
   * replay's drawing replaces it. */
  replay(j) {
    if (!j) { this.endReplay(); return; }
    const values = new Map(j.values.map((v) => [v.id, v]));
    const nodes = this.answer.nodes.map((n) => values.has(n.id) ? { ...n, ...values.get(n.id) } : n);
    const inPlace = this.undo !== null;   // the answer's drawing, changed in place
    // Whether the drawing lost the stepper's marks (a new drawing, or texts changed in
    // place): cells changed in place keep them, and the stepper need not mark them again.
    let unmarked = false;
    if (j.cells && inPlace && this.undo.cells) {
      // A replay in place after another (a slider dragged): each cell is written once,
      // from the last replay's text to this one's, or back to the answer's.
      const now = new Set(j.cells.map((c) => c[0]));
      const first = new Map(this.undo.cells.map((c) => [c[0], c]));
      const back = this.undo.cells.filter((c) => !now.has(c[0]));
      const was = this.graph.recell([...j.cells, ...back], nodes);
      this.undo = { cells: was.filter((c) => now.has(c[0])).map((c) => first.get(c[0]) || c) };
    } else {
      unmarked = this.putBack();
      unmarked = this.replace(j, nodes, inPlace) || unmarked;
    }
    this.replayed = j;
    // The replay drawn in the same state of backward (or of the quiz).
    if (this.stepper && unmarked) this.stepper.go(this.stepper.step);
    if (unmarked) this.keepBack();
    this.graph.select(j.node);
    this.graph.setBanner(
      `Showing the graph replayed at ${j.name} = ${fmt(j.a)} + ${short(j.h)}: ${j.output.name} = ${fmt(j.after)} (it was ${fmt(j.before)}).`,
      this.replayActions(j));
    this.onReplayStart(j);
  }

  /** `replay`'s drawing of nudge answer `j` (of `nodes`) on the answer's own: its cells
   * or texts changed in place, else its own drawing. `inPlace`: the graph showed the
   * answer's drawing, changed in place, before. Returns whether the stepper's marks went
   * (all but cells changed in place on the drawing shown keep them). */
  replace(j, nodes, inPlace) {
    if (j.cells) {
      // The replay drawn the same shape: its cells, changed in place on the answer's drawing.
      const drawn = this.replayed && !inPlace;
      if (drawn) this.graph.show(this.answer.svg, this.answer.nodes, { keepView: true });
      this.undo = { cells: this.graph.recell(j.cells, nodes) };
      return drawn;
    } else if (j.texts && (inPlace || !this.replayed)) {
      this.undo = { texts: this.graph.retext(j.texts, nodes) };
    } else {
      this.undo = null;
      this.graph.show(j.svg, nodes, { keepView: true });
    }
    return true;
  }

  /** The answer's own texts put back where a replay changed them in place; whether the
   * stepper's marks went with them (texts put back clear them; cells keep them). */
  putBack() {
    const texts = !!(this.undo && this.undo.texts);
    if (this.undo && this.undo.cells) this.graph.recell(this.undo.cells, this.answer.nodes);
    if (texts) this.graph.retext(this.undo.texts, this.answer.nodes);
    this.undo = null;
    return texts;
  }

  /** Back from a replay to the answer's own values. */
  endReplay() {
    if (!this.replayed) return;
    this.replayed = null;
    this.graph.clearBanner();
    if (this.undo) this.putBack();
    else this.graph.show(this.answer.svg, this.answer.nodes, { keepView: true });
    this.undo = null;
    this.keepBack();
    if (this.stepper) this.stepper.go(this.stepper.step);
    this.graph.select(this.selected ? this.selected.id : null);
    this.onReplayEnd();
  }

  /** With `hideGrads` and no stepper: every grad but the output's and those the learner
   * has checked drawn `grad ?`. */
  keepBack() {
    if (!this.hideGrads || this.stepper || !this.answer) return;
    const out = this.answer.output.id;
    const unknown = this.answer.nodes.map((n) => n.id).filter((id) => id !== out && !this.revealed.has(id));
    this.graph.setStep({ unknown: new Set(unknown) });
  }

  /** The learner checked a grad of their own for value `id`: its grad shows. */
  reveal(id) {
    this.revealed.add(id);
    this.keepBack();
  }

  /** A stepper key (arrows, Home, End) pressed outside a field; true if it was one. */
  key(e) { return this.stepper ? this.stepper.key(e) : false; }
}

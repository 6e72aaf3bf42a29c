// One graph to explore: the graph view, the backward stepper and the selected value's
// panel, wired together on one engine. It shows an answer (the `program` question's, or a
// given graph's `describe`), keeps the selected value across new answers, and shows a
// nudge's replay over the graph, said in a banner with the ways back. The live page and
// the notebook widget both use it. Reusable: it keeps its state to itself and looks only
// inside its roots.

import { fmt, short } from "./dom.js";
import { GraphView } from "./graph-view.js";
import { Stepper } from "./stepper.js";
import { NodePanel } from "./node-panel.js";

export class Explorer {
  /** `roots`: {graph, stepper, node}, empty elements to fill; `engine`: the engine
   * interface. `label`: what the graph is (for screen readers). `replayActions(j)`: the
   * banner's buttons over a nudge's replay `j`, as [[text, action], ...] (by default, one
   * that goes back); `replayWords`: what the values replayed from are (the program's,
   * your Values). `onSelect(node)`: a value was selected (null: none);
   * `onReplayStart(j)`: the graph shows a replay; `onReplayEnd()`: it went back from a
   * replay to the answer's values. */
  constructor(roots, engine, {
    label = "The program's graph",
    replayActions = null,
    replayWords = "the program's values",
    onSelect = () => {},
    onReplayStart = () => {},
    onReplayEnd = () => {},
  } = {}) {
    this.answer = null;      // the answer shown, and the source (or version) it answers
    this.source = null;
    this.selected = null;    // {id, name} of the selected value
    this.replayed = null;    // a nudge's answer while the graph shows it
    this.undo = null;        // and the texts to put back, when it changed only texts
    this.replayActions = replayActions || (() => [[`Back to ${replayWords}`, () => this.endReplay()]]);
    this.replayWords = replayWords;
    this.onSelectNode = onSelect;
    this.onReplayStart = onReplayStart;
    this.onReplayEnd = onReplayEnd;
    this.graph = new GraphView(roots.graph, { onSelect: (id) => this.select(id), label });
    this.stepper = new Stepper(roots.stepper, { graph: this.graph, onMove: () => this.endReplay() });
    this.panel = new NodePanel(roots.node, engine, { onReplay: (j) => this.replay(j) });
  }

  /** Shows `answer`, the answer for `source` (the program's text, or a given graph's
   * version). The first answer opens at step 0 with the whole graph in view; later ones
   * keep the view, the step and the selected value (found by its name, else its id). */
  show(answer, source) {
    const j = answer;
    const first = !this.answer;
    this.answer = j;
    this.source = source;
    this.replayed = null;
    this.undo = null;
    this.graph.clearBanner();
    this.graph.show(j.svg, j.nodes, { keepView: !first });
    this.stepper.load(j, { keep: !first });
    const bad = j.non_finite
      ? ` · the first non-finite number is the ${j.non_finite.pass} of ${j.non_finite.name} (node ${j.non_finite.id}), ${j.non_finite.value}: ${j.non_finite.reason}`
      : "";
    this.graph.setCaption(`${j.output.name} = ${fmt(j.output.data)} · ${j.values} values · gradient check ${j.check.passed ? "passed" : "FAILED"} (${j.check.rows} checked)${bad}`);
    this.graph.caption.dataset.output = String(j.output.data);
    const s = this.selected;
    const n = s && (j.nodes.find((x) => x.name === s.name) || j.nodes.find((x) => x.id === s.id));
    if (n) this.showNode(n); else this.clearSelection();
  }

  /** Selects value `id` of the answer shown (as a click on it does). */
  select(id) {
    const n = this.answer && this.answer.nodes.find((x) => x.id === id);
    if (n) this.showNode(n);
  }

  showNode(n) {
    this.selected = { id: n.id, name: n.name };
    this.graph.select(n.id);
    this.panel.show(n, { source: this.source, output: this.answer.output });
    this.onSelectNode(n);
  }

  clearSelection() {
    this.selected = null;
    this.graph.select(null);
    this.panel.clear();
    this.onSelectNode(null);
  }

  /** A nudge's answer: the graph as replayed at leaf + h, said above it. Null: back. When
   * the replay is drawn the same shape as the answer's drawing, only its texts change
   * (`j.texts`), in place; else the replay's drawing replaces it. */
  replay(j) {
    if (!j) { this.endReplay(); return; }
    const values = new Map(j.values.map((v) => [v.id, v]));
    const nodes = this.answer.nodes.map((n) => ({ ...n, ...values.get(n.id) }));
    if (this.undo) this.graph.retext(this.undo, this.answer.nodes);
    if (j.texts && (this.undo || !this.replayed)) {
      this.undo = this.graph.retext(j.texts, nodes);
    } else {
      this.undo = null;
      this.graph.show(j.svg, nodes, { keepView: true });
    }
    this.replayed = j;
    this.stepper.go(this.stepper.step);   // the replay drawn in the same state of backward
    this.graph.select(j.node);
    this.graph.setBanner(
      `Showing the graph replayed at ${j.name} = ${fmt(j.a)} + ${short(j.h)}: ${j.output.name} = ${fmt(j.after)} (it was ${fmt(j.before)}).`,
      this.replayActions(j));
    this.onReplayStart(j);
  }

  /** Back from a replay to the answer's own values. */
  endReplay() {
    if (!this.replayed) return;
    this.replayed = null;
    this.graph.clearBanner();
    if (this.undo) this.graph.retext(this.undo, this.answer.nodes);
    else this.graph.show(this.answer.svg, this.answer.nodes, { keepView: true });
    this.undo = null;
    this.stepper.go(this.stepper.step);
    this.graph.select(this.selected ? this.selected.id : null);
    this.onReplayEnd();
  }
}

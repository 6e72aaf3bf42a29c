// The live page: the editor, the graph, the stepper, the selected value's panel, the hand
// grads and the training view, wired to one engine object (see engine-http.js for the
// interface). The page never computes a value or lays out the graph itself: it asks the
// engine. Its state (the program, the view, the training settings) lives in the URL, so a
// link opens the page as it was; links made before the redesign open the same way.

import { fmt, short } from "./dom.js";
import { Editor } from "./editor.js";
import { GraphView } from "./graph-view.js";
import { Stepper } from "./stepper.js";
import { NodePanel } from "./node-panel.js";
import { HandList } from "./hand-list.js";
import { TrainView } from "./train-view.js";

/** Starts the page in `document` on `engine`. */
export function startPage(engine) {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const test = params.get("test") === "1";   // the browser tests: no typing delay, no pacing
  if (test) document.body.classList.add("test");
  const notebook = $("notebook").value;       // the notebook's program, as the server wrote it
  const st = {
    source: params.has("p") ? params.get("p") : notebook,
    answer: null,      // the last good answer, and the source it answers
    answered: null,
    seq: 0,            // programs sent
    shown: 0,          // the one whose answer is shown
    selected: null,    // {id, name} of the selected value
    replayed: null,    // a nudge's answer while the graph shows it
    timer: null,
  };

  const editor = new Editor($("editor-area"), { value: st.source, onInput: edited });
  const graph = new GraphView($("graph-area"), { onSelect: selectNode, label: "The program's graph" });
  const stepper = new Stepper($("stepper-area"), { graph, onMove: endReplay });
  const panel = new NodePanel($("node-area"), engine, { onReplay: replay });
  const hands = new HandList($("hand-area"));
  const train = new TrainView($("train-area"), engine, {
    settings: Object.fromEntries([...params].filter(([k]) => k !== "p")),
    onSettings: saveUrl,
    pace: test ? 0 : 40,
  });
  const notice = $("output-notice");

  function edited(text) {
    st.source = text;
    saveUrl();
    clearTimeout(st.timer);
    st.timer = setTimeout(evaluate, test ? 0 : 120);
  }

  async function evaluate() {
    const seq = ++st.seq, source = st.source;
    const j = await engine.program({ source, hand: [] });
    if (seq < st.shown) return;   // an older answer arriving late
    st.shown = seq;
    if (j.ok) {
      editor.clearError();
      graph.setStale(false);
      render(j, source);
    } else {
      editor.showError(j.error);
      graph.setStale(true);      // the last good graph stays, dimmed
    }
    document.body.dataset.rendered = String(seq);
  }

  function render(j, source) {
    const first = !st.answer;
    st.answer = j;
    st.answered = source;
    st.replayed = null;
    graph.clearBanner();
    graph.show(j.svg, j.nodes, { keepView: !first });
    stepper.load(j, { keep: !first });
    hands.show(j);
    sayOutput();
    const bad = j.non_finite
      ? ` · the first non-finite number is the ${j.non_finite.pass} of ${j.non_finite.name} (node ${j.non_finite.id}), ${j.non_finite.value}: ${j.non_finite.reason}`
      : "";
    graph.setCaption(`${j.output.name} = ${fmt(j.output.data)} · ${j.values} values · gradient check ${j.check.passed ? "passed" : "FAILED"} (${j.check.rows} checked)${bad}`);
    graph.caption.dataset.output = String(j.output.data);
    // The selected value stays selected across an edit: found by its name, else its id.
    const s = st.selected;
    const n = s && (j.nodes.find((x) => x.name === s.name) || j.nodes.find((x) => x.id === s.id));
    if (n) showNode(n); else { st.selected = null; graph.select(null); panel.clear(); }
  }

  /** Says in words when the program's output is no longer the one it was. */
  function sayOutput() {
    const c = hands.change;
    notice.hidden = !c;
    notice.textContent = c
      ? `The output is now ${c.to}, the program's last value; it was ${c.from}. Every grad is now d${c.to}/d(value), so the grads set by hand for ${c.from} are shown as written for ${c.from}.`
      : "";
  }

  function selectNode(id) {
    const n = st.answer && st.answer.nodes.find((x) => x.id === id);
    if (n) showNode(n);
  }

  function showNode(n) {
    st.selected = { id: n.id, name: n.name };
    graph.select(n.id);
    panel.show(n, { source: st.answered, output: st.answer.output });
  }

  /** A nudge's answer: the graph as replayed at leaf + h, said above it. Null: back. */
  function replay(j) {
    if (!j) { endReplay(); return; }
    const values = new Map(j.values.map((v) => [v.id, v]));
    st.replayed = j;
    graph.show(j.svg, st.answer.nodes.map((n) => ({ ...n, ...values.get(n.id) })), { keepView: true });
    stepper.go(stepper.step);   // the replay drawn in the same state of backward
    graph.select(j.node);
    graph.setBanner(
      `Showing the graph replayed at ${j.name} = ${fmt(j.a)} + ${short(j.h)}: ${j.output.name} = ${fmt(j.after)} (it was ${fmt(j.before)}).`,
      "Back to the program's values", endReplay);
  }

  function endReplay() {
    if (!st.replayed) return;
    st.replayed = null;
    graph.clearBanner();
    graph.show(st.answer.svg, st.answer.nodes, { keepView: true });
    stepper.go(stepper.step);
    graph.select(st.selected ? st.selected.id : null);
  }

  // ---- views and the URL ------------------------------------------------------------------

  function view() { return $("view-train").hidden ? "graph" : "train"; }

  function showView(v) {
    $("view-graph").hidden = v !== "graph";
    $("view-train").hidden = v !== "train";
    for (const t of ["graph", "train"]) {
      $(`tab-${t}`).classList.toggle("current", v === t);
      $(`tab-${t}`).setAttribute("aria-selected", String(v === t));
    }
    if (v === "train") train.open();
    saveUrl();
  }

  function saveUrl() {
    const q = new URLSearchParams();
    if (st.source !== notebook) q.set("p", st.source);
    if (view() === "train") q.set("view", "train");
    for (const [k, v] of Object.entries(train.changed())) q.set(k, v);
    if (test) q.set("test", "1");
    const s = q.toString();
    history.replaceState(null, "", s ? "?" + s : location.pathname);
    $("share").href = location.href;
  }

  document.addEventListener("keydown", (e) => {
    // The stepper's keys work anywhere on the graph view but in a field or on a value.
    if (view() !== "graph" || e.target !== document.body) return;
    if (stepper.key(e)) e.preventDefault();
  });
  $("tab-graph").addEventListener("click", () => showView("graph"));
  $("tab-train").addEventListener("click", () => showView("train"));
  showView(params.get("view") === "train" ? "train" : "graph");
  evaluate();
  return { editor, graph, stepper, panel, hands, train };
}

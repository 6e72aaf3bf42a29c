// The live page: the editor, the graph, the stepper, the selected value's panel, the hand
// grads and the training view, wired to one engine object (see engine-http.js for the
// interface). The page never computes a value or lays out the graph itself: it asks the
// engine. Its state (the program, the view, the training settings) lives in the URL, so a
// link opens the page as it was; links made before the redesign open the same way.

import { Editor } from "./editor.js";
import { ProgramView } from "./program-view.js";
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
    seq: 0,            // programs sent
    shown: 0,          // the one whose answer is shown
    timer: null,
  };

  const editor = new Editor($("editor-area"), { value: st.source, onInput: edited });
  const view = new ProgramView({
    graph: $("graph-area"), stepper: $("stepper-area"), node: $("node-area"), hand: $("hand-area"),
  }, engine);
  const train = new TrainView($("train-area"), engine, {
    settings: Object.fromEntries([...params].filter(([k]) => !["p", "view", "test"].includes(k))),
    onSettings: saveUrl,
    pace: test ? 0 : 40,
  });
  const notice = $("output-notice");
  // Work that can wait until the page is idle (or 50 ms, where there is no idle callback).
  const later = (f) => (test ? f() : window.requestIdleCallback ? requestIdleCallback(f, { timeout: 500 }) : setTimeout(f, 50));

  function edited(text) {
    st.source = text;
    later(saveUrl);   // a long link takes the browser milliseconds: not between two frames
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
      view.show(j, source);
      sayOutput();
    } else {
      editor.showError(j.error);
      view.setStale(true);      // the last good graph stays, dimmed
    }
    document.body.dataset.rendered = String(seq);
  }

  /** Says in words when the program's output is no longer the one it was. */
  function sayOutput() {
    const c = view.hands.change;
    notice.hidden = !c;
    notice.textContent = c
      ? `The output is now ${c.to}, the program's last value; it was ${c.from}. Every grad is now d${c.to}/d(value), so the grads set by hand for ${c.from} are shown as written for ${c.from}.`
      : "";
  }

  // ---- views and the URL ------------------------------------------------------------------

  function shown() { return $("view-train").hidden ? "graph" : "train"; }

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
    if (shown() === "train") q.set("view", "train");
    for (const [k, v] of Object.entries(train.changed())) q.set(k, v);
    if (test) q.set("test", "1");
    const s = q.toString();
    history.replaceState(null, "", s ? "?" + s : location.pathname);
    $("share").href = location.href;
  }

  document.addEventListener("keydown", (e) => {
    // The stepper's keys work anywhere on the graph view but in a field or on a value.
    if (shown() !== "graph" || e.target !== document.body) return;
    if (view.key(e)) e.preventDefault();
  });
  $("tab-graph").addEventListener("click", () => showView("graph"));
  $("tab-train").addEventListener("click", () => showView("train"));
  showView(params.get("view") === "train" ? "train" : "graph");
  evaluate();
  return { editor, view, train };
}

// The live page: the editor, the graph, the stepper, the selected value's panel, the hand
// grads, the training view and the lessons, wired to one engine object (see
// engine-http.js for the interface). The page never computes a value or lays out the
// graph itself: it asks the engine. Its state (the program, the view, the training
// settings, the lesson and its seed) lives in the URL, so a link opens the page as it
// was; links made before the redesign open the same way. A teacher's own lesson travels
// in the fragment (#lesson=), which the browser never sends to a server.

import { Editor } from "./editor.js";
import { ProgramView } from "./program-view.js";
import { TrainView } from "./train-view.js";
import { LessonsView } from "./lessons-view.js";

const VIEWS = ["graph", "train", "lessons"];
/** The link's words that are not training settings. */
const NOT_SETTINGS = ["p", "view", "test", "lesson", "lesson-seed"];
/** The performance mark set when the page asks the engine about the program, after the
 * typing pause: where an edit's answer starts (`chainrule-bench web` times from it). */
const ASKED = "chainrule:ask";

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
    settings: Object.fromEntries([...params].filter(([k]) => !NOT_SETTINGS.includes(k))),
    onSettings: saveUrl,
    pace: test ? 0 : 40,
  });
  const notice = $("output-notice");
  const fragment = new URLSearchParams(location.hash.slice(1));
  const lessons = new LessonsView($("lessons-area"), engine, {
    link: {
      lesson: params.get("lesson"),
      seed: params.get("lesson-seed"),
      own: fragment.has("lesson") ? { source: fragment.get("lesson"), name: fragment.get("name") || "lesson" } : null,
    },
    onState: saveUrl,
  });
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
    performance.clearMarks(ASKED);
    performance.mark(ASKED);
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

  function shown() { return VIEWS.find((v) => !$(`view-${v}`).hidden) || "graph"; }

  function showView(v) {
    for (const t of VIEWS) {
      $(`view-${t}`).hidden = v !== t;
      $(`tab-${t}`).classList.toggle("current", v === t);
      $(`tab-${t}`).setAttribute("aria-selected", String(v === t));
    }
    if (v === "train") train.open();
    if (v === "lessons") lessons.open();
    saveUrl();
  }

  function saveUrl() {
    const q = new URLSearchParams();
    if (st.source !== notebook) q.set("p", st.source);
    if (shown() !== "graph") q.set("view", shown());
    for (const [k, v] of Object.entries(train.changed())) q.set(k, v);
    const lesson = shown() === "lessons" ? lessons.state() : { query: {}, hash: "" };
    if (lesson.query.lesson) q.set("lesson", lesson.query.lesson);
    if (lesson.query.seed) q.set("lesson-seed", lesson.query.seed);
    if (test) q.set("test", "1");
    const s = q.toString();
    history.replaceState(null, "", (s ? "?" + s : location.pathname) + lesson.hash);
    $("share").href = location.href;
  }

  document.addEventListener("keydown", (e) => {
    // The stepper's keys work anywhere on the graph view but in a field or on a value.
    if (shown() !== "graph" || e.target !== document.body) return;
    if (view.key(e)) e.preventDefault();
  });
  $("tab-graph").addEventListener("click", () => showView("graph"));
  $("tab-train").addEventListener("click", () => showView("train"));
  $("tab-lessons").addEventListener("click", () => showView("lessons"));
  const asked = fragment.has("lesson") ? "lessons" : params.get("view");
  showView(VIEWS.includes(asked) ? asked : "graph");
  evaluate();
  return { editor, view, train, lessons };
}

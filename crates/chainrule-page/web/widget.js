// The notebook widget (anywidget's ES module, bundled into one file and shipped inside the
// Python wheel): the live page's own graph view, stepper and value's panel on the
// learner's Values (`chainrule.live(v)`), or its training view on a loop running in the
// kernel (`chainrule.watch(X, y)`), with the kernel as the engine (engine-kernel.js).
//
// Everything it shows comes from the widget's synced traits, so a view opened later, or
// after the page is reloaded, shows the same state: `answer` (the graph as copied,
// described), `replay` (a nudge's replay while the view shows it), `note` (what the
// kernel last did to the Values), `started` and `frame` (a watched loop's data and last
// frame); `style` is the page's style sheet, applied inside the view's shadow root.

import { h, fmt } from "./dom.js";
import { ProgramView } from "./program-view.js";
import { TrainView } from "./train-view.js";
import { kernelEngine } from "./engine-kernel.js";

/** The view's own root in a shadow root of `el`, styled, its keys kept from the notebook
 * (whose shortcuts would otherwise act on keys typed into the view). */
function mount(model, el) {
  const host = h("div", { class: "chainrule-widget" });
  el.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(model.get("style") || "");
  shadow.adoptedStyleSheets = [sheet];
  for (const type of ["keydown", "keyup", "keypress"]) {
    host.addEventListener(type, (e) => e.stopPropagation());
  }
  return shadow;
}

const utf8 = new TextDecoder();

/** Trait `name`, JSON sent as bytes (a binary part of the message), parsed; null if empty. */
function parsed(model, name) {
  const v = model.get(name);
  const text = typeof v === "string" ? v : v ? utf8.decode(v) : "";
  return text ? JSON.parse(text) : null;
}

/** The graph view of `chainrule.live(v)`. */
function renderGraph(model, shadow) {
  const state = h("p", { class: "cr-live-state", role: "status" });
  const alert = h("p", { class: "cr-live-alert", role: "alert", hidden: true });
  const wait = h("p", { class: "cr-live-wait", "aria-live": "polite", hidden: true });
  const areas = { graph: h("div", { class: "cr-live-graph" }), stepper: h("div"), node: h("div") };
  const root = h("div", { class: "cr cr-live" }, state, alert, wait, areas.graph,
    h("div", { class: "cr-live-panels" }, areas.stepper, areas.node));
  shadow.append(h("div", { class: "cr-live-box" }, root));
  let waitTimer = null;
  const engine = kernelEngine(model, {
    timeout: () => model.get("patience"),
    state: (name) => parsed(model, name),
    onWait(n) {
      clearTimeout(waitTimer);
      if (n === 0) { wait.hidden = true; return; }
      waitTimer = setTimeout(() => {
        wait.hidden = false;
        wait.textContent = "Waiting for the kernel… (a cell may be running)";
      }, 400);
    },
  });
  let out = "the output";
  const view = new ProgramView(areas, engine, {
    label: "Your graph",
    replayWords: "your Values",
    replayActions: () => [
      ["Back to your Values", () => view.endReplay()],
      ["Apply to my Values", apply],
    ],
    onReplayStart: () => say(),
    onReplayEnd: () => { engine.back(); say(); },
  });

  async function apply() {
    const j = await engine.apply();
    if (!j.ok) { alert.hidden = false; alert.textContent = j.error.message; }
  }

  /** Says which state the view shows. */
  function say() {
    const j = view.answer;
    if (!j) return;
    const replay = view.replayed;
    const words = replay
      ? `Showing a replay in this view: ${replay.name} moved by ${replay.h}. Your Values are unchanged until you press Apply to my Values.`
      : `Showing your Values as copied (by live, or view.update() after you change them). Grads are backward's from ${out}, computed in the view; your Values change only when you apply a nudge.`;
    const note = model.get("note");
    const stale = j.stale
      ? ` ${j.stale.count} of your values are not what their operands give now (${j.stale.name} is ${fmt(j.stale.data)}; its operands give ${fmt(j.stale.replayed)}): a nudge replays every value from the leaves.`
      : "";
    state.textContent = words + stale + (note && !replay ? ` ${note}` : "");
    root.dataset.shows = replay ? "replay" : "values";
  }

  function showAnswer() {
    const j = parsed(model, "answer");
    if (!j) return;
    out = j.output.name;
    const first = !view.answer;
    view.show(j, model.get("version"));
    const nf = j.non_finite;
    alert.hidden = !nf;
    if (nf) {
      alert.textContent = `The ${nf.pass} of ${nf.name} (node ${nf.id}) is ${nf.value}, the first non-finite number: ${nf.reason}.`;
      if (first || !view.selected) view.selectNode(nf.id);
    }
    showReplay();
    say();
    root.dataset.version = String(model.get("version"));
  }

  /** The replay in the widget's state, if the view does not show it yet (another view of
   * the same widget asked, or the page was reloaded). */
  function showReplay() {
    const j = parsed(model, "replay"), r = view.replayed;
    const shown = r && j && r.node === j.node && r.h === j.h;
    if (j && !shown && !engine.asked(model.get("request"))) {
      view.replay(j);   // this view's own nudges are shown by its panel
    } else if (!j && view.replayed) {
      view.endReplay();
    }
    say();
  }

  showAnswer();
  model.on("change:answer", showAnswer);
  model.on("change:replay", showReplay);
  model.on("change:note", say);
  return () => clearTimeout(waitTimer);
}

/** The training view of `chainrule.watch(...)`: the loop's data, then each frame. */
function renderTrain(model, shadow) {
  const root = h("div");
  shadow.append(h("div", { class: "cr-live-box" }, root));
  const view = new TrainView(root, null, { watch: true });
  const started = () => {
    const s = parsed(model, "started");
    if (s) view.watchLoop(s);
  };
  const frame = () => {
    const f = parsed(model, "frame");
    if (f && view.session) view.onFrame(f);
  };
  started();
  frame();
  model.on("change:started", () => { started(); frame(); });
  model.on("change:frame", frame);
}

function render({ model, el }) {
  const shadow = mount(model, el);
  return model.get("view") === "train" ? renderTrain(model, shadow) : renderGraph(model, shadow);
}

export default { render };

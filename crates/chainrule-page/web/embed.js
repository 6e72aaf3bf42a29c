// The embed: `<chainrule-graph>`, a program's live graph inside a teacher's own page, on
// the WebAssembly engine. One script tag (chainrule-embed.js, this module bundled with
// the engine and the styles inside) and one element per program:
//
//   <script src="chainrule-embed.js"></script>
//   <chainrule-graph show="graph stepper nudge quiz" select="a">
//     a = 2; b = -3
//     L = a*b
//   </chainrule-graph>
//
// The element's text is the program (its common indentation removed). `show` lists the
// parts to show, of graph, stepper, nudge (the selected value's panel with the nudge),
// quiz (the panel's box to type one's own grad, and the grads the program sets by hand;
// a quiz keeps its answers back: each value's grad reads `grad ?` unless the stepper has
// reached it, and its chain rule and check stay hidden, until the learner has checked a
// grad of their own for it) and editor (the program, editable); without it, all but the editor. `select` names a
// value to select at first. Each element is independent and lives in a shadow root:
// no style goes in or out. A program that does not run shows its error inside its own
// box; nothing the embed does throws into the host page.

import { h } from "./dom.js";
import { Editor, fillError } from "./editor.js";
import { ProgramView } from "./program-view.js";
import { wasmEngine } from "./engine-wasm.js";
import { INLINE } from "./assets.js";

const PARTS = ["graph", "stepper", "nudge", "quiz", "editor"];
const DEFAULT_PARTS = ["graph", "stepper", "nudge", "quiz"];

/** The embed's own layout, around the page's module styles (style.css). Its lengths are in
 * px or em, and style.css's unit (`--cr-rem`) is fixed here: a `rem` inside a shadow root
 * is the host page's root font size, which would leak in (`html { font-size: 62.5% }`
 * made the embed's headings smaller than its text). */
const LAYOUT = `
:host { all: initial; display: block; container-type: inline-size; margin: 1em 0; }
:host([hidden]), [hidden] { display: none !important; }
.cr { --cr-rem: 16px; }
.cr-embed { display: grid; gap: 9.6px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f; }
.cr-embed-body { display: grid; gap: 9.6px; grid-template-columns: minmax(0, 1fr); }
.cr-embed-panel { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 9.6px 12px; min-width: 0; }
.cr-embed-panel:empty { display: none; }
.cr-embed .cr-editor-box { height: auto; min-height: 96px; max-height: 320px; }
.cr-embed-loading { color: #5f6770; font-size: 14px; margin: 0; }
@container (min-width: 620px) {
  .cr-embed-body.cr-two { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); align-items: start; }
}
`;

/** The engine all embeds of the page share (it keeps no state between questions). */
let engine = null;

function sharedEngine() {
  if (!engine) {
    const source = INLINE
      ? Uint8Array.from(atob(INLINE.engine), (c) => c.charCodeAt(0))
      : "./chainrule.wasm";
    engine = wasmEngine(source, { worker: null });
  }
  return engine;
}

/** `text` without the indentation all its lines share, and without blank lines around it. */
function dedent(text) {
  const lines = text.replace(/\t/g, "    ").split("\n");
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return lines.map((l) => l.slice(indent)).join("\n") + "\n";
}

/** The parts an element's `show` attribute asks for (unknown words are ignored). */
function parts(attr) {
  if (attr === null) return new Set(DEFAULT_PARTS);
  return new Set(attr.split(/[\s,]+/).filter((p) => PARTS.includes(p)));
}

class ChainruleGraph extends HTMLElement {
  connectedCallback() {
    if (this.started) return;
    this.started = true;
    // A script in the page's head defines the element before its text is parsed: read
    // the program once the document is.
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => this.start(), { once: true });
    } else {
      this.start();
    }
  }

  start() {
    try {
      this.build();
      this.load().catch((e) => this.fail(e));
    } catch (e) {
      this.fail(e);
    }
  }

  build() {
    const root = this.attachShadow({ mode: "open" });
    const style = INLINE
      ? h("style", {}, INLINE.style + LAYOUT)
      : [h("link", { rel: "stylesheet", href: "./style.css" }), h("style", {}, LAYOUT)];
    const show = parts(this.getAttribute("show"));
    this.source = dedent(this.textContent);
    const panel = (cls) => h("div", { class: `cr-embed-panel ${cls}` });
    const el = {
      graph: h("div", { class: "cr-embed-graph", hidden: !show.has("graph") }),
      stepper: show.has("stepper") ? panel("cr-embed-stepper") : null,
      node: show.has("nudge") || show.has("quiz") ? panel("cr-embed-node") : null,
      hand: show.has("quiz") ? panel("cr-embed-hands") : null,
      editor: show.has("editor") ? h("div", { class: "cr-embed-editor" }) : null,
    };
    this.error = h("div", { class: "cr cr-error", role: "alert", hidden: true });
    this.loading = h("p", { class: "cr-embed-loading" }, "Loading chainrule…");
    const two = el.stepper && el.node;
    this.graphShown = show.has("graph");
    // The parts that show an answer: hidden while there is none (a program that never ran).
    this.body = h("div", { class: two ? "cr-embed-body cr-two" : "cr-embed-body" }, el.stepper, el.node);
    this.box = h("div", { class: "cr-embed" }, this.loading, el.graph, this.error,
      this.body, el.hand, el.editor);
    root.append(...[style].flat(), this.box);
    this.el = el;
  }

  async load() {
    const eng = await sharedEngine();
    this.view = new ProgramView(this.el, eng, {
      label: this.getAttribute("aria-label") || "The program's graph",
      nudge: this.el.node !== null && parts(this.getAttribute("show")).has("nudge"),
      quiz: this.el.hand !== null,
      // A quiz keeps its answers back until the learner has checked their own.
      hideGrads: this.el.hand !== null,
    });
    if (this.el.hand) this.el.hand.hidden = true;
    if (this.el.editor) {
      this.editor = new Editor(this.el.editor, { value: this.source, onInput: (t) => this.edited(t) });
    }
    this.box.addEventListener("keydown", (e) => {
      if (e.target.closest && e.target.closest("input, textarea, select, button, g.value")) return;
      if (this.view.key(e)) e.preventDefault();
    });
    this.loading.remove();
    await this.run(this.source);
    const first = this.getAttribute("select");
    if (first) this.view.selectName(first);
  }

  edited(text) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(text).catch((e) => this.fail(e)), 120);
  }

  /** Asks the engine for `source` and shows the answer, or its error in the box. */
  async run(source) {
    const seq = (this.seq = (this.seq || 0) + 1);
    const j = await (await sharedEngine()).program({ source, hand: [] });
    if (seq !== this.seq) return;
    if (j.ok) {
      this.error.hidden = true;
      if (this.editor) this.editor.clearError();
      this.el.graph.hidden = !this.graphShown;
      this.body.hidden = false;
      this.view.show(j, source);
      if (this.el.hand) this.el.hand.hidden = !j.hand.some((x) => x.line);
    } else {
      if (this.editor) this.editor.showError(j.error);
      else fillError(this.error, j.error, source);
      this.view.setStale(true);
      // No answer yet: an empty stepper and panel would only be in the way of the error.
      if (!this.view.answer) {
        this.el.graph.hidden = true;
        this.body.hidden = true;
        if (this.el.hand) this.el.hand.hidden = true;
      }
    }
    this.dataset.rendered = String(seq);
    this.dataset.ok = String(j.ok);
  }

  /** Something went wrong outside the engine's answers: said in the box, never thrown. */
  fail(e) {
    if (this.loading) this.loading.remove();
    if (!this.error) {
      this.textContent = "";
      this.append(`chainrule could not start here: ${e && e.message}`);
      return;
    }
    fillError(this.error, { message: `chainrule could not start here: ${e && e.message}` }, "");
    this.dataset.ok = "false";
  }
}

if (typeof customElements !== "undefined" && !customElements.get("chainrule-graph")) {
  customElements.define("chainrule-graph", ChainruleGraph);
}

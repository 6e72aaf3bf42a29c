// The drawn graph: the engine's own SVG, shown at a readable size in a box it fills, with
// pan (drag, one finger, sideways wheel), zoom (buttons, pinch, Ctrl+wheel, + and -) and
// fit; every value can be focused from the keyboard (Tab, then the arrow keys move to the
// nearest value that way, Enter selects) and the graph has a text form (a table of every
// value). The stepper marks it through `setStep`. Reusable: several can live on one page
// or in a shadow root; it keeps its state to itself and looks only inside its root.

import { h, svg, fmt } from "./dom.js";

const PAD = 16;        // px around the drawing
const MIN_TEXT = 12;   // px: the smallest text the view starts at
const MAX_SCALE = 3;
// A drawing of this many values or more lays out only its chunks (the engine's groups of
// up to 64 elements near one another, each with its box) within a quarter of a view of
// what is shown. The others are not even parsed: each stays the engine's text until a pan or a
// zoom brings it near, or something asks for one of its values (the keyboard, the
// stepper, a selection); then it is parsed, and parked in a hidden <svg> while it is far.
// (Parked, not `display: none` in place: Chromium computes the style of an SVG group's
// elements even when the group is not displayed; and parsing a whole new drawing cost
// about as much as laying it out.) A 200-value net is already some ten views wide at a
// readable size.
const CULL_FROM = 100;

export class GraphView {
  /** `root`: an empty element to fill. `onSelect(id)`: a value was clicked or chosen
   * with Enter. `label`: what the graph is, for screen readers. */
  constructor(root, { onSelect = () => {}, label = "The graph" } = {}) {
    this.root = root;
    this.onSelect = onSelect;
    this.label = label;
    this.nodes = new Map();       // id -> the answer's node (name, data, grad, ...)
    this.els = new Map();         // id -> <g class="value">
    this.edgeEls = null;          // "from>to" -> [<g class="edge">] (a value into its user's op), see `parts`
    this.gradText = new Map();    // id -> the grad cell's text as drawn
    this.dataText = new Map();    // id -> the data cell's text as drawn
    this.cellEls = new Map();     // id -> [[data <text>, grad <text>] of its box, then of each copy]
    this.opEls = null;            // "n3_op" -> <g class="op">, see `parts`
    this.outEl = null;            // the output's <g class="value out">
    this.marked = null;           // the <g> marked selected, and the one Tab reaches
    this.roved = null;
    this.edgeLabels = [];         // the stepper's labels on edges
    this.chunks = [];             // the drawing's chunks, in its order: {src, box: [x0, y0, x1, y1],
                                  // g (null until parsed), on (in the drawing), mark (its place)}
    this.where = null;            // what the chunks' texts hold, found without parsing them (see `scan`)
    this.culling = false;         // whether chunks out of sight are left out
    this.parked = null;           // the hidden <svg> holding the chunks left out
    this.masked = { data: new Map(), grad: new Map() };   // id -> text shown instead (see mask)
    this.lit = { nodes: [], edges: [], unknown: new Set() };
    this.selected = null;
    this.view = { s: 1, x: 0, y: 0 };
    this.moved = false;           // the learner panned or zoomed: keep their view
    this.pointers = new Map();
    this.unsaid = new Set();      // ids whose words for screen readers are to be written
    this.fresh = new Set();       // and, of those, the values of a new drawing (see `speak`)
    this.speaking = false;        // a writing of them is asked for, after the next frame
    this.build();
  }

  build() {
    const zoomBtn = (act, text, title) =>
      h("button", { type: "button", "data-zoom": act, title, "aria-label": title }, text);
    this.caption = h("p", { class: "cr-graph-caption", role: "status" });
    this.level = h("span", { class: "cr-zoom-level", "aria-live": "off" }, "100%");
    const zoom = h("div", { class: "cr-zoom", role: "group", "aria-label": "Zoom" },
      zoomBtn("out", "−", "Zoom out"), this.level, zoomBtn("in", "+", "Zoom in"),
      zoomBtn("fit", "Fit", "Fit the whole graph"), zoomBtn("one", "1:1", "Zoom to 100%"));
    this.bannerText = h("span");
    this.bannerButtons = h("span", { class: "cr-buttons" });
    this.banner = h("div", { class: "cr-graph-banner", role: "status", hidden: true },
      this.bannerText, this.bannerButtons);
    this.stage = h("div", { class: "cr-graph-stage" });
    this.viewport = h("div", { class: "cr-graph-viewport" }, this.stage);
    this.table = h("table", { class: "cr-graph-table" });
    this.text = h("details", { class: "cr-graph-text" },
      h("summary", {}, "The graph as text"), this.table);
    this.root.classList.add("cr", "cr-graph");
    this.root.append(h("div", { class: "cr-graph-bar" }, this.caption, zoom), this.banner,
      this.viewport,
      h("p", { class: "cr-hint" },
        "Drag to pan; pinch or Ctrl+wheel to zoom. Tab to a value, move with the arrow keys, select with Enter."),
      this.text);
    zoom.addEventListener("click", (e) => {
      const act = e.target.closest("button")?.dataset.zoom;
      const [bw, bh] = this.box(), c = [bw / 2, bh / 2];
      if (act === "in") this.zoomAt(1.25, ...c);
      if (act === "out") this.zoomAt(0.8, ...c);
      if (act === "fit") this.fit();
      if (act === "one") this.zoomAt(1 / this.view.s, ...c);
    });
    this.text.addEventListener("toggle", () => this.renderTable());
    this.table.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-node-id]");
      if (b) this.choose(Number(b.dataset.nodeId));
    });
    this.stage.addEventListener("click", (e) => {
      if (this.dragged) return;
      const g = e.target.closest("g.value[data-node-id]");
      if (g) this.choose(Number(g.dataset.nodeId));
    });
    this.stage.addEventListener("keydown", (e) => this.key(e));
    this.stage.addEventListener("focusin", (e) => {
      const g = e.target.closest("g.value[data-node-id]");
      if (g) { this.rove(g); this.reveal(g); }
    });
    this.listenPointers();
    new ResizeObserver(() => {
      this.boxSize = null;
      if (this.svgEl) this.moved ? this.clamp() : this.home();
    }).observe(this.viewport);
  }

  // ---- what is shown ------------------------------------------------------------------

  /** Shows the engine's drawing `svgText` of `nodes` (the answer's nodes, with data and
   * grad). `keepView`: keep the pan and zoom (the same program redrawn). */
  show(svgText, nodes, { keepView = false } = {}) {
    // The same program redrawn the same shape (an edit that changed numbers or an op's
    // name, not the graph): only its texts change, in place, which costs a small part of
    // laying out a new drawing.
    const texts = keepView && this.svgEl ? sameShapeTexts(this.svgText, svgText) : null;
    this.svgText = svgText;
    const cut = cutDrawing(svgText);
    if (texts) { this.redraw(texts, cut, nodes); return; }
    const focusedId = this.focusedId();
    this.nodes = new Map(nodes.map((n) => [n.id, n]));
    this.lit = { nodes: [], edges: [], unknown: new Set() };
    this.culling = cut !== null && this.nodes.size >= CULL_FROM;
    this.chunks = cut ? cut.chunks.map(({ src, box }) => ({ src, box, g: null, on: true, mark: null })) : [];
    // Parsed apart from the page (a template's content is inert: no style, no layout).
    // A large drawing is parsed without its chunks, each left as a mark of its place;
    // `cull`, in `shown`, parses and puts in the chunks near the view.
    const tpl = document.createElement("template");
    tpl.innerHTML = this.culling
      ? cut.head + this.chunks.map(() => "<!--c-->").join("") + cut.tail
      : svgText;
    this.svgEl = tpl.content.querySelector("svg");
    this.parked = null;
    if (this.culling) {
      this.parked = svg("svg", { class: "cr-parked", "aria-hidden": "true" });
      this.parked.style.display = "none";
      const marks = [...this.svgEl.childNodes].filter((n) => n.nodeType === 8 && n.data === "c");
      this.chunks.forEach((c, k) => { c.mark = marks[k]; c.on = false; });
    } else if (this.svgEl) {
      const gs = [...this.svgEl.children].filter((g) => g.tagName === "g" && g.hasAttribute("data-box"));
      this.chunks.forEach((c, k) => { c.g = gs[k]; });
    }
    this.where = this.culling ? scan(this.chunks) : null;
    this.index();
    this.stage.replaceChildren(...(this.svgEl ? [this.svgEl] : []), ...(this.parked ? [this.parked] : []));
    this.shown(focusedId, keepView);
  }

  /** `show` of a drawing the same shape as the one shown: `texts` are what its text
   * elements read, in document order, `cut` the drawing cut at its chunks. The elements
   * stay (and so the focus, the chunks laid out, the view and the stepper's marks, which
   * whoever shows the drawing sets again); a cell the stepper or a lesson shows
   * otherwise (`grad ?`) keeps what it shows, and only the drawing's text behind it
   * changes. A chunk not parsed yet only takes the new drawing's text. */
  redraw(texts, cut, nodes) {
    const over = new Map();   // <text> of a cell shown otherwise -> the drawing's text
    const cover = (ids, part) => {
      for (const id of ids) for (const cells of this.cellEls.get(id) || []) over.set(cells[part], null);
    };
    cover(this.lit.unknown, 1);
    cover(this.masked.data.keys(), 0);
    cover(this.masked.grad.keys(), 1);
    const all = this.allTexts([]);
    for (let k = 0; k < texts.length; k++) {
      const el = all[k];
      if (!el) continue;   // in a chunk not parsed: it takes the new text whole, below
      if (over.has(el)) over.set(el, texts[k]); else setText(el, texts[k]);
    }
    if (cut) this.chunks.forEach((c, i) => { c.src = cut.chunks[i].src; });
    this.nodes = new Map(nodes.map((n) => [n.id, n]));
    this.reindex();
    for (const [id, cells] of this.cellEls) {
      const [data, grad] = cells[0];
      if (over.has(data)) this.dataText.set(id, over.get(data));
      if (over.has(grad)) this.gradText.set(id, over.get(grad));
    }
    this.shown(null, true);
  }

  /** The drawing's text elements that are in no chunk, in document order (a note above
   * it; every text of a drawing without chunks), not the stepper's edge labels. */
  headTexts() {
    const out = [];
    for (const el of this.svgEl ? this.svgEl.children : []) {
      if (el.classList.contains("cr-edge-label") || el.hasAttribute("data-box")) continue;
      if (el.tagName === "text") out.push(el); else out.push(...el.querySelectorAll("text"));
    }
    return out;
  }

  /** `index` again on the same elements with other texts: the marked and the roved
   * value stay, as do the stepper's labels on edges, and the values keep what makes
   * them buttons. */
  reindex() {
    const { marked, roved, edgeLabels } = this;
    this.index();
    Object.assign(this, { marked, roved, edgeLabels });
    this.fresh.clear();
  }

  /** What `show` does once the drawing's elements are in place: the masks painted, the
   * selection and the Tab stop, the view, the focus given back, the text form. */
  shown(focusedId, keepView) {
    for (const id of new Set([...this.masked.data.keys(), ...this.masked.grad.keys()])) this.paintCells(id);
    if (this.selected !== null && !this.has(this.selected)) this.selected = null;
    this.tabStop();
    if (!keepView) this.sizeBox();
    if (!keepView || !this.moved) this.home(); else this.clamp();
    const focused = focusedId !== null && this.el(focusedId);
    if (focused) { this.unpark(focused); this.speak(); focused.focus({ preventScroll: true }); }
    this.renderTable();
  }

  /** Finds the drawing's parts once for each new drawing (values, their cells, copies),
   * of the chunks parsed so far (`parse` adds those parsed later), so that what changes
   * later (a step, a nudge, the selection) touches only the elements it changes. */
  index() {
    this.els.clear(); this.gradText.clear(); this.dataText.clear();
    this.unsaid.clear(); this.fresh.clear();
    this.cellEls.clear();
    this.edgeEls = this.opEls = null;   // found when a step first lights one (`parts`)
    this.outEl = this.marked = this.roved = null;
    this.edgeLabels = [];
    if (!this.svgEl) return;
    this.svgEl.setAttribute("role", "group");
    this.svgEl.setAttribute("aria-label", `${this.label}: ${this.nodes.size} values`);
    for (const root of this.parsedRoots()) this.indexIn(root);
  }

  /** Where the drawing's parsed elements are: its chunks parsed so far, parked or not, or
   * the whole drawing when it has no chunks. */
  parsedRoots() {
    if (!this.chunks.length) return this.svgEl ? [this.svgEl] : [];
    return this.chunks.filter((c) => c.g).map((c) => c.g);
  }

  /** Indexes the values and copies in `root` (a chunk, or a drawing without chunks);
   * returns their ids. A value's cells read what `dataText` and `gradText` already hold
   * for it (a nudge's replay said them before its chunk was parsed), else the drawing's. */
  indexIn(root) {
    const ids = [];
    const cells = (g, id) => {
      const texts = [];
      for (const c of g.children) if (c.tagName === "text") texts.push(c);
      if (texts.length < 3) return;
      if (!this.dataText.has(id)) this.dataText.set(id, texts[1].textContent);
      if (!this.gradText.has(id)) this.gradText.set(id, texts[2].textContent);
      if (!this.cellEls.has(id)) this.cellEls.set(id, []);
      this.cellEls.get(id).push([texts[1], texts[2]]);
    };
    for (const g of root.querySelectorAll("g.value[data-node-id]")) {
      const id = Number(g.getAttribute("data-node-id"));
      this.els.set(id, g);
      cells(g, id);
      if (g.classList.contains("out")) this.outEl = g;
      this.fresh.add(id);
      ids.push(id);
    }
    this.speakLater(ids);
    for (const g of root.querySelectorAll("g.copy[data-copy-of]")) {
      const id = Number(g.getAttribute("data-copy-of"));
      cells(g, id);
      ids.push(id);
    }
    if (this.edgeEls) this.partsIn(root);
    return ids;
  }

  /** Parses chunks `list` (those not parsed yet), in one go, parks them (`cull` puts
   * in those near the view), indexes them and paints their cells as the drawing shows
   * them now (a step's `grad ?`, a lesson's masks, a replay's numbers). */
  parse(list) {
    list = list.filter((c) => !c.g);
    if (!list.length) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg">${list.map((c) => c.src).join("")}</svg>`;
    const gs = [...tpl.content.firstChild.children];
    list.forEach((c, k) => { c.g = gs[k]; c.on = false; this.parked.appendChild(c.g); });
    for (const c of list) for (const id of this.indexIn(c.g)) this.paintCells(id);
  }

  /** What value `id`'s data and grad cells read in the drawing's text (for a value
   * whose chunk is not parsed). */
  drawnCells(id) {
    const src = this.chunks[this.where.value.get(id)].src;
    let i = src.indexOf(`data-node-id="${id}"`);
    const texts = [];
    for (let k = 0; k < 3 && i >= 0; k++) {
      const e = src.indexOf("</text>", i);
      if (e < 0) break;
      texts.push(unescape(src.slice(src.lastIndexOf(">", e) + 1, e)));
      i = e + 7;
    }
    return [texts[1], texts[2]];
  }

  /** Whether the drawing has value `id`. */
  has(id) {
    return this.els.has(id) || (this.where !== null && this.where.value.has(id));
  }

  /** Value `id`'s `<g>`, its chunk parsed if it was not (it may be parked: `unpark`,
   * `reveal` or `cull` put it in); null if the drawing has no such value (or `id` is null). */
  el(id) {
    if (!this.els.has(id) && this.where && this.where.value.has(id)) this.parse([this.chunks[this.where.value.get(id)]]);
    return this.els.get(id) || null;
  }

  /** The drawing's op nodes and the edges from values into them, found the first time a
   * step lights one, not on every new drawing (an edit at step 0 lights none), in the
   * chunks parsed so far; `indexIn` adds those of chunks parsed later. */
  parts() {
    if (this.edgeEls) return;
    this.edgeEls = new Map();
    this.opEls = new Map();
    for (const root of this.parsedRoots()) this.partsIn(root);
  }

  partsIn(root) {
    for (const g of root.querySelectorAll("g.op")) this.opEls.set(g.id, g);
    for (const g of root.querySelectorAll("g.edge")) {
      const from = g.getAttribute("data-from"), to = g.getAttribute("data-to");
      if (!from.endsWith("_op") && to.endsWith("_op")) {
        const key = from.slice(1) + ">" + to.slice(1, -3);
        if (!this.edgeEls.has(key)) this.edgeEls.set(key, []);
        this.edgeEls.get(key).push(g);
      }
    }
  }

  /** Changes values' data and grad cells in place: `cells` is [[id, data, grad], ...],
   * the texts value `id`'s cells now read (a nudge's answer, when the replay is drawn
   * the same shape), `nodes` the values with their new data and grads. The stepper's
   * marks stay (a grad not known yet still reads `grad ?`). Returns the cells as they
   * were, to put back the same way. */
  recell(cells, nodes) {
    const undo = [];
    for (const [id, data, grad] of cells) {
      if (!this.has(id)) continue;
      // A value whose chunk is not parsed yet reads the drawing's texts (its cells show
      // these numbers once it is parsed).
      const [was, wasGrad] = this.dataText.has(id) ? [this.dataText.get(id), this.gradText.get(id)] : this.drawnCells(id);
      undo.push([id, was, wasGrad]);
      this.dataText.set(id, data);
      if (grad !== null && grad !== undefined) this.gradText.set(id, grad);
    }
    this.nodes = nodes instanceof Map ? nodes : new Map(nodes.map((n) => [n.id, n]));
    for (const [id] of undo) this.paintCells(id);
    if (this.text.open) this.renderTable();
    return undo;
  }

  /** Changes texts of the drawing shown in place: `texts` is [[k, text], ...], the k-th
   * text element of the engine's drawing now reading `text` (a nudge's answer, when the
   * replay is drawn the same shape); `nodes` the values with their new data and grads.
   * The stepper's marks go, as with a new drawing. Returns the texts that were there, to
   * put back. */
  retext(texts, nodes) {
    this.setStep({});
    const all = this.allTexts(texts.map(([k]) => k));
    const undo = texts.map(([k, text]) => {
      const old = all[k].textContent;
      all[k].textContent = text;
      return [k, old];
    });
    this.nodes = new Map(nodes.map((n) => [n.id, n]));
    this.reindex();
    this.tabStop();
    this.renderTable();
    return undo;
  }

  /** The drawing's text elements in document order, as a sparse array: every one of
   * the chunks parsed, and of those not parsed, the chunks holding the `wanted` indices,
   * parsed for them. */
  allTexts(wanted) {
    const head = this.headTexts();
    if (wanted.length && this.where) {
      // Which chunk holds each wanted index, from the counts of the chunks' texts.
      const need = new Set(), ends = [];
      let k = head.length;
      for (const c of this.chunks) { k += c.g ? c.g.querySelectorAll("text").length : textCount(c.src); ends.push(k); }
      for (const w of wanted) {
        const i = ends.findIndex((e) => w < e);
        if (w >= head.length && i >= 0 && !this.chunks[i].g) need.add(this.chunks[i]);
      }
      this.parse([...need]);
    }
    const all = head;
    for (const c of this.chunks) {
      if (c.g) all.push(...c.g.querySelectorAll("text"));
      else all.length += textCount(c.src);
    }
    return all;
  }

  /** The selection marked, and one value the Tab key reaches: the selected one, else the
   * output, else the first. */
  tabStop() {
    this.mark();
    const out = this.outEl || (this.where ? this.el(this.where.out) : null);
    const first = this.el(this.selected) || out || this.els.values().next().value;
    if (first) this.rove(first);
  }

  /** What a screen reader says for value `id`, its grad as the stepper shows it. */
  describe(id) {
    const n = this.nodes.get(id);
    if (!n) return "";
    const how = n.leaf ? "a leaf" : `${n.name} = ${n.expr}`;
    return `${n.name}, ${this.said(id, "data")}, ${this.said(id, "grad")}, ${how}`;
  }

  /** The data or grad of value `id` (`part`) as shown now: the number, or what stands
   * in for it while it is not known (a step of backward, a lesson's question). */
  said(id, part) {
    const n = this.nodes.get(id);
    if (part === "grad" && this.lit.unknown.has(id)) return "grad not known yet";
    if (this.masked[part].has(id)) return this.masked[part].get(id);
    return `${part} ${fmt(n[part])}`;
  }

  /** The text of value `id`'s data or grad cell (`part`), as `said` has it. */
  cellText(id, part) {
    if (part === "grad" && this.lit.unknown.has(id)) return "grad ?";
    if (this.masked[part].has(id)) return this.masked[part].get(id);
    return (part === "grad" ? this.gradText : this.dataText).get(id);
  }

  /** Shows other text than the drawing's in values' data and grad cells, for a lesson
   * that asks for them: `data` and `grad` map a value's id to the text shown instead
   * ("data ?", "grad ?", the learner's answer once right); every other value shows the
   * drawing's. The text form and what a screen reader hears follow. */
  mask({ data = new Map(), grad = new Map() } = {}) {
    const before = [...this.masked.data.keys(), ...this.masked.grad.keys()];
    this.masked = { data, grad };
    for (const id of new Set([...before, ...data.keys(), ...grad.keys()])) this.paintCells(id);
    if (this.text.open) this.renderTable();
  }

  /** Writes value `id`'s data and grad cells (and its copies') as `cellText` has them,
   * touching only what reads otherwise. */
  paintCells(id) {
    const g = this.els.get(id), boxes = this.cellEls.get(id);
    if (!boxes) return;
    const texts = [this.cellText(id, "data"), this.cellText(id, "grad")];
    for (const cells of boxes) {
      for (let k = 0; k < 2; k++) {
        setText(cells[k], texts[k]);
        const unknown = texts[k].endsWith("?");
        if (cells[k].classList.contains("cell-unknown") !== unknown) cells[k].classList.toggle("cell-unknown", unknown);
      }
    }
    if (!g) return;
    g.classList.toggle("cr-step-unknown", this.lit.unknown.has(id));
    this.speakLater([id]);
  }

  /** Values `ids`' words for screen readers (see `speak`), written after the next frame:
   * a new drawing or a step shows first, and each value's words are written once however
   * many times it was painted meanwhile. */
  speakLater(ids) {
    for (const id of ids) this.unsaid.add(id);
    if (this.speaking || this.unsaid.size === 0) return;
    this.speaking = true;
    const later = () => setTimeout(() => this.speak(), 0);
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(later); else later();
  }

  /** Writes what `speakLater` was asked for now: each value's `aria-label` (`describe`),
   * and, on a new drawing's values, what makes them buttons reached from the keyboard
   * (the one `rove` chose keeps tabindex 0, the selected one aria-pressed). Called
   * before anything moves the focus or reads them. */
  speak() {
    this.speaking = false;
    for (const id of this.unsaid) {
      const g = this.els.get(id);
      if (!g) continue;
      if (this.fresh.has(id)) {
        if (g !== this.roved) g.setAttribute("tabindex", "-1");
        g.setAttribute("role", "button");
        if (g !== this.marked) g.setAttribute("aria-pressed", "false");
      }
      g.setAttribute("aria-label", this.describe(id));
    }
    this.unsaid.clear();
    this.fresh.clear();
  }

  setCaption(text) { this.caption.textContent = text; }

  /** A line above the graph saying what it shows, with buttons: `actions` is
   * [[text, action], ...], each action called on its button's click. */
  setBanner(text, actions = []) {
    this.banner.hidden = false;
    this.bannerText.textContent = text;
    this.bannerButtons.replaceChildren(...actions.map(([label, action]) => {
      const b = h("button", { type: "button" }, label);
      b.addEventListener("click", action);
      return b;
    }));
  }

  clearBanner() { this.banner.hidden = true; this.bannerButtons.replaceChildren(); }

  /** Dims the graph: it belongs to the last program that worked, not to the text now. */
  setStale(on) { this.root.classList.toggle("cr-stale", on); }

  // ---- selection and keyboard -----------------------------------------------------------

  choose(id) {
    this.select(id);
    this.onSelect(id);
  }

  /** Marks value `id` as selected (null: none); does not call `onSelect`. */
  select(id) {
    this.selected = id;
    this.mark();
  }

  /** Marks the selected value (and unmarks the one before: nothing else is touched). */
  mark() {
    const g = this.el(this.selected);
    if (this.marked && this.marked !== g) {
      this.marked.classList.remove("cr-selected");
      this.marked.setAttribute("aria-pressed", "false");
    }
    this.marked = g;
    if (g) {
      g.classList.add("cr-selected");
      g.setAttribute("aria-pressed", "true");
      this.rove(g);
    }
  }

  focusedId() {
    const a = this.root.getRootNode().activeElement;
    const g = a && a.closest && a.closest("g.value[data-node-id]");
    return g && this.stage.contains(g) ? Number(g.dataset.nodeId) : null;
  }

  /** Pans so that value `id` is in view (when it is not). */
  revealNode(id) {
    const g = this.el(id);
    if (g) { this.unpark(g); this.reveal(g); }
  }

  /** Moves keyboard focus to value `id`. */
  focusNode(id) {
    const g = this.el(id);
    if (g) { this.unpark(g); this.speak(); this.reveal(g); g.focus(); }
  }

  /** Makes `g` the one value the Tab key reaches. */
  rove(g) {
    if (this.roved && this.roved !== g) this.roved.setAttribute("tabindex", "-1");
    this.roved = g;
    g.setAttribute("tabindex", "0");
    this.unpark(g);
  }

  key(e) {
    this.speak();
    const g = e.target.closest("g.value[data-node-id]");
    const [bw, bh] = this.box(), c = [bw / 2, bh / 2];
    if (e.key === "+" || e.key === "=") this.zoomAt(1.25, ...c);
    else if (e.key === "-") this.zoomAt(0.8, ...c);
    else if (e.key === "0") this.fit();
    else if (g && (e.key === "Enter" || e.key === " ")) this.choose(Number(g.dataset.nodeId));
    else if (g && e.key.startsWith("Arrow")) {
      const next = this.nearest(g, e.key.slice(5));
      if (next) { this.reveal(next); next.focus({ preventScroll: true }); }
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  /** The value nearest to `g` in direction `dir` (Left, Right, Up, Down), by the centres
   * of their boxes in the drawing. */
  nearest(g, dir) {
    const [x0, y0] = center(g);
    const [ax, sign] = { Left: [0, -1], Right: [0, 1], Up: [1, -1], Down: [1, 1] }[dir];
    const me = Number(g.getAttribute("data-node-id"));
    let best = null, score = Infinity;
    // Every value's centre, parsed or not (`where` has those of every chunk).
    const centers = this.where ? this.where.center : new Map([...this.els].map(([id, el]) => [id, center(el)]));
    for (const [id, [x, y]] of centers) {
      if (id === me) continue;
      const d = [x - x0, y - y0];
      const along = d[ax] * sign, across = Math.abs(d[1 - ax]);
      if (along <= 1) continue;
      const s = along + 2 * across;
      if (s < score) { score = s; best = id; }
    }
    const next = best === null ? null : this.el(best);
    if (next) this.unpark(next);
    return next;
  }

  // ---- the backward stepper's marks -----------------------------------------------------

  /** Marks a state of backward: `lit` the value just finished (or null), `unknown` the
   * ids whose grads are not known yet (drawn `grad ?`), `edges` [{from, to, label}] the
   * uses that carried the grad, labelled with their local derivative. */
  setStep({ lit = null, unknown = new Set(), edges = [] } = {}) {
    for (const g of this.lit.nodes) {
      g.classList.remove("cr-step-lit");
      g.querySelector("rect.box")?.classList.remove("box-lit");
    }
    for (const g of this.lit.edges) {
      g.classList.remove("cr-step-lit");
      g.querySelector("path")?.classList.remove("wire-lit");
      g.querySelector("polygon")?.classList.remove("head-lit");
    }
    for (const t of this.edgeLabels) t.remove();
    this.edgeLabels = [];
    const before = this.lit.unknown;
    this.lit = { nodes: [], edges: [], unknown };
    // Only the values whose grad became known, or unknown, are painted again.
    for (const id of before) if (!unknown.has(id)) this.paintCells(id);
    for (const id of unknown) if (!before.has(id)) this.paintCells(id);
    const g = this.el(lit);
    if (g) {
      this.unpark(g);
      g.classList.add("cr-step-lit");
      g.querySelector("rect.box")?.classList.add("box-lit");
      this.lit.nodes.push(g);
      this.reveal(g);
    }
    if (edges.length) {
      // The chunks of the edges to light and of the ops they enter, parsed first.
      if (this.where) {
        const w = this.where, need = new Set();
        for (const e of edges) {
          for (const k of w.edge.get(`${e.from}>${e.to}`) || []) need.add(this.chunks[k]);
          for (const k of w.op.get(`n${e.to}_op`) || []) need.add(this.chunks[k]);
        }
        this.parse([...need]);
      }
      this.parts();
    }
    for (const e of edges) {
      for (const eg of this.edgeEls.get(`${e.from}>${e.to}`) || []) {
        eg.classList.add("cr-step-lit");
        eg.querySelector("path")?.classList.add("wire-lit");
        eg.querySelector("polygon")?.classList.add("head-lit");
        this.lit.edges.push(eg);
        this.edgeLabel(eg, e.label);
      }
    }
    if (this.text.open) this.renderTable();
  }

  /** Writes `text` just above the op node that `edge` enters (where it stays clear of
   * the value boxes), once per op node. */
  edgeLabel(edge, text) {
    this.parts();
    const op = this.opEls.get(edge.dataset.to)?.querySelector("ellipse");
    if (!op || this.edgeLabels.some((t) => t.dataset.to === edge.dataset.to)) return;
    const n = (k) => Number(op.getAttribute(k));
    const t = svg("text", { class: "cr-edge-label", x: n("cx"), y: n("cy") - n("ry") - 6,
      "data-from": edge.dataset.from, "data-to": edge.dataset.to });
    t.textContent = text;
    this.svgEl.appendChild(t);
    this.edgeLabels.push(t);
  }

  // ---- the text form ------------------------------------------------------------------

  renderTable() {
    if (!this.text.open) return;
    const head = h("tr", {}, ["value", "made as", "data", "grad"].map((t) => h("th", { scope: "col" }, t)));
    const rows = [...this.nodes.values()].map((n) => h("tr", {
      class: n.id === this.selected ? "cr-selected" : null, "data-node-id": n.id,
    },
    h("th", { scope: "row" }, h("button", { type: "button", "data-node-id": n.id }, n.name)),
    h("td", {}, n.leaf ? "leaf" : n.expr),
    h("td", {}, this.said(n.id, "data").replace(/^data /, "")),
    h("td", {}, this.said(n.id, "grad").replace(/^grad /, ""))));
    this.table.replaceChildren(h("caption", {}, `${this.label}: every value, the output last`), head, ...rows);
  }

  // ---- pan and zoom ---------------------------------------------------------------------

  size() {
    const s = this.svgEl;
    return s ? [Number(s.getAttribute("width")) || 1, Number(s.getAttribute("height")) || 1] : [1, 1];
  }

  /** The viewport's inner size, [width, height], as last laid out: kept between resizes,
   * so that showing a new drawing does not make the browser lay the page out at once
   * (it does so once, before painting). */
  box() {
    if (!this.boxSize) this.boxSize = [this.viewport.clientWidth, this.viewport.clientHeight];
    return this.boxSize;
  }

  /** The smallest scale at which the drawing's text is still `MIN_TEXT` px. */
  readable() {
    const font = Number(this.svgEl && this.svgEl.getAttribute("font-size")) || 14;
    // A hair over, so that the browser's rounding of the scale leaves the text at 12 px.
    return Math.min(1, (MIN_TEXT + 0.001) / font);
  }

  /** The scale at which the whole drawing fits a box `w`×`hgt`. */
  fitScale(w, hgt) {
    const [W, H] = this.size();
    return Math.min((w - 2 * PAD) / W, (hgt - 2 * PAD) / H);
  }

  /** The box as tall as the drawing needs at its first scale (see `home`), within
   * bounds: set for each new drawing, never on a resize, so the page does not jump. */
  sizeBox() {
    const [, H] = this.size();
    const maxH = Math.max(240, Math.round(window.innerHeight * 0.62));
    const s = this.firstScale(maxH);
    this.viewport.style.height = `${Math.min(maxH, Math.max(150, Math.ceil(H * s + 2 * PAD)))}px`;
    this.boxSize = null;
  }

  /** The whole drawing if it fits a box `hgt` tall with readable text (at most 100%),
   * else the smallest readable scale. */
  firstScale(hgt) {
    return Math.max(this.readable(), Math.min(1, this.fitScale(this.box()[0], hgt)));
  }

  /** The first view of a drawing: at its first scale, centred on the output. */
  home() {
    if (!this.svgEl) return;
    this.moved = false;
    const [vw, vh] = this.box();
    const [W, H] = this.size();
    const s = this.firstScale(vh);
    const out = this.outEl ? center(this.outEl) : this.where && this.where.center.get(this.where.out);
    const [cx, cy] = out || [W / 2, H / 2];
    this.view = { s, x: vw / 2 - cx * s, y: vh / 2 - cy * s };
    this.clamp();
  }

  fit() {
    if (!this.svgEl) return;
    const [vw, vh] = this.box();
    const s = Math.min(MAX_SCALE, this.fitScale(vw, vh));
    this.view = { s, x: 0, y: 0 };
    this.moved = true;
    this.clamp();
  }

  /** Zooms by `f` keeping the point (`cx`, `cy`) of the box where it is. */
  zoomAt(f, cx, cy) {
    const v = this.view;
    const [vw, vh] = this.box();
    const least = Math.min(this.readable(), this.fitScale(vw, vh));
    const s = Math.max(least, Math.min(MAX_SCALE, v.s * f));
    this.view = { s, x: cx - (cx - v.x) * s / v.s, y: cy - (cy - v.y) * s / v.s };
    this.moved = true;
    this.clamp();
  }

  panBy(dx, dy) {
    this.view.x += dx;
    this.view.y += dy;
    this.moved = true;
    this.clamp();
  }

  /** Keeps the drawing in the box: centred on an axis where it fits, else no more than
   * `PAD` of blank beyond either edge. */
  clamp() {
    const [W, H] = this.size();
    const v = this.view;
    const [vw, vh] = this.box();
    const axis = (pos, len, box) => len + 2 * PAD <= box
      ? (box - len) / 2
      : Math.min(PAD, Math.max(box - len - PAD, pos));
    v.x = axis(v.x, W * v.s, vw);
    v.y = axis(v.y, H * v.s, vh);
    this.stage.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.s})`;
    this.level.textContent = `${Math.round(v.s * 100)}%`;
    Object.assign(this.viewport.dataset, { scale: String(v.s), x: String(v.x), y: String(v.y) });
    this.cull();
  }

  /** On a large drawing, the chunks within a quarter of a view of what is shown are
   * parsed, laid out and drawn; the others are parked or not parsed yet (see
   * `CULL_FROM`) until they come near: a pan that brings one near parses it then, in
   * the same frame. (Half a view took a tenth longer to redraw a 200-value net.) The chunks
   * of the value Tab reaches and of the selected one stay, so the keyboard always finds
   * its way in. */
  cull() {
    if (!this.culling) return;
    const [vw, vh] = this.box(), v = this.view;
    const x0 = (-vw / 4 - v.x) / v.s, x1 = (1.25 * vw - v.x) / v.s;
    const y0 = (-vh / 4 - v.y) / v.s, y1 = (1.25 * vh - v.y) / v.s;
    const kept = [this.roved?.parentNode, this.marked?.parentNode];
    const near = ({ box: [a, b, cx, d] }) => cx >= x0 && a <= x1 && d >= y0 && b <= y1;
    this.parse(this.chunks.filter((c) => !c.g && near(c)));
    for (const c of this.chunks) if (c.g) this.park(c, !near(c) && !kept.includes(c.g));
  }

  /** Parks chunk `c` (`away`), or puts it back in its place in the drawing. */
  park(c, away) {
    if (away === !c.on) return;
    c.on = !away;
    if (away) { c.g.replaceWith(c.mark); this.parked.appendChild(c.g); } else c.mark.replaceWith(c.g);
  }

  /** Puts back the chunk that holds `el`, if it is parked. */
  unpark(el) {
    if (!this.culling) return;
    const c = this.chunks.find((c) => c.g === el.parentNode);
    if (c) this.park(c, false);
  }

  /** Pans so that value `g` is in view (when it is not). */
  reveal(g) {
    const [W] = this.size();
    if (!W) return;
    const box = g.querySelector("rect.box");
    if (!box) return;
    const v = this.view, s = v.s;
    const x = Number(box.getAttribute("x")) * s + v.x, y = Number(box.getAttribute("y")) * s + v.y;
    const w = Number(box.getAttribute("width")) * s, hgt = Number(box.getAttribute("height")) * s;
    const [vw, vh] = this.box();
    if (x >= 0 && y >= 0 && x + w <= vw && y + hgt <= vh) return;
    const [cx, cy] = center(g);
    v.x = vw / 2 - cx * s;
    v.y = vh / 2 - cy * s;
    this.moved = true;   // the view follows that value now: a resize keeps it
    this.clamp();
  }

  listenPointers() {
    const vp = this.viewport;
    vp.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 && e.pointerType === "mouse") return;
      this.pointers.set(e.pointerId, [e.clientX, e.clientY]);
      this.dragged = false;
      this.gesture = this.pointers.size === 2 ? this.pinchState() : null;
    });
    vp.addEventListener("pointermove", (e) => {
      const last = this.pointers.get(e.pointerId);
      if (!last) return;
      const now = [e.clientX, e.clientY];
      this.pointers.set(e.pointerId, now);
      if (this.pointers.size === 2 && this.gesture) {
        const g = this.pinchState(), r = vp.getBoundingClientRect();
        this.zoomAt(g.dist / this.gesture.dist, g.mid[0] - r.left, g.mid[1] - r.top);
        this.panBy(g.mid[0] - this.gesture.mid[0], g.mid[1] - this.gesture.mid[1]);
        this.gesture = g;
        this.dragged = true;
        return;
      }
      const [dx, dy] = [now[0] - last[0], now[1] - last[1]];
      if (!this.dragged && Math.hypot(dx, dy) < 3) { this.pointers.set(e.pointerId, last); return; }
      if (!this.dragged) vp.setPointerCapture(e.pointerId);
      this.dragged = true;
      this.panBy(dx, dy);
    });
    const up = (e) => {
      this.pointers.delete(e.pointerId);
      this.gesture = null;
      // A drag is not a click: the click that ends it is ignored, then clicks count again.
      if (this.dragged) setTimeout(() => { this.dragged = false; }, 0);
    };
    vp.addEventListener("pointerup", up);
    // The browser scrolls the box itself to show a focused or searched-for value: that
    // becomes a pan, so the drawing moves only one way.
    vp.addEventListener("scroll", () => {
      const { scrollLeft: x, scrollTop: y } = vp;
      if (!x && !y) return;
      vp.scrollLeft = vp.scrollTop = 0;
      this.panBy(-x, -y);
    });
    vp.addEventListener("pointercancel", up);
    vp.addEventListener("wheel", (e) => {
      const r = vp.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        this.zoomAt(Math.exp(-e.deltaY / 300), e.clientX - r.left, e.clientY - r.top);
      } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();   // sideways: pan the graph; up and down still scroll the page
        this.panBy(-e.deltaX, 0);
      }
    }, { passive: false });
  }

  pinchState() {
    const [a, b] = [...this.pointers.values()];
    return { dist: Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1])), mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] };
  }
}

/** The engine's drawing `text` cut at its chunks (each a `<g data-box="x0 y0 x1 y1">`
 * at the top level, one after another; see the engine's `Chunks`): `head` up to the
 * first (the `<svg>` tag, its style and background, a note), `chunks` [{src, box}] in
 * order, and `tail` (`</svg>`). Null when it has no chunks. */
export function cutDrawing(text) {
  const MARK = '<g data-box="';
  let i = text.indexOf(MARK);
  const end = text.lastIndexOf("</svg>");
  if (i < 0 || end < i) return null;
  const chunks = [];
  while (i >= 0) {
    const next = text.indexOf(MARK, i + MARK.length);
    const q = text.indexOf('"', i + MARK.length);
    chunks.push({ src: text.slice(i, next < 0 ? end : next), box: text.slice(i + MARK.length, q).split(" ").map(Number) });
    i = next;
  }
  return { head: text.slice(0, text.indexOf(MARK)), chunks, tail: text.slice(end) };
}

/** How many text elements the drawing's text `src` has. */
function textCount(src) {
  let n = 0;
  for (let i = src.indexOf("</text>"); i >= 0; i = src.indexOf("</text>", i + 7)) n++;
  return n;
}

/** What the chunks' texts hold, read without parsing them (the engine writes each
 * value's group as `<g class="value ..." id="nK" data-node-id="K"><rect class="box ..."
 * x= y= width= height=`, each edge's as `<g class="edge ..." data-from="nA" data-to="nB_op"`
 * and each op's as `<g class="op ..." id="nB_op"`): `value`, each value's chunk (by index);
 * `center`, its box's centre; `out`, the output's id; and, found the first time they
 * are asked for, `edge` ("A>B": the chunks of the edges from value A into B's op) and
 * `op` ("nB_op": its chunk). */
function scan(chunks) {
  const value = new Map(), center = new Map();
  let out = null;
  const re = /<g class="value([^"]*)" id="n\d+" data-node-id="(\d+)"><rect class="[^"]*" x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"/g;
  chunks.forEach((c, k) => {
    for (const m of c.src.matchAll(re)) {
      const id = Number(m[2]);
      value.set(id, k);
      center.set(id, [Number(m[3]) + Number(m[5]) / 2, Number(m[4]) + Number(m[6]) / 2]);
      if (/(^| )out( |$)/.test(m[1])) out = id;
    }
  });
  let edge = null, op = null;
  const lines = () => {
    edge = new Map(); op = new Map();
    const add = (map, key, k) => { const l = map.get(key); if (!l) map.set(key, [k]); else if (l[l.length - 1] !== k) l.push(k); };
    chunks.forEach((c, k) => {
      for (const m of c.src.matchAll(/<g class="edge[^"]*" data-from="n(\d+)" data-to="n(\d+)_op"/g)) add(edge, `${m[1]}>${m[2]}`, k);
      for (const m of c.src.matchAll(/<g class="op[^"]*" id="(n\d+_op)"/g)) add(op, m[1], k);
    });
  };
  return {
    value, center, out,
    get edge() { if (!edge) lines(); return edge; },
    get op() { if (!op) lines(); return op; },
  };
}

/** What the text elements of drawing `after` read, in document order (unescaped), when
 * it is drawing `before` but for those texts: every other character the same, so every
 * element in the same place. Null when it is not (or there is no `before`). The same
 * test as the engine's `text_changes`, which says a nudge's changes. */
export function sameShapeTexts(before, after) {
  if (!before || !after) return null;
  // Segment by segment (up to each `</text>`), so that another shape, the usual case,
  // stops at its first difference instead of after splitting both drawings whole.
  const texts = [];
  let i = 0, j = 0;
  for (;;) {
    const ei = before.indexOf("</text>", i), ej = after.indexOf("</text>", j);
    if ((ei < 0) !== (ej < 0)) return null;
    const x = ei < 0 ? before.length : ei, y = ej < 0 ? after.length : ej;
    const mi = before.lastIndexOf(">", x - 1) + 1, mj = after.lastIndexOf(">", y - 1) + 1;
    // The markup since the last segment, then the text up to `</text>`.
    const mx = Math.max(mi, i), my = Math.max(mj, j);
    if (mx - i !== my - j || before.slice(i, mx) !== after.slice(j, my)) return null;
    if (ei < 0) return texts;
    texts.push(unescape(after.slice(my, y)));
    i = x + 7; j = y + 7;
  }
}

/** Text escaped by the engine's drawings (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), as
 * it reads. */
function unescape(text) {
  if (!text.includes("&")) return text;
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", "\"")
    .replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

/** Makes element `el` read `text`: its one text node changed in place when it reads
 * otherwise (cheaper than a new node, and nothing to lay out when it is the same). */
function setText(el, text) {
  const t = el.firstChild;
  if (t && t.nodeType === 3 && !t.nextSibling) { if (t.data !== text) t.data = text; }
  else if (el.textContent !== text) el.textContent = text;
}

/** The centre of a value's box, in the drawing's coordinates. */
function center(g) {
  const r = g.querySelector("rect.box");
  if (!r) return [0, 0];
  const n = (k) => Number(r.getAttribute(k));
  return [n("x") + n("width") / 2, n("y") + n("height") / 2];
}

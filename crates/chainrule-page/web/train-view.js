// Training, watched: the settings (a form built from the engine's training spec: every
// choice, default and bound comes from the library's one spec, `train_spec`), Play /
// Pause / Step / Reset, the data and the model's decision boundary (shown as soon as the
// view opens, before any training), the loss and accuracy by step on labelled axes, and
// one data point's graph through the model (a GraphView). Every number comes from the
// engine's frames. Reusable: it keeps its state to itself and looks only inside its root.

import { h, svg, fmt } from "./dom.js";
import { GraphView } from "./graph-view.js";

/** The settings the form shows, in groups, each with its label; the spec says the rest. */
const FORM = [
  ["Data", [["dataset", "Dataset"], ["noise", "Noise"], ["samples", "Samples"], ["seed", "Seed"]]],
  ["Model", [["layers", "Hidden layers"], ["activation", "Activation"]]],
  ["Training", [["loss", "Loss"], ["optimizer", "Optimizer"], ["schedule", "Rate schedule"],
    ["lr", "Learning rate"], ["batch", "Batch (all, or a number)"], ["steps", "Steps"]]],
];

/** Settings whose default follows a choice: [setting, the choice, the spec's table, its key]. */
const FOLLOWS = [["noise", "dataset", "datasets", "noise"], ["lr", "optimizer", "optimizers", "lr"]];

const COLOURS = [[28, 126, 214], [240, 140, 0], [47, 158, 68], [174, 62, 201], [224, 49, 49], [16, 152, 173], [121, 80, 242], [134, 142, 150]];
const LOSS_COLOUR = "rgb(232,113,10)", ACC_COLOUR = "rgb(28,126,214)";

export class TrainView {
  /** `settings`: initial values by key (strings, from a link); `onSettings()`: a setting
   * changed; `pace`: steps a second while playing (0: as fast as the engine goes). The
   * form is built when the engine's training spec arrives (`ready` resolves then).
   * `watch`: only watch a training loop run elsewhere (the notebook's, see `watchLoop`):
   * no settings, no buttons, no point's graph; `engine` is then not asked. */
  constructor(root, engine, { settings = {}, onSettings = () => {}, pace = 40, watch = false } = {}) {
    this.root = root;
    this.watching = watch;
    this.engine = engine;
    this.onSettings = onSettings;
    this.pace = pace;
    this.session = null;      // {id, key, points}
    this.frame = null;
    this.token = null;
    this.fields = {};
    this.initial = { ...settings };
    if (this.initial.batch === "0") this.initial.batch = "all";   // links from before "all"
    root.classList.add("cr", "cr-train");
    this.form = h("form", { class: "cr-train-settings", "aria-busy": "true" });
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.form.addEventListener("change", (e) => this.settingChanged(e.target));
    this.status = h("p", { class: "cr-train-status", role: "status" }, "step 0");
    this.error = h("p", { class: "cr-error", role: "alert", hidden: true });
    // A run whose numbers are all finite but whose loss grows or jumps (the frame's
    // `warning`): said beside the status, not as an error.
    this.warning = h("p", { class: "cr-warning", role: "status", hidden: true });
    const act = (a, text) => h("button", { type: "button", "data-act": a }, text);
    const buttons = h("div", { class: "cr-buttons" },
      act("play", "▶ Play"), act("pause", "Pause"), act("step", "Step"), act("reset", "Reset"));
    buttons.addEventListener("click", (e) => {
      const a = e.target.closest("button[data-act]")?.dataset.act;
      if (a) this.control(a);
    });
    this.canvas = h("canvas", { class: "cr-boundary-canvas", role: "img",
      "aria-label": "The data points, coloured by class, over the model's decision boundary" });
    this.boundaryCaption = h("figcaption", {}, "The data and the model's decision boundary");
    this.chart = svg("svg", { class: "cr-chart-svg", role: "img", "aria-label": "Loss and accuracy by step" });
    this.pointInput = h("input", { type: "number", min: "0", value: "0", "data-key": "point" });
    const pointBtn = h("button", { type: "button" }, "Show its graph");
    this.pointSummary = h("p", { class: "cr-point-summary" });
    const graphRoot = h("div", { class: "cr-point-graph", hidden: true });
    this.boundary = h("figure", { class: "cr-boundary" }, this.canvas, this.boundaryCaption);
    const charts = [
      this.boundary,
      h("figure", { class: "cr-chart" }, this.chart, h("figcaption", {}, "Loss and accuracy by step")),
    ];
    if (watch) {
      root.classList.add("cr-train-watch");
      root.append(h("div", { class: "cr-train-controls" }, this.status, this.error, this.warning), ...charts);
    } else {
      root.append(
        h("div", { class: "cr-train-controls" }, buttons, this.status, this.error, this.warning),
        this.form, ...charts,
        h("section", { class: "cr-point" },
          h("h2", {}, "One data point through the model"),
          h("div", { class: "cr-point-controls" },
            h("label", {}, "Point ", this.pointInput), pointBtn,
            h("span", { class: "cr-hint" }, "or click a point in the picture")),
          this.pointSummary, graphRoot));
    }
    this.pointGraph = new GraphView(graphRoot, { label: "One point's graph" });
    pointBtn.addEventListener("click", () => this.showPoint(Number(this.pointInput.value)));
    if (!watch) this.canvas.addEventListener("click", (e) => this.pick(e));
    const resized = new ResizeObserver(() => this.redraw());
    resized.observe(this.canvas);
    resized.observe(this.chart);
    this.drawChart();
    this.ready = watch ? Promise.resolve() : engine.trainSpec().then((spec) => this.build(spec));
  }

  /** Watches a loop run elsewhere: `started` has its data points ([x, y, class]); its
   * frames then come to `onFrame`. */
  watchLoop(started) {
    this.session = { id: null, key: null, points: started.points };
    this.frame = null;
    this.boundary.hidden = started.points.length === 0;
    this.redraw();
  }

  /** The settings form, from the engine's training spec. */
  build(spec) {
    if (!spec.ok) { this.showError(`cannot read the training settings: ${spec.error.message}`); return; }
    this.table = spec;
    const field = new Map(spec.fields.map((f) => [f.name, f]));
    this.defaults = Object.fromEntries(spec.fields.map((f) => [f.name, f.default]));
    for (const [legend, keys] of FORM) {
      const set = h("fieldset", {}, h("legend", {}, legend));
      for (const [key, label] of keys) {
        const f = field.get(key);
        const title = `${f.help}: ${f.allowed}`;
        const el = f.choices
          ? h("select", { "data-key": key, title }, f.choices.map((c) =>
            h("option", { value: c.name, title: c.help || null }, c.name)))
          : h("input", { "data-key": key, title, type: "text", inputmode: key === "layers" ? "text" : "decimal",
            spellcheck: "false", autocomplete: "off" });
        el.value = this.initial[key] ?? f.default;
        this.fields[key] = el;
        set.append(h("label", {}, h("span", {}, label), el));
      }
      this.form.append(set);
    }
    // A setting the link does not give that follows a choice the link makes (adam's rate).
    for (const [k] of FOLLOWS) if (this.initial[k] === undefined) this.fields[k].value = this.followed(k);
    this.form.removeAttribute("aria-busy");
    this.last = this.settings();
    this.drawChart();
    if (this.opened) this.ensure();
  }

  /** Every setting as its field shows it (before the form is built: the link's). */
  settings() {
    if (!this.table) return { ...this.initial };
    return Object.fromEntries(Object.entries(this.fields).map(([k, f]) => [k, f.value]));
  }

  /** The settings that differ from their defaults (for a link). */
  changed() {
    if (!this.table) return { ...this.initial };
    return Object.fromEntries(Object.entries(this.settings()).filter(([k, v]) => v !== this.followed(k)));
  }

  /** Setting `key`'s default, as it follows the choices made (a dataset's noise, an
   * optimizer's rate). */
  followed(key, values = this.settings()) {
    const f = FOLLOWS.find(([k]) => k === key);
    if (!f) return this.defaults[key];
    const [, choice, table, prop] = f;
    const row = this.table[table].find((r) => r.name === values[choice]);
    return row ? String(row[prop]) : this.defaults[key];
  }

  /** What the engine is asked to train. */
  spec() {
    const v = this.settings();
    const data = this.table.datasets.find((d) => d.name === v.dataset);
    return {
      dataset: v.dataset, noise: Number(v.noise), samples: Number(v.samples), seed: Number(v.seed),
      layers: v.layers.split(",").map((s) => s.trim()).filter((s) => s).map(Number),
      activation: v.activation, loss: v.loss, optimizer: v.optimizer, schedule: v.schedule,
      lr: Number(v.lr), batch: v.batch.trim() === "all" ? "all" : Number(v.batch), steps: Number(v.steps),
      // A dataset has its classes, or (blobs, spiral) as many as the loss can tell apart.
      classes: data && data.classes ? data.classes : v.loss === "softmax-ce" ? 3 : 2,
      pace: this.pace,
    };
  }

  settingChanged(el) {
    const key = el.dataset.key;
    if (key === "point") return;
    // An untouched setting that follows this choice follows it to its new default.
    for (const [k, choice] of FOLLOWS) {
      if (choice !== key) continue;
      if (this.fields[k].value === this.followed(k, this.last)) this.fields[k].value = this.followed(k);
    }
    this.last = this.settings();
    this.onSettings();
    if (this.opened) this.ensure();
  }

  /** The view is shown: a session for the settings, so the data is drawn before training. */
  open() {
    this.opened = true;
    this.ensure();
  }

  /** The session for the settings as they are, started if need be; null on an error. */
  async ensure() {
    await this.ready;
    if (!this.table) return null;
    const spec = this.spec(), key = JSON.stringify(spec);
    if (this.session && this.session.key === key) return this.session;
    if (this.pending && this.pending.key === key) return this.pending.promise;
    if (this.session) this.engine.close(this.session.id);
    this.session = null;
    const token = {};
    this.token = token;
    const promise = this.engine.train(spec, (f) => { if (this.token === token) this.onFrame(f); })
      .then((j) => {
        if (this.token !== token) { if (j.ok) this.engine.close(j.id); return null; }
        this.pending = null;
        if (!j.ok) { this.showError(j.error.message); return null; }
        this.error.hidden = true;
        this.session = { id: j.id, key, points: j.points };
        this.frame = null;
        this.pointSummary.textContent = "";
        return this.session;
      });
    this.pending = { key, promise };
    return promise;
  }

  async control(action) {
    await this.ready;
    if (!this.table) return;
    const fresh = !this.session || this.session.key !== JSON.stringify(this.spec());
    const s = await this.ensure();
    if (!s || (fresh && action === "reset")) return;
    const j = await this.engine.control(s.id, action);
    if (!j.ok) this.showError(j.error.message);
  }

  showError(msg) {
    this.error.hidden = false;
    this.error.textContent = msg;
  }

  onFrame(f) {
    if (f.ok === false) { this.showError(f.error.message); return; }
    this.frame = f;
    const acc = typeof f.accuracy === "number" ? `${(100 * f.accuracy).toFixed(1)}%` : fmt(f.accuracy);
    const st = this.status;
    const idle = this.watching ? " · waiting for the first step" : " · not trained yet: press Play or Step";
    st.textContent = `step ${f.step} of ${f.of}` +
      (f.loss !== null ? ` · loss ${fmt(f.loss)}` + (acc === "NaN" ? "" : ` · accuracy ${acc}`) : idle) +
      (f.playing ? (this.watching ? " · running" : " · playing") : "") + (f.note ? ` · ${f.note}` : "");
    Object.assign(st.dataset, { step: String(f.step), accuracy: String(f.accuracy), playing: String(f.playing), frame: String(f.frame) });
    if (f.non_finite) this.showError(f.non_finite); else this.error.hidden = true;
    this.warning.hidden = !f.warning;
    this.warning.textContent = f.warning || "";
    this.boundaryCaption.textContent = `The data (${this.session ? this.session.points.length : "?"} points) and the model's decision boundary at step ${f.step}`;
    this.redraw();
  }

  redraw() {
    this.drawBoundary();
    this.drawChart();
  }

  // ---- the data and the boundary --------------------------------------------------------

  /** Where the plot sits in the canvas (CSS px), leaving room for the axes. */
  plotArea(W, H) {
    return { left: 40, top: 8, right: W - 8, bottom: H - 34 };
  }

  drawBoundary() {
    const f = this.frame, cv = this.canvas;
    if (!f || !this.session || !f.grid) return;
    const W = cv.clientWidth, H = cv.clientHeight, dpr = window.devicePixelRatio || 1;
    if (!W || !H) return;
    cv.width = Math.round(W * dpr);
    cv.height = Math.round(H * dpr);
    const ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const g = f.grid, a = this.plotArea(W, H);
    const pw = a.right - a.left, ph = a.bottom - a.top;
    // The engine's grid of scores, one pixel each, then scaled up smoothly.
    const small = document.createElement("canvas");
    small.width = small.height = g.n;
    const img = small.getContext("2d").createImageData(g.n, g.n);
    for (let k = 0; k < g.n * g.n; k++) {
      const s = g.scores[k];
      let rgb, al;
      if (typeof s === "string") { rgb = [0, 0, 0]; al = 0.8; }     // NaN or infinite: shown, not blank
      else if (f.multiclass) { rgb = COLOURS[s % COLOURS.length]; al = 0.35; }
      else if (f.step === 0 && f.loss === null) { rgb = s > 0 ? COLOURS[1] : COLOURS[0]; al = 0.1; }
      else { rgb = s > 0 ? COLOURS[1] : COLOURS[0]; al = 0.12 + 0.45 * Math.min(1, Math.abs(Math.tanh(s))); }
      img.data.set([rgb[0], rgb[1], rgb[2], Math.round(255 * al)], 4 * k);
    }
    small.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, a.left, a.top, pw, ph);
    const px = (x) => a.left + (x - g.x0) / (g.x1 - g.x0) * pw;
    const py = (y) => a.top + (g.y1 - y) / (g.y1 - g.y0) * ph;
    this.toScreen = { px, py };
    let drawn = 0;
    this.session.points.forEach(([x, y, c], i) => {
      const rgb = COLOURS[(f.multiclass ? c : (c ? 1 : 0)) % COLOURS.length];
      ctx.beginPath();
      ctx.arc(px(x), py(y), i === this.picked ? 6 : 4, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb.join(",")})`;
      ctx.fill();
      ctx.lineWidth = i === this.picked ? 2.5 : 1;
      ctx.strokeStyle = i === this.picked ? "#000" : "#fff";
      ctx.stroke();
      drawn++;
    });
    axes(ctx, a, [g.x0, g.x1], [g.y0, g.y1], "x0", "x1");
    Object.assign(cv.dataset, { points: String(drawn), step: String(f.step), frames: String(Number(cv.dataset.frames || 0) + 1) });
  }

  /** A click in the picture picks the nearest data point and shows its graph. */
  pick(ev) {
    if (!this.toScreen || !this.session) return;
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    let best = 0, dist = Infinity;
    this.session.points.forEach(([px, py], k) => {
      const d = (this.toScreen.px(px) - x) ** 2 + (this.toScreen.py(py) - y) ** 2;
      if (d < dist) { dist = d; best = k; }
    });
    this.pointInput.value = best;
    this.showPoint(best);
  }

  // ---- the chart --------------------------------------------------------------------

  drawChart() {
    const el = this.chart;
    const W = Math.max(260, Math.round(el.getBoundingClientRect().width) || 480);
    const H = Math.round(Math.min(320, Math.max(220, W * 0.7)));
    el.setAttribute("viewBox", `0 0 ${W} ${H}`);
    el.setAttribute("height", H);
    const f = this.frame;
    const hist = f ? f.history.filter((p) => typeof p[1] === "number") : [];
    const of = f ? f.of : Number(this.fields.steps && this.fields.steps.value) || 100;
    const accuracy = hist.some((p) => typeof p[2] === "number");   // a loop may not say
    const maxLoss = hist.length ? hist.reduce((m, p) => Math.max(m, p[1]), 1e-9) : 1;
    const minLoss = hist.reduce((m, p) => Math.min(m, p[1]), Infinity);
    // A loss over two decades or more, all above 0 (a run that overshoots: 1.3 to 4e27), is
    // drawn on a log axis, titled so, where the steps before the jump still show; the CLI's
    // plots take a log axis too.
    const log = hist.length > 1 && minLoss > 0 && maxLoss / minLoss >= 100;
    const lossTicks = log ? decades(minLoss, maxLoss) : ticks(0, maxLoss, 4, true);
    const bottom = log ? lossTicks[0] : 0, top = lossTicks[lossTicks.length - 1];
    const scale = log ? Math.log10 : (v) => v;
    // Room on the left for the longest loss label (a diverged run's reads `6e237`) beside
    // the axis title, at about 7px a character of the 12px ticks.
    const longest = Math.max(...lossTicks.map((t) => tickText(t).length));
    const a = { left: Math.max(52, Math.ceil(28 + 7 * longest)), top: 28, right: W - 56, bottom: H - 40 };
    const x = (s) => a.left + (a.right - a.left) * s / of;
    const yl = (v) => a.bottom - (a.bottom - a.top) * (scale(v) - scale(bottom)) / (scale(top) - scale(bottom));
    const ya = (v) => a.bottom - (a.bottom - a.top) * v;
    const parts = [];
    const text = (t, attrs) => { const e = svg("text", attrs); e.textContent = t; parts.push(e); };
    const line = (x1, y1, x2, y2, cls) => parts.push(svg("line", { x1, y1, x2, y2, class: cls }));
    line(a.left, a.bottom, a.right, a.bottom, "cr-axis");
    line(a.left, a.top, a.left, a.bottom, "cr-axis");
    line(a.right, a.top, a.right, a.bottom, "cr-axis");
    for (const t of ticks(0, of, 5)) {
      line(x(t), a.bottom, x(t), a.bottom + 4, "cr-axis");
      text(String(t), { x: x(t), y: a.bottom + 16, class: "cr-tick", style: "text-anchor: middle" });
    }
    for (const t of lossTicks) {
      line(a.left, yl(t), a.right, yl(t), "cr-grid");
      text(tickText(t), { x: a.left - 6, y: yl(t) + 4, class: "cr-tick", style: "text-anchor: end" });
    }
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      text(`${t * 100}%`, { x: a.right + 6, y: ya(t) + 4, class: "cr-tick", style: "text-anchor: start" });
    }
    text("step", { x: (a.left + a.right) / 2, y: H - 6, class: "cr-axis-title", style: "text-anchor: middle" });
    text(log ? "loss (log)" : "loss", { x: 14, y: (a.top + a.bottom) / 2, class: "cr-axis-title cr-loss", style: "text-anchor: middle",
      transform: `rotate(-90 14 ${(a.top + a.bottom) / 2})` });
    text("accuracy", { x: W - 10, y: (a.top + a.bottom) / 2, class: "cr-axis-title cr-acc", style: "text-anchor: middle",
      transform: `rotate(90 ${W - 10} ${(a.top + a.bottom) / 2})` });
    text("— loss", { x: a.left, y: 16, class: "cr-legend cr-loss", style: "text-anchor: start" });
    text("— accuracy", { x: a.left + 70, y: 16, class: "cr-legend cr-acc", style: "text-anchor: start" });
    if (hist.length >= 1) {
      const path = (ys, colour) => parts.push(svg("polyline", {
        points: hist.map((p) => `${x(p[0]).toFixed(1)},${ys(p).toFixed(1)}`).join(" "),
        fill: "none", stroke: colour, "stroke-width": 2,
      }));
      path((p) => yl(p[1]), LOSS_COLOUR);
      if (accuracy) path((p) => ya(typeof p[2] === "number" ? p[2] : 0), ACC_COLOUR);
    } else {
      text("no steps yet", { x: (a.left + a.right) / 2, y: a.top + 20, class: "cr-tick", style: "text-anchor: middle" });
    }
    el.replaceChildren(...parts);
    el.dataset.points = String(hist.length);
    el.dataset.lossAxis = log ? "log" : "linear";
  }

  // ---- one point's graph ---------------------------------------------------------------

  async showPoint(i) {
    const s = await this.ensure();
    if (!s) return;
    const j = await this.engine.point(s.id, i);
    if (!j.ok) { this.showError(j.error.message); return; }
    this.picked = i;
    this.drawBoundary();
    this.pointGraph.root.hidden = false;
    this.pointGraph.show(j.svg, j.nodes);
    this.pointGraph.root.dataset.point = String(i);
    const bad = j.non_finite ? ` · the first non-finite number is the ${j.non_finite.pass} of ${j.non_finite.name}: ${j.non_finite.reason}` : "";
    const step = this.frame ? this.frame.step : 0;
    this.pointSummary.textContent =
      `Point ${i} at (${j.point.x.map((v) => v.toFixed(3)).join(", ")}), class ${j.point.class}: loss ${fmt(j.output.data)} · ${j.values} values at step ${step}${bad}`;
    this.pointGraph.setCaption(`${j.output.name} = ${fmt(j.output.data)} · ${j.values} values`);
  }
}

/** Axes with ticks along the left and bottom of plot area `a`, for ranges `xr`, `yr`. */
function axes(ctx, a, xr, yr, xname, yname) {
  const px = (x) => a.left + (x - xr[0]) / (xr[1] - xr[0]) * (a.right - a.left);
  const py = (y) => a.bottom - (y - yr[0]) / (yr[1] - yr[0]) * (a.bottom - a.top);
  ctx.strokeStyle = "#495057";
  ctx.fillStyle = "#495057";
  ctx.lineWidth = 1;
  ctx.strokeRect(a.left, a.top, a.right - a.left, a.bottom - a.top);
  ctx.font = "12px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (const t of ticks(xr[0], xr[1], 5)) {
    ctx.beginPath(); ctx.moveTo(px(t), a.bottom); ctx.lineTo(px(t), a.bottom + 4); ctx.stroke();
    ctx.fillText(tickText(t), px(t), a.bottom + 16);
  }
  ctx.fillText(xname, (a.left + a.right) / 2, a.bottom + 30);
  ctx.textAlign = "right";
  for (const t of ticks(yr[0], yr[1], 5)) {
    ctx.beginPath(); ctx.moveTo(a.left - 4, py(t)); ctx.lineTo(a.left, py(t)); ctx.stroke();
    ctx.fillText(tickText(t), a.left - 6, py(t) + 4);
  }
  ctx.save();
  ctx.translate(10, (a.top + a.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(yname, 0, 0);
  ctx.restore();
}

/** Round tick positions between `lo` and `hi`, about `n` of them; with `cover`, one more
 * past `hi` when needed, so that the last tick is at least `hi`. */
function ticks(lo, hi, n, cover = false) {
  const span = Math.max(hi - lo, 1e-12);
  const raw = span / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  if (cover && out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

/** Powers of ten from below `lo` to above `hi`, a decade apart, or a few decades apart
 * so that there are at most six. */
function decades(lo, hi) {
  const d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((d1 - d0) / 5));
  const out = [];
  for (let d = d0; out.length === 0 || out[out.length - 1] < hi; d += every) out.push(Number(`1e${d}`));
  return out;
}

/** A tick's label: `0.25`, `20000`; from 1e5 up and below 1e-3, with an exponent
 * (`1e18`, `2.5e-4`), so a diverged run's labels stay short. */
function tickText(t) {
  const r = Number(t.toPrecision(4)), a = Math.abs(r);
  return (r !== 0 && (a >= 1e5 || a < 1e-3) ? r.toExponential() : String(r)).replace("e+", "e");
}

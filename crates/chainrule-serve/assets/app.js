// chainrule live: the page asks the server (the chainrule engine) for everything it
// shows; it never computes a value or lays out the graph itself. Plain JavaScript, no
// libraries, no network beyond its own server.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const TEST = params.get("test") === "1";
if (TEST) document.body.classList.add("test");

// The notebook's program (chainrule::lang::NOTEBOOK), as the server wrote it into the page.
const NOTEBOOK = $("editor").defaultValue;

const state = {
  source: params.has("p") ? params.get("p") : NOTEBOOK,
  res: null,        // the last good answer of /api/program
  seq: 0,           // requests sent
  shown: 0,         // the request whose answer is shown
  selected: null,   // node id
  step: 0,          // backward steps shown (0 .. schedule.length)
  els: new Map(),   // node id -> <g class="value">
  edgeEls: new Map(), // "from>to" -> [<g class="edge">]
  gradText: new Map(), // node id -> the grad cell's text as drawn
};

function fmt(x) {
  if (typeof x === "string") return x;          // NaN, inf, -inf as the server names them
  if (x === null || x === undefined) return "";
  return x.toFixed(4);
}

async function post(url, body) {
  const r = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let j;
  try { j = await r.json(); } catch (e) { j = { ok: false, error: { message: `HTTP ${r.status}` } }; }
  return j;
}

// ---- URL state -------------------------------------------------------------------------

const TRAIN_KEYS = ["dataset", "noise", "samples", "seed", "layers", "activation", "loss", "optimizer", "lr", "batch", "steps"];

function saveUrl() {
  const q = new URLSearchParams();
  if (state.source !== NOTEBOOK) q.set("p", state.source);
  if (currentView() === "train") q.set("view", "train");
  for (const k of TRAIN_KEYS) {
    const el = $("t-" + k);
    if (el && String(el.value) !== el.defaultValue && el.value !== defaultOption(el)) q.set(k, el.value);
  }
  if (TEST) q.set("test", "1");
  const s = q.toString();
  history.replaceState(null, "", s ? "?" + s : location.pathname);
  $("share").href = location.href;
}

function defaultOption(el) {
  return el.tagName === "SELECT" ? el.options[0].value : undefined;
}

function loadUrl() {
  for (const k of TRAIN_KEYS) if (params.has(k)) $("t-" + k).value = params.get(k);
  if (params.get("view") === "train") showView("train");
}

// ---- the editor and the graph ----------------------------------------------------------

let timer = null;
function edited() {
  state.source = $("editor").value;
  state.panelFor = null;   // a verdict on the old program would be stale
  saveUrl();
  clearTimeout(timer);
  timer = setTimeout(evaluate, TEST ? 0 : 120);
}

async function evaluate(hand) {
  const seq = ++state.seq;
  const j = await post("/api/program", { source: state.source, hand: hand || [] });
  if (seq < state.shown) return j;   // an older answer arriving late
  state.shown = seq;
  if (!j.ok) {
    showError(j.error);
  } else {
    $("error").hidden = true;
    $("graph").classList.remove("stale");
    render(j);
  }
  document.body.dataset.rendered = String(seq);
  return j;
}

function showError(e) {
  const where = e.line ? `line ${e.line}, column ${e.column}: ` : "";
  const el = $("error");
  el.hidden = false;
  el.dataset.line = e.line || "";
  el.dataset.column = e.column || "";
  el.textContent = `error: ${where}${e.message}` + (e.help ? `\nhelp: ${e.help}` : "");
  if (e.line) caretLine(e.line, e.column);
  $("graph").classList.add("stale");   // the last good graph stays, dimmed
}

// Shows where the error is: the line of the program and a caret under the column.
function caretLine(line, column) {
  const text = state.source.split("\n")[line - 1] || "";
  $("error").textContent += `\n${String(line).padStart(3)} | ${text}\n    | ${" ".repeat(Math.max(0, column - 1))}^`;
}

function render(res) {
  state.res = res;
  state.nudged = false;
  const g = $("graph");
  g.innerHTML = res.svg;
  fit();
  indexSvg();
  const bad = res.non_finite
    ? ` · the first non-finite number is the ${res.non_finite.pass} of ${res.non_finite.name} (node ${res.non_finite.id}), ${res.non_finite.value}: ${res.non_finite.reason}`
    : "";
  $("summary").textContent =
    `${res.output.name} = ${fmt(res.output.data)} · ${res.values} values · gradient check ${res.check.passed ? "passed" : "FAILED"} (${res.check.rows} checked)${bad}`;
  $("summary").dataset.output = String(res.output.data);
  renderHand(res.hand);
  if (state.selected !== null && !nodeById(state.selected)) state.selected = null;
  state.step = res.schedule.length;
  showStep();
  showNode(false);
}

// A drawing up to twice the width of its box is shrunk to fit; a larger one scrolls.
function fit() {
  const g = $("graph"), svg = g.querySelector("svg");
  if (!svg) return;
  const w = Number(svg.getAttribute("width"));
  g.classList.toggle("fit", w <= 2 * g.clientWidth);
}

function indexSvg() {
  state.els.clear(); state.edgeEls.clear(); state.gradText.clear();
  const g = $("graph");
  for (const el of g.querySelectorAll("g.value[data-node-id]")) {
    const id = Number(el.dataset.nodeId);
    state.els.set(id, el);
    const cells = el.querySelectorAll("text.cell");
    if (cells.length >= 3) state.gradText.set(id, cells[2].textContent);
    el.addEventListener("click", () => select(id));
  }
  for (const el of g.querySelectorAll("g.edge")) {
    const from = el.dataset.from, to = el.dataset.to;
    if (!from.endsWith("_op") && to.endsWith("_op")) {
      const key = from.slice(1) + ">" + to.slice(1, -3);
      if (!state.edgeEls.has(key)) state.edgeEls.set(key, []);
      state.edgeEls.get(key).push(el);
    }
  }
}

function nodeById(id) {
  if (!state.res) return undefined;
  if (!state.byId || state.byId.res !== state.res) {
    state.byId = new Map(state.res.nodes.map((n) => [n.id, n]));
    state.byId.res = state.res;
  }
  return state.byId.get(id);
}

// ---- one node: its chain rule, its check, a hand grad, a nudge ---------------------------

function select(id) {
  state.selected = id;
  showNode();
}

// `nudgeNow`: run the notebook's experiment on a selected leaf at once (on a click, not
// when the graph is redrawn, which would undo going back from a nudged graph).
function showNode(nudgeNow = true) {
  for (const el of $("graph").querySelectorAll("g.value.selected")) el.classList.remove("selected");
  const n = state.selected === null ? null : nodeById(state.selected);
  const panel = $("node-panel");
  if (!n) {
    panel.dataset.nodeId = "";
    $("node-title").textContent = "Click a value to read its chain rule";
    $("node-derivation").textContent = "";
    $("node-check").textContent = "";
    $("hand-box").hidden = true;
    $("nudge-box").hidden = true;
    return;
  }
  const el = state.els.get(n.id);
  if (el) el.classList.add("selected");
  panel.dataset.nodeId = String(n.id);
  $("node-title").textContent = n.header;
  $("node-derivation").textContent = n.derivation.join("\n");
  const c = n.check;
  const box = $("node-check");
  box.innerHTML = "";
  if (c) {
    const words = { pass: "ok: backprop and the finite difference agree", fail: "WRONG: they disagree", kink: "a kink: not differentiable here, so the two need not agree (not a failure)", "non-finite": "not finite" };
    const line = document.createElement("div");
    line.className = c.verdict;
    line.dataset.verdict = c.verdict;
    line.textContent = `gradient check: backprop ${fmt(c.analytic)}, finite difference ${fmt(c.numeric)} (h ${c.h}) · ${words[c.verdict]}` + (c.note ? ` · ${c.note}` : "");
    box.appendChild(line);
  }
  $("hand-box").hidden = false;
  $("hand-name").textContent = n.name;
  if (state.panelFor !== n.id) {   // a new value: a fresh field (a redraw keeps the verdict)
    $("hand-result").textContent = "";
    $("hand-result").className = "result";
    $("hand-input").value = "";
    state.panelFor = n.id;
  }
  $("nudge-box").hidden = !n.leaf;
  $("nudge-name").textContent = n.name;
  for (const k of ["before", "after", "fd", "grad"]) $("nudge-" + k).textContent = "";
  delete $("nudge-table").dataset.fd;
  if (n.leaf && nudgeNow) nudge(Number($("nudge-h").value));   // the notebook's experiment
}

async function checkHand() {
  const n = nodeById(state.selected);
  const given = Number($("hand-input").value);
  if (!n || $("hand-input").value.trim() === "" || !isFinite(given)) {
    $("hand-result").textContent = "type a number";
    return;
  }
  const j = await post("/api/program", { source: state.source, hand: [[n.id, given]] });
  if (!j.ok) { showError(j.error); return; }
  const h = j.hand[j.hand.length - 1];
  const r = $("hand-result");
  r.className = "result " + (h.right ? "right" : "wrong");
  r.dataset.right = String(h.right);
  r.dataset.correct = String(h.correct);
  r.textContent = h.right
    ? `right: d${state.res.output.name}/d${h.name} = ${fmt(h.correct)}`
    : `not right: it should be ${fmt(h.correct)}, because\n${h.derivation.join("\n")}`;
}

function renderHand(list) {
  const ul = $("hand-list");
  ul.innerHTML = "";
  const own = list.filter((h) => h.line);
  if (own.length === 0) {
    ul.innerHTML = "<li>none: write <code>f.grad = 4</code> in the program, or type a grad into a value</li>";
    return;
  }
  for (const h of own) {
    const li = document.createElement("li");
    li.className = h.right ? "right" : "wrong";
    li.dataset.nodeId = String(h.id);
    li.textContent = `line ${h.line}: ${h.name}.grad = ${fmt(h.given)} ` + (h.right ? "✓ right" : `✗ should be ${fmt(h.correct)}`);
    if (!h.right) {
      const pre = document.createElement("pre");
      pre.className = "formula";
      pre.textContent = h.derivation.join("\n");
      li.appendChild(pre);
    }
    ul.appendChild(li);
  }
}

async function nudge(h) {
  const n = nodeById(state.selected);
  if (!n || !n.leaf || !isFinite(h) || h === 0) return;
  const j = await post("/api/nudge", { source: state.source, node: n.id, h });
  if (state.selected !== n.id) return;   // another value was clicked meanwhile
  if (!j.ok) { $("nudge-fd").textContent = j.error.message; return; }
  $("nudge-before").textContent = fmt(j.before);
  $("nudge-after").textContent = fmt(j.after);
  $("nudge-fd").textContent = fmt(j.finite_difference);
  $("nudge-grad").textContent = fmt(j.grad);
  $("nudge-table").dataset.fd = String(j.finite_difference);
  $("nudge-table").dataset.grad = String(j.grad);
  $("nudge-table").dataset.h = String(j.h);
  // The graph as replayed at a + h, drawn by the library; stepping or editing goes back.
  $("graph").innerHTML = j.svg;
  fit();
  indexSvg();
  state.nudged = true;
  const el = state.els.get(n.id);
  if (el) el.classList.add("selected");
  $("summary").textContent = `showing the graph replayed at ${j.name} = ${fmt(j.a)} + ${j.h}: ${state.res.output.name} = ${fmt(j.after)} (was ${fmt(j.before)})`;
}

// ---- stepping through backward -----------------------------------------------------------

function showStep(scroll) {
  const res = state.res;
  if (!res) return;
  const sched = res.schedule;
  const k = state.step;
  // Linear in the graph: the position of each node in the schedule, once per render.
  if (!state.order || state.order.res !== res) {
    state.order = new Map(sched.map((s, i) => [s.node, i]));
    state.order.res = res;
  }
  for (const [id, el] of state.els) {
    const cell = el.querySelectorAll("text.cell")[2];
    const at = state.order.get(id);
    const isKnown = at === undefined || at < k;
    el.classList.toggle("step-unknown", !isKnown);
    el.classList.remove("step-lit");
    if (cell) cell.textContent = isKnown ? state.gradText.get(id) : "grad ?";
  }
  for (const els of state.edgeEls.values()) for (const e of els) e.classList.remove("step-lit");
  const svg = $("graph").querySelector("svg");
  if (svg) for (const t of svg.querySelectorAll("text.edge-label")) t.remove();
  const status = $("step-status");
  if (k === 0) {
    status.textContent = `Step 0 of ${sched.length}: before backward, no grad is known`;
    status.dataset.node = "";
    $("step-formula").textContent = "";
  } else {
    const s = sched[k - 1];
    const el = state.els.get(s.node);
    if (el) {
      el.classList.add("step-lit");
      if (scroll) el.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    for (const e of s.edges) {
      for (const g of state.edgeEls.get(e.from + ">" + e.to) || []) {
        g.classList.add("step-lit");
        label(svg, g, `× ${fmt(e.local)}`);
      }
    }
    status.textContent = `Step ${k} of ${sched.length}: d${res.output.name}/d${s.name} = ${fmt(s.grad)}`;
    status.dataset.node = String(s.node);
    $("step-formula").textContent = nodeById(s.node).derivation.join("\n");
  }
  status.dataset.step = String(k);
  $("home").disabled = $("prev").disabled = k === 0;
  $("end").disabled = $("next").disabled = k === sched.length;
}

// Writes the local derivative at the middle of an edge the browser has already drawn.
function label(svg, edge, text) {
  const path = edge.querySelector("path");
  if (!svg || !path || !path.getTotalLength) return;
  const p = path.getPointAtLength(path.getTotalLength() * 0.6);
  const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
  t.setAttribute("class", "edge-label");
  t.setAttribute("x", p.x);
  t.setAttribute("y", p.y - 7);
  t.setAttribute("text-anchor", "middle");
  t.dataset.from = edge.dataset.from;
  t.textContent = text;
  svg.appendChild(t);
}

function go(k) {
  if (!state.res) return;
  if (state.nudged) { state.nudged = false; const at = state.step; render(state.res); state.step = at; }
  state.step = Math.max(0, Math.min(state.res.schedule.length, k));
  showStep(true);
}

document.addEventListener("keydown", (e) => {
  if (currentView() !== "graph") return;
  const t = e.target.tagName;
  if (t === "TEXTAREA" || t === "INPUT" || t === "SELECT") return;
  const n = state.res ? state.res.schedule.length : 0;
  const to = { ArrowRight: state.step + 1, ArrowLeft: state.step - 1, Home: 0, End: n }[e.key];
  if (to !== undefined) { e.preventDefault(); go(to); }
});

// ---- the training view -------------------------------------------------------------------

const train = { id: null, source: null, points: [], history: [], frame: null, config: null };

function trainConfig() {
  const v = (k) => $("t-" + k).value;
  return {
    dataset: v("dataset"), noise: Number(v("noise")), samples: Number(v("samples")),
    seed: Number(v("seed")), activation: v("activation"), loss: v("loss"),
    optimizer: v("optimizer"), lr: Number(v("lr")), batch: Number(v("batch")), steps: Number(v("steps")),
    layers: v("layers").split(",").map((s) => s.trim()).filter((s) => s).map(Number),
    classes: v("loss") === "softmax-ce" && ["blobs", "spiral"].includes(v("dataset")) ? 3 : 2,
    pace: TEST ? 0 : 40,
  };
}

async function startTraining() {
  if (train.source) train.source.close();
  train.id = null;
  train.history = [];
  const cfg = trainConfig();
  const j = await post("/api/train", cfg);
  if (!j.ok) { trainError(j.error.message); return false; }
  $("t-error").hidden = true;
  train.id = j.id;
  train.points = j.points;
  train.config = JSON.stringify(cfg);
  train.source = new EventSource(`/api/train/${j.id}/events`);
  train.source.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  return true;
}

function trainError(msg) {
  $("t-error").hidden = false;
  $("t-error").textContent = msg;
}

async function control(action) {
  if (!train.id || train.config !== JSON.stringify(trainConfig())) {
    if (!(await startTraining())) return;
    if (action === "reset") return;
  }
  const j = await post(`/api/train/${train.id}/control`, { action });
  if (!j.ok) trainError(j.error.message);
  if (action === "reset") train.history = [];
}

function onFrame(f) {
  train.frame = f;
  train.history = f.history.map(([step, loss, accuracy]) => ({ step, loss, accuracy }));
  const acc = typeof f.accuracy === "number" ? (100 * f.accuracy).toFixed(1) + "%" : fmt(f.accuracy);
  const st = $("t-status");
  st.textContent = `step ${f.step} of ${f.of}` + (f.loss !== null ? ` · loss ${fmt(f.loss)} · accuracy ${acc}` : "") + (f.playing ? " · playing" : "") + (f.note ? ` · ${f.note}` : "");
  st.dataset.step = String(f.step);
  st.dataset.accuracy = String(f.accuracy);
  st.dataset.playing = String(f.playing);
  if (f.non_finite) trainError(f.non_finite); else $("t-error").hidden = true;
  drawBoundary(f);
  drawChart();
}

const CLASS_COLOURS = [[28, 126, 214], [240, 140, 0], [47, 158, 68], [174, 62, 201], [224, 49, 49], [16, 152, 173], [121, 80, 242], [134, 142, 150]];

function drawBoundary(f) {
  const cv = $("t-boundary"), ctx = cv.getContext("2d");
  const g = f.grid, W = cv.width, H = cv.height;
  // The server's grid of scores, one pixel each, then scaled up smoothly.
  const small = document.createElement("canvas");
  small.width = small.height = g.n;
  const img = small.getContext("2d").createImageData(g.n, g.n);
  for (let k = 0; k < g.n * g.n; k++) {
    const s = g.scores[k];
    let rgb, a;
    if (typeof s === "string") { rgb = [0, 0, 0]; a = 0.8; }       // NaN or infinite: shown, not blank
    else if (f.multiclass) { rgb = CLASS_COLOURS[s % CLASS_COLOURS.length]; a = 0.35; }
    else { rgb = s > 0 ? CLASS_COLOURS[1] : CLASS_COLOURS[0]; a = 0.12 + 0.45 * Math.min(1, Math.abs(Math.tanh(s))); }
    img.data.set([rgb[0], rgb[1], rgb[2], Math.round(255 * a)], 4 * k);
  }
  small.getContext("2d").putImageData(img, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, W, H);
  for (const [x, y, c] of train.points) {
    const px = (x - g.x0) / (g.x1 - g.x0) * W, py = (g.y1 - y) / (g.y1 - g.y0) * H;
    const rgb = CLASS_COLOURS[(f.multiclass ? c : (c ? 1 : 0)) % CLASS_COLOURS.length];
    ctx.beginPath();
    ctx.arc(px, py, 4, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
  cv.dataset.frames = String(Number(cv.dataset.frames || 0) + 1);
}

function drawChart() {
  const cv = $("t-chart"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height;
  ctx.clearRect(0, 0, W, H);
  const h = train.history.filter((p) => typeof p.loss === "number");
  ctx.fillStyle = "#495057";
  ctx.font = "12px sans-serif";
  ctx.fillText("loss (orange) and accuracy (blue) by step", 8, 14);
  if (h.length < 2) return;
  const of = train.frame ? train.frame.of : h[h.length - 1].step;
  const maxLoss = Math.max(...h.map((p) => p.loss), 1e-9);
  const line = (key, scale, colour) => {
    ctx.beginPath();
    h.forEach((p, k) => {
      const x = 8 + (W - 16) * p.step / of, y = H - 8 - (H - 30) * p[key] / scale;
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.stroke();
  };
  line("loss", maxLoss, "rgb(240,140,0)");
  line("accuracy", 1, "rgb(28,126,214)");
}

// The graph of one data point through the current model, with its grads.
async function showPoint() {
  if (!train.id) { trainError("start training first (Play or Step)"); return; }
  const i = Number($("t-point").value);
  const j = await post(`/api/train/${train.id}/control`, { point: i });
  if (!j.ok) { trainError(j.error.message); return; }
  $("t-point-graph").innerHTML = j.svg;
  $("t-point-graph").dataset.point = String(i);
  // A model's graph is tall: start at its output, the loss, and read back from there.
  const out = $("t-point-graph").querySelector("g.value.out");
  if (out) {
    const box = $("t-point-graph"), r = out.getBoundingClientRect(), b = box.getBoundingClientRect();
    box.scrollLeft += r.right - b.right + 24;
    box.scrollTop += r.top - b.top - box.clientHeight / 2;
  }
  const bad = j.non_finite ? ` · the first non-finite number is the ${j.non_finite.pass} of ${j.non_finite.name}: ${j.non_finite.reason}` : "";
  $("t-point-summary").textContent =
    `point ${i} at (${j.point.x.map((v) => v.toFixed(3)).join(", ")}), class ${j.point.class}: loss ${fmt(j.output.data)} · ${j.values} values at step ${train.frame ? train.frame.step : 0}${bad}`;
}

// A click on the boundary picks the nearest data point.
function pickPoint(ev) {
  const f = train.frame;
  if (!f || train.points.length === 0) return;
  const cv = $("t-boundary"), r = cv.getBoundingClientRect();
  const x = f.grid.x0 + (ev.clientX - r.left) / r.width * (f.grid.x1 - f.grid.x0);
  const y = f.grid.y1 - (ev.clientY - r.top) / r.height * (f.grid.y1 - f.grid.y0);
  let best = 0, dist = Infinity;
  train.points.forEach(([px, py], k) => {
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d < dist) { dist = d; best = k; }
  });
  $("t-point").value = best;
  showPoint();
}

// ---- views and wiring --------------------------------------------------------------------

function currentView() {
  return $("view-train").hidden ? "graph" : "train";
}

function showView(v) {
  $("view-graph").hidden = v !== "graph";
  $("view-train").hidden = v !== "train";
  $("tab-graph").classList.toggle("current", v === "graph");
  $("tab-train").classList.toggle("current", v === "train");
  saveUrl();
}

$("editor").value = state.source;
$("editor").addEventListener("input", edited);
$("home").onclick = () => go(0);
$("prev").onclick = () => go(state.step - 1);
$("next").onclick = () => go(state.step + 1);
$("end").onclick = () => go(Infinity);
$("hand-check").onclick = checkHand;
$("hand-input").addEventListener("keydown", (e) => { if (e.key === "Enter") checkHand(); });
$("nudge-h").addEventListener("change", () => nudge(Number($("nudge-h").value)));
$("nudge-slider").addEventListener("input", () => {
  $("nudge-h").value = $("nudge-slider").value;
  nudge(Number($("nudge-slider").value));
});
$("tab-graph").onclick = () => showView("graph");
$("tab-train").onclick = () => showView("train");
for (const a of ["play", "pause", "step", "reset"]) $("t-" + a).onclick = () => control(a);
for (const k of TRAIN_KEYS) $("t-" + k).addEventListener("change", saveUrl);
$("t-point-show").onclick = showPoint;
$("t-boundary").addEventListener("click", pickPoint);
loadUrl();
saveUrl();
evaluate();

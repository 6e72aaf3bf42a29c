//! The library's show-your-work for Python graphs: the graph a Value depends on is copied
//! onto a `chainrule::Graph` tape (in creation order, each op by its code with
//! `Graph::record`), and drawing, explanation, checks, steps and `grad` run there.

use chainrule::{
    Arity, BackwardSchedule, DrawOptions, Graph, Highlight, Op, Pass, RankDir, ShowGrads, Step,
    Var, Verdict,
};
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::time::Instant;

use crate::interrupt;

use crate::value::{
    backward_grads, float_repr, new_node, release, topo_at_most, type_name, Kids, Kind, Value,
    MICROGRAD_OPS,
};

/// The graph some roots depend on, copied onto a tape.
pub(crate) struct Copied<'py, 'g> {
    /// The Python nodes, in creation order.
    pub(crate) nodes: Vec<Bound<'py, Value>>,
    /// The copy of each Python node (`vars[k]` is the copy of `nodes[k]`).
    pub(crate) vars: Vec<Var<'g>>,
    /// For each tape node, the Python node it is, or is part of: a fused neuron is two
    /// tape nodes, `w·x` and then `b + w·x`, the second being its copy.
    owner: Vec<usize>,
    /// The user-made nodes copied as the straight line their own `_backward` gives.
    lines: Vec<usize>,
    /// Whether any node has a `_backward` the user assigned.
    user_backward: bool,
}

impl<'py> Copied<'py, '_> {
    /// The Python node the tape node `i` is (or is part of).
    fn node(&self, i: usize) -> &Bound<'py, Value> {
        &self.nodes[self.owner[i]]
    }

    /// Where `n` is in `nodes` (by its creation id: `nodes` is in creation order, and ids,
    /// unlike slots, no traversal renumbers).
    fn position(&self, n: &Value) -> usize {
        self.nodes
            .binary_search_by_key(&n.id, |m| m.get().id)
            .expect("a node of the copied graph")
    }

    /// The copy of `n`, a node of the copied graph.
    fn var_of(&self, n: &Value) -> Var<'_> {
        self.vars[self.position(n)]
    }

    /// The copy of the last root.
    pub(crate) fn last(&self) -> Var<'_> {
        self.vars[self.vars.len() - 1]
    }
}

/// How a neuron of `chainrule.nn` (one fused node) is copied.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Neurons {
    /// As micrograd makes it: `b + w₀·x₀`, then `+ w₁·x₁` …, a `*` node per weight and
    /// a `+` node per sum, with the same values and grads (what the lecture draws).
    Micrograd,
    /// One `dot` node `w·x`, then `+ b`: half the nodes, for speed.
    Compact,
}

impl Neurons {
    pub(crate) fn parse(name: &str) -> PyResult<Neurons> {
        match name {
            "micrograd" => Ok(Neurons::Micrograd),
            "compact" => Ok(Neurons::Compact),
            other => Err(PyValueError::new_err(format!(
                "neurons must be 'micrograd' (a * per weight and a + per sum, as micrograd \
                 draws a neuron) or 'compact' (one dot node, then + b), not {other:?}"
            ))),
        }
    }
}

/// A fused neuron `b + w·x` on `g`, from its operands `[b, w…, x…]`, as `how` says; every
/// node made gets the neuron's `grad` (each is used once, so micrograd's nodes all have
/// the grad of the sum).
fn neuron<'g>(g: &'g Graph, operands: &[Var<'g>], grad: f64, how: Neurons) -> Var<'g> {
    let m = (operands.len() - 1) / 2;
    let (b, w, x) = (operands[0], &operands[1..1 + m], &operands[1 + m..]);
    if how == Neurons::Compact || m == 0 {
        let dot = g.dot(w, x);
        dot.set_grad(grad);
        return b + dot;
    }
    // micrograd's `sum((wi*xi for wi, xi in zip(w, x)), b)`: each product is made just
    // before it is added, bias first, so the values are the fused node's bit for bit.
    let mut sum = b;
    for (&wi, &xi) in w.iter().zip(x) {
        let product = wi * xi;
        product.set_grad(grad);
        if sum.index() != b.index() {
            sum.set_grad(grad);
        }
        sum += product;
    }
    sum
}

/// The Python nodes `roots` depend on, in creation order, and their copies on `g`.
///
/// A node the user made with `_children` is copied by the rule of the op its `_op` names
/// (the lecture's `'tanh'`, `'exp'`, `'**2'` …) when it has that op's operands and value.
/// Otherwise its local derivatives are read from its own `_backward` (called once with
/// grad 1, every grad restored after) and it is copied as `Σ ∂ᵢ·xᵢ` with those numbers
/// as constants; with no `_backward` of the user's it does nothing in backward, as in
/// micrograd, and is a leaf on the copy.
pub(crate) fn copy<'py, 'g>(
    py: Python<'py>,
    g: &'g Graph,
    roots: &[Bound<'py, Value>],
    neurons: Neurons,
) -> PyResult<Copied<'py, 'g>> {
    copy_at_most(py, g, roots, neurons, usize::MAX).map_err(|e| match e {
        Refused::Python(e) => e,
        Refused::TooBig => unreachable!("no graph has usize::MAX nodes"),
    })
}

/// Why a copy was not made.
pub(crate) enum Refused {
    /// The graph has more nodes than allowed (found while walking it, before copying).
    TooBig,
    /// A user's `_backward` raised.
    Python(PyErr),
}

impl From<PyErr> for Refused {
    fn from(e: PyErr) -> Refused {
        Refused::Python(e)
    }
}

/// [`copy`], refused as soon as the walk finds more than `limit` nodes.
pub(crate) fn copy_at_most<'py, 'g>(
    py: Python<'py>,
    g: &'g Graph,
    roots: &[Bound<'py, Value>],
    neurons: Neurons,
    limit: usize,
) -> Result<Copied<'py, 'g>, Refused> {
    let nodes = topo_at_most(py, roots, limit).ok_or(Refused::TooBig)?;
    // Each node's children by position in `nodes`, read before any `_backward` of the
    // user's runs (one that walks a graph itself would renumber the nodes' slots).
    let kid_slots: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.get()
                .kids()
                .iter()
                .map(|ch| ch.get().slot.get())
                .collect()
        })
        .collect();
    let mut vars: Vec<Var<'g>> = Vec::with_capacity(nodes.len());
    let mut owner: Vec<usize> = Vec::with_capacity(nodes.len());
    let mut lines = Vec::new();
    let mut user_backward = false;
    for (k, n) in nodes.iter().enumerate() {
        interrupt::poll(py, k)?;
        let r = n.get();
        user_backward |= r.has_user_backward();
        let operands: Vec<Var<'g>> = kid_slots[k].iter().map(|&i| vars[i]).collect();
        let v = match r.kind() {
            Kind::Op(op, c) => g.record(op, &operands, c),
            Kind::Neuron => neuron(g, &operands, r.grad_value(), neurons),
            Kind::Custom => match named_rule(r, &operands) {
                Some((op, c)) => g.record(op, &operands, c),
                None => match local_derivatives(py, n)? {
                    Some(partials) => {
                        lines.push(k);
                        affine(g, r, &operands, &partials)
                    }
                    None => g.leaf(r.value()),
                },
            },
            Kind::Leaf => g.leaf(r.value()),
        };
        if v.data().to_bits() != r.value().to_bits() {
            v.set_data(r.value());
        }
        let mut label = r.label_text();
        if label.is_empty() && r.kind() == Kind::Custom {
            label = r.op_text();
        }
        if !label.is_empty() {
            v.set_label(&label);
        }
        v.set_grad(r.grad_value());
        vars.push(v);
        owner.resize(g.len(), k);
    }
    Ok(Copied {
        nodes,
        vars,
        owner,
        lines,
        user_backward,
    })
}

/// A user-made node with no known rule, as the straight line its own `_backward` gives:
/// `Σ ∂ᵢ·xᵢ + k·1`, with `k` chosen so that the line passes through the node's value, the
/// `∂ᵢ` and `k` constants (labelled `∂op/∂x`, `op offset`). Backprop through it is the
/// user's rule; a replay moves along the line.
fn affine<'g>(g: &'g Graph, r: &Value, operands: &[Var<'g>], partials: &[(usize, f64)]) -> Var<'g> {
    let op = r.op_text();
    let op = if op.is_empty() { "op".to_string() } else { op };
    let mut xs: Vec<Var<'g>> = Vec::with_capacity(partials.len() + 1);
    let mut ds: Vec<Var<'g>> = Vec::with_capacity(partials.len() + 1);
    let mut offset = r.value();
    for &(i, d) in partials {
        let x = operands[i];
        let name = x.label().unwrap_or_else(|| format!("x{i}"));
        let c = g.constant(d);
        c.set_label(&format!("∂{op}/∂{name}"));
        xs.push(x);
        ds.push(c);
        offset -= d * x.data();
    }
    let one = g.constant(1.0);
    one.set_label("1");
    let k = g.constant(offset);
    k.set_label(&format!("{op} offset"));
    xs.push(one);
    ds.push(k);
    g.dot(&xs, &ds)
}

/// The table op a user-made node's `_op` names, as micrograd and its lecture write them,
/// when the node has that op's operands and (to 1e-9) its value.
fn named_rule(r: &Value, operands: &[Var<'_>]) -> Option<(Op, f64)> {
    let text = r.op_text();
    let operands_of = |op: Op| match op.arity() {
        Arity::Binary => 2,
        _ => 1,
    };
    let named = MICROGRAD_OPS
        .iter()
        .find(|(op, texts)| texts.contains(&text.as_str()) && operands_of(*op) == operands.len());
    let (op, c) = match named {
        Some(&(op, _)) => (op, 0.0),
        // micrograd's `x**2`: the power is in the text.
        None if operands.len() == 1 && text.starts_with("**") => {
            (Op::PowConst, text[2..].trim().parse::<f64>().ok()?)
        }
        None => return None,
    };
    let x = operands[0].data();
    let y = operands.get(1).map_or(0.0, |v| v.data());
    let want = op.apply(x, y, c);
    let have = r.value();
    let close = want == have
        || (want.is_nan() && have.is_nan())
        || (want - have).abs() <= 1e-9 * want.abs().max(have.abs()).max(1.0);
    close.then_some((op, c))
}

/// A user-made node's local derivatives, by its own `_backward`: `(operand index, ∂)` for
/// each distinct child, or None when the user gave it no `_backward`. The grads of the
/// node and its children (all a `_backward` touches) are as they were afterwards.
fn local_derivatives(py: Python<'_>, n: &Bound<'_, Value>) -> PyResult<Option<Vec<(usize, f64)>>> {
    let Some(f) = n.get().user_backward(py) else {
        return Ok(None);
    };
    let mut around: Vec<Bound<'_, Value>> = vec![n.clone()];
    around.extend(n.get().kids().iter().map(|k| k.bind(py).clone()));
    let saved: Vec<f64> = around.iter().map(|v| v.get().grad_value()).collect();
    for v in &around[1..] {
        v.get().set_grad_value(0.0);
    }
    n.get().set_grad_value(1.0);
    let called = f.call0(py);
    let kids = &around[1..];
    let mut out: Vec<(usize, f64)> = Vec::new();
    for (i, k) in kids.iter().enumerate() {
        if !kids[..i].iter().any(|e| e.is(k)) {
            out.push((i, k.get().grad_value()));
        }
    }
    // In reverse, so that a child listed twice ends with its own saved grad.
    for (v, g) in around.iter().zip(saved).rev() {
        v.get().set_grad_value(g);
    }
    called?;
    Ok(Some(out))
}

pub(crate) fn root_of<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, Value>> {
    obj.cast::<Value>()
        .cloned()
        .map_err(|_| PyTypeError::new_err(format!("{what} takes a Value, not {}", type_name(obj))))
}

fn err<E: std::fmt::Display>(e: E) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// A drawing of a graph as it was when drawn: a copy of it on a tape, and how to draw.
#[pyclass(module = "chainrule._core", unsendable)]
pub struct Drawing {
    g: Graph,
    root: usize,
    opts: DrawOptions,
}

impl Drawing {
    fn var(&self) -> Var<'_> {
        self.g.get(self.root).expect("the root is on the tape")
    }
}

#[pymethods]
impl Drawing {
    /// The Graphviz DOT text of the drawing.
    #[getter]
    fn source(&self) -> String {
        self.var().to_dot(&self.opts)
    }

    /// The drawing as SVG text, laid out by chainrule (no Graphviz needed).
    fn svg(&self) -> PyResult<String> {
        self.var().to_svg(&self.opts).map_err(err)
    }

    /// The drawing as PNG bytes, rendered by chainrule (no Graphviz needed).
    fn png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.var().to_png(&self.opts).map_err(err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// How many values the drawing shows.
    fn __len__(&self) -> usize {
        self.var().trace().nodes.len()
    }
}

fn options(rankdir: &str, grads: bool) -> PyResult<DrawOptions> {
    let rankdir = match rankdir {
        "LR" => RankDir::LR,
        "TB" => RankDir::TB,
        other => {
            return Err(PyValueError::new_err(format!(
                "rankdir must be 'LR' or 'TB', not {other:?}"
            )))
        }
    };
    Ok(DrawOptions {
        rankdir,
        grads: if grads {
            ShowGrads::Always
        } else {
            ShowGrads::Never
        },
        ..DrawOptions::default()
    })
}

/// Draws the graph `root` depends on, as it is now; `neurons` is 'micrograd' or
/// 'compact' (see [`Neurons`]).
#[pyfunction]
#[pyo3(signature = (root, rankdir = "LR", grads = true, neurons = "micrograd"))]
pub fn draw(
    root: &Bound<'_, PyAny>,
    rankdir: &str,
    grads: bool,
    neurons: &str,
) -> PyResult<Drawing> {
    let root = root_of(root, "draw_dot")?;
    let opts = options(rankdir, grads)?;
    let neurons = Neurons::parse(neurons)?;
    let g = Graph::new();
    let root = copy(root.py(), &g, std::slice::from_ref(&root), neurons)?
        .last()
        .index();
    Ok(Drawing { g, root, opts })
}

/// The chain rule per node, as the notebook writes it: `(text, markdown)`; `neurons` as
/// [`draw`] takes it.
#[pyfunction]
#[pyo3(signature = (root, neurons = "micrograd"))]
pub fn explain(root: &Bound<'_, PyAny>, neurons: &str) -> PyResult<(String, String)> {
    let root = root_of(root, "explain")?;
    let neurons = Neurons::parse(neurons)?;
    let g = Graph::new();
    let ex = copy(root.py(), &g, std::slice::from_ref(&root), neurons)?
        .last()
        .explain();
    Ok((ex.to_string(), ex.to_markdown()))
}

/// Finite differences against backprop, for every leaf: a dict with `passed`, `text`,
/// `markdown`, `rows`, `assumed` (the user's ops taken as the line their `_backward`
/// gives) and `yours` (`(value, grad)` per row: the grad the user's own `backward()`
/// gives, when any node has a `_backward` of the user's; a row where it differs from the
/// chain rule fails). The text's first line says whether the check passed.
#[pyfunction]
pub fn grad_check<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = root.py();
    let root = root_of(root, "grad_check")?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root), Neurons::Compact)?;
    let mut check = interruptible_grad_check(py, &g, c.last())?;
    let out = PyDict::new(py);
    let mut notes = Vec::new();
    if c.user_backward {
        let yours = backward_grads(py, root.get(), &c.nodes)?;
        let pairs = PyList::empty(py);
        let mut wrong = 0;
        for r in &mut check.rows {
            let (a, mine) = (r.analytic, yours[c.owner[r.index]]);
            pairs.append((c.node(r.index), mine))?;
            if mine == a || (mine - a).abs() <= 1e-9 * a.abs().max(mine.abs()).max(1.0) {
                continue;
            }
            wrong += 1;
            r.verdict = Verdict::Fail;
            r.note = Some(format!(
                "your backward() gives {}; the chain rule gives {}",
                float_repr(py, mine)?,
                float_repr(py, a)?
            ));
        }
        out.set_item("yours", pairs)?;
        notes.push(match wrong {
            0 => "Your _backward closures give the chain rule's grads for every leaf.".to_string(),
            n => format!(
                "Your _backward closures disagree with the chain rule at {n} of {} leaves (the \
                 rows marked WRONG): look for `=` where `+=` belongs.",
                check.rows.len()
            ),
        });
    }
    let assumed = PyList::empty(py);
    let mut ops: Vec<String> = Vec::new();
    for &k in &c.lines {
        let op = c.nodes[k].get().op_text();
        assumed.append((&c.nodes[k], &op))?;
        ops.push(if op.is_empty() { "(no _op)".into() } else { op });
    }
    if !ops.is_empty() {
        ops.sort();
        ops.dedup();
        notes.push(format!(
            "Ops of your own taken as given ({}): chainrule cannot re-run their forward, so each \
             is checked as the straight line its own _backward gives; the rest of the graph is \
             held to that rule.",
            ops.join(", ")
        ));
    }
    let table = check.to_string();
    let headline = headline(&check, &table);
    let mut text = format!("{headline}\n{table}");
    let mut markdown = format!("**{headline}**\n\n{}", check.to_markdown());
    for n in &notes {
        text = format!("{}\n{n}", text.trim_end());
        markdown = format!("{}\n\n{n}", markdown.trim_end());
    }
    out.set_item("passed", check.passed())?;
    out.set_item("text", text)?;
    out.set_item("markdown", markdown)?;
    let rows = PyList::empty(py);
    for r in &check.rows {
        let d = PyDict::new(py);
        d.set_item("node", c.node(r.index))?;
        d.set_item("name", &r.name)?;
        d.set_item("data", r.data)?;
        d.set_item("h", r.h)?;
        d.set_item("analytic", r.analytic)?;
        d.set_item("numeric", r.numeric)?;
        d.set_item("abs_err", r.abs_err)?;
        d.set_item("rel_err", r.rel_err)?;
        d.set_item("verdict", r.verdict.word())?;
        d.set_item("note", r.note.clone())?;
        rows.append(d)?;
    }
    out.set_item("rows", rows)?;
    out.set_item("assumed", assumed)?;
    Ok(out)
}

/// `out.grad_check()`, leaves a chunk at a time with a look for Ctrl-C between chunks.
/// Each call of the library's check first computes the names and adjoints of the whole
/// graph (its fixed cost); a chunk is sized to take a quarter of a second or four times
/// that cost, whichever is longer, so chunking adds at most a third to the check, and
/// Ctrl-C is heard within about that long. The rows are those of one call, in order.
///
/// A chunk's size comes from the last chunk's whole time per leaf, fixed cost included:
/// an estimate that can only be too high, so a chunk never runs long. (Subtracting the
/// fixed cost measured once, cold, could leave nothing: the next chunk then took every
/// leaf and Ctrl-C waited twenty seconds.) Chunks also at most double, so one fast
/// measurement cannot make a long one.
fn interruptible_grad_check<'g>(
    py: Python<'_>,
    g: &'g Graph,
    out: Var<'g>,
) -> PyResult<chainrule::GradCheck> {
    let options = chainrule::CheckOptions::default();
    // The leaves `out` depends on, in tape order, as the library's own check takes them.
    let mut seen = vec![false; out.index() + 1];
    seen[out.index()] = true;
    for i in (0..=out.index()).rev() {
        if seen[i] {
            for c in g.get(i).expect("on the tape").children() {
                seen[c.index()] = true;
            }
        }
    }
    let leaves: Vec<Var<'g>> = (0..=out.index())
        .filter(|&i| seen[i])
        .filter_map(|i| g.get(i))
        .filter(|v| v.op() == Op::Leaf)
        .collect();
    let t0 = Instant::now();
    let mut check = out.grad_check_of(&[], options);
    let want = (4.0 * t0.elapsed().as_secs_f64()).max(0.25);
    let mut done = 0;
    let mut chunk = 1;
    while done < leaves.len() {
        py.check_signals()?;
        let part = &leaves[done..(done + chunk).min(leaves.len())];
        let t = Instant::now();
        let rows = out.grad_check_of(part, options).rows;
        let per_leaf = t.elapsed().as_secs_f64().max(1e-9) / part.len() as f64;
        done += part.len();
        check.rows.extend(rows);
        chunk = ((want / per_leaf) as usize).clamp(1, 2 * part.len());
    }
    Ok(check)
}

/// The first line of a check's report: whether it passed, and its counts (the summary
/// line of the library's table, `7 checked: 7 ok`).
fn headline(check: &chainrule::GradCheck, table: &str) -> String {
    let counts = format!("{} checked:", check.rows.len());
    let summary = table
        .lines()
        .find(|l| l.starts_with(&counts))
        .unwrap_or(&counts)
        .trim_end_matches('.');
    let verdict = if check.passed() { "passed" } else { "FAILED" };
    format!("Gradient check {verdict}: {summary}")
}

/// Checks grads given by hand (`pairs` of `(value, grad)`) against the chain rule: one
/// dict per pair with `name`, `given`, `correct`, `right`, `derivation`, `text`, and the
/// diagnosis of a wrong one: `mistakes` (the catalogue's ids), `follows_from_yours` (right
/// given the learner's own upstream grads) and `diagnosis` (its lines of text).
#[pyfunction]
pub fn check_hand_grads<'py>(
    root: &Bound<'py, PyAny>,
    pairs: Vec<(Bound<'py, PyAny>, f64)>,
) -> PyResult<Bound<'py, PyList>> {
    let py = root.py();
    let root = root_of(root, "check_hand_grads")?;
    let mut all = vec![root.clone()];
    let mut hand = Vec::new();
    for (v, grad) in &pairs {
        all.push(root_of(v, "check_hand_grads")?);
        hand.push(*grad);
    }
    let g = Graph::new();
    let c = copy(py, &g, &all, Neurons::Micrograd)?;
    let out_var = c.var_of(root.get());
    let given: Vec<(Var<'_>, f64)> = all[1..]
        .iter()
        .zip(&hand)
        .map(|(v, &h)| (c.var_of(v.get()), h))
        .collect();
    let checks = out_var.check_hand_grads(&given);
    let out = PyList::empty(py);
    for (c, v) in checks.iter().zip(&all[1..]) {
        let d = PyDict::new(py);
        d.set_item("node", v)?;
        d.set_item("name", &c.name)?;
        d.set_item("given", c.given)?;
        d.set_item("correct", c.correct)?;
        d.set_item("right", c.right)?;
        d.set_item("derivation", c.derivation.clone())?;
        d.set_item("text", c.to_string())?;
        d.set_item("mistakes", c.diagnosis.ids())?;
        d.set_item("follows_from_yours", c.diagnosis.follows_from_yours)?;
        d.set_item("diagnosis", c.diagnosis.text.clone())?;
        out.append(d)?;
    }
    Ok(out)
}

/// The most values `steps()` walks. Its memory is linear in the graph (a copy of it and
/// each node's explanation), and every step's drawing lays out the whole graph: beyond
/// this, `explain()` is the way to read the chain rule.
pub(crate) const MAX_STEPS: usize = 100_000;

/// The backward pass of a graph, step by step: a copy of the graph on a tape and its
/// schedule (the nodes in the order backward finishes them, each with its derivation),
/// memory linear in the graph. A step's drawing is made only when asked for.
#[pyclass(module = "chainrule._core", unsendable)]
pub struct StepsCore {
    g: Graph,
    schedule: BackwardSchedule,
    /// The Python node each tape node is (or is part of).
    owners: Vec<Py<Value>>,
    opts: DrawOptions,
}

impl StepsCore {
    /// The library's state of step `k` (from 0), without the grads known (which the
    /// drawing alone needs, and sets on the tape itself).
    fn state(&self, k: usize) -> PyResult<Step> {
        let s = self.schedule.steps.get(k).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "step {k} of a backward pass of {} steps",
                self.schedule.steps.len()
            ))
        })?;
        Ok(Step {
            number: k + 1,
            of: self.schedule.steps.len(),
            node: s.node,
            name: s.name.clone(),
            grad: s.grad,
            contributions: s.contributions.clone(),
            derivation: s.derivation.clone(),
            known: Vec::new(),
            pending: self.schedule.pending_after(k + 1),
        })
    }
}

#[pymethods]
impl StepsCore {
    fn __len__(&self) -> usize {
        self.schedule.steps.len()
    }

    /// Step `k` (from 0): a dict with `number`, `of`, `node`, `name`, `grad`,
    /// `derivation` and `text`.
    fn step<'py>(&self, py: Python<'py>, k: usize) -> PyResult<Bound<'py, PyDict>> {
        let s = self.state(k)?;
        let d = PyDict::new(py);
        d.set_item("number", s.number)?;
        d.set_item("of", s.of)?;
        d.set_item("node", self.owners[s.node].bind(py))?;
        d.set_item("name", &s.name)?;
        d.set_item("grad", s.grad)?;
        d.set_item("text", s.to_string())?;
        d.set_item("derivation", s.derivation)?;
        Ok(d)
    }

    /// The drawing of the graph after step `k` (from 0), as SVG: the grads known so far,
    /// `?` for the rest, the node just finished and the edges that carried its grad
    /// highlighted.
    fn svg(&self, k: usize) -> PyResult<String> {
        let s = self.state(k)?;
        for (i, known) in self.schedule.known_after(k + 1).iter().enumerate() {
            self.g
                .get(i)
                .expect("on the tape")
                .set_grad(known.unwrap_or(0.0));
        }
        let (nodes, edges, unknown_grads) = s.highlight();
        let opts = DrawOptions {
            highlight: Highlight {
                nodes,
                edges,
                unknown_grads,
            },
            ..self.opts.clone()
        };
        let root = self.g.get(self.schedule.output).expect("on the tape");
        root.to_svg(&opts).map_err(err)
    }
}

/// `n` with its thousands grouped: `100,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The backward pass from `root` as a [`StepsCore`]; `neurons` as [`draw`] takes it. A
/// graph of more than [`MAX_STEPS`] values is refused before it is copied.
#[pyfunction]
#[pyo3(signature = (root, rankdir = "LR", neurons = "micrograd"))]
pub fn steps(root: &Bound<'_, PyAny>, rankdir: &str, neurons: &str) -> PyResult<StepsCore> {
    let py = root.py();
    let root = root_of(root, "steps")?;
    let opts = options(rankdir, true)?;
    let neurons = Neurons::parse(neurons)?;
    let g = Graph::new();
    let c = copy_at_most(py, &g, std::slice::from_ref(&root), neurons, MAX_STEPS);
    let c = c.map_err(|e| match e {
        Refused::Python(e) => e,
        Refused::TooBig => PyValueError::new_err(format!(
            "steps() walks graphs of at most {} values, and this one has more: every step is \
             drawn from the whole graph. For the chain rule at any size use explain(); to \
             watch backward step by step, take a smaller part of the graph.",
            grouped(MAX_STEPS)
        )),
    })?;
    let schedule = c.last().backward_schedule();
    let owners = (0..g.len()).map(|i| c.node(i).clone().unbind()).collect();
    drop(c);
    Ok(StepsCore {
        g,
        schedule,
        owners,
        opts,
    })
}

/// The first node whose value (or, failing that, grad) is NaN or infinite, and why: a
/// dict with `node`, `pass` ('forward' or 'backward'), `value`, `reason`, `text`; or None.
#[pyfunction]
pub fn first_non_finite<'py>(root: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = root.py();
    let root = root_of(root, "first_non_finite")?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root), Neurons::Micrograd)?;
    let Some(bad) = c.last().first_non_finite() else {
        return Ok(None);
    };
    let d = PyDict::new(py);
    d.set_item("node", c.node(bad.node.index()))?;
    d.set_item(
        "pass",
        match bad.pass {
            Pass::Forward => "forward",
            Pass::Backward => "backward",
        },
    )?;
    d.set_item("value", bad.value)?;
    d.set_item("reason", &bad.reason)?;
    d.set_item("text", bad.to_string())?;
    Ok(Some(d))
}

/// d`y`/d`x` for each of `xs`, recorded as Values (`create_graph=True`: they depend on
/// the graph and can be differentiated again) or as new leaves holding the numbers.
#[pyfunction]
#[pyo3(signature = (y, xs, create_graph = true))]
pub fn grad<'py>(
    y: &Bound<'py, PyAny>,
    xs: Vec<Bound<'py, PyAny>>,
    create_graph: bool,
) -> PyResult<Vec<Py<Value>>> {
    let py = y.py();
    let y = root_of(y, "grad")?;
    let mut all = vec![y.clone()];
    for x in &xs {
        all.push(root_of(x, "grad")?);
    }
    let g = Graph::new();
    let c = copy(py, &g, &all, Neurons::Compact)?;
    let yv = c.var_of(y.get());
    let xv: Vec<Var<'_>> = all[1..].iter().map(|x| c.var_of(x.get())).collect();
    let ds = g.grad(yv, &xv);
    if !create_graph {
        return ds
            .iter()
            .map(|d| new_node(py, Value::raw(d.data(), Kind::Leaf, Kids::Zero, None)))
            .collect();
    }
    // Every tape node as a Python Value: the copies are the user's own nodes (a neuron's
    // inner `w·x` becomes a new one), the recorded derivative nodes are new.
    let mut py_nodes: Vec<Py<Value>> = Vec::with_capacity(g.len());
    for i in 0..g.len() {
        let own = c.owner.get(i).map(|&k| &c.nodes[k]);
        if let Some(n) = own.filter(|n| c.var_of(n.get()).index() == i) {
            py_nodes.push(n.clone().unbind());
            continue;
        }
        let v = g.get(i).expect("on the tape");
        let op = v.op();
        let children: Vec<Py<Value>> = v
            .children()
            .iter()
            .map(|c| py_nodes[c.index()].clone_ref(py))
            .collect();
        let kind = if op == Op::Leaf {
            Kind::Leaf
        } else {
            Kind::Op(op, v.constant().unwrap_or(0.0))
        };
        let text = match op {
            Op::Leaf | Op::Const => String::new(),
            Op::PowConst => format!("**{}", v.constant().unwrap_or(0.0)),
            _ => v.op_label(),
        };
        let node = Value::raw(v.data(), kind, children, Some(text));
        if let Some(l) = v.label() {
            node.set_label_text(l);
        }
        py_nodes.push(new_node(py, node)?);
    }
    let out = ds
        .iter()
        .map(|d| py_nodes[d.index()].clone_ref(py))
        .collect();
    // Free the unused copies without recursion.
    release(py, py_nodes.into());
    Ok(out)
}

/// The op table's ops: `(name, symbol)` pairs.
#[pyfunction]
pub fn ops() -> Vec<(&'static str, &'static str)> {
    Op::ALL.iter().map(|o| (o.name(), o.symbol())).collect()
}

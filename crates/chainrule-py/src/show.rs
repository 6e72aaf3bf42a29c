//! The library's show-your-work for Python graphs: the graph a Value depends on is copied
//! onto a `chainrule::Graph` tape (in creation order, each op by its code with
//! `Graph::record`), and drawing, explanation, checks, steps and `grad` run there.

use chainrule::{Arity, DrawOptions, Graph, Highlight, Op, Pass, RankDir, ShowGrads, Var};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::value::{new_node, release, topo, type_name, Kids, Kind, Value, MICROGRAD_OPS};

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
) -> PyResult<Copied<'py, 'g>> {
    let nodes = topo(py, roots);
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
        let r = n.get();
        user_backward |= r.has_user_backward();
        let operands: Vec<Var<'g>> = kid_slots[k].iter().map(|&i| vars[i]).collect();
        let v = match r.kind {
            Kind::Op(op, c) => g.record(op, &operands, c),
            Kind::Neuron => {
                let m = (operands.len() - 1) / 2;
                let dot = g.dot(&operands[1..1 + m], &operands[1 + m..]);
                // d(b + w·x)/d(w·x) = 1: the inner node's grad is the neuron's.
                dot.set_grad(r.grad_value());
                operands[0] + dot
            }
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
        if label.is_empty() && r.kind == Kind::Custom {
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

/// Draws the graph `root` depends on, as it is now.
#[pyfunction]
#[pyo3(signature = (root, rankdir = "LR", grads = true))]
pub fn draw(root: &Bound<'_, PyAny>, rankdir: &str, grads: bool) -> PyResult<Drawing> {
    let root = root_of(root, "draw_dot")?;
    let opts = options(rankdir, grads)?;
    let g = Graph::new();
    let root = copy(root.py(), &g, std::slice::from_ref(&root))?
        .last()
        .index();
    Ok(Drawing { g, root, opts })
}

/// The chain rule per node, as the notebook writes it: `(text, markdown)`.
#[pyfunction]
pub fn explain(root: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let root = root_of(root, "explain")?;
    let g = Graph::new();
    let ex = copy(root.py(), &g, std::slice::from_ref(&root))?
        .last()
        .explain();
    Ok((ex.to_string(), ex.to_markdown()))
}

/// Finite differences against backprop, for every leaf: a dict with `passed`, `text`,
/// `markdown`, `rows`, `assumed` (the user's ops taken as the line their `_backward`
/// gives) and `user_backward` (whether any node has a `_backward` of the user's).
#[pyfunction]
pub fn grad_check<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = root.py();
    let root = root_of(root, "grad_check")?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root))?;
    let check = c.last().grad_check();
    let out = PyDict::new(py);
    out.set_item("passed", check.passed())?;
    out.set_item("text", check.to_string())?;
    out.set_item("markdown", check.to_markdown())?;
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
    let lines = PyList::empty(py);
    for &k in &c.lines {
        lines.append((&c.nodes[k], c.nodes[k].get().op_text()))?;
    }
    out.set_item("assumed", lines)?;
    out.set_item("user_backward", c.user_backward)?;
    Ok(out)
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
    let c = copy(py, &g, &all)?;
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

/// The backward pass as a sequence of states, each with its text and its SVG drawing
/// (the node just finished highlighted, grads not yet known shown as `?`).
#[pyfunction]
#[pyo3(signature = (root, rankdir = "LR"))]
pub fn steps<'py>(root: &Bound<'py, PyAny>, rankdir: &str) -> PyResult<Bound<'py, PyList>> {
    let py = root.py();
    let root = root_of(root, "steps")?;
    let base = options(rankdir, true)?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root))?;
    let out_var = c.last();
    let steps = out_var.backward_steps();
    // Drawn with each state's grads.
    let out = PyList::empty(py);
    for s in &steps {
        for (i, k) in s.known.iter().enumerate() {
            g.get(i).expect("on the tape").set_grad(k.unwrap_or(0.0));
        }
        let (hn, he, hu) = s.highlight();
        let opts = DrawOptions {
            highlight: Highlight {
                nodes: hn,
                edges: he,
                unknown_grads: hu,
            },
            ..base.clone()
        };
        let d = PyDict::new(py);
        d.set_item("number", s.number)?;
        d.set_item("of", s.of)?;
        d.set_item("node", c.node(s.node))?;
        d.set_item("name", &s.name)?;
        d.set_item("grad", s.grad)?;
        d.set_item("derivation", s.derivation.clone())?;
        d.set_item("text", s.to_string())?;
        d.set_item("svg", out_var.to_svg(&opts).map_err(err)?)?;
        out.append(d)?;
    }
    Ok(out)
}

/// The first node whose value (or, failing that, grad) is NaN or infinite, and why: a
/// dict with `node`, `pass` ('forward' or 'backward'), `value`, `reason`, `text`; or None.
#[pyfunction]
pub fn first_non_finite<'py>(root: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = root.py();
    let root = root_of(root, "first_non_finite")?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root))?;
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
    let c = copy(py, &g, &all)?;
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

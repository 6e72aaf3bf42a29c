//! The library's show-your-work for Python graphs: the graph a Value depends on is copied
//! onto a `chainrule::Graph` tape (in creation order, each op by its code with
//! `Graph::record`), and drawing, explanation, checks, steps and `grad` run there.

use chainrule::{DrawOptions, Graph, Highlight, Op, Pass, RankDir, ShowGrads, Var};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::value::{new_node, release, topo, type_name, Kids, Kind, Value};

/// The graph some roots depend on, copied onto a tape.
struct Copied<'py, 'g> {
    /// The Python nodes, in creation order.
    nodes: Vec<Bound<'py, Value>>,
    /// The copy of each Python node (`vars[k]` is the copy of `nodes[k]`).
    vars: Vec<Var<'g>>,
    /// For each tape node, the Python node it is, or is part of: a fused neuron is two
    /// tape nodes, `w·x` and then `b + w·x`, the second being its copy.
    owner: Vec<usize>,
}

impl<'py> Copied<'py, '_> {
    /// The Python node the tape node `i` is (or is part of).
    fn node(&self, i: usize) -> &Bound<'py, Value> {
        &self.nodes[self.owner[i]]
    }

    /// The copy of the last root.
    fn last(&self) -> Var<'_> {
        self.vars[self.vars.len() - 1]
    }
}

/// The Python nodes `roots` depend on, in creation order, and their copies on `g`.
fn copy<'py, 'g>(py: Python<'py>, g: &'g Graph, roots: &[Bound<'py, Value>]) -> Copied<'py, 'g> {
    let nodes = topo(py, roots);
    let mut vars: Vec<Var<'g>> = Vec::with_capacity(nodes.len());
    let mut owner: Vec<usize> = Vec::with_capacity(nodes.len());
    for (k, n) in nodes.iter().enumerate() {
        let r = n.get();
        let operands: Vec<Var<'g>> = r
            .kids()
            .iter()
            .map(|ch| vars[ch.get().slot.get()])
            .collect();
        let v = match r.kind {
            Kind::Op(op, c) => g.record(op, &operands, c),
            Kind::Neuron => {
                let m = (operands.len() - 1) / 2;
                let dot = g.dot(&operands[1..1 + m], &operands[1 + m..]);
                // d(b + w·x)/d(w·x) = 1: the inner node's grad is the neuron's.
                dot.set_grad(r.grad_value());
                owner.push(k);
                operands[0] + dot
            }
            // A user-made node with no known rule is a leaf on the copy.
            Kind::Leaf | Kind::Custom => g.leaf(r.value()),
        };
        if v.data().to_bits() != r.value().to_bits() {
            v.set_data(r.value());
        }
        let label = r.label_text();
        if !label.is_empty() {
            v.set_label(&label);
        }
        v.set_grad(r.grad_value());
        vars.push(v);
        owner.push(k);
    }
    Copied { nodes, vars, owner }
}

fn root_of<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, Value>> {
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
    let root = copy(root.py(), &g, std::slice::from_ref(&root))
        .last()
        .index();
    Ok(Drawing { g, root, opts })
}

/// The chain rule per node, as the notebook writes it: `(text, markdown)`.
#[pyfunction]
pub fn explain(root: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let root = root_of(root, "explain")?;
    let g = Graph::new();
    let ex = copy(root.py(), &g, std::slice::from_ref(&root))
        .last()
        .explain();
    Ok((ex.to_string(), ex.to_markdown()))
}

/// Finite differences against backprop, for every leaf: a dict with `passed`, `text`,
/// `markdown` and `rows`.
#[pyfunction]
pub fn grad_check<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = root.py();
    let root = root_of(root, "grad_check")?;
    let g = Graph::new();
    let c = copy(py, &g, std::slice::from_ref(&root));
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
    Ok(out)
}

/// Checks grads given by hand (`pairs` of `(value, grad)`) against the chain rule: one
/// dict per pair with `name`, `given`, `correct`, `right`, `derivation`, `text`.
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
    let vars = copy(py, &g, &all).vars;
    let out_var = vars[root.get().slot.get()];
    let given: Vec<(Var<'_>, f64)> = all[1..]
        .iter()
        .zip(&hand)
        .map(|(v, &h)| (vars[v.get().slot.get()], h))
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
    let c = copy(py, &g, std::slice::from_ref(&root));
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
    let c = copy(py, &g, std::slice::from_ref(&root));
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
    let c = copy(py, &g, &all);
    let yv = c.vars[y.get().slot.get()];
    let xv: Vec<Var<'_>> = all[1..]
        .iter()
        .map(|x| c.vars[x.get().slot.get()])
        .collect();
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
        if let Some(n) = own.filter(|n| c.vars[n.get().slot.get()].index() == i) {
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

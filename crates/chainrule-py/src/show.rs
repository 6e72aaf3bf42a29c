//! The library's show-your-work for Python graphs: the graph a Value depends on is copied
//! onto a `chainrule::Graph` tape (in creation order, each op by its code with
//! `Graph::record`), and drawing, explanation, checks, steps and `grad` run there.

use std::borrow::Cow;

use chainrule::{DrawOptions, Graph, Highlight, Op, Pass, RankDir, ShowGrads, Var};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::value::{new_node, release, topo, type_name, Kind, Value};

/// The Python nodes `roots` depend on, in creation order, and their copies on `g` (the
/// copy of `nodes[k]` is `g.get(k)`).
fn copy<'py, 'g>(
    py: Python<'py>,
    g: &'g Graph,
    roots: &[Bound<'py, Value>],
) -> (Vec<Bound<'py, Value>>, Vec<Var<'g>>) {
    let nodes = topo(py, roots);
    let mut vars: Vec<Var<'g>> = Vec::with_capacity(nodes.len());
    for n in &nodes {
        let r = n.borrow();
        let v = match r.kind {
            Kind::Op(op, c) => {
                let operands: Vec<Var<'g>> = r
                    .children
                    .iter()
                    .map(|ch| vars[ch.bind(py).borrow().slot])
                    .collect();
                let v = g.record(op, &operands, c);
                if v.data().to_bits() != r.data.to_bits() {
                    v.set_data(r.data);
                }
                v
            }
            // A user-made node with no known rule is a leaf on the copy.
            Kind::Leaf | Kind::Custom => g.leaf(r.data),
        };
        if !r.label.is_empty() {
            v.set_label(&r.label);
        }
        v.set_grad(r.grad);
        vars.push(v);
    }
    (nodes, vars)
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
    let n = {
        let (nodes, _) = copy(root.py(), &g, std::slice::from_ref(&root));
        nodes.len()
    };
    Ok(Drawing {
        g,
        root: n - 1,
        opts,
    })
}

/// The chain rule per node, as the notebook writes it: `(text, markdown)`.
#[pyfunction]
pub fn explain(root: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let root = root_of(root, "explain")?;
    let g = Graph::new();
    let (_, vars) = copy(root.py(), &g, std::slice::from_ref(&root));
    let ex = vars[vars.len() - 1].explain();
    Ok((ex.to_string(), ex.to_markdown()))
}

/// Finite differences against backprop, for every leaf: a dict with `passed`, `text`,
/// `markdown` and `rows`.
#[pyfunction]
pub fn grad_check<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = root.py();
    let root = root_of(root, "grad_check")?;
    let g = Graph::new();
    let (nodes, vars) = copy(py, &g, std::slice::from_ref(&root));
    let check = vars[vars.len() - 1].grad_check();
    let out = PyDict::new(py);
    out.set_item("passed", check.passed())?;
    out.set_item("text", check.to_string())?;
    out.set_item("markdown", check.to_markdown())?;
    let rows = PyList::empty(py);
    for r in &check.rows {
        let d = PyDict::new(py);
        d.set_item("node", &nodes[r.index])?;
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
    let (_, vars) = copy(py, &g, &all);
    let out_var = vars[root.borrow().slot];
    let given: Vec<(Var<'_>, f64)> = all[1..]
        .iter()
        .zip(&hand)
        .map(|(v, &h)| (vars[v.borrow().slot], h))
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
    let (nodes, vars) = copy(py, &g, std::slice::from_ref(&root));
    let out_var = vars[vars.len() - 1];
    let steps = out_var.backward_steps();
    // Drawn with each state's grads.
    let out = PyList::empty(py);
    for s in &steps {
        for (i, k) in s.known.iter().enumerate() {
            vars[i].set_grad(k.unwrap_or(0.0));
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
        d.set_item("node", &nodes[s.node])?;
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
    let (nodes, vars) = copy(py, &g, std::slice::from_ref(&root));
    let Some(bad) = vars[vars.len() - 1].first_non_finite() else {
        return Ok(None);
    };
    let d = PyDict::new(py);
    d.set_item("node", &nodes[bad.node.index()])?;
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
    let (nodes, vars) = copy(py, &g, &all);
    let yv = vars[y.borrow().slot];
    let xv: Vec<Var<'_>> = all[1..].iter().map(|x| vars[x.borrow().slot]).collect();
    let ds = g.grad(yv, &xv);
    if !create_graph {
        return ds
            .iter()
            .map(|d| {
                new_node(
                    py,
                    Value::raw(d.data(), Kind::Leaf, Vec::new(), Cow::Borrowed("")),
                )
            })
            .collect();
    }
    // The recorded derivative nodes, copied back as Python Values.
    let mut py_nodes: Vec<Py<Value>> = nodes.iter().map(|n| n.clone().unbind()).collect();
    for i in nodes.len()..g.len() {
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
        let mut node = Value::raw(v.data(), kind, children, Cow::Owned(text));
        if let Some(l) = v.label() {
            node.label = l;
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

//! The kernel's side of the live view (`chainrule.live`): the learner's graph copied onto a
//! tape (as drawing and checks copy it) and kept, so that the view's questions (describe,
//! nudge, back, check) are answered by the page's protocol on that copy
//! (`chainrule_page::GivenGraph`), and what the view shows can be handed back to the very
//! Python Values it was copied from.

use chainrule::Graph;
use chainrule_page::{ApiError, GivenGraph, Limits};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::show::{copy, root_of};
use crate::value::Value;

/// A learner's graph, copied and kept for the live view: the page's questions answered on
/// the copy, and the Python node each value came from.
#[pyclass(module = "chainrule._core", unsendable)]
pub struct LiveGraph {
    given: GivenGraph,
    /// The Python nodes in creation order, each with the tape index of its copy.
    nodes: Vec<(Py<Value>, usize)>,
    limits: Limits,
}

fn refusal(e: &ApiError) -> PyErr {
    let message = e.body["error"]["message"].as_str().unwrap_or("refused");
    PyValueError::new_err(message.to_string())
}

#[pymethods]
impl LiveGraph {
    /// The graph `root` depends on, copied as it is now, backward run on the copy. A graph
    /// past the live page's bound on values is refused (`ValueError`, with what to do).
    #[new]
    fn new(root: &Bound<'_, PyAny>) -> PyResult<LiveGraph> {
        let root = root_of(root, "live")?;
        let limits = Limits::default();
        let g = Graph::new();
        let (nodes, out) = {
            let c = copy(root.py(), &g, std::slice::from_ref(&root))?;
            let nodes = c
                .nodes
                .iter()
                .zip(&c.vars)
                .map(|(n, v)| (n.clone().unbind(), v.index()))
                .collect();
            (nodes, c.last().index())
        };
        let given = GivenGraph::new(g, out, &limits).map_err(|e| refusal(&e))?;
        Ok(LiveGraph {
            given,
            nodes,
            limits,
        })
    }

    /// Answers the view's question `method` (`describe`, `nudge`, `back`, `check`) with
    /// its JSON `body`: `(ok, answer as JSON text)`; a refusal is `(False, {"ok": false,
    /// "error": {...}})`, as every transport answers it.
    fn answer(&mut self, method: &str, body: &[u8]) -> (bool, String) {
        match self.given.answer(method, body, &self.limits) {
            Ok(v) => (true, v.to_string()),
            Err(e) => (false, e.body.to_string()),
        }
    }

    /// `(value, data, grad)` for each of the learner's Values, as the view shows them: the
    /// replay of the last nudge, or the values as copied; the grads are backward's.
    fn shown(&self, py: Python<'_>) -> Vec<(Py<Value>, f64, f64)> {
        let g = self.given.shown();
        self.nodes
            .iter()
            .map(|(n, i)| {
                let v = g.get(*i).expect("copied nodes are on the tape");
                (n.clone_ref(py), v.data(), v.grad())
            })
            .collect()
    }

    /// The leaf the shown replay moved (a Value) and by how much, or None.
    fn replayed(&self, py: Python<'_>) -> Option<(Py<Value>, f64)> {
        let (node, h) = self.given.replayed()?;
        let n = self.nodes.iter().find(|(_, i)| *i == node)?;
        Some((n.0.clone_ref(py), h))
    }

    /// The id (tape index) the view gives Value `v`, or None if it is not in the graph.
    fn id_of(&self, v: &Bound<'_, PyAny>) -> Option<usize> {
        self.nodes
            .iter()
            .find(|(n, _)| n.bind(v.py()).is(v))
            .map(|(_, i)| *i)
    }

    /// How many values the view shows.
    fn __len__(&self) -> usize {
        self.given.output_index() + 1
    }
}

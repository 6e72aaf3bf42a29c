//! The kernel's side of the live view (`chainrule.live`): the kernel is one more transport
//! of the page's protocol. It holds one protocol engine (`chainrule_page::Engine`), gives
//! it each learner's graph, copied onto a tape as drawing and checks copy it, and answers
//! the view's questions (`given_describe`, `given_nudge`, ...) through the protocol's one
//! dispatch; it also knows which Python Value each copied value came from, so that what
//! the view shows can be handed back to them. And it makes the widget's one ES module
//! from the page's own files, with the page's bundler.

use std::collections::HashMap;
use std::sync::OnceLock;

use chainrule::Graph;
use chainrule_page::bundle::{bundle, Format};
use chainrule_page::{Engine, GivenGraph, Limits};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::show::{copy_at_most, root_of, Neurons, Refused};
use crate::value::Value;

/// The Python nodes of a given graph in creation order, each with its copy's tape index.
type Nodes = Vec<(Py<Value>, usize)>;

/// The protocol's engine as the kernel holds it: the learners' graphs given to it, and
/// the Python Values each one was copied from. The kernel may ask it from more than one
/// thread (ipykernel handles the widget's messages on a thread of its own), hence
/// [`Held`].
#[pyclass(module = "chainrule._core")]
pub struct KernelEngine {
    engine: Held,
    nodes: HashMap<u64, Nodes>,
}

/// The engine, which holds graphs (their tapes in an `UnsafeCell`) and training sessions
/// (their optimizers as `Box<dyn Optimizer>`, with no `Send` bound): neither `Send` nor
/// `Sync` by itself.
struct Held(Engine);

// SAFETY: the engine is plain data owned by this one object: no `Rc`, no thread-local
// state, no reference to it or into it leaves a method of `KernelEngine` (answers are
// JSON text; `shown` copies numbers out), and the optimizers are the library's (vectors
// of numbers). Every access goes through the Python object, with the interpreter lock held
// (the extension is abi3, which free-threaded builds do not load, and declares
// `gil_used = true`), and through PyO3's borrow flag, which refuses a second `&mut` (so
// moving it between threads, or two threads reading it in turn, never aliases a write).
// No method runs Python code while it holds the engine: `give` copies the learner's graph
// (which may call their `_backward`) onto a tape of its own before it touches the engine.
unsafe impl Send for Held {}
// SAFETY: as for `Send`: shared access only reads, under the interpreter lock.
unsafe impl Sync for Held {}

impl KernelEngine {
    fn graph(&self, id: u64) -> PyResult<(&GivenGraph, &Nodes)> {
        match (self.engine.0.given_graph(id), self.nodes.get(&id)) {
            (Some(g), Some(n)) => Ok((g, n)),
            _ => Err(PyValueError::new_err(format!(
                "there is no live graph {id}: the view was let go"
            ))),
        }
    }
}

/// The refusal of a graph found to have more values than the live view shows.
fn too_big(limits: &Limits) -> PyErr {
    PyValueError::new_err(format!(
        "the graph has more than {0} values; the live view shows at most {0}: show a \
         smaller part of it (the loss of one data point, say)",
        limits.nodes
    ))
}

#[pymethods]
impl KernelEngine {
    /// An engine held to the live page's bounds, with no graph.
    #[new]
    fn new() -> KernelEngine {
        KernelEngine {
            engine: Held(Engine::new(Limits::default())),
            nodes: HashMap::new(),
        }
    }

    /// Copies the graph `root` depends on, as it is now, and gives it to the engine (which
    /// runs backward on the copy); returns its id. `neurons`: a neuron of `chainrule.nn`
    /// as micrograd makes it (`'micrograd'`) or as one dot node (`'compact'`). A graph past
    /// the live page's bound on values is refused (`ValueError`, saying what to do), as
    /// soon as the walk through it finds too many.
    #[pyo3(signature = (root, neurons = "micrograd"))]
    fn give(&mut self, root: &Bound<'_, PyAny>, neurons: &str) -> PyResult<u64> {
        let root = root_of(root, "live")?;
        let neurons = Neurons::parse(neurons)?;
        let limits = Limits::default();
        let g = Graph::new();
        let (nodes, out) = {
            let walked = copy_at_most(
                root.py(),
                &g,
                std::slice::from_ref(&root),
                neurons,
                limits.nodes,
            );
            let c = match walked {
                Ok(c) => c,
                Err(Refused::Python(e)) => return Err(e),
                Err(Refused::TooBig) => return Err(too_big(&limits)),
            };
            let nodes: Nodes = c
                .nodes
                .iter()
                .zip(&c.vars)
                .map(|(n, v)| (n.clone().unbind(), v.index()))
                .collect();
            (nodes, c.last().index())
        };
        let given = GivenGraph::new(g, out, &limits).map_err(|e| {
            let message = e.body["error"]["message"].as_str().unwrap_or("refused");
            PyValueError::new_err(message.to_string())
        })?;
        let id = self.engine.0.give(given);
        self.nodes.insert(id, nodes);
        Ok(id)
    }

    /// Asks question `name` of the protocol (`chainrule_page::QUESTIONS`) with its JSON
    /// `request`: `(status, answer as JSON text)`, 200 or the refusal's status, as every
    /// transport answers.
    fn answer(&mut self, name: &str, request: &[u8]) -> (u16, String) {
        let answered = self.engine.0.answer(name, request);
        if name == "given_free" && answered.0 == 200 {
            self.nodes
                .retain(|id, _| self.engine.0.given_graph(*id).is_some());
        }
        answered
    }

    /// `(value, data, grad)` for each Python Value of given graph `id`, as the view shows
    /// them: the replay of the last nudge, or the values as copied; the grads are
    /// backward's.
    fn shown(&self, py: Python<'_>, id: u64) -> PyResult<Vec<(Py<Value>, f64, f64)>> {
        let (given, nodes) = self.graph(id)?;
        let g = given.shown();
        Ok(nodes
            .iter()
            .map(|(n, i)| {
                let v = g.get(*i).expect("copied nodes are on the tape");
                (n.clone_ref(py), v.data(), v.grad())
            })
            .collect())
    }

    /// The leaf the replay shown by given graph `id` moved (a Value) and by how much, or
    /// None.
    fn replayed(&self, py: Python<'_>, id: u64) -> PyResult<Option<(Py<Value>, f64)>> {
        let (given, nodes) = self.graph(id)?;
        Ok(given.replayed().and_then(|(node, h)| {
            let n = nodes.iter().find(|(_, i)| *i == node)?;
            Some((n.0.clone_ref(py), h))
        }))
    }

    /// The id the view gives Value `v` in given graph `id` (its copy's tape index), or
    /// None if `v` is not in that graph.
    fn node_of(&self, id: u64, v: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        let (_, nodes) = self.graph(id)?;
        Ok(nodes
            .iter()
            .find(|(n, _)| n.bind(v.py()).is(v))
            .map(|(_, i)| *i))
    }

    /// How many values given graph `id` shows.
    fn size(&self, id: u64) -> PyResult<usize> {
        Ok(self.graph(id)?.0.output_index() + 1)
    }
}

/// The widget's ES module and style sheet: `web/widget.js` and the modules it imports,
/// bundled into one module by the page's bundler, and `web/style.css`; made once.
#[pyfunction]
pub fn widget_files() -> PyResult<(&'static str, &'static str)> {
    static MODULE: OnceLock<Result<String, String>> = OnceLock::new();
    let module =
        MODULE.get_or_init(|| bundle("widget.js", Format::Module).map_err(|e| e.to_string()));
    let style = chainrule_page::web::file("style.css").map_or("", |f| f.text);
    match module {
        Ok(js) => Ok((js.as_str(), style)),
        Err(e) => Err(PyRuntimeError::new_err(format!(
            "the widget's module does not bundle: {e}"
        ))),
    }
}

//! `copy.copy`, `copy.deepcopy` and `pickle` for a Value's graph. A copy keeps the
//! graph's sharing (a value used twice is one object in the copy, also across several
//! Values copied or pickled together) and each node's class (a subclass's instances stay
//! its instances, with their attributes), and nothing recurses, at any depth.
//!
//! Deep copies walk the graph in creation order with `deepcopy`'s own memo. Pickling
//! goes through a [`GraphTable`]: `Value.__reduce__` describes the graph below the value
//! flat (numbers as packed arrays, children as indices), once per graph; a value of a
//! graph already described in the same pickle (a table still alive) is a reference into
//! that table, and a graph reaching into one is described up to it.

use std::collections::HashMap;
use std::sync::Mutex;

use chainrule::Op;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple, PyType};

use crate::construct::is_plain;
use crate::interrupt;
use crate::value::{give_backward, new_node, next_id, topo_at_most, Kids, Kind, Value};

/// What a node is made of, apart from its class and children: enough to make it again.
struct Parts {
    data: f64,
    grad: f64,
    kind: Kind,
    label: String,
    /// The `_op` text, when it is not the one its kind implies.
    op: Option<String>,
}

impl Parts {
    fn of(v: &Value) -> Parts {
        Parts {
            data: v.value(),
            grad: v.grad_value(),
            kind: v.kind(),
            label: v.label_text(),
            op: v.op_override(),
        }
    }
}

/// A new node of class `cls` (None: Value itself) with `kids` (older nodes) and `parts`.
/// A subclass's node is made as `pickle` makes objects, `cls.__new__(cls)` without
/// `__init__`, and then given its parts.
fn make(
    py: Python<'_>,
    cls: Option<&Bound<'_, PyType>>,
    kids: Vec<Py<Value>>,
    p: Parts,
) -> PyResult<Py<Value>> {
    let node = match cls {
        None => {
            let v = Value::raw(p.data, p.kind, kids, p.op);
            v.set_label_text(p.label);
            v.set_grad_value(p.grad);
            return new_node(py, v);
        }
        Some(cls) => cls.call_method1("__new__", (cls,))?,
    };
    let node = node.cast_into::<Value>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{}.__new__ must make a Value to copy one",
            cls.and_then(|c| c.name().ok())
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let v = node.get();
    if !kids.is_empty() {
        if !v.kids().is_empty() || kids.iter().any(|k| k.get().id >= v.id) {
            return Err(PyTypeError::new_err(
                "a subclass's __new__ made a node with children of its own: it cannot be copied",
            ));
        }
        // SAFETY: the node has no children (a fresh node of `__new__`).
        unsafe { v.set_children(Kids::from(kids)) };
    }
    v.set_kind(p.kind);
    v.set_value(p.data);
    v.set_grad_value(p.grad);
    v.set_label_text(p.label);
    if let Some(op) = p.op {
        v.set_op_text(op);
    }
    Ok(node.unbind())
}

/// The class of `n` for [`make`]: None for Value itself.
fn class_of<'py>(n: &Bound<'py, Value>) -> Option<Bound<'py, PyType>> {
    (!is_plain(n.as_any())).then(|| n.get_type())
}

/// The instance dict of `n` (a subclass's instance has one), if it holds anything.
fn instance_dict<'py>(n: &Bound<'py, Value>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if is_plain(n.as_any()) {
        return Ok(None);
    }
    match n.getattr("__dict__") {
        Ok(d) => Ok(d.cast_into::<PyDict>().ok().filter(|d| !d.is_empty())),
        Err(_) => Ok(None),
    }
}

/// `copy.copy(v)`: a new node of the same class with the same children (shared), data,
/// grad, label, `_op`, `_backward` and attributes (a shallow copy of its dict).
pub(crate) fn shallow_copy(v: &Bound<'_, Value>) -> PyResult<Py<Value>> {
    let py = v.py();
    let kids = v.get().kids().iter().map(|k| k.clone_ref(py)).collect();
    let node = make(py, class_of(v).as_ref(), kids, Parts::of(v.get()))?;
    finish(node.bind(py), v, |d| Ok(d.copy()?.into_any()))?;
    Ok(node)
}

/// Gives `copy` what `original` has beyond its parts: its `_backward` (shared: a
/// closure still refers to the nodes it closed over) and its attributes, through
/// `attrs`.
fn finish<'py>(
    copy: &Bound<'py, Value>,
    original: &Bound<'py, Value>,
    attrs: impl Fn(&Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<()> {
    if let Some(f) = original.get().user_backward(copy.py()) {
        give_backward(copy, f);
    }
    if let Some(d) = instance_dict(original)? {
        copy.getattr("__dict__")?
            .call_method1("update", (attrs(&d)?,))?;
    }
    Ok(())
}

/// `copy.deepcopy(v, memo)`: every node `v` depends on, copied in creation order (each
/// one's children before it), a node already in `memo` (copied with another value in the
/// same `deepcopy`) used as it is there. Attributes are deep-copied after every node is.
pub(crate) fn deep_copy<'py>(
    v: &Bound<'py, Value>,
    memo: &Bound<'py, PyDict>,
) -> PyResult<Py<Value>> {
    let py = v.py();
    let nodes = topo_at_most(py, std::slice::from_ref(v), usize::MAX)
        .expect("no graph has usize::MAX nodes");
    let copy_module = py.import("copy")?;
    let deepcopy = copy_module.getattr("deepcopy")?;
    // deepcopy's own rule: the originals stay alive while the memo does (ids are keys).
    let keep = memo
        .get_item(memo.as_ptr() as usize)?
        .map(|k| k.cast_into::<PyList>())
        .transpose()
        .map_err(PyErr::from)?;
    let keep = match keep {
        Some(k) => k,
        None => {
            let k = PyList::empty(py);
            memo.set_item(memo.as_ptr() as usize, &k)?;
            k
        }
    };
    let mut copies: Vec<Py<Value>> = Vec::with_capacity(nodes.len());
    let mut fresh: Vec<usize> = Vec::new();
    for (k, n) in nodes.iter().enumerate() {
        interrupt::poll(py, k)?;
        let key = n.as_ptr() as usize;
        if let Some(done) = memo.get_item(key)? {
            copies.push(done.cast_into::<Value>().map_err(PyErr::from)?.unbind());
            continue;
        }
        let kids = n
            .get()
            .kids()
            .iter()
            .map(|ch| copies[ch.get().slot.get()].clone_ref(py))
            .collect();
        let c = make(py, class_of(n).as_ref(), kids, Parts::of(n.get()))?;
        memo.set_item(key, &c)?;
        keep.append(n)?;
        copies.push(c);
        fresh.push(k);
    }
    for k in fresh {
        let attrs = |d: &Bound<'py, PyDict>| deepcopy.call1((d, memo));
        finish(copies[k].bind(py), &nodes[k], attrs)?;
    }
    Ok(copies.pop().expect("the root is among the nodes"))
}

/// The version of the pickled form; a newer one is refused with a clear error.
const FORMAT: u32 = 1;

/// Which live table describes each node already described in a pickle being made:
/// `node id -> (table object, index)`. A table's entries go when the table does.
static LIVE: Mutex<Option<HashMap<u64, (usize, usize)>>> = Mutex::new(None);

fn live<R>(f: impl FnOnce(&mut HashMap<u64, (usize, usize)>) -> R) -> R {
    let mut guard = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// A graph described for pickling (see the module's doc), or one rebuilt from such a
/// description: `nodes[i]` is its node `i`.
#[pyclass(module = "chainrule._core", name = "PickledGraph")]
pub struct GraphTable {
    /// The description: `(structure, extras)` (see [`GraphTable::describe`]).
    described: Option<(Py<PyDict>, Py<PyDict>)>,
    /// The ids of the nodes described (entries of [`LIVE`]).
    ids: Vec<u64>,
    /// The rebuilt nodes.
    nodes: Vec<Py<Value>>,
}

impl Drop for GraphTable {
    fn drop(&mut self) {
        if !self.ids.is_empty() {
            live(|m| {
                for id in &self.ids {
                    m.remove(id);
                }
            });
        }
    }
}

/// `Value.__reduce__`: `(_graph_node, (table, index))`, where the table describes the
/// graph below `v` (or already did, when `v` was described earlier in this pickle).
pub(crate) fn reduce<'py>(v: &Bound<'py, Value>) -> PyResult<Bound<'py, PyTuple>> {
    let py = v.py();
    let node_fn = py.import("chainrule._core")?.getattr("_graph_node")?;
    let (table, i) = match live_table(py, v.get().id) {
        Some(found) => found,
        None => {
            let (t, i) = GraphTable::describe(v)?;
            (t.into_any(), i)
        }
    };
    (node_fn, (table, i)).into_pyobject(py)
}

/// The live table that describes the node `id`, and its index there.
fn live_table(py: Python<'_>, id: u64) -> Option<(Bound<'_, PyAny>, usize)> {
    let (table, i) = live(|m| m.get(&id).copied())?;
    // SAFETY: a table's entries are removed when it is dropped, so it is alive.
    let table = unsafe { Bound::from_borrowed_ptr(py, table as *mut pyo3::ffi::PyObject) };
    Some((table, i))
}

impl GraphTable {
    /// Describes the graph below `root` up to the nodes other live tables describe, and
    /// registers the table for the nodes it describes. Returns it and `root`'s index.
    ///
    /// The structure: `format`; `kinds` (names) and per node `kind` (u8 indexes into
    /// them) and `c` (its constant, f64); `data` and `grad` (f64); `nkids` (u32 per
    /// node) and `kids` (i64 per child: an index into this table, or `-1 - k` for the
    /// `k`th entry of `ext`, `(table, index)` pairs); `classes` with `cls`, `{node:
    /// class index}` for nodes of a subclass; `labels` and `ops`, `{node: text}`. The
    /// extras: `{node: (_backward, attributes)}`. Numbers are little-endian.
    fn describe<'py>(root: &Bound<'py, Value>) -> PyResult<(Bound<'py, GraphTable>, usize)> {
        let py = root.py();
        let (nodes, epoch) = described_nodes(py, root);
        let s = Structure::of(py, &nodes, epoch)?;
        let extras = PyDict::new(py);
        for (k, n) in nodes.iter().enumerate() {
            let f = n.get().user_backward(py);
            let d = instance_dict(n)?;
            if f.is_some() || d.is_some() {
                extras.set_item(k, (f, d))?;
            }
        }
        let ids: Vec<u64> = nodes.iter().map(|n| n.get().id).collect();
        let table = Bound::new(
            py,
            GraphTable {
                described: Some((s.into_dict(py)?.unbind(), extras.unbind())),
                ids: ids.clone(),
                nodes: Vec::new(),
            },
        )?;
        let ptr = table.as_ptr() as usize;
        live(|m| {
            for (k, id) in ids.iter().enumerate() {
                m.entry(*id).or_insert((ptr, k));
            }
        });
        Ok((table, nodes.len() - 1))
    }
}

/// The nodes below `root` that no live table describes (and `root`), in creation order,
/// each marked with the walk's epoch (returned) and its `slot` set to its position.
fn described_nodes<'py>(
    py: Python<'py>,
    root: &Bound<'py, Value>,
) -> (Vec<Bound<'py, Value>>, u64) {
    let epoch = next_id();
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    root.get().mark.set(epoch);
    live(|m| {
        while let Some(n) = stack.pop() {
            for ch in n.get().kids() {
                let c = ch.get();
                if c.mark.get() != epoch && !m.contains_key(&c.id) {
                    c.mark.set(epoch);
                    stack.push(ch.bind(py).clone());
                }
            }
            found.push(n);
        }
    });
    found.sort_unstable_by_key(|n| n.get().id);
    for (k, n) in found.iter().enumerate() {
        n.get().slot.set(k);
    }
    (found, epoch)
}

/// The packed structure of a described graph (see [`GraphTable::describe`]).
#[derive(Default)]
struct Structure {
    kinds: Vec<String>,
    kind: Vec<u8>,
    c: Vec<u8>,
    data: Vec<u8>,
    grad: Vec<u8>,
    nkids: Vec<u8>,
    kids: Vec<u8>,
    ext: Vec<(Py<PyAny>, usize)>,
    classes: Vec<Py<PyAny>>,
    cls: Vec<(usize, usize)>,
    labels: Vec<(usize, String)>,
    ops: Vec<(usize, String)>,
}

/// The position of the first item of `list` that `is_it`, pushing `make()` if none is.
fn position_or_push<T>(
    list: &mut Vec<T>,
    is_it: impl Fn(&T) -> bool,
    make: impl FnOnce() -> T,
) -> usize {
    list.iter().position(is_it).unwrap_or_else(|| {
        list.push(make());
        list.len() - 1
    })
}

/// The name a node's kind is pickled as: the op table's name, or one of Value's own.
fn kind_name(kind: Kind) -> (String, f64) {
    match kind {
        Kind::Leaf => ("py:leaf".into(), 0.0),
        Kind::Custom => ("py:custom".into(), 0.0),
        Kind::Neuron => ("py:neuron".into(), 0.0),
        Kind::Op(op, c) => (op.name().into(), c),
    }
}

fn kind_from_name(name: &str, c: f64) -> Option<Kind> {
    match name {
        "py:leaf" => Some(Kind::Leaf),
        "py:custom" => Some(Kind::Custom),
        "py:neuron" => Some(Kind::Neuron),
        _ => Op::from_name(name).map(|op| Kind::Op(op, c)),
    }
}

impl Structure {
    /// The structure of `nodes`, those of this table (marked with `epoch`, each at its
    /// `slot`); any other child is found in a live table.
    fn of(py: Python<'_>, nodes: &[Bound<'_, Value>], epoch: u64) -> PyResult<Structure> {
        let mut s = Structure::default();
        let mut ext_index: HashMap<u64, i64> = HashMap::new();
        for (k, n) in nodes.iter().enumerate() {
            interrupt::poll(py, k)?;
            let v = n.get();
            let (name, constant) = kind_name(v.kind());
            let at = position_or_push(&mut s.kinds, |x| *x == name, || name.clone());
            s.kind
                .push(u8::try_from(at).expect("fewer than 256 kinds of node"));
            s.c.extend(constant.to_le_bytes());
            s.data.extend(v.value().to_le_bytes());
            s.grad.extend(v.grad_value().to_le_bytes());
            s.nkids.extend((v.kids().len() as u32).to_le_bytes());
            for ch in v.kids() {
                let r = s.child_ref(py, ch.get(), epoch, &mut ext_index);
                s.kids.extend(r.to_le_bytes());
            }
            if let Some(cls) = class_of(n) {
                let at = position_or_push(
                    &mut s.classes,
                    |x| x.bind(py).is(&cls),
                    || cls.clone().into_any().unbind(),
                );
                s.cls.push((k, at));
            }
            let label = v.label_text();
            if !label.is_empty() {
                s.labels.push((k, label));
            }
            if let Some(op) = v.op_override() {
                s.ops.push((k, op));
            }
        }
        Ok(s)
    }

    /// How a child is referred to: its index when this table describes it (marked with
    /// `epoch`), else `-1 - k` for its `k`th entry of `ext`, in the live table that does.
    fn child_ref(
        &mut self,
        py: Python<'_>,
        child: &Value,
        epoch: u64,
        ext_index: &mut HashMap<u64, i64>,
    ) -> i64 {
        if child.mark.get() == epoch {
            return child.slot.get() as i64;
        }
        *ext_index.entry(child.id).or_insert_with(|| {
            let (table, i) = live_table(py, child.id)
                .expect("a node not described here is described by a live table");
            self.ext.push((table.unbind(), i));
            -(self.ext.len() as i64)
        })
    }

    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("format", FORMAT)?;
        d.set_item("kinds", self.kinds)?;
        for (key, bytes) in [
            ("kind", &self.kind),
            ("c", &self.c),
            ("data", &self.data),
            ("grad", &self.grad),
            ("nkids", &self.nkids),
            ("kids", &self.kids),
        ] {
            d.set_item(key, PyBytes::new(py, bytes))?;
        }
        d.set_item("ext", self.ext)?;
        d.set_item("classes", self.classes)?;
        d.set_item("cls", self.cls.into_iter().collect::<HashMap<_, _>>())?;
        d.set_item("labels", self.labels.into_iter().collect::<HashMap<_, _>>())?;
        d.set_item("ops", self.ops.into_iter().collect::<HashMap<_, _>>())?;
        Ok(d)
    }
}

#[pymethods]
impl GraphTable {
    /// `(_graph_from_structure, (structure,), extras)`: the nodes are made from the
    /// structure first, then given their `_backward`s and attributes (which may refer to
    /// the nodes themselves).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let Some((structure, extras)) = &self.described else {
            return Err(PyTypeError::new_err(
                "a rebuilt PickledGraph is not pickled again: pickle its Values",
            ));
        };
        let make_fn = py
            .import("chainrule._core")?
            .getattr("_graph_from_structure")?;
        PyTuple::new(
            py,
            [
                make_fn,
                PyTuple::new(py, [structure.bind(py)])?.into_any(),
                extras.bind(py).clone().into_any(),
            ],
        )
    }

    /// Gives the rebuilt nodes their `_backward`s and attributes.
    fn __setstate__(&self, py: Python<'_>, extras: &Bound<'_, PyDict>) -> PyResult<()> {
        for (k, v) in extras.iter() {
            let k: usize = k.extract()?;
            let node = self
                .nodes
                .get(k)
                .ok_or_else(|| bad(format!("extras name node {k}")))?;
            let node = node.bind(py);
            let (f, attrs): (Option<Bound<'_, PyAny>>, Option<Bound<'_, PyDict>>) = v.extract()?;
            if let Some(f) = f {
                give_backward(node, f.unbind());
            }
            if let Some(attrs) = attrs {
                node.getattr("__dict__")?.call_method1("update", (attrs,))?;
            }
        }
        Ok(())
    }
}

fn bad(what: String) -> PyErr {
    PyValueError::new_err(format!("not a pickled chainrule graph: {what}"))
}

/// `_graph_node(table, i)`: node `i` of a rebuilt table.
#[pyfunction]
pub fn _graph_node(table: &Bound<'_, GraphTable>, i: usize) -> PyResult<Py<Value>> {
    let t = table.borrow();
    t.nodes
        .get(i)
        .map(|n| n.clone_ref(table.py()))
        .ok_or_else(|| bad(format!("node {i} of a graph of {}", t.nodes.len())))
}

/// Reads `n` little-endian numbers of `size` bytes from `d[key]`.
fn packed<'py>(
    d: &Bound<'py, PyDict>,
    key: &str,
    size: usize,
    n: Option<usize>,
) -> PyResult<Vec<[u8; 8]>> {
    let b = d.get_item(key)?.ok_or_else(|| bad(format!("no {key}")))?;
    let b = b
        .cast_into::<PyBytes>()
        .map_err(|_| bad(format!("{key} is not bytes")))?;
    let bytes = b.as_bytes();
    if bytes.len() % size != 0 || n.is_some_and(|n| bytes.len() != n * size) {
        return Err(bad(format!("{key} has {} bytes", bytes.len())));
    }
    Ok(bytes
        .chunks(size)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..size].copy_from_slice(c);
            w
        })
        .collect())
}

/// `_graph_from_structure(structure)`: the nodes of a pickled graph, made again in
/// creation order (each node's children before it).
#[pyfunction]
pub fn _graph_from_structure<'py>(structure: &Bound<'py, PyDict>) -> PyResult<GraphTable> {
    let py = structure.py();
    let get = |key: &str| {
        structure
            .get_item(key)?
            .ok_or_else(|| bad(format!("no {key}")))
    };
    let format: u32 = get("format")?
        .extract()
        .map_err(|_| bad("no format".into()))?;
    if format != FORMAT {
        return Err(PyValueError::new_err(format!(
            "this pickle holds a chainrule graph of format {format}; this chainrule reads format {FORMAT}: load it with the version that wrote it"
        )));
    }
    let kinds: Vec<String> = get("kinds")?.extract()?;
    let kind = packed(structure, "kind", 1, None)?;
    let n = kind.len();
    let c = packed(structure, "c", 8, Some(n))?;
    let data = packed(structure, "data", 8, Some(n))?;
    let grad = packed(structure, "grad", 8, Some(n))?;
    let nkids = packed(structure, "nkids", 4, Some(n))?;
    let kids = packed(structure, "kids", 8, None)?;
    let ext: Vec<(Bound<'py, GraphTable>, usize)> = get("ext")?.extract()?;
    let classes: Vec<Bound<'py, PyType>> = get("classes")?.extract()?;
    let cls: HashMap<usize, usize> = get("cls")?.extract()?;
    let mut labels: HashMap<usize, String> = get("labels")?.extract()?;
    let mut ops: HashMap<usize, String> = get("ops")?.extract()?;
    let mut nodes: Vec<Py<Value>> = Vec::with_capacity(n);
    let mut next_kid = 0;
    for k in 0..n {
        interrupt::poll(py, k)?;
        let name = kinds
            .get(kind[k][0] as usize)
            .ok_or_else(|| bad(format!("node {k}'s kind")))?;
        let kind = kind_from_name(name, f64::from_le_bytes(c[k])).ok_or_else(|| {
            bad(format!(
                "node {k} is a {name:?}, which this chainrule does not know"
            ))
        })?;
        let count = u32::from_le_bytes(nkids[k][..4].try_into().expect("4 bytes")) as usize;
        if !arity_fits(kind, count) {
            return Err(bad(format!("node {k} ({name}) has {count} children")));
        }
        let mine = kids
            .get(next_kid..next_kid + count)
            .ok_or_else(|| bad(format!("node {k}'s children")))?;
        next_kid += count;
        let mut children = Vec::with_capacity(count);
        for r in mine {
            children.push(child(py, &nodes, &ext, k, i64::from_le_bytes(*r))?);
        }
        let cls = match cls.get(&k) {
            Some(&i) => Some(
                classes
                    .get(i)
                    .ok_or_else(|| bad(format!("node {k}'s class")))?,
            ),
            None => None,
        };
        let parts = Parts {
            data: f64::from_le_bytes(data[k]),
            grad: f64::from_le_bytes(grad[k]),
            kind,
            label: labels.remove(&k).unwrap_or_default(),
            op: ops.remove(&k),
        };
        nodes.push(make(py, cls, children, parts)?);
    }
    if next_kid != kids.len() {
        return Err(bad(format!(
            "{} children listed, {next_kid} used",
            kids.len()
        )));
    }
    Ok(GraphTable {
        described: None,
        ids: Vec::new(),
        nodes,
    })
}

/// The child `r` of node `k`: an older node of this table, or (below 0) an entry of
/// `ext`, a node of a table rebuilt before.
fn child(
    py: Python<'_>,
    nodes: &[Py<Value>],
    ext: &[(Bound<'_, GraphTable>, usize)],
    k: usize,
    r: i64,
) -> PyResult<Py<Value>> {
    let found = if r >= 0 {
        nodes
            .get(r as usize)
            .filter(|_| (r as usize) < k)
            .map(|x| x.clone_ref(py))
    } else {
        let e = (-(r + 1)) as usize;
        ext.get(e)
            .and_then(|(t, i)| t.borrow().nodes.get(*i).map(|x| x.clone_ref(py)))
    };
    found.ok_or_else(|| bad(format!("node {k} has a child ({r}) it cannot have")))
}

/// Whether a node of `kind` may have `count` children.
fn arity_fits(kind: Kind, count: usize) -> bool {
    match kind {
        Kind::Leaf => count == 0,
        Kind::Custom => count > 0,
        Kind::Neuron => count % 2 == 1,
        Kind::Op(op, _) => match op.arity() {
            chainrule::Arity::Leaf => count == 0,
            chainrule::Arity::Unary | chainrule::Arity::UnaryConst => count == 1,
            chainrule::Arity::Binary => count == 2,
            chainrule::Arity::Nary if op == Op::Sum => true,
            chainrule::Arity::Nary => count % 2 == 0,
        },
    }
}

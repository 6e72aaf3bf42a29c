//! `Value`: micrograd's node, in Rust. It holds its children as references to their very
//! Python objects (so `_prev` hands back the objects that were combined), a creation
//! counter (a topological order with no hash set), and an op code from chainrule's op
//! table, which gives every value and local derivative.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chainrule::{Arity, Op};
use pyo3::exceptions::PyTypeError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PySet, PyTuple, PyType};
use pyo3::PyTraverseError;

use crate::construct::{fields, is_plain, is_value_type, Class};
use crate::gil::GilCell;
use crate::{interrupt, layout, persist};

/// Creation counter: children are always made before their parents, so sorting by it is
/// a topological order (the one the drawings and explanations use). Also hands out
/// traversal epochs (any fresh number will do).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The next creation id. Every caller holds the interpreter lock, so a load and a store
/// (two plain moves) cannot lose an update, where `fetch_add` would take a locked
/// instruction on every node made.
pub(crate) fn next_id() -> u64 {
    let id = NEXT_ID.load(Ordering::Relaxed);
    NEXT_ID.store(id + 1, Ordering::Relaxed);
    id
}

/// How a value was made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// Made by the user: `Value(2.0)`.
    Leaf,
    /// Made by an op of the table, with its constant (0 when it has none).
    Op(Op, f64),
    /// A neuron's sum fused into one node (`chainrule.nn`): children `[b, w₀ … wₙ₋₁,
    /// x₀ … xₙ₋₁]`, value `b + w₀·x₀ + w₁·x₁ + …` added left to right, bias first, as
    /// micrograd's `sum(..., self.b)` adds, so the numbers are micrograd's.
    Neuron,
    /// Made by the user with `_children` given: no rule is known (micrograd's default
    /// `_backward` does nothing either), unless the user assigns a `_backward`.
    Custom,
}

/// A node's children, inline for the one and two of every op (no allocation), a list for
/// a user's `_children`, a neuron or an n-ary op. Reads as a slice.
#[derive(Default)]
pub(crate) enum Kids {
    #[default]
    Zero,
    One([Py<Value>; 1]),
    Two([Py<Value>; 2]),
    Many(Box<[Py<Value>]>),
}

impl std::ops::Deref for Kids {
    type Target = [Py<Value>];
    fn deref(&self) -> &[Py<Value>] {
        match self {
            Kids::Zero => &[],
            Kids::One(a) => a,
            Kids::Two(a) => a,
            Kids::Many(v) => v,
        }
    }
}

impl From<Vec<Py<Value>>> for Kids {
    fn from(v: Vec<Py<Value>>) -> Kids {
        if v.is_empty() {
            Kids::Zero
        } else {
            Kids::Many(v.into_boxed_slice())
        }
    }
}

/// What few nodes carry, kept out of line so that every node stays small: a label, an
/// `_op` text other than the one its kind implies, a `_backward` the user assigned.
#[derive(Default)]
pub(crate) struct Extra {
    label: String,
    op: Option<String>,
    backward: Option<Py<PyAny>>,
}

/// A scalar value that remembers how it was made, as micrograd's `Value`.
///
/// `Value(data, _children=(), _op='', label='')`. `data`, `grad`, `label` and `_op` are
/// readable and settable; `_prev` is the set of the very Value objects this one was made
/// from. Operators: `+ - * / **` with numbers (int, float, NumPy scalars) on either side,
/// unary `-`, `Value ** Value`; methods `relu()`, `tanh()`, `exp()`, `log()`,
/// `sigmoid()`. `backward()` seeds this value's grad with 1 and accumulates into every
/// grad it depends on, as micrograd does (nothing is zeroed), at any depth.
///
/// Differences from micrograd: `data` and `grad` are always Python floats; arithmetic is
/// IEEE 754 (`Value(0.0) ** -1` is `inf`, a negative base to a fractional power is `nan`,
/// where micrograd raises or makes a complex number). A neuron of `chainrule.nn` is one
/// node (`_op` `'+'`, `_prev` its bias, weights and inputs) where micrograd makes one
/// node per multiply and add: the same numbers, far fewer objects. A Value may be used
/// from any thread, as any Python object: every access holds the interpreter lock.
#[pyclass(module = "chainrule.engine", name = "Value", weakref, frozen, subclass)]
pub struct Value {
    data: Cell<f64>,
    grad: Cell<f64>,
    /// How it was made; set once more only while a subclass's node is being made
    /// (`construct.rs`).
    kind: Cell<Kind>,
    /// Never changed while the node is reachable: only `__clear__` (which the cycle
    /// collector calls on unreachable nodes alone) and `Drop` take the children.
    /// (`ManuallyDrop`: `Drop` takes them, so no drop glue runs on the emptied field.)
    children: ManuallyDrop<UnsafeCell<Kids>>,
    pub(crate) id: u64,
    /// The last traversal that reached this node.
    pub(crate) mark: Cell<u64>,
    /// This node's position in the current traversal's order.
    pub(crate) slot: Cell<usize>,
    /// (`ManuallyDrop`: `Drop` takes it, as the children.)
    extra: ManuallyDrop<RefCell<Option<Box<Extra>>>>,
}

// SAFETY: every access to a Value goes through a `Python<'py>` token or a `Bound`, that
// is, with the interpreter lock held, and there always is one: the extension is an abi3
// module, which free-threaded builds do not load, and built from source for one it
// declares `gil_used = true` (lib.rs), so importing it turns the GIL back on. No two
// threads touch a Value's cells at once. No reference into a cell is held across a call
// into Python code (the lock may change hands there): the numbers are copied in and out
// (`Cell`), `extra` is borrowed only for the duration of a read or a write, and the
// children are never replaced while a node is reachable (see `children`).
unsafe impl Sync for Value {}

impl Value {
    pub(crate) fn raw(
        data: f64,
        kind: Kind,
        children: impl Into<Kids>,
        op: Option<String>,
    ) -> Value {
        Value {
            data: Cell::new(data),
            grad: Cell::new(0.0),
            kind: Cell::new(kind),
            children: ManuallyDrop::new(UnsafeCell::new(children.into())),
            id: next_id(),
            mark: Cell::new(0),
            slot: Cell::new(0),
            extra: ManuallyDrop::new(RefCell::new(op.map(|op| {
                Box::new(Extra {
                    op: Some(op),
                    ..Extra::default()
                })
            }))),
        }
    }

    /// The value, as a number.
    pub(crate) fn value(&self) -> f64 {
        self.data.get()
    }

    /// Where the value is (for `layout.rs`'s member descriptor).
    pub(crate) fn data_ptr(&self) -> *const f64 {
        self.data.as_ptr()
    }

    /// Where the grad is (for `layout.rs`'s member descriptor).
    pub(crate) fn grad_ptr(&self) -> *const f64 {
        self.grad.as_ptr()
    }

    /// Sets the value.
    pub(crate) fn set_value(&self, x: f64) {
        self.data.set(x);
    }

    /// How the value was made.
    #[inline]
    pub(crate) fn kind(&self) -> Kind {
        self.kind.get()
    }

    /// Sets how the value was made (`construct.rs`, for a subclass's new node).
    pub(crate) fn set_kind(&self, kind: Kind) {
        self.kind.set(kind);
    }

    /// Gives a node its children.
    ///
    /// # Safety
    /// No reference into the current children may be alive: the node has none, or is
    /// unreachable.
    pub(crate) unsafe fn set_children(&self, kids: Kids) {
        let old = unsafe { std::mem::replace(&mut *self.children.get(), kids) };
        drop(old);
    }

    /// The grad, as a number.
    pub(crate) fn grad_value(&self) -> f64 {
        self.grad.get()
    }

    /// Sets the grad.
    pub(crate) fn set_grad_value(&self, g: f64) {
        self.grad.set(g);
    }

    fn add_grad(&self, d: f64) {
        self.grad.set(self.grad.get() + d);
    }

    /// The children, oldest first as they were combined.
    pub(crate) fn kids(&self) -> &[Py<Value>] {
        // SAFETY: the children are replaced only by `__clear__`, which the cycle collector
        // calls on unreachable nodes, and by `Drop`; `&self` means this node is reachable
        // (or being dropped by its owner, which holds `&mut`).
        unsafe { &*self.children.get() }
    }

    /// The label ('' when none).
    pub(crate) fn label_text(&self) -> String {
        self.extra
            .borrow()
            .as_ref()
            .map(|e| e.label.clone())
            .unwrap_or_default()
    }

    /// Sets the label.
    pub(crate) fn set_label_text(&self, label: String) {
        let mut e = self.extra.borrow_mut();
        if label.is_empty() && e.is_none() {
            return;
        }
        e.get_or_insert_with(Box::default).label = label;
    }

    /// The `_op` text: as micrograd writes it for the ops it has.
    pub(crate) fn op_text(&self) -> String {
        if let Some(op) = self.extra.borrow().as_ref().and_then(|e| e.op.clone()) {
            return op;
        }
        Value::default_op_text(self.kind())
    }

    /// The `_op` text of a node of `kind` when none other was given.
    pub(crate) fn default_op_text(kind: Kind) -> String {
        match kind {
            Kind::Leaf | Kind::Custom => String::new(),
            Kind::Neuron => "+".into(),
            Kind::Op(op, _) => micrograd_text(op).into(),
        }
    }

    /// Sets the `_op` text (kept only where it differs from the kind's own).
    pub(crate) fn set_op_text(&self, text: String) {
        let mut e = self.extra.borrow_mut();
        if text == Value::default_op_text(self.kind()) {
            if let Some(e) = e.as_mut() {
                e.op = None;
            }
            return;
        }
        e.get_or_insert_with(Box::default).op = Some(text);
    }

    /// Sets (or, with `None`, removes) the user's `_backward`.
    pub(crate) fn set_user_backward(&self, f: Option<Py<PyAny>>) {
        set_user_backward(self, f);
    }

    /// Whether the user assigned this node a `_backward`.
    #[inline]
    pub(crate) fn has_user_backward(&self) -> bool {
        // SAFETY: `extra` is written only by setters and `Drop`, never while this read's
        // reference lives (it ends here, and no Python code runs in between); the flag
        // is still checked, only not counted.
        match unsafe { self.extra.try_borrow_unguarded() } {
            Ok(e) => e.as_ref().is_some_and(|e| e.backward.is_some()),
            Err(_) => false,
        }
    }

    /// A leaf with no `_backward` of the user's: its step does nothing.
    #[inline]
    fn is_inert(&self) -> bool {
        matches!(self.kind(), Kind::Leaf) && !self.has_user_backward()
    }

    /// The `_op` text, when it is not the one the node's kind implies.
    pub(crate) fn op_override(&self) -> Option<String> {
        let op = self.extra.borrow().as_ref().and_then(|e| e.op.clone())?;
        (op != Value::default_op_text(self.kind())).then_some(op)
    }

    /// The `_backward` the user assigned, if any.
    pub(crate) fn user_backward(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.user_backward_bound(py).map(Bound::unbind)
    }

    /// The `_backward` the user assigned, if any, as a `Bound` (whose drop is a plain
    /// decref, also outside PyO3's trampolines).
    #[inline]
    fn user_backward_bound<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        if !self.has_user_backward() {
            return None;
        }
        self.extra
            .borrow()
            .as_ref()
            .and_then(|e| e.backward.as_ref().map(|f| f.bind(py).clone()))
    }
}

/// The ops `Value`'s methods and operators make, each with the `_op` texts that name it:
/// first the one micrograd (or its lecture) writes, which the nodes get, then any other
/// a user may write for it.
pub(crate) const MICROGRAD_OPS: [(Op, &[&str]); 8] = [
    (Op::Add, &["+"]),
    (Op::Mul, &["*"]),
    (Op::Pow, &["**"]),
    (Op::Relu, &["ReLU", "relu"]),
    (Op::Tanh, &["tanh"]),
    (Op::Exp, &["exp"]),
    (Op::Ln, &["log"]),
    (Op::Sigmoid, &["sigmoid"]),
];

/// The `_op` text micrograd (or its lecture) gives the nodes of `op`.
fn micrograd_text(op: Op) -> &'static str {
    MICROGRAD_OPS
        .iter()
        .find(|(o, _)| *o == op)
        .map_or(op.symbol(), |(_, texts)| texts[0])
}

/// The name of `obj`'s type, for error messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `obj` as a number, if it is one (and not a Value).
#[inline]
pub(crate) fn number(obj: &Bound<'_, PyAny>) -> Option<f64> {
    // An exact float first: the common case, read without a subtype test.
    // SAFETY: a live object's type pointer; `PyFloat_Type` is a static.
    if unsafe {
        pyo3::ffi::Py_TYPE(obj.as_ptr()) == std::ptr::addr_of_mut!(pyo3::ffi::PyFloat_Type)
    } {
        // SAFETY: an exact float, which `PyFloat_AsDouble` reads without failing.
        return Some(unsafe { pyo3::ffi::PyFloat_AsDouble(obj.as_ptr()) });
    }
    if obj.is_instance_of::<Value>() {
        return None;
    }
    obj.extract::<f64>().ok()
}

/// `obj` as a number, or a TypeError naming its type.
pub(crate) fn require_number(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    number(obj).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what} must be a number (int, float or a NumPy scalar), not {}",
            type_name(obj)
        ))
    })
}

/// How many live nodes hold a `_backward` a user assigned: the only way a Value can be
/// part of a reference cycle. While there are any, new nodes stay tracked by Python's
/// cycle collector (the closure may refer to nodes made after it).
static USER_BACKWARDS: AtomicUsize = AtomicUsize::new(0);

/// A new node, as a Python object. Nodes hold only their (older) children, so a graph of
/// them has no cycles and is freed by reference counting alone: until a user assigns a
/// `_backward` (whose closure may close a cycle), nodes are kept out of the cycle
/// collector, which would otherwise traverse every live node again and again (measured:
/// 4.5x slower on micrograd's demo, superlinear on deep chains).
pub(crate) fn new_node(py: Python<'_>, v: Value) -> PyResult<Py<Value>> {
    let obj = layout::alloc_untracked(py, v)?;
    if USER_BACKWARDS.load(Ordering::Relaxed) != 0 {
        track(obj.bind(py));
    }
    Ok(obj)
}
/// Sets (or, with `None`, removes) a node's user `_backward`, keeping the count.
fn set_user_backward(v: &Value, f: Option<Py<PyAny>>) {
    let mut e = v.extra.borrow_mut();
    let had = e.as_ref().is_some_and(|e| e.backward.is_some());
    match (had, f.is_some()) {
        (false, true) => {
            USER_BACKWARDS.fetch_add(1, Ordering::Relaxed);
        }
        (true, false) => {
            USER_BACKWARDS.fetch_sub(1, Ordering::Relaxed);
        }
        _ => {}
    }
    if f.is_none() && e.is_none() {
        return;
    }
    let old = std::mem::replace(&mut e.get_or_insert_with(Box::default).backward, f);
    // The old closure is dropped after the borrow ends: dropping it may run Python code.
    drop(e);
    drop(old);
}

/// Gives `node` a `_backward` of the user's (which may close a cycle: the node goes back
/// under the cycle collector).
pub(crate) fn give_backward(node: &Bound<'_, Value>, f: Py<PyAny>) {
    track(node);
    set_user_backward(node.get(), Some(f));
}

/// Puts `obj` (back) under the cycle collector.
fn track(obj: &Bound<'_, Value>) {
    // SAFETY: a live GC object; it is tracked only if it is not already (tracking twice
    // is a fatal error).
    unsafe {
        if pyo3::ffi::PyObject_GC_IsTracked(obj.as_ptr()) == 0 {
            pyo3::ffi::PyObject_GC_Track(obj.as_ptr().cast());
        }
    }
}

/// `Value(obj)` for a number `obj`: a new leaf; `None` when `obj` is not a number (the
/// constructor then says why).
pub(crate) fn leaf_from(obj: &Bound<'_, PyAny>) -> PyResult<Option<Py<Value>>> {
    match number(obj) {
        Some(x) => leaf(obj.py(), x).map(Some),
        None => Ok(None),
    }
}

fn leaf(py: Python<'_>, x: f64) -> PyResult<Py<Value>> {
    new_node(py, Value::raw(x, Kind::Leaf, Kids::Zero, None))
}

/// The other operand as a Value (a number becomes a new leaf of the result's class, as
/// micrograd does), or `None` when it is neither (the operator then returns
/// NotImplemented).
fn operand(cls: &Class<'_>, other: &Bound<'_, PyAny>) -> PyResult<Option<Py<Value>>> {
    if let Ok(v) = other.cast::<Value>() {
        return Ok(Some(v.clone().unbind()));
    }
    match number(other) {
        Some(x) => cls.leaf(other.py(), x).map(Some),
        None => Ok(None),
    }
}

/// A new node `op(x, y)` made from the table.
pub(crate) fn binary(
    py: Python<'_>,
    cls: &Class<'_>,
    x: Py<Value>,
    y: Py<Value>,
    op: Op,
) -> PyResult<Py<Value>> {
    let data = op.apply(x.get().value(), y.get().value(), 0.0);
    cls.node(py, data, Kind::Op(op, 0.0), Kids::Two([x, y]), None)
}

/// A new node `op(x)` (with constant `c`) made from the table; `text` is its `_op` when
/// micrograd writes it otherwise than the op's own (`'**2'`).
fn unary(
    py: Python<'_>,
    cls: &Class<'_>,
    x: Py<Value>,
    op: Op,
    c: f64,
    text: Option<String>,
) -> PyResult<Py<Value>> {
    let data = op.apply(x.get().value(), 0.0, c);
    cls.node(py, data, Kind::Op(op, c), Kids::One([x]), text)
}

/// `self op other` for `+` and `*`: two plain Values go straight to the table, anything
/// else (a number, a subclass, neither) through [`binop_any`].
#[inline(always)]
fn binop(slf: &Bound<'_, Value>, other: &Bound<'_, PyAny>, op: Op) -> PyResult<Py<PyAny>> {
    if is_plain(slf.as_any()) && is_plain(other) {
        // SAFETY: `other`'s type is exactly Value.
        let o = unsafe { other.cast_unchecked::<Value>() };
        let (x, y) = (slf.clone().unbind(), o.clone().unbind());
        return done(binary(slf.py(), &Class::Plain, x, y, op));
    }
    binop_any(slf, other, op)
}

#[inline(never)]
fn binop_any(slf: &Bound<'_, Value>, other: &Bound<'_, PyAny>, op: Op) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let cls = Class::of(slf.as_any(), Some(other));
    let Some(o) = operand(&cls, other)? else {
        return Ok(not_implemented(py));
    };
    done(binary(py, &cls, slf.clone().unbind(), o, op))
}

/// `op(self)` for a method of one operand.
fn method(slf: &Bound<'_, Value>, op: Op) -> PyResult<Py<Value>> {
    let cls = Class::of(slf.as_any(), None);
    unary(slf.py(), &cls, slf.clone().unbind(), op, 0.0, None)
}

/// `x ** -1`, as micrograd builds division.
fn reciprocal(py: Python<'_>, cls: &Class<'_>, x: Py<Value>) -> PyResult<Py<Value>> {
    // black_box: keep the division-free `pow(x, -1)` micrograd computes (glibc's pow),
    // rather than a `1/x` the optimiser could put in its place.
    unary(
        py,
        cls,
        x,
        Op::PowConst,
        std::hint::black_box(-1.0),
        Some("**-1".into()),
    )
}

fn neg(py: Python<'_>, cls: &Class<'_>, x: Py<Value>) -> PyResult<Py<Value>> {
    let m = cls.leaf(py, -1.0)?;
    binary(py, cls, x, m, Op::Mul)
}

fn not_implemented(py: Python<'_>) -> Py<PyAny> {
    py.NotImplemented()
}

fn done(v: PyResult<Py<Value>>) -> PyResult<Py<PyAny>> {
    v.map(|v| v.into_any())
}

/// `b + w₀·x₀ + w₁·x₁ + …` as one node (added left to right, bias first, as micrograd's
/// neuron adds), then `relu` of it when `nonlin`: the body of `chainrule.nn.Neuron`.
/// `w` and `b` must be Values; an `x` may also be a number (a new leaf, as micrograd's
/// `wi * xi` makes one). Pairs as `zip(w, x)` does: the shorter one decides. Lists and
/// tuples are read in place; any other iterable is read into a list first.
#[pyfunction]
pub fn neuron(
    py: Python<'_>,
    w: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    nonlin: bool,
) -> PyResult<Py<Value>> {
    let (w, x) = (Items::of(w, "the weights")?, Items::of(x, "the inputs")?);
    let n = w.len().min(x.len());
    let mut kids: Vec<Py<Value>> = Vec::with_capacity(1 + 2 * n);
    let as_value = |v: &Bound<'_, PyAny>, what: &str| -> PyResult<Py<Value>> {
        v.cast::<Value>().map(|v| v.clone().unbind()).map_err(|_| {
            PyTypeError::new_err(format!(
                "Neuron: {what} must be a Value, not {}",
                type_name(v)
            ))
        })
    };
    kids.push(as_value(b, "the bias")?);
    for i in 0..n {
        kids.push(as_value(&w.get(i)?, "every weight")?);
    }
    for i in 0..n {
        let xi = x.get(i)?;
        match operand(&Class::Plain, &xi)? {
            Some(v) => kids.push(v),
            None => {
                return Err(PyTypeError::new_err(format!(
                    "Neuron: every input must be a Value or a number, not {}",
                    type_name(&xi)
                )))
            }
        }
    }
    let mut sum = kids[0].get().value();
    for i in 0..n {
        sum += kids[1 + i].get().value() * kids[1 + n + i].get().value();
    }
    let act = new_node(py, Value::raw(sum, Kind::Neuron, kids, None))?;
    if nonlin {
        unary(py, &Class::Plain, act, Op::Relu, 0.0, None)
    } else {
        Ok(act)
    }
}

/// A neuron's weights or inputs, read by position: a list or tuple in place, any other
/// iterable read into a list.
enum Items<'py> {
    List(Bound<'py, PyList>),
    Tuple(Bound<'py, PyTuple>),
    Read(Vec<Bound<'py, PyAny>>),
}

impl<'py> Items<'py> {
    fn of(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Items<'py>> {
        if let Ok(l) = obj.cast::<PyList>() {
            return Ok(Items::List(l.clone()));
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return Ok(Items::Tuple(t.clone()));
        }
        let it = obj.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "Neuron: {what} must be a list of Values, not {}",
                type_name(obj)
            ))
        })?;
        Ok(Items::Read(it.collect::<PyResult<_>>()?))
    }

    fn len(&self) -> usize {
        match self {
            Items::List(l) => l.len(),
            Items::Tuple(t) => t.len(),
            Items::Read(v) => v.len(),
        }
    }

    /// Item `i` (a list that changed length meanwhile gives an IndexError).
    fn get(&self, i: usize) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Items::List(l) => l.get_item(i),
            Items::Tuple(t) => t.get_item(i),
            Items::Read(v) => Ok(v[i].clone()),
        }
    }
}

/// The grads `root.backward()` gives, the user's `_backward`s included, for each of
/// `nodes` (every node `root` depends on). No grad changes: each is saved, set to 0 for
/// the pass, read and restored (also when a `_backward` raises).
pub(crate) fn backward_grads(
    py: Python<'_>,
    root: &Value,
    nodes: &[Bound<'_, Value>],
) -> PyResult<Vec<f64>> {
    let saved: Vec<f64> = nodes.iter().map(|n| n.get().grad_value()).collect();
    for n in nodes {
        n.get().set_grad_value(0.0);
    }
    let ran = backward_from(py, root);
    let out = nodes.iter().map(|n| n.get().grad_value()).collect();
    for (n, g) in nodes.iter().zip(saved) {
        n.get().set_grad_value(g);
    }
    ran.map(|()| out)
}

/// The nodes `roots` depend on (themselves included), in creation order (children before
/// parents), or `None` as soon as the walk finds more than `limit` of them. Iterative;
/// each node is marked with a fresh epoch instead of a hash set, and its `slot` set to its
/// position in the returned order.
pub(crate) fn topo_at_most<'py>(
    py: Python<'py>,
    roots: &[Bound<'py, Value>],
    limit: usize,
) -> Option<Vec<Bound<'py, Value>>> {
    let epoch = next_id();
    let mut found: Vec<(u64, Bound<'py, Value>)> = Vec::new();
    let mut stack: Vec<Bound<'py, Value>> = Vec::new();
    for r in roots {
        let m = r.get();
        if m.mark.get() != epoch {
            m.mark.set(epoch);
            stack.push(r.clone());
        }
    }
    while let Some(n) = stack.pop() {
        let r = n.get();
        for ch in r.kids() {
            let c = ch.get();
            if c.mark.get() != epoch {
                c.mark.set(epoch);
                stack.push(ch.bind(py).clone());
            }
        }
        found.push((r.id, n));
        if found.len() > limit {
            return None;
        }
    }
    found.sort_unstable_by_key(|(id, _)| *id);
    Some(
        found
            .into_iter()
            .enumerate()
            .map(|(k, (_, n))| {
                n.get().slot.set(k);
                n
            })
            .collect(),
    )
}

/// The two work lists of a backward pass, kept between passes so that a small graph's
/// backward allocates nothing.
#[derive(Default)]
struct Walk {
    /// The nodes with a step to run, children before parents.
    order: Vec<*const Value>,
    /// The depth-first path: each node and how many of its children have been entered.
    stack: Vec<(*const Value, usize)>,
}

// SAFETY: a Walk is kept between passes only empty (its pointers live during one pass,
// on one thread, under the interpreter lock); what moves between threads is capacity.
unsafe impl Send for Walk {}

/// The work lists kept between passes (taken by a pass, put back after it).
static WALKS: GilCell<Option<Walk>> = GilCell::new(None);

/// Lists beyond this many entries are freed after the pass rather than kept.
const KEEP_WALK: usize = 1 << 16;

/// Backpropagation from `root`: its grad set to 1, then each node it depends on, parents
/// before children, runs its `_backward`. The order is a post-order of a depth-first walk
/// with an explicit stack (any depth); leaves, which have no step, are not listed.
/// Backpropagation from `root` (`Value.backward`; layout.rs's method entry calls it).
pub(crate) fn backward_of(py: Python<'_>, root: &Value) -> PyResult<()> {
    backward_from(py, root)
}

fn backward_from(py: Python<'_>, root: &Value) -> PyResult<()> {
    // A `_backward` of the user's may call `backward()` again: that inner pass finds no
    // kept lists and makes its own.
    let mut w = WALKS.replace(py, None).unwrap_or_default();
    let result = walk(py, root, &mut w).and_then(|()| {
        root.grad.set(1.0);
        for (k, &p) in w.order.iter().rev().enumerate() {
            // SAFETY: as in `walk`.
            run_backward(py, unsafe { &*p })?;
            interrupt::poll(py, k)?;
        }
        Ok(())
    });
    w.order.clear();
    w.stack.clear();
    if w.order.capacity() <= KEEP_WALK && w.stack.capacity() <= KEEP_WALK {
        WALKS.replace(py, Some(w));
    }
    result
}

/// Lists in `w.order` the nodes with a step to run, children before parents: a
/// post-order of a depth-first walk from `root` with an explicit stack (any depth).
/// Leaves, which have no step, are not listed. Ctrl-C ends a long walk.
fn walk(py: Python<'_>, root: &Value, w: &mut Walk) -> PyResult<()> {
    let epoch = next_id();
    root.mark.set(epoch);
    w.stack.push((root, 0));
    while let Some(top) = w.stack.last_mut() {
        // SAFETY (here and in the pass): every listed node is reachable from `root`,
        // which the caller holds, and a reachable node's children are never replaced
        // (only given to a childless node), so each pointer stays valid for the pass.
        let node = unsafe { &*top.0 };
        match node.kids().get(top.1) {
            Some(ch) => {
                top.1 += 1;
                let c = ch.get();
                if c.mark.get() != epoch && !c.is_inert() {
                    c.mark.set(epoch);
                    w.stack.push((c, 0));
                }
            }
            None => {
                w.order.push(node);
                w.stack.pop();
                interrupt::poll(py, w.order.len())?;
            }
        }
    }
    Ok(())
}

/// One chain-rule step for `n`: its grad times each local derivative (from the op
/// table), added to its children's grads, in micrograd's order.
pub(crate) fn step_native(n: &Value) {
    let g = n.grad.get();
    let kids = n.kids();
    match n.kind() {
        Kind::Leaf | Kind::Custom => {}
        Kind::Neuron => {
            let m = (kids.len() - 1) / 2;
            kids[0].get().add_grad(g);
            for i in 0..m {
                let (w, x) = (kids[1 + i].get(), kids[1 + m + i].get());
                let (wd, xd) = (w.value(), x.value());
                w.add_grad(xd * g);
                x.add_grad(wd * g);
            }
        }
        Kind::Op(op, c) => match op.arity() {
            Arity::Leaf => {}
            Arity::Unary | Arity::UnaryConst => {
                let x = kids[0].get();
                let p = op.partials(x.value(), 0.0, c, n.value());
                x.add_grad(p[0] * g);
            }
            Arity::Binary => {
                let (a, b) = (kids[0].get(), kids[1].get());
                let p = op.partials(a.value(), b.value(), c, n.value());
                a.add_grad(p[0] * g);
                b.add_grad(p[1] * g);
            }
            Arity::Nary if op == Op::Sum => {
                for ch in kids {
                    ch.get().add_grad(g);
                }
            }
            Arity::Nary => {
                // Dot: x₀·y₀ + x₁·y₁ + …, the xs first, then the ys.
                let half = kids.len() / 2;
                for k in 0..half {
                    let (x, y) = (kids[k].get(), kids[half + k].get());
                    let (dx, dy) = (y.value(), x.value());
                    x.add_grad(dx * g);
                    y.add_grad(dy * g);
                }
            }
        },
    }
}

/// Runs `node`'s `_backward`: the user's if one was assigned, else the native step.
fn run_backward(py: Python<'_>, node: &Value) -> PyResult<()> {
    match node.user_backward_bound(py) {
        Some(f) => f.call0().map(drop),
        None => {
            step_native(node);
            Ok(())
        }
    }
}

/// Nodes whose last reference is being dropped, waiting for their children to be
/// released, and whether a call up the stack is already freeing them: dropping a chain
/// of any depth takes a loop, not a recursion. Shared by the threads (under the
/// interpreter lock): a node another thread queues while one drains is freed by the
/// drainer.
static PENDING: GilCell<Vec<Py<Value>>> = GilCell::new(Vec::new());
static DRAINING: GilCell<bool> = GilCell::new(false);

/// Releases `kids`: those held only here that hold children of their own are queued and
/// freed one by one by the outermost call, so that freeing a deep chain never recurses.
/// The rest (shared nodes, leaves) are simply dropped.
pub(crate) fn release(py: Python<'_>, kids: Kids) {
    // Each reference goes as a `Bound`, whose drop is a plain decref: a `Py`'s drop asks
    // a thread-local whether the thread is attached (and, asked from `value_dealloc`,
    // which runs outside PyO3's trampolines, would defer the decref to PyO3's pool).
    let mut queued = false;
    let mut let_go = |k: Py<Value>| {
        if k.get_refcnt(py) == 1 && !k.get().kids().is_empty() {
            PENDING.with(py, |p| p.push(k));
            queued = true;
        } else {
            drop(k.into_bound(py));
        }
    };
    match kids {
        Kids::Zero => {}
        Kids::One([a]) => let_go(a),
        Kids::Two([a, b]) => {
            let_go(a);
            let_go(b);
        }
        Kids::Many(v) => v.into_vec().into_iter().for_each(let_go),
    }
    if !queued || DRAINING.replace(py, true) {
        return;
    }
    loop {
        let next = PENDING.with(py, |p| p.pop());
        match next {
            // Its own drop queues its children here.
            Some(k) => drop(k.into_bound(py)),
            None => break,
        }
    }
    DRAINING.replace(py, false);
}
impl Drop for Value {
    fn drop(&mut self) {
        // SAFETY: a Value is dropped by its type's dealloc, which Python calls with the
        // thread attached to the interpreter (or by __clear__, from the collector), or
        // made and dropped in Rust under the interpreter lock.
        let py = unsafe { Python::assume_attached() };
        if let Some(e) = self.extra.get_mut().take() {
            if let Some(f) = e.backward {
                USER_BACKWARDS.fetch_sub(1, Ordering::Relaxed);
                drop(f.into_bound(py));
            }
        }
        let kids = std::mem::take(self.children.get_mut());
        if !kids.is_empty() {
            release(py, kids);
        }
    }
}
/// A node's own `_backward`: calling it pushes the node's grad one chain-rule step to its
/// children, as micrograd's closure does.
#[pyclass(module = "chainrule.engine", name = "NativeBackward")]
pub struct NativeBackward {
    node: Option<Py<Value>>,
}

#[pymethods]
impl NativeBackward {
    /// Pushes the node's grad to its children: `child.grad += local derivative * grad`.
    fn __call__(&self) {
        if let Some(n) = &self.node {
            step_native(n.get());
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.node {
            Some(n) => format!("<native _backward of {}>", n.get().repr(py)?),
            None => "<native _backward>".into(),
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(n) = &self.node {
            visit.call(n)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.node = None;
    }
}

/// Calls `chainrule.show.<name>(slf, *args)`.
fn show_call<'py>(
    slf: &Bound<'py, Value>,
    name: &str,
    extra: Vec<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let f = py.import("chainrule.show")?.getattr(name)?;
    let mut all = vec![slf.clone().into_any()];
    all.extend(extra);
    Ok(f.call1(pyo3::types::PyTuple::new(py, all)?)?.unbind())
}

pub(crate) fn text_arg<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    pyo3::types::PyString::new(py, s).into_any()
}

pub(crate) fn float_repr(py: Python<'_>, x: f64) -> PyResult<String> {
    Ok(PyFloat::new(py, x).repr()?.to_string())
}

impl Value {
    fn repr(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Value(data={}, grad={})",
            float_repr(py, self.value())?,
            float_repr(py, self.grad_value())?
        ))
    }
}

#[pymethods]
impl Value {
    #[new]
    #[classmethod]
    #[pyo3(
        signature = (*args, **kwargs),
        text_signature = "(data, _children=(), _op='', label='')"
    )]
    fn py_new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        match fields(args, kwargs) {
            Ok(f) => Ok(Value::from_fields(f)),
            // A subclass with arguments of its own: a blank leaf, which its `__init__`
            // fills in through `Value.__init__` (which also reports these arguments'
            // faults, should the subclass have no `__init__` of its own).
            Err(_) if !is_value_type(cls) => Ok(Value::raw(0.0, Kind::Leaf, Kids::Zero, None)),
            Err(e) => Err(e),
        }
    }

    /// For subclasses: `super().__init__(data, _children=(), _op='', label='')` sets the
    /// data, `_op` and label (the children were given to `__new__`, which Python calls
    /// with the same arguments). `Value(...)` itself does all its work in `__new__`.
    #[pyo3(name = "__init__", signature = (*args, **kwargs))]
    fn init_py(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        self.init(fields(args, kwargs)?)
    }

    /// The value (a float).
    #[getter]
    fn data(&self) -> f64 {
        self.data.get()
    }

    #[setter]
    fn set_data(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.data.set(require_number(value, "Value.data")?);
        Ok(())
    }

    /// d(output)/d(this value), filled in by `backward()` (a float).
    #[getter]
    fn grad(&self) -> f64 {
        self.grad.get()
    }

    #[setter]
    fn set_grad(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.grad.set(require_number(value, "Value.grad")?);
        Ok(())
    }

    /// A name, shown in drawings and explanations ('' by default).
    #[getter]
    fn label(&self) -> String {
        self.label_text()
    }

    #[setter]
    fn set_label(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let label = value.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "Value.label must be a str, not {}",
                type_name(value)
            ))
        })?;
        self.set_label_text(label);
        Ok(())
    }

    /// The op that made this value, as micrograd writes it ('+', '*', '**2', 'ReLU', ...).
    #[getter]
    fn _op(&self) -> String {
        self.op_text()
    }

    #[setter(_op)]
    fn set_op(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = value.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!("Value._op must be a str, not {}", type_name(value)))
        })?;
        self.extra.borrow_mut().get_or_insert_with(Box::default).op = Some(s);
        Ok(())
    }

    /// The set of the very Value objects this one was made from.
    #[getter]
    fn _prev<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(py, self.kids().iter())
    }

    /// This node's chain-rule step: calling it adds `local derivative * self.grad` to each
    /// child's grad. Assign a Python callable to replace it (as the lecture writes new
    /// ops); `backward()` then calls yours.
    #[getter]
    fn _backward(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(f) = slf.get().user_backward(py) {
            return Ok(f);
        }
        Ok(Py::new(
            py,
            NativeBackward {
                node: Some(slf.clone().unbind()),
            },
        )?
        .into_any())
    }

    #[setter(_backward)]
    fn set_backward(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(nb) = value.cast::<NativeBackward>() {
            // Its own native step: keep native stepping.
            if nb
                .borrow()
                .node
                .as_ref()
                .is_some_and(|n| n.bind(value.py()).is(slf))
            {
                set_user_backward(slf.get(), None);
                return Ok(());
            }
        }
        if !value.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "Value._backward must be callable, not {}",
                type_name(value)
            )));
        }
        give_backward(slf, value.clone().unbind());
        Ok(())
    }

    /// `copy.copy(v)`: a new Value of the same class with the same children (shared), data,
    /// grad, label, `_op`, `_backward` and attributes.
    fn __copy__(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        persist::shallow_copy(slf)
    }

    /// `copy.deepcopy(v)`: a copy of the whole graph `v` depends on, sharing as the
    /// original does (a value used twice is one object in the copy), each node of its own
    /// class; a `_backward` you assigned is shared, not copied (a closure still refers to
    /// the nodes it closed over). Any depth: nothing recurses.
    fn __deepcopy__(slf: &Bound<'_, Self>, memo: &Bound<'_, PyDict>) -> PyResult<Py<Value>> {
        persist::deep_copy(slf, memo)
    }

    /// Pickling: the graph below this value, described flat (any depth), shared with the
    /// other Values of the same pickle.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        persist::reduce(slf)
    }

    /// Backpropagation from this value, as micrograd: its grad is set to 1, then every
    /// node it depends on, in reverse topological order, pushes its grad to its children
    /// (grads accumulate; nothing is zeroed; call `zero_grad` between steps). Iterative:
    /// any depth works.
    fn backward(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        backward_from(py, slf.get())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.repr(py)
    }

    fn __add__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(slf, other, Op::Add)
    }

    fn __radd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Self::__add__(slf, other)
    }

    fn __mul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(slf, other, Op::Mul)
    }

    fn __rmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Self::__mul__(slf, other)
    }

    /// `self ** other`: a number power is micrograd's `'**2'` node; a Value power is a
    /// `'**'` node with grads for both.
    fn __pow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        if let Ok(v) = other.cast::<Value>() {
            return done(binary(
                py,
                &cls,
                slf.clone().unbind(),
                v.clone().unbind(),
                Op::Pow,
            ));
        }
        let Some(c) = number(other) else {
            return Ok(not_implemented(py));
        };
        let text = format!("**{}", other.str()?);
        done(unary(
            py,
            &cls,
            slf.clone().unbind(),
            Op::PowConst,
            c,
            Some(text),
        ))
    }

    fn __rpow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        let Some(base) = operand(&cls, other)? else {
            return Ok(not_implemented(py));
        };
        done(binary(py, &cls, base, slf.clone().unbind(), Op::Pow))
    }

    fn __neg__(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        let cls = Class::of(slf.as_any(), None);
        neg(slf.py(), &cls, slf.clone().unbind())
    }

    fn __sub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        let negated = if let Ok(v) = other.cast::<Value>() {
            neg(py, &cls, v.clone().unbind())?
        } else if number(other).is_some() {
            // micrograd negates the number itself: `self + (-other)`.
            cls.leaf(py, require_number(&other.neg()?, "operand")?)?
        } else {
            return Ok(not_implemented(py));
        };
        done(binary(py, &cls, slf.clone().unbind(), negated, Op::Add))
    }

    fn __rsub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        let Some(o) = operand(&cls, other)? else {
            return Ok(not_implemented(py));
        };
        // micrograd: other + (-self), landing in (-self).__radd__(other).
        let n = neg(py, &cls, slf.clone().unbind())?;
        done(binary(py, &cls, n, o, Op::Add))
    }

    fn __truediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        let r = if let Ok(v) = other.cast::<Value>() {
            reciprocal(py, &cls, v.clone().unbind())?
        } else if let Some(x) = number(other) {
            // micrograd: self * other**-1, the power taken on the number.
            cls.leaf(py, x.powf(std::hint::black_box(-1.0)))?
        } else {
            return Ok(not_implemented(py));
        };
        done(binary(py, &cls, slf.clone().unbind(), r, Op::Mul))
    }

    fn __rtruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let cls = Class::of(slf.as_any(), Some(other));
        let Some(o) = operand(&cls, other)? else {
            return Ok(not_implemented(py));
        };
        // micrograd: other * self**-1, landing in (self**-1).__rmul__(other).
        let r = reciprocal(py, &cls, slf.clone().unbind())?;
        done(binary(py, &cls, r, o, Op::Mul))
    }

    /// `max(self, 0)`, micrograd's `'ReLU'` node (derivative 0 at 0).
    fn relu(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        method(slf, Op::Relu)
    }

    /// The hyperbolic tangent, the lecture's `'tanh'` node.
    fn tanh(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        method(slf, Op::Tanh)
    }

    /// `e ** self`, the lecture's `'exp'` node.
    fn exp(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        method(slf, Op::Exp)
    }

    /// The natural logarithm (`nan` below 0, `-inf` at 0).
    fn log(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        method(slf, Op::Ln)
    }

    /// The logistic function `1 / (1 + e ** -self)`, without overflow.
    fn sigmoid(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        method(slf, Op::Sigmoid)
    }

    /// The chain rule for every node this value depends on, as the notebook writes it
    /// (`chainrule.show.Explanation`; the grads are computed on the side). A neuron of
    /// `chainrule.nn` is explained as micrograd's nodes, or with `neurons='compact'` as
    /// one `dot` node.
    #[pyo3(signature = (neurons = "micrograd"))]
    fn explain(slf: &Bound<'_, Self>, neurons: &str) -> PyResult<Py<PyAny>> {
        show_call(slf, "explain", vec![text_arg(slf.py(), neurons)])
    }

    /// Finite differences against backprop for every leaf (`chainrule.show.GradCheck`).
    fn grad_check(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        show_call(slf, "grad_check", vec![])
    }

    /// Checks grads set by hand against the chain rule: `grads` is a dict `{value: grad}`
    /// or a list of Values whose `.grad` was set by hand; by default every value this one
    /// depends on (`chainrule.show.HandChecks`).
    #[pyo3(signature = (grads = None))]
    fn check_hand_grads<'py>(
        slf: &Bound<'py, Self>,
        grads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let g = grads.unwrap_or_else(|| slf.py().None().into_bound(slf.py()));
        show_call(slf, "check_hand_grads", vec![g])
    }

    /// The backward pass as a sequence of drawings, one per node (`chainrule.show.Steps`);
    /// `neurons` as `explain` takes it.
    #[pyo3(signature = (rankdir = "LR", neurons = "micrograd"))]
    fn steps(slf: &Bound<'_, Self>, rankdir: &str, neurons: &str) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        show_call(
            slf,
            "steps",
            vec![text_arg(py, rankdir), text_arg(py, neurons)],
        )
    }

    /// The first node whose value or grad is NaN or infinite, and why
    /// (`chainrule.show.NonFinite`), or None.
    fn first_non_finite(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        show_call(slf, "first_non_finite", vec![])
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for c in self.kids() {
            visit.call(c)?;
        }
        // try_borrow: the collector may run while a write to `extra` is under way.
        if let Ok(e) = self.extra.try_borrow() {
            if let Some(f) = e.as_ref().and_then(|e| e.backward.as_ref()) {
                visit.call(f)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        set_user_backward(self, None);
        // SAFETY: the collector clears only unreachable nodes, so no reference into these
        // children is alive (see `Value::children`).
        let kids = unsafe { std::mem::take(&mut *self.children.get()) };
        // SAFETY: a Value is dropped by its type's dealloc, which Python calls with the
        // thread attached to the interpreter (or by __clear__, from the collector).
        let py = unsafe { Python::assume_attached() };
        release(py, kids);
    }
}

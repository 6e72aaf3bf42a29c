//! `Value`: micrograd's node, in Rust. It holds its children as references to their very
//! Python objects (so `_prev` hands back the objects that were combined), a creation
//! counter (a topological order with no hash set), and an op code from chainrule's op
//! table, which gives every value and local derivative.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chainrule::{Arity, Op};
use pyo3::exceptions::PyTypeError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PySet};
use pyo3::PyTraverseError;

/// Creation counter: children are always made before their parents, so sorting by it is
/// a topological order. Also hands out traversal epochs (any fresh number will do).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// How a value was made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// Made by the user: `Value(2.0)`.
    Leaf,
    /// Made by an op of the table, with its constant (0 when it has none).
    Op(Op, f64),
    /// Made by the user with `_children` given: no rule is known (micrograd's default
    /// `_backward` does nothing either), unless the user assigns a `_backward`.
    Custom,
}

/// A node's children, inline for the one and two of every op (no allocation), a list for
/// a user's `_children` or an n-ary op. Reads as a slice.
#[derive(Default)]
pub(crate) enum Kids {
    #[default]
    Zero,
    One([Py<Value>; 1]),
    Two([Py<Value>; 2]),
    Many(Vec<Py<Value>>),
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
            Kids::Many(v)
        }
    }
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
/// where micrograd raises or makes a complex number). A Value may be used from any
/// thread, as any Python object: each access holds the interpreter lock, and a
/// conflicting access raises instead of racing.
#[pyclass(module = "chainrule.engine", name = "Value", weakref)]
pub struct Value {
    pub(crate) data: f64,
    pub(crate) grad: f64,
    pub(crate) kind: Kind,
    pub(crate) children: Kids,
    pub(crate) op: Cow<'static, str>,
    pub(crate) label: String,
    pub(crate) id: u64,
    /// The last traversal that reached this node.
    pub(crate) mark: u64,
    /// This node's position in the current traversal's order.
    pub(crate) slot: usize,
    /// A `_backward` the user assigned.
    pub(crate) backward: Option<Py<PyAny>>,
}

impl Value {
    pub(crate) fn raw(
        data: f64,
        kind: Kind,
        children: impl Into<Kids>,
        op: Cow<'static, str>,
    ) -> Value {
        Value {
            data,
            grad: 0.0,
            kind,
            children: children.into(),
            op,
            label: String::new(),
            id: next_id(),
            mark: 0,
            slot: 0,
            backward: None,
        }
    }
}

/// The name of `obj`'s type, for error messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `obj` as a number, if it is one (and not a Value).
fn number(obj: &Bound<'_, PyAny>) -> Option<f64> {
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
    let obj = Py::new(py, v)?;
    if USER_BACKWARDS.load(Ordering::Relaxed) == 0 {
        // SAFETY: a live object of a GC type (Value has __traverse__); untracking an
        // object is allowed at any time, and its dealloc untracks only if tracked.
        unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    }
    Ok(obj)
}

/// Sets (or, with `None`, removes) a node's user `_backward`, keeping the count.
fn set_user_backward(v: &mut Value, f: Option<Py<PyAny>>) {
    match (v.backward.is_some(), f.is_some()) {
        (false, true) => {
            USER_BACKWARDS.fetch_add(1, Ordering::Relaxed);
        }
        (true, false) => {
            USER_BACKWARDS.fetch_sub(1, Ordering::Relaxed);
        }
        _ => {}
    }
    v.backward = f;
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

fn leaf(py: Python<'_>, x: f64) -> PyResult<Py<Value>> {
    new_node(py, Value::raw(x, Kind::Leaf, Vec::new(), Cow::Borrowed("")))
}

/// The other operand as a Value (a number becomes a new leaf, as micrograd does), or
/// `None` when it is neither (the operator then returns NotImplemented).
fn operand(other: &Bound<'_, PyAny>) -> PyResult<Option<Py<Value>>> {
    if let Ok(v) = other.cast::<Value>() {
        return Ok(Some(v.clone().unbind()));
    }
    match number(other) {
        Some(x) => Ok(Some(leaf(other.py(), x)?)),
        None => Ok(None),
    }
}

fn data_of(py: Python<'_>, v: &Py<Value>) -> f64 {
    v.bind(py).borrow().data
}

/// A new node `op(x, y)` made from the table.
fn binary(
    py: Python<'_>,
    x: Py<Value>,
    y: Py<Value>,
    op: Op,
    text: &'static str,
) -> PyResult<Py<Value>> {
    let data = op.apply(data_of(py, &x), data_of(py, &y), 0.0);
    new_node(
        py,
        Value::raw(
            data,
            Kind::Op(op, 0.0),
            Kids::Two([x, y]),
            Cow::Borrowed(text),
        ),
    )
}

/// A new node `op(x)` (with constant `c`) made from the table.
fn unary(
    py: Python<'_>,
    x: Py<Value>,
    op: Op,
    c: f64,
    text: Cow<'static, str>,
) -> PyResult<Py<Value>> {
    let data = op.apply(data_of(py, &x), 0.0, c);
    new_node(py, Value::raw(data, Kind::Op(op, c), Kids::One([x]), text))
}

/// `x ** -1`, as micrograd builds division.
fn reciprocal(py: Python<'_>, x: Py<Value>) -> PyResult<Py<Value>> {
    // black_box: keep the division-free `pow(x, -1)` micrograd computes (glibc's pow),
    // rather than a `1/x` the optimiser could put in its place.
    unary(
        py,
        x,
        Op::PowConst,
        std::hint::black_box(-1.0),
        Cow::Borrowed("**-1"),
    )
}

fn neg(py: Python<'_>, x: Py<Value>) -> PyResult<Py<Value>> {
    let m = leaf(py, -1.0)?;
    binary(py, x, m, Op::Mul, "*")
}

fn not_implemented(py: Python<'_>) -> Py<PyAny> {
    py.NotImplemented()
}

fn done(py: Python<'_>, v: PyResult<Py<Value>>) -> PyResult<Py<PyAny>> {
    let _ = py;
    v.map(|v| v.into_any())
}

/// The nodes `roots` depend on (themselves included), in creation order (children before
/// parents). Iterative; each node is marked with a fresh epoch instead of a hash set, and
/// its `slot` set to its position in the returned order.
pub(crate) fn topo<'py>(py: Python<'py>, roots: &[Bound<'py, Value>]) -> Vec<Bound<'py, Value>> {
    let epoch = next_id();
    let mut found: Vec<(u64, Bound<'py, Value>)> = Vec::new();
    let mut stack: Vec<Bound<'py, Value>> = Vec::new();
    for r in roots {
        let mut m = r.borrow_mut();
        if m.mark != epoch {
            m.mark = epoch;
            drop(m);
            stack.push(r.clone());
        }
    }
    while let Some(n) = stack.pop() {
        let id = {
            let r = n.borrow();
            for ch in r.children.iter() {
                let b = ch.bind(py);
                let mut m = b.borrow_mut();
                if m.mark != epoch {
                    m.mark = epoch;
                    drop(m);
                    stack.push(b.clone());
                }
            }
            r.id
        };
        found.push((id, n));
    }
    found.sort_unstable_by_key(|(id, _)| *id);
    found
        .into_iter()
        .enumerate()
        .map(|(k, (_, n))| {
            n.borrow_mut().slot = k;
            n
        })
        .collect()
}

/// One chain-rule step for `node`: its grad times each local derivative (from the op
/// table), added to its children's grads, in micrograd's order.
pub(crate) fn step_native(py: Python<'_>, node: &Bound<'_, Value>) -> PyResult<()> {
    let n = node.borrow();
    let Kind::Op(op, c) = n.kind else {
        return Ok(());
    };
    let (out, g) = (n.data, n.grad);
    let add = |v: &Py<Value>, d: f64| {
        let b = v.bind(py);
        let mut m = b.borrow_mut();
        m.grad += d;
    };
    match op.arity() {
        Arity::Leaf => {}
        Arity::Unary | Arity::UnaryConst => {
            let x = data_of(py, &n.children[0]);
            let p = op.partials(x, 0.0, c, out);
            add(&n.children[0], p[0] * g);
        }
        Arity::Binary => {
            let (a, b) = (&n.children[0], &n.children[1]);
            let p = op.partials(data_of(py, a), data_of(py, b), c, out);
            add(a, p[0] * g);
            add(b, p[1] * g);
        }
        Arity::Nary if op == Op::Sum => {
            for ch in n.children.iter() {
                add(ch, g);
            }
        }
        Arity::Nary => {
            // Dot: x₀·y₀ + x₁·y₁ + …, the xs first, then the ys.
            let half = n.children.len() / 2;
            for k in 0..half {
                let (x, y) = (&n.children[k], &n.children[half + k]);
                let (dx, dy) = (data_of(py, y), data_of(py, x));
                add(x, dx * g);
                add(y, dy * g);
            }
        }
    }
    Ok(())
}

/// Runs `node`'s `_backward`: the user's if one was assigned, else the native step.
fn run_backward(py: Python<'_>, node: &Bound<'_, Value>) -> PyResult<()> {
    let user = node.borrow().backward.as_ref().map(|f| f.clone_ref(py));
    match user {
        Some(f) => f.call0(py).map(drop),
        None => step_native(py, node),
    }
}

thread_local! {
    /// Nodes whose last reference is being dropped, waiting for their children to be
    /// released: dropping a chain of any depth takes a loop, not a recursion.
    static PENDING: RefCell<Vec<Py<Value>>> = const { RefCell::new(Vec::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

/// Releases `kids`: those held only here are queued and freed one by one by the outermost
/// call, so that freeing a deep chain never recurses.
pub(crate) fn release(py: Python<'_>, kids: Kids) {
    let one = |k: Py<Value>| {
        if k.get_refcnt(py) == 1 {
            PENDING.with(|p| p.borrow_mut().push(k));
        } else {
            drop(k);
        }
    };
    match kids {
        Kids::Zero => {}
        Kids::One([a]) => one(a),
        Kids::Two([a, b]) => {
            one(a);
            one(b);
        }
        Kids::Many(v) => v.into_iter().for_each(one),
    }
    if DRAINING.with(|d| d.replace(true)) {
        return;
    }
    loop {
        let next = PENDING.with(|p| p.borrow_mut().pop());
        match next {
            // Its own drop queues its children here.
            Some(k) => drop(k),
            None => break,
        }
    }
    DRAINING.with(|d| d.set(false));
}

impl Drop for Value {
    fn drop(&mut self) {
        if self.backward.is_some() {
            USER_BACKWARDS.fetch_sub(1, Ordering::Relaxed);
        }
        if self.children.is_empty() {
            return;
        }
        let kids = std::mem::take(&mut self.children);
        // SAFETY: a Value is dropped by its type's dealloc, which Python calls with the
        // thread attached to the interpreter (or by __clear__, from the collector).
        let py = unsafe { Python::assume_attached() };
        release(py, kids);
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
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        match &self.node {
            Some(n) => step_native(py, n.bind(py)),
            None => Ok(()),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.node {
            Some(n) => format!("<native _backward of {}>", n.bind(py).borrow().repr(py)?),
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

fn float_repr(py: Python<'_>, x: f64) -> PyResult<String> {
    Ok(PyFloat::new(py, x).repr()?.to_string())
}

impl Value {
    fn repr(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Value(data={}, grad={})",
            float_repr(py, self.data)?,
            float_repr(py, self.grad)?
        ))
    }
}

#[pymethods]
impl Value {
    #[new]
    #[pyo3(
        signature = (data, _children = None, _op = None, label = None),
        text_signature = "(data, _children=(), _op='', label='')"
    )]
    fn py_new(
        data: &Bound<'_, PyAny>,
        _children: Option<&Bound<'_, PyAny>>,
        _op: Option<&Bound<'_, PyAny>>,
        label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let x = require_number(data, "Value(data): data")?;
        let mut children = Vec::new();
        if let Some(cs) = _children {
            let it = cs.try_iter().map_err(|_| {
                PyTypeError::new_err(format!(
                    "Value(_children=...): _children must be a tuple of Values, not {}",
                    type_name(cs)
                ))
            })?;
            for c in it {
                let c = c?;
                match c.cast::<Value>() {
                    Ok(v) => children.push(v.clone().unbind()),
                    Err(_) => {
                        return Err(PyTypeError::new_err(format!(
                            "Value(_children=...): every child must be a Value, not {}",
                            type_name(&c)
                        )))
                    }
                }
            }
        }
        let op = match _op {
            None => String::new(),
            Some(o) => o.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "Value(_op=...): _op must be a str, not {}",
                    type_name(o)
                ))
            })?,
        };
        let label = match label {
            None => String::new(),
            Some(l) => l.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "Value(label=...): label must be a str, not {}",
                    type_name(l)
                ))
            })?,
        };
        let kind = if children.is_empty() {
            Kind::Leaf
        } else {
            Kind::Custom
        };
        let mut v = Value::raw(x, kind, children, Cow::Owned(op));
        v.label = label;
        Ok(v)
    }

    /// The value (a float).
    #[getter]
    fn data(&self) -> f64 {
        self.data
    }

    #[setter]
    fn set_data(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.data = require_number(value, "Value.data")?;
        Ok(())
    }

    /// d(output)/d(this value), filled in by `backward()` (a float).
    #[getter]
    fn grad(&self) -> f64 {
        self.grad
    }

    #[setter]
    fn set_grad(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.grad = require_number(value, "Value.grad")?;
        Ok(())
    }

    /// A name, shown in drawings and explanations ('' by default).
    #[getter]
    fn label(&self) -> String {
        self.label.clone()
    }

    #[setter]
    fn set_label(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.label = value.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "Value.label must be a str, not {}",
                type_name(value)
            ))
        })?;
        Ok(())
    }

    /// The op that made this value, as micrograd writes it ('+', '*', '**2', 'ReLU', ...).
    #[getter]
    fn _op(&self) -> String {
        self.op.to_string()
    }

    #[setter(_op)]
    fn set_op(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = value.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!("Value._op must be a str, not {}", type_name(value)))
        })?;
        self.op = Cow::Owned(s);
        Ok(())
    }

    /// The set of the very Value objects this one was made from.
    #[getter]
    fn _prev<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(py, self.children.iter())
    }

    /// This node's chain-rule step: calling it adds `local derivative * self.grad` to each
    /// child's grad. Assign a Python callable to replace it (as the lecture writes new
    /// ops); `backward()` then calls yours.
    #[getter]
    fn _backward(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(f) = &slf.borrow().backward {
            return Ok(f.clone_ref(py));
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
                set_user_backward(&mut slf.borrow_mut(), None);
                return Ok(());
            }
        }
        if !value.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "Value._backward must be callable, not {}",
                type_name(value)
            )));
        }
        track(slf);
        set_user_backward(&mut slf.borrow_mut(), Some(value.clone().unbind()));
        Ok(())
    }

    /// Backpropagation from this value, as micrograd: its grad is set to 1, then every
    /// node it depends on, in reverse topological order, pushes its grad to its children
    /// (grads accumulate; nothing is zeroed; call `zero_grad` between steps). Iterative:
    /// any depth works.
    fn backward(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let order = topo(py, std::slice::from_ref(slf));
        slf.borrow_mut().grad = 1.0;
        for node in order.iter().rev() {
            run_backward(py, node)?;
        }
        Ok(())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.repr(py)
    }

    fn __add__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Some(o) = operand(other)? else {
            return Ok(not_implemented(py));
        };
        done(py, binary(py, slf.clone().unbind(), o, Op::Add, "+"))
    }

    fn __radd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Self::__add__(slf, other)
    }

    fn __mul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Some(o) = operand(other)? else {
            return Ok(not_implemented(py));
        };
        done(py, binary(py, slf.clone().unbind(), o, Op::Mul, "*"))
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
        if let Ok(v) = other.cast::<Value>() {
            return done(
                py,
                binary(py, slf.clone().unbind(), v.clone().unbind(), Op::Pow, "**"),
            );
        }
        let Some(c) = number(other) else {
            return Ok(not_implemented(py));
        };
        let text = format!("**{}", other.str()?);
        done(
            py,
            unary(py, slf.clone().unbind(), Op::PowConst, c, Cow::Owned(text)),
        )
    }

    fn __rpow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Some(base) = operand(other)? else {
            return Ok(not_implemented(py));
        };
        done(py, binary(py, base, slf.clone().unbind(), Op::Pow, "**"))
    }

    fn __neg__(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        neg(slf.py(), slf.clone().unbind())
    }

    fn __sub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let negated = if let Ok(v) = other.cast::<Value>() {
            neg(py, v.clone().unbind())?
        } else if number(other).is_some() {
            // micrograd negates the number itself: `self + (-other)`.
            leaf(py, require_number(&other.neg()?, "operand")?)?
        } else {
            return Ok(not_implemented(py));
        };
        done(py, binary(py, slf.clone().unbind(), negated, Op::Add, "+"))
    }

    fn __rsub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Some(o) = operand(other)? else {
            return Ok(not_implemented(py));
        };
        // micrograd: other + (-self), landing in (-self).__radd__(other).
        let n = neg(py, slf.clone().unbind())?;
        done(py, binary(py, n, o, Op::Add, "+"))
    }

    fn __truediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let r = if let Ok(v) = other.cast::<Value>() {
            reciprocal(py, v.clone().unbind())?
        } else if let Some(x) = number(other) {
            // micrograd: self * other**-1, the power taken on the number.
            leaf(py, x.powf(std::hint::black_box(-1.0)))?
        } else {
            return Ok(not_implemented(py));
        };
        done(py, binary(py, slf.clone().unbind(), r, Op::Mul, "*"))
    }

    fn __rtruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Some(o) = operand(other)? else {
            return Ok(not_implemented(py));
        };
        // micrograd: other * self**-1, landing in (self**-1).__rmul__(other).
        let r = reciprocal(py, slf.clone().unbind())?;
        done(py, binary(py, r, o, Op::Mul, "*"))
    }

    /// `max(self, 0)`, micrograd's `'ReLU'` node (derivative 0 at 0).
    fn relu(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        unary(
            slf.py(),
            slf.clone().unbind(),
            Op::Relu,
            0.0,
            Cow::Borrowed("ReLU"),
        )
    }

    /// The hyperbolic tangent, the lecture's `'tanh'` node.
    fn tanh(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        unary(
            slf.py(),
            slf.clone().unbind(),
            Op::Tanh,
            0.0,
            Cow::Borrowed("tanh"),
        )
    }

    /// `e ** self`, the lecture's `'exp'` node.
    fn exp(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        unary(
            slf.py(),
            slf.clone().unbind(),
            Op::Exp,
            0.0,
            Cow::Borrowed("exp"),
        )
    }

    /// The natural logarithm (`nan` below 0, `-inf` at 0).
    fn log(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        unary(
            slf.py(),
            slf.clone().unbind(),
            Op::Ln,
            0.0,
            Cow::Borrowed("log"),
        )
    }

    /// The logistic function `1 / (1 + e ** -self)`, without overflow.
    fn sigmoid(slf: &Bound<'_, Self>) -> PyResult<Py<Value>> {
        unary(
            slf.py(),
            slf.clone().unbind(),
            Op::Sigmoid,
            0.0,
            Cow::Borrowed("sigmoid"),
        )
    }

    /// The chain rule for every node this value depends on, as the notebook writes it
    /// (`chainrule.show.Explanation`; the grads are computed on the side).
    fn explain(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        show_call(slf, "explain", vec![])
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

    /// The backward pass as a sequence of drawings, one per node (`chainrule.show.Steps`).
    #[pyo3(signature = (rankdir = "LR"))]
    fn steps(slf: &Bound<'_, Self>, rankdir: &str) -> PyResult<Py<PyAny>> {
        show_call(
            slf,
            "steps",
            vec![pyo3::types::PyString::new(slf.py(), rankdir).into_any()],
        )
    }

    /// The first node whose value or grad is NaN or infinite, and why
    /// (`chainrule.show.NonFinite`), or None.
    fn first_non_finite(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        show_call(slf, "first_non_finite", vec![])
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for c in self.children.iter() {
            visit.call(c)?;
        }
        if let Some(f) = &self.backward {
            visit.call(f)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        set_user_backward(self, None);
        let kids = std::mem::take(&mut self.children);
        // SAFETY: a Value is dropped by its type's dealloc, which Python calls with the
        // thread attached to the interpreter (or by __clear__, from the collector).
        let py = unsafe { Python::assume_attached() };
        release(py, kids);
    }
}

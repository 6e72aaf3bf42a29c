//! Making a Value: the constructor's arguments, `Value.__init__` (for subclasses), and
//! the class an op's result takes when an operand is an instance of a subclass.
//!
//! `Value(...)` itself never runs `__init__` (its type keeps `object`'s, so the fast
//! path of `fastnew.rs` and the generic type call both end with `__new__`). A subclass
//! that writes its own `__init__` and calls `super().__init__(data, _children, _op,
//! label)` reaches `Value.__init__` below, which sets what `__new__` could not.

use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::value::{new_node, require_number, type_name, Kids, Kind, Value};

/// The names of the constructor's parameters, in order.
const PARAMS: [&str; 4] = ["data", "_children", "_op", "label"];

/// The constructor's arguments, converted.
pub(crate) struct Fields {
    pub(crate) data: f64,
    pub(crate) children: Vec<Py<Value>>,
    /// `None` when not given.
    pub(crate) op: Option<String>,
    /// `None` when not given.
    pub(crate) label: Option<String>,
}

/// `(data, _children=(), _op='', label='')` from a call's arguments, with the errors a
/// Python function of that signature gives.
pub(crate) fn fields(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Fields> {
    if args.len() > PARAMS.len() {
        return Err(PyTypeError::new_err(format!(
            "Value() takes from 1 to 4 positional arguments but {} were given",
            args.len()
        )));
    }
    let mut slots: [Option<Bound<'_, PyAny>>; 4] = Default::default();
    for (i, a) in args.iter().enumerate() {
        slots[i] = Some(a);
    }
    for (k, v) in kwargs.into_iter().flatten() {
        let name = k.str()?.to_string();
        let Some(i) = PARAMS.iter().position(|p| *p == name) else {
            return Err(PyTypeError::new_err(format!(
                "Value() got an unexpected keyword argument '{name}'"
            )));
        };
        if slots[i].is_some() {
            return Err(PyTypeError::new_err(format!(
                "Value() got multiple values for argument '{name}'"
            )));
        }
        slots[i] = Some(v);
    }
    let [data, children, op, label] = slots;
    let Some(data) = data else {
        return Err(PyTypeError::new_err(
            "Value() missing 1 required positional argument: 'data'",
        ));
    };
    Ok(Fields {
        data: require_number(&data, "Value(data): data")?,
        children: children
            .map(|c| child_list(&c))
            .transpose()?
            .unwrap_or_default(),
        op: op.map(|o| text(&o, "Value(_op=...): _op")).transpose()?,
        label: label
            .map(|l| text(&l, "Value(label=...): label"))
            .transpose()?,
    })
}

fn child_list(cs: &Bound<'_, PyAny>) -> PyResult<Vec<Py<Value>>> {
    let it = cs.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "Value(_children=...): _children must be a tuple of Values, not {}",
            type_name(cs)
        ))
    })?;
    it.map(|c| {
        let c = c?;
        c.cast::<Value>().map(|v| v.clone().unbind()).map_err(|_| {
            PyTypeError::new_err(format!(
                "Value(_children=...): every child must be a Value, not {}",
                type_name(&c)
            ))
        })
    })
    .collect()
}

fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    obj.extract::<String>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a str, not {}", type_name(obj))))
}

impl Value {
    /// A new Value from the constructor's arguments.
    pub(crate) fn from_fields(f: Fields) -> Value {
        let kind = if f.children.is_empty() {
            Kind::Leaf
        } else {
            Kind::Custom
        };
        let op = f.op.filter(|o| !o.is_empty());
        let v = Value::raw(f.data, kind, f.children, op);
        v.set_label_text(f.label.unwrap_or_default());
        v
    }

    /// `Value.__init__`: sets the data, and the `_op` and label when given. Children can
    /// be given to a node that has none yet (a subclass's `__new__` that could not read
    /// its own arguments made it blank) provided every one is older than it, which keeps
    /// creation order a topological order; otherwise they must be the ones it has.
    pub(crate) fn init(&self, f: Fields) -> PyResult<()> {
        if !f.children.is_empty() && !self.same_children(&f.children) {
            let older = f.children.iter().all(|c| c.get().id < self.id);
            if !self.kids().is_empty() || self.kind() != Kind::Leaf || !older {
                return Err(PyTypeError::new_err(
                    "Value.__init__: a Value's children are fixed once it is made (and must be \
                     older than it); make a new Value instead",
                ));
            }
            // SAFETY: the node has no children, so no reference into the cell exists
            // (an empty node's slice is a static one, see `Kids`), and no traversal
            // lists it (a childless leaf is never walked into).
            unsafe { self.set_children(Kids::from(f.children)) };
            self.set_kind(Kind::Custom);
        }
        self.set_value(f.data);
        if let Some(op) = f.op {
            self.set_op_text(op);
        }
        if let Some(label) = f.label {
            self.set_label_text(label);
        }
        Ok(())
    }

    fn same_children(&self, children: &[Py<Value>]) -> bool {
        let kids = self.kids();
        kids.len() == children.len() && kids.iter().zip(children).all(|(a, b)| a.is(b))
    }
}

/// `Value`'s own type object, once the module has made it (for the exact-type test every
/// op makes: an instance of a subclass gets results of its class).
static VALUE_TYPE: AtomicPtr<pyo3::ffi::PyTypeObject> = AtomicPtr::new(std::ptr::null_mut());

/// Remembers `Value`'s type object (called once, at import).
pub(crate) fn remember_type(py: Python<'_>) {
    let ty = py.get_type::<Value>();
    VALUE_TYPE.store(ty.as_type_ptr(), Ordering::Relaxed);
}

/// Whether `obj` is exactly a `Value` (not an instance of a subclass).
#[inline(always)]
pub(crate) fn is_plain(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a live object's type pointer.
    unsafe { pyo3::ffi::Py_TYPE(obj.as_ptr()) == VALUE_TYPE.load(Ordering::Relaxed) }
}

/// Whether `ty` is `Value` itself.
#[inline(always)]
pub(crate) fn is_value_type_ptr(ty: *mut pyo3::ffi::PyObject) -> bool {
    ty.cast() == VALUE_TYPE.load(Ordering::Relaxed)
}

/// Whether `ty` is `Value` itself.
pub(crate) fn is_value_type(ty: &Bound<'_, PyType>) -> bool {
    is_value_type_ptr(ty.as_ptr())
}

/// The class of an op's result: `Value`, or the subclass an operand belongs to (the
/// left one's first), so that a subclass's own methods apply to what its ops return.
#[derive(Clone)]
pub(crate) enum Class<'py> {
    Plain,
    Sub(Bound<'py, PyType>),
}

impl<'py> Class<'py> {
    /// The class of results of ops on `a` (and `b`, when it is a Value).
    #[inline(always)]
    pub(crate) fn of(a: &Bound<'py, PyAny>, b: Option<&Bound<'py, PyAny>>) -> Class<'py> {
        if !is_plain(a) {
            return Class::Sub(a.get_type());
        }
        match b {
            Some(b) if !is_plain(b) && b.is_instance_of::<Value>() => Class::Sub(b.get_type()),
            _ => Class::Plain,
        }
    }

    /// A new node of this class. A subclass's node is made by calling the class with
    /// Value's arguments `(data, _children, _op)`, so its `__init__` runs as micrograd's
    /// ops run `Value(...)`; then, as micrograd assigns `out._backward`, the node gets
    /// the op's own rule (a `_backward` that `__init__` assigned is dropped).
    #[inline(always)]
    pub(crate) fn node(
        &self,
        py: Python<'py>,
        data: f64,
        kind: Kind,
        kids: Kids,
        op: Option<String>,
    ) -> PyResult<Py<Value>> {
        match self {
            Class::Plain => new_node(py, Value::raw(data, kind, kids, op)),
            Class::Sub(cls) => subclass_node(py, cls, data, kind, kids, op),
        }
    }

    /// A new leaf of this class holding `x` (the number an op meets, as micrograd makes
    /// `Value(other)`).
    pub(crate) fn leaf(&self, py: Python<'py>, x: f64) -> PyResult<Py<Value>> {
        self.node(py, x, Kind::Leaf, Kids::Zero, None)
    }
}

/// [`Class::node`] for a subclass `cls`.
#[cold]
#[inline(never)]
fn subclass_node(
    py: Python<'_>,
    cls: &Bound<'_, PyType>,
    data: f64,
    kind: Kind,
    kids: Kids,
    op: Option<String>,
) -> PyResult<Py<Value>> {
    let name = || cls.name().map(|n| n.to_string()).unwrap_or_default();
    let text = op.unwrap_or_else(|| Value::default_op_text(kind));
    let children = PyTuple::new(py, kids.iter())?;
    let made = cls
        .call1((data, &children, &text))
        .map_err(|e| subclass_error(py, &name(), e))?;
    let node = made.cast_into::<Value>().map_err(|e| {
        PyTypeError::new_err(format!(
            "{}(data, _children, _op) must make a Value, not {}",
            name(),
            type_name(e.into_inner().as_any())
        ))
    })?;
    let v = node.get();
    if !v.same_children(&kids) {
        return Err(PyTypeError::new_err(format!(
            "{}(data, _children, _op) must keep the _children it is given: ops on its \
             instances make their results that way",
            name()
        )));
    }
    v.set_kind(kind);
    v.set_op_text(text);
    v.set_user_backward(None);
    Ok(node.unbind())
}

/// A TypeError a subclass's constructor raised, with what ops need of it (any other
/// error is the subclass's own and passes unchanged).
fn subclass_error(py: Python<'_>, name: &str, e: PyErr) -> PyErr {
    if !e.is_instance_of::<PyTypeError>(py) {
        return e;
    }
    let note = PyTypeError::new_err(format!(
        "ops on {name} instances make their results as {name}(data, _children, _op), as \
         micrograd's ops make Value(...): keep Value's constructor arguments"
    ));
    note.set_cause(py, Some(e));
    note
}

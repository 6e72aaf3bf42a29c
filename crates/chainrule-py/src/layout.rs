//! Shortcuts past PyO3's generated code for the things micrograd's loop does most, each
//! measured on PyO3's own objects at import and used only when every check holds
//! (otherwise PyO3's way stays; `CHAINRULE_NO_SHORTCUTS=1` keeps PyO3's ways throughout):
//!
//! - `data` and `grad` are member descriptors (CPython's `PyMemberDef`, `Py_T_DOUBLE`,
//!   from the stable ABI) at the offsets of the two fields in a Value object, measured on
//!   a Value PyO3 made. Reading `v.grad` is then CPython's own member read, not a call
//!   through PyO3's getter and its trampoline.
//! - `v.backward()` is a method descriptor of CPython's (`PyDescr_NewMethod`,
//!   `METH_NOARGS`, stable ABI) calling the pass straight, not PyO3's wrapper.
//! - A node is allocated by `_PyObject_GC_New` (untracked, not zeroed: every byte PyO3
//!   would set is written here) instead of PyO3's initializer, `PyType_GenericAlloc`
//!   (which zeroes the object and puts it under the cycle collector, from which
//!   `new_node` at once takes it off again). This assumes the object is PyO3's header,
//!   the Value, and the weak-reference slot, and nothing else (`frozen`, no `dict`, not
//!   `unsendable`: PyO3 0.27's other fields are then empty): checked against the type's
//!   `__basicsize__` and `__weakrefoffset__`, and pinned with PyO3's exact version in
//!   Cargo.toml (`tests/test_layout.py` checks both ways of making a node agree).
//! - A node is freed by `value_dealloc`, put in the type's `tp_dealloc` slot: what
//!   PyO3's dealloc does for this layout (untrack, drop the Value, clear weak references,
//!   free) without its trampoline and slot lookups, and it also releases the instance's
//!   reference to its type, as CPython asks of a heap type's dealloc and as PyO3 0.27
//!   forgets (PyO3 issue 6223: every instance leaked a reference to its class). The
//!   slot is found as the interpreter finds it, through `TypeHead`, checked against
//!   `PyType_GetSlot`.
//!
//! Code reached from these entries runs outside PyO3's trampolines, where PyO3 would
//! defer the decref of a dropped `Py` to its pool: it holds `Bound`s instead.

use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;

use crate::value::{Kids, Kind, Value};

/// The head of `PyTypeObject` up to `tp_vectorcall_offset`, laid out as in every CPython
/// from 3.0 on (GIL builds; abi3 loads in no other).
#[repr(C)]
pub(crate) struct TypeHead {
    pub(crate) ob_base: ffi::PyVarObject,
    pub(crate) tp_name: *const std::ffi::c_char,
    pub(crate) tp_basicsize: ffi::Py_ssize_t,
    pub(crate) tp_itemsize: ffi::Py_ssize_t,
    pub(crate) tp_dealloc: Option<ffi::destructor>,
    pub(crate) tp_vectorcall_offset: ffi::Py_ssize_t,
}

/// The PyO3 version whose objects these shortcuts were written for and checked against
/// (Cargo.toml pins it; `tests/test_layout.py` checks the pin is this).
pub(crate) const PYO3_CHECKED: &str = "0.27.2";

/// Where the Value sits in a Value object, and the weak-reference slot (0: unknown, use
/// PyO3's allocation).
static VALUE_OFFSET: AtomicUsize = AtomicUsize::new(0);
static WEAKREF_OFFSET: AtomicUsize = AtomicUsize::new(0);
static VALUE_TYPE: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(std::ptr::null_mut());
static MEMBERS: AtomicBool = AtomicBool::new(false);
static DEALLOC: AtomicBool = AtomicBool::new(false);

/// What `install` set up: `(fast allocation, member descriptors, dealloc)`.
pub(crate) fn installed() -> (bool, bool, bool) {
    (
        VALUE_OFFSET.load(Ordering::Relaxed) != 0,
        MEMBERS.load(Ordering::Relaxed),
        DEALLOC.load(Ordering::Relaxed),
    )
}

/// Measures a Value made by PyO3 and sets up what the checks allow.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    let ty = py.get_type::<Value>();
    let basic: usize = ty.getattr("__basicsize__")?.extract()?;
    let weak: usize = ty.getattr("__weakrefoffset__")?.extract()?;
    let probe = Py::new(py, Value::raw(0.0, Kind::Leaf, Kids::Zero, None))?;
    let at = probe.as_ptr() as usize;
    let v = probe.get();
    let offset = |p: *const f64| p as usize - at;
    let (value, data, grad) = (
        v as *const Value as usize - at,
        offset(v.data_ptr()),
        offset(v.grad_ptr()),
    );
    let word = std::mem::size_of::<usize>();
    let size = std::mem::size_of::<Value>();
    let fields_inside = |o: usize| o >= value && o + 8 <= value + size && o % 8 == 0;
    // SAFETY: a type object PyO3 made, alive for the interpreter's life.
    let gc = unsafe { ffi::PyType_GetFlags(ty.as_type_ptr()) } & ffi::Py_TPFLAGS_HAVE_GC != 0;
    let header = std::mem::size_of::<ffi::PyObject>();
    // The object is the header, the Value, the weak-reference slot: nothing else.
    let exact = value == header
        && weak == (value + size).next_multiple_of(word)
        && basic == weak + word
        && gc;
    // SAFETY (for the reads below): the probe is alive and `weak` lies inside it.
    let weak_empty = exact && unsafe { *((at + weak) as *const usize) } == 0;
    if exact && weak_empty {
        VALUE_TYPE.store(ty.as_type_ptr(), Ordering::Relaxed);
        WEAKREF_OFFSET.store(weak, Ordering::Relaxed);
        VALUE_OFFSET.store(value, Ordering::Relaxed);
        DEALLOC.store(install_dealloc(&ty), Ordering::Relaxed);
    }
    if fields_inside(data) && fields_inside(grad) && data < basic && grad < basic {
        let done = member(&ty, c"data", data, c"The value (a float).")?
            && member(
                &ty,
                c"grad",
                grad,
                c"d(output)/d(this value), filled in by backward() (a float).",
            )?;
        let method = noargs_method(
            &ty,
            c"backward",
            backward_noargs,
            c"Backpropagation from this value, as micrograd: its grad is set to 1, then every node it depends on, in reverse topological order, pushes its grad to its children (grads accumulate; nothing is zeroed; call zero_grad between steps). Iterative: any depth works.",
        )?;
        MEMBERS.store(done && method, Ordering::Relaxed);
    }
    Ok(())
}

/// Puts a `METH_NOARGS` method descriptor `name` calling `f` on `ty`; false when the type
/// refuses it (PyO3's method then stays).
fn noargs_method(
    ty: &Bound<'_, pyo3::types::PyType>,
    name: &'static CStr,
    f: ffi::PyCFunction,
    doc: &'static CStr,
) -> PyResult<bool> {
    // The definition must outlive the descriptor, which lives as long as the type.
    let def = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer { PyCFunction: f },
        ml_flags: ffi::METH_NOARGS,
        ml_doc: doc.as_ptr(),
    }));
    // SAFETY: a live type and a definition that lives forever.
    let descr = unsafe { ffi::PyDescr_NewMethod(ty.as_type_ptr(), def) };
    let descr = unsafe { Bound::from_owned_ptr_or_err(ty.py(), descr) }?;
    Ok(ty.setattr(name.to_str().expect("ASCII"), descr).is_ok())
}

/// `v.backward()` straight from the method descriptor (which has checked that `v` is a
/// Value), without PyO3's wrapper.
unsafe extern "C" fn backward_noargs(
    slf: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a method call: the thread is attached and `slf` a live Value (the
    // descriptor checks the type before calling).
    let py = unsafe { Python::assume_attached() };
    crate::entry::c_result(py, "in backward()", || {
        let v = unsafe { pyo3::Borrowed::from_ptr(py, slf).cast_unchecked::<Value>() };
        crate::value::backward_of(py, v.get()).map(|()| py.None().into_ptr())
    })
}

/// Puts a read-write `Py_T_DOUBLE` member descriptor `name` at `offset` on `ty`; false
/// when the type refuses it (PyO3's getter then stays).
fn member(
    ty: &Bound<'_, pyo3::types::PyType>,
    name: &'static CStr,
    offset: usize,
    doc: &'static CStr,
) -> PyResult<bool> {
    // The definition must outlive the descriptor, which lives as long as the type.
    let def = Box::leak(Box::new(ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_DOUBLE,
        offset: offset as ffi::Py_ssize_t,
        flags: 0,
        doc: doc.as_ptr(),
    }));
    // SAFETY: a live type and a definition that lives forever.
    let descr = unsafe { ffi::PyDescr_NewMember(ty.as_type_ptr(), def) };
    let descr = unsafe { Bound::from_owned_ptr_or_err(ty.py(), descr) }?;
    Ok(ty.setattr(name.to_str().expect("ASCII"), descr).is_ok())
}

/// A new Value object holding `v`, not tracked by the cycle collector.
#[inline]
pub(crate) fn alloc_untracked(py: Python<'_>, v: Value) -> PyResult<Py<Value>> {
    let value = VALUE_OFFSET.load(Ordering::Relaxed);
    if value == 0 {
        let obj = Py::new(py, v)?;
        // SAFETY: a live object of a GC type; untracking is allowed at any time.
        unsafe { ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
        return Ok(obj);
    }
    let ty = VALUE_TYPE.load(Ordering::Relaxed);
    // SAFETY: `ty` is Value's type, a GC type whose objects `install` found to be the
    // header, a Value at `value` and a weak-reference slot at `WEAKREF_OFFSET`, nothing
    // else: writing both makes the object PyO3 itself would make (its dealloc drops the
    // Value and clears the slot when set). `_PyObject_GC_New` sets the refcount and the
    // type (taking a reference to it, a heap type) and leaves the object untracked.
    unsafe {
        let obj = ffi::_PyObject_GC_New(ty);
        if obj.is_null() {
            return Err(PyErr::fetch(py));
        }
        let base = obj as *mut u8;
        std::ptr::write(base.add(value) as *mut Value, v);
        let weak = WEAKREF_OFFSET.load(Ordering::Relaxed);
        std::ptr::write(
            base.add(weak) as *mut *mut ffi::PyObject,
            std::ptr::null_mut(),
        );
        Ok(Py::from_owned_ptr(py, obj))
    }
}

/// Puts `value_dealloc` in Value's `tp_dealloc` slot, when the slot is where `TypeHead`
/// says (it holds what `PyType_GetSlot` returns) and the type frees with
/// `PyObject_GC_Del`. Returns whether it did.
fn install_dealloc(ty: &Bound<'_, pyo3::types::PyType>) -> bool {
    let t = ty.as_type_ptr();
    // SAFETY: reads of a live heap type through the layout `TypeHead` describes, each
    // cross-checked against the limited API before the one write, a pointer-sized slot
    // inside the type object.
    unsafe {
        let head = t as *mut TypeHead;
        let slot = ffi::PyType_GetSlot(t, ffi::Py_tp_dealloc);
        let free = ffi::PyType_GetSlot(t, ffi::Py_tp_free);
        let named = !(*head).tp_name.is_null()
            && CStr::from_ptr((*head).tp_name)
                .to_bytes()
                .ends_with(b"Value");
        let here = (*head).tp_dealloc.map(|f| f as *mut std::ffi::c_void) == Some(slot);
        let sized = (*head).tp_basicsize as usize == WEAKREF_OFFSET.load(Ordering::Relaxed) + 8;
        if !(named && here && sized && free == ffi::PyObject_GC_Del as *mut std::ffi::c_void) {
            return false;
        }
        (*head).tp_dealloc = Some(value_dealloc);
    }
    true
}

/// Frees a Value object (or, called by `subtype_dealloc`, a subclass's instance, its
/// own parts already cleared): untracks it, clears weak references to it, drops the
/// Value, frees the memory with the type's `tp_free` and releases the type.
unsafe extern "C" fn value_dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: CPython calls a dealloc with the thread attached, on an object of this
    // type (or a subclass: the same layout first) whose last reference is gone; the
    // offsets were checked at install.
    unsafe {
        let py = Python::assume_attached();
        ffi::PyObject_GC_UnTrack(obj.cast());
        let base = obj as *mut u8;
        let weak = *(base.add(WEAKREF_OFFSET.load(Ordering::Relaxed)) as *mut *mut ffi::PyObject);
        if !weak.is_null() {
            ffi::PyObject_ClearWeakRefs(obj);
        }
        let value = base.add(VALUE_OFFSET.load(Ordering::Relaxed)) as *mut Value;
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::ptr::drop_in_place(value)
        }));
        if dropped.is_err() {
            pyo3::panic::PanicException::new_err("chainrule: a Rust panic while freeing a Value")
                .write_unraisable(py, None);
        }
        let ty = ffi::Py_TYPE(obj);
        if ty == VALUE_TYPE.load(Ordering::Relaxed) {
            ffi::PyObject_GC_Del(obj.cast());
        } else {
            let free = ffi::PyType_GetSlot(ty, ffi::Py_tp_free);
            // SAFETY: `Py_tp_free` holds a `freefunc`; every type has one.
            let free: ffi::freefunc = std::mem::transmute(free);
            free(obj.cast());
        }
        ffi::Py_DecRef(ty.cast());
    }
}

//! `+` and `*` between two plain Values without PyO3's slot wrapper. CPython's binary
//! operator calls the type's `nb_add` / `nb_multiply` slot; PyO3 fills it with a wrapper
//! that enters its trampoline (a panic guard, a thread-local count of attached calls),
//! checks and converts both operands, and calls `__add__` (or, failing that,
//! `__radd__`). For two exact Values the wrapper's work comes to `binary`, so the slot
//! goes there straight; any other pair (a number, a subclass, something else) is handed
//! to PyO3's own wrapper, kept from the slot. Installed at import when the slots are
//! where the interpreter keeps them (the type's `tp_as_number`, found through
//! `TypeHead`, cross-checked against `PyType_GetSlot`), else PyO3's stay.

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};

use chainrule::Op;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::Borrowed;

use crate::construct::{is_value_type_ptr, Class};
use crate::entry::c_result;
use crate::layout::TypeHead;
use crate::value::{binary, Value};

/// `PyTypeObject` from its head to `tp_as_number`, as in every CPython 3.
#[repr(C)]
struct TypeToNumbers {
    head: TypeHead,
    tp_getattr: *mut c_void,
    tp_setattr: *mut c_void,
    tp_as_async: *mut c_void,
    tp_repr: *mut c_void,
    tp_as_number: *mut NumberHead,
}

/// `PyNumberMethods` up to `nb_multiply`.
#[repr(C)]
struct NumberHead {
    nb_add: Option<ffi::binaryfunc>,
    nb_subtract: Option<ffi::binaryfunc>,
    nb_multiply: Option<ffi::binaryfunc>,
}

/// PyO3's wrappers, kept for every pair but two plain Values.
static PYO3_ADD: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static PYO3_MUL: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());

/// Puts `value_add` and `value_mul` in Value's number slots; returns whether it did.
pub(crate) fn install(py: Python<'_>) -> bool {
    let t = py.get_type::<Value>().as_type_ptr();
    // SAFETY: reads of a live heap type through `TypeToNumbers`, each slot checked
    // against `PyType_GetSlot` before the two writes, pointer-sized slots inside the
    // type's own `PyNumberMethods`.
    unsafe {
        let nums = (*(t as *mut TypeToNumbers)).tp_as_number;
        if nums.is_null() {
            return false;
        }
        let as_ptr =
            |f: Option<ffi::binaryfunc>| f.map_or(std::ptr::null_mut(), |f| f as *mut c_void);
        let add = ffi::PyType_GetSlot(t, ffi::Py_nb_add);
        let mul = ffi::PyType_GetSlot(t, ffi::Py_nb_multiply);
        if add.is_null()
            || mul.is_null()
            || as_ptr((*nums).nb_add) != add
            || as_ptr((*nums).nb_multiply) != mul
        {
            return false;
        }
        PYO3_ADD.store(add, Ordering::Relaxed);
        PYO3_MUL.store(mul, Ordering::Relaxed);
        (*nums).nb_add = Some(value_add);
        (*nums).nb_multiply = Some(value_mul);
    }
    true
}

unsafe extern "C" fn value_add(a: *mut ffi::PyObject, b: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: the interpreter calls a slot with the thread attached and two live objects.
    unsafe { both_plain(a, b, Op::Add, &PYO3_ADD) }
}

unsafe extern "C" fn value_mul(a: *mut ffi::PyObject, b: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: as for `value_add`.
    unsafe { both_plain(a, b, Op::Mul, &PYO3_MUL) }
}

/// `op(a, b)` for two exact Values, else PyO3's wrapper.
#[inline(always)]
unsafe fn both_plain(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    op: Op,
    pyo3_slot: &AtomicPtr<c_void>,
) -> *mut ffi::PyObject {
    // SAFETY: live objects' type pointers.
    let plain = unsafe {
        is_value_type_ptr(ffi::Py_TYPE(a).cast()) && is_value_type_ptr(ffi::Py_TYPE(b).cast())
    };
    if !plain {
        // SAFETY: the slot held PyO3's `binaryfunc` before `install` replaced it.
        let f: ffi::binaryfunc = unsafe { std::mem::transmute(pyo3_slot.load(Ordering::Relaxed)) };
        return unsafe { f(a, b) };
    }
    // SAFETY: the thread is attached (a slot call).
    let py = unsafe { Python::assume_attached() };
    c_result(py, "in an operator", || {
        // SAFETY: both are exactly Values, borrowed for the call.
        let (x, y) = unsafe {
            (
                Borrowed::from_ptr(py, a).cast_unchecked::<Value>(),
                Borrowed::from_ptr(py, b).cast_unchecked::<Value>(),
            )
        };
        let (x, y) = (x.to_owned().unbind(), y.to_owned().unbind());
        binary(py, &Class::Plain, x, y, op).map(Py::into_ptr)
    })
}

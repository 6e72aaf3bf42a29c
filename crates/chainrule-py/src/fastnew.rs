//! `Value(x)` without the generic type call. Calling a class goes through `type.__call__`,
//! which packs the arguments into a tuple, parses them by name and runs `__init__`: most
//! of the cost of making a leaf, the commonest thing a micrograd program does. CPython
//! also lets a type object carry its own vectorcall entry (PEP 590; `tp_vectorcall`,
//! read through the metatype's `tp_vectorcall_offset`), which it then calls directly (and
//! 3.11's interpreter specialises). This module installs one for `Value`: `Value(number)`
//! makes the leaf at once; any other call is handed to `Value.__new__` unchanged, so
//! every argument, keyword and error is exactly the constructor's. Should a subclass of
//! Value inherit the entry (CPython does not copy a type's own vectorcall to its
//! subclasses today, but nothing promises it), the call is the generic one, `__new__`
//! then `__init__`, exactly as `type.__call__` makes it.
//!
//! The slot is not reachable through the limited API before Python 3.14, so it is found
//! the way the interpreter itself finds it, and installed only when every check of the
//! layout holds (otherwise `Value(...)` simply takes the generic path): the metatype is
//! `type`, supports vectorcall, names the slot's offset, the offset lies inside a type
//! object, and the slot is empty.

use std::ffi::CStr;
use std::os::raw::c_ulong;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::Borrowed;

use crate::construct::is_value_type_ptr;
use crate::entry::c_result;
use crate::layout::TypeHead;
use crate::value::{leaf_from, Value};

/// `Py_TPFLAGS_HAVE_VECTORCALL` (PEP 590; in the limited API from 3.12).
const HAVE_VECTORCALL: c_ulong = 1 << 11;
/// `PY_VECTORCALL_ARGUMENTS_OFFSET`: the flag bit of `nargsf`.
const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

type VectorcallFn = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    usize,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// Installs the fast entry on `Value`'s type; returns whether it did.
pub(crate) fn install(py: Python<'_>) -> bool {
    let ty = py.get_type::<Value>();
    // SAFETY: reads of the static `type` object and of Value's heap type, both alive for
    // the interpreter's lifetime, through the layout `TypeHead` checks step by step; the
    // one write (below) goes to a pointer-sized, aligned slot inside Value's own type
    // object, proven empty, at the offset the interpreter itself uses.
    unsafe {
        let meta = std::ptr::addr_of_mut!(ffi::PyType_Type);
        if ffi::PyType_GetFlags(meta) & HAVE_VECTORCALL == 0 {
            return false;
        }
        let head = &*(meta as *const TypeHead);
        if head.tp_name.is_null() || CStr::from_ptr(head.tp_name).to_bytes() != b"type" {
            return false;
        }
        let (offset, size) = (head.tp_vectorcall_offset, head.tp_basicsize);
        let word = std::mem::size_of::<usize>() as ffi::Py_ssize_t;
        if offset < std::mem::size_of::<TypeHead>() as ffi::Py_ssize_t
            || offset % word != 0
            || offset + word > size
        {
            return false;
        }
        let own = ty.as_ptr() as *const TypeHead;
        if ffi::Py_TYPE(ty.as_ptr()) != meta || (*own).tp_basicsize <= 0 {
            return false;
        }
        let slot = (ty.as_ptr() as *mut u8).add(offset as usize) as *mut Option<VectorcallFn>;
        if (*slot).is_some() {
            return false;
        }
        *slot = Some(value_vectorcall);
    }
    true
}

/// `Value(*args, **kwargs)` called by vectorcall.
unsafe extern "C" fn value_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: the interpreter calls a vectorcall entry with the thread attached.
    let py = unsafe { Python::assume_attached() };
    let nargs = nargsf & !ARGUMENTS_OFFSET;
    c_result(py, "while making a Value", || {
        // SAFETY: `args` holds `nargs` positional arguments and then one per keyword
        // name, all borrowed for the call.
        unsafe { construct(py, callable, args, nargs, kwnames) }.map(Py::into_ptr)
    })
}

unsafe fn construct(
    py: Python<'_>,
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: usize,
    kwnames: *mut ffi::PyObject,
) -> PyResult<Py<PyAny>> {
    let plain = is_value_type_ptr(callable);
    if plain && nargs == 1 && kwnames.is_null() {
        // Borrowed for the call: no reference taken or given back.
        let x = unsafe { Borrowed::from_ptr(py, *args) };
        if let Some(v) = leaf_from(&x)? {
            return Ok(v.into_any());
        }
    }
    // Anything else: `cls.__new__(cls, *args, **kwargs)`, then for a subclass its
    // `__init__`, as `type.__call__` would (Value's own type keeps object's `__init__`).
    let positional: Vec<Bound<'_, PyAny>> = (0..nargs)
        .map(|i| unsafe { Bound::from_borrowed_ptr(py, *args.add(i)) })
        .collect();
    let tuple = PyTuple::new(py, positional)?;
    let kwargs = if kwnames.is_null() {
        None
    } else {
        let names = unsafe { Bound::from_borrowed_ptr(py, kwnames) };
        let names = names.cast::<PyTuple>()?;
        let d = PyDict::new(py);
        for (k, name) in names.iter().enumerate() {
            let value = unsafe { Bound::from_borrowed_ptr(py, *args.add(nargs + k)) };
            d.set_item(name, value)?;
        }
        Some(d)
    };
    let ty = unsafe { Bound::from_borrowed_ptr(py, callable) };
    let ty = ty.cast::<PyType>()?;
    let new = unsafe { ffi::PyType_GetSlot(ty.as_ptr().cast(), ffi::Py_tp_new) };
    if new.is_null() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "Value cannot be made",
        ));
    }
    // SAFETY: `Py_tp_new` holds a `newfunc`.
    let new: ffi::newfunc = unsafe { std::mem::transmute(new) };
    let obj = unsafe {
        new(
            ty.as_ptr().cast(),
            tuple.as_ptr(),
            kwargs.as_ref().map_or(std::ptr::null_mut(), |d| d.as_ptr()),
        )
    };
    let obj = unsafe { Bound::from_owned_ptr_or_err(py, obj) }?;
    if !plain && obj.is_instance(ty)? {
        let init = unsafe { ffi::PyType_GetSlot(ty.as_ptr().cast(), ffi::Py_tp_init) };
        if !init.is_null() {
            // SAFETY: `Py_tp_init` holds an `initproc`.
            let init: ffi::initproc = unsafe { std::mem::transmute(init) };
            let kw = kwargs.as_ref().map_or(std::ptr::null_mut(), |d| d.as_ptr());
            if unsafe { init(obj.as_ptr(), tuple.as_ptr(), kw) } < 0 {
                return Err(PyErr::fetch(py));
            }
        }
    }
    Ok(obj.unbind())
}

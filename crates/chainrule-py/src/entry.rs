//! Entry points CPython calls straight, outside PyO3's wrappers (`Value`'s vectorcall,
//! its `+` and `*` slots, `backward`): each runs its body under `catch_unwind` and gives
//! CPython a C result, the exception set on failure.

use pyo3::ffi;
use pyo3::prelude::*;

/// Runs `body`: its object (a new reference), or null with its error set as the
/// exception; a panic becomes a PanicException saying it happened `while`.
#[inline(always)]
pub(crate) fn c_result(
    py: Python<'_>,
    while_: &'static str,
    body: impl FnOnce() -> PyResult<*mut ffi::PyObject>,
) -> *mut ffi::PyObject {
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    let made = made.unwrap_or_else(|_| {
        Err(pyo3::panic::PanicException::new_err(format!(
            "chainrule: a Rust panic {while_}"
        )))
    });
    match made {
        Ok(obj) => obj,
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    }
}

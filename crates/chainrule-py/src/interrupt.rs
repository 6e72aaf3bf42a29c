//! Ctrl-C in long native loops. Python runs a signal's handler (Ctrl-C's raises
//! KeyboardInterrupt) only when asked, between bytecodes or by `PyErr_CheckSignals`; a
//! loop in Rust over a million nodes would otherwise hear it only once it is done. Each
//! long loop here asks every [`EVERY`] units of work: a pending signal then ends the loop
//! with the handler's exception.

use pyo3::prelude::*;

/// How many units of work (nodes, mostly) between two questions: one question costs a
/// few nanoseconds, 65,536 nodes of backward about a millisecond.
pub(crate) const EVERY: usize = 1 << 16;

/// After unit `k` of a loop (from 0): every [`EVERY`]th time, the pending signals'
/// handlers run, and their exception (KeyboardInterrupt for Ctrl-C) is returned.
#[inline(always)]
pub(crate) fn poll(py: Python<'_>, k: usize) -> PyResult<()> {
    if k % EVERY == EVERY - 1 {
        py.check_signals()?;
    }
    Ok(())
}

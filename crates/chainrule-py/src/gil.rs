//! State that every thread shares, guarded by the interpreter lock rather than kept per
//! thread: a `thread_local!` in an extension module is reached through
//! `__tls_get_addr`, a call on every access (callgrind: some 250 instructions of each
//! iteration of W1), where a static is one load.

use std::cell::UnsafeCell;

use pyo3::Python;

/// A value shared by every thread, read and written only with the interpreter lock held
/// (the `Python<'_>` token each access takes) and never borrowed across a call that may
/// run Python code (each access copies or swaps the value whole).
pub(crate) struct GilCell<T>(UnsafeCell<T>);

// SAFETY: every access takes a `Python<'_>` token, that is, holds the interpreter lock,
// which the extension always has (see `Value`'s SAFETY note): no two threads touch the
// value at once, and no access outlives its call (`replace` swaps the value whole).
unsafe impl<T: Send> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    pub(crate) const fn new(value: T) -> GilCell<T> {
        GilCell(UnsafeCell::new(value))
    }

    /// Puts `value` in, and returns what was there.
    #[inline(always)]
    pub(crate) fn replace(&self, _py: Python<'_>, value: T) -> T {
        // SAFETY: see the type: the lock is held, and the reference ends here.
        unsafe { std::mem::replace(&mut *self.0.get(), value) }
    }

    /// Runs `f` on the value; `f` must not run Python code (which could let another
    /// thread in, or reenter this cell).
    #[inline(always)]
    pub(crate) fn with<R>(&self, _py: Python<'_>, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: see the type; `f` runs no Python code, so nothing else reaches the cell
        // while the reference lives.
        f(unsafe { &mut *self.0.get() })
    }
}

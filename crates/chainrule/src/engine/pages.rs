//! Large per-node arrays on huge pages, where the operating system offers them.
//!
//! A big graph's time goes mostly to the kernel, not to the engine: every 4 KiB of fresh
//! memory the tape's columns, the grads or a read-out touch is one page fault, and in a
//! virtual machine one costs about 2 µs, about what recording or backpropagating 500
//! nodes costs. W4 (4·10⁶ nodes, 120 MB) took 24,400 faults, most of its run. Linux
//! backs a region advised with `MADV_HUGEPAGE` with 2 MiB pages where it can (when
//! transparent huge pages are `always` or `madvise`, the common defaults), one fault
//! per 512 small ones; the memory is still cleared and charged the same way.
//!
//! [`advise`] gives that advice for an allocation of at least [`HUGE_FROM`] bytes; small
//! graphs never make the system call. Elsewhere (other systems, WebAssembly) it does
//! nothing. The advice is only a hint: it changes no contents, and if the kernel refuses
//! it (no transparent huge pages, an old kernel) nothing else changes.

/// Allocations below this many bytes are not advised: a graph this small faults in a few
/// hundred pages at most, and the system call would cost more than it saves.
pub(crate) const HUGE_FROM: usize = 4 << 20;

/// Advises the kernel to back the `bytes` bytes from `ptr`, memory this process
/// allocated and has not yet touched (or touched little), with huge pages.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[inline]
pub(crate) fn advise(ptr: *const u8, bytes: usize) {
    use std::ffi::{c_int, c_void};
    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    /// `MADV_HUGEPAGE` in the generic Linux ABI these two architectures use.
    const MADV_HUGEPAGE: c_int = 14;
    /// The smallest page size: `madvise` takes a page-aligned start. (With larger pages
    /// a misaligned start is refused, and the advice is then simply not taken.)
    const PAGE: usize = 4096;
    if bytes < HUGE_FROM {
        return;
    }
    // The range is widened to whole pages: the first and last may hold a few bytes of
    // the allocator's own, whose contents the advice does not change. Advising the
    // allocator's whole mapping, not a slice of it, also keeps it one mapping, so that
    // `realloc` can still grow it in place (`mremap`) instead of copying.
    let start = ptr as usize & !(PAGE - 1);
    let end = (ptr as usize + bytes).next_multiple_of(PAGE);
    // SAFETY: `[start, end)` lies within pages of a live allocation, so it is mapped;
    // MADV_HUGEPAGE only sets how future faults are served and never changes memory. A
    // failure leaves the memory as it was, so its result is ignored.
    unsafe {
        madvise(start as *mut c_void, end - start, MADV_HUGEPAGE);
    }
}

/// Does nothing: huge pages are advised only on Linux.
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
#[inline]
pub(crate) fn advise(_ptr: *const u8, _bytes: usize) {}

/// Makes room in `v` for `n` entries in all, advising huge pages for a large new block
/// before anything is written to it.
#[inline]
pub(crate) fn reserve<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        v.reserve(n - v.len());
        advise(v.as_ptr().cast(), v.capacity() * std::mem::size_of::<T>());
    }
}

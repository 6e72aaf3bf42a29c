//! Memory that a large backward is about to write, faulted in ahead in one call.
//!
//! A fresh allocation's pages are given out by the kernel on first touch, one 4 KiB page
//! and one page fault at a time. W4 (a million products, four million nodes) writes over
//! 100 MB of fresh memory, and most of its time was the kernel's (`perf stat`: 28,000
//! page faults, 45 of 70 ms in the kernel). Linux (5.14 and later) can fault a range in
//! with one call, `madvise(MADV_POPULATE_WRITE)`, without an exception per page;
//! [`populate`] asks for that for memory that is about to be written whole anyway (a
//! large backward's adjoints, which it zeroes at once, a copy of many grads, and the
//! Hessian-vector product's tangents and adjoint pairs: [`reserve_populated`]), so the
//! memory used is the same. On W4 that took the faults to 16,700 and the time from 14.8
//! to 13.6 ns a node (medians of 15 interleaved runs); the kernel's time is mostly the
//! zeroing and accounting of the pages, which stay. (Faulting the tape's columns in
//! ahead of their writes as well took the faults to 4,100 but W4 no faster, and a check
//! against the faulted-in length instead of the capacity made W1 5% slower, so the
//! columns fault in as they are written.) Where the call is not known (older kernels,
//! other systems) nothing happens, and the pages fault in as before.

/// Ranges smaller than this are left to fault in as they are touched.
pub(crate) const MIN_BYTES: usize = 64 << 10;

/// Faults in the whole pages of `[ptr, ptr + bytes)`, which lie inside one live
/// allocation and are about to be written: a hint, which never changes what the memory
/// holds.
#[inline]
pub(crate) fn populate<T>(ptr: *mut T, bytes: usize) {
    if bytes >= MIN_BYTES {
        populate_range(ptr as usize, bytes);
    }
}

/// Room in `v` for `n` elements from its start, about to be written whole: when `v` has
/// to grow for them, its fresh memory is faulted in with one call ([`populate`]); memory
/// it already holds is reused as it is.
#[inline]
pub(crate) fn reserve_populated<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        v.reserve(n);
        populate(v.as_mut_ptr(), n * std::mem::size_of::<T>());
    }
}

/// [`populate`] of any range: whether the kernel did fault it in.
#[cfg(target_os = "linux")]
#[cold]
#[inline(never)]
fn populate_range(start: usize, bytes: usize) -> bool {
    use std::ffi::{c_int, c_void};
    extern "C" {
        // madvise(2), from the C library that `std` links on Linux.
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    /// `MADV_POPULATE_WRITE` from <linux/mman.h> (Linux 5.14; the same number on every
    /// architecture).
    const MADV_POPULATE_WRITE: c_int = 23;
    let (first, end) = whole_pages(start, bytes);
    end > first && {
        // SAFETY: [first, end) is page-aligned and inside the caller's allocation, which
        // is read-write memory of this process. MADV_POPULATE_WRITE faults its pages in as
        // a write would, without changing a byte (a page already there is left as it
        // is). Its failure (EINVAL from a kernel that does not know it) changes nothing.
        unsafe { madvise(first as *mut c_void, end - first, MADV_POPULATE_WRITE) == 0 }
    }
}

/// The start and end of the whole 4 KiB pages inside `[start, start + bytes)` (the end
/// not past the start when there are none).
#[cfg(target_os = "linux")]
fn whole_pages(start: usize, bytes: usize) -> (usize, usize) {
    const PAGE: usize = 4096;
    (start.next_multiple_of(PAGE), (start + bytes) & !(PAGE - 1))
}

/// [`populate`] of any range: nothing is done off Linux.
#[cfg(not(target_os = "linux"))]
fn populate_range(_start: usize, _bytes: usize) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::{populate, populate_range, whole_pages};
    use std::ffi::{c_int, c_void};

    extern "C" {
        // mincore(2): which pages of a range are resident.
        fn mincore(addr: *mut c_void, len: usize, vec: *mut u8) -> c_int;
    }

    /// How many of the whole pages of `[ptr, ptr + bytes)` are resident, and how many
    /// there are.
    fn resident(ptr: *const u8, bytes: usize) -> (usize, usize) {
        let (first, end) = whole_pages(ptr as usize, bytes);
        let mut pages = vec![0u8; (end - first) / 4096];
        // SAFETY: the range is page-aligned and mapped (inside a live allocation), and
        // `pages` has one byte per page.
        let r = unsafe { mincore(first as *mut c_void, end - first, pages.as_mut_ptr()) };
        assert_eq!(r, 0, "mincore");
        (pages.iter().filter(|&&p| p & 1 == 1).count(), pages.len())
    }

    #[test]
    fn a_fresh_range_is_faulted_in_and_what_memory_holds_stays() {
        // A fresh allocation of 16 MB is mapped by the allocator and not touched yet.
        let mut v: Vec<u64> = Vec::with_capacity(2 << 20);
        let bytes = v.capacity() * 8;
        let (before, pages) = resident(v.as_ptr().cast(), bytes);
        assert!(
            before < pages / 4,
            "{before} of {pages} pages resident before"
        );
        if !populate_range(v.as_mut_ptr() as usize, bytes) {
            eprintln!("skipped: this kernel does not know MADV_POPULATE_WRITE (Linux 5.14)");
            return;
        }
        let (after, _) = resident(v.as_ptr().cast(), bytes);
        assert_eq!(after, pages, "every whole page resident");
        // Memory already written keeps what it holds.
        v.extend((0..2u64 << 20).map(|k| k * 3 + 1));
        populate(v.as_mut_ptr(), bytes);
        assert!(v.iter().enumerate().all(|(k, &x)| x == k as u64 * 3 + 1));
        // A small range (under MIN_BYTES: no call) works as before.
        let mut small: Vec<u64> = Vec::with_capacity(1000);
        populate(small.as_mut_ptr(), 8000);
        small.push(7);
        assert_eq!(small, [7]);
    }
}

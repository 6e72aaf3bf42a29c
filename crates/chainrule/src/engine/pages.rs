//! Memory that the engine is about to write, faulted in ahead in one call.
//!
//! A fresh allocation's pages are given out by the kernel on first touch, one 4 KiB page
//! and one page fault at a time. W4 (a million products, four million nodes) writes over
//! 100 MB of fresh memory, and most of its time was the kernel's (`perf stat`: 28,000
//! page faults, 45 of 70 ms in the kernel). Linux (5.14 and later) can fault a range in
//! with one call, `madvise(MADV_POPULATE_WRITE)`, without an exception per page;
//! [`populate`] asks for that for memory that is about to be written whole anyway (a
//! large backward's adjoints and the Hessian-vector product's tangents and adjoint pairs,
//! zeroed at once: [`zeroed`]; a copy of many grads: [`reserve_populated`]), so the
//! memory used is the same. On W4 that took the faults to 16,700 and the time from 14.8
//! to 13.6 ns a node (medians of 15 interleaved runs); the kernel's time is mostly the
//! zeroing and accounting of the pages, which stay. The tape's columns are faulted in
//! ahead of their writes a chunk at a time (`columns.rs`): W4 no faster, W3's recording
//! 8% faster. Where the call is not known (older kernels, other systems) nothing
//! happens, and the pages fault in as they are touched.

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

/// Makes `v` `n` zeros, about to be written: `memset` over the memory `v` already holds
/// when that is enough; otherwise a fresh zeroed allocation (`calloc`, whose large blocks
/// come from the kernel already zero), faulted in with one call ([`populate`]) and not
/// written again. The zeros are then written once, by the kernel, where growing and
/// `memset` wrote them twice: W3's backward, 3 million adjoints, 7.4 to 7.0 ns a node.
/// `T`'s all-zero bytes must be its default (numbers and arrays of them).
#[inline]
pub(crate) fn zeroed<T: Copy + Default>(v: &mut Vec<T>, n: usize) -> &mut [T] {
    v.clear();
    if v.capacity() < n {
        *v = Vec::new(); // the old block is given back before the new one is asked for
        *v = vec![T::default(); n];
        populate(v.as_mut_ptr(), n * std::mem::size_of::<T>());
    } else {
        v.resize(n, T::default());
    }
    v
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
pub(in crate::engine) mod tests {
    use super::{populate, populate_range, whole_pages, zeroed};
    use std::ffi::{c_int, c_void};

    extern "C" {
        // mincore(2): which pages of a range are resident.
        fn mincore(addr: *mut c_void, len: usize, vec: *mut u8) -> c_int;
    }

    /// How many of the whole pages of `[ptr, ptr + bytes)` are resident, and how many
    /// there are.
    pub(in crate::engine) fn resident(ptr: *const u8, bytes: usize) -> (usize, usize) {
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

    /// Whether this kernel faults a range in on `MADV_POPULATE_WRITE` (Linux 5.14).
    pub(in crate::engine) fn populate_works() -> bool {
        let mut v: Vec<u8> = Vec::with_capacity(1 << 20);
        populate_range(v.as_mut_ptr() as usize, 1 << 20)
    }

    #[test]
    fn zeroed_reuses_what_it_holds_and_faults_in_a_fresh_block() {
        // Memory already held is reused and zeroed whole, whatever it held.
        let mut v: Vec<f64> = (0..300_000).map(|k| k as f64 + 0.5).collect();
        let at = v.as_ptr();
        assert!(zeroed(&mut v, 200_000).iter().all(|&x| x.to_bits() == 0));
        assert_eq!((v.len(), v.as_ptr()), (200_000, at));
        // More than it holds: a fresh block, all zeros (numbers and pairs), resident.
        let n = 1 << 20;
        assert!(zeroed(&mut v, n).iter().all(|&x| x.to_bits() == 0));
        assert_eq!(v.len(), n);
        let mut pairs: Vec<[f64; 2]> = vec![[1.0, -1.0]; 10];
        assert!(zeroed(&mut pairs, n).iter().all(|p| *p == [0.0, 0.0]));
        if populate_works() {
            let (r, pages) = resident(v.as_ptr().cast(), n * 8);
            assert_eq!(r, pages, "a fresh block is faulted in");
            let (r, pages) = resident(pairs.as_ptr().cast(), n * 16);
            assert_eq!(r, pages, "a fresh block of pairs is faulted in");
        }
        // Writing into it afterwards is writing into plain memory.
        v[n - 1] = 2.0;
        assert_eq!((v[0], v[n - 1]), (0.0, 2.0));
    }
}

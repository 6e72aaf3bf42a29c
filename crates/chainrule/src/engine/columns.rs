//! The tape's three per-node columns (op code, operand pair, value) in one structure with
//! one length and one capacity, so that recording a node is one capacity check, three
//! stores and one length update (three `Vec`s kept in step needed three lengths checked
//! and stored).
//!
//! The check is against `ready`, not the capacity: the prefix of the capacity whose pages
//! have been faulted in ahead, [`READY_CHUNK`] nodes at a time, with one
//! `madvise(MADV_POPULATE_WRITE)` a column ([`pages::populate`](super::pages::populate))
//! instead of a page fault every 4 KiB as the columns are written. Reaching `ready` takes
//! the same cold call that reaching the capacity did, so recording costs the same
//! instructions (W1 3.69 ns a node, 3.71 before); a large graph's recording spends less
//! time in the kernel: W3's forward pass, a million steps of `x + 1e-6·tanh x`, 15.5 to
//! 14.3 ns a node (medians of 15 interleaved runs). Faulting in the whole new capacity at
//! each doubling instead gained nothing: it faults in pages that are never written.
//!
//! A leaf has no operands, so recording one ([`Columns::push_leaf`],
//! [`Columns::push_leaves`]) does not write its operand pair: W4's two million leaves
//! then never touch 16 MB of operand memory. The pair of a node whose op has
//! [`Arity::Leaf`] may therefore be uninitialised. [`Columns::args`] refuses those nodes;
//! the passes over the tape read pairs unchecked ([`Args::get_unchecked`]) only in the arms
//! of their kernels for ops with operands.

use super::op::{Arity, Op};
use std::alloc::{self, Layout};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// Op codes, operand pairs and values of `len` nodes, with room for `cap`.
pub(crate) struct Columns {
    ops: NonNull<Op>,
    /// Operand pairs; the pair of a leaf or constant may be uninitialised.
    args: NonNull<[u32; 2]>,
    data: NonNull<f64>,
    len: usize,
    /// Nodes that can be recorded before the cold path runs again: `len <= ready <= cap`,
    /// and the columns' pages below `ready` have been faulted in (when the system allows;
    /// only a hint, which no read or write relies on).
    ready: usize,
    cap: usize,
}

// SAFETY: `Columns` owns its three allocations outright (no sharing, no interior
// mutability), like a `Vec`, so moving it to another thread is sound.
unsafe impl Send for Columns {}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            ops: NonNull::dangling(),
            args: NonNull::dangling(),
            data: NonNull::dangling(),
            len: 0,
            ready: 0,
            cap: 0,
        }
    }
}

/// The most nodes a tape holds: indices are `u32`.
const MAX_NODES: usize = u32::MAX as usize;

/// How many nodes past those recorded [`Columns::grow`] faults in at a time: 64 Ki nodes
/// is 64 KiB of op codes and 512 KiB each of operand pairs and values, so three calls
/// into the kernel stand for about 280 page faults, and at most 1.1 MB is resident
/// ahead of what a graph holds.
const READY_CHUNK: usize = 64 << 10;

impl Columns {
    /// Columns with room for `cap` nodes.
    pub(crate) fn with_capacity(cap: usize) -> Columns {
        let mut c = Columns::default();
        c.reserve(cap);
        c
    }

    /// The number of nodes.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Records a node and returns its index.
    #[inline(always)]
    pub(crate) fn push(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
        self.make_room();
        // SAFETY: room was just made.
        unsafe { self.push_unchecked(op, args, value) }
    }

    /// Makes room for one more node. Recording an op calls this before computing the
    /// op's value, so that the value is never held across the (cold) call that grows the
    /// columns: the compiler then keeps it in a register instead of spilling it to the
    /// stack and reading it back, two more store-to-load round trips on the chain from one
    /// op's value to the next (a third of W1's recording time).
    #[inline(always)]
    pub(crate) fn make_room(&mut self) {
        if self.len >= self.ready {
            self.grow(1, false);
        }
    }

    /// Records a node in the room [`Columns::make_room`] made, and returns its index.
    ///
    /// # Safety
    /// `len < ready`: `make_room` was called, and nothing was recorded since.
    #[inline(always)]
    pub(crate) unsafe fn push_unchecked(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
        let i = self.len;
        debug_assert!(i < self.ready && self.ready <= self.cap);
        // SAFETY: `i < ready <= cap`, so each write is inside its allocation, and the
        // node's three entries are initialised before `len` exposes them. The value goes
        // first: the column pointer that an op's operands were just read through is then
        // used again, not loaded anew after a store that the compiler cannot tell apart
        // from the tape's fields.
        self.data.as_ptr().add(i).write(value);
        self.args
            .as_ptr()
            .add(i)
            .cast::<u64>()
            .write_unaligned(pair_word(args));
        self.ops.as_ptr().add(i).write(op);
        self.len = i + 1;
        i as u32
    }

    /// Records a leaf holding `value` (its operand pair stays unwritten, as `args`
    /// allows for leaves) and returns its index.
    #[inline(always)]
    pub(crate) fn push_leaf(&mut self, value: f64) -> u32 {
        self.make_room();
        let i = self.len;
        // SAFETY: `i < ready <= cap` (room was just made); the op and value are written
        // before `len` exposes them, and a leaf's pair may stay uninitialised.
        unsafe {
            self.ops.as_ptr().add(i).write(Op::Leaf);
            self.data.as_ptr().add(i).write(value);
        }
        self.len = i + 1;
        i as u32
    }

    /// Records one leaf per value and returns the index of the first.
    pub(crate) fn push_leaves(&mut self, values: &[f64]) -> u32 {
        let (i, n) = (self.len, values.len());
        if n > self.ready - i {
            self.grow(n, true);
        }
        // SAFETY: `i + n <= ready <= cap` (just ensured). Ops and values are written for
        // all n nodes; their operand pairs stay uninitialised, which `args` allows for
        // leaves.
        unsafe {
            let ops = self.ops.as_ptr().add(i);
            for k in 0..n {
                ops.add(k).write(Op::Leaf);
            }
            ptr::copy_nonoverlapping(values.as_ptr(), self.data.as_ptr().add(i), n);
        }
        self.len = i + n;
        i as u32
    }

    /// Drops every node from `len` on.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Every node's op.
    #[inline(always)]
    pub(crate) fn ops(&self) -> &[Op] {
        // SAFETY: the first `len` ops are initialised (every push writes one).
        unsafe { std::slice::from_raw_parts(self.ops.as_ptr(), self.len) }
    }

    /// Every node's value.
    #[inline(always)]
    pub(crate) fn data(&self) -> &[f64] {
        // SAFETY: the first `len` values are initialised (every push writes one).
        unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.len) }
    }

    /// Node `i`'s value, unchecked.
    ///
    /// # Safety
    /// `i < len`.
    #[inline(always)]
    pub(crate) unsafe fn data_unchecked(&self, i: usize) -> f64 {
        debug_assert!(i < self.len);
        // SAFETY: `i < len` (the caller's promise), and the first `len` values are
        // initialised.
        unsafe { self.data.as_ptr().add(i).read() }
    }

    /// Every node's value, to overwrite.
    #[inline(always)]
    pub(crate) fn data_mut(&mut self) -> &mut [f64] {
        // SAFETY: as in `data`, and `&mut self` makes this the only access.
        unsafe { std::slice::from_raw_parts_mut(self.data.as_ptr(), self.len) }
    }

    /// The operand pair of node `i`, whose op is not a leaf's or a constant's.
    ///
    /// # Panics
    /// When `i` is out of range or node `i` is a leaf or constant.
    #[inline(always)]
    pub(crate) fn args(&self, i: usize) -> [u32; 2] {
        assert!(
            self.ops()[i].arity() != Arity::Leaf,
            "chainrule: internal error: a leaf has no operands"
        );
        // SAFETY: `i < len` and node `i` is not a leaf, both checked just above.
        unsafe { self.args_all().get_unchecked(i) }
    }

    /// Every node's operand pair, borrowed for a pass over the tape that reads them
    /// unchecked (see [`Args::get_unchecked`]).
    #[inline(always)]
    pub(crate) fn args_all(&self) -> Args<'_> {
        Args {
            ptr: self.args.as_ptr(),
            len: self.len,
            _borrow: PhantomData,
        }
    }

    /// Makes room for at least `more` nodes past `len`, faulted in ahead: the capacity
    /// grows by doubling, so that pushing is amortised constant time, and `ready` by
    /// [`READY_CHUNK`] nodes (or to the capacity, or to `len + more`, whichever is
    /// needed and allowed). When the `more` nodes are `leaves`, their operand pairs are
    /// not faulted in, as they are never written.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, more: usize, leaves: bool) {
        let need = self.len.checked_add(more).filter(|&n| n <= MAX_NODES);
        let need = need.expect("chainrule: a graph holds at most 2^32 - 1 nodes");
        if need > self.cap {
            self.reserve(need.max(2 * self.cap).clamp(64, MAX_NODES));
        }
        let from = self.ready.max(self.len);
        let to = need.max(from.saturating_add(READY_CHUNK)).min(self.cap);
        /// Faults in entries `from..to` of a column.
        ///
        /// # Safety
        /// `from <= to` and the column's allocation holds `to` entries.
        unsafe fn ahead<T>(column: NonNull<T>, from: usize, to: usize) {
            let bytes = (to - from) * std::mem::size_of::<T>();
            super::pages::populate(column.as_ptr().add(from), bytes);
        }
        // SAFETY: `from <= to <= cap`, and each column holds `cap` entries.
        unsafe {
            ahead(self.ops, from, to);
            ahead(self.data, from, to);
            let pairs_from = if leaves { need.min(to) } else { from };
            ahead(self.args, pairs_from, to);
        }
        self.ready = to;
    }

    /// Sets the capacity to `cap` nodes if that is more than now.
    fn reserve(&mut self, cap: usize) {
        if cap <= self.cap {
            return;
        }
        // SAFETY: each column is (re)allocated with its own layout for `cap` entries;
        // `realloc` keeps the first `self.cap` entries (initialised or, for the operand
        // pairs of leaves, not: the bytes are copied as they are).
        unsafe {
            self.ops = resize(self.ops, self.cap, cap);
            self.args = resize(self.args, self.cap, cap);
            self.data = resize(self.data, self.cap, cap);
        }
        self.cap = cap;
    }
}

/// The operand pairs of a tape's nodes, borrowed: a pointer and a length, copied into
/// registers by the passes over the tape.
#[derive(Clone, Copy)]
pub(crate) struct Args<'a> {
    ptr: *const [u32; 2],
    len: usize,
    _borrow: PhantomData<&'a [u32; 2]>,
}

impl Args<'_> {
    /// The operand pair of node `i`.
    ///
    /// # Safety
    /// `i` is below the number of nodes, and node `i`'s op does not have
    /// [`Arity::Leaf`] (only those may have an uninitialised pair).
    #[inline(always)]
    pub(crate) unsafe fn get_unchecked(self, i: usize) -> [u32; 2] {
        debug_assert!(i < self.len);
        self.ptr.add(i).read()
    }
}

/// An operand pair as the one 8-byte word it is in memory (`[u32; 2]` in native byte
/// order), so that recording writes it with one store instead of two: W1 records three
/// ops an iteration, and its recording and backward are bound by their stores.
#[inline(always)]
fn pair_word([x, y]: [u32; 2]) -> u64 {
    let (x, y) = (x.to_ne_bytes(), y.to_ne_bytes());
    u64::from_ne_bytes([x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3]])
}

/// A column's allocation grown from `old` to `new` entries (`old == 0`: none yet).
///
/// # Safety
/// `p` is dangling when `old == 0`, and otherwise the column's allocation for `old`
/// entries; `new > old`.
unsafe fn resize<T>(p: NonNull<T>, old: usize, new: usize) -> NonNull<T> {
    let layout = |n| Layout::array::<T>(n).expect("chainrule: tape too large");
    let new_layout = layout(new);
    let q = if old == 0 {
        alloc::alloc(new_layout)
    } else {
        alloc::realloc(p.as_ptr().cast(), layout(old), new_layout.size())
    };
    match NonNull::new(q.cast::<T>()) {
        Some(q) => q,
        None => alloc::handle_alloc_error(new_layout),
    }
}

impl Drop for Columns {
    fn drop(&mut self) {
        if self.cap == 0 {
            return;
        }
        // SAFETY: the three allocations were made for `cap` entries by `resize`; the
        // element types need no drop.
        unsafe {
            alloc::dealloc(
                self.ops.as_ptr().cast(),
                Layout::array::<Op>(self.cap).unwrap(),
            );
            alloc::dealloc(
                self.args.as_ptr().cast(),
                Layout::array::<[u32; 2]>(self.cap).unwrap(),
            );
            alloc::dealloc(
                self.data.as_ptr().cast(),
                Layout::array::<f64>(self.cap).unwrap(),
            );
        }
    }
}

impl Clone for Columns {
    /// A copy with room for exactly its nodes.
    fn clone(&self) -> Columns {
        let mut c = Columns::with_capacity(self.len);
        // SAFETY: both have room for `len` nodes and do not overlap. The operand pairs are
        // copied as bytes (uninitialised ones stay uninitialised, which `args` allows).
        unsafe {
            ptr::copy_nonoverlapping(self.ops.as_ptr(), c.ops.as_ptr(), self.len);
            ptr::copy_nonoverlapping(self.args.as_ptr(), c.args.as_ptr(), self.len);
            ptr::copy_nonoverlapping(self.data.as_ptr(), c.data.as_ptr(), self.len);
        }
        c.len = self.len;
        c.ready = self.len;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_keeps_and_truncates() {
        let mut c = Columns::default();
        let first = c.push_leaves(&[1.0, 2.0]);
        assert_eq!(first, 0);
        for k in 0..1000u32 {
            assert_eq!(c.push(Op::Add, [k % 2, k + 1], f64::from(k)), k + 2);
        }
        assert_eq!(c.len(), 1002);
        // The pair is written as one word: each operand stays in its place.
        assert_eq!(
            (c.data()[1], c.data()[1001], c.args(1000), c.args(1001)),
            (2.0, 999.0, [0, 999], [1, 1000])
        );
        let d = c.clone();
        c.truncate(3);
        assert_eq!(
            (c.len(), c.ops(), d.len()),
            (3, &[Op::Leaf, Op::Leaf, Op::Add][..], 1002)
        );
        assert_eq!(d.data()[1001], 999.0);
    }

    /// Recording runs ahead of its writes by whole chunks of faulted-in pages, a run of
    /// leaves leaves its operand pairs alone, and `len <= ready <= cap` holds throughout.
    #[cfg(target_os = "linux")]
    #[test]
    fn recording_faults_chunks_in_ahead_but_not_the_operands_of_leaves() {
        use crate::engine::pages::tests::{populate_works, resident};
        let holds = |c: &Columns| c.len <= c.ready && c.ready <= c.cap;
        let mut c = Columns::default();
        let n = 3 * READY_CHUNK;
        let leaves: Vec<f64> = (0..n).map(|k| k as f64).collect();
        assert_eq!(c.push_leaves(&leaves), 0);
        assert!(holds(&c) && c.ready >= n);
        let pairs = |c: &Columns, from: usize, to: usize| {
            // SAFETY: `from <= to <= cap`: inside the column's allocation.
            let p = unsafe { c.args.as_ptr().add(from) };
            resident(p.cast(), (to - from) * 8)
        };
        let works = populate_works();
        if works {
            let (r, pages) = resident(c.data.as_ptr().cast(), n * 8);
            assert_eq!(r, pages, "the leaves' values are resident");
            let (r, pages) = pairs(&c, 0, n);
            assert!(
                r < pages / 8,
                "{r} of {pages} pages of the leaves' operands"
            );
        }
        // The first op past the leaves makes a chunk ready ahead, pairs included.
        c.push(Op::Add, [0, 1], 1.0);
        assert!(holds(&c) && c.ready >= (n + READY_CHUNK).min(c.cap));
        if works {
            let (r, pages) = pairs(&c, n, c.ready);
            assert_eq!(r, pages, "the chunk ahead is resident");
        }
        // Filling the chunk and past it takes the cold path again, values intact.
        for k in 0..2 * READY_CHUNK as u32 {
            c.push(Op::Mul, [k, k + 1], f64::from(k));
            assert!(c.len <= c.ready);
        }
        assert!(holds(&c));
        assert_eq!(c.len(), n + 1 + 2 * READY_CHUNK);
        assert_eq!(
            (c.data()[n], c.data()[n + 5], c.args(n + 5)),
            (1.0, 4.0, [4, 5])
        );
        // A copy is ready up to what it holds; pushing on it grows it correctly.
        let mut d = c.clone();
        assert!(holds(&d) && d.ready == d.len);
        d.push(Op::Add, [1, 2], 9.0);
        assert!(holds(&d));
        assert_eq!(
            (d.data()[d.len() - 1], d.data()[n - 1]),
            (9.0, (n - 1) as f64)
        );
        // Truncating keeps the ready pages for the next recording.
        let ready = c.ready;
        c.truncate(10);
        assert_eq!((c.len(), c.ready), (10, ready));
    }

    #[test]
    #[should_panic(expected = "a leaf has no operands")]
    fn a_leafs_operands_are_refused() {
        let mut c = Columns::default();
        c.push_leaves(&[1.0]);
        c.args(0);
    }
}

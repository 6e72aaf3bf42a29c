//! Backward: one reverse loop over the tape, from the output down to index 0.
//!
//! Creation order is a topological order, so there is no sort, no visited set and no
//! recursion: backward is safe at any depth and costs one pass. Each node is dispatched
//! once, on its op code, to that op's arm of the generated kernel ([`Op::kernel`]), which
//! runs the op table's own derivative for it.

use super::graph::Var;
use super::kernel::Kernel;
use super::op::Op;
use super::tape::{nary_node, Node, Parts, Tape};

impl<'g> Var<'g> {
    /// Backpropagation from this value: afterwards every value's grad is
    /// d(this)/d(value). Starts fresh: all grads are zeroed first and this one is seeded
    /// with 1.0, so calling it twice gives the same grads, not double.
    ///
    /// Reused operands are counted once per use: for `y = 2x, L = 3y + 4y`, dL/dx = 14.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(1.0);
    /// let y = 2.0 * x;
    /// let l = 3.0 * y + 4.0 * y;
    /// l.backward();
    /// l.backward(); // fresh each time: still 14, not 28
    /// assert_eq!(x.grad(), 14.0);
    /// ```
    pub fn backward(self) {
        let mut guard = self.g.tape_mut();
        let t = &mut *guard;
        let out = self.i as usize;
        // Grads past `out` are 0 (nothing `out` depends on comes after it); the grad
        // vector is read as 0 beyond its end, so it only needs `out + 1` entries.
        seed(&mut t.grad, out);
        sweep(Parts::of(&t.cols, &t.consts, &t.pool), &mut t.grad, out);
    }

    /// Backpropagation that adds to the grads already there instead of starting fresh:
    /// afterwards every grad has grown by d(this)/d(value). This is micrograd's behaviour
    /// (grads accumulate until zeroed); use it on purpose, for example to sum the grads of
    /// several outputs, and clear with [`Graph::zero_grad`](crate::Graph::zero_grad).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(3.0);
    /// let y = x * x; // dy/dx = 6
    /// let z = 5.0 * x; // dz/dx = 5
    /// y.backward_accumulate();
    /// z.backward_accumulate();
    /// assert_eq!(x.grad(), 11.0);
    /// ```
    pub fn backward_accumulate(self) {
        let mut guard = self.g.tape_mut();
        let t = &mut *guard;
        let out = self.i as usize;
        let mut adj = std::mem::take(&mut t.scratch);
        seed(&mut adj, out);
        propagate(t, &mut adj, out);
        if t.grad.len() < adj.len() {
            t.grad.resize(adj.len(), 0.0);
        }
        for (g, a) in t.grad.iter_mut().zip(&adj) {
            *g += a;
        }
        t.scratch = adj;
    }
}

/// Pushes the adjoints in `adj` (already seeded) from node `out` down to node 0, with
/// each op's local derivatives from the op table.
///
/// A node whose adjoint is exactly 0 passes nothing on: its contributions would all be
/// 0, and skipping them keeps `0 · inf` (say, under a relu that is off) from turning a
/// branch that does not matter into NaN.
pub(crate) fn propagate(t: &Tape, adj: &mut [f64], out: usize) {
    sweep(t.parts(), adj, out);
}

impl Tape {
    /// Fresh adjoints of every node up to `out` (`out` seeded with 1), computed on the
    /// side: the tape's own grads are not touched.
    pub(crate) fn adjoints(&self, out: usize) -> Vec<f64> {
        let mut adj = Vec::new();
        seed(&mut adj, out);
        propagate(self, &mut adj, out);
        adj
    }
}

/// Below this many nodes, `seed` zeroes adjoints one `f64` store at a time.
const SMALL: usize = 64;

/// Makes `adj` the seed of a backward from node `out`: `out` zeros, then 1.
///
/// A small graph's adjoints are zeroed with one 8-byte store each, not with `memset`:
/// the reverse loop reads them back within a few cycles, and a load cannot take its
/// value from the middle of one of `memset`'s 32-byte stores still in flight, so each
/// read waited for the store to reach the cache (W1, the notebook's 7 nodes, spent three
/// quarters of its time in backward that way: 3.6 ns a node of CPU time, 2.7 without).
/// A large graph is zeroed by `memset`, long before the loop reaches most of it.
/// (Zeroing by a fresh `calloc`'d vector instead saved W4 a fifth of its instructions
/// but measured slower, W4 27.3 vs 23.0 ns/node, as its zero pages then fault in during
/// the reverse loop.)
#[inline(always)]
fn seed(adj: &mut Vec<f64>, out: usize) {
    if out < SMALL {
        // Cleared only to grow: `set_len` below sets the length either way, and a
        // store fewer counts in a small graph's backward.
        if adj.capacity() <= out {
            adj.clear();
            adj.reserve(out + 1);
        }
        let p = adj.as_mut_ptr();
        // SAFETY: there is room for `out + 1` entries (the capacity, grown just above
        // when short); all are written before `set_len` exposes them, and `f64` needs no
        // drop for those it drops. Volatile keeps the compiler from merging the stores
        // into a `memset` call.
        unsafe {
            for k in 0..out {
                p.add(k).write_volatile(0.0);
            }
            p.add(out).write(1.0);
            adj.set_len(out + 1);
        }
    } else {
        seed_large(adj, out);
    }
}

/// [`seed`] of a large graph (out of line: the small graphs' loop stays small). Fresh
/// memory for the adjoints comes zeroed and faulted in with one call
/// ([`pages::zeroed`](super::pages::zeroed)): W4, 13.6 ns a node instead of 14.8 with
/// the call (medians of 15 interleaved runs), and W3's backward 7.4 to 7.0 without the
/// `memset` after it.
#[inline(never)]
fn seed_large(adj: &mut Vec<f64>, out: usize) {
    super::pages::zeroed(adj, out + 1)[out] = 1.0;
}

/// The reverse loop of [`propagate`], on the tape's parts (so that `backward` can pass
/// the tape's own grad vector as `adj` while it reads the rest). The parts are plain
/// slices, loaded into registers once: the arms do not reload the tape's fields after
/// every write to `adj`.
///
/// A node that adds to the adjoint of the node just before it (`x + s` to `s`, a chain's
/// every link) hands that adjoint on in a register as well (`carry`), and the next node
/// reads it there: the adjoint in memory is the same number, but reading back a store
/// just made waits for the store to forward, several cycles on the chain from one node
/// to the next (W1's backward is three such links, W3's three a step).
#[inline(always)]
fn sweep(p: Parts<'_>, adj: &mut [f64], out: usize) {
    let ops = &p.ops[..=out];
    let adj = &mut adj[..=out];
    let mut carry = None;
    let first = leading_leaves(ops);
    let mut i = ops.len();
    while i > first {
        i -= 1;
        // SAFETY: `i < ops.len()`: it starts there and is decremented before use.
        let op = unsafe { *ops.get_unchecked(i) };
        carry = op.kernel(Step {
            p: &p,
            adj: &mut *adj,
            i,
            carry,
            next: None,
        });
    }
}

/// How many of `ops` from the start are [`Op::Leaf`]: backward has nothing to do for
/// them (a leaf passes nothing on), and a graph's inputs are usually recorded first
/// (W4's two million leaves, a net's parameters). Counted eight op codes at a time,
/// then one at a time up to the last op, which stops the count when it is not a leaf
/// (backward from an op, the usual case) without a bound check per step.
#[inline(always)]
fn leading_leaves(ops: &[Op]) -> usize {
    const _: () = assert!(Op::Leaf as u8 == 0);
    let Some(&last) = ops.last() else { return 0 };
    if last == Op::Leaf {
        return ops.iter().take_while(|&&o| o == Op::Leaf).count();
    }
    let mut n = 0;
    while n + 8 <= ops.len() {
        let word = u64::from_le_bytes(std::array::from_fn(|k| ops[n + k] as u8));
        if word != 0 {
            return n + (word.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    // SAFETY: the last op is not a leaf, so the loop stops at it at the latest: every
    // `n` read is below `ops.len()`.
    while unsafe { *ops.get_unchecked(n) } == Op::Leaf {
        n += 1;
    }
    n
}

/// Backward through node `i`.
struct Step<'a> {
    p: &'a Parts<'a>,
    /// The adjoints of nodes `0..=out`; `i <= out`.
    adj: &'a mut [f64],
    i: usize,
    /// `adj[i]`, when the node after `i` wrote it (else `None`: read it from `adj`).
    carry: Option<f64>,
    /// `adj[i - 1]`, once this node has added to it: the next node's `carry`.
    next: Option<f64>,
}

// Every value operand of node `i` was recorded before it (`k < i`): the tape is built only
// by pushing ops on existing handles of the same graph, and rewinding only truncates. So
// with `i <= out < len`, the unchecked accesses to operands below are in bounds.
impl Step<'_> {
    /// Node `i`'s adjoint, or `None` when it is exactly 0 (then the node passes nothing
    /// on). Read only in the arms of ops with operands: a leaf's arm does nothing, without
    /// waiting for its adjoint to arrive from the node that used it last.
    #[inline(always)]
    fn adjoint(&self) -> Option<f64> {
        let g = match self.carry {
            Some(g) => g,
            // SAFETY: `i <= out`, and `adj` holds `out + 1` entries.
            None => unsafe { *self.adj.get_unchecked(self.i) },
        };
        (g != 0.0).then_some(g)
    }

    /// Node `i`'s operand pair. Called only from the kernel's non-leaf arms.
    #[inline(always)]
    fn args(&self) -> [usize; 2] {
        // SAFETY: `i <= out < len`, and the kernel calls this only for ops that are not
        // leaves.
        unsafe { self.p.args_of(self.i) }
    }

    /// The value of operand `k` (`k < i`).
    #[inline(always)]
    fn val(&self, k: usize) -> f64 {
        debug_assert!(k < self.i);
        // SAFETY: `k < i < len`, see above.
        unsafe { *self.p.data.get_unchecked(k) }
    }

    /// Node `i`'s own value.
    #[inline(always)]
    fn out(&self) -> f64 {
        // SAFETY: `i <= out < len`, and the columns all have `len` entries.
        unsafe { *self.p.data.get_unchecked(self.i) }
    }

    /// Adds `v` to the adjoint of operand `k` (`k < i`), and hands the sum on when `k`
    /// is the next node.
    #[inline(always)]
    fn acc(&mut self, k: usize, v: f64) {
        debug_assert!(k < self.i);
        // SAFETY: `k < i <= out`, and `adj` holds `out + 1` entries.
        let a = unsafe { self.adj.get_unchecked_mut(k) };
        *a += v;
        if k + 1 == self.i {
            self.next = Some(*a);
        }
    }
}

/// Each arm gives back the next node's adjoint when it wrote it ([`Step::next`]).
impl Kernel<f64> for Step<'_> {
    type Out = Option<f64>;

    #[inline(always)]
    fn leaf(self) -> Option<f64> {
        None
    }

    #[inline(always)]
    fn unary(mut self, _: Op, d: impl Fn(f64, f64) -> f64) -> Option<f64> {
        let g = self.adjoint()?;
        let [x, _] = self.args();
        let dx = d(self.val(x), self.out());
        self.acc(x, g * dx);
        self.next
    }

    #[inline(always)]
    fn with_const(mut self, _: Op, d: impl Fn(f64, f64, f64) -> f64) -> Option<f64> {
        let g = self.adjoint()?;
        let [x, k] = self.args();
        let dx = d(self.val(x), self.p.consts[k], self.out());
        self.acc(x, g * dx);
        self.next
    }

    #[inline(always)]
    fn binary(mut self, _: Op, d: impl Fn(f64, f64, f64) -> [f64; 2]) -> Option<f64> {
        let g = self.adjoint()?;
        let [x, y] = self.args();
        let [dx, dy] = d(self.val(x), self.val(y), self.out());
        self.acc(x, g * dx);
        self.acc(y, g * dy);
        self.next
    }

    #[inline(always)]
    fn nary(self, op: Op) -> Option<f64> {
        let g = self.adjoint()?;
        let [start, count] = self.args();
        nary_step(op, self.p.data, self.p.pool, [start, count], self.adj, g);
        None
    }
}

/// Backward through a sum or dot node with adjoint `g` (out of line: these loop over
/// their operands, and keeping them out keeps the main loop small).
#[inline(never)]
fn nary_step(op: Op, d: &[f64], pool: &[u32], [start, count]: [usize; 2], adj: &mut [f64], g: f64) {
    match nary_node(op, pool, start as u32, count as u32) {
        Node::Sum(xs) => {
            for &k in xs {
                adj[k as usize] += g;
            }
        }
        Node::Dot(xs, ys) => {
            for (&x, &y) in xs.iter().zip(ys) {
                let (x, y) = (x as usize, y as usize);
                adj[x] += g * d[y];
                adj[y] += g * d[x];
            }
        }
        _ => unreachable!("nary_step takes sum and dot nodes"),
    }
}

#[cfg(test)]
mod tests {
    use super::leading_leaves;
    use crate::data::Rng;
    use crate::{Graph, Op};

    #[test]
    fn leading_leaves_counts_as_a_plain_scan_does() {
        let mut rng = Rng::new(20);
        let other = [Op::Add, Op::Mul, Op::Const, Op::Tanh];
        for _ in 0..2000 {
            let len = (rng.next_u64() % 40) as usize;
            let leaves = (rng.next_u64() as usize) % (len + 1);
            let ops: Vec<Op> = (0..len)
                .map(|k| {
                    let r = rng.next_u64();
                    if k < leaves || r % 3 == 0 {
                        Op::Leaf
                    } else {
                        other[(r % 4) as usize]
                    }
                })
                .collect();
            let plain = ops.iter().take_while(|&&o| o == Op::Leaf).count();
            assert_eq!(leading_leaves(&ops), plain, "{ops:?}");
        }
    }

    #[test]
    fn backward_from_a_leaf_or_through_leading_leaves_is_exact() {
        let g = Graph::new();
        let xs: Vec<_> = (0..19).map(|k| g.leaf(f64::from(k) - 9.0)).collect();
        // Backward from a leaf: only that leaf has a grad.
        xs[12].backward();
        let grads: Vec<f64> = xs.iter().map(|x| x.grad()).collect();
        let mut want = vec![0.0; 19];
        want[12] = 1.0;
        assert_eq!(grads, want);
        // Σ k·x_k over the 19 leading leaves (more than two words of op codes), then
        // a leaf after the first op, used too: every grad is exact.
        let mut s = xs[0] * 0.0;
        for (k, x) in xs.iter().enumerate() {
            s += *x * k as f64;
        }
        let late = g.leaf(3.0);
        let l = s * late;
        l.backward();
        for (k, x) in xs.iter().enumerate() {
            assert_eq!(x.grad(), k as f64 * 3.0, "leaf {k}");
        }
        assert_eq!(late.grad(), s.data());
    }
}

//! Backward: one reverse loop over the tape, from the output down to index 0.
//!
//! Creation order is a topological order, so there is no sort, no visited set and no
//! recursion: backward is safe at any depth and costs one pass.

use super::graph::Var;
use super::op::{Arity, Op};
use super::tape::{read_node, Node, Tape};

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
        // Zeroed by a memset pass, not by a fresh calloc'd vector: calloc saves W4 a fifth
        // of its instructions but measured slower (W4 27.3 vs 23.0 ns/node, W3 44.0 vs
        // 39.8), because its zero pages then fault in during the reverse loop.
        t.grad.clear();
        t.grad.resize(out, 0.0);
        t.grad.push(1.0);
        // The view borrows every field but `grad`, which backward writes in place.
        let view = TapeView {
            ops: &t.ops,
            args: &t.args,
            data: &t.data,
            consts: &t.consts,
            pool: &t.pool,
        };
        view.propagate(&mut t.grad, out);
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
        adj.clear();
        adj.resize(out, 0.0);
        adj.push(1.0);
        TapeView::of(t).propagate(&mut adj, out);
        if t.grad.len() < adj.len() {
            t.grad.resize(adj.len(), 0.0);
        }
        for (g, a) in t.grad.iter_mut().zip(&adj) {
            *g += a;
        }
        t.scratch = adj;
    }
}

/// Pushes the adjoints in `adj` (already seeded) from node `out` down to node 0.
///
/// The commonest ops have their chain rule written out here; every other op goes through
/// [`Op::partials`], the op table's single definition of local derivatives (the two agree
/// exactly: `g * 1.0 == g` in IEEE 754, and a test checks every op).
///
/// A node whose adjoint is exactly 0 passes nothing on: its contributions would all be
/// 0, and skipping them keeps `0 · inf` (say, under a relu that is off) from turning a
/// branch that does not matter into NaN.
pub(crate) fn propagate(t: &Tape, adj: &mut [f64], out: usize) {
    TapeView::of(t).propagate(adj, out);
}

impl Tape {
    /// Fresh adjoints of every node up to `out` (`out` seeded with 1), computed on the
    /// side: the tape's own grads are not touched.
    pub(crate) fn adjoints(&self, out: usize) -> Vec<f64> {
        let mut adj = vec![0.0; out + 1];
        adj[out] = 1.0;
        propagate(self, &mut adj, out);
        adj
    }
}

/// The parts of a tape that backward reads, borrowed apart from its grads so that
/// backward can write the tape's own grad vector in place. (Taking the grad vector out
/// with `mem::take` and putting it back instead measured W1 at 0.98x the fastest peer
/// rather than 0.67x, so `backward` builds this view from the fields directly.)
struct TapeView<'t> {
    ops: &'t [Op],
    args: &'t [[u32; 2]],
    data: &'t [f64],
    consts: &'t [f64],
    pool: &'t [u32],
}

impl<'t> TapeView<'t> {
    #[inline(always)]
    fn of(t: &'t Tape) -> TapeView<'t> {
        TapeView {
            ops: &t.ops,
            args: &t.args,
            data: &t.data,
            consts: &t.consts,
            pool: &t.pool,
        }
    }

    #[inline(always)]
    fn propagate(&self, adj: &mut [f64], out: usize) {
        let t = self;
        let (ops, args, data) = (&t.ops[..=out], &t.args[..=out], &t.data[..=out]);
        let adj = &mut adj[..=out];
        for i in (0..=out).rev() {
            let (g, op) = (adj[i], ops[i]);
            if g == 0.0 || op == Op::Leaf {
                continue;
            }
            let [a, b] = args[i];
            let (a, b) = (a as usize, b as usize);
            // Every operand was recorded before the node that uses it (`a, b < i` for value
            // operands): the tape is built only by pushing ops on existing handles of the
            // same graph, and rewinding only truncates. So these accesses are in bounds.
            debug_assert!(
                op.arity() == Arity::Nary || (a < i && (op.arity() != Arity::Binary || b < i))
            );
            macro_rules! val {
                ($k:expr) => {
                    // SAFETY: $k < i <= out, see above.
                    unsafe { *data.get_unchecked($k) }
                };
            }
            macro_rules! acc {
                ($k:expr, $v:expr) => {{
                    let v = $v;
                    // SAFETY: $k < i <= out, see above.
                    unsafe { *adj.get_unchecked_mut($k) += v }
                }};
            }
            match op {
                Op::Add => {
                    acc!(a, g);
                    acc!(b, g);
                }
                Op::Sub => {
                    acc!(a, g);
                    acc!(b, -g);
                }
                Op::Mul => {
                    acc!(a, g * val!(b));
                    acc!(b, g * val!(a));
                }
                Op::AddConst => acc!(a, g),
                Op::MulConst => acc!(a, g * t.consts[b]),
                Op::Tanh => {
                    let y = data[i];
                    acc!(a, g * (1.0 - y * y));
                }
                // Every other op, n-ary ones included: the operands from the tape's one
                // reader of a node, the local derivatives from the op table.
                _ => self.slow(i, op, g, adj),
            }
        }
    }
}

impl TapeView<'_> {
    /// Backward through node `i` (adjoint `g`) for any op: the operands from
    /// [`Tape::node`], the local derivatives from [`Op::partials`].
    #[inline(never)]
    fn slow(&self, i: usize, op: Op, g: f64, adj: &mut [f64]) {
        let d = self.data;
        let out = d[i];
        match read_node(self.ops, self.args, self.consts, self.pool, i) {
            Node::Leaf => {}
            Node::Unary(x) => adj[x as usize] += g * op.partials(d[x as usize], 0.0, 0.0, out)[0],
            Node::WithConst(x, c) => {
                adj[x as usize] += g * op.partials(d[x as usize], 0.0, c, out)[0]
            }
            Node::Binary(x, y) => {
                let [dx, dy] = op.partials(d[x as usize], d[y as usize], 0.0, out);
                adj[x as usize] += g * dx;
                adj[y as usize] += g * dy;
            }
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
        }
    }
}

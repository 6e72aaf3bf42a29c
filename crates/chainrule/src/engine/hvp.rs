//! The two sweeps behind [`Graph::hvp`](super::graph::Graph::hvp), forward-over-reverse
//! on the recorded tape: a forward sweep that carries a tangent along the values, then a
//! reverse sweep that carries a tangent along the adjoints. Both are kernels
//! ([`Op::kernel`], [`Op::kernel_dual`]): one dispatch per node, each op's arm compiled
//! with the op table's own derivative (on `f64` forward, on [`Dual`] backward).

use super::kernel::Kernel;
use super::op::Op;
use super::pages::zeroed;
use super::real::Dual;
use super::tape::{nary_node, Node, Parts, Tape};

/// `p · t`, with a zero tangent (or adjoint) passing nothing on, as backward skips a
/// zero adjoint: an infinite local derivative where nothing flows gives 0, not NaN.
#[inline(always)]
pub(crate) fn scale(p: f64, t: f64) -> f64 {
    if t == 0.0 {
        0.0
    } else {
        p * t
    }
}

impl Tape {
    /// Forward-over-reverse from node `out`, with the tangent seeded by `seeds` (node,
    /// component; repeated nodes add up): for every node up to `out`, its adjoint
    /// d out/d node and that adjoint's directional derivative. The workspace is the
    /// tape's own (`hvp_tan`, `hvp_adj`), kept between calls.
    pub(crate) fn hvp_sweeps(
        &mut self,
        out: usize,
        seeds: impl Iterator<Item = (usize, f64)>,
    ) -> &[[f64; 2]] {
        let p = Parts::of(&self.cols, &self.consts, &self.pool);
        // The workspace zeroed as backward's adjoints are: over the memory kept from the
        // last call, or a fresh block faulted in with one call (left to fault in a page at
        // a time during the sweeps, W5 measured 29.6 ns a node; faulted in first, 24.8).
        let tan = zeroed(&mut self.hvp_tan, out + 1);
        for (k, v) in seeds {
            if k <= out {
                tan[k] += v;
            }
        }
        forward(p, tan, out);
        let adj = zeroed(&mut self.hvp_adj, out + 1);
        adj[out][0] = 1.0;
        reverse(p, &self.hvp_tan, adj, out);
        &self.hvp_adj
    }
}

/// The forward sweep: every node's tangent from its operands', in tape order. Out of
/// line, with the parts as plain slices: the compiler keeps them in registers, knowing
/// that the writes to `tan` touch none of them.
#[inline(never)]
fn forward(p: Parts<'_>, tan: &mut [f64], out: usize) {
    let (ops, tan) = (&p.ops[..=out], &mut tan[..=out]);
    for (i, op) in ops.iter().enumerate() {
        op.kernel(Tangent {
            p: &p,
            tan: &mut *tan,
            i,
        });
    }
}

/// The reverse sweep: every node's adjoint and its tangent, from `out` down.
#[inline(never)]
fn reverse(p: Parts<'_>, tan: &[f64], adj: &mut [[f64; 2]], out: usize) {
    let (ops, tan, adj) = (&p.ops[..=out], &tan[..=out], &mut adj[..=out]);
    for i in (0..=out).rev() {
        ops[i].kernel_dual(Reverse {
            p: &p,
            tan,
            adj: &mut *adj,
            i,
        });
    }
}

// In both sweeps, node `i <= out < len`, and every value operand `k` of node `i` was
// recorded before it (`k < i`; see `backward.rs`), so the unchecked accesses below are
// in bounds: `tan` and `adj` hold `out + 1` entries, the tape's columns `len`.

/// The forward sweep at node `i`: its tangent from its operands'.
struct Tangent<'a> {
    p: &'a Parts<'a>,
    /// The tangents of nodes `0..=out`, those before `i` final; `i <= out`.
    tan: &'a mut [f64],
    i: usize,
}

impl Tangent<'_> {
    /// Node `i`'s operand pair (called only from the kernel's non-leaf arms).
    #[inline(always)]
    fn args(&self) -> [usize; 2] {
        // SAFETY: `i <= out < len`, and the kernel calls this only for ops that are not
        // leaves.
        unsafe { self.p.args_of(self.i) }
    }

    /// The value of node `k <= i`.
    #[inline(always)]
    fn val(&self, k: usize) -> f64 {
        debug_assert!(k <= self.i);
        // SAFETY: `k <= i < len`, see above.
        unsafe { *self.p.data.get_unchecked(k) }
    }

    /// The tangent of operand `k < i`.
    #[inline(always)]
    fn tan(&self, k: usize) -> f64 {
        debug_assert!(k < self.i);
        // SAFETY: `k < i <= out`, see above.
        unsafe { *self.tan.get_unchecked(k) }
    }

    /// Adds `t` to node `i`'s tangent.
    #[inline(always)]
    fn add(self, t: f64) {
        // SAFETY: `i <= out`, see above.
        unsafe { *self.tan.get_unchecked_mut(self.i) += t };
    }
}

impl Kernel<f64> for Tangent<'_> {
    type Out = ();

    #[inline(always)]
    fn leaf(self) {}

    #[inline(always)]
    fn unary(self, _: Op, d: impl Fn(f64, f64) -> f64) {
        let [x, _] = self.args();
        let t = scale(d(self.val(x), self.val(self.i)), self.tan(x));
        self.add(t);
    }

    #[inline(always)]
    fn with_const(self, _: Op, d: impl Fn(f64, f64, f64) -> f64) {
        let [x, k] = self.args();
        let t = scale(
            d(self.val(x), self.p.consts[k], self.val(self.i)),
            self.tan(x),
        );
        self.add(t);
    }

    #[inline(always)]
    fn binary(self, _: Op, d: impl Fn(f64, f64, f64) -> [f64; 2]) {
        let [x, y] = self.args();
        let [dx, dy] = d(self.val(x), self.val(y), self.val(self.i));
        let t = scale(dx, self.tan(x)) + scale(dy, self.tan(y));
        self.add(t);
    }

    #[inline(always)]
    fn nary(self, op: Op) {
        let [start, count] = self.args();
        let t = nary_tangent(op, self.p.data, self.p.pool, [start, count], self.tan);
        self.add(t);
    }
}

/// The tangent of a sum or dot node (out of line: these loop over their operands).
#[inline(never)]
fn nary_tangent(op: Op, d: &[f64], pool: &[u32], [start, count]: [usize; 2], tan: &[f64]) -> f64 {
    match nary_node(op, pool, start as u32, count as u32) {
        Node::Sum(xs) => xs.iter().map(|&k| tan[k as usize]).sum(),
        Node::Dot(xs, ys) => xs.iter().zip(ys).fold(0.0, |s, (&x, &y)| {
            let (x, y) = (x as usize, y as usize);
            s + scale(d[y], tan[x]) + scale(d[x], tan[y])
        }),
        _ => unreachable!("nary_tangent takes sum and dot nodes"),
    }
}

/// The reverse sweep at node `i`.
struct Reverse<'a> {
    p: &'a Parts<'a>,
    tan: &'a [f64],
    /// Each node's adjoint and its tangent, side by side (one cache line, not two).
    adj: &'a mut [[f64; 2]],
    i: usize,
}

impl Reverse<'_> {
    /// Node `i`'s adjoint and its tangent, or `None` when both are exactly 0 (then the
    /// node passes nothing on). Read only in the arms of ops with operands.
    #[inline(always)]
    fn adjoint(&self) -> Option<[f64; 2]> {
        // SAFETY: `i <= out`, see above.
        let [a, da] = unsafe { *self.adj.get_unchecked(self.i) };
        (a != 0.0 || da != 0.0).then_some([a, da])
    }

    /// Node `i`'s operand pair (called only from the kernel's non-leaf arms).
    #[inline(always)]
    fn args(&self) -> [usize; 2] {
        // SAFETY: `i <= out < len`, and the kernel calls this only for ops that are not
        // leaves.
        unsafe { self.p.args_of(self.i) }
    }

    /// Node `k`'s value and tangent (`k <= i`).
    #[inline(always)]
    fn dual(&self, k: usize) -> Dual {
        debug_assert!(k <= self.i);
        // SAFETY: `k <= i <= out < len`, see above.
        unsafe {
            Dual {
                v: *self.p.data.get_unchecked(k),
                t: *self.tan.get_unchecked(k),
            }
        }
    }

    /// Passes the adjoint `[a, da]` to operand `k < i` through the local derivative `p`.
    #[inline(always)]
    fn push(&mut self, a: [f64; 2], k: usize, p: Dual) {
        debug_assert!(k < self.i);
        // SAFETY: `k < i <= out`, see above.
        pass_on(unsafe { self.adj.get_unchecked_mut(k) }, a, p);
    }
}

impl Kernel<Dual> for Reverse<'_> {
    type Out = ();

    #[inline(always)]
    fn leaf(self) {}

    #[inline(always)]
    fn unary(mut self, _: Op, d: impl Fn(Dual, Dual) -> Dual) {
        let Some(a) = self.adjoint() else { return };
        let [x, _] = self.args();
        let p = d(self.dual(x), self.dual(self.i));
        self.push(a, x, p);
    }

    #[inline(always)]
    fn with_const(mut self, _: Op, d: impl Fn(Dual, f64, Dual) -> Dual) {
        let Some(a) = self.adjoint() else { return };
        let [x, k] = self.args();
        let p = d(self.dual(x), self.p.consts[k], self.dual(self.i));
        self.push(a, x, p);
    }

    #[inline(always)]
    fn binary(mut self, _: Op, d: impl Fn(Dual, Dual, Dual) -> [Dual; 2]) {
        let Some(a) = self.adjoint() else { return };
        let [x, y] = self.args();
        let [px, py] = d(self.dual(x), self.dual(y), self.dual(self.i));
        self.push(a, x, px);
        self.push(a, y, py);
    }

    #[inline(always)]
    fn nary(self, op: Op) {
        let Some(a) = self.adjoint() else { return };
        let [start, count] = self.args();
        nary_reverse(op, *self.p, [start, count], self.tan, self.adj, a);
    }
}

/// Adds to an operand's adjoint pair `slot` what the adjoint `[a, da]` of a node passes
/// on through the local derivative `q` (with its tangent): the chain rule, and its
/// derivative along the direction.
#[inline(always)]
fn pass_on(slot: &mut [f64; 2], [a, da]: [f64; 2], q: Dual) {
    slot[0] += scale(q.v, a);
    slot[1] += scale(q.v, da) + scale(q.t, a);
}

/// The reverse sweep through a sum or dot node with adjoint `a` (out of line).
#[inline(never)]
fn nary_reverse(
    op: Op,
    p: Parts<'_>,
    [start, count]: [usize; 2],
    tan: &[f64],
    adj: &mut [[f64; 2]],
    a: [f64; 2],
) {
    let mut push = |k: usize, q: Dual| pass_on(&mut adj[k], a, q);
    let dual = |k: usize| Dual {
        v: p.data[k],
        t: tan[k],
    };
    match nary_node(op, p.pool, start as u32, count as u32) {
        Node::Sum(xs) => {
            for &k in xs {
                push(k as usize, Dual::from(1.0));
            }
        }
        Node::Dot(xs, ys) => {
            for (&x, &y) in xs.iter().zip(ys) {
                let (x, y) = (x as usize, y as usize);
                push(x, dual(y));
                push(y, dual(x));
            }
        }
        _ => unreachable!("nary_reverse takes sum and dot nodes"),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Graph, Var};

    /// Three leaves, a short function of them and a long one.
    fn build(g: &Graph) -> (Vec<Var<'_>>, Var<'_>, Var<'_>) {
        let x: Vec<_> = [0.5, -1.5, 2.0].iter().map(|&v| g.leaf(v)).collect();
        let short = x[0] * x[1] + x[2].sin();
        let long = (short * x[2]).tanh() + x[0] * x[0] * x[1];
        (x, short, long)
    }

    /// The workspace kept between calls never leaks one call's numbers into the next:
    /// a long product, then a shorter one and another direction, each as on a fresh tape.
    #[test]
    fn a_reused_workspace_gives_what_a_fresh_one_gives() {
        let g = Graph::new();
        let (x, short, long) = build(&g);
        let first = g.hvp(long, &x, &[1.0, 0.0, -1.0]);
        let second = g.hvp(short, &x, &[0.0, 2.0, 1.0]);
        let third = g.hvp(long, &x, &[0.5, 0.5, 0.5]);
        for (y, v, got) in [
            (2, [1.0, 0.0, -1.0], first),
            (1, [0.0, 2.0, 1.0], second),
            (2, [0.5; 3], third),
        ] {
            let fresh = Graph::new();
            let (fx, fs, fl) = build(&fresh);
            let want = fresh.hvp(if y == 1 { fs } else { fl }, &fx, &v);
            assert_eq!(got, want);
        }
    }
}

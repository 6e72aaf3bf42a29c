//! The two sweeps behind [`Graph::hvp`](super::graph::Graph::hvp), forward-over-reverse
//! on the recorded tape: a forward sweep that carries a tangent along the values, then a
//! reverse sweep that carries a tangent along the adjoints. Both are kernels
//! ([`Op::kernel`], [`Op::kernel_dual`]): one dispatch per node, each op's arm compiled
//! with the op table's own derivative (on `f64` forward, on [`Dual`] backward).

use super::kernel::Kernel;
use super::op::Op;
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
    /// d out/d node and that adjoint's directional derivative.
    pub(crate) fn hvp_sweeps(
        &self,
        out: usize,
        seeds: impl Iterator<Item = (usize, f64)>,
    ) -> Vec<[f64; 2]> {
        let p = self.parts();
        let ops = &p.ops[..=out];
        let mut tan: Vec<f64> = zeroed(out + 1);
        for (k, v) in seeds {
            if k <= out {
                tan[k] += v;
            }
        }
        for (i, op) in ops.iter().enumerate() {
            op.kernel(Tangent {
                p,
                tan: &mut tan,
                i,
            });
        }
        let mut adj: Vec<[f64; 2]> = zeroed(out + 1);
        adj[out][0] = 1.0;
        for i in (0..=out).rev() {
            let [a, da] = adj[i];
            if a == 0.0 && da == 0.0 {
                continue;
            }
            ops[i].kernel_dual(Reverse {
                p,
                tan: &tan,
                adj: &mut adj,
                i,
                a,
                da,
            });
        }
        adj
    }
}

/// `n` zeros (numbers or pairs), written by `memset` into a plain allocation. (From
/// `vec![0.0; n]`, a fresh `calloc`'d block, the kernel's zero pages instead fault in one by
/// one during the sweeps: W5 measured 29.6 ns a node that way, 24.8 this way.)
fn zeroed<T: Copy + Default>(n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, T::default());
    v
}

/// The forward sweep at node `i`: its tangent from its operands'.
struct Tangent<'a> {
    p: Parts<'a>,
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

    /// Adds `t` to node `i`'s tangent.
    #[inline(always)]
    fn add(self, t: f64) {
        self.tan[self.i] += t;
    }
}

impl Kernel<f64> for Tangent<'_> {
    type Out = ();

    #[inline(always)]
    fn leaf(self) {}

    #[inline(always)]
    fn unary(self, _: Op, d: impl Fn(f64, f64) -> f64) {
        let [x, _] = self.args();
        let data = self.p.data;
        let t = scale(d(data[x], data[self.i]), self.tan[x]);
        self.add(t);
    }

    #[inline(always)]
    fn with_const(self, _: Op, d: impl Fn(f64, f64, f64) -> f64) {
        let [x, k] = self.args();
        let data = self.p.data;
        let t = scale(d(data[x], self.p.consts[k], data[self.i]), self.tan[x]);
        self.add(t);
    }

    #[inline(always)]
    fn binary(self, _: Op, d: impl Fn(f64, f64, f64) -> [f64; 2]) {
        let [x, y] = self.args();
        let data = self.p.data;
        let [dx, dy] = d(data[x], data[y], data[self.i]);
        let t = scale(dx, self.tan[x]) + scale(dy, self.tan[y]);
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

/// The reverse sweep at node `i`, whose adjoint is `a` with tangent `da`.
struct Reverse<'a> {
    p: Parts<'a>,
    tan: &'a [f64],
    /// Each node's adjoint and its tangent, side by side (one cache line, not two).
    adj: &'a mut [[f64; 2]],
    i: usize,
    a: f64,
    da: f64,
}

impl Reverse<'_> {
    /// Node `i`'s operand pair (called only from the kernel's non-leaf arms).
    #[inline(always)]
    fn args(&self) -> [usize; 2] {
        // SAFETY: `i <= out < len`, and the kernel calls this only for ops that are not
        // leaves.
        unsafe { self.p.args_of(self.i) }
    }

    /// Node `k`'s value and tangent.
    #[inline(always)]
    fn dual(&self, k: usize) -> Dual {
        Dual {
            v: self.p.data[k],
            t: self.tan[k],
        }
    }

    /// Passes node `i`'s adjoint to operand `k` through the local derivative `p`.
    #[inline(always)]
    fn push(&mut self, k: usize, p: Dual) {
        let slot = &mut self.adj[k];
        slot[0] += scale(p.v, self.a);
        slot[1] += scale(p.v, self.da) + scale(p.t, self.a);
    }
}

impl Kernel<Dual> for Reverse<'_> {
    type Out = ();

    #[inline(always)]
    fn leaf(self) {}

    #[inline(always)]
    fn unary(mut self, _: Op, d: impl Fn(Dual, Dual) -> Dual) {
        let [x, _] = self.args();
        let p = d(self.dual(x), self.dual(self.i));
        self.push(x, p);
    }

    #[inline(always)]
    fn with_const(mut self, _: Op, d: impl Fn(Dual, f64, Dual) -> Dual) {
        let [x, k] = self.args();
        let p = d(self.dual(x), self.p.consts[k], self.dual(self.i));
        self.push(x, p);
    }

    #[inline(always)]
    fn binary(mut self, _: Op, d: impl Fn(Dual, Dual, Dual) -> [Dual; 2]) {
        let [x, y] = self.args();
        let [px, py] = d(self.dual(x), self.dual(y), self.dual(self.i));
        self.push(x, px);
        self.push(y, py);
    }

    #[inline(always)]
    fn nary(mut self, op: Op) {
        let [start, count] = self.args();
        let pool = self.p.pool;
        match nary_node(op, pool, start as u32, count as u32) {
            Node::Sum(xs) => {
                for &k in xs {
                    self.push(k as usize, Dual::from(1.0));
                }
            }
            Node::Dot(xs, ys) => {
                for (&x, &y) in xs.iter().zip(ys) {
                    let (x, y) = (x as usize, y as usize);
                    self.push(x, self.dual(y));
                    self.push(y, self.dual(x));
                }
            }
            _ => unreachable!("the reverse sweep's nary takes sum and dot nodes"),
        }
    }
}

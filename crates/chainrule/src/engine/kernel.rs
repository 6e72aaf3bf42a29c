//! The shape of a pass over the tape that needs each op's local derivatives: backward,
//! and the tangent and reverse sweeps of a Hessian-vector product.
//!
//! A pass says once, per kind of op, what it does with a node (read the operands, call
//! the derivative, accumulate); [`Op::kernel`] (generated from the op table) matches on
//! the op and calls the kind's method with that op's own derivative closure. Each arm
//! is a separate instantiation, so after inlining every op has its own straight-line
//! code, and the op code is dispatched exactly once per node: the table stays the one
//! definition of every derivative without a second `match` inside the hot loop.

use super::op::Op;

/// One node's work in a pass, by the kind of its op. `T` is the number type the
/// derivatives run on (`f64`, or [`Dual`](super::real::Dual) for a tangent).
pub(crate) trait Kernel<T> {
    /// What the pass gives back for the node.
    type Out;
    /// A leaf or constant: no operands.
    fn leaf(self) -> Self::Out;
    /// A one-operand op `op`; `d(x, out)` is its local derivative.
    fn unary(self, op: Op, d: impl Fn(T, T) -> T) -> Self::Out;
    /// A one-operand op with a constant; `d(x, c, out)` is its local derivative.
    fn with_const(self, op: Op, d: impl Fn(T, f64, T) -> T) -> Self::Out;
    /// A two-operand op; `d(x, y, out)` gives both local derivatives.
    fn binary(self, op: Op, d: impl Fn(T, T, T) -> [T; 2]) -> Self::Out;
    /// [`Op::Sum`] or [`Op::Dot`]: any number of operands, read from the pool.
    fn nary(self, op: Op) -> Self::Out;
}

//! The numbers the op table's derivative closures run on, so that each op's derivative
//! is written once:
//!
//! - `f64`: backward's local derivatives.
//! - [`Term`]: a value recorded on the tape, or a constant folded on the side. Running a
//!   derivative closure on terms records the derivative itself, so a gradient is a value
//!   on the tape that can be differentiated again. Constants fold (`1·t` is `t`, `0·t` is
//!   `0`), so a derivative records only what depends on something.
//! - [`Dual`]: a value with a tangent (a directional derivative), for forward-over-reverse
//!   Hessian-vector products without recording anything.
//!
//! Each implements three primitives ([`Real::apply1`], [`Real::apply_c`],
//! [`Real::apply2`]); the operators and the op methods come from them, and so from the
//! table.

use super::graph::{Graph, Var};
use super::op::{Op, Real};
use std::ops::{Add, Div, Mul, Neg, Sub};

impl Real for f64 {
    #[inline(always)]
    fn value(self) -> f64 {
        self
    }
    #[inline(always)]
    fn apply1(self, op: Op) -> f64 {
        op.apply(self, 0.0, 0.0)
    }
    #[inline(always)]
    fn apply_c(self, op: Op, c: f64) -> f64 {
        op.apply(self, 0.0, c)
    }
    #[inline(always)]
    fn apply2(self, op: Op, y: f64) -> f64 {
        op.apply(self, y, 0.0)
    }
}

/// A number during the recording of a derivative: a value on the tape, or a constant
/// that depends on nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Term<'g> {
    /// A constant, not recorded.
    Const(f64),
    /// A value on the tape.
    Var(Var<'g>),
}

impl From<f64> for Term<'_> {
    #[inline]
    fn from(c: f64) -> Self {
        Term::Const(c)
    }
}

impl<'g> Term<'g> {
    /// The term as a value on `g`: a constant becomes an [`Op::Const`] node.
    pub(crate) fn on(self, g: &'g Graph) -> Var<'g> {
        match self {
            Term::Var(v) => v,
            Term::Const(c) => g.constant(c),
        }
    }

    /// Whether the term is exactly the constant `c`.
    #[inline]
    pub(crate) fn is(self, c: f64) -> bool {
        matches!(self, Term::Const(k) if k == c)
    }
}

impl Real for Term<'_> {
    #[inline]
    fn value(self) -> f64 {
        match self {
            Term::Const(c) => c,
            Term::Var(v) => v.data(),
        }
    }

    #[inline]
    fn apply1(self, op: Op) -> Self {
        match self {
            Term::Const(c) => Term::Const(op.apply(c, 0.0, 0.0)),
            Term::Var(v) => Term::Var(v.record1(op)),
        }
    }

    #[inline]
    fn apply_c(self, op: Op, c: f64) -> Self {
        let v = match self {
            Term::Const(x) => return Term::Const(op.apply(x, 0.0, c)),
            Term::Var(v) => v,
        };
        // The folds are exact: x·1, x/1, x**1 are x, and x**0 is 1 for every x.
        match (op, c) {
            (Op::MulConst | Op::DivConst | Op::PowConst, 1.0) | (Op::AddConst, 0.0) => self,
            (Op::PowConst, 0.0) => Term::Const(1.0),
            // A structural zero: what does not depend on v contributes nothing.
            (Op::MulConst, 0.0) => Term::Const(0.0),
            _ => Term::Var(v.record_c(op, c)),
        }
    }

    #[inline]
    fn apply2(self, op: Op, y: Self) -> Self {
        match (self, y) {
            (Term::Const(a), Term::Const(b)) => Term::Const(op.apply(a, b, 0.0)),
            (Term::Var(a), Term::Var(b)) => Term::Var(a.record2(op, b)),
            (Term::Var(_), Term::Const(c)) => match op {
                Op::Add => self.apply_c(Op::AddConst, c),
                Op::Sub => self.apply_c(Op::AddConst, -c),
                Op::Mul => self.apply_c(Op::MulConst, c),
                Op::Div => self.apply_c(Op::DivConst, c),
                Op::Pow => self.apply_c(Op::PowConst, c),
                _ => unreachable!("apply2 takes binary ops"),
            },
            (Term::Const(c), Term::Var(v)) => match op {
                Op::Add => y.apply_c(Op::AddConst, c),
                Op::Mul => y.apply_c(Op::MulConst, c),
                Op::Sub if c == 0.0 => y.apply1(Op::Neg),
                Op::Sub => y.apply_c(Op::ConstSub, c),
                Op::Div => y.apply_c(Op::ConstDiv, c),
                // No op takes a constant base: the base becomes a constant node.
                _ => Term::Var(v.g.constant(c).record2(op, v)),
            },
        }
    }
}

/// A value and its tangent, the directional derivative along a chosen direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Dual {
    /// The value.
    pub v: f64,
    /// The tangent.
    pub t: f64,
}

impl From<f64> for Dual {
    #[inline(always)]
    fn from(c: f64) -> Self {
        Dual { v: c, t: 0.0 }
    }
}

impl Real for Dual {
    #[inline(always)]
    fn value(self) -> f64 {
        self.v
    }

    #[inline(always)]
    fn apply1(self, op: Op) -> Self {
        let v = op.apply(self.v, 0.0, 0.0);
        let [d, _] = op.partials(self.v, 0.0, 0.0, v);
        Dual {
            v,
            t: if self.t == 0.0 { 0.0 } else { d * self.t },
        }
    }

    #[inline(always)]
    fn apply_c(self, op: Op, c: f64) -> Self {
        let v = op.apply(self.v, 0.0, c);
        let [d, _] = op.partials(self.v, 0.0, c, v);
        Dual {
            v,
            t: if self.t == 0.0 { 0.0 } else { d * self.t },
        }
    }

    #[inline(always)]
    fn apply2(self, op: Op, y: Self) -> Self {
        let v = op.apply(self.v, y.v, 0.0);
        let [dx, dy] = op.partials(self.v, y.v, 0.0, v);
        // A zero tangent passes nothing on, as a zero adjoint does in backward.
        let tx = if self.t == 0.0 { 0.0 } else { dx * self.t };
        let ty = if y.t == 0.0 { 0.0 } else { dy * y.t };
        Dual { v, t: tx + ty }
    }
}

/// `+ - * /` and unary minus on a [`Real`] type, with `f64` on either side: the same
/// ops the operators record on a [`Var`] (`x - c` is `x + (-c)`).
macro_rules! real_operators {
    ($([$($g:lifetime)?] $T:ty),*) => {$(
        impl<$($g)?> Add for $T {
            type Output = $T;
            #[inline(always)]
            fn add(self, y: $T) -> $T { self.apply2(Op::Add, y) }
        }
        impl<$($g)?> Sub for $T {
            type Output = $T;
            #[inline(always)]
            fn sub(self, y: $T) -> $T { self.apply2(Op::Sub, y) }
        }
        impl<$($g)?> Mul for $T {
            type Output = $T;
            #[inline(always)]
            fn mul(self, y: $T) -> $T { self.apply2(Op::Mul, y) }
        }
        impl<$($g)?> Div for $T {
            type Output = $T;
            #[inline(always)]
            fn div(self, y: $T) -> $T { self.apply2(Op::Div, y) }
        }
        impl<$($g)?> Add<f64> for $T {
            type Output = $T;
            #[inline(always)]
            fn add(self, c: f64) -> $T { self.apply_c(Op::AddConst, c) }
        }
        impl<$($g)?> Sub<f64> for $T {
            type Output = $T;
            #[inline(always)]
            fn sub(self, c: f64) -> $T { self.apply_c(Op::AddConst, -c) }
        }
        impl<$($g)?> Mul<f64> for $T {
            type Output = $T;
            #[inline(always)]
            fn mul(self, c: f64) -> $T { self.apply_c(Op::MulConst, c) }
        }
        impl<$($g)?> Div<f64> for $T {
            type Output = $T;
            #[inline(always)]
            fn div(self, c: f64) -> $T { self.apply_c(Op::DivConst, c) }
        }
        impl<$($g)?> Add<$T> for f64 {
            type Output = $T;
            #[inline(always)]
            fn add(self, x: $T) -> $T { x.apply_c(Op::AddConst, self) }
        }
        impl<$($g)?> Sub<$T> for f64 {
            type Output = $T;
            #[inline(always)]
            fn sub(self, x: $T) -> $T { x.apply_c(Op::ConstSub, self) }
        }
        impl<$($g)?> Mul<$T> for f64 {
            type Output = $T;
            #[inline(always)]
            fn mul(self, x: $T) -> $T { x.apply_c(Op::MulConst, self) }
        }
        impl<$($g)?> Div<$T> for f64 {
            type Output = $T;
            #[inline(always)]
            fn div(self, x: $T) -> $T { x.apply_c(Op::ConstDiv, self) }
        }
        impl<$($g)?> Neg for $T {
            type Output = $T;
            #[inline(always)]
            fn neg(self) -> $T { self.apply1(Op::Neg) }
        }
    )*};
}

real_operators!(['g] Term<'g>, [] Dual);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_fold_and_values_record() {
        let g = Graph::new();
        let x = Term::Var(g.leaf(3.0));
        assert!((x * 0.0).is(0.0));
        assert_eq!(g.len(), 1, "folds record nothing");
        let y = 1.0 - x * x;
        assert_eq!(y.value(), -8.0);
        assert_eq!(g.len(), 3);
        assert!((Term::Const(2.0) * Term::Const(4.0)).is(8.0));
    }

    #[test]
    fn a_dual_carries_the_directional_derivative() {
        let x = Dual { v: 0.5, t: 1.0 };
        let y = x.tanh() * x;
        let t = Op::Tanh.apply(0.5, 0.0, 0.0);
        assert_eq!(y.v, t * 0.5);
        assert!((y.t - ((1.0 - t * t) * 0.5 + t)).abs() < 1e-15);
    }
}

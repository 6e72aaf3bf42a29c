//! Operator overloading on [`Var`]. (The functions, `x.tanh()` and the rest, are
//! generated from the op table.)
//!
//! `+ - * /` work between two values and between a value and an `f64` on either side;
//! the compound assignments (`x += y`) rebind the handle to a new value, as Python does.

use crate::engine::graph::Var;
use crate::engine::op::Op;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

macro_rules! binary_ops {
    ($Trait:ident, $method:ident, $Assign:ident, $assign:ident, $op:expr, $var_const:expr, $const_var:expr) => {
        impl<'g> $Trait<Var<'g>> for Var<'g> {
            type Output = Var<'g>;
            #[inline]
            fn $method(self, rhs: Var<'g>) -> Var<'g> {
                self.record2($op, rhs)
            }
        }
        impl<'g> $Trait<f64> for Var<'g> {
            type Output = Var<'g>;
            #[inline]
            fn $method(self, rhs: f64) -> Var<'g> {
                self.record_c($var_const, rhs)
            }
        }
        impl<'g> $Trait<Var<'g>> for f64 {
            type Output = Var<'g>;
            #[inline]
            fn $method(self, rhs: Var<'g>) -> Var<'g> {
                rhs.record_c($const_var, self)
            }
        }
        impl<'g> $Assign<Var<'g>> for Var<'g> {
            #[inline]
            fn $assign(&mut self, rhs: Var<'g>) {
                *self = $Trait::$method(*self, rhs);
            }
        }
        impl<'g> $Assign<f64> for Var<'g> {
            #[inline]
            fn $assign(&mut self, rhs: f64) {
                *self = $Trait::$method(*self, rhs);
            }
        }
    };
}

// `c + x` and `c * x` commute, so they record the same ops as `x + c` and `x * c`.
binary_ops!(
    Add,
    add,
    AddAssign,
    add_assign,
    Op::Add,
    Op::AddConst,
    Op::AddConst
);
binary_ops!(
    Mul,
    mul,
    MulAssign,
    mul_assign,
    Op::Mul,
    Op::MulConst,
    Op::MulConst
);
binary_ops!(
    Div,
    div,
    DivAssign,
    div_assign,
    Op::Div,
    Op::DivConst,
    Op::ConstDiv
);

// `x - c` is recorded as `x + (-c)`, which is the same number in IEEE 754.
impl<'g> Sub<Var<'g>> for Var<'g> {
    type Output = Var<'g>;
    #[inline]
    fn sub(self, rhs: Var<'g>) -> Var<'g> {
        self.record2(Op::Sub, rhs)
    }
}
impl<'g> Sub<f64> for Var<'g> {
    type Output = Var<'g>;
    #[inline]
    fn sub(self, rhs: f64) -> Var<'g> {
        self.record_c(Op::AddConst, -rhs)
    }
}
impl<'g> Sub<Var<'g>> for f64 {
    type Output = Var<'g>;
    #[inline]
    fn sub(self, rhs: Var<'g>) -> Var<'g> {
        rhs.record_c(Op::ConstSub, self)
    }
}
impl<'g> SubAssign<Var<'g>> for Var<'g> {
    #[inline]
    fn sub_assign(&mut self, rhs: Var<'g>) {
        *self = *self - rhs;
    }
}
impl<'g> SubAssign<f64> for Var<'g> {
    #[inline]
    fn sub_assign(&mut self, rhs: f64) {
        *self = *self - rhs;
    }
}

impl<'g> Neg for Var<'g> {
    type Output = Var<'g>;
    #[inline]
    fn neg(self) -> Var<'g> {
        self.record1(Op::Neg)
    }
}

impl<'g> Var<'g> {
    /// The natural logarithm; the same as [`Var::ln`] (micrograd's lecture writes `log`).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// assert_eq!(g.leaf(1.0).log().data(), 0.0);
    /// ```
    pub fn log(self) -> Var<'g> {
        self.ln()
    }
}

//! Operator overloading and the elementary functions as methods on [`Var`].
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
                self.g.check_same(rhs.g);
                self.g.binary($op, self.i, rhs.i)
            }
        }
        impl<'g> $Trait<f64> for Var<'g> {
            type Output = Var<'g>;
            #[inline]
            fn $method(self, rhs: f64) -> Var<'g> {
                self.g.with_const($var_const, self.i, rhs)
            }
        }
        impl<'g> $Trait<Var<'g>> for f64 {
            type Output = Var<'g>;
            #[inline]
            fn $method(self, rhs: Var<'g>) -> Var<'g> {
                rhs.g.with_const($const_var, rhs.i, self)
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
        self.g.check_same(rhs.g);
        self.g.binary(Op::Sub, self.i, rhs.i)
    }
}
impl<'g> Sub<f64> for Var<'g> {
    type Output = Var<'g>;
    #[inline]
    fn sub(self, rhs: f64) -> Var<'g> {
        self.g.with_const(Op::AddConst, self.i, -rhs)
    }
}
impl<'g> Sub<Var<'g>> for f64 {
    type Output = Var<'g>;
    #[inline]
    fn sub(self, rhs: Var<'g>) -> Var<'g> {
        rhs.g.with_const(Op::ConstSub, rhs.i, self)
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
        self.g.unary(Op::Neg, self.i)
    }
}

macro_rules! unary_fns {
    ($($(#[$doc:meta])* $name:ident => $op:expr;)*) => {
        impl<'g> Var<'g> {
            $(
                $(#[$doc])*
                #[inline]
                pub fn $name(self) -> Var<'g> {
                    self.g.unary($op, self.i)
                }
            )*
        }
    };
}

unary_fns! {
    /// `e^x`. Overflows to +infinity past x ≈ 709.78, as IEEE 754 says.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let y = g.leaf(0.0).exp();
    /// y.backward();
    /// assert_eq!((y.data(), y.children()[0].grad()), (1.0, 1.0));
    /// ```
    exp => Op::Exp;
    /// The natural logarithm: NaN below 0, -infinity at 0.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(2.0);
    /// let y = x.ln();
    /// y.backward();
    /// assert_eq!(x.grad(), 0.5);
    /// assert!(g.leaf(-1.0).ln().data().is_nan());
    /// ```
    ln => Op::Ln;
    /// The hyperbolic tangent: `tanh(1000.0)` is exactly 1 with grad 0, no overflow.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(1000.0);
    /// let y = x.tanh();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (1.0, 0.0));
    /// ```
    tanh => Op::Tanh;
    /// The logistic function `1 / (1 + e^-x)`, computed without overflow.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.sigmoid();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (0.5, 0.25));
    /// ```
    sigmoid => Op::Sigmoid;
    /// `max(x, 0)`, with derivative 0 at 0 (as micrograd); NaN stays NaN.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(-2.0);
    /// let y = x.relu();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (0.0, 0.0));
    /// ```
    relu => Op::Relu;
    /// The sine.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// x.sin().backward();
    /// assert_eq!(x.grad(), 1.0);
    /// ```
    sin => Op::Sin;
    /// The cosine.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.cos();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (1.0, -0.0));
    /// ```
    cos => Op::Cos;
    /// The square root: NaN below 0; at 0 the value is 0 and the derivative +infinity.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(4.0);
    /// x.sqrt().backward();
    /// assert_eq!(x.grad(), 0.25);
    /// ```
    sqrt => Op::Sqrt;
    /// The absolute value, with derivative 0 at 0.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(-3.0);
    /// let y = x.abs();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (3.0, -1.0));
    /// ```
    abs => Op::Abs;
}

impl<'g> Var<'g> {
    /// The natural logarithm; the same as [`Var::ln`].
    pub fn log(self) -> Var<'g> {
        self.ln()
    }

    /// This value to a constant power, micrograd's `x ** c`. A negative base to a
    /// fractional power is NaN (never complex).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(3.0);
    /// let y = x.powf(2.0);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (9.0, 6.0));
    /// assert!(g.leaf(-4.0).powf(0.5).data().is_nan());
    /// ```
    #[inline]
    pub fn powf(self, exponent: f64) -> Var<'g> {
        self.g.with_const(Op::PowConst, self.i, exponent)
    }

    /// This value to the power of another value: `d/dx = y·x^(y-1)`,
    /// `d/dy = x^y·ln x` (NaN for a negative base, 0 where `x^y` is 0).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let (x, y) = (g.leaf(2.0), g.leaf(3.0));
    /// let z = x.pow(y);
    /// z.backward();
    /// assert_eq!((z.data(), x.grad()), (8.0, 12.0));
    /// assert!((y.grad() - 8.0 * 2f64.ln()).abs() < 1e-12);
    /// ```
    #[inline]
    pub fn pow(self, exponent: Var<'g>) -> Var<'g> {
        self.g.check_same(exponent.g);
        self.g.binary(Op::Pow, self.i, exponent.i)
    }
}

//! The op table: every operation the engine knows, in one enum.
//!
//! Three exhaustive matches over [`Op`] give everything else: [`Op::apply`] the forward
//! value, [`Op::partials`] the local derivatives, and [`Op::symbol`] / [`Op::name`] the
//! display. Adding an op means adding a variant; the compiler then walks you through the
//! rest.

/// An operation recorded on the tape.
///
/// Unary and binary ops read their operands' values as `x` (first) and `y` (second).
/// The `*Const` ops carry one `f64` constant `c` (the `2.0` in `x * 2.0` or `2.0 - x`).
/// [`Op::Sum`] and [`Op::Dot`] take any number of operands.
///
/// ```
/// use chainrule::{Graph, Op};
/// let g = Graph::new();
/// let x = g.leaf(3.0);
/// assert_eq!((x * x).op(), Op::Mul);
/// assert_eq!((x * 2.0).op(), Op::MulConst);
/// assert_eq!(Op::Mul.symbol(), "*");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    /// A value made by the user, not by an operation.
    Leaf,
    /// `x + y`
    Add,
    /// `x - y`
    Sub,
    /// `x * y`
    Mul,
    /// `x / y`
    Div,
    /// `-x`
    Neg,
    /// `x + c`
    AddConst,
    /// `x * c`
    MulConst,
    /// `c - x`
    ConstSub,
    /// `x / c`
    DivConst,
    /// `c / x`
    ConstDiv,
    /// `x ** c`, a value to a constant power.
    PowConst,
    /// `x ** y`, a value to the power of another value.
    Pow,
    /// `exp(x)`
    Exp,
    /// `ln(x)`, the natural logarithm.
    Ln,
    /// `tanh(x)`
    Tanh,
    /// `sigmoid(x) = 1 / (1 + exp(-x))`
    Sigmoid,
    /// `relu(x) = max(x, 0)`
    Relu,
    /// `sin(x)`
    Sin,
    /// `cos(x)`
    Cos,
    /// `sqrt(x)`
    Sqrt,
    /// `abs(x)`
    Abs,
    /// `x₀ + x₁ + … + xₙ₋₁`, one node for any number of operands.
    Sum,
    /// `x₀·y₀ + x₁·y₁ + …`, a fused dot product of two equally long lists.
    Dot,
}

/// How many operands an op takes, and where they live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// No operands: a leaf.
    Leaf,
    /// One value operand.
    Unary,
    /// One value operand and one constant.
    UnaryConst,
    /// Two value operands.
    Binary,
    /// Any number of value operands.
    Nary,
}

impl Op {
    /// Every op, in declaration order.
    pub const ALL: [Op; 24] = [
        Op::Leaf,
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Neg,
        Op::AddConst,
        Op::MulConst,
        Op::ConstSub,
        Op::DivConst,
        Op::ConstDiv,
        Op::PowConst,
        Op::Pow,
        Op::Exp,
        Op::Ln,
        Op::Tanh,
        Op::Sigmoid,
        Op::Relu,
        Op::Sin,
        Op::Cos,
        Op::Sqrt,
        Op::Abs,
        Op::Sum,
        Op::Dot,
    ];

    /// What operands the op takes.
    ///
    /// ```
    /// use chainrule::{Arity, Op};
    /// assert_eq!(Op::Tanh.arity(), Arity::Unary);
    /// assert_eq!(Op::Pow.arity(), Arity::Binary);
    /// ```
    pub fn arity(self) -> Arity {
        use Op::*;
        match self {
            Leaf => Arity::Leaf,
            Add | Sub | Mul | Div | Pow => Arity::Binary,
            AddConst | MulConst | ConstSub | DivConst | ConstDiv | PowConst => Arity::UnaryConst,
            Neg | Exp | Ln | Tanh | Sigmoid | Relu | Sin | Cos | Sqrt | Abs => Arity::Unary,
            Sum | Dot => Arity::Nary,
        }
    }

    /// A short lowercase name, stable for machine-readable output (`"mul"`, `"tanh"`).
    ///
    /// ```
    /// assert_eq!(chainrule::Op::PowConst.name(), "pow_const");
    /// ```
    pub fn name(self) -> &'static str {
        use Op::*;
        match self {
            Leaf => "leaf",
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Neg => "neg",
            AddConst => "add_const",
            MulConst => "mul_const",
            ConstSub => "const_sub",
            DivConst => "div_const",
            ConstDiv => "const_div",
            PowConst => "pow_const",
            Pow => "pow",
            Exp => "exp",
            Ln => "ln",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Relu => "relu",
            Sin => "sin",
            Cos => "cos",
            Sqrt => "sqrt",
            Abs => "abs",
            Sum => "sum",
            Dot => "dot",
        }
    }

    /// The symbol drawn in an op node, as micrograd draws `+` and `*`. Ops with a
    /// constant show it too; see [`crate::Var::op_label`].
    ///
    /// ```
    /// assert_eq!(chainrule::Op::Add.symbol(), "+");
    /// assert_eq!(chainrule::Op::Tanh.symbol(), "tanh");
    /// ```
    pub fn symbol(self) -> &'static str {
        use Op::*;
        match self {
            Leaf => "",
            Add | AddConst => "+",
            Sub | ConstSub => "-",
            Mul | MulConst => "*",
            Div | DivConst | ConstDiv => "/",
            Neg => "neg",
            PowConst | Pow => "**",
            Exp => "exp",
            Ln => "ln",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Relu => "relu",
            Sin => "sin",
            Cos => "cos",
            Sqrt => "sqrt",
            Abs => "abs",
            Sum => "sum",
            Dot => "dot",
        }
    }

    /// The forward value of a unary, constant or binary op: `x` and `y` are the operands'
    /// values (`y` unused by unary ops) and `c` the constant (unused by the others).
    /// [`Op::Sum`], [`Op::Dot`] and [`Op::Leaf`] return NaN here; the tape computes them.
    ///
    /// IEEE 754 throughout: `ln(-1)` is NaN, `1/0` is infinite, and a negative base to a
    /// fractional power is NaN, never complex.
    ///
    /// ```
    /// use chainrule::Op;
    /// assert_eq!(Op::Mul.apply(2.0, -3.0, 0.0), -6.0);
    /// assert!(Op::PowConst.apply(-4.0, 0.0, 0.5).is_nan());
    /// ```
    #[inline(always)]
    pub fn apply(self, x: f64, y: f64, c: f64) -> f64 {
        use Op::*;
        match self {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            Neg => -x,
            AddConst => x + c,
            MulConst => x * c,
            ConstSub => c - x,
            DivConst => x / c,
            ConstDiv => c / x,
            PowConst => x.powf(c),
            Pow => x.powf(y),
            Exp => x.exp(),
            Ln => x.ln(),
            Tanh => x.tanh(),
            Sigmoid => sigmoid(x),
            // Written out so that NaN stays NaN (f64::max would turn it into 0).
            Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            Sin => x.sin(),
            Cos => x.cos(),
            Sqrt => x.sqrt(),
            Abs => x.abs(),
            Leaf | Sum | Dot => f64::NAN,
        }
    }

    /// The local derivatives `[d out/d x, d out/d y]` of a unary, constant or binary op,
    /// given its operands `x`, `y`, its constant `c` and its own value `out`.
    ///
    /// Where an op has a kink the convention is: relu'(0) = 0 (as micrograd), abs'(0) = 0;
    /// `d(x**c)/dx` is 0 when `c = 0`; `d(x**y)/dy` is 0 where `x**y` is 0.
    /// Elsewhere IEEE 754 decides: `sqrt'(0)` is +infinity and `ln'(0)` is +infinity.
    ///
    /// ```
    /// use chainrule::Op;
    /// assert_eq!(Op::Mul.partials(2.0, -3.0, 0.0, -6.0), [-3.0, 2.0]);
    /// let t = 0.5f64.tanh();
    /// assert_eq!(Op::Tanh.partials(0.5, 0.0, 0.0, t), [1.0 - t * t, 0.0]);
    /// ```
    #[inline(always)]
    pub fn partials(self, x: f64, y: f64, c: f64, out: f64) -> [f64; 2] {
        use Op::*;
        match self {
            Add => [1.0, 1.0],
            Sub => [1.0, -1.0],
            Mul => [y, x],
            Div => [1.0 / y, -x / (y * y)],
            Neg => [-1.0, 0.0],
            AddConst => [1.0, 0.0],
            MulConst => [c, 0.0],
            ConstSub => [-1.0, 0.0],
            DivConst => [1.0 / c, 0.0],
            ConstDiv => [-c / (x * x), 0.0],
            PowConst => [power_rule(x, c), 0.0],
            Pow => [
                power_rule(x, y),
                if out == 0.0 { 0.0 } else { out * x.ln() },
            ],
            Exp => [out, 0.0],
            Ln => [1.0 / x, 0.0],
            Tanh => [1.0 - out * out, 0.0],
            Sigmoid => [out * (1.0 - out), 0.0],
            Relu => [if x > 0.0 { 1.0 } else { 0.0 }, 0.0],
            Sin => [x.cos(), 0.0],
            Cos => [-x.sin(), 0.0],
            Sqrt => [0.5 / out, 0.0],
            Abs => [
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                },
                0.0,
            ],
            Leaf | Sum | Dot => [f64::NAN, f64::NAN],
        }
    }
}

/// `d(x**c)/dx = c·x**(c-1)`, taken as 0 when `c = 0` (so `x**0` has derivative 0 even at
/// `x = 0`, where the formula would give `0·inf`).
#[inline(always)]
fn power_rule(x: f64, c: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        c * x.powf(c - 1.0)
    }
}

/// The logistic function, without overflow for large negative inputs.
#[inline(always)]
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

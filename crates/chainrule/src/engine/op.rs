//! The op table: every operation the engine knows, each defined once, its facts side by
//! side: name and symbol, arity, value, local derivatives (written once and run on plain
//! numbers, on the tape for second order, and with a tangent), the formula `explain`
//! shows, where it is not smooth, and why it can go non-finite.
//!
//! Everything else is generated from this list (see `opmacro.rs` for the fields and what
//! they become): the [`Op`] enum and [`Op::ALL`], the methods on [`Var`], the expression
//! language's functions, the activations of [`crate::nn`], and the lists in the docs and
//! the command's help. `docs/ops.md` is written from it, and the tests iterate over it.
//! To add an op, follow `CONTRIBUTING.md`.

use super::graph::Var;
use super::kernel::Kernel;
use super::opmacro::{call1, call2, call3, k, lift};
use super::real::{Dual, Term};
use super::tanh::tanh as tanh_f64;
use crate::show::mistakes::{Mistake, Slip};

op_table! {
    /// A value made by the user, not by an operation.
    Leaf = leaf { name: "leaf", symbol: "" }

    /// A fixed number that no grad flows into and no check perturbs: what a derivative
    /// that does not depend on anything (`d(2·x)/dx = 2`) is recorded as.
    Const = leaf { name: "const", symbol: "" }

    /// `x + y`
    Add = binary {
        name: "add", symbol: "+",
        value: |x, y| x + y,
        d: |_, _, _| [1.0, 1.0],
        expr: |n| format!("({}+{})", n.x(), n.y()),
        formula: |_, _| "1".into(),
    }

    /// `x - y`
    Sub = binary {
        name: "sub", symbol: "-",
        value: |x, y| x - y,
        d: |_, _, _| [1.0, -1.0],
        expr: |n| format!("({}-{})", n.x(), n.y()),
        formula: |_, slot| if slot == 0 { "1" } else { "-1" }.into(),
    }

    /// `x * y`
    Mul = binary {
        name: "mul", symbol: "*",
        value: |x, y| x * y,
        d: |x, y, _| [y, x],
        expr: |n| format!("({}*{})", n.x(), n.y()),
        formula: |n, slot| if slot == 0 { n.y() } else { n.x() }.into(),
        slips: |x, y, _, _, slot| vec![
            slip(Mistake::WrongFactor, [x, y][slot], "the operand itself, not the other one"),
        ],
    }

    /// `x / y`
    Div = binary {
        name: "div", symbol: "/",
        value: |x, y| x / y,
        d: |x, y, _| [1.0 / y, -x / (y * y)],
        expr: |n| format!("({}/{})", n.x(), n.y()),
        formula: |n, slot| match slot {
            0 => format!("1/{}", n.y()),
            _ => format!("-{}/{}²", n.x(), n.y()),
        },
        slips: |_, _, _, _, slot| match slot {
            0 => Vec::new(),
            _ => vec![slip(Mistake::Quotient, 0.0, "0, the -a/b² part dropped")],
        },
        edge: |_| Some((1, Edge::Pole)),
        why: |x, y, _| (y == 0.0).then(|| format!("division by zero ({x} / 0)")),
        steep: "dividing by a number at or near zero",
    }

    /// `-x`
    Neg = unary {
        name: "neg", symbol: "neg",
        value: |x| -x,
        d: |_, _| -1.0,
        expr: |n| format!("(-{})", n.x()),
        formula: |_, _| "-1".into(),
    }

    /// `x + c`
    AddConst = with_const {
        name: "add_const", symbol: "+",
        value: |x, c| x + c,
        d: |_, _, _| 1.0,
        expr: |n| match n.c {
            c if c < 0.0 => format!("({}-{})", n.x(), fmt_num(-c)),
            _ => format!("({}+{})", n.x(), n.c()),
        },
        formula: |_, _| "1".into(),
    }

    /// `x * c`
    MulConst = with_const {
        name: "mul_const", symbol: "*",
        value: |x, c| x * c,
        d: |_, c, _| c,
        expr: |n| format!("({}*{})", n.x(), n.pc()),
        formula: |n, _| n.c(),
        slips: |x, _, _, _, _| vec![
            slip(Mistake::WrongFactor, x, "the operand itself, not the constant"),
        ],
    }

    /// `c - x`
    ConstSub = with_const {
        name: "const_sub", symbol: "-",
        value: |x, c| c - x,
        d: |_, _, _| -1.0,
        expr: |n| format!("({}-{})", n.c(), n.x()),
        label: |c| format!("{} -", fmt_num(c)),
        formula: |_, _| "-1".into(),
    }

    /// `x / c`
    DivConst = with_const {
        name: "div_const", symbol: "/",
        value: |x, c| x / c,
        d: |_, c, _| 1.0 / c,
        expr: |n| format!("({}/{})", n.x(), n.pc()),
        formula: |n, _| format!("1/{}", n.pc()),
        why: |x, _, c| (c == 0.0).then(|| format!("division by zero ({x} / 0)")),
    }

    /// `c / x`
    ConstDiv = with_const {
        name: "const_div", symbol: "/",
        value: |x, c| c / x,
        d: |x, c, _| -c / (x * x),
        expr: |n| format!("({}/{})", n.c(), n.x()),
        label: |c| format!("{} /", fmt_num(c)),
        formula: |n, _| format!("{}/{}²", fmt_num(-n.c), n.x()),
        slips: |_, _, _, _, _| vec![slip(Mistake::Quotient, 0.0, "0, the -c/x² part dropped")],
        edge: |_| Some((0, Edge::Pole)),
        why: |x, _, c| (x == 0.0).then(|| format!("division by zero ({c} / 0)")),
        steep: "dividing by a number at or near zero",
    }

    /// `e^x`. Overflows to +infinity past x ≈ 709.78, as IEEE 754 says.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let y = g.leaf(0.0).exp();
    /// y.backward();
    /// assert_eq!((y.data(), y.children()[0].grad()), (1.0, 1.0));
    /// ```
    Exp = unary {
        name: "exp", symbol: "exp",
        method: exp,
        call: "exp",
        value: |x| x.exp(),
        d: |_, out| out,
        formula: |n, _| format!("exp({})", n.arg()),
        why: |x, _, _| Some(overflow(&format!("exp({x}) (exp overflows past x ≈ 709.78)"))),
    }

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
    Ln = unary {
        name: "ln", symbol: "ln",
        method: ln,
        call: "ln" | "log",
        value: |x| x.ln(),
        d: |x, _| 1.0 / x,
        formula: |n, _| format!("1/{}", n.x()),
        edge: |_| Some((0, Edge::Domain)),
        why: |x, _, _| Some(if x < 0.0 {
            format!("ln of a negative number (ln({x})); ln is defined for x > 0")
        } else {
            "ln(0) is -infinity; ln is defined for x > 0".to_string()
        }),
        steep: "ln has an infinite slope at 0",
    }

    /// The hyperbolic tangent: `tanh(1000.0)` is exactly 1 with grad 0, no overflow. The
    /// value is the engine's own (`engine/tanh.rs`), within 0.80 ulp of the exact one and
    /// faster than the platform's `f64::tanh` (glibc's is off by up to 2.06 ulp).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(1000.0);
    /// let y = x.tanh();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (1.0, 0.0));
    /// ```
    Tanh = unary {
        name: "tanh", symbol: "tanh",
        method: tanh,
        call: "tanh",
        activation: Tanh,
        value: tanh_f64,
        d: |_, out| 1.0 - out * out,
        formula: |n, _| format!("1 - tanh({})²", n.arg()),
        slips: |_, _, _, out, _| vec![
            slip(Mistake::Sign, 1.0 + out * out, "1 + tanh², the minus lost"),
        ],
    }

    /// The logistic function `1 / (1 + e^-x)`, computed without overflow.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.sigmoid();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (0.5, 0.25));
    /// ```
    Sigmoid = unary {
        name: "sigmoid", symbol: "sigmoid",
        method: sigmoid,
        call: "sigmoid",
        activation: Sigmoid,
        value: sigmoid,
        d: |_, out| out * (1.0 - out),
        formula: |n, _| format!("sigmoid({a})·(1 - sigmoid({a}))", a = n.arg()),
        slips: |_, _, _, out, _| vec![
            slip(Mistake::Sign, out * (1.0 + out), "sigmoid·(1 + sigmoid), the minus lost"),
        ],
    }

    /// `max(x, 0)`, with derivative 0 at 0 (as micrograd); NaN stays NaN. Its derivative
    /// is [`Var::step`], whose own derivative is 0: relu'' = 0.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(-2.0);
    /// let y = x.relu();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (0.0, 0.0));
    /// ```
    Relu = unary {
        name: "relu", symbol: "relu",
        method: relu,
        call: "relu",
        activation: Relu,
        // Written out so that NaN stays NaN (f64::max would turn it into 0).
        value: |x| if x < 0.0 { 0.0 } else { x },
        d: |x, _| x.step(),
        formula: |n, _| format!("[{} > 0]", n.arg()),
        edge: |_| Some((0, Edge::Corner)),
    }

    /// The sine.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// x.sin().backward();
    /// assert_eq!(x.grad(), 1.0);
    /// ```
    Sin = unary {
        name: "sin", symbol: "sin",
        method: sin,
        call: "sin",
        value: |x| x.sin(),
        d: |x, _| x.cos(),
        formula: |n, _| format!("cos({})", n.arg()),
    }

    /// The cosine.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.cos();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (1.0, -0.0));
    /// ```
    Cos = unary {
        name: "cos", symbol: "cos",
        method: cos,
        call: "cos",
        value: |x| x.cos(),
        d: |x, _| -x.sin(),
        formula: |n, _| format!("-sin({})", n.arg()),
    }

    /// The square root: NaN below 0; at 0 the value is 0 and the derivative +infinity.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(4.0);
    /// x.sqrt().backward();
    /// assert_eq!(x.grad(), 0.25);
    /// ```
    Sqrt = unary {
        name: "sqrt", symbol: "sqrt",
        method: sqrt,
        call: "sqrt",
        value: |x| x.sqrt(),
        d: |_, out| 0.5 / out,
        formula: |n, _| format!("1/(2·sqrt({}))", n.arg()),
        edge: |_| Some((0, Edge::Domain)),
        why: |x, _, _| Some(format!(
            "sqrt of a negative number (sqrt({x})); sqrt is defined for x >= 0"
        )),
        steep: "sqrt has an infinite slope at 0",
    }

    /// The absolute value, with derivative 0 at 0. Its derivative is [`Var::sign`].
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(-3.0);
    /// let y = x.abs();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (3.0, -1.0));
    /// ```
    Abs = unary {
        name: "abs", symbol: "abs",
        method: abs,
        call: "abs",
        value: |x| x.abs(),
        d: |x, _| x.sign(),
        formula: |n, _| format!("sign({})", n.arg()),
        edge: |_| Some((0, Edge::Corner)),
    }

    /// The unit step `[x > 0]`: 1 where x > 0, else 0 (NaN gives 0). It is relu's
    /// derivative, and its own derivative is 0 (it jumps at 0).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(2.0);
    /// let d = g.grad(x.relu(), &[x])[0];
    /// assert_eq!(d.op(), chainrule::Op::Step);
    /// assert_eq!((d.data(), x.step().data(), g.leaf(0.0).step().data()), (1.0, 1.0, 0.0));
    /// ```
    Step = unary {
        name: "step", symbol: "step",
        method: step,
        call: "step",
        value: |x| if x > 0.0 { 1.0 } else { 0.0 },
        d: |_, _| 0.0,
        formula: |_, _| "0".into(),
        edge: |_| Some((0, Edge::Jump)),
    }

    /// The sign: 1, -1, or 0 at 0 (NaN gives 0). It is abs's derivative, and its own
    /// derivative is 0 (it jumps at 0).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let s: Vec<f64> = [-2.0, 0.0, 3.0].iter().map(|&v| g.leaf(v).sign().data()).collect();
    /// assert_eq!(s, [-1.0, 0.0, 1.0]);
    /// ```
    Sign = unary {
        name: "sign", symbol: "sign",
        method: sign,
        call: "sign",
        value: |x| if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 },
        d: |_, _| 0.0,
        formula: |_, _| "0".into(),
        edge: |_| Some((0, Edge::Jump)),
    }

    /// `ln(1 + e^x)`, a smooth relu, computed without overflow; its derivative is the
    /// sigmoid.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.softplus();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (2f64.ln(), 0.5));
    /// ```
    Softplus = unary {
        name: "softplus", symbol: "softplus",
        method: softplus,
        call: "softplus",
        activation: Softplus,
        value: |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p(),
        d: |x, _| x.sigmoid(),
        formula: |n, _| format!("sigmoid({})", n.arg()),
    }

    /// `x` where x > 0, else `slope·x`: relu with a small slope below 0. Its derivative is
    /// 1 above 0 and `slope` at and below 0 (as relu'(0) = 0), and its second derivative is 0.
    /// As an `nn` activation the slope is 0.01 (PyTorch's default).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(-2.0);
    /// let y = x.leaky_relu(0.1);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (-0.2, 0.1));
    /// ```
    LeakyRelu = with_const {
        name: "leaky_relu", symbol: "leaky_relu",
        method: leaky_relu(slope),
        call: "leaky_relu",
        activation: LeakyRelu(0.01),
        // Written out so that NaN stays NaN.
        value: |x, c| if x > 0.0 { x } else if x <= 0.0 { c * x } else { x },
        d: |x, c, _| c + (1.0 - c) * x.step(),
        expr: |n| format!(" leaky_relu({}, {})", n.arg(), n.c()),
        label: |c| format!("leaky_relu {}", fmt_num(c)),
        formula: |n, _| format!("[{a} > 0] + {c}·[{a} <= 0]", a = n.arg(), c = n.c()),
        edge: |_| Some((0, Edge::Corner)),
    }

    /// `x ** c`, a value to a constant power (micrograd's `x ** 2`). A negative base to a
    /// fractional power is NaN (never complex); `d(x**c)/dx` is 0 when `c = 0`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(3.0);
    /// let y = x.powf(2.0);
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (9.0, 6.0));
    /// assert!(g.leaf(-4.0).powf(0.5).data().is_nan());
    /// ```
    PowConst = with_const {
        name: "pow_const", symbol: "**",
        method: powf(exponent),
        value: |x, c| x.powf(c),
        d: |x, c, _| if c == 0.0 { k(0.0) } else { c * x.powf(c - 1.0) },
        expr: |n| format!("({}**{})", n.x(), n.pc()),
        formula: |n, _| power_rule_text(n.x(), n.c),
        slips: |x, _, c, _, _| power_slips(x, c),
        edge: |c| (c < 0.0 || c.fract() != 0.0).then_some((0, Edge::Domain)),
        why: |x, _, c| power_why(x, c),
        steep: "a power with an exponent below 1 has an infinite slope at 0",
    }

    /// `x ** y`, a value to the power of another value: `d/dx = y·x^(y-1)`,
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
    Pow = binary {
        name: "pow", symbol: "**",
        method: pow(exponent),
        call: "pow",
        value: |x, y| x.powf(y),
        d: |x, y, out| [
            if y.value() == 0.0 { k(0.0) } else { y * x.pow(y - 1.0) },
            if out.value() == 0.0 { k(0.0) } else { out * x.ln() },
        ],
        expr: |n| format!("({}**{})", n.x(), n.y()),
        formula: |n, slot| match slot {
            0 => format!("{y}·{x}**({y}-1)", x = n.x(), y = n.y()),
            _ => format!("{}**{}·ln({})", n.x(), n.y(), n.arg()),
        },
        slips: |x, y, _, _, slot| if slot == 0 { power_slips(x, y) } else { Vec::new() },
        edge: |_| Some((0, Edge::Domain)),
        why: |x, y, _| power_why(x, y),
        steep: "a power with an exponent below 1 has an infinite slope at 0",
    }

    /// `x₀ + x₁ + … + xₙ₋₁`, one node for any number of operands.
    Sum = nary { name: "sum", symbol: "sum" }

    /// `x₀·y₀ + x₁·y₁ + …`, a fused dot product of two equally long lists.
    Dot = nary { name: "dot", symbol: "dot" }
}

impl Op {
    /// What a learner who makes a catalogued mistake takes the local derivative with
    /// respect to operand `slot` to be, at operands `x`, `y`, constant `c` and value
    /// `out`: the op's own slips from the table (`slips`: a product's wrong operand, a
    /// quotient's dropped part, the power rule's exponent, the minus in 1 - t²), and
    /// two that every op gets from its `d`: the sign flipped, and, where `d` is written
    /// in the op's output, the same formula on its input (tanh' as 1 - x², exp' as x).
    /// Empty for leaves and n-ary ops.
    ///
    /// ```
    /// use chainrule::{Mistake, Op};
    /// let t = 0.5f64.tanh();
    /// let slips = Op::Tanh.slips(0.5, 0.0, 0.0, t, 0);
    /// let local = |m| slips.iter().find(|s| s.mistake == m).map(|s| s.local);
    /// assert_eq!(local(Mistake::InputNotOutput), Some(1.0 - 0.25));
    /// assert_eq!(local(Mistake::Sign), Some(-(1.0 - t * t)));
    /// assert_eq!(Op::Mul.slips(2.0, -3.0, 0.0, -6.0, 0)[1].local, 2.0); // a, not b
    /// ```
    pub fn slips(self, x: f64, y: f64, c: f64, out: f64, slot: usize) -> Vec<Slip> {
        let arity = self.arity();
        if matches!(arity, Arity::Leaf | Arity::Nary) {
            return Vec::new();
        }
        let local = self.partials(x, y, c, out)[slot];
        let mut all = Vec::new();
        if local != 0.0 {
            all.push(slip(Mistake::Sign, -local, "its sign flipped"));
        }
        if arity != Arity::Binary {
            let from_input = self.partials(x, y, c, x)[0];
            if from_input.is_finite() && from_input != local {
                all.push(slip(
                    Mistake::InputNotOutput,
                    from_input,
                    "the op's input put where its output belongs",
                ));
            }
        }
        all.extend(self.table_slips(x, y, c, out, slot));
        all
    }
}

/// A slip of the op table: `mistake` takes the local derivative to be `local`.
fn slip(mistake: Mistake, local: f64, note: &'static str) -> Slip {
    Slip {
        mistake,
        local,
        note,
    }
}

/// The power rule's slips for `x ** c`: the exponent not lowered, or lowered twice.
fn power_slips(x: f64, c: f64) -> Vec<Slip> {
    if c == 0.0 {
        return Vec::new();
    }
    vec![
        slip(
            Mistake::Power,
            c * x.powf(c),
            "c·x**c, the exponent not lowered",
        ),
        slip(
            Mistake::Power,
            c * x.powf(c - 2.0),
            "c·x**(c-2), the exponent lowered twice",
        ),
    ]
}

/// How many operands an op takes, and where they live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// No operands: a leaf or a constant.
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

/// How an op fails to be smooth where one of its operands is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// A kink: continuous, but the slope changes (relu, abs).
    Corner,
    /// A jump in the value (step, sign).
    Jump,
    /// The edge of the op's domain (sqrt, ln, fractional powers).
    Domain,
    /// A pole: division by zero.
    Pole,
}

impl Edge {
    /// The words the gradient check uses: "has a kink where x = 0".
    pub(crate) fn words(self) -> &'static str {
        match self {
            Edge::Corner => "a kink",
            Edge::Jump => "a jump",
            Edge::Domain => "the edge of its domain",
            Edge::Pole => "a pole (division by zero)",
        }
    }
}

/// The names an op's text is written in: its operands' names and its constant.
pub(crate) struct OperandNames<'a> {
    /// The operands' names (`(a*b)` for a stand-in expression); `""` where absent.
    pub names: [&'a str; 2],
    /// The first operand as the sole argument of a function (`a*b`, not `(a*b)`).
    pub arg: &'a str,
    /// The op's constant (0 when it has none).
    pub c: f64,
}

impl OperandNames<'_> {
    /// The first operand's name.
    pub fn x(&self) -> &str {
        self.names[0]
    }

    /// The second operand's name.
    pub fn y(&self) -> &str {
        self.names[1]
    }

    /// The first operand as a function's argument.
    pub fn arg(&self) -> &str {
        self.arg
    }

    /// The constant as written in a formula: `2`, `0.5`, `-3`.
    pub fn c(&self) -> String {
        fmt_num(self.c)
    }

    /// The constant, in parentheses when negative: `x*(-2)`.
    pub fn pc(&self) -> String {
        paren_neg(self.c)
    }
}

/// A number as written in a formula: `2`, `0.5`, `-3`, `1e-12` (the library's one
/// number format).
pub(crate) fn fmt_num(x: f64) -> String {
    crate::io::number::shortest(x)
}

/// A number in a formula, in parentheses when negative: `x*(-2)`.
pub(crate) fn paren_neg(x: f64) -> String {
    if x < 0.0 {
        format!("({})", fmt_num(x))
    } else {
        fmt_num(x)
    }
}

/// `d(x**c)/dx` written out: `3·x**2`, `2·x`, `1`, `0`.
fn power_rule_text(x: &str, c: f64) -> String {
    match c {
        0.0 => "0".to_string(),
        1.0 => "1".to_string(),
        2.0 => format!("2·{x}"),
        _ => format!("{}·{x}**{}", fmt_num(c), paren_neg(c - 1.0)),
    }
}

/// Why `x ** e` is not finite.
fn power_why(x: f64, e: f64) -> Option<String> {
    Some(if x < 0.0 && e.fract() != 0.0 {
        format!("a negative base to a fractional power ({x} ** {e}) has no real value")
    } else if x == 0.0 && e < 0.0 {
        format!("0 to a negative power (0 ** {e}) is a division by zero")
    } else {
        overflow(&format!("{x} ** {e}"))
    })
}

/// `what overflows: ...`, the reason of last resort.
pub(crate) fn overflow(what: &str) -> String {
    format!("{what} overflows: the result is beyond the largest f64 (about 1.8e308)")
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

//! The machinery behind the op table in `op.rs`: one `op_table!` invocation there lists
//! every op, and this macro turns the list into everything that must know the ops.
//!
//! From each entry it generates:
//! - the [`Op`](super::op::Op) variant and [`Op::ALL`](super::op::Op::ALL) (which cannot
//!   miss a variant: both come from the same list);
//! - `name`, `symbol`, `arity`, `apply` (the value) and `partials` (the local derivatives
//!   as numbers);
//! - the local derivatives on the engine's own number types: `partials_term` records
//!   them on the tape (so a gradient can be differentiated again), and `kernel_dual`
//!   (below) carries a tangent (forward-over-reverse Hessian-vector products). All come
//!   from the entry's single `d` closure, instantiated for `f64`, `Term` and `Dual`;
//! - `kernel` and `kernel_dual`: one `match` over the ops that hands a pass (a
//!   [`Kernel`](super::kernel::Kernel): backward, the tangent and reverse sweeps of a
//!   Hessian-vector product) the op's own derivative closure, so every op's arm of the
//!   pass is compiled with its derivative inlined and the op is dispatched once;
//! - the text of the node's expression and of its local derivative (what `explain` shows),
//!   the drawn label, the points where the op is not smooth (for the gradient check), and
//!   the reasons it can go non-finite (for the tracer);
//! - the method on [`Var`](super::graph::Var) (`x.tanh()`), the same method on the engine's
//!   number types, the expression language's function table, and the activations of
//!   [`nn`](crate::nn).
//!
//! The fields of an entry, in this order (only `name` and `symbol` are required):
//!
//! ```text
//! /// Doc comment: goes on the Op variant and on the generated Var method.
//! Variant = kind {          // kind: leaf, unary, with_const, binary or nary
//!     name: "tanh",          // stable machine name (JSON, docs)
//!     symbol: "tanh",        // drawn in the op node
//!     method: tanh,          // Var::tanh(); with_const: `method: leaky_relu(slope)`,
//!                            // binary: `method: pow(exponent)`
//!     call: "tanh",          // the language's function name(s): `call: "ln" | "log"`
//!     activation: Tanh,      // nn::Activation::Tanh; with_const: `LeakyRelu(0.01)`
//!     value: |x| x.tanh(),   // unary |x|, with_const |x, c|, binary |x, y|; plain f64
//!     d: |x, out| 1.0 - out * out,
//!                            // unary |x, out|, with_const |x, c, out|, binary
//!                            // |x, y, out| -> [dx, dy]; written once, run on f64, Term
//!                            // and Dual, so use only + - * / with f64 on either side,
//!                            // the op methods (x.cos(), x.step(), x.powf(c), ...),
//!                            // x.value() in a condition and k(c) for a constant branch
//!     expr: |n| format!("({}*{})", n.x(), n.y()),
//!                            // the node in its operands' names (default: `f(x)`)
//!     label: |c| format!("{c} -"),
//!                            // with_const only: the drawn op label (default `sym c`)
//!     formula: |n, slot| format!("1 - tanh({})²", n.arg()),
//!                            // the local derivative as `explain` writes it
//!     slips: |x, y, c, out, slot| vec![slip(Mistake::Sign, 1.0 + out * out, "…")],
//!                            // a learner's op-specific mistakes with the local
//!                            // derivative (plain f64), for the diagnosis; the generic
//!                            // ones (a lost sign, the input for the output) come from
//!                            // `d` without this field
//!     edge: |c| Some((0, Edge::Corner)),
//!                            // the operand where the op is not smooth at 0, and how
//!     why: |x, y, c| (x < 0.0).then(|| "...".to_string()),
//!                            // why a non-finite value came out (default: overflow)
//!     steep: "sqrt has an infinite slope at 0",
//!                            // why an infinite local derivative can occur
//! }
//! ```

/// See the module documentation.
macro_rules! op_table {
    ($(
        $(#[$doc:meta])*
        $V:ident = $kind:ident {
            name: $name:literal,
            symbol: $symbol:literal
            $(, method: $method:ident $(($param:ident))?)?
            $(, call: $call:literal $(| $alias:literal)*)?
            $(, activation: $act:ident $(($act_c:expr))?)?
            $(, value: $value:expr)?
            $(, d: $d:expr)?
            $(, expr: $expr:expr)?
            $(, label: $label:expr)?
            $(, formula: $formula:expr)?
            $(, slips: $slips:expr)?
            $(, edge: $edge:expr)?
            $(, why: $why:expr)?
            $(, steep: $steep:literal)?
            $(,)?
        }
    )*) => {
        /// An operation recorded on the tape: one entry of the op table (`engine/op.rs`),
        /// where each op's value, local derivatives, text and edge cases are defined
        /// together.
        ///
        /// Unary and binary ops read their operands' values as `x` (first) and `y`
        /// (second). The `*Const` ops and [`Op::LeakyRelu`] carry one `f64` constant `c`
        /// (the `2.0` in `x * 2.0` or `2.0 - x`). [`Op::Sum`] and [`Op::Dot`] take any
        /// number of operands.
        ///
        /// ```
        /// use chainrule::{Graph, Op};
        /// let g = Graph::new();
        /// let x = g.leaf(3.0);
        /// assert_eq!((x * x).op(), Op::Mul);
        /// assert_eq!((x * 2.0).op(), Op::MulConst);
        /// assert_eq!(Op::Mul.symbol(), "*");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Op {
            $( $(#[$doc])* $V, )*
        }

        impl Op {
            /// Every op, in the table's order (generated from the table, so none is
            /// missing).
            pub const ALL: [Op; [$(stringify!($V)),*].len()] = [$(Op::$V),*];

            /// A short lowercase name, stable for machine-readable output (`"mul"`,
            /// `"tanh"`).
            ///
            /// ```
            /// assert_eq!(chainrule::Op::PowConst.name(), "pow_const");
            /// ```
            pub fn name(self) -> &'static str {
                match self { $(Op::$V => $name,)* }
            }

            /// The op called `name` (as [`Op::name`] writes it).
            ///
            /// ```
            /// assert_eq!(chainrule::Op::from_name("tanh"), Some(chainrule::Op::Tanh));
            /// assert_eq!(chainrule::Op::from_name("gelu"), None);
            /// ```
            pub fn from_name(name: &str) -> Option<Op> {
                Op::ALL.into_iter().find(|op| op.name() == name)
            }

            /// The symbol drawn in an op node, as micrograd draws `+` and `*`. Ops with
            /// a constant show it too; see [`crate::Var::op_label`].
            ///
            /// ```
            /// assert_eq!(chainrule::Op::Add.symbol(), "+");
            /// assert_eq!(chainrule::Op::Tanh.symbol(), "tanh");
            /// ```
            pub fn symbol(self) -> &'static str {
                match self { $(Op::$V => $symbol,)* }
            }

            /// What operands the op takes.
            ///
            /// ```
            /// use chainrule::{Arity, Op};
            /// assert_eq!(Op::Tanh.arity(), Arity::Unary);
            /// assert_eq!(Op::Pow.arity(), Arity::Binary);
            /// ```
            pub fn arity(self) -> Arity {
                match self { $(Op::$V => op_table!(@arity $kind),)* }
            }

            /// The name of the method on [`Var`](crate::Var) that records this op
            /// (`"tanh"` for [`Var::tanh`](crate::Var::tanh)), if it has one; operators
            /// such as `+` and `*` record the others.
            pub fn method(self) -> Option<&'static str> {
                match self { $(Op::$V => op_table!(@opt $(stringify!($method))?),)* }
            }

            /// The names the expression language calls this op by (`["ln", "log"]`);
            /// empty for ops written with an operator or made by the engine.
            pub fn calls(self) -> &'static [&'static str] {
                match self { $(Op::$V => &[$($call $(, $alias)*)?],)* }
            }

            /// The forward value of a unary, constant or binary op: `x` and `y` are the
            /// operands' values (`y` unused by unary ops) and `c` the constant (unused by
            /// the others). [`Op::Sum`], [`Op::Dot`], [`Op::Leaf`] and [`Op::Const`]
            /// return NaN here; the tape computes or holds them.
            ///
            /// IEEE 754 throughout: `ln(-1)` is NaN, `1/0` is infinite, and a negative
            /// base to a fractional power is NaN, never complex.
            ///
            /// ```
            /// use chainrule::Op;
            /// assert_eq!(Op::Mul.apply(2.0, -3.0, 0.0), -6.0);
            /// assert!(Op::PowConst.apply(-4.0, 0.0, 0.5).is_nan());
            /// ```
            #[inline(always)]
            #[allow(unused_variables)]
            pub fn apply(self, x: f64, y: f64, c: f64) -> f64 {
                match self { $(Op::$V => op_table!(@value $kind, x, y, c $(, $value)?),)* }
            }

            /// The local derivatives `[d out/d x, d out/d y]` of a unary, constant or
            /// binary op, given its operands `x`, `y`, its constant `c` and its own value
            /// `out` (the second entry is 0 for one operand).
            ///
            /// Where an op has a kink the convention is: relu'(0) = 0 (as micrograd),
            /// abs'(0) = 0; `d(x**c)/dx` is 0 when `c = 0`; `d(x**y)/dy` is 0 where `x**y`
            /// is 0. Elsewhere IEEE 754 decides: `sqrt'(0)` is +infinity and `ln'(0)` is
            /// +infinity.
            ///
            /// ```
            /// use chainrule::Op;
            /// assert_eq!(Op::Mul.partials(2.0, -3.0, 0.0, -6.0), [-3.0, 2.0]);
            /// let t = 0.5f64.tanh();
            /// assert_eq!(Op::Tanh.partials(0.5, 0.0, 0.0, t), [1.0 - t * t, 0.0]);
            /// ```
            #[inline(always)]
            #[allow(unused_variables)]
            pub fn partials(self, x: f64, y: f64, c: f64, out: f64) -> [f64; 2] {
                match self { $(Op::$V => op_table!(@d $kind, f64, x, y, c, out $(, $d)?),)* }
            }

            /// [`Op::partials`] recorded on the tape, so that they can be differentiated
            /// again.
            #[inline]
            #[allow(unused_variables)]
            pub(crate) fn partials_term<'g>(
                self,
                x: Term<'g>,
                y: Term<'g>,
                c: f64,
                out: Term<'g>,
            ) -> [Term<'g>; 2] {
                match self {
                    $(Op::$V => op_table!(@d $kind, Term<'g>, x, y, c, out $(, $d)?),)*
                }
            }

            /// Runs kernel `k` on this op: calls the method of the op's kind with the op's
            /// own local derivative on `f64`, so that the match on the op is the only
            /// dispatch and each op's arm is compiled with its derivative inlined.
            #[inline(always)]
            pub(crate) fn kernel<K: Kernel<f64>>(self, k: K) -> K::Out {
                match self { $(Op::$V => op_table!(@kernel $kind, f64, k, Op::$V $(, $d)?),)* }
            }

            /// [`Op::kernel`] with the local derivative on [`Dual`] numbers.
            #[inline(always)]
            pub(crate) fn kernel_dual<K: Kernel<Dual>>(self, k: K) -> K::Out {
                match self { $(Op::$V => op_table!(@kernel $kind, Dual, k, Op::$V $(, $d)?),)* }
            }

            /// The node written in its operands' names: `(a*b)`, ` tanh(n)` (functions
            /// start with a space, so `d tanh(n)/dn` reads as the notebook writes it).
            /// Not for leaves, constants or n-ary ops.
            pub(crate) fn expr_text(self, n: &OperandNames<'_>) -> String {
                match self {
                    $(Op::$V => op_table!(@expr n, $symbol $(, $expr)?),)*
                }
            }

            /// The drawn label of an op with a constant `c` (`* 2`, `2 -`).
            #[allow(unused_variables)]
            pub(crate) fn label_text(self, c: f64) -> String {
                match self {
                    $(Op::$V => op_table!(@label c, $symbol $(, $label)?),)*
                }
            }

            /// The local derivative with respect to operand `slot` as a formula in the
            /// operands' names, the right-hand side of `d tanh(n)/dn = 1 - tanh(n)²`.
            /// Not for leaves, constants or n-ary ops.
            #[allow(unused_variables)]
            pub(crate) fn formula_text(self, n: &OperandNames<'_>, slot: usize) -> String {
                match self {
                    $(Op::$V => op_table!(@call2 n, slot $(, $formula)?),)*
                }
            }

            /// The op's own catalogued mistakes with its local derivative with respect to
            /// operand `slot`, at operands `x`, `y`, constant `c` and value `out` (the
            /// table's `slips`); [`Op::slips`] adds the generic ones.
            #[allow(unused_variables)]
            pub(crate) fn table_slips(
                self,
                x: f64,
                y: f64,
                c: f64,
                out: f64,
                slot: usize,
            ) -> Vec<Slip> {
                match self {
                    $(Op::$V => op_table!(@slips x, y, c, out, slot $(, $slips)?),)*
                }
            }

            /// The operand at which the op is not smooth where that operand is 0, and in
            /// which way, given the op's constant `c`.
            #[allow(unused_variables)]
            pub(crate) fn edge(self, c: f64) -> Option<(usize, Edge)> {
                match self { $(Op::$V => op_table!(@call1 c $(, $edge)?),)* }
            }

            /// Where the op is not smooth: the operand (slot 0 or 1) at whose 0 it has a kink,
            /// a jump, the edge of its domain or a pole, in words, given the op's constant
            /// `c`. The gradient check reports a step that reaches such a point as a kink,
            /// not a failure.
            ///
            /// ```
            /// use chainrule::Op;
            /// assert_eq!(Op::Relu.not_smooth(0.0), Some((0, "a kink")));
            /// assert_eq!(Op::Div.not_smooth(0.0), Some((1, "a pole (division by zero)")));
            /// assert_eq!(Op::PowConst.not_smooth(2.0), None);
            /// assert_eq!(Op::Mul.not_smooth(0.0), None);
            /// ```
            pub fn not_smooth(self, c: f64) -> Option<(usize, &'static str)> {
                self.edge(c).map(|(slot, edge)| (slot, edge.words()))
            }

            /// Why the op gave a non-finite value from finite operands `x`, `y` and
            /// constant `c`, when the op knows a reason beyond overflow.
            #[allow(unused_variables)]
            pub(crate) fn why_not_finite(self, x: f64, y: f64, c: f64) -> Option<String> {
                match self { $(Op::$V => op_table!(@call3 x, y, c $(, $why)?),)* }
            }

            /// Why the op's local derivative can be infinite, if it can.
            pub(crate) fn steep_note(self) -> Option<&'static str> {
                match self { $(Op::$V => op_table!(@opt $($steep)?),)* }
            }
        }

        impl<'g> Var<'g> {
            $( op_table!(@method $kind, $V, [$($method $(($param))?)?], [$(#[$doc])*]); )*
        }

        /// The numbers the table's derivative closures run on: `f64` (backward), `Term`
        /// (recorded on the tape) and `Dual` (with a tangent). Each implements the three
        /// primitives; every op method comes from the table.
        pub(crate) trait Real: Copy + From<f64> {
            /// The number's value (for conditions such as `x.value() == 0.0`).
            fn value(self) -> f64;
            /// A unary op on this number.
            fn apply1(self, op: Op) -> Self;
            /// An op on this number and the constant `c`.
            fn apply_c(self, op: Op, c: f64) -> Self;
            /// A binary op on this number and `y`.
            fn apply2(self, op: Op, y: Self) -> Self;
            $( op_table!(@real $kind, $V, [$($method $(($param))?)?]); )*
        }

        /// The non-linearity a neuron applies to its weighted sum: the table's ops marked
        /// as activations, and the identity.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Activation {
            $( $(
                #[doc = concat!("`", $name, "`: see [`Op::", stringify!($V), "`].")]
                $act,
            )? )*
            /// The identity: the weighted sum itself.
            Linear,
        }

        impl Activation {
            /// Every activation, the identity last.
            pub const ALL: [Activation; [$( $(stringify!($act),)? )* "Linear"].len()] =
                [$( $(Activation::$act,)? )* Activation::Linear];

            /// The op this activation records and its constant (`None` for the identity).
            ///
            /// ```
            /// use chainrule::{nn::Activation, Op};
            /// assert_eq!(Activation::Tanh.op(), Some((Op::Tanh, 0.0)));
            /// assert_eq!(Activation::Linear.op(), None);
            /// ```
            pub fn op(self) -> Option<(Op, f64)> {
                match self {
                    $( $( Activation::$act => Some((Op::$V, op_table!(@or0 $($act_c)?))), )? )*
                    Activation::Linear => None,
                }
            }
        }
    };

    (@arity leaf) => { Arity::Leaf };
    (@arity unary) => { Arity::Unary };
    (@arity with_const) => { Arity::UnaryConst };
    (@arity binary) => { Arity::Binary };
    (@arity nary) => { Arity::Nary };

    (@opt) => { None };
    (@opt $e:expr) => { Some($e) };
    (@or0) => { 0.0 };
    (@or0 $e:expr) => { $e };

    (@value $kind:ident, $x:ident, $y:ident, $c:ident) => { f64::NAN };
    (@value unary, $x:ident, $y:ident, $c:ident, $f:expr) => { call1::<f64, f64>($f, $x) };
    (@value with_const, $x:ident, $y:ident, $c:ident, $f:expr) => {
        call2::<f64, f64, f64>($f, $x, $c)
    };
    (@value binary, $x:ident, $y:ident, $c:ident, $f:expr) => {
        call2::<f64, f64, f64>($f, $x, $y)
    };

    (@d $kind:ident, $T:ty, $x:ident, $y:ident, $c:ident, $out:ident) => {
        [<$T>::from(f64::NAN), <$T>::from(f64::NAN)]
    };
    (@d unary, $T:ty, $x:ident, $y:ident, $c:ident, $out:ident, $f:expr) => {
        [lift::<$T, _>(call2::<$T, $T, _>($f, $x, $out)), <$T>::from(0.0)]
    };
    (@d with_const, $T:ty, $x:ident, $y:ident, $c:ident, $out:ident, $f:expr) => {
        [lift::<$T, _>(call3::<$T, f64, $T, _>($f, $x, $c, $out)), <$T>::from(0.0)]
    };
    (@d binary, $T:ty, $x:ident, $y:ident, $c:ident, $out:ident, $f:expr) => {{
        let [dx, dy] = call3::<$T, $T, $T, _>($f, $x, $y, $out);
        [lift::<$T, _>(dx), lift::<$T, _>(dy)]
    }};

    (@kernel leaf, $T:ty, $k:ident, $op:expr) => { $k.leaf() };
    (@kernel nary, $T:ty, $k:ident, $op:expr) => { $k.nary($op) };
    (@kernel unary, $T:ty, $k:ident, $op:expr, $f:expr) => {
        $k.unary($op, |x: $T, out: $T| lift::<$T, _>(call2::<$T, $T, _>($f, x, out)))
    };
    (@kernel with_const, $T:ty, $k:ident, $op:expr, $f:expr) => {
        $k.with_const($op, |x: $T, c: f64, out: $T| {
            lift::<$T, _>(call3::<$T, f64, $T, _>($f, x, c, out))
        })
    };
    (@kernel binary, $T:ty, $k:ident, $op:expr, $f:expr) => {
        $k.binary($op, |x: $T, y: $T, out: $T| {
            let [dx, dy] = call3::<$T, $T, $T, _>($f, x, y, out);
            [lift::<$T, _>(dx), lift::<$T, _>(dy)]
        })
    };

    (@expr $n:ident, $symbol:literal) => { format!(" {}({})", $symbol, $n.arg()) };
    (@expr $n:ident, $symbol:literal, $f:expr) => { call1::<&OperandNames<'_>, String>($f, $n) };
    (@label $c:ident, $symbol:literal) => { format!("{} {}", $symbol, fmt_num($c)) };
    (@label $c:ident, $symbol:literal, $f:expr) => { call1::<f64, String>($f, $c) };

    (@slips $x:ident, $y:ident, $c:ident, $out:ident, $slot:ident) => { Vec::new() };
    (@slips $x:ident, $y:ident, $c:ident, $out:ident, $slot:ident, $f:expr) => {{
        let f: fn(f64, f64, f64, f64, usize) -> Vec<Slip> = $f;
        f($x, $y, $c, $out, $slot)
    }};

    (@call1 $a:ident) => { None };
    (@call1 $a:ident, $f:expr) => { call1($f, $a) };
    (@call2 $a:ident, $b:ident) => { String::new() };
    (@call2 $a:ident, $b:ident, $f:expr) => { call2::<&OperandNames<'_>, usize, String>($f, $a, $b) };
    (@call3 $a:ident, $b:ident, $c:ident) => { None };
    (@call3 $a:ident, $b:ident, $c:ident, $f:expr) => { call3($f, $a, $b, $c) };

    (@method $kind:ident, $V:ident, [], [$(#[$doc:meta])*]) => {};
    (@method unary, $V:ident, [$m:ident], [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[inline]
        pub fn $m(self) -> Var<'g> {
            self.record1(Op::$V)
        }
    };
    (@method with_const, $V:ident, [$m:ident ($p:ident)], [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[inline]
        pub fn $m(self, $p: f64) -> Var<'g> {
            self.record_c(Op::$V, $p)
        }
    };
    (@method binary, $V:ident, [$m:ident ($p:ident)], [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[inline]
        pub fn $m(self, $p: Var<'g>) -> Var<'g> {
            self.record2(Op::$V, $p)
        }
    };

    (@real $kind:ident, $V:ident, []) => {};
    (@real unary, $V:ident, [$m:ident]) => {
        #[doc = concat!("[`Op::", stringify!($V), "`] on this number.")]
        #[allow(dead_code)] // every op is available to the derivative closures
        #[inline(always)]
        fn $m(self) -> Self {
            self.apply1(Op::$V)
        }
    };
    (@real with_const, $V:ident, [$m:ident ($p:ident)]) => {
        #[doc = concat!("[`Op::", stringify!($V), "`] on this number.")]
        #[allow(dead_code)] // every op is available to the derivative closures
        #[inline(always)]
        fn $m(self, $p: f64) -> Self {
            self.apply_c(Op::$V, $p)
        }
    };
    (@real binary, $V:ident, [$m:ident ($p:ident)]) => {
        #[doc = concat!("[`Op::", stringify!($V), "`] on this number.")]
        #[allow(dead_code)] // every op is available to the derivative closures
        #[inline(always)]
        fn $m(self, $p: Self) -> Self {
            self.apply2(Op::$V, $p)
        }
    };
}

/// Calls `f` with one argument, fixing the closure's parameter type.
#[inline(always)]
pub(crate) fn call1<A, R>(f: impl Fn(A) -> R, a: A) -> R {
    f(a)
}

/// Calls `f` with two arguments, fixing the closure's parameter types.
#[inline(always)]
pub(crate) fn call2<A, B, R>(f: impl Fn(A, B) -> R, a: A, b: B) -> R {
    f(a, b)
}

/// Calls `f` with three arguments, fixing the closure's parameter types.
#[inline(always)]
pub(crate) fn call3<A, B, C, R>(f: impl Fn(A, B, C) -> R, a: A, b: B, c: C) -> R {
    f(a, b, c)
}

/// A derivative closure's result as the number type it runs on: a constant such as `1.0`
/// becomes that type's constant.
#[inline(always)]
pub(crate) fn lift<T, A: Into<T>>(a: A) -> T {
    a.into()
}

/// A constant in a derivative closure's branch: `if c == 0.0 { k(0.0) } else { ... }`.
#[inline(always)]
pub(crate) fn k<T: From<f64>>(c: f64) -> T {
    T::from(c)
}

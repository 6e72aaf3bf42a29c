//! The expression language: small programs in, values on a [`Graph`] out.
//!
//! ```text
//! a = 2; b = -3; c = 10    # a name bound to a plain number is a leaf
//! e = a*b
//! d = e + c
//! f = -2
//! L = d*f                  # the output: the last statement, unless --of says
//! a.grad = -2 * -3         # a gradient derived by hand, for `chainrule check`
//! ```
//!
//! - Statements are one per line or separated by `;`; `#` starts a comment.
//! - Numbers (`2`, `-3.5`, `.5`, `1e-3`), names (letters, digits, `_`), `+ - * /`, `**`
//!   and `^` for power (right-associative, binding tighter than unary minus:
//!   `-x**2` is `-(x**2)`), parentheses, and calls of the op table's functions
//!   ([`functions`]: `tanh(x)`, `exp(x)`, `pow(x, y)`, ...; an op with a constant takes it
//!   as a number, `leaky_relu(x, 0.01)`).
//! - `grad(L, a)` is dL/da as a value on the tape: it can be used, drawn, explained and
//!   differentiated again (`d2 = grad(grad(y, x), x)`).
//! - `x = expr` binds a name; `x += expr` (and `-= *= /= **=`) rebinds it to a new value,
//!   as Python does. `x.grad = expr` sets a grad by hand; on its right, names stand for
//!   their plain numbers and `y.grad` for grads set so far, so the chain rule can be
//!   written out (`a.grad = b * e.grad`). `x.data` and `x.grad` are plain numbers
//!   anywhere, as in Python.
//!
//! How a program maps onto the engine:
//! - A sub-expression without names folds to a number (`2*3` is `6`); a name bound to a
//!   number is a leaf labelled with the name.
//! - A number next to a value uses the engine's constant ops: `2*x` records `x * 2`,
//!   `x**3` records `powf(3)`, `1 - x` records `1 -`. Only `2**x` has no constant op: its
//!   base becomes an unnamed leaf.
//! - A new value is labelled with the name it is bound to; `b = a` binds `b` to the same
//!   value, which keeps the label `a`. When a name is rebound, the value it had keeps the
//!   name with a subscript version, so every node stays distinguishable: after
//!   `c = a + b; c += 1` the values are labelled `c₁` and `c`.
//!
//! ```
//! use chainrule::{Graph, lang::{EvalOptions, Program}};
//! let program = Program::parse(chainrule::lang::NOTEBOOK).unwrap();
//! let g = Graph::new();
//! let run = program.eval(&g, &EvalOptions::default()).unwrap();
//! run.output.backward();
//! assert_eq!(run.output.data(), -8.0);
//! assert_eq!(run.get("a").unwrap().grad(), 6.0);
//! assert_eq!(run.hand_grads.len(), 7);
//! assert!(run.hand_grads.iter().all(|h| h.value == h.var.grad()));
//! ```
//!
//! Bad input never panics and never recurses without bound: every error is a
//! [`LangError`] naming the line and column, with advice.

mod error;
mod eval;
mod lexer;
mod micrograd;
mod parser;

pub use error::{ErrorKind, LangError};
pub use parser::MAX_DEPTH;

use crate::{Graph, Limits, Var};

/// The functions a program can call, in the op table's order (each op's
/// [`calls`](crate::Op::calls)), then `grad`.
///
/// ```
/// let f = chainrule::lang::functions();
/// assert!(f.contains(&"tanh") && f.contains(&"log") && f.contains(&"pow"));
/// assert_eq!(f.last(), Some(&"grad"));
/// ```
pub fn functions() -> Vec<&'static str> {
    parser::funcs().map(|f| f.name).collect()
}

/// The notebook's program (manual backprop, part 2): `L = (a*b + c) * f`, with the
/// gradients derived by hand, node by node, as the notebook does.
pub const NOTEBOOK: &str = "\
# The notebook: L = (a*b + c) * f
a = 2; b = -3; c = 10
e = a*b
d = e + c
f = -2
L = d*f

# The chain rule by hand, from L back to the leaves (`chainrule check` verifies it).
L.grad = 1
d.grad = f * L.grad    # dL/dd = f
f.grad = d * L.grad    # dL/df = d
c.grad = d.grad        # + passes the grad on unchanged
e.grad = d.grad
a.grad = b * e.grad    # de/da = b
b.grad = a * e.grad    # de/db = a
";

/// A parsed program, ready to evaluate on a graph.
///
/// ```
/// let p = chainrule::lang::Program::parse("x = 3\ny = x**2 + 1").unwrap();
/// assert_eq!(p.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Program {
    src: String,
    ast: parser::Ast,
}

/// Options for [`Program::eval`]: leaf overrides, the choice of output, and the bounds.
///
/// ```
/// use chainrule::{Graph, lang::{EvalOptions, Program}};
/// let p = Program::parse("a = 2\nb = a*3\nc = b + 1").unwrap();
/// let opts = EvalOptions { sets: vec![("a".into(), 10.0)], of: Some("b".into()), ..Default::default() };
/// let g = Graph::new();
/// let run = p.eval(&g, &opts).unwrap();
/// assert_eq!((run.output.data(), run.output_name.as_deref()), (30.0, Some("b")));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalOptions {
    /// `(name, value)`: every binding of `name` to a plain number uses `value` instead.
    /// The name must be bound to a number somewhere in the program.
    pub sets: Vec<(String, f64)>,
    /// The name whose last value is the output, instead of the last statement's.
    pub of: Option<String>,
    /// The bounds evaluation is held to while it works: `values` and `grad_depth`
    /// ([`Limits::LOCAL`] by default; [`Limits::PAGE`] for programs from anyone).
    pub limits: Limits,
}

/// A binding made while evaluating: the name, its value and the line.
#[derive(Clone, Debug)]
pub struct Binding<'g> {
    /// The name bound.
    pub name: String,
    /// The value it was bound to.
    pub var: Var<'g>,
    /// The 1-based line of the statement.
    pub line: usize,
}

/// A grad set by hand with `name.grad = value`.
#[derive(Clone, Debug)]
pub struct HandGrad<'g> {
    /// The name whose grad was set.
    pub name: String,
    /// The value the name was bound to at that line.
    pub var: Var<'g>,
    /// The grad set.
    pub value: f64,
    /// The 1-based line of the statement.
    pub line: usize,
}

/// A derivative `grad(L, a)` evaluated in a program: dL/da, recorded on the tape.
#[derive(Clone, Debug)]
pub struct Derivative<'g> {
    /// `L`, the value differentiated.
    pub of: Var<'g>,
    /// `a`, the value it is differentiated with respect to.
    pub wrt: Var<'g>,
    /// dL/da as a value on the tape.
    pub value: Var<'g>,
    /// The 1-based line of the statement.
    pub line: usize,
}

/// The result of [`Program::eval`]: the output and every binding and hand-set grad.
#[derive(Clone, Debug)]
pub struct Evaluated<'g> {
    /// The output: the value of the last statement that computes one, or of `--of`.
    pub output: Var<'g>,
    /// The output's name, when it is a name (`L = ...`, a bare `L`, or `--of L`).
    pub output_name: Option<String>,
    /// Every binding, in program order (a rebound name appears once per binding).
    pub bindings: Vec<Binding<'g>>,
    /// Every hand-set grad, in program order. Evaluation also sets it on the value, as
    /// the notebook does; a later [`Var::backward`] replaces it with the computed grad.
    pub hand_grads: Vec<HandGrad<'g>>,
    /// Every `grad(L, a)` evaluated, in program order.
    pub derivatives: Vec<Derivative<'g>>,
}

impl Program {
    /// Parses a program.
    ///
    /// ```
    /// use chainrule::lang::{ErrorKind, Program};
    /// let err = Program::parse("a = (2 + 3").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnbalancedParen);
    /// assert_eq!(err.line_col(), Some((1, 5)));
    /// ```
    pub fn parse(src: &str) -> Result<Program, LangError> {
        let ast = parser::parse(src)?;
        Ok(Program {
            src: src.to_string(),
            ast,
        })
    }

    /// Parses a program from raw bytes: a NUL byte (a binary file) or bytes that are not
    /// UTF-8 are errors naming the line and column where they are. To render such an
    /// error, pass `String::from_utf8_lossy(bytes)` as the source.
    ///
    /// ```
    /// use chainrule::lang::{ErrorKind, Program};
    /// let err = Program::parse_bytes(b"a = 2\nb = \xff").unwrap_err();
    /// assert_eq!((err.kind(), err.line_col()), (ErrorKind::InvalidUtf8, Some((2, 5))));
    /// ```
    pub fn parse_bytes(bytes: &[u8]) -> Result<Program, LangError> {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            return Err(LangError::at(
                ErrorKind::BinaryInput,
                bytes,
                at..at + 1,
                "this is a binary file, not a program (it has a NUL byte)".into(),
            )
            .help("give a text file of statements such as `a = 2; b = a*3`"));
        }
        match std::str::from_utf8(bytes) {
            Ok(src) => Program::parse(src),
            Err(e) => {
                let at = e.valid_up_to();
                let len = e.error_len().unwrap_or(bytes.len() - at).max(1);
                Err(LangError::at(
                    ErrorKind::InvalidUtf8,
                    bytes,
                    at..at + len,
                    format!("the input is not valid UTF-8 (byte {at})"),
                )
                .help("save the program as UTF-8 text"))
            }
        }
    }

    /// How many statements the program has.
    pub fn len(&self) -> usize {
        self.ast.stmts.len()
    }

    /// Whether the program has no statements (never true of a parsed program).
    pub fn is_empty(&self) -> bool {
        self.ast.stmts.is_empty()
    }

    /// The source text the program was parsed from.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Runs the program on `g`, recording every value it computes. Time and memory are
    /// linear in the values it makes, which [`EvalOptions::limits`] bounds while they
    /// are made.
    ///
    /// Errors: a name unknown or used before it is bound (with a suggestion), a `--set`
    /// name that is unknown or not a leaf, an `--of` name that is unknown; more values
    /// than [`Limits::values`] or a derivative of a higher order than
    /// [`Limits::grad_depth`], at the line and column where the bound is passed.
    ///
    /// ```
    /// use chainrule::{Graph, lang::Program};
    /// let p = Program::parse("x = -4\nz = 2*x + 2 + x\ny = relu(z) + z*x").unwrap();
    /// let g = Graph::new();
    /// let run = p.eval(&g, &Default::default()).unwrap();
    /// run.output.backward();
    /// assert_eq!(run.output.data(), 40.0);
    /// assert_eq!(run.get("x").unwrap().grad(), -22.0);
    /// ```
    pub fn eval<'g>(&self, g: &'g Graph, opts: &EvalOptions) -> Result<Evaluated<'g>, LangError> {
        eval::eval(self, g, opts, &mut || Ok(()))
    }

    /// As [`Program::eval`], asking `check` before every statement and every `grad()`
    /// whether to go on: `Err(reason)` stops evaluation with an
    /// [`ErrorKind::Stopped`] error at that place, whose message gives `reason`. This is
    /// how a transport imposes a time limit or a cancellation: the library has no clock.
    /// The work between two checks is bounded by [`Limits::values`].
    ///
    /// ```
    /// use chainrule::{Graph, lang::{ErrorKind, Program}};
    /// let p = Program::parse("a = 2\nb = a*3\nc = b + 1").unwrap();
    /// let mut statements = 0;
    /// let mut check = || {
    ///     statements += 1;
    ///     if statements > 2 { Err("the 2 s time limit ran out".to_string()) } else { Ok(()) }
    /// };
    /// let err = p.eval_checked(&Graph::new(), &Default::default(), &mut check).unwrap_err();
    /// assert_eq!((err.kind(), err.line_col()), (ErrorKind::Stopped, Some((3, 1))));
    /// assert!(err.message().contains("the 2 s time limit ran out"));
    /// ```
    pub fn eval_checked<'g>(
        &self,
        g: &'g Graph,
        opts: &EvalOptions,
        check: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<Evaluated<'g>, LangError> {
        eval::eval(self, g, opts, check)
    }
}

impl<'g> Evaluated<'g> {
    /// The last value bound to `name`.
    pub fn get(&self, name: &str) -> Option<Var<'g>> {
        self.bindings
            .iter()
            .rev()
            .find(|b| b.name == name)
            .map(|b| b.var)
    }

    /// Each name with its last value, in the order the names were first bound.
    ///
    /// ```
    /// use chainrule::{Graph, lang::Program};
    /// let p = Program::parse("c = 1\nd = c*2\nc += d").unwrap();
    /// let g = Graph::new();
    /// let run = p.eval(&g, &Default::default()).unwrap();
    /// let names: Vec<(&str, f64)> = run.names().iter().map(|(n, v)| (*n, v.data())).collect();
    /// assert_eq!(names, [("c", 3.0), ("d", 2.0)]);
    /// ```
    pub fn names(&self) -> Vec<(&str, Var<'g>)> {
        let mut slot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut out: Vec<(&str, Var<'g>)> = Vec::new();
        for b in &self.bindings {
            match slot.get(b.name.as_str()) {
                Some(&k) => out[k].1 = b.var,
                None => {
                    slot.insert(b.name.as_str(), out.len());
                    out.push((b.name.as_str(), b.var));
                }
            }
        }
        out
    }
}

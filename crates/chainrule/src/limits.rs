//! The bounds on the work a program and its drawing may do, in one place. Every surface
//! reads them from here: the command line ([`Limits::LOCAL`], raised by flags such as
//! `--max-values`), the live page on the server and in WebAssembly ([`Limits::PAGE`]),
//! and Python (the drawing bounds of [`Limits::LOCAL`]).
//!
//! Each bound is enforced while the work is done, never after it:
//! - `program_bytes`: checked on the text before parsing ([`Limits::check_source`]).
//! - `values`: the evaluator counts the values as it makes them and stops at the
//!   statement that passes the bound, naming its line and column; a `grad()` stops its
//!   recording as soon as the budget is spent ([`Graph::grad_within`](crate::Graph::grad_within)).
//! - `grad_depth`: the order of a derivative, known before it is recorded.
//! - `draw_values`: a drawing of more values is refused before anything is laid out.
//! - `layout_points`: a graph whose full layered layout would place more points (value
//!   boxes, op nodes and the bend points of long edges) is drawn with a simpler layout,
//!   which says so; the crossing-reduction sweeps are bounded by a fixed number of passes
//!   over those points.
//!
//! The library has no clock (it runs on wasm32, where `Instant::now()` panics); a
//! transport that wants a time limit passes a check to
//! [`Program::eval_checked`](crate::lang::Program::eval_checked), which the evaluator
//! calls between statements and before each `grad()`. The parser's nesting bound,
//! [`MAX_DEPTH`](crate::lang::MAX_DEPTH), keeps the stack safe and is fixed.
//!
//! ```
//! use chainrule::{lang::{EvalOptions, ErrorKind, Program}, Graph, Limits};
//! let p = Program::parse("x = 0.5\ny = tanh(x*x)\nd = grad(grad(grad(y, x), x), x)").unwrap();
//! let opts = EvalOptions { limits: Limits { grad_depth: 2, ..Limits::PAGE }, ..Default::default() };
//! let err = p.eval(&Graph::new(), &opts).unwrap_err();
//! assert_eq!((err.kind(), err.line_col()), (ErrorKind::GradTooDeep, Some((3, 5))));
//! ```

use crate::lang::{ErrorKind, LangError};

/// Bounds on a program's work and on its drawing. [`Limits::default`] is
/// [`Limits::LOCAL`].
///
/// ```
/// use chainrule::Limits;
/// assert_eq!((Limits::PAGE.values, Limits::PAGE.program_bytes), (10_000, 64 * 1024));
/// assert!(Limits::LOCAL.values > Limits::PAGE.values);
/// assert_eq!(Limits::default(), Limits::LOCAL);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest program, in bytes.
    pub program_bytes: usize,
    /// The most values a program may make: every node it records (leaves, constants,
    /// ops, and the nodes of each derivative `grad()` records).
    pub values: usize,
    /// The highest order of derivative: `grad(y, x)` is order 1, `grad(grad(y, x), x)`
    /// (or `d = grad(y, x); grad(d, x)`) order 2. Each order multiplies the values by
    /// about 3.
    pub grad_depth: usize,
    /// The most values a drawing may hold ([`DrawOptions::max_nodes`](crate::DrawOptions::max_nodes)).
    pub draw_values: usize,
    /// The most points (value boxes, op nodes and bend points of long edges) the full
    /// layered layout may place; a graph that needs more is drawn with the simpler
    /// layout ([`DrawOptions::max_layout_points`](crate::DrawOptions::max_layout_points)).
    pub layout_points: usize,
}

impl Limits {
    /// The live page's bounds (server and WebAssembly): programs from anyone, answered
    /// within a fraction of a second.
    pub const PAGE: Limits = Limits {
        program_bytes: 64 * 1024,
        values: 10_000,
        grad_depth: 8,
        draw_values: 10_000,
        layout_points: 100_000,
    };

    /// The bounds for work on one's own machine: the `chainrule` command (whose flags
    /// raise them), Python, and [`Limits::default`].
    pub const LOCAL: Limits = Limits {
        program_bytes: 256 << 20,
        values: 1_000_000,
        grad_depth: 16,
        draw_values: 20_000,
        layout_points: 250_000,
    };

    /// Checks the length of a program's text against `program_bytes`; the error names
    /// the line and column where the text passes the bound.
    ///
    /// ```
    /// use chainrule::{lang::ErrorKind, Limits};
    /// let small = Limits { program_bytes: 8, ..Limits::PAGE };
    /// assert!(small.check_source(b"a = 2").is_ok());
    /// let err = small.check_source(b"a = 2\nb = 3\n").unwrap_err();
    /// assert_eq!((err.kind(), err.line_col()), (ErrorKind::ProgramTooLong, Some((2, 3))));
    /// ```
    pub fn check_source(&self, src: &[u8]) -> Result<(), LangError> {
        if src.len() <= self.program_bytes {
            return Ok(());
        }
        let at = self.program_bytes;
        Err(LangError::at(
            ErrorKind::ProgramTooLong,
            src,
            at..at + 1,
            format!(
                "the program is {} bytes, over the limit of {} (`program_bytes`); it passes \
                 the limit here",
                count(src.len()),
                count(self.program_bytes)
            ),
        )
        .help("split the program, or raise the limit (`Limits::program_bytes` in Rust)"))
    }

    /// Drawing options held to these bounds (`draw_values`, `layout_points`), otherwise
    /// the defaults.
    ///
    /// ```
    /// let o = chainrule::Limits::PAGE.draw_options();
    /// assert_eq!((o.max_nodes, o.max_layout_points), (10_000, 100_000));
    /// ```
    pub fn draw_options(&self) -> crate::DrawOptions {
        crate::DrawOptions {
            max_nodes: self.draw_values,
            max_layout_points: self.layout_points,
            ..crate::DrawOptions::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::LOCAL
    }
}

/// `n` with a comma between thousands, as the error messages write counts: `5,000`.
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_commas_between_thousands() {
        let shown: Vec<String> = [0, 999, 1_000, 65_536, 1_000_000]
            .into_iter()
            .map(super::count)
            .collect();
        assert_eq!(shown, ["0", "999", "1,000", "65,536", "1,000,000"]);
    }
}

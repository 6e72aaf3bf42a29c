//! `chainrule check`: backprop's grads against finite differences, and the grads the
//! program set by hand (`x.grad = 4`) against backprop, with the correction and its
//! derivation for each wrong one. Exit code 1 when anything is wrong.

use super::Failure;
use crate::input::Input;
use crate::{output, report, EXIT_WRONG_GRADIENT};
use chainrule::{CheckOptions, Graph};
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule check                                  the notebook's hand-derived grads
  chainrule check -e 'x = 3; y = x**2; x.grad = 5' a wrong one: says 6, and why
  chainrule check prog.cr --eps 1e-5 --tol 1e-4    a coarser step and tolerance

Exit codes: 0 every grad is right (a kink, like relu at 0, is reported but is not a
failure), 1 a grad is wrong or not finite, 2 bad input or usage.";

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Relative step of the finite differences: h = EPS·max(1, |x|).
    #[arg(long, default_value = "1e-6", value_parser = positive, allow_hyphen_values = true)]
    pub eps: f64,
    /// How far backprop and finite differences may differ: relative for grads above 1,
    /// absolute below.
    #[arg(long, default_value = "1e-6", value_parser = positive, allow_hyphen_values = true)]
    pub tol: f64,
}

/// A finite number above 0, for `--eps` and `--tol`.
fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err(format!("`{s}` must be a finite number above 0, e.g. 1e-6")),
        Err(_) => Err(format!("`{s}` is not a number; write e.g. 1e-6")),
    }
}

/// Runs the checks, prints them and a verdict, and exits 1 if anything is wrong.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let loaded = args.input.load()?;
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    let colour = output::colour_stdout();
    let opts = CheckOptions {
        eps: args.eps,
        tol: args.tol,
    };
    let check = run.output.grad_check_with(opts);
    let mut s = report::grad_check(&check, colour);
    let hand = report::hand_rows(&run);
    if !hand.is_empty() {
        s += "\n";
        s += &report::hand_grads(&hand, &report::output_name(&run), colour);
    }
    let wrong_hand = hand.iter().filter(|h| !h.check.right).count();
    let (ok, verdict) = verdict(check.counts(), hand.len(), wrong_hand);
    s += "\n";
    s += &output::paint(colour, if ok { "1;32" } else { "1;31" }, &verdict);
    s += "\n";
    output::print(&s)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_WRONG_GRADIENT)
    })
}

/// The last line: whether the check passed, and the counts behind it.
fn verdict(
    (pass, fail, kink, non_finite): (usize, usize, usize, usize),
    hand: usize,
    wrong_hand: usize,
) -> (bool, String) {
    let mut problems = Vec::new();
    if fail > 0 {
        problems.push(format!(
            "{} disagree with finite differences",
            count(fail, "grad", "grads")
        ));
    }
    if non_finite > 0 {
        problems.push(format!(
            "{} not finite",
            count(non_finite, "grad is", "grads are")
        ));
    }
    if wrong_hand > 0 {
        let what = count(wrong_hand, "hand-set grad is", "hand-set grads are");
        problems.push(format!("{what} wrong"));
    }
    if !problems.is_empty() {
        return (false, format!("check failed: {}", problems.join("; ")));
    }
    let mut good = vec![format!(
        "{} finite differences",
        count(pass, "grad agrees with", "grads agree with")
    )];
    if kink > 0 {
        good.push(format!(
            "{} (not a failure)",
            count(kink, "is at a kink", "are at kinks")
        ));
    }
    if hand > 0 {
        good.push(count(
            hand,
            "hand-set grad is right",
            "hand-set grads are right",
        ));
    }
    (true, format!("check passed: {}", good.join("; ")))
}

/// `1 grad is`, `3 grads are`: `n` with the singular or plural words.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

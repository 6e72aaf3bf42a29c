//! `chainrule` with no subcommand: the built-in notebook program, then a hint of what
//! to try next. Until `explain` is wired in, it shows what `eval` shows.

use super::eval;
use super::Failure;
use crate::output;
use std::process::ExitCode;

const HINT: &str = "
Try next:
  chainrule eval --json                      this answer, machine-readable
  chainrule eval -e 'x = 0.5; y = tanh(2*x)' your own program
  chainrule eval --set a=3 --of d            change a leaf, pick another output
  chainrule --help                           everything else
";

/// Runs the built-in notebook program.
pub fn run() -> Result<ExitCode, Failure> {
    let code = eval::run(&eval::Args::default())?;
    output::print(HINT)?;
    Ok(code)
}

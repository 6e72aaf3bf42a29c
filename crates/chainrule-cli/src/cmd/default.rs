//! `chainrule` with no subcommand: `explain` on the built-in notebook program, shown
//! first, then a hint of what to try next.

use super::{explain, Failure};
use crate::input::Input;
use crate::output;
use std::process::ExitCode;

const HINT: &str = "
Try next:
  chainrule check -e 'x = 3; y = x**2; x.grad = 5'   is a hand-derived grad right? (exit 1 if not)
  chainrule explain -e 'x = 0.5; y = tanh(2*x)'      the same for your own program
  chainrule graph -o notebook.svg                    draw this graph (.svg, .png or .dot)
  chainrule steps -o steps                           watch backprop fill in the grads (open steps/index.html)
  chainrule train --plot plots                       train micrograd's moons demo and plot it
  chainrule eval --json                              values and grads as JSON
  chainrule --help                                   everything else
";

/// Explains the built-in notebook program.
pub fn run() -> Result<ExitCode, Failure> {
    let loaded = Input::default().load()?;
    let colour = output::colour_stdout();
    let mut s = output::paint(
        colour,
        "1",
        "The built-in program: the notebook's L = (a*b + c) * f, with its grads set by hand",
    );
    s += "\n";
    for (k, line) in loaded.text.lines().enumerate() {
        s += format!("{:>4} | {line}", k + 1).trim_end();
        s.push('\n');
    }
    s += "\n";
    s += &explain::text(&loaded, false)?;
    s += HINT;
    output::print(&s)?;
    Ok(ExitCode::SUCCESS)
}

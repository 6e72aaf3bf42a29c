//! `chainrule explain`: every name's value and grad, the chain rule written out node by
//! node from the output back to the leaves, the gradient check, and the verdict on any
//! grads the program set by hand. `--markdown` gives the same as Markdown, for notes.

use super::{eval, Failure};
use crate::input::{Input, Loaded};
use crate::{output, report};
use chainrule::lang::Evaluated;
use chainrule::number::{shortest, Numbers};
use chainrule::Graph;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule explain                                the built-in notebook program
  chainrule explain -e 'x = 0.5; y = tanh(2*x)'    a program given inline
  chainrule explain prog.cr --of d                 explain d instead of the last value
  chainrule explain prog.cr --markdown > notes.md  the same as Markdown

Always exits 0 on a program that runs; `chainrule check` exits 1 when a grad is wrong.";

/// Arguments of `explain`.
#[derive(clap::Args, Debug, Default)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Print Markdown (tables and lists) instead of terminal text.
    #[arg(long)]
    pub markdown: bool,
}

/// Evaluates the program, runs backward and prints the explanation.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let loaded = args.input.load()?;
    output::print(&text(&loaded, args.markdown)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The whole explanation of a loaded program, as terminal text or Markdown.
pub fn text(loaded: &Loaded, markdown: bool) -> Result<String, Failure> {
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    run.output.backward();
    Ok(if markdown {
        as_markdown(&run)
    } else {
        as_text(&run, output::colour_stdout())
    })
}

fn as_text(run: &Evaluated, colour: bool) -> String {
    let l = report::output_name(run);
    let mut s = report::heading(
        colour,
        &format!(
            "Values and grads after backward from {l} (the grad of x is {})",
            report::d_by_dx(&l)
        ),
    );
    s += &eval::table(run, colour);
    s += "\n";
    let derivatives = report::derivatives(run, false, colour);
    if !derivatives.is_empty() {
        s += &derivatives;
        s += "\n";
    }
    s += &report::explanation(
        &run.output.explain().with_numbers(Numbers::Shortest),
        colour,
    );
    s += "\n";
    s += &report::grad_check(&run.output.grad_check(), colour);
    let hand = report::hand_rows(run);
    if !hand.is_empty() {
        s += "\n";
        s += &report::hand_grads(&hand, &l, colour);
    }
    s
}

fn as_markdown(run: &Evaluated) -> String {
    let l = report::output_name(run);
    let mut s = format!(
        "### Values and grads after backward from {l} (the grad of x is {})\n\n",
        report::d_by_dx(&l)
    );
    s += "| name | value | grad |\n|---|---:|---:|\n";
    for (name, v) in run.names() {
        s += &format!(
            "| {name} | {} | {} |\n",
            shortest(v.data()),
            shortest(v.grad())
        );
    }
    s += "\n";
    let derivatives = report::derivatives(run, true, false);
    if !derivatives.is_empty() {
        s += &derivatives;
        s += "\n";
    }
    s += &run
        .output
        .explain()
        .with_numbers(Numbers::Shortest)
        .to_markdown();
    s += "### Gradient check\n\n";
    let check = run.output.grad_check().with_numbers(Numbers::Shortest);
    s += check.to_markdown().trim_end();
    s += "\n";
    let hand = report::hand_rows(run);
    if !hand.is_empty() {
        s += "\n";
        s += &report::hand_grads_markdown(&hand, &l);
    }
    s
}

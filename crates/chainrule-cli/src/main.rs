//! `chainrule`: small expression programs in; values, grads, explanations and pictures
//! out. A thin layer over the `chainrule` library: argument parsing, reading input,
//! rendering errors and writing output. Each subcommand is one module in `cmd/`.
//!
//! Exit codes: 0 success, 1 a check found a wrong gradient, 2 bad input or usage.

mod cmd;
mod input;
mod json;
mod output;
mod report;
mod usage;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code: a check found a wrong gradient.
pub const EXIT_WRONG_GRADIENT: u8 = 1;
/// Exit code: bad input or usage (clap uses 2 for usage errors too).
pub const EXIT_BAD_INPUT: u8 = 2;

/// The command's description, with the language's functions as the op table lists them.
fn about() -> String {
    format!(
        "Small expression programs in; values, grads and the chain rule out.

A program is a few lines of text, as in the notebook:

    a = 2; b = -3; c = 10
    e = a*b
    d = e + c
    f = -2
    L = d*f

Numbers, names, + - * / ** ^ and parentheses; `x += expr` and friends; `x.grad = 4`
sets a hand-derived grad; `#` starts a comment. The functions:

    {}

`grad(L, a)` is dL/da as a value on the tape: it can be drawn, explained and
differentiated again. The output is the last statement unless --of NAME says otherwise.",
        chainrule::lang::functions().join(" ")
    )
}

const EXAMPLES: &str = "Examples:
  chainrule                                      explain the built-in notebook program
  chainrule explain -e 'x = 0.5; y = tanh(2*x)'  the chain rule for your program
  chainrule check prog.cr                        are the hand-set grads right? (exit 1 if not)
  chainrule graph prog.cr -o graph.svg           draw the graph (.svg, .png, .dot)
  chainrule eval -e 'x = 0.5; y = tanh(2*x)'     values and grads as a table
  chainrule eval --json prog.cr                  the same as JSON
  chainrule eval prog.cr --set a=3 --of d        change a leaf, pick the output
  chainrule train --plot out                     micrograd's demo: train an MLP, draw it
  chainrule serve                                the live page: edit, nudge, step, train
  chainrule learn --list                         lessons: grads by hand, every mistake diagnosed

Exit codes: 0 success, 1 a check found a wrong gradient, 2 bad input or usage.";

#[derive(Parser)]
#[command(name = "chainrule", version, about = about(), after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a program: every name's value and grad, as a table or as JSON.
    #[command(after_help = cmd::eval::EXAMPLES)]
    Eval(cmd::eval::Args),
    /// Explain a program: values, grads, the chain rule node by node, the gradient check.
    #[command(after_help = cmd::explain::EXAMPLES)]
    Explain(cmd::explain::Args),
    /// Check the grads against finite differences and the grads set by hand; exit 1 if wrong.
    #[command(after_help = cmd::check::EXAMPLES)]
    Check(cmd::check::Args),
    /// Draw the program's graph as SVG, PNG or DOT.
    #[command(after_help = cmd::graph::EXAMPLES)]
    Graph(cmd::graph::Args),
    /// Backprop step by step: a drawing per step and a page to step through them.
    #[command(after_help = cmd::steps::EXAMPLES)]
    Steps(cmd::steps::Args),
    /// Train an MLP on a toy dataset or a CSV file (micrograd's demo by default).
    #[command(after_help = cmd::train::EXAMPLES)]
    Train(Box<cmd::train::Args>),
    /// A saved model's scores and classes for new points.
    #[command(after_help = cmd::predict::EXAMPLES)]
    Predict(cmd::predict::Args),
    /// The notebook as a live local web page: edit, see the graph, nudge, step, train.
    #[command(after_help = cmd::serve::EXAMPLES)]
    Serve(cmd::serve::Args),
    /// Lessons in the terminal: work out grads by hand, each answer checked and diagnosed.
    #[command(after_help = cmd::learn::EXAMPLES)]
    Learn(cmd::learn::Args),
}

fn main() -> ExitCode {
    let cli: Cli = usage::parse();
    let result = match cli.command {
        Some(Command::Eval(args)) => cmd::eval::run(&args),
        Some(Command::Explain(args)) => cmd::explain::run(&args),
        Some(Command::Check(args)) => cmd::check::run(&args),
        Some(Command::Graph(args)) => cmd::graph::run(&args),
        Some(Command::Steps(args)) => cmd::steps::run(&args),
        Some(Command::Train(args)) => cmd::train::run(&args),
        Some(Command::Predict(args)) => cmd::predict::run(&args),
        Some(Command::Serve(args)) => cmd::serve::run(&args),
        Some(Command::Learn(args)) => cmd::learn::run(&args),
        None => cmd::default::run(),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            output::print_error(&failure.message);
            ExitCode::from(failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// `--rankdir LR` or `lr`, `--loss MSE`: every option with a list of values takes
    /// them in either case.
    #[test]
    fn every_list_of_values_ignores_case() {
        let cmd = Cli::command();
        let mut lists = 0;
        for sub in cmd.get_subcommands() {
            for arg in sub.get_arguments() {
                let takes_value = matches!(arg.get_action(), clap::ArgAction::Set);
                if takes_value && !arg.get_possible_values().is_empty() {
                    lists += 1;
                    let name = format!("chainrule {} --{}", sub.get_name(), arg.get_id());
                    assert!(arg.is_ignore_case_set(), "{name} is case-sensitive");
                }
            }
        }
        assert!(lists >= 8, "{lists}");
    }
}

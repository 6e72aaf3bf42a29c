//! `chainrule` with no subcommand: `explain` on the built-in notebook program, shown
//! first, then a hint of what to try next.

use super::{explain, Failure};
use crate::input::Input;
use crate::output;
use std::process::ExitCode;

/// What to try next: (arguments, what they do).
const NEXT: [(&str, &str); 7] = [
    (
        "check -e 'x = 3; y = x**2; x.grad = 5'",
        "is a hand-derived grad right? (exit 1 if not)",
    ),
    (
        "explain -e 'x = 0.5; y = tanh(2*x)'",
        "the same for your own program",
    ),
    (
        "graph -o notebook.svg",
        "draw this graph (.svg, .png or .dot)",
    ),
    (
        "steps -o steps",
        "watch backprop fill in the grads (open steps/index.html)",
    ),
    (
        "train --plot plots",
        "train micrograd's moons demo and plot it",
    ),
    ("eval --json", "values and grads as JSON"),
    ("--help", "everything else"),
];

/// How to run this command again: `cargo run --` when `cargo run` started it (cargo sets
/// CARGO_PKG_NAME for the program it runs), `chainrule` otherwise.
fn command_name() -> &'static str {
    match std::env::var("CARGO_PKG_NAME") {
        Ok(p) if p == env!("CARGO_PKG_NAME") => "cargo run --",
        _ => "chainrule",
    }
}

/// The lines after the explanation: commands to try, runnable as printed.
fn hint(command: &str) -> String {
    let lines: Vec<(String, &str)> = NEXT
        .iter()
        .map(|(args, what)| (format!("{command} {args}"), *what))
        .collect();
    let width = lines
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::from("\nTry next:\n");
    for (c, what) in lines {
        s += &format!("  {c:<width$}   {what}\n");
    }
    if command.starts_with("cargo") {
        s += "Or install the command once (cargo install --path crates/chainrule-cli) and type `chainrule` for `cargo run --`.\n";
    }
    s
}

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
    s += &hint(command_name());
    output::print(&s)?;
    Ok(ExitCode::SUCCESS)
}

//! `chainrule eval`: every name's value and grad (after backward from the output), as a
//! table or, with `--json`, as the machine-readable answer documented in the README.

use super::Failure;
use crate::input::Input;
use crate::{json, output};
use chainrule::lang::Evaluated;
use chainrule::number::shortest;
use chainrule::Graph;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule eval                               the built-in notebook program
  chainrule eval -e 'a = 2; b = -3; L = a*b'   a program given inline
  chainrule eval prog.cr --json                JSON: output, nodes, values, grads
  cat prog.cr | chainrule eval -               read the program from stdin
  chainrule eval prog.cr --set a=3 --of d      change a leaf, pick the output";

/// Arguments of `eval`.
#[derive(clap::Args, Debug, Default)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Print JSON: {"output", "output_id", "nodes", "values", "grads"} (schema in the README).
    #[arg(long)]
    pub json: bool,
}

/// Evaluates the program, runs backward from the output and prints the answer.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let loaded = args.input.load()?;
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    run.output.backward();
    let text = if args.json {
        json::answer(&g, &run)
    } else {
        table(&run, output::colour_stdout())
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Name, value and grad of each name (its last binding), then the output, and where
/// a NaN or infinity first appeared, if one did.
pub fn table(run: &Evaluated, colour: bool) -> String {
    let rows: Vec<[String; 3]> = run
        .names()
        .iter()
        .map(|(n, v)| [n.to_string(), shortest(v.data()), shortest(v.grad())])
        .collect();
    let head = ["name".to_string(), "value".into(), "grad".into()];
    let width = |k: usize| {
        rows.iter()
            .chain([&head])
            .map(|r| r[k].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let line = |r: &[String; 3]| format!("{:<w0$}  {:>w1$}  {:>w2$}", r[0], r[1], r[2]);
    let mut out = output::paint(colour, "1", &line(&head)) + "\n";
    for r in &rows {
        out += &line(r);
        out.push('\n');
    }
    let name = crate::report::output_name(run);
    out += &format!("\noutput: {name} = {}\n", shortest(run.output.data()));
    if let Some(bad) = run.output.first_non_finite() {
        let who = bad
            .node
            .label()
            .unwrap_or_else(|| format!("node #{}", bad.node.index()));
        out += &output::paint(
            colour,
            "33",
            &format!("note: {who} is {}: {}", bad.value, bad.reason),
        );
        out.push('\n');
    }
    out
}

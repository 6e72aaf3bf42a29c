//! `chainrule steps`: backprop step by step, as a directory of drawings and a page that
//! steps through them with the chain rule beside each picture.

use super::graph::Rankdir;
use super::Failure;
use crate::input::Input;
use crate::output;
use chainrule::{DrawOptions, Graph};
use std::path::PathBuf;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule steps -o steps                         the notebook's backward, step by step
  chainrule steps -o steps -e 'x = 0.5; y = tanh(2*x)'
  chainrule steps -o steps prog.cr --rankdir TB    arrows top to bottom
Then open steps/index.html in a browser: Prev/Next or the arrow keys step through.";

/// Arguments of `steps`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The directory to write step-00.svg … step-NN.svg and index.html into (created if missing).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Which way the arrows run: LR (left to right) or TB (top to bottom).
    #[arg(long, value_enum, default_value_t = Rankdir::Lr, ignore_case = true, hide_possible_values = true)]
    pub rankdir: Rankdir,
}

/// Evaluates the program and writes the step-through site of its output's backward.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let loaded = args.input.load()?;
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    let opts = DrawOptions {
        rankdir: args.rankdir.into(),
        ..DrawOptions::default()
    };
    let site = run.output.save_steps(&args.out, &opts).map_err(|e| {
        Failure::with_help(
            &format!("-o {}: {e}", args.out.display()),
            super::WRITE_HELP,
        )
    })?;
    output::print(&format!(
        "wrote {} drawings (before backward, then {} steps) and index.html to {}\n\
         open it in a browser: {}\n",
        site.svgs.len(),
        site.steps,
        args.out.display(),
        site.index.display(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

//! `chainrule graph`: the program's graph as a picture, one box per value (label, data,
//! grad) and one node per op, as the notebook's `draw_dot`. The format comes from the
//! file name: `.svg` and `.png` from the built-in layout (no Graphviz needed), `.dot`
//! (or `.gv`) as Graphviz text. Without `-o`, the DOT text goes to stdout.

use super::Failure;
use crate::input::Input;
use crate::output;
use chainrule::{
    DrawError, DrawOptions, Engine, Format, Graph, Limits, RankDir, ShowGrads, Simplified, Var,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule graph -o notebook.svg                     the notebook's graph, built-in layout
  chainrule graph -o notebook.png --rankdir TB        a PNG, arrows top to bottom
  chainrule graph prog.cr -o g.svg --no-grad          values only, before backward
  chainrule graph prog.cr -o g.svg --engine graphviz  laid out by Graphviz `dot`
  chainrule graph prog.cr | dot -Tpdf > g.pdf         no -o: DOT text on stdout

Exit codes: 0 the file was written, 2 bad input, an unknown extension, Graphviz missing
or a graph too large (no file is left behind: it is written whole or not at all).";

/// Which way the arrows run (`graph` and `steps`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Rankdir {
    /// Left to right, as the notebook draws it.
    #[default]
    #[value(name = "LR", alias = "lr")]
    Lr,
    /// Top to bottom.
    #[value(name = "TB", alias = "tb")]
    Tb,
}

impl From<Rankdir> for RankDir {
    fn from(r: Rankdir) -> RankDir {
        match r {
            Rankdir::Lr => RankDir::LR,
            Rankdir::Tb => RankDir::TB,
        }
    }
}

/// Who lays the graph out.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Layout {
    /// chainrule's own layout: nothing to install.
    #[default]
    Builtin,
    /// The Graphviz `dot` program, which must be installed.
    Graphviz,
}

/// Arguments of `graph`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Write the drawing to OUT, in the format its extension names: .svg, .png or .dot
    /// (.gv). Without -o, the DOT text goes to stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Which way the arrows run: LR (left to right) or TB (top to bottom).
    #[arg(long, value_enum, default_value_t = Rankdir::Lr, ignore_case = true, hide_possible_values = true)]
    pub rankdir: Rankdir,
    /// Who lays out SVG and PNG: builtin (nothing to install) or graphviz (needs `dot`).
    #[arg(long, value_enum, default_value_t = Layout::Builtin, ignore_case = true, hide_possible_values = true)]
    pub engine: Layout,
    /// Draw values only, without grads (no backward is run).
    #[arg(long)]
    pub no_grad: bool,
    /// Digits after the decimal point for data and grad.
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::value_parser!(u8).range(0..=17))]
    pub decimals: u8,
    /// The most values to draw; larger graphs are refused rather than drawn unreadably.
    #[arg(long, default_value_t = Limits::LOCAL.draw_values, value_name = "N")]
    pub max_nodes: usize,
    /// The most points (boxes, op nodes, bend points of long edges) the full layout may
    /// place; a graph that needs more is drawn with a simpler layout, which says so.
    #[arg(long, default_value_t = Limits::LOCAL.layout_points, value_name = "N")]
    pub max_layout_points: usize,
}

/// Evaluates the program, runs backward (unless --no-grad) and draws the graph.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    // Check the file name before any work, so a typo fails at once.
    let format = match &args.output {
        Some(path) => Some(Format::from_path(path).ok_or_else(|| unknown_format(path))?),
        None => None,
    };
    let loaded = args.input.load()?;
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    if !args.no_grad {
        run.output.backward();
    }
    let opts = DrawOptions {
        rankdir: args.rankdir.into(),
        decimals: args.decimals.into(),
        grads: if args.no_grad {
            ShowGrads::Never
        } else {
            ShowGrads::Always
        },
        max_nodes: args.max_nodes,
        max_layout_points: args.max_layout_points,
        ..DrawOptions::default()
    };
    let engine = match args.engine {
        Layout::Builtin => Engine::Builtin,
        Layout::Graphviz => Engine::Graphviz,
    };
    let (Some(path), Some(format)) = (&args.output, format) else {
        output::print(&run.output.to_dot(&opts))?;
        return Ok(ExitCode::SUCCESS);
    };
    let (bytes, simplified) =
        render(run.output, engine, format, &opts).map_err(|e| draw_failure(path, e))?;
    chainrule::write_atomic(path, &bytes).map_err(|error| {
        draw_failure(
            path,
            DrawError::Io {
                path: path.clone(),
                error,
            },
        )
    })?;
    let values = run.output.trace().nodes.len();
    output::print_error(&format!(
        "wrote {} ({values} values, {} bytes)",
        path.display(),
        bytes.len()
    ));
    if let Some(s) = simplified {
        let note = output::paint(output::colour_stderr(), "1;33", "note");
        output::print_error(&format!(
            "{note}: {s}\n{}",
            help("--max-layout-points N allows a larger full layout").trim_end()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The drawing's bytes, and whether the built-in layout was simplified.
fn render(
    out: Var<'_>,
    engine: Engine,
    format: Format,
    opts: &DrawOptions,
) -> Result<(Vec<u8>, Option<Simplified>), DrawError> {
    match (engine, format) {
        (Engine::Builtin, Format::Svg) => {
            let d = out.draw(opts)?;
            Ok((d.svg.into_bytes(), d.simplified))
        }
        (Engine::Builtin, Format::Png) => {
            let d = out.draw(opts)?;
            Ok((d.to_png()?, d.simplified))
        }
        _ => Ok((out.render(engine, format, opts)?, None)),
    }
}

fn error_prefix(path: &Path) -> String {
    let red = output::paint(output::colour_stderr(), "1;31", "error");
    format!("chainrule graph: {red}: {}", path.display())
}

fn help(text: &str) -> String {
    format!(
        "{}: {text}\n",
        output::paint(output::colour_stderr(), "1;36", "help")
    )
}

fn unknown_format(path: &Path) -> Failure {
    let ext = match path.extension() {
        Some(e) => format!(
            "the extension `.{}` names no format chainrule writes",
            e.to_string_lossy()
        ),
        None => "the name has no extension to tell the format by".to_string(),
    };
    Failure::bad_input(format!(
        "{}: {ext}\n{}",
        error_prefix(path),
        help("name the file .svg, .png or .dot (e.g. -o graph.svg)")
    ))
}

/// A drawing error as the command line says it: the library's reason, with advice in
/// terms of this command's options.
fn draw_failure(path: &Path, e: DrawError) -> Failure {
    let (what, advice) = match &e {
        DrawError::TooLarge { nodes, limit } => (
            format!("the graph has {nodes} values, over the drawing limit of {limit}"),
            "raise the limit with --max-nodes N, or pick a smaller output with --of NAME"
                .to_string(),
        ),
        DrawError::GraphvizMissing => (
            "--engine graphviz needs the Graphviz `dot` program, which is not on PATH".to_string(),
            "install Graphviz (e.g. `apt-get install graphviz`), or leave out --engine graphviz: \
             the built-in engine needs nothing installed"
                .to_string(),
        ),
        DrawError::ImageTooLarge { .. } => (e.to_string(), "write .svg instead".to_string()),
        DrawError::Io { error, .. } => (
            format!("cannot write the drawing: {error}"),
            "check that the directory exists and is writable".to_string(),
        ),
        _ => (e.to_string(), "write .svg or .dot instead".to_string()),
    };
    Failure::bad_input(format!("{}: {what}\n{}", error_prefix(path), help(&advice)))
}

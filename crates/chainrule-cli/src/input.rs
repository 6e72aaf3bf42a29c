//! The program to run: FILE, `-` for stdin, `-e TEXT`, or the built-in notebook; with
//! `--set name=value`, `--of NAME` and the bounds (`--max-values`, `--max-grad-depth`,
//! defaults from the library's `Limits::LOCAL`). Errors render with the file, line,
//! column and a caret, and end the command with exit code 2.

use crate::cmd::Failure;
use crate::output;
use chainrule::lang::{EvalOptions, Evaluated, LangError, Program, NOTEBOOK};
use chainrule::{Graph, Limits};
use std::io::Read;
use std::path::PathBuf;

/// Where the program comes from, and the options for evaluating it.
#[derive(clap::Args, Debug)]
pub struct Input {
    /// The program file; `-` reads stdin. Without FILE or -e: the built-in notebook program.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The program text itself, e.g. -e 'a = 2; b = a*3'.
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "TEXT",
        conflicts_with = "file"
    )]
    pub expr: Option<String>,
    /// Give the leaf NAME the value VALUE instead of the number in the program (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Take the output to be NAME's last value instead of the last statement.
    #[arg(long, value_name = "NAME")]
    pub of: Option<String>,
    /// The most values the program may make; evaluation stops where it passes them.
    #[arg(long, value_name = "N", default_value_t = Limits::LOCAL.values)]
    pub max_values: usize,
    /// The highest order of derivative: grad(grad(y, x), x) is order 2.
    #[arg(long, value_name = "N", default_value_t = Limits::LOCAL.grad_depth)]
    pub max_grad_depth: usize,
}

/// A program read and parsed, with its source for rendering errors.
pub struct Loaded {
    /// How errors name the input: the path, `<stdin>`, `<-e>` or `<notebook>`.
    pub name: String,
    /// The source (lossily decoded when it was not UTF-8), to show lines from.
    pub text: String,
    pub program: Program,
    pub opts: EvalOptions,
}

impl Default for Input {
    /// The built-in notebook with the library's bounds for the command line.
    fn default() -> Self {
        Input {
            file: None,
            expr: None,
            set: Vec::new(),
            of: None,
            max_values: Limits::LOCAL.values,
            max_grad_depth: Limits::LOCAL.grad_depth,
        }
    }
}

impl Input {
    /// Reads, decodes and parses the program, and checks the `--set` arguments.
    pub fn load(&self) -> Result<Loaded, Failure> {
        let (name, bytes) = self.read()?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let render = |e: LangError| render(&name, &text, e);
        let program = Program::parse_bytes(&bytes).map_err(render)?;
        let sets = self
            .set
            .iter()
            .map(|s| parse_set(s))
            .collect::<Result<Vec<_>, Failure>>()?;
        Ok(Loaded {
            opts: EvalOptions {
                sets,
                of: self.of.clone(),
                limits: self.limits(),
            },
            name,
            text,
            program,
        })
    }

    /// The library's bounds for the command line, with the flags' values.
    pub fn limits(&self) -> Limits {
        Limits {
            values: self.max_values,
            grad_depth: self.max_grad_depth,
            ..Limits::LOCAL
        }
    }

    fn read(&self) -> Result<(String, Vec<u8>), Failure> {
        if let Some(text) = &self.expr {
            return Ok(("<-e>".into(), text.clone().into_bytes()));
        }
        let Some(path) = &self.file else {
            return Ok(("<notebook>".into(), NOTEBOOK.as_bytes().to_vec()));
        };
        let max = Limits::LOCAL.program_bytes as u64;
        let mut bytes = Vec::new();
        let (name, result) = if path.as_os_str() == "-" {
            let r = std::io::stdin()
                .lock()
                .take(max + 1)
                .read_to_end(&mut bytes);
            ("<stdin>".to_string(), r)
        } else {
            let name = path.display().to_string();
            let r = std::fs::File::open(path).and_then(|f| f.take(max + 1).read_to_end(&mut bytes));
            (name, r)
        };
        if let Err(e) = result {
            return Err(Failure::bad_input(format!(
                "{}: {}: cannot read the program: {e}\n{}: check the path, or give the program with -e TEXT\n",
                name,
                paint_error(),
                output::paint(output::colour_stderr(), "1;36", "help"),
            )));
        }
        if bytes.len() as u64 > max {
            return Err(Failure::bad_input(format!(
                "{name}: {}: the program is larger than {} MiB\n",
                paint_error(),
                max >> 20
            )));
        }
        Ok((name, bytes))
    }
}

impl Loaded {
    /// Evaluates the program on `g` with the `--set` and `--of` options; an error comes
    /// back rendered, ready to print.
    pub fn evaluate<'g>(&self, g: &'g Graph) -> Result<Evaluated<'g>, Failure> {
        self.program.eval(g, &self.opts).map_err(|e| self.fail(e))
    }

    /// An error from evaluating this program, rendered, as a failure.
    pub fn fail(&self, e: LangError) -> Failure {
        render(&self.name, &self.text, e)
    }
}

fn paint_error() -> String {
    output::paint(output::colour_stderr(), "1;31", "error")
}

fn render(name: &str, text: &str, e: LangError) -> Failure {
    Failure::bad_input(e.in_file(name).render_with(text, output::colour_stderr()))
}

/// `name=value` with a finite number.
fn parse_set(arg: &str) -> Result<(String, f64), Failure> {
    let bad = |why: &str| {
        Failure::bad_input(format!(
            "chainrule: {}: --set {arg}: {why}\n{}: write it as NAME=NUMBER, e.g. --set a=3.5\n",
            paint_error(),
            output::paint(output::colour_stderr(), "1;36", "help"),
        ))
    };
    let (name, value) = arg.split_once('=').ok_or_else(|| bad("there is no `=`"))?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return Err(bad("the name is missing"));
    }
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((name.to_string(), v)),
        Ok(_) => Err(bad(&format!("`{value}` is not a finite number"))),
        Err(_) => Err(bad(&format!("`{value}` is not a number"))),
    }
}

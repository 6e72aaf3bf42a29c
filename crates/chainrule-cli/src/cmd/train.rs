//! `chainrule train`: an MLP trained on a toy dataset or a CSV file, step by step, with a
//! progress bar (plain lines when piped, JSON lines with `--json`), then optionally the
//! model saved (`--save`) and the curves and decision boundary drawn (`--plot`).
//!
//! The defaults are micrograd's demo: moons (100 samples, noise 0.1, seed 1337), a
//! 2-16-16-1 relu MLP, max-margin loss plus 1e-4 L2, 100 SGD steps at lr 1.0 → 0.1.

use super::train_opts::{self as opts};
use super::Failure;
use crate::{json, output};
use chainrule::data::Dataset;
use chainrule::nn::{LossWarning, LossWatch, Mlp, Module, Objective, StepStats};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const EXAMPLES: &str = "Examples:
  chainrule train                                 micrograd's demo: moons, 2-16-16-1 relu, 100 SGD steps
  chainrule train --json                          one JSON line per step, then a summary line
  chainrule train --data sklearn-moons            micrograd's demo exactly: its data, weights and losses
  chainrule train --save model.json --plot out    keep the model; draw loss, accuracy, boundary
  chainrule train --data spiral --classes 3 --loss softmax-ce --optimizer adam --steps 300
  chainrule train --data points.csv --layers 8 --activation tanh --batch 32

Output with --json, one line per step and a last summary line:
  {\"step\":0,\"loss\":0.89,\"accuracy\":0.5,\"lr\":1.0}
  {\"summary\":true,\"steps\":100,\"loss\":0.01,\"accuracy\":1.0,\"seconds\":0.4,\"parameters\":337}";

pub use opts::Args;

/// Trains as the arguments say, then saves and plots.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let setup = opts::setup(args)?;
    let mut progress = Progress::new(args, setup.steps);
    let mut trainer = setup.trainer;
    // Kept only for --plot, so a long run without plots stays small.
    let mut history = Vec::new();
    let mut watch = LossWatch::default();
    let start = Instant::now();
    for _ in 0..setup.steps {
        let s = trainer.step();
        progress.show(&s)?;
        watch.push(s.loss);
        if args.plot.is_some() {
            history.push(s);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let model = trainer.model();
    let (loss, accuracy) = final_scores(model, &setup.data, setup.objective, setup.l2);
    progress.finish()?;
    let mut notes = Vec::new();
    if let Some(path) = &args.save {
        model.save(path).map_err(|e| {
            Failure::with_help(
                &format!("--save {}: {e}", path.display()),
                super::WRITE_HELP,
            )
        })?;
        notes.push(format!("saved the model to {}", path.display()));
    }
    if let Some(dir) = &args.plot {
        let plot = super::train_plot::Plot {
            history: &history,
            model,
            data: &setup.data,
            title: &setup.title,
            accuracy,
            batched: setup.batched,
        };
        notes.extend(plot.write(dir)?);
    }
    let summary = Summary {
        steps: setup.steps,
        loss,
        accuracy,
        seconds,
        parameters: model.params().len(),
        warning: watch.warning(),
    };
    let text = if args.json {
        summary.json()
    } else {
        let mut t = summary.text(&setup.title);
        for n in notes {
            t += &n;
            t.push('\n');
        }
        t
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The trained model's loss (with the L2 term) and accuracy on all the data.
fn final_scores(model: &Mlp, data: &Dataset, objective: Objective, l2: f64) -> (f64, f64) {
    let (loss, accuracy) = objective.evaluate(model, data);
    let sq: f64 = model.params().iter().map(|p| p * p).sum();
    (loss + l2 * sq, accuracy)
}

/// The last line: what the trained model scores on all the data.
struct Summary {
    steps: usize,
    loss: f64,
    accuracy: f64,
    seconds: f64,
    parameters: usize,
    /// The steps' losses grew or jumped, all finite (see [`LossWatch`]).
    warning: Option<LossWarning>,
}

impl Summary {
    fn json(&self) -> String {
        let warning = self.advice().map_or(String::new(), |w| {
            format!(",\"warning\":{}", chainrule::json::Json::Str(w))
        });
        format!(
            "{{\"summary\":true,\"steps\":{},\"loss\":{},\"accuracy\":{},\"seconds\":{},\"parameters\":{}{warning}}}\n",
            self.steps,
            json::number(self.loss),
            json::number(self.accuracy),
            json::number((self.seconds * 1e6).round() / 1e6),
            self.parameters
        )
    }

    /// What the steps' losses say, with the remedy, when the final loss is finite (a
    /// NaN or infinite one has its own note).
    fn advice(&self) -> Option<String> {
        let w = self.warning.filter(|_| self.loss.is_finite())?;
        Some(format!("{w}; try a smaller --lr"))
    }

    fn text(&self, title: &str) -> String {
        let mut t = format!(
            "{title}\ntrained {} steps in {:.2} s: loss {}, accuracy {:.1}%, {} parameters\n",
            self.steps,
            self.seconds,
            chainrule::number::decimals(self.loss, 6),
            self.accuracy * 100.0,
            self.parameters
        );
        if !self.loss.is_finite() {
            t += "note: the loss is not a finite number: training diverged; try a smaller --lr\n";
        }
        if let Some(w) = self.advice() {
            t += &format!("note: {w}\n");
        }
        t
    }
}

/// How progress is shown: a bar redrawn in place on a terminal, a plain line every tenth
/// of the run when piped, a JSON line per step, or nothing.
enum Style {
    Bar,
    Lines,
    Json,
    Quiet,
}

struct Progress {
    style: Style,
    steps: usize,
    every: usize,
    drawn: Option<Instant>,
    last: Option<StepStats>,
    out: std::io::Stdout,
}

/// How often the bar is redrawn at most.
const REDRAW: Duration = Duration::from_millis(50);

impl Progress {
    fn new(args: &Args, steps: usize) -> Progress {
        let out = std::io::stdout();
        let style = match (args.quiet, args.json) {
            (true, _) => Style::Quiet,
            (false, true) => Style::Json,
            (false, false) if out.is_terminal() => Style::Bar,
            (false, false) => Style::Lines,
        };
        Progress {
            style,
            steps,
            every: (steps / 10).max(1),
            drawn: None,
            last: None,
            out,
        }
    }

    fn show(&mut self, s: &StepStats) -> Result<(), Failure> {
        self.last = Some(*s);
        let line = match self.style {
            Style::Quiet => return Ok(()),
            Style::Json => format!(
                "{{\"step\":{},\"loss\":{},\"accuracy\":{},\"lr\":{}}}\n",
                s.step,
                json::number(s.loss),
                json::number(s.accuracy),
                json::number(s.lr)
            ),
            Style::Lines if s.step % self.every == 0 || s.step + 1 == self.steps => {
                format!("{}\n", self.line(s))
            }
            Style::Lines => return Ok(()),
            Style::Bar => {
                let now = Instant::now();
                let due = self.drawn.is_none_or(|t| now - t >= REDRAW);
                if !due && s.step + 1 != self.steps {
                    return Ok(());
                }
                self.drawn = Some(now);
                format!("\r{} {}\x1b[K", self.bar(s.step + 1), self.line(s))
            }
        };
        self.write(&line)
    }

    /// Ends the bar's line.
    fn finish(&mut self) -> Result<(), Failure> {
        match self.style {
            Style::Bar if self.last.is_some() => self.write("\n"),
            _ => Ok(()),
        }
    }

    fn line(&self, s: &StepStats) -> String {
        let w = self.steps.to_string().len();
        format!(
            "step {:>w$}/{}  loss {:.6}  accuracy {:5.1}%  lr {}",
            s.step + 1,
            self.steps,
            s.loss,
            s.accuracy * 100.0,
            opts::short(s.lr)
        )
    }

    fn bar(&self, done: usize) -> String {
        const WIDTH: usize = 24;
        let full = done * WIDTH / self.steps.max(1);
        format!("[{}{}]", "#".repeat(full), "-".repeat(WIDTH - full))
    }

    fn write(&mut self, text: &str) -> Result<(), Failure> {
        let mut out = self.out.lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::bad_input(
                format!("chainrule: error: cannot write the output: {e}\n"),
            )),
            _ => Ok(()),
        }
    }
}

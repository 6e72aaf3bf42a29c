//! `train --plot DIR`: the loss and accuracy curves and the decision boundary, each as
//! SVG and PNG (rendered in pure Rust with the library's bundled font).

use super::Failure;
use chainrule::data::Dataset;
use chainrule::nn::{loss, Mlp, Module, StepStats};
use chainrule::{DecisionBoundary, LineChart, PlotError, Scale};
use std::path::Path;

/// What `--plot` draws from.
pub struct Plot<'a> {
    pub history: &'a [StepStats],
    pub model: &'a Mlp,
    pub data: &'a Dataset,
    /// The run in one line (data, model, loss, optimizer), under each chart's title.
    pub title: &'a str,
    /// The trained model's accuracy on all the data.
    pub accuracy: f64,
    /// Whether the steps' numbers are a minibatch's (the axis titles say so).
    pub batched: bool,
}

/// The most classes the boundary plot tells apart.
const MAX_CLASSES: usize = 6;

impl Plot<'_> {
    /// Writes loss, accuracy and boundary `.svg` and `.png` into `dir` (made if missing);
    /// returns lines saying what was written or skipped.
    pub fn write(&self, dir: &Path) -> Result<Vec<String>, Failure> {
        std::fs::create_dir_all(dir).map_err(|e| {
            let what = format!("--plot {}: cannot create the directory: {e}", dir.display());
            Failure::with_help(&what, super::WRITE_HELP)
        })?;
        let mut written = vec!["loss", "accuracy"];
        save(dir, "loss", |p| self.loss_chart().save(p))?;
        save(dir, "accuracy", |p| self.accuracy_chart().save(p))?;
        let mut notes = Vec::new();
        match self.boundary_skipped() {
            Some(why) => notes.push(format!("no decision boundary plot: {why}")),
            None => {
                self.boundary(dir)?;
                written.push("boundary");
            }
        }
        let files: Vec<String> = written
            .iter()
            .map(|n| format!("{n}.svg, {n}.png"))
            .collect();
        notes.insert(
            0,
            format!("wrote {} in {}", files.join(", "), dir.display()),
        );
        Ok(notes)
    }

    fn loss_chart(&self) -> LineChart {
        let points: Vec<(f64, f64)> = self
            .history
            .iter()
            .map(|s| (s.step as f64, s.loss))
            .collect();
        let log = points.iter().all(|p| p.1 > 0.0);
        LineChart::new(&format!("Training loss · {}", self.title))
            .size(760, 420)
            .x_label("step")
            .y_label(&self.of_batch(if log { "loss (log scale)" } else { "loss" }))
            .y_scale(if log { Scale::Log } else { Scale::Linear })
            .series("loss", points)
    }

    fn accuracy_chart(&self) -> LineChart {
        let points = self
            .history
            .iter()
            .map(|s| (s.step as f64, s.accuracy * 100.0));
        LineChart::new(&format!("Training accuracy · {}", self.title))
            .size(760, 420)
            .x_label("step")
            .y_label(&self.of_batch("accuracy (%)"))
            .series("accuracy", points)
    }

    /// `what`, or "batch `what`" when the steps saw minibatches.
    fn of_batch(&self, what: &str) -> String {
        match self.batched {
            true => format!("batch {what}"),
            false => what.to_string(),
        }
    }

    fn boundary_skipped(&self) -> Option<String> {
        if self.data.dim != 2 {
            return Some(format!(
                "the data has {} features per sample; the plane needs 2",
                self.data.dim
            ));
        }
        (self.data.classes > MAX_CLASSES).then(|| {
            format!(
                "the data has {} classes; the plot tells at most {MAX_CLASSES} apart",
                self.data.classes
            )
        })
    }

    fn boundary(&self, dir: &Path) -> Result<(), Failure> {
        let points: Vec<(f64, f64)> = (0..self.data.len())
            .map(|i| (self.data.row(i)[0], self.data.row(i)[1]))
            .collect();
        let labels = &self.data.y;
        let title = format!(
            "Decision boundary · accuracy {:.1}% · {}",
            self.accuracy * 100.0,
            self.title
        );
        let model = self.model;
        let score = |x: f64, y: f64| model.predict(&[x, y])[0];
        let class = |x: f64, y: f64| loss::class_of(&model.predict(&[x, y]));
        let plot = if model.outputs() == 1 && self.data.classes <= 2 {
            DecisionBoundary::binary(&score, &points, labels)
        } else {
            DecisionBoundary::classes(&class, &points, labels)
        };
        let plot = plot
            .map_err(|e| plot_failure(dir, &e))?
            .title(&title)
            .size(800, 600)
            .x_label("x₁")
            .y_label("x₂");
        save(dir, "boundary", |p| plot.save(p))
    }
}

fn plot_failure(path: &Path, e: &PlotError) -> Failure {
    Failure::with_help(
        &format!("--plot: {}: {e}", path.display()),
        super::WRITE_HELP,
    )
}

/// Saves `name.svg` and `name.png` in `dir`.
fn save(
    dir: &Path,
    name: &str,
    save: impl Fn(&Path) -> Result<(), PlotError>,
) -> Result<(), Failure> {
    for ext in ["svg", "png"] {
        let path = dir.join(format!("{name}.{ext}"));
        save(&path).map_err(|e| plot_failure(&path, &e))?;
    }
    Ok(())
}

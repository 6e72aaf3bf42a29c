//! The options of `chainrule train`: the library's training spec (`chainrule::nn::spec`)
//! as flags, plus `--data FILE.csv` and the command's own output options. Every default,
//! bound and message of a setting is the spec's: a flag's help is written from the spec's
//! table, and its value is checked by `TrainSpec::set`, so a bad value ends with the
//! spec's message naming the option and what it takes (exit code 2), before any training.
//!
//! Minibatches (`--batch N`) are the library trainer's (`Trainer::with_batches`): each
//! step takes the next `N` samples of a seeded shuffle of the data. Progress then shows
//! the batch's loss and accuracy; the summary shows the trained model's on all the data.

use super::Failure;
use chainrule::data::{dataset_kind, load_csv, CsvError, Dataset};
use chainrule::nn::spec::field;
use chainrule::nn::{Mlp, Objective, SpecError, TrainSpec, Trainer};
use clap::builder::PossibleValuesParser;
use std::path::PathBuf;

/// A spec setting's help for `--help`: its meaning, what it takes and its default.
fn help(name: &str) -> String {
    let f = field(name).expect("a setting of the spec");
    let default = f.default_text();
    match f.choices() {
        Some(_) => format!("{} [default: {default}]", f.help),
        None => format!(
            "{}: {} [default: {default}]",
            f.help,
            f.allowed(&TrainSpec::default().bounds)
        ),
    }
}

/// A choice setting's names for clap, which lists them in `--help` (each one's few words
/// are in docs/train-spec.md: the help keeps one line per option) and refuses any other.
fn choices(name: &str) -> PossibleValuesParser {
    let f = field(name).expect("a setting of the spec");
    PossibleValuesParser::new(f.choices().expect("a choice setting"))
}

/// The data's help: the spec's datasets, or a CSV file.
fn data_help() -> String {
    format!(
        "The data: {}, or a CSV file (features, then a class label 0, 1, …) [default: {}]",
        field("dataset")
            .expect("a setting")
            .choices()
            .unwrap_or_default()
            .join(", "),
        field("dataset").expect("a setting").default_text()
    )
}

/// Arguments of `train`. A setting left out takes the spec's default.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The data (a generated dataset or a CSV file).
    #[arg(long, help = data_help(), value_name = "NAME|FILE.csv")]
    pub data: Option<String>,
    /// Samples of a generated dataset.
    #[arg(long, help = help("samples"), value_name = "N", allow_negative_numbers = true)]
    pub samples: Option<String>,
    /// The generated data's noise.
    #[arg(long, help = help("noise"), value_name = "STD", allow_negative_numbers = true)]
    pub noise: Option<String>,
    /// Classes of blobs and spiral.
    #[arg(long, help = help("classes"), value_name = "K", allow_negative_numbers = true)]
    pub classes: Option<String>,
    /// Hidden layer widths.
    #[arg(long, help = help("layers"), value_name = "SIZES")]
    pub layers: Option<String>,
    /// The hidden layers' activation.
    #[arg(long, help = help("activation"), value_parser = choices("activation"), ignore_case = true)]
    pub activation: Option<String>,
    /// The loss.
    #[arg(long, help = help("loss"), value_parser = choices("loss"), ignore_case = true)]
    pub loss: Option<String>,
    /// L2 regularisation.
    #[arg(long, help = help("l2"), value_name = "ALPHA", allow_negative_numbers = true)]
    pub l2: Option<String>,
    /// The optimizer.
    #[arg(long, help = help("optimizer"), value_parser = choices("optimizer"), ignore_case = true)]
    pub optimizer: Option<String>,
    /// The (starting) learning rate.
    #[arg(long, help = help("lr"), value_name = "RATE", allow_negative_numbers = true)]
    pub lr: Option<String>,
    /// The learning-rate schedule.
    #[arg(long, help = help("schedule"), value_parser = choices("schedule"), ignore_case = true)]
    pub schedule: Option<String>,
    /// The rate a falling schedule ends at.
    #[arg(long, help = help("lr_end"), value_name = "RATE", allow_negative_numbers = true)]
    pub lr_end: Option<String>,
    /// Training steps.
    #[arg(long, help = help("steps"), value_name = "N", allow_negative_numbers = true)]
    pub steps: Option<String>,
    /// Samples per step.
    #[arg(long, help = help("batch"), value_name = "N", allow_negative_numbers = true)]
    pub batch: Option<String>,
    /// The seed.
    #[arg(long, help = help("seed"), value_name = "SEED", allow_negative_numbers = true)]
    pub seed: Option<String>,
    /// Rebuild or replay each step's graph.
    #[arg(long, help = help("mode"), value_parser = choices("mode"), ignore_case = true)]
    pub mode: Option<String>,
    /// Print one JSON line per step and a summary line (schema in the README).
    #[arg(long)]
    pub json: bool,
    /// Save the trained model to FILE (JSON, written atomically).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Write loss, accuracy and decision-boundary plots (SVG and PNG) into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Print only the final summary line.
    #[arg(long)]
    pub quiet: bool,
}

impl Args {
    /// The spec settings given, by the spec's names.
    fn settings(&self) -> [(&'static str, &Option<String>); 15] {
        [
            ("samples", &self.samples),
            ("noise", &self.noise),
            ("classes", &self.classes),
            ("layers", &self.layers),
            ("activation", &self.activation),
            ("loss", &self.loss),
            ("l2", &self.l2),
            ("optimizer", &self.optimizer),
            ("lr", &self.lr),
            ("schedule", &self.schedule),
            ("lr_end", &self.lr_end),
            ("steps", &self.steps),
            ("batch", &self.batch),
            ("seed", &self.seed),
            ("mode", &self.mode),
        ]
    }
}

/// A spec setting's option: `--data` for the dataset, `--lr-end` for `lr_end`.
fn flag(name: &str) -> String {
    match name {
        "dataset" => "--data".into(),
        n => format!("--{}", n.replace('_', "-")),
    }
}

fn bad(e: &SpecError) -> Failure {
    Failure::bad_input(format!("chainrule: error: {}\n", e.render(flag)))
}

/// Everything a run needs, checked.
pub struct Setup {
    pub trainer: Box<Trainer<Mlp>>,
    pub data: Dataset,
    pub objective: Objective,
    pub steps: usize,
    /// The L2 penalty, for the summary's loss.
    pub l2: f64,
    /// Whether each step sees a minibatch (so its loss and accuracy are the batch's).
    pub batched: bool,
    /// A line naming the data, model, loss and optimizer.
    pub title: String,
}

/// `--data`: a generated dataset's name (set in the spec), or a CSV file read now.
fn data(spec: &mut TrainSpec, data: Option<&str>) -> Result<Option<Dataset>, Failure> {
    let Some(name) = data else { return Ok(None) };
    let generated = !name.contains(['/', '.']) && !std::path::Path::new(name).exists();
    if dataset_kind(name).is_some() || generated {
        return match spec.set("dataset", name) {
            Ok(()) => Ok(None),
            Err(e) => Err(Failure::bad_input(format!(
                "chainrule: error: {}, or the path of a CSV file\n",
                e.render(flag)
            ))),
        };
    }
    let csv = load_csv(name).map_err(|e| {
        let help = match e {
            CsvError::Io { .. } => "check the path, or use a built-in dataset such as moons",
            CsvError::Parse { .. } => "each line holds the features, then a class label 0, 1, …, separated by commas (a first line of names is skipped)",
        };
        Failure::with_help(&format!("--data {name}: {e}"), help)
    })?;
    Ok(Some(csv))
}

/// A number in a few characters: `0.0051`, `1`, `2.500e-7`.
pub fn short(x: f64) -> String {
    if x == 0.0 || (1e-4..1e6).contains(&x.abs()) {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.3e}")
    }
}

/// The schedule in a few characters: `1 → 0.1 linear`.
fn rate(spec: &TrainSpec) -> String {
    let (lr, end) = (short(spec.lr()), short(spec.lr_end()));
    match spec.schedule.name {
        "constant" => lr,
        "step" => format!("{lr} halved every quarter"),
        falling => format!("{lr} → {end} {falling}"),
    }
}

/// Checks the options and builds the run: data and model from one generator seeded with
/// `--seed` (data first, as micrograd's demo), then the optimizer and the stepper.
pub fn setup(args: &Args) -> Result<Setup, Failure> {
    let mut spec = TrainSpec::default();
    let csv = data(&mut spec, args.data.as_deref())?;
    for (name, value) in args.settings() {
        if let Some(v) = value {
            spec.set(name, v).map_err(|e| bad(&e))?;
        }
    }
    let name = match &csv {
        Some(_) => args.data.clone().unwrap_or_default(),
        None => spec.dataset.name.to_string(),
    };
    let trainer = match csv {
        Some(d) => spec.build_on(d),
        None => spec.build(),
    }
    .map_err(|e| bad(&e))?;
    let data = trainer.data().clone();
    let model = trainer.model();
    let sizes: Vec<String> = std::iter::once(data.dim)
        .chain(model.shapes().iter().map(|s| s.outputs))
        .map(|n| n.to_string())
        .collect();
    let batch = spec.batch.filter(|&b| b < data.len());
    let title = format!(
        "{name} · {} {} · {} + {:e} L2 · {} lr {} · {} steps{}",
        sizes.join("-"),
        spec.activation.name(),
        spec.loss.name(),
        spec.l2,
        spec.optimizer.name,
        rate(&spec),
        spec.steps,
        batch.map_or(String::new(), |b| format!(", batch {b}")),
    );
    Ok(Setup {
        trainer: Box::new(trainer),
        data,
        objective: spec.loss,
        steps: spec.steps,
        l2: spec.l2,
        batched: batch.is_some(),
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        let cases = [(1.0, "1"), (0.1, "0.1"), (0.0051, "0.0051"), (0.0, "0")];
        for (x, s) in cases {
            assert_eq!(short(x), s);
        }
        assert_eq!(short(2.5e-7), "2.500e-7");
        assert_eq!(short(1e200), "1.000e200");
    }

    #[test]
    fn every_setting_of_the_spec_is_a_flag() {
        let args = <Args as clap::FromArgMatches>::from_arg_matches(
            &<Args as clap::Args>::augment_args(clap::Command::new("t")).get_matches_from(["t"]),
        )
        .unwrap();
        let mut names: Vec<&str> = args.settings().iter().map(|s| s.0).collect();
        names.push("dataset");
        for f in chainrule::nn::spec::FIELDS {
            assert!(names.contains(&f.name), "{} has no flag", f.name);
        }
    }
}

//! The options of `chainrule train`, checked and turned into data, a model, an optimizer
//! and a stepper. Bad values end with a message naming the option and what is allowed
//! (exit code 2), before any training.
//!
//! Minibatches (`--batch N`) are the library trainer's (`Trainer::with_batches`): each
//! step takes the next `N` samples of a seeded shuffle of the data. Progress then shows
//! the batch's loss and accuracy; the summary shows the trained model's on all the data.

use super::Failure;
use chainrule::data::{
    blobs, circles, load_csv, moons, sklearn_moons, spiral, CsvError, Dataset, Rng,
};
use chainrule::nn::{Activation, Adam, Mlp, Mode, Objective, Optimizer, Schedule, Sgd, Trainer};
use clap::builder::TypedValueParser;
use clap::ValueEnum;
use std::path::PathBuf;

/// Arguments of `train`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The data: moons, sklearn-moons (micrograd's demo exactly: scikit-learn's points and
    /// micrograd's initial weights, both seeded with --seed), circles, blobs, spiral, or a
    /// CSV file (features, then a class label 0, 1, …).
    #[arg(long, default_value = "moons", value_name = "NAME|FILE.csv")]
    pub data: String,
    /// How many samples a generated dataset has.
    #[arg(long, default_value_t = 100, value_parser = samples, value_name = "N")]
    pub samples: usize,
    /// The generated data's noise [default: 0.1; blobs 1.0, spiral 0.2].
    #[arg(long, value_parser = non_negative, allow_negative_numbers = true, value_name = "STD")]
    pub noise: Option<f64>,
    /// How many classes blobs and spiral have.
    #[arg(long, default_value_t = 2, value_parser = classes, value_name = "K")]
    pub classes: usize,
    /// Hidden layer sizes, e.g. 16,16 or 8 (`none` for a linear model). The output layer
    /// follows the loss: 1 output, or one per class for softmax-ce.
    #[arg(long, default_value = "16,16", value_parser = layers, value_name = "SIZES")]
    pub layers: Layers,
    /// The hidden layers' activation (the output layer is linear): one of the op table's
    /// activations (relu, tanh, sigmoid, softplus, leaky_relu with slope 0.01).
    #[arg(long, default_value = "relu", value_parser = hidden_activation(), ignore_case = true)]
    pub activation: Activation,
    /// The loss: max-margin (micrograd's), mse, bce (binary cross-entropy) or softmax-ce.
    #[arg(long, value_enum, default_value_t = LossName::MaxMargin, ignore_case = true)]
    pub loss: LossName,
    /// L2 regularisation: alpha · Σ p² added to the loss.
    #[arg(long, default_value_t = 1e-4, value_parser = non_negative, allow_negative_numbers = true, value_name = "ALPHA")]
    pub l2: f64,
    /// The optimizer: sgd, momentum (SGD with momentum 0.9), adam, adamw (weight decay 0.01).
    #[arg(long, value_enum, default_value_t = OptName::Sgd, ignore_case = true)]
    pub optimizer: OptName,
    /// The (starting) learning rate [default: sgd 1.0, momentum 0.1, adam and adamw 0.01].
    #[arg(long, value_parser = positive, allow_negative_numbers = true, value_name = "RATE")]
    pub lr: Option<f64>,
    /// How the rate changes: constant; linear or cosine from --lr down to --lr/10 at the
    /// last step; step halves it every quarter of the steps.
    #[arg(long, value_enum, default_value_t = SchedName::Linear, ignore_case = true)]
    pub schedule: SchedName,
    /// How many training steps.
    #[arg(long, default_value_t = 100, value_parser = steps, value_name = "N")]
    pub steps: usize,
    /// Samples per step, from a seeded shuffle [default: all of them].
    #[arg(long, value_parser = batch, value_name = "N")]
    pub batch: Option<usize>,
    /// The seed for the data, the initial weights and the minibatch shuffle.
    #[arg(long, default_value_t = 1337)]
    pub seed: u64,
    /// Rebuild each step's graph, or record it once and replay it (full batch only).
    #[arg(long, value_enum, default_value_t = ModeName::Rebuild, ignore_case = true)]
    pub mode: ModeName,
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

/// Hidden layer sizes.
#[derive(Clone, Debug)]
pub struct Layers(pub Vec<usize>);

/// `--activation`: the library's activations but the identity, by name.
fn hidden_activation() -> impl TypedValueParser<Value = Activation> {
    let names: Vec<&'static str> = Activation::ALL
        .into_iter()
        .filter(|&a| a != Activation::Linear)
        .map(Activation::name)
        .collect();
    clap::builder::PossibleValuesParser::new(names).map(|n: String| {
        // `ignore_case` lets RELU through as typed.
        Activation::from_name(&n.to_ascii_lowercase())
            .expect("a possible value is an activation's name")
    })
}

/// `--loss`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LossName {
    MaxMargin,
    Mse,
    Bce,
    SoftmaxCe,
}

/// `--optimizer`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OptName {
    Sgd,
    Momentum,
    Adam,
    #[value(name = "adamw")]
    AdamW,
}

/// `--schedule`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SchedName {
    Constant,
    Linear,
    Step,
    Cosine,
}

/// `--mode`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeName {
    Rebuild,
    Replay,
}

fn number(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a finite number")),
    }
}

fn positive(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (v > 0.0)
        .then_some(v)
        .ok_or_else(|| "the learning rate must be above 0, e.g. 0.1".into())
}

fn non_negative(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (v >= 0.0)
        .then_some(v)
        .ok_or_else(|| "must be 0 or more, e.g. 0.1".into())
}

fn whole(s: &str, lo: usize, hi: usize, what: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("{what} must be a whole number from {lo} to {hi}")),
    }
}

fn samples(s: &str) -> Result<usize, String> {
    whole(s, 1, 1_000_000, "the number of samples")
}

fn classes(s: &str) -> Result<usize, String> {
    whole(s, 1, 100, "the number of classes")
}

fn steps(s: &str) -> Result<usize, String> {
    whole(s, 1, 100_000_000, "the number of steps")
}

fn batch(s: &str) -> Result<usize, String> {
    whole(s, 1, usize::MAX, "the batch size")
}

fn layers(s: &str) -> Result<Layers, String> {
    let s = s.trim();
    if s.is_empty() || s == "none" {
        return Ok(Layers(Vec::new()));
    }
    s.split(',')
        .map(|f| {
            whole(f, 1, 100_000, "").map_err(|_| {
                format!("`{}` is not a layer size; write hidden layer sizes as whole numbers from 1 to 100000 separated by commas, e.g. 16,16", f.trim())
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Layers)
}

/// Everything a run needs, checked.
pub struct Setup {
    pub trainer: Box<Trainer<Mlp>>,
    pub data: Dataset,
    pub objective: Objective,
    pub steps: usize,
    /// Whether each step sees a minibatch (so its loss and accuracy are the batch's).
    pub batched: bool,
    /// A line naming the data, model, loss and optimizer.
    pub title: String,
}

fn bad(option: &str, why: String) -> Failure {
    Failure::bad_input(format!("chainrule: error: {option}: {why}\n"))
}

/// `--data sklearn-moons`: micrograd's demo data and initial weights, made as NumPy,
/// scikit-learn and Python's `random` make them.
const SKLEARN_MOONS: &str = "sklearn-moons";

/// `--seed` for NumPy's legacy generator, which takes 32 bits.
fn numpy_seed(seed: u64) -> Result<u32, Failure> {
    u32::try_from(seed).map_err(|_| {
        bad(
            "--seed",
            format!("{seed} is too large for sklearn-moons: NumPy's np.random.seed takes 0 to 4294967295"),
        )
    })
}

/// The data as `--data` and friends say.
fn dataset(args: &Args, rng: &mut Rng) -> Result<(Dataset, String), Failure> {
    let (n, k) = (args.samples, args.classes);
    let noise = |d: f64| args.noise.unwrap_or(d);
    let d = match args.data.as_str() {
        "moons" | "circles" | SKLEARN_MOONS if k != 2 => {
            return Err(bad(
                "--classes",
                format!(
                    "{} has 2 classes; --classes is for blobs and spiral",
                    args.data
                ),
            ))
        }
        "moons" => moons(n, noise(0.1), rng),
        SKLEARN_MOONS => sklearn_moons(n, noise(0.1), numpy_seed(args.seed)?),
        "circles" => circles(n, noise(0.1), 0.5, rng),
        "blobs" => blobs(n, k, noise(1.0), rng),
        "spiral" => spiral(n, k, noise(0.2), rng),
        path => {
            let p = std::path::Path::new(path);
            if !p.exists() && !path.contains(['/', '.']) {
                return Err(bad(
                    &format!("--data {path}"),
                    "not a dataset: use moons, sklearn-moons, circles, blobs, spiral, or the path of a CSV file"
                        .into(),
                ));
            }
            let d = load_csv(p).map_err(|e| {
                let help = match e {
                    CsvError::Io { .. } => "check the path, or use a built-in dataset such as moons",
                    CsvError::Parse { .. } => "each line holds the features, then a class label 0, 1, …, separated by commas (a first line of names is skipped)",
                };
                Failure::with_help(&format!("--data {path}: {e}"), help)
            })?;
            return Ok((d, path.to_string()));
        }
    };
    Ok((d, args.data.clone()))
}

fn objective(l: LossName) -> Objective {
    match l {
        LossName::MaxMargin => Objective::MaxMargin,
        LossName::Mse => Objective::Mse,
        LossName::Bce => Objective::Bce,
        LossName::SoftmaxCe => Objective::SoftmaxCe,
    }
}

fn optimizer(args: &Args) -> (Box<dyn Optimizer>, f64) {
    let lr = args.lr.unwrap_or(match args.optimizer {
        OptName::Sgd => 1.0,
        OptName::Momentum => 0.1,
        OptName::Adam | OptName::AdamW => 0.01,
    });
    let steps = args.steps;
    let schedule = match args.schedule {
        SchedName::Constant => Schedule::Constant(lr),
        SchedName::Linear => Schedule::Linear {
            start: lr,
            end: lr / 10.0,
            steps,
        },
        SchedName::Cosine => Schedule::Cosine {
            start: lr,
            end: lr / 10.0,
            steps,
        },
        SchedName::Step => Schedule::Step {
            lr,
            factor: 0.5,
            every: (steps / 4).max(1),
        },
    };
    let opt: Box<dyn Optimizer> = match args.optimizer {
        OptName::Sgd => Box::new(Sgd::new(schedule)),
        OptName::Momentum => Box::new(Sgd::new(schedule).with_momentum(0.9)),
        OptName::Adam => Box::new(Adam::new(schedule)),
        OptName::AdamW => Box::new(Adam::adamw(schedule, 0.01)),
    };
    (opt, lr)
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
fn rate(s: SchedName, lr: f64) -> String {
    match s {
        SchedName::Constant => short(lr),
        SchedName::Linear => format!("{} → {} linear", short(lr), short(lr / 10.0)),
        SchedName::Cosine => format!("{} → {} cosine", short(lr), short(lr / 10.0)),
        SchedName::Step => format!("{} halved every quarter", short(lr)),
    }
}

/// Checks the options and builds the run: data and model from one generator seeded with
/// `--seed` (data first, as micrograd's demo), then the optimizer and the stepper.
pub fn setup(args: &Args) -> Result<Setup, Failure> {
    let mut rng = Rng::new(args.seed);
    let (data, name) = dataset(args, &mut rng)?;
    let objective = objective(args.loss);
    let act = args.activation;
    let outputs = match objective {
        Objective::SoftmaxCe => data.classes.max(1),
        _ => 1,
    };
    let mut shape: Vec<(usize, Activation)> = args.layers.0.iter().map(|&n| (n, act)).collect();
    shape.push((outputs, Activation::Linear));
    // micrograd's weights go with micrograd's data: its demo seeds both with 1337.
    let model = if args.data == SKLEARN_MOONS {
        Mlp::micrograd(data.dim, &shape, args.seed)
    } else {
        Mlp::new(data.dim, &shape, &mut rng)
    };
    let (opt, lr) = optimizer(args);
    let batch = args.batch.filter(|&b| b < data.len());
    let mode = match (args.mode, batch) {
        (ModeName::Replay, Some(_)) => {
            return Err(bad(
                "--mode replay",
                "a replayed graph is the same every step, so it cannot take a new minibatch; drop --batch or use --mode rebuild".into(),
            ))
        }
        (ModeName::Replay, None) => Mode::Replay,
        (ModeName::Rebuild, _) => Mode::Rebuild,
    };
    let mut trainer = Trainer::new(model, data.clone(), objective, args.l2, opt, mode)
        .map_err(|e| bad(&format!("--loss {}", objective.name()), e.0))?;
    if let Some(size) = batch {
        trainer = trainer
            .with_batches(size, rng)
            .map_err(|e| bad("--batch", e.0))?;
    }
    let sizes: Vec<String> = std::iter::once(data.dim)
        .chain(shape.iter().map(|s| s.0))
        .map(|n| n.to_string())
        .collect();
    let title = format!(
        "{name} · {} {} · {} + {:e} L2 · {} lr {} · {} steps{}",
        sizes.join("-"),
        act.name(),
        objective.name(),
        args.l2,
        args.optimizer
            .to_possible_value()
            .expect("named")
            .get_name(),
        rate(args.schedule, lr),
        args.steps,
        batch.map_or(String::new(), |b| format!(", batch {b}")),
    );
    Ok(Setup {
        trainer: Box::new(trainer),
        data,
        objective,
        steps: args.steps,
        batched: batch.is_some(),
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_sizes_parse_or_say_what_is_wrong() {
        assert_eq!(layers("16,16").unwrap().0, vec![16, 16]);
        assert_eq!(layers(" 8 , 4 ").unwrap().0, vec![8, 4]);
        assert!(layers("none").unwrap().0.is_empty());
        for bad in ["16,x", "16,0", "16,", "-3", "1.5"] {
            let e = layers(bad).unwrap_err();
            assert!(
                e.contains("is not a layer size") && e.contains("e.g. 16,16"),
                "{e}"
            );
        }
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(positive("0.5"), Ok(0.5));
        assert!(positive("0").is_err() && positive("-1").is_err() && positive("inf").is_err());
        assert_eq!(non_negative("0"), Ok(0.0));
        assert!(non_negative("-1e-9").is_err() && non_negative("NaN").is_err());
        assert_eq!(steps("100"), Ok(100));
        assert!(steps("0").is_err() && batch("-1").is_err() && samples("1e3").is_err());
    }

    #[test]
    fn short_numbers() {
        let cases = [(1.0, "1"), (0.1, "0.1"), (0.0051, "0.0051"), (0.0, "0")];
        for (x, s) in cases {
            assert_eq!(short(x), s);
        }
        assert_eq!(short(2.5e-7), "2.500e-7");
        assert_eq!(short(1e200), "1.000e200");
    }
}

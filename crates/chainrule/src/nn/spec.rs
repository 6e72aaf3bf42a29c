//! One training spec: every setting of a training run (the data, the model, the loss, the
//! optimizer and its schedule, the steps), each with its default, its bounds and an error
//! that names it and says what it takes. The command line's `train`, the live page (served
//! and in WebAssembly) and the Python package all read this spec, so each default and
//! each bound is written once, here.
//!
//! The spec is typed ([`TrainSpec`]'s fields) and has a string interface for whoever gets
//! text (a flag, a JSON value, a Python argument): [`TrainSpec::set`] parses and checks one
//! setting by name, and [`FIELDS`] lists every setting with its help, its default and what
//! it takes, for `--help` texts and docs. [`TrainSpec::build`] checks the whole spec and
//! makes the data, the model, the optimizer and the [`Trainer`].
//!
//! The defaults are micrograd's demo: 100 moons samples with noise 0.1 from seed 1337, a
//! 2-16-16-1 relu MLP, max-margin loss plus 1e-4 L2, SGD falling linearly from 1.0 to 0.1,
//! 100 full-batch steps.
//!
//! ```
//! use chainrule::nn::TrainSpec;
//! let mut spec = TrainSpec::default();
//! spec.set("steps", "20").unwrap();
//! let e = spec.set("lr", "-1").unwrap_err();
//! assert_eq!(e.to_string(), "lr must be a finite number above 0, got -1");
//! let mut trainer = spec.build().unwrap();
//! assert_eq!(trainer.step().accuracy, 0.5);
//! ```
//!
//! A transport with tighter limits (the live page trains at most 1,000 steps, say) gives
//! the spec tighter [`SpecBounds`]; the checks and their messages stay these.

use super::data::{dataset_kind, Dataset, DatasetKind, Rng, DATASETS};
use super::module::{Activation, Mlp, Module};
use super::optim::{
    optimizer_kind, schedule_kind, Optimizer, OptimizerKind, Schedule, ScheduleKind, OPTIMIZERS,
    SCHEDULES,
};
use super::train::{Mode, Objective, Trainer};
use std::fmt;

/// Every setting of a training run. [`TrainSpec::default`] is micrograd's demo; `None`
/// means "the default that depends on another setting" (the dataset's noise, the
/// optimizer's rate, a tenth of the rate, the full batch, replay when the batch is full).
#[derive(Clone, Debug)]
pub struct TrainSpec {
    /// The generated dataset.
    pub dataset: &'static DatasetKind,
    /// How many samples it has.
    pub samples: usize,
    /// Its noise; `None`: the dataset's own default.
    pub noise: Option<f64>,
    /// How many classes, for a dataset whose classes are not fixed.
    pub classes: usize,
    /// Seeds the data, the initial weights and the minibatch shuffle (in that order).
    pub seed: u64,
    /// Hidden layer widths (the output layer follows the loss).
    pub layers: Vec<usize>,
    /// The hidden layers' activation (the output layer is linear).
    pub activation: Activation,
    /// What is minimised (plus the L2 term).
    pub loss: Objective,
    /// The optimizer.
    pub optimizer: &'static OptimizerKind,
    /// How the learning rate changes over the steps.
    pub schedule: &'static ScheduleKind,
    /// The starting learning rate; `None`: the optimizer's default.
    pub lr: Option<f64>,
    /// The rate a falling schedule ends at; `None`: a tenth of the starting rate.
    pub lr_end: Option<f64>,
    /// The L2 penalty: `l2 · Σ p²` is added to the loss.
    pub l2: f64,
    /// Samples per step; `None`: all of them.
    pub batch: Option<usize>,
    /// How many steps a run takes.
    pub steps: usize,
    /// Rebuild each step's graph or replay one recording; `None`: replay for full batches.
    pub mode: Option<Mode>,
    /// The bounds every setting is checked against.
    pub bounds: SpecBounds,
}

impl Default for TrainSpec {
    /// micrograd's demo, within the library's bounds.
    fn default() -> TrainSpec {
        TrainSpec {
            dataset: &DATASETS[0],
            samples: 100,
            noise: None,
            classes: 2,
            seed: 1337,
            layers: vec![16, 16],
            activation: Activation::Relu,
            loss: Objective::MaxMargin,
            optimizer: &OPTIMIZERS[0],
            schedule: schedule_kind("linear").expect("a linear schedule"),
            lr: None,
            lr_end: None,
            l2: 1e-4,
            batch: None,
            steps: 100,
            mode: None,
            bounds: SpecBounds::LIBRARY,
        }
    }
}

/// How far each setting may go. [`SpecBounds::LIBRARY`] is what the library allows; a
/// transport may only tighten it (a page for many users trains smaller models).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpecBounds {
    /// The most samples a generated dataset may have.
    pub samples: usize,
    /// The fewest classes.
    pub min_classes: usize,
    /// The most classes.
    pub max_classes: usize,
    /// The most steps.
    pub steps: usize,
    /// The most neurons in one hidden layer.
    pub width: usize,
    /// The most hidden layers.
    pub hidden_layers: usize,
    /// The most noise (infinite: no bound but finiteness).
    pub noise: f64,
    /// The most parameters a model may have.
    pub params: usize,
    /// The most nodes one step's graph may have (bounds memory: some 40 bytes a node).
    pub graph_nodes: usize,
}

impl SpecBounds {
    /// The library's own bounds: generous, but every one keeps a run within memory.
    pub const LIBRARY: SpecBounds = SpecBounds {
        samples: 10_000_000,
        min_classes: 1,
        max_classes: 1000,
        steps: 1_000_000_000,
        width: 100_000,
        hidden_layers: 100,
        noise: f64::INFINITY,
        params: 100_000_000,
        graph_nodes: 1 << 27,
    };

    /// The tighter of `self` and `other`, bound by bound.
    pub fn tighter(self, other: SpecBounds) -> SpecBounds {
        SpecBounds {
            samples: self.samples.min(other.samples),
            min_classes: self.min_classes.max(other.min_classes),
            max_classes: self.max_classes.min(other.max_classes),
            steps: self.steps.min(other.steps),
            width: self.width.min(other.width),
            hidden_layers: self.hidden_layers.min(other.hidden_layers),
            noise: self.noise.min(other.noise),
            params: self.params.min(other.params),
            graph_nodes: self.graph_nodes.min(other.graph_nodes),
        }
    }
}

/// A setting that is not allowed, or settings that do not go together: the message
/// names every setting it is about, so each transport can call them by its own names
/// (`--batch` on the command line, `batch_size` in Python) with [`SpecError::render`].
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    field: Option<&'static str>,
    parts: Vec<Part>,
}

/// A piece of a [`SpecError`]'s message: text, or a setting's name.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Name(&'static str),
}

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

impl SpecError {
    /// `field` must be `allowed`, and was given `got`.
    fn bad(field: &'static str, allowed: String, got: String) -> SpecError {
        SpecError::about(
            field,
            vec![
                Part::Name(field),
                text(format!(" must be {allowed}, got {got}")),
            ],
        )
    }

    fn about(field: &'static str, parts: Vec<Part>) -> SpecError {
        SpecError {
            field: Some(field),
            parts,
        }
    }

    /// The setting at fault (`None` for a name that is no setting).
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// The message, with each setting called `name(setting)`.
    ///
    /// ```
    /// let e = chainrule::nn::TrainSpec::default().set("steps", "0").unwrap_err();
    /// let cli = e.render(|f| format!("--{f}"));
    /// assert_eq!(cli, "--steps must be a whole number from 1 to 1000000000, got 0");
    /// ```
    pub fn render(&self, name: impl Fn(&'static str) -> String) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Name(f) => name(f),
            })
            .collect()
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|n| n.to_string()))
    }
}

impl std::error::Error for SpecError {}

/// A choice setting's names, each with a few words on it.
type Choices = fn() -> Vec<(&'static str, &'static str)>;

/// One setting of the spec: its name, what it means, what it takes and its default, and
/// how it is read from text, checked and shown.
pub struct Field {
    /// The name (`samples`), as [`TrainSpec::set`] takes it.
    pub name: &'static str,
    /// What it means, in a sentence without a full stop.
    pub help: &'static str,
    /// A placeholder for its value in usage texts (`N`, `RATE`).
    pub value_name: &'static str,
    /// The names it takes, each with a few words on it, for a setting that is a choice.
    choices: Option<Choices>,
    /// The default, when it depends on other settings (said in words).
    varies: Option<fn() -> String>,
    allowed: fn(&SpecBounds) -> String,
    /// Reads the text into the spec; `false` when it is not of the setting's kind.
    parse: fn(&mut TrainSpec, &str) -> bool,
    ok: fn(&TrainSpec) -> bool,
    show: fn(&TrainSpec) -> String,
}

impl Field {
    /// What it takes within `bounds`: `a whole number from 1 to 1000`, `one of sgd, adam`.
    pub fn allowed(&self, bounds: &SpecBounds) -> String {
        match self.choices {
            Some(_) => format!("one of {}", self.choices().unwrap_or_default().join(", ")),
            None => (self.allowed)(bounds),
        }
    }

    /// The names it takes, for a setting that is a choice (`loss`, `optimizer`, …).
    pub fn choices(&self) -> Option<Vec<&'static str>> {
        self.choices
            .map(|all| all().into_iter().map(|(name, _)| name).collect())
    }

    /// The names it takes, each with a few words on it (empty where the name says it
    /// all), for a setting that is a choice.
    pub fn choice_help(&self) -> Option<Vec<(&'static str, &'static str)>> {
        self.choices.map(|all| all())
    }

    /// Its default, as text: `100`, or `0.1 (blobs 1, spiral 0.2)` when it depends on
    /// another setting.
    pub fn default_text(&self) -> String {
        match self.varies {
            Some(words) => words(),
            None => (self.show)(&TrainSpec::default()),
        }
    }

    /// Its value in `spec`, as text that [`TrainSpec::set`] reads back.
    pub fn show(&self, spec: &TrainSpec) -> String {
        (self.show)(spec)
    }

    fn error(&self, bounds: &SpecBounds, got: &str) -> SpecError {
        let got = match self.choices {
            Some(_) => format!("{got:?}"),
            None => got.to_string(),
        };
        SpecError::bad(self.name, self.allowed(bounds), got)
    }
}

fn whole(t: &str) -> Option<usize> {
    t.parse().ok()
}

fn number(t: &str) -> Option<f64> {
    t.parse().ok()
}

fn at_least_0(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn named<T>(
    all: &[T],
    name: fn(&T) -> (&'static str, &'static str),
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(name).collect()
}

/// The activations a hidden layer may have: every one but the identity.
fn hidden_activations() -> Vec<Activation> {
    Activation::ALL
        .into_iter()
        .filter(|&a| a != Activation::Linear)
        .collect()
}

/// `first (name value, …)`: a default that depends on a choice, said for each choice
/// whose value differs from the first's.
fn per_choice<T>(all: &[T], value: fn(&T) -> f64, name: fn(&T) -> &'static str) -> String {
    let first = value(&all[0]);
    let others: Vec<String> = all[1..]
        .iter()
        .filter(|k| value(k) != first)
        .map(|k| format!("{} {}", name(k), value(k)))
        .collect();
    format!("{first} ({})", others.join(", "))
}

/// Every setting of the spec, in the order a reader meets them: data, model, loss,
/// optimizer, run.
pub const FIELDS: &[Field] = &[
    Field {
        name: "dataset",
        help: "The generated data",
        value_name: "NAME",
        choices: Some(|| named(DATASETS, |d| (d.name, d.help))),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| dataset_kind(t).map(|v| s.dataset = v).is_some(),
        ok: |_| true,
        show: |s| s.dataset.name.into(),
    },
    Field {
        name: "samples",
        help: "How many samples the generated data has",
        value_name: "N",
        choices: None,
        varies: None,
        allowed: |b| format!("a whole number from 1 to {}", b.samples),
        parse: |s, t| whole(t).map(|v| s.samples = v).is_some(),
        ok: |s| (1..=s.bounds.samples).contains(&s.samples),
        show: |s| s.samples.to_string(),
    },
    Field {
        name: "noise",
        help: "The generated data's noise (a standard deviation)",
        value_name: "STD",
        choices: None,
        varies: Some(|| per_choice(DATASETS, |d| d.noise, |d| d.name)),
        allowed: |b| match b.noise {
            hi if hi.is_finite() => format!("a number from 0 to {hi}"),
            _ => "a finite number of at least 0".into(),
        },
        parse: |s, t| number(t).map(|v| s.noise = Some(v)).is_some(),
        ok: |s| at_least_0(s.noise()) && s.noise() <= s.bounds.noise,
        show: |s| s.noise().to_string(),
    },
    Field {
        name: "classes",
        help: "How many classes blobs and spiral have",
        value_name: "K",
        choices: None,
        varies: None,
        allowed: |b| format!("a whole number from {} to {}", b.min_classes, b.max_classes),
        parse: |s, t| whole(t).map(|v| s.classes = v).is_some(),
        ok: |s| (s.bounds.min_classes..=s.bounds.max_classes).contains(&s.classes),
        show: |s| s.classes.to_string(),
    },
    Field {
        name: "seed",
        help: "Seeds the data, then the initial weights, then the minibatch shuffle",
        value_name: "SEED",
        choices: None,
        varies: None,
        allowed: |_| format!("a whole number from 0 to {}", u64::MAX),
        parse: |s, t| t.parse().ok().map(|v| s.seed = v).is_some(),
        ok: |_| true,
        show: |s| s.seed.to_string(),
    },
    Field {
        name: "layers",
        help: "The hidden layers' widths (the output layer follows the loss: one output, \
               or one per class for softmax-ce)",
        value_name: "SIZES",
        choices: None,
        varies: None,
        allowed: |b| {
            format!(
                "widths from 1 to {} separated by commas (e.g. 16,16), at most {} layers, or none",
                b.width, b.hidden_layers
            )
        },
        parse: |s, t| {
            let t = t.trim_matches(|c| c == '[' || c == ']').trim();
            let layers = match t {
                "" | "none" => Some(Vec::new()),
                _ => t.split(',').map(|w| whole(w.trim())).collect(),
            };
            layers.map(|v| s.layers = v).is_some()
        },
        ok: |s| {
            let b = &s.bounds;
            s.layers.len() <= b.hidden_layers && s.layers.iter().all(|w| (1..=b.width).contains(w))
        },
        show: |s| match &s.layers[..] {
            [] => "none".into(),
            ws => ws
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(","),
        },
    },
    Field {
        name: "activation",
        help: "The hidden layers' activation (the output layer is linear)",
        value_name: "NAME",
        choices: Some(|| {
            hidden_activations()
                .into_iter()
                .map(|a| (a.name(), ""))
                .collect()
        }),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| {
            let hidden = Activation::from_name(t).filter(|&a| a != Activation::Linear);
            hidden.map(|v| s.activation = v).is_some()
        },
        ok: |s| s.activation != Activation::Linear,
        show: |s| s.activation.name().into(),
    },
    Field {
        name: "loss",
        help: "What is minimised, plus the L2 term",
        value_name: "NAME",
        choices: Some(|| named(&Objective::ALL, |o| (o.name(), o.help()))),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| Objective::from_name(t).map(|v| s.loss = v).is_some(),
        ok: |_| true,
        show: |s| s.loss.name().into(),
    },
    Field {
        name: "optimizer",
        help: "The optimizer",
        value_name: "NAME",
        choices: Some(|| named(OPTIMIZERS, |o| (o.name, o.help))),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| optimizer_kind(t).map(|v| s.optimizer = v).is_some(),
        ok: |_| true,
        show: |s| s.optimizer.name.into(),
    },
    Field {
        name: "schedule",
        help: "How the learning rate changes over the steps",
        value_name: "NAME",
        choices: Some(|| named(SCHEDULES, |s| (s.name, s.help))),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| schedule_kind(t).map(|v| s.schedule = v).is_some(),
        ok: |_| true,
        show: |s| s.schedule.name.into(),
    },
    Field {
        name: "lr",
        help: "The (starting) learning rate",
        value_name: "RATE",
        choices: None,
        varies: Some(|| per_choice(OPTIMIZERS, |o| o.lr, |o| o.name)),
        allowed: |_| "a finite number above 0".into(),
        parse: |s, t| number(t).map(|v| s.lr = Some(v)).is_some(),
        ok: |s| s.lr().is_finite() && s.lr() > 0.0,
        show: |s| s.lr().to_string(),
    },
    Field {
        name: "lr_end",
        help: "The rate the linear and cosine schedules end at",
        value_name: "RATE",
        choices: None,
        varies: Some(|| "a tenth of lr".into()),
        allowed: |_| "a finite number of at least 0".into(),
        parse: |s, t| number(t).map(|v| s.lr_end = Some(v)).is_some(),
        ok: |s| at_least_0(s.lr_end()),
        show: |s| s.lr_end().to_string(),
    },
    Field {
        name: "l2",
        help: "L2 regularisation: l2 · Σ p² is added to the loss",
        value_name: "ALPHA",
        choices: None,
        varies: None,
        allowed: |_| "a finite number of at least 0".into(),
        parse: |s, t| number(t).map(|v| s.l2 = v).is_some(),
        ok: |s| at_least_0(s.l2),
        show: |s| s.l2.to_string(),
    },
    Field {
        name: "batch",
        help: "Samples per step, from a seeded shuffle (all: full batch)",
        value_name: "N",
        choices: None,
        varies: None,
        allowed: |_| "a whole number from 1, or all".into(),
        parse: |s, t| match t {
            "all" => {
                s.batch = None;
                true
            }
            n => whole(n).map(|v| s.batch = Some(v)).is_some(),
        },
        ok: |s| s.batch != Some(0),
        show: |s| s.batch.map_or("all".into(), |b| b.to_string()),
    },
    Field {
        name: "steps",
        help: "How many training steps",
        value_name: "N",
        choices: None,
        varies: None,
        allowed: |b| format!("a whole number from 1 to {}", b.steps),
        parse: |s, t| whole(t).map(|v| s.steps = v).is_some(),
        ok: |s| (1..=s.bounds.steps).contains(&s.steps),
        show: |s| s.steps.to_string(),
    },
    Field {
        name: "mode",
        help: "How each step's graph is made (the numbers are the same either way)",
        value_name: "MODE",
        choices: Some(|| {
            vec![
                ("auto", "replay for full batches, else rebuild"),
                ("rebuild", "record each step's graph anew"),
                (
                    "replay",
                    "record the first step, replay it (full batch only)",
                ),
            ]
        }),
        varies: None,
        allowed: |_| String::new(),
        parse: |s, t| {
            let mode = match t {
                "auto" => None,
                "rebuild" => Some(Mode::Rebuild),
                "replay" => Some(Mode::Replay),
                _ => return false,
            };
            s.mode = mode;
            true
        },
        ok: |_| true,
        show: |s| match s.mode {
            None => "auto".into(),
            Some(Mode::Rebuild) => "rebuild".into(),
            Some(Mode::Replay) => "replay".into(),
        },
    },
];

/// The setting called `name`, if there is one.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// An upper bound on the nodes of one training step's graph over `rows` samples through
/// `model` (its parameters, each sample's inputs, a fused dot, a bias and an activation
/// per neuron, the loss's terms).
pub fn step_graph_nodes(model: &Mlp, rows: usize) -> u128 {
    let neurons: usize = model.shapes().iter().map(|s| s.outputs).sum();
    let per_sample = model.inputs() + 3 * neurons + 2 * model.outputs() + 8;
    model.params().len() as u128 + rows as u128 * per_sample as u128 + 16
}

impl TrainSpec {
    /// micrograd's demo, held to `bounds` (never looser than the library's own).
    pub fn with_bounds(bounds: SpecBounds) -> TrainSpec {
        TrainSpec {
            bounds: SpecBounds::LIBRARY.tighter(bounds),
            ..TrainSpec::default()
        }
    }

    /// Sets the setting called `name` from text, checked against the bounds: the spec is
    /// unchanged when the text is not allowed. Whether settings go together (classes and
    /// the dataset, say) is checked by [`TrainSpec::check`].
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SpecError> {
        let f = field(name).ok_or_else(|| SpecError {
            field: None,
            parts: vec![text(format!(
                "there is no setting {name:?}; the settings are {}",
                FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
            ))],
        })?;
        // Choices are names in lower case; `RELU` is `relu`.
        let lowered;
        let value = match f.choices {
            Some(_) => {
                lowered = value.trim().to_ascii_lowercase();
                lowered.as_str()
            }
            None => value.trim(),
        };
        let mut next = self.clone();
        match (f.parse)(&mut next, value) {
            true if (f.ok)(&next) => {
                *self = next;
                Ok(())
            }
            _ => Err(f.error(&self.bounds, value)),
        }
    }

    /// Checks every setting against the bounds, then that they go together.
    pub fn check(&self) -> Result<(), SpecError> {
        self.check_run()?;
        if self.dataset.micrograd && self.seed > u64::from(u32::MAX) {
            return Err(SpecError::bad(
                "seed",
                format!(
                    "a whole number from 0 to {} for {} (NumPy's np.random.seed takes 0 to {})",
                    u32::MAX,
                    self.dataset.name,
                    u32::MAX
                ),
                self.seed.to_string(),
            ));
        }
        if let Some(k) = self.dataset.classes.filter(|&k| k != self.classes) {
            let free: Vec<&str> = DATASETS
                .iter()
                .filter(|d| d.classes.is_none())
                .map(|d| d.name)
                .collect();
            return Err(SpecError::about(
                "classes",
                vec![
                    text(format!("{} has {k} classes; ", self.dataset.name)),
                    Part::Name("classes"),
                    text(format!(" is for {}", free.join(" and "))),
                ],
            ));
        }
        Ok(())
    }

    /// Checks every setting against the bounds, and that the run's settings go together;
    /// not whether the generated data's do (for a run on data of the caller's).
    fn check_run(&self) -> Result<(), SpecError> {
        if let Some(f) = FIELDS.iter().find(|f| !(f.ok)(self)) {
            return Err(f.error(&self.bounds, &(f.show)(self)));
        }
        if self.lr_end.is_some() && !self.schedule.ends {
            let ending: Vec<&str> = SCHEDULES
                .iter()
                .filter(|s| s.ends)
                .map(|s| s.name)
                .collect();
            return Err(SpecError::about(
                "lr_end",
                vec![
                    Part::Name("lr_end"),
                    text(format!(
                        " is for the {} schedules, not {}; drop it",
                        ending.join(" and "),
                        self.schedule.name
                    )),
                ],
            ));
        }
        Ok(())
    }

    /// The noise: as set, or the dataset's default.
    pub fn noise(&self) -> f64 {
        self.noise.unwrap_or(self.dataset.noise)
    }

    /// The starting learning rate: as set, or the optimizer's default.
    pub fn lr(&self) -> f64 {
        self.lr.unwrap_or(self.optimizer.lr)
    }

    /// The rate a falling schedule ends at: as set, or a tenth of the starting rate.
    pub fn lr_end(&self) -> f64 {
        self.lr_end.unwrap_or(self.lr() / 10.0)
    }

    /// The learning-rate schedule over the run's steps.
    pub fn rate_schedule(&self) -> Schedule {
        (self.schedule.make)(self.lr(), self.lr_end(), self.steps)
    }

    /// A fresh optimizer with the spec's schedule.
    pub fn make_optimizer(&self) -> Box<dyn Optimizer> {
        (self.optimizer.make)(self.rate_schedule())
    }

    /// The generated data, from a generator seeded with `seed`.
    pub fn dataset(&self) -> Result<Dataset, SpecError> {
        self.check()?;
        Ok(self.generate(&mut Rng::new(self.seed)))
    }

    fn generate(&self, rng: &mut Rng) -> Dataset {
        let classes = self.dataset.classes.unwrap_or(self.classes).max(1);
        (self.dataset.make)(self.samples, classes, self.noise(), self.seed, rng)
    }

    /// The data, model, optimizer and trainer, from one generator seeded with `seed`: the
    /// data first, then the initial weights, then the minibatch shuffle (micrograd's
    /// order). For micrograd's own data (`sklearn-moons`), the data and the weights are
    /// made as NumPy, scikit-learn and Python's `random` make them, from `seed`.
    pub fn build(&self) -> Result<Trainer<Mlp>, SpecError> {
        self.check()?;
        let mut rng = Rng::new(self.seed);
        let data = self.generate(&mut rng);
        if !self.dataset.micrograd {
            return self.train_with(data, rng);
        }
        let shape = self.shape(data.dim, data.classes)?;
        let model = Mlp::micrograd(data.dim, &shape, self.seed);
        self.trainer(model, data, rng)
    }

    /// As [`TrainSpec::build`], on data of the caller's (a CSV file, say) instead of the
    /// generated data: the dataset settings are not used.
    pub fn build_on(&self, data: Dataset) -> Result<Trainer<Mlp>, SpecError> {
        self.check_run()?;
        self.train_with(data, Rng::new(self.seed))
    }

    fn train_with(&self, data: Dataset, mut rng: Rng) -> Result<Trainer<Mlp>, SpecError> {
        let model = self.model(data.dim, data.classes, &mut rng)?;
        self.trainer(model, data, rng)
    }

    /// A new model for `inputs` features and `classes` classes: the hidden layers, then a
    /// linear output layer of one output (one per class for softmax-ce), weights drawn
    /// from `rng`. Refused when it would have more parameters than the bounds allow.
    pub fn model(&self, inputs: usize, classes: usize, rng: &mut Rng) -> Result<Mlp, SpecError> {
        let shape = self.shape(inputs, classes)?;
        Ok(Mlp::new(inputs, &shape, rng))
    }

    /// The layers of a model for `inputs` features and `classes` classes, checked against
    /// the bound on parameters.
    fn shape(&self, inputs: usize, classes: usize) -> Result<Vec<(usize, Activation)>, SpecError> {
        self.check_run()?;
        let outputs = match self.loss {
            Objective::SoftmaxCe => classes.max(1),
            _ => 1,
        };
        let mut shape: Vec<(usize, Activation)> =
            self.layers.iter().map(|&w| (w, self.activation)).collect();
        shape.push((outputs, Activation::Linear));
        let mut params = 0u128;
        let mut nin = inputs;
        for &(w, _) in &shape {
            params += (nin as u128 + 1) * w as u128;
            nin = w;
        }
        if params > self.bounds.params as u128 {
            return Err(SpecError::about(
                "layers",
                vec![
                    Part::Name("layers"),
                    text(format!(
                        ": the model would have {params} parameters, more than {}; \
                         use smaller layers",
                        self.bounds.params
                    )),
                ],
            ));
        }
        Ok(shape)
    }

    /// A trainer of `model` on `data` with the spec's loss, L2, optimizer, batch and mode;
    /// minibatches are shuffled by `rng`. A batch of at least the data's size is the full
    /// batch. Refused when the model does not fit the data or the loss, when replay is
    /// asked for minibatches, or when one step's graph would pass the bounds.
    pub fn trainer(&self, model: Mlp, data: Dataset, rng: Rng) -> Result<Trainer<Mlp>, SpecError> {
        self.check_run()?;
        let batch = self.batch.filter(|&b| b < data.len());
        let mode = match (self.mode, batch) {
            (Some(Mode::Replay), Some(_)) => {
                return Err(SpecError::about(
                    "mode",
                    vec![
                        Part::Name("mode"),
                        text(
                            " replay records the step's graph once, so it cannot take a new \
                             minibatch each step; drop ",
                        ),
                        Part::Name("batch"),
                        text(" or use "),
                        Part::Name("mode"),
                        text(" auto"),
                    ],
                ))
            }
            (Some(m), _) => m,
            (None, None) => Mode::Replay,
            (None, Some(_)) => Mode::Rebuild,
        };
        let rows = batch.unwrap_or(data.len());
        if step_graph_nodes(&model, rows) > self.bounds.graph_nodes as u128 {
            return Err(SpecError::about(
                "batch",
                vec![
                    text(format!(
                        "{rows} samples through a model of {} parameters make a graph too large \
                         for one step (over {} nodes); train on minibatches (",
                        model.params().len(),
                        self.bounds.graph_nodes
                    )),
                    Part::Name("batch"),
                    text(") or a smaller model"),
                ],
            ));
        }
        let loss = |e: super::train::TrainError| {
            SpecError::about(
                "loss",
                vec![
                    Part::Name("loss"),
                    text(format!(" {}: {e}", self.loss.name())),
                ],
            )
        };
        let t = Trainer::new(model, data, self.loss, self.l2, self.make_optimizer(), mode)
            .map_err(loss)?;
        match batch {
            Some(size) => t.with_batches(size, rng).map_err(loss),
            None => Ok(t),
        }
    }

    /// The spec's settings as a Markdown table (setting, default, allowed, meaning) within
    /// its bounds, then each choice that has a few words on it: the docs' list of
    /// training settings.
    pub fn markdown(&self) -> String {
        let mut out =
            String::from("| setting | default | allowed | meaning |\n|---|---|---|---|\n");
        let mut notes = String::new();
        for f in FIELDS {
            out += &format!(
                "| `{}` | {} | {} | {} |\n",
                f.name,
                f.default_text(),
                f.allowed(&self.bounds),
                f.help
            );
            for (name, help) in f.choice_help().unwrap_or_default() {
                if !help.is_empty() {
                    notes += &format!("- `{}` `{name}`: {help}\n", f.name);
                }
            }
        }
        out + "\n" + &notes
    }
}

//! Training one step at a time: a [`Trainer`] holds the model, the data, the loss, the
//! optimizer and a reusable graph, and [`Trainer::step`] returns that step's loss and
//! accuracy, so a caller can print progress, plot, stop early or save whenever it likes.

use super::loss;
use super::module::Module;
use super::optim::Optimizer;
use crate::data::{Dataset, Rng};
use crate::{Graph, Var};
use std::fmt;

/// What the model is trained to minimise (each plus the optional L2 term).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// [`loss::max_margin`] on one output, labels as ±1 (micrograd's demo).
    MaxMargin,
    /// [`loss::mse`]: one output against ±1, or one output per class against one-hot.
    Mse,
    /// [`loss::binary_cross_entropy`] on one output (a logit), labels 0/1.
    Bce,
    /// [`loss::softmax_cross_entropy`], one output per class.
    SoftmaxCe,
}

impl Objective {
    /// Every objective.
    pub const ALL: [Objective; 4] = [
        Objective::MaxMargin,
        Objective::Mse,
        Objective::Bce,
        Objective::SoftmaxCe,
    ];

    /// A short name for command lines and files.
    pub fn name(self) -> &'static str {
        match self {
            Objective::MaxMargin => "max-margin",
            Objective::Mse => "mse",
            Objective::Bce => "bce",
            Objective::SoftmaxCe => "softmax-ce",
        }
    }

    /// A few words on it.
    pub fn help(self) -> &'static str {
        match self {
            Objective::MaxMargin => "mean of relu(1 - y·score), labels ±1 (micrograd's)",
            Objective::Mse => "mean squared error against ±1, or one-hot for several outputs",
            Objective::Bce => "binary cross-entropy on one output, a logit",
            Objective::SoftmaxCe => "softmax cross-entropy, one output per class",
        }
    }

    /// The objective called `name` (as [`Objective::name`] writes it).
    ///
    /// ```
    /// use chainrule::nn::Objective;
    /// assert_eq!(Objective::from_name("softmax-ce"), Some(Objective::SoftmaxCe));
    /// assert!(Objective::ALL.iter().all(|&o| Objective::from_name(o.name()) == Some(o)));
    /// ```
    pub fn from_name(name: &str) -> Option<Objective> {
        Objective::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The loss of the outputs (one list per sample) against `data`'s labels.
    pub fn loss<'g>(self, outs: &[Vec<Var<'g>>], data: &Dataset) -> Var<'g> {
        let first = |outs: &[Vec<Var<'g>>]| outs.iter().map(|o| o[0]).collect::<Vec<_>>();
        match self {
            Objective::MaxMargin => loss::max_margin(&first(outs), &data.signs()),
            Objective::Mse if outs[0].len() == 1 => loss::mse(&first(outs), &data.signs()),
            Objective::Mse => {
                let k = outs[0].len();
                let target: Vec<f64> = data
                    .y
                    .iter()
                    .flat_map(|&c| (0..k).map(move |j| f64::from(u8::from(j == c))))
                    .collect();
                loss::mse(&outs.concat(), &target)
            }
            Objective::Bce => {
                let y: Vec<f64> = data
                    .y
                    .iter()
                    .map(|&c| f64::from(u8::from(c != 0)))
                    .collect();
                loss::binary_cross_entropy(&first(outs), &y)
            }
            Objective::SoftmaxCe => loss::softmax_cross_entropy(outs, &data.y),
        }
    }

    /// The accuracy of outputs (one list per sample): by sign for one output (positive
    /// means class 1), by the largest output otherwise.
    pub fn accuracy(self, outs: &[Vec<f64>], data: &Dataset) -> f64 {
        if outs.first().is_some_and(|o| o.len() == 1) {
            let scores: Vec<f64> = outs.iter().map(|o| o[0]).collect();
            loss::accuracy_signs(&scores, &data.signs())
        } else {
            loss::accuracy_argmax(outs, &data.y)
        }
    }

    /// The loss (without any L2 term) and accuracy of `model` on `data`, for a held-out
    /// set: one forward pass on a fresh graph.
    ///
    /// ```
    /// use chainrule::data::{moons, Rng};
    /// use chainrule::nn::{Activation::*, Mlp, Objective};
    /// let model = Mlp::new(2, &[(4, Tanh), (1, Linear)], &mut Rng::new(0));
    /// let (loss, accuracy) = Objective::MaxMargin.evaluate(&model, &moons(20, 0.1, &mut Rng::new(1)));
    /// assert!(loss > 0.0 && (0.0..=1.0).contains(&accuracy));
    /// ```
    ///
    /// # Panics
    /// When the model's inputs differ from the data's features, or the data is empty.
    pub fn evaluate<M: Module>(self, model: &M, data: &Dataset) -> (f64, f64) {
        let g = Graph::new();
        let p = model.bind(&g);
        let x = g.leaves(&data.x).vars();
        let outs: Vec<Vec<Var>> = x
            .chunks_exact(data.dim)
            .map(|xi| model.forward(p, xi))
            .collect();
        let values: Vec<Vec<f64>> = outs
            .iter()
            .map(|o| o.iter().map(|v| v.data()).collect())
            .collect();
        (self.loss(&outs, data).data(), self.accuracy(&values, data))
    }

    /// Whether a model with `outputs` outputs fits this objective on `classes` classes;
    /// if not, what to change.
    fn check(self, outputs: usize, classes: usize) -> Result<(), String> {
        let binary = |name: &str| match (outputs, classes) {
            (1, 0..=2) => Ok(()),
            (1, _) => Err(format!(
                "{name} is for two classes, the data has {classes}; use softmax cross-entropy"
            )),
            _ => Err(format!(
                "{name} needs a model with 1 output, this one has {outputs}"
            )),
        };
        match self {
            Objective::MaxMargin => binary("max-margin"),
            Objective::Bce => binary("binary cross-entropy"),
            Objective::Mse if outputs == 1 => binary("mean squared error on one output"),
            Objective::Mse | Objective::SoftmaxCe if outputs != classes => Err(format!(
                "the model has {outputs} outputs, the data has {classes} classes: give the last layer one output per class"
            )),
            Objective::Mse | Objective::SoftmaxCe => Ok(()),
        }
    }
}

/// How a [`Trainer`] records each step's graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Clear the tape and record the step anew, with the parameters bound as fresh leaves.
    Rebuild,
    /// Record the first step; later steps set the parameter leaves, replay the forward
    /// pass ([`Graph::forward`]) and backpropagate, with no allocation.
    Replay,
}

/// What one training step found, before its update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    /// The step number, from 0.
    pub step: usize,
    /// The loss (including the L2 term).
    pub loss: f64,
    /// The training accuracy.
    pub accuracy: f64,
    /// The learning rate the update used.
    pub lr: f64,
}

/// Why a [`Trainer`] could not be set up: the model does not fit the data or the loss.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainError(pub String);

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TrainError {}

/// Full-batch training of a model on a dataset, step by step.
///
/// ```
/// use chainrule::data::{blobs, Rng};
/// use chainrule::nn::{Activation::*, Adam, Mlp, Mode, Objective, Schedule, Trainer};
/// let mut rng = Rng::new(2);
/// let data = blobs(60, 3, 1.0, &mut rng);
/// let model = Mlp::new(2, &[(8, Tanh), (3, Linear)], &mut rng);
/// let adam = Adam::new(Schedule::Constant(0.05));
/// let mut t = Trainer::new(model, data, Objective::SoftmaxCe, 0.0, Box::new(adam), Mode::Replay).unwrap();
/// let first = t.step();
/// let last = (0..200).map(|_| t.step()).last().unwrap();
/// assert!(last.loss < first.loss / 3.0 && last.accuracy >= 0.85);
/// ```
pub struct Trainer<M: Module> {
    model: M,
    data: Dataset,
    objective: Objective,
    l2: f64,
    opt: Box<dyn Optimizer>,
    mode: Mode,
    graph: Graph,
    /// Replay: tape indices of the loss and of every output, once recorded.
    recorded: Option<(usize, Vec<usize>)>,
    /// Minibatches, when set by [`Trainer::with_batches`].
    batches: Option<Batches>,
    step: usize,
}

/// Minibatch order: each step takes the next `size` samples of a seeded shuffle of the
/// data, reshuffled whenever it is used up.
struct Batches {
    size: usize,
    order: Vec<usize>,
    next: usize,
    rng: Rng,
}

impl Batches {
    /// The next batch of `data`.
    fn take(&mut self, data: &Dataset) -> Dataset {
        let mut rows = Vec::with_capacity(self.size);
        while rows.len() < self.size {
            if self.next == self.order.len() {
                self.order = (0..data.len()).collect();
                self.rng.shuffle(&mut self.order);
                self.next = 0;
            }
            rows.push(self.order[self.next]);
            self.next += 1;
        }
        data.rows(&rows)
    }
}

impl<M: Module> Trainer<M> {
    /// A trainer minimising `objective + l2·Σp²` over `data` with `opt`.
    ///
    /// Errors when the model's inputs differ from the data's features, its outputs do not
    /// fit the objective and the data's classes, or the data is empty.
    pub fn new(
        model: M,
        data: Dataset,
        objective: Objective,
        l2: f64,
        opt: Box<dyn Optimizer>,
        mode: Mode,
    ) -> Result<Trainer<M>, TrainError> {
        if data.is_empty() {
            return Err(TrainError("the dataset has no samples".into()));
        }
        if model.inputs() != data.dim {
            return Err(TrainError(format!(
                "the model takes {} inputs, the data has {} features per sample",
                model.inputs(),
                data.dim
            )));
        }
        objective
            .check(model.outputs(), data.classes)
            .map_err(TrainError)?;
        Ok(Trainer {
            model,
            data,
            objective,
            l2,
            opt,
            mode,
            graph: Graph::new(),
            recorded: None,
            batches: None,
            step: 0,
        })
    }

    /// Trains on minibatches: each step on the next `size` samples of a shuffle drawn from
    /// `rng` (reshuffled when the data is used up), so a step's loss and accuracy are its
    /// batch's. A `size` of at least the data's length is full-batch training.
    ///
    /// Errors for `size` 0, and in [`Mode::Replay`]: a replayed graph is the same every
    /// step, so it cannot take a new batch.
    ///
    /// ```
    /// use chainrule::data::{moons, Rng};
    /// use chainrule::nn::{Activation::*, Mlp, Mode, Objective, Schedule, Sgd, Trainer};
    /// let mut rng = Rng::new(1);
    /// let data = moons(40, 0.1, &mut rng);
    /// let model = Mlp::new(2, &[(8, Relu), (1, Linear)], &mut rng);
    /// let sgd = Box::new(Sgd::new(Schedule::Constant(0.1)));
    /// let mut t = Trainer::new(model, data, Objective::MaxMargin, 0.0, sgd, Mode::Rebuild)
    ///     .unwrap()
    ///     .with_batches(10, rng)
    ///     .unwrap();
    /// assert!(t.step().loss.is_finite());
    /// ```
    pub fn with_batches(mut self, size: usize, rng: Rng) -> Result<Trainer<M>, TrainError> {
        if size == 0 {
            return Err(TrainError("a minibatch needs at least one sample".into()));
        }
        if self.mode == Mode::Replay {
            return Err(TrainError(
                "a replayed graph is the same every step, so it cannot take a new minibatch; train on minibatches in Mode::Rebuild".into(),
            ));
        }
        self.batches = (size < self.data.len()).then(|| Batches {
            size,
            order: Vec::new(),
            next: 0,
            rng,
        });
        Ok(self)
    }

    /// The model, with the parameters of the last step.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Ends training and hands back the model.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The data trained on.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// What it minimises.
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// How many steps have been taken.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// How many nodes the last step's graph had.
    pub fn graph_len(&self) -> usize {
        self.graph.len()
    }

    /// One step: forward, loss, backward, update. Returns the loss and accuracy of the
    /// forward pass (before the update) and the rate used.
    pub fn step(&mut self) -> StepStats {
        let lr = self.opt.lr();
        let (loss, accuracy, grads) = match self.mode {
            Mode::Rebuild => self.rebuild(),
            Mode::Replay => self.replay(),
        };
        self.opt.step(self.model.params_mut(), &grads);
        self.step += 1;
        StepStats {
            step: self.step - 1,
            loss,
            accuracy,
            lr,
        }
    }

    /// Records the step on `data` on `g` (parameters first, at tape index 0): the loss
    /// and outputs.
    fn record<'g>(&self, g: &'g Graph, data: &Dataset) -> (Var<'g>, Vec<Vec<Var<'g>>>) {
        let p = self.model.bind(g);
        let x = g.leaves(&data.x).vars();
        let outs: Vec<Vec<Var<'g>>> = x
            .chunks_exact(data.dim)
            .map(|xi| self.model.forward(p, xi))
            .collect();
        let mut l = self.objective.loss(&outs, data);
        if self.l2 != 0.0 {
            l += loss::l2(&p.vars(), self.l2);
        }
        (l, outs)
    }

    fn rebuild(&mut self) -> (f64, f64, Vec<f64>) {
        self.graph.clear();
        let batch = self.batches.as_mut().map(|b| b.take(&self.data));
        let data = batch.as_ref().unwrap_or(&self.data);
        let (l, outs) = self.record(&self.graph, data);
        l.backward();
        let values: Vec<Vec<f64>> = outs
            .iter()
            .map(|o| o.iter().map(|v| v.data()).collect())
            .collect();
        (
            l.data(),
            self.objective.accuracy(&values, data),
            self.param_grads(),
        )
    }

    fn replay(&mut self) -> (f64, f64, Vec<f64>) {
        let g = &self.graph;
        let (loss_at, out_at) = match &self.recorded {
            Some((l, o)) => {
                g.tape_mut().set_values(0, self.model.params());
                g.forward();
                (*l, o)
            }
            None => {
                let (l, outs) = self.record(g, &self.data);
                let at = outs.iter().flatten().map(|v| v.index()).collect();
                self.recorded = Some((l.index(), at));
                (l.index(), &self.recorded.as_ref().expect("just set").1)
            }
        };
        let values: Vec<Vec<f64>> = {
            let t = g.tape();
            out_at
                .chunks_exact(self.model.outputs())
                .map(|o| o.iter().map(|&i| t.data(i)).collect())
                .collect()
        };
        let l = g.get(loss_at).expect("the loss is on the tape");
        l.backward();
        (
            l.data(),
            self.objective.accuracy(&values, &self.data),
            self.param_grads(),
        )
    }

    /// The grads of the parameters, which sit at tape indices `0..params`.
    fn param_grads(&self) -> Vec<f64> {
        let t = self.graph.tape();
        (0..self.model.params().len()).map(|i| t.grad(i)).collect()
    }
}

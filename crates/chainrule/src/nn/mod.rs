//! Neural nets on the engine: modules with parameters ([`Neuron`], [`Layer`], [`Mlp`]),
//! losses, optimizers and a [`Trainer`] that runs one step at a time.
//!
//! Parameters are plain `f64`s owned by the model, so they outlive any one graph. A step
//! binds them to a graph as leaves, records the forward pass (one fused dot node per
//! neuron), backpropagates and updates them. The [`Trainer`] does that either by
//! rebuilding the step's graph on a cleared tape ([`Mode::Rebuild`]) or by recording it
//! once and replaying it with new parameter values ([`Mode::Replay`]).
//!
//! [`TrainSpec`] ([`spec`]) names every setting of a training run, with its default,
//! bounds and errors, and builds the trainer: what the command line, the live page and
//! the Python package train with.
//!
//! micrograd's demo, in a few lines:
//!
//! ```
//! use chainrule::data::{moons, Rng};
//! use chainrule::nn::{Activation::*, Mlp, Mode, Objective, Schedule, Sgd, Trainer};
//!
//! let mut rng = Rng::new(1337);
//! let data = moons(100, 0.1, &mut rng);
//! let model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
//! let sgd = Sgd::new(Schedule::Linear { start: 1.0, end: 0.1, steps: 100 });
//! let mut t = Trainer::new(model, data, Objective::MaxMargin, 1e-4, Box::new(sgd), Mode::Rebuild).unwrap();
//! let last = (0..100).map(|_| t.step()).last().unwrap();
//! assert_eq!((last.step, last.accuracy), (99, 1.0));
//! ```

pub mod data;
pub mod loss;
mod module;
mod mt19937;
mod optim;
pub mod spec;
mod train;
mod warn;

pub use module::{Activation, Layer, Mlp, ModelError, Module, Neuron, Params, Shape};
pub use optim::{
    optimizer_kind, schedule_kind, Adam, Optimizer, OptimizerKind, Schedule, ScheduleKind, Sgd,
    OPTIMIZERS, SCHEDULES,
};
pub use spec::{SpecBounds, SpecError, TrainSpec};
pub use train::{Mode, Objective, StepStats, TrainError, Trainer};
pub use warn::{LossWarning, LossWatch};

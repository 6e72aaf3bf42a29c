//! Optimizers: plain numbers in, plain numbers out. Each step takes the parameters and
//! their grads (from [`crate::Leaves::grads`]) and updates the parameters in place; the
//! learning rate follows a [`Schedule`] over the steps.
//!
//! ```
//! use chainrule::nn::{Optimizer, Schedule, Sgd};
//! // micrograd's demo schedule: lr = 1.0 − 0.9·k/100
//! let mut sgd = Sgd::new(Schedule::Linear { start: 1.0, end: 0.1, steps: 100 });
//! let mut p = vec![1.0, 2.0];
//! sgd.step(&mut p, &[0.5, -1.0]); // lr 1.0
//! assert_eq!(p, vec![0.5, 3.0]);
//! assert_eq!(sgd.lr(), 1.0 - 0.9 * 1.0 / 100.0); // the next step's rate
//! ```

/// The learning rate as a function of the step number `k` (0, 1, 2, …).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// The same rate every step.
    Constant(f64),
    /// From `start` at step 0 straight down to `end` at step `steps`, then `end`:
    /// `start − (start − end)·k/steps`.
    Linear {
        /// The rate at step 0.
        start: f64,
        /// The rate from step `steps` on.
        end: f64,
        /// How many steps the descent takes.
        steps: usize,
    },
    /// `lr · factor^(k / every)`: multiplied by `factor` every `every` steps.
    Step {
        /// The rate at step 0.
        lr: f64,
        /// What the rate is multiplied by.
        factor: f64,
        /// How many steps between drops.
        every: usize,
    },
    /// Half a cosine from `start` at step 0 to `end` at step `steps`, then `end`.
    Cosine {
        /// The rate at step 0.
        start: f64,
        /// The rate from step `steps` on.
        end: f64,
        /// How many steps the descent takes.
        steps: usize,
    },
}

impl Schedule {
    /// The rate at step `k`.
    ///
    /// ```
    /// use chainrule::nn::Schedule;
    /// assert_eq!(Schedule::Step { lr: 1.0, factor: 0.5, every: 10 }.at(25), 0.25);
    /// assert!((Schedule::Cosine { start: 1.0, end: 0.0, steps: 10 }.at(5) - 0.5).abs() < 1e-15);
    /// assert_eq!(Schedule::Linear { start: 1.0, end: 0.1, steps: 100 }.at(200), 0.1);
    /// ```
    pub fn at(&self, k: usize) -> f64 {
        match *self {
            Schedule::Constant(lr) => lr,
            Schedule::Linear { start, end, steps } if k < steps => {
                start - (start - end) * k as f64 / steps as f64
            }
            Schedule::Step { lr, factor, every } => lr * factor.powi((k / every.max(1)) as i32),
            Schedule::Cosine { start, end, steps } if k < steps => {
                let t = k as f64 / steps as f64;
                end + (start - end) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
            Schedule::Linear { end, .. } | Schedule::Cosine { end, .. } => end,
        }
    }
}

/// Something that updates parameters from their grads, one step at a time.
pub trait Optimizer {
    /// One update of `params` in place, from `grads` (same length), at the current
    /// step's rate; then moves to the next step.
    ///
    /// # Panics
    /// When the lengths differ, or differ from the first call's (the state is per
    /// parameter).
    fn step(&mut self, params: &mut [f64], grads: &[f64]);
    /// The rate the next step will use.
    fn lr(&self) -> f64;
    /// How many steps have been taken.
    fn steps(&self) -> usize;
}

fn check(params: &[f64], grads: &[f64], state: &mut Vec<f64>) {
    assert_eq!(
        params.len(),
        grads.len(),
        "chainrule: one grad per parameter"
    );
    if state.is_empty() {
        state.resize(params.len(), 0.0);
    }
    assert_eq!(
        state.len(),
        params.len(),
        "chainrule: the optimizer was used with another number of parameters"
    );
}

/// Stochastic gradient descent, optionally with momentum:
/// `v ← μ·v + g`, `p ← p − lr·v` (PyTorch's form; with μ = 0 it is `p ← p − lr·g`).
#[derive(Clone, Debug)]
pub struct Sgd {
    /// The learning rate per step.
    pub schedule: Schedule,
    /// The momentum μ (0 for none).
    pub momentum: f64,
    velocity: Vec<f64>,
    t: usize,
}

impl Sgd {
    /// Plain SGD with this schedule.
    pub fn new(schedule: Schedule) -> Sgd {
        Sgd {
            schedule,
            momentum: 0.0,
            velocity: Vec::new(),
            t: 0,
        }
    }

    /// The same, with momentum `mu`.
    ///
    /// ```
    /// use chainrule::nn::{Optimizer, Schedule, Sgd};
    /// let mut opt = Sgd::new(Schedule::Constant(0.1)).with_momentum(0.9);
    /// let mut p = vec![1.0];
    /// opt.step(&mut p, &[1.0]); // v = 1
    /// opt.step(&mut p, &[1.0]); // v = 0.9 + 1 = 1.9
    /// assert!((p[0] - (1.0 - 0.1 - 0.19)).abs() < 1e-15);
    /// ```
    pub fn with_momentum(mut self, mu: f64) -> Sgd {
        self.momentum = mu;
        self
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        let lr = self.lr();
        if self.momentum == 0.0 {
            assert_eq!(
                params.len(),
                grads.len(),
                "chainrule: one grad per parameter"
            );
            for (p, g) in params.iter_mut().zip(grads) {
                *p -= lr * g;
            }
        } else {
            check(params, grads, &mut self.velocity);
            for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.velocity) {
                *v = self.momentum * *v + g;
                *p -= lr * *v;
            }
        }
        self.t += 1;
    }
    fn lr(&self) -> f64 {
        self.schedule.at(self.t)
    }
    fn steps(&self) -> usize {
        self.t
    }
}

/// Adam, and AdamW with decoupled weight decay.
///
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − lr·m̂/(√v̂ + ε)` with the bias
/// corrections `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`. AdamW first shrinks
/// `p ← p − lr·λ·p` (PyTorch's `AdamW`).
///
/// ```
/// use chainrule::nn::{Adam, Optimizer, Schedule};
/// let mut adam = Adam::new(Schedule::Constant(0.1));
/// let mut p = vec![1.0, 1.0];
/// adam.step(&mut p, &[2.0, -0.5]);
/// // the first step moves every parameter by about lr, against its grad's sign
/// assert!((p[0] - 0.9).abs() < 1e-7 && (p[1] - 1.1).abs() < 1e-7);
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    /// The learning rate per step.
    pub schedule: Schedule,
    /// Decay of the first moment (default 0.9).
    pub beta1: f64,
    /// Decay of the second moment (default 0.999).
    pub beta2: f64,
    /// Added to the root of the second moment (default 1e-8).
    pub eps: f64,
    /// Decoupled weight decay λ (AdamW; 0 for Adam).
    pub weight_decay: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: usize,
}

impl Adam {
    /// Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn new(schedule: Schedule) -> Adam {
        Adam {
            schedule,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            m: Vec::new(),
            v: Vec::new(),
            t: 0,
        }
    }

    /// AdamW: Adam with decoupled weight decay `lambda` (PyTorch's default is 0.01).
    pub fn adamw(schedule: Schedule, lambda: f64) -> Adam {
        Adam {
            weight_decay: lambda,
            ..Adam::new(schedule)
        }
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        check(params, grads, &mut self.m);
        check(params, grads, &mut self.v);
        let lr = self.lr();
        self.t += 1;
        let c1 = 1.0 - self.beta1.powi(self.t as i32);
        let c2 = 1.0 - self.beta2.powi(self.t as i32);
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            *p -= lr * self.weight_decay * *p;
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            *p -= lr * (*m / c1) / ((*v / c2).sqrt() + self.eps);
        }
    }
    fn lr(&self) -> f64 {
        self.schedule.at(self.t)
    }
    fn steps(&self) -> usize {
        self.t
    }
}

/// An optimizer as the training spec ([`crate::nn::spec`]) names it: its name, what it
/// is, its default learning rate, and how it is made from a schedule. Every such choice
/// is one entry of [`OPTIMIZERS`].
#[derive(Debug)]
pub struct OptimizerKind {
    /// The name (`sgd`).
    pub name: &'static str,
    /// What it is, in a few words.
    pub help: &'static str,
    /// The (starting) learning rate used when none is given.
    pub lr: f64,
    /// Makes the optimizer with this schedule.
    pub make: fn(Schedule) -> Box<dyn Optimizer>,
}

/// Every optimizer the spec offers, the default (micrograd's plain SGD) first.
///
/// ```
/// use chainrule::nn::{optimizer_kind, Schedule, OPTIMIZERS};
/// assert_eq!(OPTIMIZERS[0].name, "sgd");
/// let adam = optimizer_kind("adam").unwrap();
/// assert_eq!((adam.make)(Schedule::Constant(adam.lr)).lr(), 0.01);
/// ```
pub const OPTIMIZERS: &[OptimizerKind] = &[
    OptimizerKind {
        name: "sgd",
        help: "plain gradient descent (micrograd's)",
        lr: 1.0,
        make: |s| Box::new(Sgd::new(s)),
    },
    OptimizerKind {
        name: "momentum",
        help: "SGD with momentum 0.9",
        lr: 0.1,
        make: |s| Box::new(Sgd::new(s).with_momentum(0.9)),
    },
    OptimizerKind {
        name: "adam",
        help: "Adam",
        lr: 0.01,
        make: |s| Box::new(Adam::new(s)),
    },
    OptimizerKind {
        name: "adamw",
        help: "Adam with weight decay 0.01",
        lr: 0.01,
        make: |s| Box::new(Adam::adamw(s, 0.01)),
    },
];

/// The optimizer called `name`, if there is one.
pub fn optimizer_kind(name: &str) -> Option<&'static OptimizerKind> {
    OPTIMIZERS.iter().find(|o| o.name == name)
}

/// A learning-rate schedule as the training spec names it: its name, what it does, whether
/// it falls to an end rate, and how it is made from the starting rate, the end rate and
/// the number of steps. Every such choice is one entry of [`SCHEDULES`].
#[derive(Debug)]
pub struct ScheduleKind {
    /// The name (`linear`).
    pub name: &'static str,
    /// What it does, in a few words.
    pub help: &'static str,
    /// Whether it falls to an end rate (`lr_end`).
    pub ends: bool,
    /// Makes the schedule from the starting rate, the end rate and the steps of the run.
    pub make: fn(lr: f64, end: f64, steps: usize) -> Schedule,
}

/// Every schedule the spec offers; the default is `linear` (micrograd's demo).
///
/// ```
/// use chainrule::nn::{schedule_kind, Schedule};
/// let linear = schedule_kind("linear").unwrap();
/// assert_eq!((linear.make)(1.0, 0.1, 100), Schedule::Linear { start: 1.0, end: 0.1, steps: 100 });
/// assert_eq!((schedule_kind("step").unwrap().make)(1.0, 0.0, 8).at(2), 0.5);
/// ```
pub const SCHEDULES: &[ScheduleKind] = &[
    ScheduleKind {
        name: "constant",
        help: "the same rate every step",
        ends: false,
        make: |lr, _, _| Schedule::Constant(lr),
    },
    ScheduleKind {
        name: "linear",
        help: "straight down to the end rate at the last step",
        ends: true,
        make: |start, end, steps| Schedule::Linear { start, end, steps },
    },
    ScheduleKind {
        name: "step",
        help: "halved every quarter of the steps",
        ends: false,
        make: |lr, _, steps| Schedule::Step {
            lr,
            factor: 0.5,
            every: (steps / 4).max(1),
        },
    },
    ScheduleKind {
        name: "cosine",
        help: "half a cosine down to the end rate at the last step",
        ends: true,
        make: |start, end, steps| Schedule::Cosine { start, end, steps },
    },
];

/// The schedule called `name`, if there is one.
pub fn schedule_kind(name: &str) -> Option<&'static ScheduleKind> {
    SCHEDULES.iter().find(|s| s.name == name)
}

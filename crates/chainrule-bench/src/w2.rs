//! W2: micrograd's demo (moons, 2-16-16-1 MLP, max-margin + L2, 100 SGD steps), written
//! with chainrule's nn library as a user would: parameters bound as leaves on a cleared
//! tape each step (the default), or recorded once and replayed (`"variant":"replay"`).

use chainrule::data::{moons, Dataset, Rng};
use chainrule::nn::{loss, Activation::*, Mlp, Module, Optimizer, Params, Schedule, Sgd};
use chainrule::{Graph, Var};
use std::time::Instant;

/// Per step: 537 leaves, 64,000 neuron ops, 300 loss ops, 100 mean, 674 L2, 1 add.
pub const NODES_PER_STEP: usize = 65_612;
const SEED: u64 = 1337;
const L2: f64 = 1e-4;

/// What a W2 run found.
pub struct W2 {
    pub seconds: f64,
    pub loss: f64,
    pub accuracy: f64,
}

fn setup() -> (Dataset, Vec<f64>, Mlp, Sgd) {
    let mut rng = Rng::new(SEED);
    let data = moons(100, 0.1, &mut rng);
    let signs = data.signs();
    let model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
    let sgd = Sgd::new(Schedule::Linear {
        start: 1.0,
        end: 0.1,
        steps: 100,
    });
    (data, signs, model, sgd)
}

/// The step's graph: scores per sample and the total loss.
fn record<'g>(
    g: &'g Graph,
    model: &Mlp,
    p: Params<'g>,
    data: &Dataset,
    signs: &[f64],
) -> (Vec<Var<'g>>, Var<'g>) {
    let x = g.leaves(&data.x).vars();
    let scores: Vec<Var<'g>> = x
        .chunks_exact(2)
        .map(|xi| model.forward(p, xi)[0])
        .collect();
    let total = loss::max_margin(&scores, signs) + loss::l2(&p.vars(), L2);
    (scores, total)
}

fn accuracy(scores: &[Var<'_>], signs: &[f64]) -> f64 {
    let s: Vec<f64> = scores.iter().map(|v| v.data()).collect();
    loss::accuracy_signs(&s, signs)
}

/// Rebuild: every step clears the tape and records the step anew.
pub fn rebuild(steps: usize) -> W2 {
    let (data, signs, mut model, mut sgd) = setup();
    let mut g = Graph::with_capacity(NODES_PER_STEP);
    let (mut last_loss, mut last_acc) = (f64::NAN, f64::NAN);
    let t = Instant::now();
    for _ in 0..steps {
        g.clear();
        let p = model.bind(&g);
        let (scores, total) = record(&g, &model, p, &data, &signs);
        total.backward();
        (last_loss, last_acc) = (total.data(), accuracy(&scores, &signs));
        sgd.step(model.params_mut(), &p.grads());
    }
    W2 {
        seconds: t.elapsed().as_secs_f64(),
        loss: last_loss,
        accuracy: last_acc,
    }
}

/// Replay: the first step records the graph; later steps set the parameter leaves,
/// replay the forward pass and backpropagate.
pub fn replay(steps: usize) -> W2 {
    let (data, signs, mut model, mut sgd) = setup();
    let g = Graph::with_capacity(NODES_PER_STEP);
    let (mut last_loss, mut last_acc) = (f64::NAN, f64::NAN);
    let t = Instant::now();
    let p = model.bind(&g);
    let (scores, total) = record(&g, &model, p, &data, &signs);
    for k in 0..steps {
        if k > 0 {
            p.set_data(model.params());
            g.forward();
        }
        total.backward();
        (last_loss, last_acc) = (total.data(), accuracy(&scores, &signs));
        sgd.step(model.params_mut(), &p.grads());
    }
    W2 {
        seconds: t.elapsed().as_secs_f64(),
        loss: last_loss,
        accuracy: last_acc,
    }
}

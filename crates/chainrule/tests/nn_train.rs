//! Training: micrograd's demo reaches 100% accuracy; rebuild and replay agree bit for bit;
//! every objective learns; mismatched set-ups are errors; memory stays flat.
use chainrule::data::{circles, moons, spiral, Dataset, Rng};
use chainrule::nn::{
    Activation::*, Adam, Mlp, Mode, Module, Objective, Schedule, Sgd, StepStats, TrainSpec, Trainer,
};

fn demo(mode: Mode, seed: u64) -> (Vec<StepStats>, Mlp) {
    let mut rng = Rng::new(seed);
    let data = moons(100, 0.1, &mut rng);
    let model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
    let sgd = Sgd::new(Schedule::Linear {
        start: 1.0,
        end: 0.1,
        steps: 100,
    });
    let mut t = Trainer::new(model, data, Objective::MaxMargin, 1e-4, Box::new(sgd), mode).unwrap();
    let stats = (0..100).map(|_| t.step()).collect();
    (stats, t.into_model())
}

/// The training spec's defaults are this demo: its trainer gives the same data, weights
/// and numbers, bit for bit, at every step.
#[test]
fn the_default_training_spec_is_micrograds_demo() {
    let (stats, model) = demo(Mode::Rebuild, 1337);
    let mut t = TrainSpec::default().build().unwrap();
    assert_eq!(t.data(), &moons(100, 0.1, &mut Rng::new(1337)));
    let from_spec: Vec<StepStats> = (0..100).map(|_| t.step()).collect();
    assert_eq!(from_spec, stats);
    assert_eq!(t.model(), &model);
}

#[test]
fn micrograd_demo_reaches_full_accuracy() {
    let (stats, model) = demo(Mode::Rebuild, 1337);
    let last = stats[99];
    assert_eq!((last.step, last.accuracy), (99, 1.0));
    assert!(
        stats[0].loss > 0.5 && last.loss < 0.05,
        "{} → {}",
        stats[0].loss,
        last.loss
    );
    assert_eq!(last.lr, 1.0 - 0.9 * 99.0 / 100.0);
    // the trained model, used without a graph, classifies every training point
    let data = moons(100, 0.1, &mut Rng::new(1337));
    let right = (0..100)
        .filter(|&i| (model.predict(data.row(i))[0] > 0.0) == (data.y[i] == 1))
        .count();
    assert_eq!(right, 100);
}

#[test]
fn demo_reaches_full_accuracy_for_other_seeds_too() {
    let full = (1..=5)
        .filter(|&s| demo(Mode::Replay, s).0[99].accuracy == 1.0)
        .count();
    assert!(full >= 4, "only {full} of 5 seeds reached 100%");
}

#[test]
fn rebuild_and_replay_agree_exactly() {
    let (a, ma) = demo(Mode::Rebuild, 7);
    let (b, mb) = demo(Mode::Replay, 7);
    assert_eq!(a, b);
    assert_eq!(ma, mb);
}

fn train(
    data: Dataset,
    layers: &[(usize, chainrule::nn::Activation)],
    objective: Objective,
    steps: usize,
) -> (StepStats, StepStats) {
    let model = Mlp::new(data.dim, layers, &mut Rng::new(3));
    let adam = Adam::new(Schedule::Constant(0.02));
    let mut t = Trainer::new(model, data, objective, 0.0, Box::new(adam), Mode::Replay).unwrap();
    let first = t.step();
    let last = (1..steps).map(|_| t.step()).last().unwrap();
    (first, last)
}

#[test]
fn every_objective_learns() {
    let ring = || circles(100, 0.05, 0.5, &mut Rng::new(1));
    let (f, l) = train(ring(), &[(8, Tanh), (1, Linear)], Objective::Bce, 300);
    assert!(
        l.loss < f.loss / 3.0 && l.accuracy >= 0.98,
        "bce {f:?} {l:?}"
    );
    let (f, l) = train(ring(), &[(8, Tanh), (1, Tanh)], Objective::Mse, 300);
    assert!(
        l.loss < f.loss / 3.0 && l.accuracy >= 0.98,
        "mse {f:?} {l:?}"
    );
    let arms = || spiral(150, 3, 0.1, &mut Rng::new(1));
    let (f, l) = train(
        arms(),
        &[(32, Relu), (32, Relu), (3, Linear)],
        Objective::SoftmaxCe,
        400,
    );
    assert!(
        l.loss < f.loss / 3.0 && l.accuracy >= 0.9,
        "softmax {f:?} {l:?}"
    );
    let (f, l) = train(arms(), &[(32, Tanh), (3, Sigmoid)], Objective::Mse, 400);
    assert!(
        l.loss < f.loss / 2.0 && l.accuracy >= 0.6,
        "mse one-hot {f:?} {l:?}"
    );
}

#[test]
fn mismatched_set_ups_are_clear_errors() {
    let data = || moons(10, 0.1, &mut Rng::new(0));
    let mk = |inputs, layers: &[(usize, chainrule::nn::Activation)], objective, data| {
        let model = Mlp::new(inputs, layers, &mut Rng::new(0));
        let sgd = Box::new(Sgd::new(Schedule::Constant(0.1)));
        Trainer::new(model, data, objective, 0.0, sgd, Mode::Rebuild)
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        mk(3, &[(1, Linear)], Objective::MaxMargin, data()).unwrap(),
        "the model takes 3 inputs, the data has 2 features per sample"
    );
    assert_eq!(
        mk(2, &[(2, Linear)], Objective::MaxMargin, data()).unwrap(),
        "max-margin needs a model with 1 output, this one has 2"
    );
    assert_eq!(
        mk(2, &[(3, Linear)], Objective::SoftmaxCe, data()).unwrap(),
        "the model has 3 outputs, the data has 2 classes: give the last layer one output per class"
    );
    let three = spiral(9, 3, 0.1, &mut Rng::new(0));
    assert_eq!(
        mk(2, &[(1, Linear)], Objective::Bce, three).unwrap(),
        "binary cross-entropy is for two classes, the data has 3; use softmax cross-entropy"
    );
    let empty = Dataset {
        x: vec![],
        dim: 2,
        y: vec![],
        classes: 0,
    };
    assert_eq!(
        mk(2, &[(1, Linear)], Objective::Mse, empty).unwrap(),
        "the dataset has no samples"
    );
    assert_eq!(mk(2, &[(2, Linear)], Objective::SoftmaxCe, data()), None);
}

#[test]
fn evaluate_matches_the_training_step() {
    let mut rng = Rng::new(4);
    let data = spiral(60, 3, 0.1, &mut rng);
    let model = Mlp::new(2, &[(8, Relu), (3, Linear)], &mut rng);
    let sgd = Sgd::new(Schedule::Constant(0.1)).with_momentum(0.9);
    let mut t = Trainer::new(
        model,
        data.clone(),
        Objective::SoftmaxCe,
        0.0,
        Box::new(sgd),
        Mode::Rebuild,
    )
    .unwrap();
    for _ in 0..5 {
        let before = Objective::SoftmaxCe.evaluate(t.model(), &data);
        let s = t.step();
        assert_eq!(before, (s.loss, s.accuracy));
    }
    // and accuracy agrees with predict + class_of
    let m = t.model();
    let right = (0..data.len())
        .filter(|&i| chainrule::nn::loss::class_of(&m.predict(data.row(i))) == data.y[i])
        .count();
    assert_eq!(
        Objective::SoftmaxCe.evaluate(m, &data).1,
        right as f64 / data.len() as f64
    );
}

/// A trainer on micrograd's demo set-up, in `mode`, optionally on minibatches of `batch`.
fn demo_trainer(mode: Mode, batch: Option<usize>) -> Result<Trainer<Mlp>, String> {
    let mut rng = Rng::new(3);
    let data = moons(60, 0.1, &mut rng);
    let model = Mlp::new(2, &[(8, Relu), (1, Linear)], &mut rng);
    let sgd = Sgd::new(Schedule::Constant(0.5));
    let t = Trainer::new(model, data, Objective::MaxMargin, 1e-4, Box::new(sgd), mode)
        .map_err(|e| e.0)?;
    match batch {
        Some(size) => t.with_batches(size, Rng::new(11)).map_err(|e| e.0),
        None => Ok(t),
    }
}

#[test]
fn minibatches_are_seeded_refused_in_replay_and_full_size_is_full_batch() {
    let run = |batch| {
        let mut t = demo_trainer(Mode::Rebuild, batch).unwrap();
        (0..15).map(|_| t.step().loss.to_bits()).collect::<Vec<_>>()
    };
    // The same seed gives the same batches, so the same losses, bit for bit.
    assert_eq!(run(Some(16)), run(Some(16)));
    // Batches see other samples than the full data.
    assert_ne!(run(Some(16)), run(None));
    // A batch as large as the data is full-batch training.
    assert_eq!(run(Some(60)), run(None));
    let err = demo_trainer(Mode::Replay, Some(16)).err().unwrap();
    assert!(err.contains("replayed graph"), "{err}");
    assert!(demo_trainer(Mode::Rebuild, Some(0)).is_err());
}

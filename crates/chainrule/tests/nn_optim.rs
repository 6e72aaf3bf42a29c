//! Optimizers and schedules: one or two update steps against hand-computed numbers.
use chainrule::nn::{Adam, Optimizer, Schedule, Sgd};

#[test]
fn sgd_follows_the_micrograd_schedule() {
    let mut sgd = Sgd::new(Schedule::Linear {
        start: 1.0,
        end: 0.1,
        steps: 100,
    });
    let mut p = vec![0.0];
    for k in 0..100 {
        assert_eq!(sgd.lr(), 1.0 - 0.9 * k as f64 / 100.0, "step {k}");
        sgd.step(&mut p, &[1.0]);
    }
    assert_eq!(sgd.steps(), 100);
    assert_eq!(sgd.lr(), 0.1);
    // Σ lr over 100 steps = 100 − 0.9·(0+…+99)/100 = 55.45
    assert!((p[0] + 55.45).abs() < 1e-12, "{}", p[0]);
}

#[test]
fn sgd_one_step() {
    let mut sgd = Sgd::new(Schedule::Constant(0.5));
    let mut p = vec![1.0, -2.0, 3.0];
    sgd.step(&mut p, &[2.0, 0.0, -4.0]);
    assert_eq!(p, vec![0.0, -2.0, 5.0]);
}

#[test]
fn momentum_three_steps() {
    let mut opt = Sgd::new(Schedule::Constant(0.1)).with_momentum(0.5);
    let mut p = vec![0.0];
    for _ in 0..3 {
        opt.step(&mut p, &[1.0]);
    }
    // v = 1, 1.5, 1.75: p = −0.1·(1 + 1.5 + 1.75)
    assert!((p[0] + 0.425).abs() < 1e-15, "{}", p[0]);
}

#[test]
fn adam_two_steps() {
    let mut adam = Adam::new(Schedule::Constant(0.1));
    let mut p = vec![1.0];
    adam.step(&mut p, &[2.0]);
    assert!((p[0] - 0.9000000005).abs() < 1e-15, "{}", p[0]);
    adam.step(&mut p, &[1.0]);
    // m = 0.28, v = 0.004996; m̂ = 0.28/0.19, v̂ = 0.004996/0.001999
    assert!((p[0] - 0.8067820372085104).abs() < 1e-14, "{}", p[0]);
}

#[test]
fn adamw_two_steps() {
    let mut adam = Adam::adamw(Schedule::Constant(0.1), 0.01);
    let mut p = vec![1.0];
    adam.step(&mut p, &[2.0]);
    assert!((p[0] - 0.8990000005).abs() < 1e-15, "{}", p[0]);
    adam.step(&mut p, &[1.0]);
    assert!((p[0] - 0.8048830372080104).abs() < 1e-14, "{}", p[0]);
}

#[test]
fn adamw_decays_with_zero_grads() {
    let mut adam = Adam::adamw(Schedule::Constant(0.1), 0.5);
    let mut p = vec![2.0];
    adam.step(&mut p, &[0.0]);
    assert_eq!(p[0], 2.0 * (1.0 - 0.05));
}

#[test]
fn schedules() {
    let lin = Schedule::Linear {
        start: 1.0,
        end: 0.0,
        steps: 4,
    };
    assert_eq!(
        [0, 1, 2, 3, 4, 9].map(|k| lin.at(k)),
        [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    );
    let step = Schedule::Step {
        lr: 0.8,
        factor: 0.5,
        every: 2,
    };
    assert_eq!(
        [0, 1, 2, 3, 4].map(|k| step.at(k)),
        [0.8, 0.8, 0.4, 0.4, 0.2]
    );
    let cos = Schedule::Cosine {
        start: 1.0,
        end: 0.2,
        steps: 2,
    };
    assert_eq!(cos.at(0), 1.0);
    assert!((cos.at(1) - 0.6).abs() < 1e-15);
    assert_eq!(cos.at(2), 0.2);
    assert_eq!(Schedule::Constant(0.3).at(1000), 0.3);
}

#[test]
#[should_panic(expected = "another number of parameters")]
fn optimizer_state_is_per_parameter() {
    let mut adam = Adam::new(Schedule::Constant(0.1));
    adam.step(&mut [1.0, 2.0], &[1.0, 1.0]);
    adam.step(&mut [1.0], &[1.0]);
}

//! Memory stays flat over long training: alone in its own test binary, so no other test
//! allocates in the same process while it measures.
use chainrule::data::{moons, Rng};
use chainrule::nn::{Activation::*, Mlp, Mode, Objective, Schedule, Sgd, Trainer};

/// The process's resident memory in kB (VmRSS), where /proc says it.
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Memory stays flat: 10,000 steps end within 5% of the resident memory after 100.
/// Run with `cargo test --release -p chainrule --test nn_memory -- --ignored --nocapture` (.ci/run does).
#[test]
#[ignore = "slow in debug builds; run in release"]
fn memory_is_flat_over_10_000_steps() {
    for mode in [Mode::Rebuild, Mode::Replay] {
        let mut rng = Rng::new(1337);
        let data = moons(100, 0.1, &mut rng);
        let model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
        let sgd = Sgd::new(Schedule::Linear {
            start: 1.0,
            end: 0.1,
            steps: 10_000,
        });
        let mut t =
            Trainer::new(model, data, Objective::MaxMargin, 1e-4, Box::new(sgd), mode).unwrap();
        let mut after_100 = 0;
        for k in 1..=10_000 {
            t.step();
            if k == 100 {
                after_100 = rss_kb().expect("/proc/self/status");
            }
        }
        let after_10k = rss_kb().unwrap();
        let growth = after_10k as f64 / after_100 as f64 - 1.0;
        println!("{mode:?}: VmRSS after 100 steps {after_100} kB, after 10,000 steps {after_10k} kB ({:+.2}%)", growth * 100.0);
        assert!(
            growth.abs() <= 0.05,
            "{mode:?}: {after_100} kB → {after_10k} kB"
        );
    }
}

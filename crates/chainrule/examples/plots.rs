//! Draws the training plots to look at: a noisy loss curve, accuracy curves, and the
//! decision boundary of a hand-made score on two-moons data (plus a three-class one),
//! each as SVG and, with `--features png`, PNG.
//!
//! ```text
//! cargo run --example plots --features png -- OUT_DIR
//! ```
use chainrule::{DecisionBoundary, LineChart, PlotError, Scale};
use std::path::Path;

/// A small linear congruential generator: reproducible noise without dependencies.
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal: the sum of four uniforms, centred and scaled.
    fn normal(&mut self) -> f64 {
        ((0..4).map(|_| self.next()).sum::<f64>() - 2.0) * 3f64.sqrt()
    }
}

/// Two interleaved half circles: class 1 the upper one, class 0 the lower one.
fn moons(n: usize, noise: f64, rng: &mut Lcg) -> (Vec<(f64, f64)>, Vec<usize>) {
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let t = std::f64::consts::PI * rng.next();
        let (x, y, label) = if i % 2 == 0 {
            (t.cos(), t.sin(), 1)
        } else {
            (1.0 - t.cos(), 0.5 - t.sin(), 0)
        };
        points.push((x + noise * rng.normal(), y + noise * rng.normal()));
        labels.push(label);
    }
    (points, labels)
}

/// The distance from `(x, y)` to a half circle of radius 1 about `(cx, cy)`, the upper
/// half when `up`.
fn arc_distance(x: f64, y: f64, cx: f64, cy: f64, up: bool) -> f64 {
    let (dx, dy) = (x - cx, y - cy);
    if (dy >= 0.0) == up {
        (dx.hypot(dy) - 1.0).abs()
    } else {
        (dx - 1.0).hypot(dy).min((dx + 1.0).hypot(dy))
    }
}

/// A score a trained network might learn: positive nearer the upper moon (class 1),
/// negative nearer the lower one, squashed by tanh as a network's output is.
fn moon_score(x: f64, y: f64) -> f64 {
    let d = arc_distance(x, y, 1.0, 0.5, false) - arc_distance(x, y, 0.0, 0.0, true);
    (2.0 * d).tanh()
}

fn save_both(dir: &Path, name: &str, save: impl Fn(&Path) -> Result<(), PlotError>) {
    for ext in ["svg", "png"] {
        let path = dir.join(format!("{name}.{ext}"));
        match save(&path) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(PlotError::PngUnavailable) => {}
            Err(e) => eprintln!("{}: {e}", path.display()),
        }
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/plots".into());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).expect("cannot create the output directory");
    let mut rng = Lcg(42);

    // (a) Loss like 1/(1 + k/10) with noise, and accuracy rising towards 1.
    let loss: Vec<(f64, f64)> = (0..100)
        .map(|k| {
            let l = 1.0 / (1.0 + k as f64 / 10.0);
            (k as f64, l * (1.0 + 0.15 * rng.normal()))
        })
        .collect();
    let train_acc: Vec<(f64, f64)> = (0..100)
        .map(|k| {
            let a = 1.0 - 0.5 * (-(k as f64) / 20.0).exp();
            (k as f64, (a + 0.02 * rng.normal()).min(1.0))
        })
        .collect();
    let test_acc: Vec<(f64, f64)> = (0..100)
        .step_by(10)
        .map(|k| (k as f64, 0.97 - 0.47 * (-(k as f64) / 25.0).exp()))
        .collect();
    let chart = LineChart::new("Training loss")
        .x_label("step")
        .y_label("loss")
        .series("loss", loss.clone());
    save_both(dir, "loss", |p| chart.save(p));
    let chart = LineChart::new("Training loss (log scale)")
        .x_label("step")
        .y_label("loss")
        .y_scale(Scale::Log)
        .series("loss", loss.clone());
    save_both(dir, "loss-log", |p| chart.save(p));
    let chart = LineChart::new("Loss and accuracy")
        .x_label("step")
        .series("loss", loss.clone())
        .series("accuracy", train_acc.clone());
    save_both(dir, "training", |p| chart.save(p));
    let chart = LineChart::new("Accuracy")
        .x_label("step")
        .y_label("accuracy")
        .series("train", train_acc)
        .series("test (every 10 steps)", test_acc);
    save_both(dir, "accuracy", |p| chart.save(p));
    // A loss that blew up: NaN and infinity at the end are skipped, with a note.
    let mut broken = loss;
    broken[97].1 = f64::INFINITY;
    broken[98].1 = f64::NAN;
    broken[99].1 = f64::NAN;
    let chart = LineChart::new("Loss with a NaN")
        .x_label("step")
        .y_label("loss")
        .series("loss", broken);
    save_both(dir, "loss-nan", |p| chart.save(p));

    // (b) The decision boundary of a hand-made score on two moons.
    let (points, labels) = moons(200, 0.1, &mut rng);
    let plot = DecisionBoundary::binary(&moon_score, &points, &labels)
        .expect("one label per point")
        .title("Two moons: a hand-made score")
        .resolution(160)
        .expect("in range")
        .x_label("x1")
        .y_label("x2");
    save_both(dir, "decision-boundary", |p| plot.save(p));

    // Three classes, predicted by the nearest of three centres.
    let centres = [(0.0, 0.0), (2.0, 0.5), (1.0, 2.0)];
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for i in 0..150 {
        let (cx, cy) = centres[i % 3];
        points.push((cx + 0.5 * rng.normal(), cy + 0.5 * rng.normal()));
        labels.push(i % 3);
    }
    let nearest = |x: f64, y: f64| {
        (0..3)
            .min_by(|&a, &b| {
                let d = |k: usize| (x - centres[k].0).hypot(y - centres[k].1);
                d(a).total_cmp(&d(b))
            })
            .unwrap_or(0)
    };
    let plot = DecisionBoundary::classes(&nearest, &points, &labels)
        .expect("labels below 6")
        .title("Nearest centre, three classes")
        .class_names(&["setosa", "versicolor", "virginica"]);
    save_both(dir, "three-classes", |p| plot.save(p));
}

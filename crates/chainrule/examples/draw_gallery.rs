//! Draws three graphs to compare by eye: the notebook's, a 2-4-1 tanh MLP with an MSE
//! loss (about 100 nodes) and a seeded random graph (1,000 nodes by default), each as DOT,
//! SVG and (with `--features png`) PNG.
//!
//! ```text
//! cargo run --release --example draw_gallery --features png -- OUT_DIR [RANDOM_NODES]
//! ```
use chainrule::{DrawOptions, Engine, Graph, Var};

fn notebook(g: &Graph) -> Var<'_> {
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    l.backward();
    l
}

/// A 2-4-1 tanh MLP on four samples, with the mean squared error as the loss.
fn mlp(g: &Graph) -> Var<'_> {
    let w1: Vec<Vec<Var>> = (0..4)
        .map(|j| {
            (0..2)
                .map(|i| g.var(&format!("w1_{j}{i}"), 0.3 * (j as f64 - i as f64) - 0.2))
                .collect()
        })
        .collect();
    let b1: Vec<Var> = (0..4)
        .map(|j| g.var(&format!("b1_{j}"), 0.1 * j as f64))
        .collect();
    let w2: Vec<Var> = (0..4)
        .map(|j| g.var(&format!("w2_{j}"), 0.5 - 0.25 * j as f64))
        .collect();
    let b2 = g.var("b2", -0.1);
    let data = [
        ([2.0, 3.0], 1.0),
        ([3.0, -1.0], -1.0),
        ([0.5, 1.0], -1.0),
        ([1.0, 1.0], 1.0),
    ];
    let errs: Vec<Var> = data
        .iter()
        .enumerate()
        .map(|(s, (x, y))| {
            let x: Vec<Var> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| g.var(&format!("x{s}_{i}"), v))
                .collect();
            let h: Vec<Var> = (0..4).map(|j| (g.dot(&w1[j], &x) + b1[j]).tanh()).collect();
            let out = (g.dot(&w2, &h) + b2).tanh().named(&format!("ypred{s}"));
            (out - *y).powf(2.0)
        })
        .collect();
    let loss = (g.sum(&errs) * 0.25).named("loss");
    loss.backward();
    loss
}

/// The benchmark's `out!` (a line to standard output), which its `draw.rs` uses.
#[allow(unused_macros)]
macro_rules! out {
    ($($arg:tt)*) => {
        println!($($arg)*)
    };
}

/// The benchmark's seeded random graph (`chainrule-bench draw`), so the gallery shows the
/// very graph that is timed.
#[allow(dead_code)]
#[path = "../../chainrule-bench/src/draw.rs"]
mod bench_draw;
use bench_draw::random_graph as random;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(args.first().map_or("gallery", String::as_str));
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    std::fs::create_dir_all(&dir).expect("make the output folder");
    let opts = DrawOptions::default();
    let gs = [Graph::new(), Graph::new(), Graph::new()];
    let graphs = [
        ("notebook", notebook(&gs[0])),
        ("mlp", mlp(&gs[1])),
        ("random", random(&gs[2], n, 7)),
    ];
    for (name, out) in graphs {
        let exts: &[&str] = if cfg!(feature = "png") {
            &["dot", "svg", "png"]
        } else {
            &["dot", "svg"]
        };
        for ext in exts {
            let path = dir.join(format!("{name}.{ext}"));
            let t = std::time::Instant::now();
            match out.save_drawing(&path, &opts, Engine::Builtin) {
                Ok(()) => println!(
                    "{} ({} values, {:.3}s)",
                    path.display(),
                    out.trace().nodes.len(),
                    t.elapsed().as_secs_f64()
                ),
                Err(e) => eprintln!("{}: {e}", path.display()),
            }
        }
    }
}

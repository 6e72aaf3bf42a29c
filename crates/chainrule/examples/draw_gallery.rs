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

/// A seeded random expression graph of `n` values (leaves, `+ * tanh`, `* 0.5`), each
/// op taking operands from the last 48 values (one leaving that window unused first); its output
/// sums whatever is left unused.
fn random(g: &Graph, n: usize, mut seed: u64) -> Var<'_> {
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m
    };
    let mut vals: Vec<Var> = Vec::with_capacity(n);
    let mut used: Vec<bool> = Vec::with_capacity(n);
    while vals.len() + 1 < n.max(3) {
        let len = vals.len();
        let leaving_unused = len >= 48 && !used[len - 48];
        let v = if len < 2 || (!leaving_unused && next(4) == 0) {
            g.var(&format!("x{len}"), next(2000) as f64 / 1000.0 - 1.0)
        } else {
            let w = len.min(48);
            // A value about to leave the window unused is used now, so (nearly) every
            // value reaches the output and no edge spans more than the window.
            let a = if used[len - w] {
                len - 1 - next(w)
            } else {
                len - w
            };
            used[a] = true;
            let b = len - 1 - next(w);
            match next(6) {
                0 => vals[a].tanh(),
                1 => vals[a] * 0.5,
                op => {
                    used[b] = true;
                    if op == 2 {
                        vals[a] * vals[b]
                    } else {
                        vals[a] + vals[b]
                    }
                }
            }
        };
        vals.push(v);
        used.push(false);
    }
    let rest: Vec<Var> = (0..vals.len())
        .filter(|&k| !used[k])
        .map(|k| vals[k])
        .collect();
    let out = g.sum(&rest).named("out");
    out.backward();
    out
}

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

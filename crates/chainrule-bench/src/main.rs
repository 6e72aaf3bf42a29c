//! chainrule-bench: chainrule on the workloads of `docs/WORKLOADS.md`, one JSON line per run,
//! in the same format as the peer kit's `rust-peers`, so figures can be put side by side.
//!
//! ```text
//! chainrule-bench <W1|W2|W3|W4|W5> [--n N] one workload, one JSON line, exit 1 if its check fails
//! chainrule-bench W2-replay [--n N]        W2 recorded once and replayed ("variant":"replay")
//! chainrule-bench W4-floor [--n N]         W4 on a minimal structure-of-arrays tape
//!                                          ("impl":"floor-soa", "variant":"floor")
//! chainrule-bench draw [--n N]             layout + SVG of a random graph of N values (10,000)
//! chainrule-bench page [--n RUNS]          the page protocol's `program` call on 200 values
//! chainrule-bench web SITE [--sizes|--program] [--n RUNS]   the page in Chromium, served and
//!                                          static (SITE); --sizes: only the figures at 200,
//!                                          1,000 and 10,000 values; --program: only the
//!                                          `program` call, WebAssembly against native
//! chainrule-bench serve-load [--clients 50] [--seconds 10] [--addr HOST:PORT]
//!                                          the live page under load: requests/s, p99, errors
//! chainrule-bench all                      every workload once
//! ```
//!
//! Besides the common fields each line carries `peak_rss_bytes`, the process's peak resident
//! memory (VmHWM) after the run, and `rss_bytes_per_node`. Run one workload per process when
//! the memory figure matters.
/// `println!` for the benchmark's lines: a reader that stops reading (`| head -1`) ends
/// the program quietly, as it does other command-line tools, instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::emit(format_args!($($arg)*))
    };
}

mod draw;
mod floor;
mod page;
mod serve;
mod serve_load;
mod w2;
#[cfg(unix)]
mod web;

use chainrule::Graph;
use std::hint::black_box;
use std::time::Instant;

const W1_LEAVES: [f64; 4] = [2.0, -3.0, 10.0, -2.0];
const W1_GRADS: [f64; 4] = [6.0, -4.0, -2.0, 4.0];
const W3_X0: f64 = 0.5;
const W3_H: f64 = 1e-6;
const DEFAULT_N: usize = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Workload {
    W1,
    W2,
    W2Replay,
    W3,
    W4,
    W4Floor,
    W5,
}

impl Workload {
    fn parse(s: &str) -> Option<Workload> {
        match s.to_ascii_uppercase().as_str() {
            "W1" => Some(Workload::W1),
            "W2" => Some(Workload::W2),
            "W2-REPLAY" => Some(Workload::W2Replay),
            "W3" => Some(Workload::W3),
            "W4" => Some(Workload::W4),
            "W4-FLOOR" => Some(Workload::W4Floor),
            "W5" => Some(Workload::W5),
            _ => None,
        }
    }

    /// n when none is given: 100 steps for W2, a million for the others.
    fn default_n(self) -> usize {
        match self {
            Workload::W2 | Workload::W2Replay => 100,
            Workload::W5 => 100_000,
            _ => DEFAULT_N,
        }
    }

    fn nodes(self, n: usize) -> usize {
        match self {
            Workload::W1 => 7 * n,
            Workload::W2 | Workload::W2Replay => w2::NODES_PER_STEP * n,
            Workload::W3 => 1 + 3 * n,
            Workload::W4 | Workload::W4Floor => 4 * n - 1,
            Workload::W5 => 9 * n - 9,
        }
    }
}

/// What one run found: seconds, the check text, and an error when the check failed.
struct Outcome {
    seconds: f64,
    check: String,
    error: Option<String>,
    extra: String,
}

/// W1: the notebook's graph built anew ITERS times on one cleared tape.
fn w1(iters: usize) -> Outcome {
    let mut g = Graph::new();
    let mut wrong = 0usize;
    let mut last = [0.0; 4];
    let t = Instant::now();
    for _ in 0..iters {
        g.clear();
        let [a, b, c, f] = black_box(W1_LEAVES).map(|x| g.leaf(x));
        let l = (a * b + c) * f;
        l.backward();
        let grads = [a, b, c, f].map(|v| v.grad());
        if grads != W1_GRADS {
            wrong += 1;
        }
        last = grads;
    }
    let seconds = t.elapsed().as_secs_f64();
    Outcome {
        seconds,
        check: format!("grads=[{}]", last.map(|g| g.to_string()).join(",")),
        error: (wrong > 0).then(|| format!("{wrong} of {iters} iterations gave other grads")),
        extra: String::new(),
    }
}

/// x_depth and dx_depth/dx_0 by a plain f64 forward-mode loop.
fn w3_expected(depth: usize) -> (f64, f64) {
    let (mut x, mut dx) = (W3_X0, 1.0);
    for _ in 0..depth {
        let t = f64::tanh(x);
        dx += W3_H * (1.0 - t * t) * dx;
        x += t * W3_H;
    }
    (x, dx)
}

/// W3: x_{i+1} = x_i + 1e-6 * tanh(x_i), DEPTH deep.
fn w3(depth: usize) -> Outcome {
    let (ex, egrad) = w3_expected(depth);
    let t = Instant::now();
    let g = Graph::new();
    let x0 = g.leaf(black_box(W3_X0));
    let x = (0..depth).fold(x0, |x, _| x + x.tanh() * W3_H);
    x.backward();
    let (x, grad) = (x.data(), x0.grad());
    let seconds = t.elapsed().as_secs_f64();
    let err = rel_err(x, ex).max(rel_err(grad, egrad));
    let close = err <= 1e-9;
    Outcome {
        seconds,
        check: format!("x={x:.10} grad={grad:.10} rel_err={err:.1e}"),
        error: (!close).then(|| format!("expected x={ex:.10} grad={egrad:.10}")),
        extra: r#","act":"tanh""#.to_string(),
    }
}

/// W4's inputs: x_i = i/N and y_i = 1 - x_i.
fn w4_inputs(n: usize) -> (Vec<f64>, Vec<f64>) {
    let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 1.0 - x).collect();
    (xs, ys)
}

/// W4: L = Σ x_i·y_i as a left fold of binary adds over 2N leaves.
fn w4(n: usize) -> Outcome {
    let (xs, ys) = w4_inputs(n);
    let t = Instant::now();
    let g = Graph::new();
    let xv = g.leaves(&xs);
    let yv = g.leaves(&ys);
    let l = (1..n).fold(xv.get(0) * yv.get(0), |s, i| s + xv.get(i) * yv.get(i));
    l.backward();
    let (value, gx, gy) = (l.data(), xv.grads(), yv.grads());
    let seconds = t.elapsed().as_secs_f64();
    w4_check(&xs, &ys, seconds, value, &gx, &gy)
}

/// W4 on the minimal structure-of-arrays tape of `floor.rs`, checked the same way.
fn w4_floor(n: usize) -> Outcome {
    let (xs, ys) = w4_inputs(n);
    let r = floor::w4(&xs, &ys);
    let mut o = w4_check(&xs, &ys, r.seconds, r.value, &r.gx, &r.gy);
    o.extra = r#","variant":"floor""#.to_string();
    o
}

/// W4's check: L equals the plain f64 left fold and every grad is exact.
fn w4_check(xs: &[f64], ys: &[f64], seconds: f64, value: f64, gx: &[f64], gy: &[f64]) -> Outcome {
    let expected = xs
        .iter()
        .zip(ys)
        .skip(1)
        .fold(xs[0] * ys[0], |s, (x, y)| s + x * y);
    let wrong = gx
        .iter()
        .zip(ys)
        .chain(gy.iter().zip(xs))
        .filter(|(g, e)| g != e)
        .count();
    let grads = match wrong {
        0 => "grads exact".to_string(),
        _ => format!("{wrong} of {} grads differ", 2 * xs.len()),
    };
    Outcome {
        seconds,
        check: format!("L={value:.6} {grads}"),
        error: (value != expected || wrong > 0)
            .then(|| format!("expected L={expected:.6} and exact grads")),
        extra: String::new(),
    }
}

/// W5: the gradient and the Hessian-vector product of the extended Rosenbrock function
/// at N points, by forward-over-reverse (`Graph::hvp`) on the recorded function.
fn w5(n: usize) -> Outcome {
    let xs: Vec<f64> = (0..n).map(|i| -1.2 + 2.4 * (i as f64 / n as f64)).collect();
    let vs: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let t = Instant::now();
    let g = Graph::with_capacity(9 * n);
    let x = g.leaves(black_box(&xs)).vars();
    let term = |i: usize| {
        let sq = x[i] * x[i];
        let t = x[i + 1] - sq;
        let u = 1.0 - x[i];
        100.0 * (t * t) + u * u
    };
    let f = (1..n - 1).fold(term(0), |s, i| s + term(i));
    let r = g.hvp(f, &x, &vs);
    let seconds = t.elapsed().as_secs_f64();
    // The closed form (the Hessian is tridiagonal), compared relative to max(1, |value|).
    let (mut eg, mut ehv) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n - 1 {
        let (a, b) = (xs[i], xs[i + 1]);
        let t = b - a * a;
        eg[i] += -400.0 * a * t - 2.0 * (1.0 - a);
        eg[i + 1] += 200.0 * t;
        let (hxx, hxy, hyy) = (1200.0 * a * a - 400.0 * b + 2.0, -400.0 * a, 200.0);
        ehv[i] += hxx * vs[i] + hxy * vs[i + 1];
        ehv[i + 1] += hxy * vs[i] + hyy * vs[i + 1];
    }
    let err = |got: &[f64], want: &[f64]| {
        got.iter()
            .zip(want)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            .fold(0.0, f64::max)
    };
    let e = err(&r.grad, &eg).max(err(&r.hv, &ehv));
    Outcome {
        seconds,
        check: format!(
            "hv[0]={:.6} hv[1]={:.6} max_rel_err={e:.1e}",
            r.hv[0], r.hv[1]
        ),
        error: (e > 1e-9).then(|| format!("expected hv[0]={:.6} hv[1]={:.6}", ehv[0], ehv[1])),
        extra: String::new(),
    }
}

/// W2's outcome: the check, and the `loss`/`accuracy` fields (plus `extra`).
fn w2_outcome(r: w2::W2, extra: &str) -> Outcome {
    Outcome {
        seconds: r.seconds,
        check: format!("loss={:.6} accuracy={}", r.loss, r.accuracy),
        error: (r.accuracy != 1.0).then(|| "final accuracy is not 1.0".to_string()),
        extra: format!(r#","loss":{},"accuracy":{}{extra}"#, r.loss, r.accuracy),
    }
}

fn rel_err(got: f64, expected: f64) -> f64 {
    ((got - expected) / expected).abs()
}

/// `x` rounded to 4 significant digits, as a JSON number.
fn num(x: f64) -> String {
    format!("{x:.3e}")
        .parse::<f64>()
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "null".into())
}

/// The process's peak resident set size in bytes (VmHWM), where /proc says it.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs one workload, prints its JSON line and says whether its check passed.
fn report(workload: Workload, n: usize) -> bool {
    let o = match workload {
        Workload::W1 => w1(n),
        Workload::W2 => w2_outcome(w2::rebuild(n), ""),
        Workload::W2Replay => w2_outcome(w2::replay(n), r#","variant":"replay""#),
        Workload::W3 => w3(n),
        Workload::W4 => w4(n),
        Workload::W4Floor => w4_floor(n),
        Workload::W5 => w5(n),
    };
    let nodes = workload.nodes(n);
    let (name, imp) = match workload {
        Workload::W2Replay => (
            Workload::W2,
            concat!("chainrule-", env!("CARGO_PKG_VERSION")),
        ),
        Workload::W4Floor => (Workload::W4, "floor-soa"),
        w => (w, concat!("chainrule-", env!("CARGO_PKG_VERSION"))),
    };
    let mut line = format!(
        r#"{{"workload":"{name:?}","impl":"{imp}","n":{n},"nodes":{nodes},"seconds":{},"ns_per_node":{},"ok":{},"check":"{}""#,
        num(o.seconds),
        num(o.seconds * 1e9 / nodes as f64),
        o.error.is_none(),
        o.check,
    );
    line += &o.extra;
    if let Some(e) = &o.error {
        line += &format!(r#","error":"{e}""#);
    }
    if let Some(rss) = peak_rss() {
        line += &format!(
            r#","peak_rss_bytes":{rss},"rss_bytes_per_node":{}"#,
            num(rss as f64 / nodes as f64)
        );
    }
    out!("{line}}}");
    o.error.is_none()
}

/// `serve-load`'s options: `--clients N`, `--seconds S`, `--addr HOST:PORT`.
fn load_options(mut rest: &[&str]) -> serve_load::Load {
    let mut load = serve_load::Load {
        clients: 50,
        seconds: 10.0,
        addr: None,
    };
    while let [flag, value, more @ ..] = rest {
        match *flag {
            "--clients" => {
                load.clients = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage())
            }
            "--seconds" => {
                load.seconds = value
                    .parse()
                    .ok()
                    .filter(|&s: &f64| s > 0.0)
                    .unwrap_or_else(|| usage())
            }
            "--addr" => load.addr = Some(value.to_string()),
            _ => usage(),
        }
        rest = more;
    }
    if !rest.is_empty() {
        usage()
    }
    load
}

const USAGE: &str = "usage: chainrule-bench <W1|W2|W2-replay|W3|W4|W4-floor|W5> [--n N]\n       chainrule-bench draw [--n N]\n       chainrule-bench serve\n       chainrule-bench page [--n RUNS]\n       chainrule-bench web SITE [--sizes|--program] [--n RUNS]\n       chainrule-bench serve-load [--clients 50] [--seconds 10] [--addr HOST:PORT]\n       chainrule-bench all\n\
     The workloads are defined in docs/WORKLOADS.md.";

/// The usage on standard error, and exit status 2: the arguments were not understood.
fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(2)
}

/// The site `web` measures: a folder that `scripts/build-site.sh` wrote, or a clear exit.
#[cfg(unix)]
fn built_site(site: &str) -> &std::path::Path {
    let dir = std::path::Path::new(site);
    if !dir.join("index.html").is_file() || !dir.join("chainrule.wasm").is_file() {
        eprintln!(
            "chainrule-bench web: {site} is not a built site (no index.html and chainrule.wasm \
             in it): write one with scripts/build-site.sh {site}"
        );
        std::process::exit(2)
    }
    dir
}

/// Writes one line to standard output; exits (status 0) when nobody reads it any more.
fn emit(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("chainrule-bench: cannot write the results: {e}");
        std::process::exit(1);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ok = match args[..] {
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return;
        }
        ["draw", ref rest @ ..] => {
            draw::run(rest.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000))
        }
        ["serve"] => serve::run(),
        ["serve-load", ref rest @ ..] => serve_load::run(&load_options(rest)),
        ["page", ref rest @ ..] => page::run(match rest {
            [] => 21,
            ["--n", n] => n.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| usage()),
            _ => usage(),
        }),
        #[cfg(unix)]
        ["web", site, ref rest @ ..] if !site.starts_with('-') => {
            let (rest, only) = match rest {
                ["--sizes", rest @ ..] => (rest, web::Only::Sizes),
                ["--program", rest @ ..] => (rest, web::Only::Program),
                rest => (rest, web::Only::All),
            };
            web::run(
                built_site(site),
                match rest {
                    [] => 9,
                    ["--n", n] => n.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| usage()),
                    _ => usage(),
                },
                only,
            )
        }
        ["all"] => [
            Workload::W1,
            Workload::W2,
            Workload::W3,
            Workload::W4,
            Workload::W5,
        ]
        .into_iter()
        .map(|w| report(w, w.default_n()))
        .collect::<Vec<bool>>()
        .into_iter()
        .all(|passed| passed),
        [workload, ref rest @ ..] => {
            let workload = Workload::parse(workload).unwrap_or_else(|| usage());
            let n = match rest {
                [] => workload.default_n(),
                ["--n", n] => n.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| usage()),
                _ => usage(),
            };
            report(workload, n)
        }
        _ => usage(),
    };
    std::process::exit(if ok { 0 } else { 1 })
}

//! The drawing workload: layout + SVG for a seeded random expression graph of `n` values.

use chainrule::{DrawOptions, Graph, Var};
use std::time::Instant;

/// A seeded random expression graph of `n` values (leaves, `+ * tanh`, `* 0.5`), each
/// op taking operands from the last 48 values (one leaving that window unused first); its output
/// sums whatever is left unused.
pub fn random_graph(g: &Graph, n: usize, mut seed: u64) -> Var<'_> {
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

/// Builds the graph, then times layout + SVG; prints one JSON line and says whether it
/// produced a well-formed drawing.
pub fn run(n: usize) -> bool {
    let g = Graph::with_capacity(n);
    let out = random_graph(&g, n, 7);
    let nodes = out.trace().nodes.len();
    let opts = DrawOptions {
        max_nodes: n.max(DrawOptions::default().max_nodes),
        ..DrawOptions::default()
    };
    let t = Instant::now();
    let result = out.to_svg(&opts);
    let seconds = t.elapsed().as_secs_f64();
    let (ok, check) = match &result {
        Ok(svg) => {
            let boxes = svg.matches(r#"<rect class="box"#).count();
            (
                boxes == nodes && svg.ends_with("</svg>\n"),
                format!("svg bytes={} boxes={boxes}", svg.len()),
            )
        }
        Err(e) => (false, e.to_string()),
    };
    out!(
        r#"{{"workload":"draw","impl":"chainrule-{}","n":{n},"nodes":{nodes},"seconds":{seconds:.4},"ok":{ok},"check":"{check}"}}"#,
        env!("CARGO_PKG_VERSION"),
    );
    ok
}

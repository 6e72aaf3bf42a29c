//! A graph too tangled for the full layered layout (long edges would need more bend
//! points than `max_layout_points`) is drawn with the simpler layout, never refused:
//! every value once with its `data-node-id`, every use as an edge, a dashed copy of a
//! value next to each far use, and a note that says so.
mod common;

use chainrule::lang::{EvalOptions, Program};
use chainrule::{DrawOptions, Graph, Limits, RankDir, ShowGrads, Var};
use common::{check_geometry, parse};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The issue's program: 1,000 values, a chain that reuses 10 leaves in turn.
fn chain_program() -> String {
    let mut src: String = (0..10).map(|i| format!("x{i} = 0.{i}1\n")).collect();
    src += "s = x0 * x1\n";
    for i in 2..990 {
        let op = if i % 2 == 1 { "+=" } else { "*=" };
        src += &format!("s {op} x{}\n", i % 10);
    }
    src
}

/// The values and ops `out` depends on.
fn counts(out: Var<'_>) -> (usize, usize) {
    let t = out.trace();
    let ops = t
        .nodes
        .iter()
        .filter(|&&i| !out.graph().get(i).unwrap().is_leaf())
        .count();
    (t.nodes.len(), ops)
}

/// Draws `out`, checks the drawing's geometry, and that it shows every value once and
/// every use as an edge from the value (or a copy of it) into its op's node, as the
/// trace has them. Returns the drawing and how many copies the library said it drew.
fn check(out: Var<'_>, opts: &DrawOptions) -> (common::Drawing, Option<usize>) {
    let drawing = out.draw(opts).unwrap();
    let d = parse(&drawing.svg);
    let (values, ops) = counts(out);
    check_geometry(&d, values, ops);
    let trace = out.trace();
    for &i in &trace.nodes {
        assert!(
            d.shapes.contains_key(&format!("n{i}")),
            "value {i} is drawn"
        );
    }
    let mut uses: HashMap<(String, String), usize> = HashMap::new();
    for &(c, p, _) in &trace.edges {
        *uses
            .entry((format!("n{c}"), format!("n{p}_op")))
            .or_default() += 1;
    }
    let mut drawn: HashMap<(String, String), usize> = HashMap::new();
    for e in d.edges.iter().filter(|e| e.to.ends_with("_op")) {
        *drawn.entry((e.from.clone(), e.to.clone())).or_default() += 1;
    }
    assert_eq!(drawn, uses, "one edge per use, from the value or its copy");
    // A copy shows what the value shows.
    for (of, _, cells) in &d.copies {
        assert_eq!(cells, &d.cells[of], "the copy of {of}");
    }
    let copies = drawing.simplified.map(|s| s.copies);
    assert_eq!(d.copies.len(), copies.unwrap_or(0));
    (d, copies)
}

#[test]
fn the_issues_1000_value_chain_is_drawn_not_refused() {
    let limits = Limits::PAGE;
    let program = Program::parse(&chain_program()).unwrap();
    let g = Graph::new();
    let opts = EvalOptions {
        limits,
        ..Default::default()
    };
    let out = program.eval(&g, &opts).unwrap().output;
    out.backward();
    assert_eq!(out.trace().nodes.len(), 999);
    let opts = DrawOptions {
        grads: ShowGrads::Always,
        ..limits.draw_options()
    };
    let started = Instant::now();
    let drawing = out.draw(&opts).unwrap();
    // Generous: it takes a few hundredths of a second.
    assert!(started.elapsed() < Duration::from_secs(20));
    let s = drawing
        .simplified
        .expect("the chain is too tangled for the full layout");
    // Its long edges would need 970,000 bend points or so; each leaf's uses after the
    // first (98 or 99 each) are copies.
    assert!(
        s.points > 900_000 && s.limit == limits.layout_points,
        "{s:?}"
    );
    assert_eq!(s.copies, 980);
    let (d, _) = check(out, &opts);
    let note = d.desc.expect("the drawing says it is simplified");
    assert!(
        note.starts_with("Simplified layout: 980 far uses"),
        "{note}"
    );
    assert!(drawing.svg.contains(r#"<text class="note""#));
    // Left to right, the chain stays one row: the drawing is not much taller than a
    // value, its copy and the note.
    assert!(d.height < 400.0, "{} high", d.height);
    check(
        out,
        &DrawOptions {
            rankdir: RankDir::TB,
            ..opts
        },
    );
}

#[test]
fn random_graphs_drawn_with_copies_keep_every_value_and_use() {
    for seed in 1..=6 {
        for (n, window) in [(40, 40), (150, 150), (400, 60)] {
            let g = Graph::new();
            let out = common::random(&g, n, window, seed);
            for rankdir in [RankDir::LR, RankDir::TB] {
                let opts = DrawOptions {
                    rankdir,
                    max_layout_points: 0,
                    ..DrawOptions::default()
                };
                let (_, copies) = check(out, &opts);
                assert!(copies.is_some());
            }
        }
    }
}

#[test]
fn a_graph_within_the_bound_keeps_the_full_layout() {
    let g = Graph::new();
    let out = common::random(&g, 400, 60, 3);
    let drawing = out.draw(&DrawOptions::default()).unwrap();
    assert!(drawing.simplified.is_none());
    assert!(!drawing.svg.contains("<desc>") && !drawing.svg.contains("data-copy-of"));
    let unbounded = DrawOptions {
        max_layout_points: usize::MAX,
        ..DrawOptions::default()
    };
    assert_eq!(out.to_svg(&unbounded).unwrap(), drawing.svg);
}

#[test]
fn a_weight_used_at_every_step_of_a_recurrence_is_drawn() {
    // This was refused before ("long edges need ... bend points, over the layout limit").
    let g = Graph::new();
    let w = g.var("w", 0.5);
    let x = g.var("x", 1.0);
    let y = (0..300).fold(x, |h, _| (h * w).tanh());
    let opts = DrawOptions {
        max_nodes: 1000,
        max_layout_points: 50_000,
        ..DrawOptions::default()
    };
    let (_, copies) = check(y, &opts);
    assert_eq!(
        copies,
        Some(299),
        "w is drawn again at every use but its first"
    );
}

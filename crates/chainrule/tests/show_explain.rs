//! The chain-rule explanation: the notebook's numbers, golden text, reused nodes, every
//! op's formula, stand-in names and non-finite values.

use chainrule::{Graph, Pass, Var};
use std::path::Path;

/// The notebook's graph: a=2, b=-3, c=10, e=a*b, d=e+c, f=-2, L=d*f.
fn notebook(g: &Graph) -> [Var<'_>; 7] {
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    [a, b, c, e, d, f, l]
}

/// Compares `text` with the golden file, or rewrites the file when
/// `CHAINRULE_UPDATE_GOLDEN=1`.
fn golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("CHAINRULE_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        chainrule::write_atomic(&path, text.as_bytes()).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with CHAINRULE_UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(text, want, "{name} differs from the golden file");
}

#[test]
fn notebook_numbers_for_all_seven_nodes() {
    let g = Graph::new();
    let [_, _, _, _, _, _, l] = notebook(&g);
    let ex = l.explain();
    let names: Vec<&str> = ex.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["L", "f", "d", "e", "c", "b", "a"]);
    let grads: Vec<f64> = ex.nodes.iter().map(|n| n.grad).collect();
    assert_eq!(grads, [1.0, 4.0, -2.0, -2.0, -2.0, -4.0, 6.0]);
    let datas: Vec<f64> = ex.nodes.iter().map(|n| n.data).collect();
    assert_eq!(datas, [-8.0, -2.0, 4.0, -6.0, 10.0, -3.0, 2.0]);
    // (parent, parent grad, local, product) of each node's one use.
    let uses: Vec<Vec<(&str, f64, f64, f64)>> = ex
        .nodes
        .iter()
        .map(|n| {
            n.contributions
                .iter()
                .map(|c| (c.parent_name.as_str(), c.parent_grad, c.local, c.product))
                .collect()
        })
        .collect();
    assert_eq!(uses[0], []);
    assert_eq!(uses[1], [("L", 1.0, 4.0, 4.0)]);
    assert_eq!(uses[2], [("L", 1.0, -2.0, -2.0)]);
    assert_eq!(uses[3], [("d", -2.0, 1.0, -2.0)]);
    assert_eq!(uses[4], [("d", -2.0, 1.0, -2.0)]);
    assert_eq!(uses[5], [("e", -2.0, 2.0, -4.0)]);
    assert_eq!(uses[6], [("e", -2.0, -3.0, 6.0)]);
    let formulas: Vec<&str> = ex.nodes[1..]
        .iter()
        .map(|n| n.contributions[0].formula.as_str())
        .collect();
    assert_eq!(
        formulas,
        [
            "d(d*f)/df = d",
            "d(d*f)/dd = f",
            "d(e+c)/de = 1",
            "d(e+c)/dc = 1",
            "d(a*b)/db = a",
            "d(a*b)/da = b"
        ]
    );
    let text = ex.to_string();
    assert!(text.contains("dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000"));
    assert!(text.contains("dL/dc = dL/dd · dd/dc = -2.0000 · 1.0000 = -2.0000"));
    assert!(ex.non_finite.is_none());
}

#[test]
fn notebook_golden_text_and_markdown() {
    let g = Graph::new();
    let l = notebook(&g)[6];
    let ex = l.explain();
    golden("notebook_explain.txt", &ex.to_string());
    golden("notebook_explain.md", &ex.to_markdown());
}

#[test]
fn explanation_matches_backward_and_leaves_grads_alone() {
    let g = Graph::new();
    let [a, b, _, e, _, _, l] = notebook(&g);
    a.set_grad(123.0); // set by hand, as the notebook does
    let ex = l.explain();
    assert_eq!(a.grad(), 123.0);
    assert_eq!(b.grad(), 0.0);
    assert_eq!(e.grad(), 0.0);
    l.backward();
    for n in &ex.nodes {
        assert_eq!(n.grad, g.get(n.index).unwrap().grad(), "{}", n.name);
    }
}

#[test]
fn node_used_three_times_lists_three_contributions_and_their_sum() {
    let g = Graph::new();
    let x = g.var("x", 0.7);
    let p = (x * 3.0).named("p");
    let q = x.sin().named("q");
    let r = x.exp().named("r");
    let l = (p + q + r).named("L");
    let ex = l.explain();
    let xn = ex.nodes.iter().find(|n| n.name == "x").unwrap();
    assert_eq!(xn.contributions.len(), 3);
    let parents: Vec<&str> = xn
        .contributions
        .iter()
        .map(|c| c.parent_name.as_str())
        .collect();
    assert_eq!(parents, ["r", "q", "p"]); // backward's order: latest parent first
    let sum = xn.contributions.iter().fold(0.0, |s, c| s + c.product);
    l.backward();
    assert_eq!(sum, x.grad());
    assert_eq!(xn.grad, x.grad());
    let exact = 3.0 + 0.7f64.cos() + 0.7f64.exp();
    assert!((xn.grad - exact).abs() < 1e-12);
    let text = ex.to_string();
    assert_eq!(text.matches("dL/dx += ").count(), 3);
    let terms: Vec<String> = xn
        .contributions
        .iter()
        .map(|c| format!("{:.4}", c.product))
        .collect();
    let sum_line = format!("dL/dx = {} = {:.4}", terms.join(" + "), xn.grad);
    assert!(text.contains(&sum_line), "{text}");
    assert!(text.contains("dq/dx = d sin(x)/dx = cos(x) = 0.7648"));
    assert!(text.contains("dr/dx = d exp(x)/dx = exp(x) = 2.0138"));
    assert!(text.contains("dp/dx = d(x*3)/dx = 3"));
}

#[test]
fn same_parent_twice_gives_two_contributions() {
    let g = Graph::new();
    let a = g.var("a", -1.5);
    let y = (a * a).named("y");
    let ex = y.explain();
    let an = &ex.nodes[1];
    let slots: Vec<usize> = an.contributions.iter().map(|c| c.slot).collect();
    assert_eq!(slots, [0, 1]);
    assert_eq!(an.grad, -3.0);
    assert!(ex
        .to_string()
        .contains("dy/da = -1.5000 + -1.5000 = -3.0000"));
}

#[test]
fn unlabelled_values_get_readable_stand_ins() {
    let g = Graph::new();
    let x = g.leaf(2.0);
    let w = g.leaf(-0.5);
    let n = x * w;
    let o = n.tanh();
    let y = o * 2.0 + 1.0;
    let ex = y.explain();
    let names: Vec<&str> = ex.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["(v4+1)", "v4", "tanh(v0*v1)", "(v0*v1)", "v1", "v0"]
    );
    let text = ex.to_string();
    assert!(text.contains("tanh(v0*v1) = -0.7616"), "{text}");
    assert!(
        text.contains("d tanh(v0*v1)/d(v0*v1) = 1 - tanh(v0*v1)² = 0.4200"),
        "{text}"
    );
    // The same expression twice: the later one falls back to its index.
    let g = Graph::new();
    let (a, b) = (g.var("a", 1.0), g.var("b", 2.0));
    let y = (a * b) + (a * b);
    let names: Vec<String> = y.explain().nodes.iter().map(|n| n.name.clone()).collect();
    assert_eq!(names, ["v4", "v3", "(a*b)", "b", "a"]);
}

#[test]
fn ln_of_a_negative_number_is_named_not_a_wall_of_nan() {
    let g = Graph::new();
    let x = g.var("x", -1.0);
    let y = x.ln().named("y");
    let z = (y * 3.0 + y.exp()).named("z");
    let ex = z.explain();
    let nf = ex.non_finite.as_ref().expect("a non-finite value");
    assert_eq!(
        (nf.index, nf.name.as_str(), nf.pass),
        (y.index(), "y", Pass::Forward)
    );
    let text = ex.to_string();
    let first = text.lines().nth(1).unwrap();
    assert!(first.starts_with("Not finite:"), "{text}");
    assert!(first.contains("ln of a negative number (ln(-1))"), "{text}");
    assert!(
        text.contains("z: follows from the non-finite value at y (node #1)"),
        "{text}"
    );
    assert!(text.matches("NaN").count() <= 2, "{text}");
    let md = ex.to_markdown();
    assert!(
        md.contains("**Not finite:**") && md.matches("NaN").count() <= 2,
        "{md}"
    );
}

#[test]
fn an_infinite_grad_is_traced_too() {
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let y = (x.sqrt() * 2.0).named("y");
    let ex = y.explain();
    let nf = ex.non_finite.as_ref().expect("a non-finite grad");
    assert_eq!((nf.index, nf.pass), (x.index(), Pass::Backward));
    assert!(nf.reason.contains("infinite slope at 0"), "{}", nf.reason);
    assert_eq!(x.grad(), 0.0, "the graph's grads are not touched");
}

#[test]
fn an_infinite_slope_under_a_zero_grad_adds_nothing_as_in_backward() {
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let s = x.sqrt().named("s"); // slope +inf at 0
    let y = (s * 0.0 + x * 2.0).named("y");
    let ex = y.explain();
    assert!(ex.non_finite.is_none());
    let xn = ex.nodes.iter().find(|n| n.name == "x").unwrap();
    y.backward();
    assert_eq!((xn.grad, x.grad()), (2.0, 2.0));
    let text = ex.to_string();
    assert!(
        text.contains("dy/dx += dy/ds · ds/dx = 0.0000 · inf = 0.0000 (nothing flows: dy/ds is 0)"),
        "{text}"
    );
}

#[test]
fn long_sums_and_dot_products_stay_short() {
    let g = Graph::new();
    let w: Vec<Var<'_>> = (0..20).map(|k| g.var(&format!("w{k}"), k as f64)).collect();
    let x: Vec<Var<'_>> = (0..20).map(|k| g.var(&format!("x{k}"), 1.0)).collect();
    let n = g.dot(&w, &x).named("n");
    let s = g.sum(&w).named("s");
    let l = (n * s).named("L");
    let ex = l.explain();
    let text = ex.to_string();
    assert!(
        text.contains("n = dot product of 20 pairs = 190.0000"),
        "{text}"
    );
    assert!(text.contains("s = sum of 20 terms = 190.0000"), "{text}");
    assert!(
        text.contains("dn/dw7 = d(… + w7*x7 + …)/dw7 = x7 = 1.0000"),
        "{text}"
    );
    assert!(
        text.contains("dn/dx7 = d(… + w7*x7 + …)/dx7 = w7 = 7.0000"),
        "{text}"
    );
    assert!(text.contains("ds/dw7 = d sum(…)/dw7 = 1"), "{text}");
    l.backward();
    let w7 = ex.nodes.iter().find(|n| n.name == "w7").unwrap();
    assert_eq!(w7.grad, w[7].grad());
}

/// Where the parent is the output itself, dL/dL = 1 is not written out: the line is the
/// local derivative (`dL/df = d(d*f)/df = d`), with `+=` for each use when there are
/// several, and the sum after.
#[test]
fn the_output_as_parent_writes_the_local_derivative_directly() {
    let g = Graph::new();
    let x = g.var("x", 3.0);
    let l = (x * x).named("L");
    let ex = l.explain();
    let node = ex.node(x.index()).unwrap();
    assert!(node.contributions.iter().all(|c| c.parent_is_output));
    assert_eq!(
        node.derivation("L"),
        [
            "dL/dx += d(x*x)/dx = x = 3.0000",
            "dL/dx += d(x*x)/dx = x = 3.0000",
            "dL/dx = 3.0000 + 3.0000 = 6.0000",
        ]
    );
    let f = g.var("f", -2.0);
    let d = g.var("d", 4.0);
    let l = (d * f).named("L");
    let text = l.explain().to_string();
    assert!(
        text.contains("  dL/df = d(d*f)/df = d = 4.0000\n"),
        "{text}"
    );
    assert!(!text.contains("dL/dL ·"), "{text}");
}

/// A program's `2*x` and `3 + x` are explained and drawn as written, though the engine
/// records `x * 2` and `x + 3` (one op for either order).
#[test]
fn a_constant_written_first_stays_first() {
    use chainrule::lang::{EvalOptions, Program};
    let p = Program::parse("x = 0.5\ny = tanh(2*x) + (3 + x) + -2*x + x*4").unwrap();
    let g = Graph::new();
    let run = p.eval(&g, &EvalOptions::default()).unwrap();
    let text = run.output.explain().to_string();
    for want in [
        "(2*x) = 1.0000\n",
        "dy/dx += dy/d(2*x) · d(2*x)/dx = ",
        "    d(2*x)/dx = 2\n",
        "d tanh(2*x)/d(2*x) = 1 - tanh(2*x)²",
        "(3+x) = 3.5000\n",
        "(-2*x) = -1.0000\n",
        "(x*4) = 2.0000\n",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    assert!(!text.contains("x*2") && !text.contains("x+3"), "{text}");
    let ops: Vec<String> = g.vars().map(|v| v.op_label()).collect();
    for label in ["2 *", "3 +", "-2 *", "* 4"] {
        assert!(ops.iter().any(|o| o == label), "{label} not in {ops:?}");
    }
    // Rust's `2.0 * x` records the same op, unmarked.
    let h = Graph::new();
    let x = h.var("x", 0.5);
    assert_eq!((2.0 * x).op_label(), "* 2");
}

/// Rewinding forgets which nodes had their constant first.
#[test]
fn rewind_forgets_a_constant_written_first() {
    use chainrule::lang::{EvalOptions, Program};
    let mut g = Graph::new();
    g.var("x", 1.0);
    let m = g.mark();
    let program = Program::parse("z = 1; y = 2*z").unwrap();
    let marked = {
        let run = program.eval(&g, &EvalOptions::default()).unwrap();
        (run.output.index(), run.output.op_label())
    };
    assert_eq!(marked.1, "2 *");
    g.rewind(m);
    let z = g.var("z", 1.0);
    let y = z * 2.0;
    assert_eq!((y.index(), y.op_label()), (marked.0, "* 2".to_string()));
}

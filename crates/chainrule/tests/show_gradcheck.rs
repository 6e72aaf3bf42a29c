//! Gradient check: every op at ordinary points, kinks, adjustable step and tolerance,
//! hand-set grads, the graph left as it was, and non-finite values.

use chainrule::{CheckOptions, Graph, Var, Verdict};
use proptest::prelude::*;

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

/// Every value and grad of the graph, bit for bit.
fn snapshot(g: &Graph) -> Vec<(u64, u64)> {
    g.vars()
        .map(|v| (v.data().to_bits(), v.grad().to_bits()))
        .collect()
}

type Build = for<'g> fn(&'g Graph, Var<'g>, Var<'g>) -> Var<'g>;

/// One case per op (the explicit ops, each used at an ordinary point), composed with a
/// little more so that every check goes through a chain.
fn every_op() -> Vec<(&'static str, Build)> {
    vec![
        ("add", |_, x, y| x + y),
        ("sub", |_, x, y| x - y),
        ("mul", |_, x, y| x * y),
        ("div", |_, x, y| x / y),
        ("neg", |_, x, _| -x),
        ("add_const", |_, x, _| x + 2.5),
        ("mul_const", |_, x, _| x * -1.5),
        ("const_sub", |_, x, _| 2.0 - x),
        ("div_const", |_, x, _| x / 3.0),
        ("const_div", |_, x, _| 5.0 / x),
        ("pow_const", |_, x, _| x.powf(3.0)),
        ("pow_const_frac", |_, x, _| x.powf(-0.5)),
        ("pow", |_, x, y| x.pow(y)),
        ("exp", |_, x, _| x.exp()),
        ("ln", |_, x, _| x.ln()),
        ("tanh", |_, x, _| x.tanh()),
        ("sigmoid", |_, x, _| x.sigmoid()),
        ("relu", |_, x, _| x.relu()),
        ("sin", |_, x, _| x.sin()),
        ("cos", |_, x, _| x.cos()),
        ("sqrt", |_, x, _| x.sqrt()),
        ("abs", |_, x, _| x.abs()),
        ("sum", |g, x, y| g.sum(&[x, y, x])),
        ("dot", |g, x, y| g.dot(&[x, y], &[y, x])),
    ]
}

#[test]
fn every_op_passes_at_ordinary_points() {
    for (name, build) in every_op() {
        for (x0, y0) in [(0.7, 1.3), (2.5, 0.4), (1.1, -0.8)] {
            let g = Graph::new();
            let x = g.var("x", x0);
            let y = g.var("y", y0);
            let p = build(&g, x, y);
            let l = (p * y + p.sin()).named("L");
            let check = l.grad_check();
            assert_eq!(check.rows.len(), 2, "{name}");
            for r in &check.rows {
                assert_eq!(r.verdict, Verdict::Pass, "{name} at ({x0}, {y0}):\n{check}");
                assert!(r.abs_err < 1e-7, "{name}: {check}");
            }
            assert!(check.passed());
        }
    }
}

#[test]
fn notebook_check_passes_with_the_notebook_numbers() {
    let g = Graph::new();
    let l = notebook(&g)[6];
    let check = l.grad_check();
    let got: Vec<(&str, f64)> = check
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.analytic))
        .collect();
    assert_eq!(got, [("a", 6.0), ("b", -4.0), ("c", -2.0), ("f", 4.0)]);
    for r in &check.rows {
        assert!((r.numeric - r.analytic).abs() < 1e-8, "{check}");
        assert_eq!(r.h, 1e-6 * r.data.abs().max(1.0), "relative step");
    }
    let text = check.to_string();
    assert!(
        text.contains("h = 1e-6·max(1, |x|), tolerance 1e-6"),
        "{text}"
    );
    assert!(text.contains("4 checked: 4 ok."), "{text}");
    assert!(check
        .to_markdown()
        .contains("| a | 2.0000 | 6.0000000000 |"));
}

#[test]
fn intermediate_values_can_be_checked() {
    let g = Graph::new();
    let [a, _, _, e, d, _, l] = notebook(&g);
    let check = l.grad_check_of(&[d, e, a, l], CheckOptions::default());
    let got: Vec<f64> = check.rows.iter().map(|r| r.analytic).collect();
    assert_eq!(got, [-2.0, -2.0, 6.0, 1.0]);
    assert!(check.passed(), "{check}");
    for r in &check.rows {
        assert!((r.numeric - r.analytic).abs() < 1e-8, "{check}");
    }
}

#[test]
fn relu_and_abs_at_zero_are_kinks_not_failures() {
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let z = g.var("z", 1.5);
    let l = (x.relu() * z + z.sqrt()).named("L");
    let check = l.grad_check();
    assert_eq!(check.rows[0].verdict, Verdict::Kink);
    assert!(check.rows[0].note.as_deref().unwrap().contains("relu(x)"));
    assert_eq!(check.rows[1].verdict, Verdict::Pass);
    assert!(check.passed());
    assert!(check.to_string().contains("not differentiable"));

    let g = Graph::new();
    let x = g.var("x", 1.0);
    let l = ((x - 1.0).abs() * 3.0).named("L"); // abs at 0, one step removed
    assert_eq!(l.grad_check().rows[0].verdict, Verdict::Kink);
}

#[test]
fn a_step_that_crosses_a_kink_is_flagged_and_one_that_does_not_is_checked() {
    let g = Graph::new();
    let x = g.var("x", 1e-7); // x - h < 0 < x + h
    let l = x.relu().named("L");
    assert_eq!(l.grad_check().rows[0].verdict, Verdict::Kink);
    x.set_data(0.5);
    g.forward();
    assert_eq!(l.grad_check().rows[0].verdict, Verdict::Pass);
    // A relu at 0 that does not depend on the value checked is no kink for it.
    let g = Graph::new();
    let x = g.var("x", 2.0);
    let z = g.var("z", 0.0);
    let l = (x * 3.0 + z.relu()).named("L");
    let rows = l.grad_check().rows;
    assert_eq!(
        (rows[0].verdict, rows[1].verdict),
        (Verdict::Pass, Verdict::Kink)
    );
}

#[test]
fn poles_and_domain_edges_are_reported_as_not_differentiable() {
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let l = x.sqrt().named("L");
    let r = &l.grad_check().rows[0];
    assert_eq!(r.verdict, Verdict::Kink);
    assert!(r.note.as_deref().unwrap().contains("edge of its domain"));
    let g = Graph::new();
    let x = g.var("x", 2.0);
    let l = (1.0 / (x - 2.0)).named("L");
    let r = &l.grad_check().rows[0];
    assert_eq!(r.verdict, Verdict::Kink);
    assert!(r.note.as_deref().unwrap().contains("pole"));
}

#[test]
fn step_and_tolerance_are_adjustable() {
    let g = Graph::new();
    let x = g.var("x", 1.0);
    let l = x.powf(3.0).named("L");
    // Central difference of x³ is 3x² + h² exactly: a big step shows up as an error.
    let coarse = CheckOptions {
        eps: 0.1,
        tol: 1e-6,
    };
    let check = l.grad_check_with(coarse);
    let r = &check.rows[0];
    assert_eq!(r.verdict, Verdict::Fail);
    assert!((r.numeric - (3.0 + 0.01)).abs() < 1e-12, "{}", r.numeric);
    assert!(!check.passed());
    assert!(check.to_string().contains("1 wrong"));
    let lenient = CheckOptions {
        eps: 0.1,
        tol: 0.01,
    };
    assert!(l.grad_check_with(lenient).passed());
    x.set_data(0.7);
    g.forward();
    let strict = CheckOptions {
        eps: 1e-6,
        tol: 1e-300,
    };
    let r = &l.grad_check_with(strict).rows[0];
    assert!(r.abs_err > 0.0 && r.abs_err < 1e-8, "{}", r.abs_err);
    assert_eq!(r.verdict, Verdict::Fail);
}

#[test]
fn the_graph_is_left_exactly_as_it_was() {
    let g = Graph::new();
    let [a, b, _, e, _, f, l] = notebook(&g);
    let after = (l * 2.0 + a).tanh(); // nodes past the output stay untouched too
    l.backward();
    f.set_grad(17.0); // a hand-set grad survives
    e.set_data(-5.0); // even a value set by hand on an intermediate node
    let before = snapshot(&g);
    let _ = l.grad_check();
    let _ = l.grad_check_of(&[e, b, after], CheckOptions::default());
    let _ = l.check_hand_grads(&[(a, 1.0)]);
    let _ = l.explain();
    let _ = l.backward_steps();
    assert_eq!(snapshot(&g), before);
}

#[test]
fn a_wrong_hand_set_grad_is_caught_with_its_correction() {
    let g = Graph::new();
    let [a, b, c, e, d, f, l] = notebook(&g);
    // The notebook's hand-derived grads, with b's deliberately wrong.
    let hand = [
        (l, 1.0),
        (f, 4.0),
        (d, -2.0),
        (c, -2.0),
        (e, -2.0),
        (a, 6.0),
        (b, -3.0),
    ];
    let checks = l.check_hand_grads(&hand);
    let wrong: Vec<&str> = checks
        .iter()
        .filter(|c| !c.right)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(wrong, ["b"]);
    let cb = &checks[6];
    assert_eq!((cb.given, cb.correct), (-3.0, -4.0));
    assert_eq!(
        cb.derivation,
        [
            "dL/db = dL/de · de/db = -2.0000 · 2.0000 = -4.0000",
            "  de/db = d(a*b)/db = a = 2.0000"
        ]
    );
    assert_eq!(
        cb.to_string(),
        "b: grad -3.0000 is wrong; it should be -4.0000:\n    dL/db = dL/de · de/db = -2.0000 · 2.0000 = -4.0000\n      de/db = d(a*b)/db = a = 2.0000\n  \
         No mistake in the catalogue gives -3.\n  \
         Nudge b by h = 0.003: L goes from -8.0000 to -8.0120, a slope of -4.0000; a grad of -3 would take it to -8.0090."
    );
    assert_eq!(checks[5].to_string(), "a: grad 6.0000 is right");
}

#[test]
fn grads_set_on_the_graph_are_checked_and_kept() {
    let g = Graph::new();
    let [a, b, _, e, _, _, l] = notebook(&g);
    l.set_grad(1.0);
    e.set_grad(-2.0);
    a.set_grad(-2.0 * 2.0); // a classic slip: de/da is b, not a
    b.set_grad(-4.0);
    let checks = l.check_set_grads(&[l, e, a, b]);
    let right: Vec<bool> = checks.iter().map(|c| c.right).collect();
    assert_eq!(right, [true, true, false, true]);
    assert_eq!(checks[2].correct, 6.0);
    assert_eq!(
        (a.grad(), e.grad()),
        (-4.0, -2.0),
        "hand-set grads are kept"
    );
    // A value the output does not depend on has grad 0, and the check says why.
    let lonely = g.var("lonely", 1.0);
    let c = &l.check_hand_grads(&[(lonely, 0.5)])[0];
    assert!(!c.right && c.correct == 0.0);
    assert_eq!(
        c.derivation,
        ["L does not depend on lonely, so its grad is 0"]
    );
}

#[test]
fn non_finite_values_are_named_instead_of_a_wall_of_nan() {
    let g = Graph::new();
    let x = g.var("x", -1.0);
    let w = g.var("w", 2.0);
    let y = x.ln().named("y");
    let l = (y * w + w.exp()).named("L");
    let check = l.grad_check();
    let nf = check.non_finite.as_ref().unwrap();
    assert_eq!(nf.name, "y");
    assert!(!check.passed());
    for r in &check.rows {
        assert_eq!(r.verdict, Verdict::NonFinite);
        assert_eq!(
            r.note.as_deref(),
            Some("follows from the non-finite value at y (node #2)")
        );
    }
    let text = check.to_string();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("ln of a negative number (ln(-1))"),
        "{text}"
    );
    assert!(text.matches("NaN").count() <= 2, "{text}");
}

proptest! {
    /// A smooth expression checks out at random points.
    #[test]
    fn smooth_expressions_pass_at_random_points(x0 in -2.0f64..2.0, y0 in -2.0f64..2.0, z0 in 0.1f64..3.0) {
        let g = Graph::new();
        let (x, y, z) = (g.var("x", x0), g.var("y", y0), g.var("z", z0));
        let n = g.dot(&[x, y, z], &[y, z, x]).tanh();
        let l = (n * x.sigmoid() + (x * x + 1.0).ln() / z + z.sqrt() * y.cos() + (y * 0.5).exp() - z.powf(1.5)).named("L");
        let check = l.grad_check();
        prop_assert!(check.passed(), "{}", check);
        prop_assert_eq!(check.counts(), (3, 0, 0, 0));
    }
}

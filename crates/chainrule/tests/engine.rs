//! The engine against known numbers: the notebook, micrograd's own tests, reuse, grad
//! semantics, replay, rewind, non-finite tracing and graph mixing.

use chainrule::{Graph, Op, Pass};

/// The notebook's graph: a=2, b=-3, c=10, e=a*b, d=e+c, f=-2, L=d*f.
#[test]
fn notebook_seven_numbers() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    l.backward();
    assert_eq!(l.data(), -8.0);
    let grads = [l, d, f, c, e, a, b].map(|v| v.grad());
    assert_eq!(grads, [1.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0]);
    // Every value remembers how it was made.
    assert_eq!(l.op(), Op::Mul);
    assert_eq!(
        l.children().iter().map(|v| v.index()).collect::<Vec<_>>(),
        [d.index(), f.index()]
    );
    assert_eq!(e.label().as_deref(), Some("e"));
    assert_eq!(a.op(), Op::Leaf);
    assert!(a.children().is_empty());
}

/// micrograd's test_sanity_check: y = -20, dy/dx = 46 exactly.
#[test]
fn micrograd_sanity_check() {
    let g = Graph::new();
    let x = g.leaf(-4.0);
    let z = 2.0 * x + 2.0 + x;
    let q = z.relu() + z * x;
    let h = (z * z).relu();
    let y = h + q + q * x;
    y.backward();
    assert_eq!(y.data(), -20.0);
    assert_eq!(x.grad(), 46.0);
}

/// micrograd's test_more_ops, written with the same compound assignments.
#[test]
#[allow(clippy::misrefactored_assign_op)] // `c += c + 1` is micrograd's own line
fn micrograd_more_ops() {
    let gr = Graph::new();
    let a = gr.leaf(-4.0);
    let b = gr.leaf(2.0);
    let mut c = a + b;
    let mut d = a * b + b.powf(3.0);
    c += c + 1.0;
    c += 1.0 + c + (-a);
    d += d * 2.0 + (b + a).relu();
    d += 3.0 * d + (b - a).relu();
    let e = c - d;
    let f = e.powf(2.0);
    let mut g = f / 2.0;
    g += 10.0 / f;
    g.backward();
    assert!((g.data() - 24.70408163265306).abs() < 1e-12, "{}", g.data());
    assert!((a.grad() - 138.8338).abs() < 1e-4, "{}", a.grad());
    assert!((b.grad() - 645.5773).abs() < 1e-4, "{}", b.grad());
}

#[test]
fn reused_operands_count_once_per_use() {
    let g = Graph::new();
    let a = g.leaf(3.0);
    let s = a + a;
    s.backward();
    assert_eq!(a.grad(), 2.0);
    assert_eq!(s.children().len(), 2);
    let p = a * a;
    p.backward();
    assert_eq!(a.grad(), 6.0);
}

/// Backward hands a node's adjoint to the node just before it in a register when it
/// wrote it: each way a node can write its predecessor's adjoint (as its only operand,
/// as either or both of two, beside the node two before, after a node whose adjoint is
/// 0, past a leaf, in a sum) gives the grads the chain rule does.
#[test]
fn the_adjoint_handed_to_the_node_before_is_the_one_in_memory() {
    let g = Graph::new();
    let x = g.leaf(1.5);
    let y = x * x; // both operands: the node before
    let z = y + y; // both operands: the node before, 2x²
    let w = x + z; // the second operand is the node before: x + 2x²
    let t = w.tanh(); // the only operand
    let v = w * t; // the node before and the one before that
    let off = (w - 100.0).relu(); // adjoint 0 below: passes nothing on
    let c = g.leaf(2.0); // a leaf between two ops
    let s = g.sum(&[t, off, c, v, w]); // a sum reads its adjoint as any op does
    let l = s * 3.0;
    l.backward();
    let (wd, td) = (w.data(), t.data());
    let dt = 3.0 + 3.0 * wd;
    let dw = 3.0 + 3.0 * td + dt * (1.0 - td * td);
    let close = |got: f64, want: f64| {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs(),
            "{got} against {want}"
        );
    };
    close(t.grad(), dt);
    close(w.grad(), dw);
    close(z.grad(), dw);
    close(y.grad(), 2.0 * dw);
    close(x.grad(), dw + 2.0 * dw * 2.0 * 1.5);
    assert_eq!(
        (c.grad(), off.grad(), v.grad(), s.grad()),
        (3.0, 3.0, 3.0, 3.0)
    );
    // From an intermediate value, and added onto the grads there.
    z.backward();
    assert_eq!((y.grad(), x.grad(), w.grad()), (2.0, 6.0, 0.0));
    z.backward_accumulate();
    assert_eq!((y.grad(), x.grad()), (4.0, 12.0));
}

#[test]
fn diamond_gives_fourteen() {
    let g = Graph::new();
    let x = g.leaf(5.0);
    let y = 2.0 * x;
    let l = 3.0 * y + 4.0 * y;
    l.backward();
    assert_eq!(x.grad(), 14.0);
    assert_eq!(y.grad(), 7.0);
}

#[test]
fn backward_starts_fresh_accumulate_adds_and_zero_clears() {
    let g = Graph::new();
    let x = g.leaf(3.0);
    let y = x * x;
    y.backward();
    y.backward();
    assert_eq!(x.grad(), 6.0, "backward twice must not double");
    y.backward_accumulate();
    assert_eq!(x.grad(), 12.0, "accumulate adds to what is there");
    assert_eq!(y.grad(), 2.0);
    g.zero_grad();
    assert_eq!((x.grad(), y.grad()), (0.0, 0.0));
    y.backward_accumulate();
    assert_eq!(x.grad(), 6.0);
}

#[test]
fn grads_can_be_set_by_hand_like_the_notebook() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let l = (a * 3.0).named("L");
    l.set_grad(1.0);
    a.set_grad(3.0);
    assert_eq!((l.grad(), a.grad()), (1.0, 3.0));
    // A later backward starts fresh and agrees with the hand-set values here.
    l.backward();
    assert_eq!((l.grad(), a.grad()), (1.0, 3.0));
}

#[test]
fn backward_from_an_intermediate_value() {
    let g = Graph::new();
    let a = g.leaf(2.0);
    let b = g.leaf(-3.0);
    let e = a * b;
    let l = (e + 10.0) * -2.0;
    e.backward();
    assert_eq!((a.grad(), b.grad(), l.grad()), (-3.0, 2.0, 0.0));
}

#[test]
fn replay_recomputes_for_new_leaf_values() {
    let g = Graph::new();
    let a = g.leaf(2.0);
    let b = g.leaf(-3.0);
    let c = g.leaf(10.0);
    let f = g.leaf(-2.0);
    let l = (a * b + c) * f;
    let n = g.len();
    for (av, bv) in [(1.0, 1.0), (4.0, 0.5), (-2.0, 3.0)] {
        a.set_data(av);
        b.set_data(bv);
        g.forward();
        l.backward();
        assert_eq!(l.data(), (av * bv + 10.0) * -2.0);
        assert_eq!((a.grad(), b.grad()), (-2.0 * bv, -2.0 * av));
    }
    assert_eq!(g.len(), n, "replay must not add nodes");
}

#[test]
fn mark_and_rewind_reuse_the_tape() {
    let mut g = Graph::new();
    let w_index = g.leaf(0.5).named("w").index();
    let m = g.mark();
    for step in 0..5 {
        let x = g.leaf(step as f64);
        let w = g.get(w_index).unwrap();
        let y = (w * x + 1.0).named("y");
        y.backward();
        assert_eq!(w.grad(), step as f64);
        g.rewind(m);
        assert_eq!(g.len(), 1);
    }
    let w = g.get(0).unwrap();
    assert_eq!(w.label().as_deref(), Some("w"));
    assert_eq!(w.data(), 0.5);
}

#[test]
fn rewind_drops_labels_and_constants_after_the_mark() {
    let mut g = Graph::new();
    let x = g.var("x", 1.0);
    let _ = x * 7.0;
    let m = g.mark();
    let y = (g.get(0).unwrap() * 3.0).named("late");
    assert_eq!(y.constant(), Some(3.0));
    g.rewind(m);
    let y = g.get(0).unwrap() * 5.0;
    assert_eq!(y.constant(), Some(5.0));
    assert_eq!(y.label(), None);
    assert_eq!(g.get(1).unwrap().constant(), Some(7.0));
}

#[test]
#[should_panic(expected = "two different graphs")]
fn mixing_graphs_panics_with_a_message() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let _ = g1.leaf(1.0) + g2.leaf(2.0);
}

#[test]
fn first_non_finite_names_the_producer() {
    let g = Graph::new();
    let x = g.var("x", -2.0);
    let y = x.ln().named("y");
    let z = (y * 3.0 + 1.0).named("z");
    let bad = z.first_non_finite().unwrap();
    assert_eq!(bad.node.index(), y.index());
    assert_eq!(bad.pass, Pass::Forward);
    assert!(
        bad.reason.contains("ln of a negative number"),
        "{}",
        bad.reason
    );

    let g = Graph::new();
    let x = g.leaf(1.0);
    let d = g.leaf(0.0);
    let q = (x / d).named("q");
    assert!(q
        .first_non_finite()
        .unwrap()
        .reason
        .contains("division by zero"));

    let g = Graph::new();
    let x = g.leaf(-8.0);
    let r = x.powf(1.0 / 3.0);
    assert!(
        r.data().is_nan(),
        "a negative base to a fractional power is NaN, never complex"
    );
    assert!(r
        .first_non_finite()
        .unwrap()
        .reason
        .contains("fractional power"));

    let g = Graph::new();
    let x = g.leaf(1000.0);
    let y = x.exp();
    assert_eq!(y.data(), f64::INFINITY);
    assert!(y.first_non_finite().unwrap().reason.contains("exp"));

    let g = Graph::new();
    let x = g.leaf(2.0);
    let y = x * x;
    y.backward();
    assert!(y.first_non_finite().is_none());
}

#[test]
fn first_non_finite_in_the_backward_pass() {
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let y = x.sqrt().named("s") * 2.0;
    y.backward();
    let bad = y.first_non_finite().unwrap();
    assert_eq!(bad.pass, Pass::Backward);
    assert_eq!(bad.node.index(), x.index());
    assert!(bad.reason.contains("sqrt"), "{}", bad.reason);
}

#[test]
fn zero_upstream_grad_does_not_turn_into_nan() {
    // sqrt'(0) is infinite, but the branch is switched off by relu: the grad is 0, not NaN.
    let g = Graph::new();
    let x = g.leaf(0.0);
    let off = g.leaf(-1.0);
    let y = (x.sqrt() * off).relu();
    y.backward();
    assert_eq!(x.grad(), 0.0);
}

#[test]
fn leaves_run_reads_all_grads() {
    let g = Graph::new();
    let xs = g.leaves(&[1.0, 2.0, 3.0]);
    let ys = g.leaves(&[4.0, 5.0, 6.0]);
    let l = g.dot(&xs.vars(), &ys.vars());
    l.backward();
    assert_eq!(l.data(), 32.0);
    assert_eq!(xs.grads(), [4.0, 5.0, 6.0]);
    assert_eq!(ys.grads(), [1.0, 2.0, 3.0]);
    ys.set_data(&[1.0, 1.0, 1.0]);
    g.forward();
    assert_eq!(l.data(), 6.0);
}

#[test]
fn display_and_debug() {
    let g = Graph::new();
    let l = g.var("L", -8.0);
    assert_eq!(l.to_string(), "Value(data=-8, label=L)");
    assert_eq!(format!("{:?}", l), "Var(#0 leaf \"L\" data=-8 grad=0)");
    assert_eq!(format!("{g:?}"), "Graph(1 nodes)");
}

/// Reading through a long chain works in debug builds too (the 10,000,000-deep chain runs
/// in release, in tests/deep.rs).
#[test]
fn a_200_000_deep_chain_in_a_test_thread() {
    let g = Graph::new();
    let x0 = g.leaf(0.5);
    let mut x = x0;
    for _ in 0..200_000 {
        x *= 1.000001;
    }
    x.backward();
    let expected = 1.000001f64.powi(200_000);
    assert!((x0.grad() - expected).abs() < 1e-9 * expected);
}

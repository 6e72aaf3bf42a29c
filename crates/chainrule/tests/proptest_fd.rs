//! Property tests: on random expression graphs with shared subexpressions, backward agrees
//! with central finite differences.
//!
//! Tolerance: |analytic - numeric| <= 1e-5 · max(1, |analytic|, |numeric|), with a relative
//! step h = 1e-6 · max(1, |x|). The ops are composed so that every value stays in its op's
//! smooth domain (ln and sqrt of `x² + 1`, division by `x² + 1`, relu and abs only away
//! from their kinks), so a disagreement is a real bug, not a kink.

use chainrule::{Graph, Var};
use proptest::prelude::*;

mod random_graph;
use random_graph::{step, Step};

/// Builds the graph: leaves, then each step on earlier values (so values are shared).
fn build<'g>(g: &'g Graph, leaves: &[f64], steps: &[Step]) -> (Vec<Var<'g>>, Var<'g>) {
    random_graph::build(g, leaves, steps, |s, x, y| {
        let sq1 = |v: Var<'g>| v * v + 1.0;
        let v = match s.op {
            0 => x + y,
            1 => x - y,
            2 => x * y,
            3 => x / sq1(y),
            4 => -x,
            5 => x * s.c + y,
            6 => s.c - x,
            7 => x.tanh(),
            8 => x.sigmoid(),
            9 => x.sin() * y.cos(),
            10 => sq1(x).ln(),
            11 => sq1(x).sqrt(),
            12 => x.tanh().exp(),
            13 => sq1(x).powf(s.c),
            14 => sq1(x).pow(y.tanh()),
            15 if x.data().abs() > 0.01 => x.relu() + x.abs(),
            16 => g.sum(&[x, y, x]),
            17 => g.dot(&[x, y, x], &[y, y, x]),
            _ => x * 0.5,
        };
        // Keep magnitudes moderate so finite differences stay meaningful.
        if v.data().abs() > 10.0 {
            v.tanh() * 10.0
        } else {
            v
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn backward_matches_central_differences(
        leaves in prop::collection::vec(-2.0f64..2.0, 1..5),
        steps in prop::collection::vec(step(18), 1..25),
    ) {
        let g = Graph::new();
        let (ls, out) = build(&g, &leaves, &steps);
        prop_assume!(out.data().is_finite());
        out.backward();
        let analytic: Vec<f64> = ls.iter().map(|l| l.grad()).collect();
        for (k, l) in ls.iter().enumerate() {
            let x = l.data();
            let h = 1e-6 * x.abs().max(1.0);
            l.set_data(x + h);
            g.forward();
            let up = out.data();
            l.set_data(x - h);
            g.forward();
            let down = out.data();
            l.set_data(x);
            g.forward();
            let numeric = (up - down) / (2.0 * h);
            // A relu/abs operand crossing its kink inside [x-h, x+h] would be a kink, not a bug.
            let kink = g.vars().any(|v| {
                matches!(v.op(), chainrule::Op::Relu | chainrule::Op::Abs)
                    && v.children()[0].data().abs() < 1e-4
            });
            prop_assume!(!kink);
            let a = analytic[k];
            let scale = a.abs().max(numeric.abs()).max(1.0);
            prop_assert!((a - numeric).abs() <= 1e-5 * scale,
                "leaf {k}: analytic {a}, numeric {numeric}");
        }
    }

    #[test]
    fn accumulate_from_zero_equals_fresh_backward(
        leaves in prop::collection::vec(-2.0f64..2.0, 1..5),
        steps in prop::collection::vec(step(18), 1..25),
    ) {
        let g = Graph::new();
        let (ls, out) = build(&g, &leaves, &steps);
        out.backward();
        let fresh: Vec<u64> = ls.iter().map(|l| l.grad().to_bits()).collect();
        g.zero_grad();
        out.backward_accumulate();
        let acc: Vec<u64> = ls.iter().map(|l| l.grad().to_bits()).collect();
        prop_assert_eq!(fresh, acc);
    }

    #[test]
    fn replay_equals_rebuild(
        leaves in prop::collection::vec(-2.0f64..2.0, 1..5),
        steps in prop::collection::vec(step(18), 1..25),
        shift in -1.0f64..1.0,
    ) {
        // Replaying with new leaf values gives bit-for-bit what a fresh build gives,
        // as long as the graph's shape (the branches taken while building) is the same.
        let moved: Vec<f64> = leaves.iter().map(|x| x + shift).collect();
        let g1 = Graph::new();
        let (ls1, out1) = build(&g1, &leaves, &steps);
        let g2 = Graph::new();
        let (ls2, out2) = build(&g2, &moved, &steps);
        let shapes1: Vec<_> = g1.vars().map(|v| v.op()).collect();
        let shapes2: Vec<_> = g2.vars().map(|v| v.op()).collect();
        prop_assume!(shapes1 == shapes2);
        for (l, &x) in ls1.iter().zip(&moved) {
            l.set_data(x);
        }
        g1.forward();
        out1.backward();
        out2.backward();
        prop_assert_eq!(out1.data().to_bits(), out2.data().to_bits());
        for (a, b) in ls1.iter().zip(&ls2) {
            prop_assert_eq!(a.grad().to_bits(), b.grad().to_bits());
        }
    }
}

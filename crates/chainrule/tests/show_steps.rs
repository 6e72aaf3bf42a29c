//! The backward pass step by step: order, grads known so far, highlights.

use chainrule::{Graph, Var};
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

#[test]
fn notebook_has_seven_states_in_reverse_topological_order() {
    let g = Graph::new();
    let [_, _, _, _, _, _, l] = notebook(&g);
    let steps = l.backward_steps();
    assert_eq!(steps.len(), 7);
    let order: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(order, ["L", "f", "d", "e", "c", "b", "a"]);
    let idx: Vec<usize> = steps.iter().map(|s| s.node).collect();
    assert_eq!(idx, [6, 5, 4, 3, 2, 1, 0]);
    // Each node comes after every node that uses it.
    for (k, s) in steps.iter().enumerate() {
        for c in &s.contributions {
            assert!(
                steps[..k].iter().any(|p| p.node == c.parent),
                "{} before {}",
                c.parent_name,
                s.name
            );
        }
        assert_eq!(s.known.iter().filter(|k| k.is_some()).count(), k + 1);
        assert_eq!(s.pending.len(), 6 - k);
    }
    assert_eq!(steps[0].grad, 1.0);
    assert!(steps[0].contributions.is_empty());
    // The last state is the full backward.
    l.backward();
    let full: Vec<Option<f64>> = g.vars().map(|v| Some(v.grad())).collect();
    assert_eq!(steps[6].known, full);
    assert_eq!(
        steps[6].known,
        [
            Some(6.0),
            Some(-4.0),
            Some(-2.0),
            Some(-2.0),
            Some(-2.0),
            Some(4.0),
            Some(1.0)
        ]
    );
    // After the third step (d), the notebook knows L, f and d.
    assert_eq!(
        steps[2].known,
        [None, None, None, None, Some(-2.0), Some(4.0), Some(1.0)]
    );
}

#[test]
fn highlights_name_the_node_its_edges_and_what_is_still_unknown() {
    let g = Graph::new();
    let l = notebook(&g)[6];
    let steps = l.backward_steps();
    assert_eq!(
        steps[0].highlight(),
        (vec![6], vec![], vec![0, 1, 2, 3, 4, 5])
    );
    assert_eq!(steps[3].highlight(), (vec![3], vec![(3, 4)], vec![0, 1, 2]));
    assert_eq!(steps[6].highlight(), (vec![0], vec![(0, 3)], vec![]));
    assert_eq!(
        steps[3].to_string(),
        "step 4 of 7: e\n  dL/de = dL/dd · dd/de = -2.0000 · 1.0000 = -2.0000\n    dd/de = d(e+c)/de = 1"
    );
}

#[test]
fn a_reused_node_finishes_once_with_all_its_edges() {
    let g = Graph::new();
    let x = g.var("x", 0.5);
    let y = (x * 2.0).named("y");
    let z = (x.exp() + y).named("z");
    let steps = z.backward_steps();
    let sx = steps.last().unwrap();
    assert_eq!(sx.name, "x");
    let (nodes, edges, pending) = sx.highlight();
    assert_eq!(nodes, [0]);
    assert_eq!(edges.len(), 2);
    assert!(edges.contains(&(0, 1)) && edges.contains(&(0, 2)));
    assert!(pending.is_empty());
    assert_eq!(sx.grad, 2.0 + 0.5f64.exp());
}

#[test]
fn values_the_output_does_not_use_are_not_steps() {
    let g = Graph::new();
    let a = g.var("a", 1.0);
    let unused = g.var("unused", 2.0);
    let y = (a * 3.0).named("y");
    let _later = y + unused;
    let steps = y.backward_steps();
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|s| s.known[1].is_none()));
    assert!(steps.iter().all(|s| !s.pending.contains(&1)));
}

proptest! {
    /// On random graphs the last state equals backward and every state is consistent.
    #[test]
    fn last_step_equals_backward(vals in prop::collection::vec(-2.0f64..2.0, 2..6), ops in prop::collection::vec((0usize..5, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..25)) {
        let g = Graph::new();
        let mut vs: Vec<Var<'_>> = vals.iter().map(|&v| g.leaf(v)).collect();
        for (op, i, j) in ops {
            let (x, y) = (vs[i.index(vs.len())], vs[j.index(vs.len())]);
            let v = match op {
                0 => x + y,
                1 => x * y,
                2 => x.tanh(),
                3 => x - y * 0.5,
                _ => g.sum(&[x, y, x]),
            };
            vs.push(v);
        }
        let out = *vs.last().unwrap();
        let steps = out.backward_steps();
        out.backward();
        let seen = g.ancestors(out);
        let want: Vec<Option<f64>> = (0..=out.index()).map(|i| seen[i].then(|| g.get(i).unwrap().grad())).collect();
        prop_assert_eq!(&steps.last().unwrap().known, &want);
        prop_assert_eq!(steps.len(), seen.iter().filter(|&&s| s).count());
        for w in steps.windows(2) {
            prop_assert!(w[0].node > w[1].node);
        }
    }
}

/// The same states as `backward_steps`, from a schedule that stores each node once.
fn schedule_agrees_with_steps(l: Var<'_>) {
    let steps = l.backward_steps();
    let s = l.backward_schedule();
    assert_eq!(s.output, l.index());
    assert_eq!(s.steps.len(), steps.len());
    for (k, (st, sc)) in steps.iter().zip(&s.steps).enumerate() {
        assert_eq!((sc.node, &sc.name, sc.grad), (st.node, &st.name, st.grad));
        assert_eq!(sc.contributions, st.contributions);
        assert_eq!(sc.derivation, st.derivation);
        assert_eq!(s.known_after(k + 1), st.known, "known after step {}", k + 1);
        assert_eq!(
            s.pending_after(k + 1),
            st.pending,
            "pending after step {}",
            k + 1
        );
        assert_eq!(sc.edges(), st.highlight().1);
    }
}

#[test]
fn the_linear_schedule_gives_the_same_states_as_the_steps() {
    let g = Graph::new();
    let [a, _, _, _, _, _, l] = notebook(&g);
    schedule_agrees_with_steps(l);
    assert_eq!(l.backward_schedule().known_after(0), vec![None; 7]);
    let g2 = Graph::new();
    let x = g2.var("x", 0.5);
    let y = (x * x + x.tanh() * x).named("y");
    schedule_agrees_with_steps(y);
    // The graph's own grads are untouched.
    assert_eq!(a.grad(), 0.0);
}

#[test]
fn the_schedule_of_a_thousand_node_chain_holds_each_node_once() {
    let g = Graph::new();
    let mut v = g.var("x", 0.1);
    for _ in 0..1000 {
        v = (v * 0.999).tanh();
    }
    let s = v.backward_schedule();
    assert_eq!(s.steps.len(), g.len());
    // Linear: the derivations hold a line or two per node, not a state per step.
    let lines: usize = s.steps.iter().map(|st| st.derivation.len()).sum();
    assert!(lines <= 2 * g.len(), "{lines}");
}

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

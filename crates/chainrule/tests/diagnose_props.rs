//! Property tests of the diagnosis on random programs with shared values: a right grad is
//! never flagged, whatever else the learner got wrong; and each mistake's number, where
//! no other mistake gives the same, is named as that mistake and nothing else. The
//! mistakes of how a chain combines are computed here independently of the library, from
//! backward's grads and the op table's local derivatives; the op-specific ones come from
//! the library's own list of what each mistake gives.

use chainrule::{Graph, Mistake, Op, Var};
use proptest::prelude::*;

mod random_graph;
use random_graph::{step, Step};

fn build<'g>(g: &'g Graph, leaves: &[f64], steps: &[Step]) -> (Vec<Var<'g>>, Var<'g>) {
    random_graph::build(g, leaves, steps, |s, x, y| match s.op {
        0 => x + y,
        1 => x - y,
        2 => x * y,
        3 => x / (y * y + 1.0),
        4 => x.tanh(),
        5 => x.exp() * 0.5,
        6 => (x * x + 1.0).powf(s.c),
        7 => x * s.c,
        8 => g.sum(&[x, y, x]),
        9 => g.dot(&[x, y], &[y, x]),
        10 => x.sigmoid(),
        _ => 1.0 - x,
    })
}

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * b.abs().max(1.0)
}

/// Each value's uses by the values the output depends on: (parent, local derivative).
fn uses<'g>(g: &'g Graph, out: Var<'g>) -> Vec<Vec<(Var<'g>, f64)>> {
    let mut needed = vec![false; out.index() + 1];
    needed[out.index()] = true;
    for i in (0..=out.index()).rev() {
        if needed[i] {
            for c in g.get(i).unwrap().children() {
                needed[c.index()] = true;
            }
        }
    }
    let mut all = vec![Vec::new(); out.index() + 1];
    for p in (0..=out.index())
        .filter(|&i| needed[i])
        .map(|i| g.get(i).unwrap())
    {
        let ch = p.children();
        for (slot, c) in ch.iter().enumerate() {
            let local = match p.op() {
                Op::Sum => 1.0,
                Op::Dot => ch[(slot + ch.len() / 2) % ch.len()].data(),
                op => {
                    let y = ch.get(1).map_or(0.0, |v| v.data());
                    op.partials(ch[0].data(), y, p.constant().unwrap_or(0.0), p.data())[slot]
                }
            };
            all[c.index()].push((p, local));
        }
    }
    all
}

/// The mistakes of how a chain combines, for a value with these uses, computed here.
fn chain_mistakes(uses: &[(Var<'_>, f64)], grad: f64, out: f64) -> Vec<(Mistake, f64)> {
    let term = |(p, l): &(Var<'_>, f64)| if p.grad() == 0.0 { 0.0 } else { p.grad() * l };
    let mut m = vec![
        (Mistake::LocalOnly, uses.iter().map(|u| u.1).sum()),
        (Mistake::UpstreamOnly, uses.iter().map(|u| u.0.grad()).sum()),
        (
            Mistake::ChainAdded,
            uses.iter().map(|u| u.0.grad() + u.1).sum(),
        ),
        (Mistake::Sign, -grad),
        (Mistake::Inverted, 1.0 / grad),
        (Mistake::Seed, grad * out),
    ];
    if uses.len() > 1 {
        m.extend(uses.iter().map(|u| (Mistake::OnePath, term(u))));
        m.push((Mistake::PathsMultiplied, uses.iter().map(term).product()));
    }
    m.retain(|(_, v)| v.is_finite() && !close(*v, grad));
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn right_grads_are_never_flagged(
        leaves in prop::collection::vec(-2.0f64..2.0, 1..5),
        steps in prop::collection::vec(step(12), 1..16),
        junk in prop::collection::vec(-5.0f64..5.0, 30),
        pick in prop::collection::vec(any::<bool>(), 30),
    ) {
        let g = Graph::new();
        let (_, out) = build(&g, &leaves, &steps);
        prop_assume!(out.data().is_finite());
        out.backward();
        // Some values get their right grad (nudged well inside the tolerance), the others
        // junk: the right ones are right, with nothing to say, whatever the junk upstream.
        let vars: Vec<Var> = (0..=out.index()).map(|i| g.get(i).unwrap()).collect();
        prop_assume!(vars.iter().all(|v| v.grad().is_finite()));
        let hand: Vec<(Var, f64)> = vars
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let right = v.grad() + 0.1 * TOL * v.grad().abs().max(1.0);
                (v, if pick[k % 30] { right } else { junk[k % 30] })
            })
            .collect();
        for (k, c) in out.check_hand_grads(&hand).iter().enumerate() {
            if pick[k % 30] {
                prop_assert!(c.right, "{c}");
                prop_assert!(c.diagnosis.mistakes.is_empty() && c.diagnosis.text.is_empty());
                prop_assert!(!c.diagnosis.follows_from_yours);
            }
        }
    }

    #[test]
    fn each_mistakes_number_is_named_as_that_mistake(
        leaves in prop::collection::vec(-2.0f64..2.0, 1..5),
        steps in prop::collection::vec(step(12), 1..16),
    ) {
        let g = Graph::new();
        let (_, out) = build(&g, &leaves, &steps);
        prop_assume!(out.data().is_finite());
        out.backward();
        let all_uses = uses(&g, out);
        for (i, its_uses) in all_uses.iter().enumerate().take(out.index()) {
            let x = g.get(i).unwrap();
            let grad = x.grad();
            if its_uses.is_empty() || !grad.is_finite() || x.op() == Op::Const {
                continue;
            }
            let ours = chain_mistakes(its_uses, grad, out.data());
            // The library's own list: what every mistake that applies gives here.
            let wrong = grad + 12345.678 * grad.abs().max(1.0);
            let theirs = out.check_hand_grads(&[(x, wrong)])[0].diagnosis.candidates.clone();
            for (m, v) in &ours {
                prop_assert!(
                    theirs.iter().any(|c| c.mistake == *m && close(c.value, *v)),
                    "{m:?} = {v} at node {i} is missing from {theirs:?}"
                );
            }
            let every: Vec<(Mistake, f64)> = ours
                .iter()
                .copied()
                .chain(theirs.iter().map(|c| (c.mistake, c.value)))
                .collect();
            for &(m, v) in &every {
                let unique = every.iter().all(|&(n, w)| n == m || !close(v, w) && !close(w, v));
                if !unique {
                    continue;
                }
                let c = &out.check_hand_grads(&[(x, v)])[0];
                prop_assert!(!c.right);
                prop_assert_eq!(c.diagnosis.ids(), vec![m.id()], "node {} given {}: {}", i, v, c);
            }
        }
    }
}

//! The diagnosis of wrong hand grads: every catalogued mistake told apart from the others
//! on a graph with known numbers, errors upstream carried down without blame, a nudge
//! where nothing matches, and every op's slips declared.

use chainrule::number::Numbers;
use chainrule::{CheckOptions, Graph, HandCheck, Mistake, Op, Var};

/// The notebook's graph: a=2, b=-3, c=10, e=a*b, d=e+c, f=-2, L=d*f.
fn notebook(g: &Graph) -> [Var<'_>; 7] {
    let (a, b, c, f) = (
        g.var("a", 2.0),
        g.var("b", -3.0),
        g.var("c", 10.0),
        g.var("f", -2.0),
    );
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let l = (d * f).named("L");
    [a, b, c, e, d, f, l]
}

/// The ids a single hand grad is diagnosed with.
fn ids(l: Var<'_>, hand: &[(Var<'_>, f64)]) -> Vec<&'static str> {
    let checks = l.check_hand_grads(hand);
    let last = checks.last().unwrap();
    assert!(!last.right, "{last}");
    last.diagnosis.ids()
}

fn last(l: Var<'_>, hand: &[(Var<'_>, f64)]) -> HandCheck {
    l.check_hand_grads(hand).pop().unwrap()
}

#[test]
fn local_only_is_the_local_derivative_alone() {
    let g = Graph::new();
    let [a, ..] = notebook(&g);
    let l = g.get(g.len() - 1).unwrap();
    // dL/da = dL/de · de/da = -2 · -3 = 6; de/da = b = -3 alone.
    assert_eq!(ids(l, &[(a, -3.0)]), ["local-only"]);
    let c = last(l, &[(a, -3.0)]);
    assert_eq!(
        c.diagnosis.mistakes[0].working,
        "de/da = -3.0000 alone, without dL/de = -2.0000"
    );
    assert!(c.to_string().contains(
        "Mistake local-only: dropped the upstream grad, leaving only the local derivative; here de/da = -3.0000 alone"
    ), "{c}");
}

#[test]
fn upstream_only_is_the_upstream_grad_alone() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert_eq!(ids(l, &[(a, -2.0)]), ["upstream-only"]);
}

#[test]
fn wrong_factor_takes_a_products_own_operand() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    // d(a*b)/da taken as a = 2: -2 · 2 = -4.
    assert_eq!(ids(l, &[(a, -4.0)]), ["wrong-factor"]);
    let c = last(l, &[(a, -4.0)]);
    assert_eq!(
        c.diagnosis.mistakes[0].working,
        "de/da taken as 2.0000 (the operand itself, not the other one) instead of b = -3.0000, so dL/da = -4.0000"
    );
}

#[test]
fn sign_is_the_grad_negated_or_a_minus_lost() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert_eq!(ids(l, &[(a, -6.0)]), ["sign"]);
    // The minus of a division: dy/db = -a/b² taken as a/b².
    let g = Graph::new();
    let (x, z) = (g.var("x", 3.0), g.var("z", 2.0));
    let y = (x / z).named("y");
    assert_eq!(ids(y, &[(z, 0.75)]), ["sign"]);
    // The minus in 1 - t²: tanh' taken as 1 + t².
    let g = Graph::new();
    let n = g.var("n", 0.5);
    let o = n.tanh().named("o");
    let t = 0.5f64.tanh();
    assert_eq!(ids(o, &[(n, 1.0 + t * t)]), ["sign"]);
}

#[test]
fn one_path_is_one_use_of_a_value_used_twice() {
    // The lecture's example of the `+=` bug: a is used in d = a*b and in e = a+b.
    let g = Graph::new();
    let (a, b) = (g.var("a", -3.0), g.var("b", 5.0));
    let d = (a * b).named("d");
    let e = (a + b).named("e");
    let f = (d * e).named("f");
    // df/da = e·b + d·1 = 2·5 + (-15)·1 = -5.
    let right = f.check_hand_grads(&[(a, -5.0)]);
    assert!(right[0].right);
    assert_eq!(ids(f, &[(a, 10.0)]), ["one-path"]);
    assert_eq!(ids(f, &[(a, -15.0)]), ["one-path"]);
    let c = last(f, &[(a, -15.0)]);
    assert!(c.diagnosis.mistakes[0]
        .working
        .starts_with("only the use in e: df/de·de/da = -15.0000; a is used 2 times"));
}

#[test]
fn paths_multiplied_multiplies_the_uses() {
    let g = Graph::new();
    let (a, b) = (g.var("a", -3.0), g.var("b", 5.0));
    let d = (a * b).named("d");
    let e = (a + b).named("e");
    let f = (d * e).named("f");
    // 10 · -15.
    assert_eq!(ids(f, &[(a, -150.0)]), ["paths-multiplied"]);
}

#[test]
fn input_not_output_for_tanh_and_exp() {
    // The lecture's neuron: n = 0.8814, o = tanh(n) = 0.7071, do/dn = 0.5.
    let g = Graph::new();
    let n = g.var("n", 0.881373587019543);
    let o = n.tanh().named("o");
    let from_input = 1.0 - 0.881373587019543f64.powi(2);
    assert!((from_input - 0.2232).abs() < 1e-4);
    assert_eq!(ids(o, &[(n, from_input)]), ["input-not-output"]);
    // exp' from the input: d exp(x)/dx taken as x.
    let g = Graph::new();
    let x = g.var("x", 2.0);
    let y = (x.exp() * 3.0).named("y");
    // dy/dx = 3·e² = 22.17; from the input: 3·2 = 6.
    assert_eq!(ids(y, &[(x, 6.0)]), ["input-not-output"]);
}

#[test]
fn quotient_drops_the_denominators_part() {
    let g = Graph::new();
    let (a, b) = (g.var("a", 3.0), g.var("b", 2.0));
    let y = (a / b).named("y");
    // dy/db = -a/b² = -0.75; the part dropped: 0.
    assert_eq!(ids(y, &[(b, 0.0)]), ["quotient"]);
    // tanh as (e - 1)/(e + 1): the learner drops the quotient's part at the denominator,
    // and their dL/de then follows from it.
    let g = Graph::new();
    let e = g.var("e", 3.0);
    let (top, bottom) = ((e - 1.0).named("top"), (e + 1.0).named("bottom"));
    let t = (top / bottom).named("t");
    // dt/dbottom = -2/16 = -0.125; dt/de = 0.25 - 0.125 = 0.125; with 0 for bottom: 0.25.
    let checks = t.check_hand_grads(&[(top, 0.25), (bottom, 0.0), (e, 0.25)]);
    assert!(checks[0].right);
    assert_eq!(checks[1].diagnosis.ids(), ["quotient"]);
    assert!(checks[2].diagnosis.follows_from_yours);
}

#[test]
fn power_rule_exponent_not_lowered_or_lowered_twice() {
    let g = Graph::new();
    let x = g.var("x", 2.0);
    let y = x.powf(3.0).named("y");
    // dy/dx = 3x² = 12; not lowered 3x³ = 24; lowered twice 3x = 6.
    assert_eq!(ids(y, &[(x, 24.0)]), ["power"]);
    assert_eq!(ids(y, &[(x, 6.0)]), ["power"]);
}

#[test]
fn chain_added_adds_the_factors() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert_eq!(ids(l, &[(a, -5.0)]), ["chain-added"]);
}

#[test]
fn seed_is_an_output_grad_other_than_1() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert_eq!(ids(l, &[(l, 0.0)]), ["seed"]);
    assert_eq!(ids(l, &[(l, -8.0)]), ["seed"]);
    // Backward started from L's value, -8, instead of 1: dL/da = 6·-8.
    assert_eq!(ids(l, &[(a, -48.0)]), ["seed"]);
}

#[test]
fn inverted_is_dx_over_dl() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert_eq!(ids(l, &[(a, 1.0 / 6.0)]), ["inverted"]);
}

#[test]
fn two_mistakes_with_the_same_number_are_both_named() {
    // L = 2·(a*b) at a = 2, b = -2: dL/da = 2b = -4; taking d(a*b)/da as a gives 4, and
    // so does flipping the sign.
    let g = Graph::new();
    let (a, b) = (g.var("a", 2.0), g.var("b", -2.0));
    let l = ((a * b).named("e") * 2.0).named("L");
    assert_eq!(ids(l, &[(a, 4.0)]), ["wrong-factor", "sign"]);
    // Through a subtraction, dropping the local -1 and losing the sign are one number.
    let g = Graph::new();
    let (x, z) = (g.var("x", 5.0), g.var("z", 2.0));
    let y = ((x - z) * 3.0).named("y");
    assert_eq!(ids(y, &[(z, 3.0)]), ["upstream-only", "sign"]);
}

#[test]
fn an_error_upstream_is_carried_down_and_not_blamed_twice() {
    let g = Graph::new();
    let [a, b, _, e, d, _, l] = notebook(&g);
    // d right, e with its sign flipped (2 instead of -2), then a and b right from that e.
    let checks = l.check_hand_grads(&[(d, -2.0), (e, 2.0), (a, -6.0), (b, 4.0)]);
    assert!(checks[0].right);
    assert_eq!(checks[1].diagnosis.ids(), ["sign"]);
    for c in &checks[2..] {
        assert!(!c.right);
        assert!(c.diagnosis.follows_from_yours, "{c}");
        assert!(c.diagnosis.mistakes.is_empty());
        assert_eq!(c.diagnosis.upstream[0].name, "e");
        assert_eq!(
            (
                c.diagnosis.upstream[0].given,
                c.diagnosis.upstream[0].correct
            ),
            (2.0, -2.0)
        );
    }
    assert_eq!(
        checks[2].diagnosis.text,
        ["Right, given your dL/de = 2.0000: the mistake is upstream (the right dL/de = -2.0000)."]
    );
    // A second mistake under a wrong upstream grad is judged against the learner's own:
    // de/da = b = -3 alone is still local-only, and says what it worked from.
    let checks = l.check_hand_grads(&[(e, 2.0), (a, -3.0)]);
    assert_eq!(checks[1].diagnosis.ids(), ["local-only"]);
    assert_eq!(
        checks[1].diagnosis.text[0],
        "Worked from your own dL/de = 2.0000."
    );
    // upstream-only under a wrong upstream grad: the learner's own dL/de, 2.
    let checks = l.check_hand_grads(&[(e, 2.0), (a, 2.0)]);
    assert_eq!(checks[1].diagnosis.ids(), ["upstream-only"]);
}

#[test]
fn a_right_grad_under_a_wrong_upstream_grad_is_still_right() {
    let g = Graph::new();
    let [a, _, _, e, .., l] = notebook(&g);
    let checks = l.check_hand_grads(&[(e, 5.0), (a, 6.0)]);
    assert!(checks[1].right);
    assert!(checks[1].diagnosis.text.is_empty());
}

#[test]
fn where_nothing_matches_a_nudge_shows_the_slope() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    let c = last(l, &[(a, 5.0)]);
    assert!(c.diagnosis.mistakes.is_empty() && !c.diagnosis.follows_from_yours);
    let n = c.diagnosis.nudge.as_ref().expect("a nudge");
    // h = 0.001·max(1, |a|) = 0.002; L = (a*b + c)·f moves by 6·0.002.
    assert_eq!(n.h, 0.002);
    assert_eq!(n.before, -8.0);
    assert!((n.after - (-8.0 + 0.012)).abs() < 1e-12);
    assert!((n.slope - 6.0).abs() < 1e-9);
    assert!((n.predicted - (-8.0 + 0.010)).abs() < 1e-12);
    assert_eq!(
        c.diagnosis.text,
        [
            "No mistake in the catalogue gives 5.",
            "Nudge a by h = 0.002: L goes from -8.0000 to -7.9880, a slope of 6.0000; a grad of 5 would take it to -7.9900."
        ]
    );
    // The graph is as it was.
    assert_eq!((a.data(), l.data()), (2.0, -8.0));
}

#[test]
fn numbers_within_the_tolerance_are_right() {
    let g = Graph::new();
    let [a, .., l] = notebook(&g);
    assert!(l.check_hand_grads(&[(a, 6.0 + 1e-7)])[0].right);
    assert!(!l.check_hand_grads(&[(a, 6.001)])[0].right);
    let loose = CheckOptions {
        tol: 1e-3,
        ..CheckOptions::default()
    };
    assert!(l.check_hand_grads_with(&[(a, 6.001)], loose, Numbers::Notebook)[0].right);
    // A mistake's number is named within the tolerance too: -3 to 4 decimals.
    let c = l.check_hand_grads_with(&[(a, -3.0004)], loose, Numbers::Notebook);
    assert_eq!(c[0].diagnosis.ids(), ["local-only"]);
}

#[test]
fn every_mistake_in_the_catalogue_has_a_test_here() {
    let src = include_str!("show_diagnose.rs");
    for m in Mistake::ALL {
        assert!(
            src.contains(&format!("[\"{}\"]", m.id())),
            "no test names `{}` alone",
            m.id()
        );
    }
}

/// The op-specific slips each op declares in the op table (`slips:`), beyond the two
/// every op gets from its `d` (the sign flipped; the input for the output). A new op
/// fails here until its line says which mistakes it has.
#[test]
fn every_op_declares_its_slips() {
    use Mistake::*;
    for op in Op::ALL {
        let (x, y, c) = (0.7, 1.3, 2.5);
        let out = op.apply(x, y, c);
        let slots = match op.arity() {
            chainrule::Arity::Binary => 2,
            _ => 1,
        };
        let mut own: Vec<Mistake> = (0..slots)
            .flat_map(|s| op.slips(x, y, c, out, s))
            .map(|s| s.mistake)
            .filter(|m| !matches!(m, Sign | InputNotOutput))
            .collect();
        own.dedup();
        let with_sign: Vec<Mistake> = (0..slots)
            .flat_map(|s| op.slips(x, y, c, out, s))
            .filter(|s| s.mistake == Sign)
            .map(|s| s.mistake)
            .collect();
        let expected: &[Mistake] = match op {
            Op::Mul | Op::MulConst => &[WrongFactor],
            Op::Div | Op::ConstDiv => &[Quotient],
            Op::PowConst | Op::Pow => &[Power],
            Op::Leaf
            | Op::Const
            | Op::Add
            | Op::Sub
            | Op::Neg
            | Op::AddConst
            | Op::ConstSub
            | Op::DivConst
            | Op::Exp
            | Op::Ln
            | Op::Tanh
            | Op::Sigmoid
            | Op::Relu
            | Op::Sin
            | Op::Cos
            | Op::Sqrt
            | Op::Abs
            | Op::Step
            | Op::Sign
            | Op::Softplus
            | Op::LeakyRelu
            | Op::Sum
            | Op::Dot => &[],
        };
        assert_eq!(own, expected, "{op:?}");
        // tanh and sigmoid also lose the minus inside their derivative.
        if matches!(op, Op::Tanh | Op::Sigmoid) {
            assert_eq!(with_sign.len(), 2, "{op:?}");
        }
    }
    // The input in place of the output comes from `d` itself, for every op written in
    // its output.
    let from_input = |op: Op| {
        op.slips(0.7, 0.0, 0.0, op.apply(0.7, 0.0, 0.0), 0)
            .iter()
            .any(|s| s.mistake == InputNotOutput)
    };
    for op in [Op::Exp, Op::Tanh, Op::Sigmoid, Op::Sqrt] {
        assert!(from_input(op), "{op:?}");
    }
    for op in [Op::Ln, Op::Sin, Op::Cos, Op::Relu, Op::Softplus] {
        assert!(!from_input(op), "{op:?}");
    }
}

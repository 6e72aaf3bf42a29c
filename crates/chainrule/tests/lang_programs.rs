//! The language evaluates programs to the values and grads the engine gives, with the
//! ops the docs promise.

use chainrule::lang::{EvalOptions, Evaluated, Program, NOTEBOOK};
use chainrule::{Graph, Op};
use proptest::prelude::*;

fn run<'g>(g: &'g Graph, src: &str) -> Evaluated<'g> {
    let run = Program::parse(src)
        .unwrap()
        .eval(g, &EvalOptions::default())
        .unwrap();
    run.output.backward();
    run
}

fn grad(run: &Evaluated, name: &str) -> f64 {
    run.get(name).unwrap().grad()
}

#[test]
fn the_notebook_gives_the_notebook_numbers() {
    let g = Graph::new();
    let r = run(&g, NOTEBOOK);
    assert_eq!(r.output.data(), -8.0);
    assert_eq!(r.output_name.as_deref(), Some("L"));
    let grads: Vec<f64> = ["L", "d", "f", "c", "e", "a", "b"]
        .iter()
        .map(|n| grad(&r, n))
        .collect();
    assert_eq!(grads, [1.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0]);
    // Every hand-derived grad in the notebook is right.
    let hand: Vec<(&str, f64)> = r
        .hand_grads
        .iter()
        .map(|h| (h.name.as_str(), h.value))
        .collect();
    assert_eq!(
        hand,
        [
            ("L", 1.0),
            ("d", -2.0),
            ("f", 4.0),
            ("c", -2.0),
            ("e", -2.0),
            ("a", 6.0),
            ("b", -4.0)
        ]
    );
    for h in &r.hand_grads {
        assert_eq!(h.var.grad(), h.value, "{}", h.name);
    }
    let labels: Vec<String> = g.vars().map(|v| v.label().unwrap()).collect();
    assert_eq!(labels, ["a", "b", "c", "e", "d", "f", "L"]);
}

#[test]
fn micrograd_sanity_test() {
    let g = Graph::new();
    let r = run(
        &g,
        "x = -4\nz = 2 * x + 2 + x\nq = relu(z) + z * x\nh = relu(z * z)\ny = h + q + q * x",
    );
    assert_eq!(r.output.data(), -20.0);
    assert_eq!(grad(&r, "x"), 46.0);
}

#[test]
fn micrograd_more_ops_test_with_compound_assignments() {
    let src = include_str!("programs/micrograd_more_ops.cr");
    let graph = Graph::new();
    let r = run(&graph, src);
    assert!((r.output.data() - 24.70408163265306).abs() < 1e-12);
    assert!((grad(&r, "a") - 138.8338).abs() < 1e-4, "{}", grad(&r, "a"));
    assert!((grad(&r, "b") - 645.5773).abs() < 1e-4, "{}", grad(&r, "b"));
    // PyTorch's full digits, as micrograd's test prints them.
    assert!((grad(&r, "a") - 138.83381924198252).abs() < 1e-9);
    assert!((grad(&r, "b") - 645.5772594752186).abs() < 1e-9);
    // Rebinding keeps every value distinguishable: c₁ c₂ c, g₁ g.
    let labels: Vec<String> = graph.vars().filter_map(|v| v.label()).collect();
    for l in ["c₁", "c₂", "c", "d₁", "d₂", "d", "g₁", "g"] {
        assert!(labels.iter().any(|x| x == l), "{l} in {labels:?}");
    }
    assert_eq!(r.output.label().as_deref(), Some("g"));
}

#[test]
fn numbers_next_to_values_use_constant_ops() {
    let g = Graph::new();
    let src = "x = 3\ny = 2\n\
        a1 = 2*x\na2 = x + 1\na3 = x - 1\na4 = 1 - x\na5 = x/2\na6 = 2/x\n\
        a7 = x**3\na8 = x**y\na9 = -x\na10 = pow(x, 2)\na11 = x^2\na12 = 2**x\na13 = x*y";
    let r = run(&g, src);
    let op = |n: &str| r.get(n).unwrap().op();
    assert_eq!(op("x"), Op::Leaf);
    let expected = [
        ("a1", Op::MulConst, 6.0),
        ("a2", Op::AddConst, 4.0),
        ("a3", Op::AddConst, 2.0),
        ("a4", Op::ConstSub, -2.0),
        ("a5", Op::DivConst, 1.5),
        ("a6", Op::ConstDiv, 2.0 / 3.0),
        ("a7", Op::PowConst, 27.0),
        ("a8", Op::Pow, 9.0),
        ("a9", Op::Neg, -3.0),
        ("a10", Op::PowConst, 9.0),
        ("a11", Op::PowConst, 9.0),
        ("a12", Op::Pow, 8.0),
        ("a13", Op::Mul, 6.0),
    ];
    for (name, o, v) in expected {
        assert_eq!((op(name), r.get(name).unwrap().data()), (o, v), "{name}");
    }
    assert_eq!(r.get("a1").unwrap().constant(), Some(2.0));
    // 2**x has no constant op: its base is an unnamed leaf.
    let base = r.get("a12").unwrap().children()[0];
    assert!(base.is_leaf() && base.label().is_none() && base.data() == 2.0);
}

#[test]
fn every_function_calls_its_op() {
    let g = Graph::new();
    let fns = [
        ("tanh", Op::Tanh),
        ("exp", Op::Exp),
        ("ln", Op::Ln),
        ("log", Op::Ln),
        ("relu", Op::Relu),
        ("sigmoid", Op::Sigmoid),
        ("sin", Op::Sin),
        ("cos", Op::Cos),
        ("sqrt", Op::Sqrt),
        ("abs", Op::Abs),
    ];
    for (f, op) in fns {
        let src = format!("x = 0.7\ny = {f}(x)");
        let r = run(&g, &src);
        let y = r.output;
        assert_eq!(y.op(), op, "{f}");
        assert_eq!(y.data(), op.apply(0.7, 0.0, 0.0), "{f}");
        // And on a plain number it folds with the same formula.
        let folded = run(&g, &format!("y = {f}(0.7)")).output;
        assert!(folded.is_leaf());
        assert_eq!(folded.data(), y.data(), "{f}");
    }
}

/// Every function of the op table, by each of its names, records its op with the table's
/// value, and folds on plain numbers with the same formula (one argument for a unary op,
/// a value and a number for an op with a constant, two values for a binary op).
#[test]
fn every_function_of_the_table_calls_its_op() {
    let g = Graph::new();
    for op in Op::ALL {
        for f in op.calls() {
            let (args, c) = match op.arity() {
                chainrule::Arity::Unary => ("x", 0.0),
                chainrule::Arity::UnaryConst => ("x, 0.3", 0.3),
                _ => ("x, z", 0.0),
            };
            let r = run(&g, &format!("x = 0.7; z = 1.5; y = {f}({args})"));
            assert_eq!(r.output.op(), op, "{f}");
            assert_eq!(r.output.data(), op.apply(0.7, 1.5, c), "{f}");
            let folded = run(
                &g,
                &format!("y = {f}({})", args.replace('x', "0.7").replace('z', "1.5")),
            );
            assert_eq!(folded.output.data(), r.output.data(), "{f} folded");
        }
    }
}

#[test]
fn leaves_constants_and_precedence() {
    let g = Graph::new();
    let r = run(&g, "a = -3.5\nb = 2*3 + 1\nc = -2**2\nd = 2**3**2\ne = (1 + 2) * 3 - 4 / 2\nf = 1e-3\nout = a*b");
    for (n, v) in [
        ("a", -3.5),
        ("b", 7.0),
        ("c", -4.0),
        ("d", 512.0),
        ("e", 7.0),
        ("f", 0.001),
    ] {
        let var = r.get(n).unwrap();
        assert!(var.is_leaf(), "{n}");
        assert_eq!(var.data(), v, "{n}");
    }
    assert_eq!(g.len(), 7);
}

#[test]
fn hand_grads_read_numbers_and_grads_without_recording() {
    let g = Graph::new();
    let p =
        Program::parse("a = 2\nb = a*3\nb.grad = 1\na.grad = b.grad * 3 + a.data*0 + a*0").unwrap();
    let r = p.eval(&g, &EvalOptions::default()).unwrap();
    assert_eq!(g.len(), 2, "grad lines record nothing");
    assert_eq!(r.get("a").unwrap().grad(), 3.0);
    assert_eq!(r.output_name.as_deref(), Some("b"));
    assert_eq!(r.hand_grads[1].line, 4);
}

#[test]
fn set_overrides_leaves_and_of_picks_the_output() {
    let g = Graph::new();
    let p = Program::parse(NOTEBOOK).unwrap();
    let opts = EvalOptions {
        sets: vec![("a".into(), 3.0), ("f".into(), 1.0)],
        of: Some("d".into()),
        ..Default::default()
    };
    let r = p.eval(&g, &opts).unwrap();
    assert_eq!(r.output.data(), 1.0); // d = 3*-3 + 10
    assert_eq!(r.output_name.as_deref(), Some("d"));
    r.output.backward();
    assert_eq!((grad(&r, "a"), grad(&r, "f")), (-3.0, 0.0));
}

#[test]
fn aliases_and_expression_statements() {
    let g = Graph::new();
    let r = run(&g, "a = 2\nb = a\nb*a + 1");
    assert_eq!(r.get("b").unwrap().index(), r.get("a").unwrap().index());
    assert_eq!(r.get("a").unwrap().label().as_deref(), Some("a"));
    assert_eq!(r.output.data(), 5.0);
    assert_eq!(r.output_name, None);
    assert_eq!(r.output.label(), None);
    assert_eq!(grad(&r, "a"), 4.0);
    let r2 = run(&g, "a = 2; a");
    assert_eq!(r2.output_name.as_deref(), Some("a"));
    let names: Vec<&str> = r.names().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["a", "b"]);
}

/// A random expression over `x` and `y`, with its value computed in plain f64.
fn expr() -> impl Strategy<Value = (String, f64, f64)> {
    let leaf = prop_oneof![
        Just(("x".to_string(), 0.75, 0.0)),
        Just(("y".to_string(), -1.25, 0.0)),
        (-5i32..5).prop_map(|k| (format!("({k})"), k as f64, 0.0)),
    ];
    leaf.prop_map(|(s, x, _)| (s, x, 0.0))
        .prop_recursive(5, 40, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone(), 0..4usize).prop_map(|((a, x, _), (b, y, _), op)| {
                    let (sym, v) = match op {
                        0 => ("+", x + y),
                        1 => ("-", x - y),
                        2 => ("*", x * y),
                        _ => ("/", x / y),
                    };
                    (format!("({a} {sym} {b})"), v, 0.0)
                }),
                (inner.clone(), 0..4usize).prop_map(|((a, x, _), f)| {
                    let (name, v) = match f {
                        0 => ("tanh", x.tanh()),
                        1 => ("sin", x.sin()),
                        2 => ("cos", x.cos()),
                        _ => ("abs", x.abs()),
                    };
                    (format!("{name}({a})"), v, 0.0)
                }),
                inner.prop_map(|(a, x, _)| (format!("({a})**2"), x.powf(2.0), 0.0)),
            ]
        })
}

proptest! {
    #[test]
    fn random_expressions_match_plain_arithmetic_and_finite_differences((src, value, _) in expr()) {
        let g = Graph::new();
        let program = format!("x = 0.75\ny = -1.25\nout = {src}");
        let r = run(&g, &program);
        let got = r.output.data();
        prop_assert!(got == value || (got.is_nan() && value.is_nan())
            || (got - value).abs() <= 1e-12 * value.abs().max(1.0), "{got} vs {value}");
        // dout/dx against a central difference, where the function is smooth enough.
        let at = |x: f64| {
            let g = Graph::new();
            let opts = EvalOptions { sets: vec![("x".into(), x)], ..Default::default() };
            Program::parse(&program).unwrap().eval(&g, &opts).unwrap().output.data()
        };
        let h = 1e-6;
        let numeric = (at(0.75 + h) - at(0.75 - h)) / (2.0 * h);
        let analytic = grad(&r, "x");
        if numeric.is_finite() && analytic.is_finite() && value.abs() < 1e6 && !src.contains("abs") {
            prop_assert!((numeric - analytic).abs() <= 1e-4 * numeric.abs().max(1.0),
                "{src}: numeric {numeric} analytic {analytic}");
        }
    }
}

/// `grad(L, a)` is dL/da recorded on the tape, so it can be differentiated again: the
/// issue's program gives 12 and 12, and the third derivative of x³ is 6.
#[test]
fn grad_of_grad_in_the_language() {
    let g = Graph::new();
    let r = run(
        &g,
        "x = 2; y = x**3; d = grad(y, x); d2 = grad(d, x); d3 = grad(d2, x)",
    );
    let v = |n: &str| r.get(n).unwrap().data();
    assert_eq!((v("y"), v("d"), v("d2"), v("d3")), (8.0, 12.0, 12.0, 6.0));
    // backward from the output d3 = 6 (a constant): nothing depends on x any more.
    assert_eq!(grad(&r, "x"), 0.0);
    // The derivative of a product with a sin, against the hand-derived formulas.
    let g = Graph::new();
    let r = run(
        &g,
        "a = 0.5; b = 3; y = sin(a)*b; db = grad(y, b); da = grad(y, a); dda = grad(da, a)",
    );
    let v = |n: &str| r.get(n).unwrap().data();
    assert_eq!(v("da"), 0.5f64.cos() * 3.0);
    assert_eq!(v("dda"), -(0.5f64.sin()) * 3.0);
    assert_eq!(v("db"), 0.5f64.sin());
    // backward from dda = -sin(a)·b: d/da = -cos(a)·b, d/db = -sin(a).
    assert!((grad(&r, "a") - (-(0.5f64.cos()) * 3.0)).abs() < 1e-15);
    assert!((grad(&r, "b") + 0.5f64.sin()).abs() < 1e-15);
}

/// A number has derivative 0; a derivative can be used in more arithmetic; an op with a
/// constant takes it as a number.
#[test]
fn grad_of_a_number_is_zero_and_derivatives_compose() {
    let g = Graph::new();
    let r = run(&g, "x = 3; z = grad(5, x); y = x*x; n = y - grad(y, x)*0.5");
    assert_eq!(r.get("z").unwrap().data(), 0.0);
    assert_eq!(r.output.data(), 9.0 - 6.0 * 0.5);
    // d/dx (x² - x) = 2x - 1 = 5
    assert_eq!(grad(&r, "x"), 5.0);
}

proptest! {
    /// grad(...) in a program equals backward's grad on the same program, bit for bit.
    #[test]
    fn grad_in_a_program_equals_backward(x in -2.0f64..2.0, y in 0.1f64..3.0) {
        let src = format!("x = {x}; y = {y}; L = tanh(x*y) + exp(x)/y + x**3");
        let g = Graph::new();
        let r = run(&g, &src);
        let (gx, gy) = (grad(&r, "x"), grad(&r, "y"));
        let g2 = Graph::new();
        let r2 = run(&g2, &format!("{src}; dx = grad(L, x); dy = grad(L, y)"));
        prop_assert_eq!(r2.get("dx").unwrap().data(), gx);
        prop_assert_eq!(r2.get("dy").unwrap().data(), gy);
    }
}

//! The op table's test: for every op, its value and its first and second derivatives at
//! several points (edge points included) against numbers derived by hand, through every
//! path the engine has: `backward` (the table's partials), `Graph::grad` recorded on the
//! tape and differentiated again, and `Graph::hvp` (forward-over-reverse).
//!
//! Adding an op to the table means adding its case here: the test fails for any op of
//! `Op::ALL` (other than leaves and n-ary ops, tested below) without one.

use chainrule::{Arity, Graph, Op, Var};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

/// One point of one op: the operands `x` (and `y`), the constant `c`, and the expected
/// value, gradient `[d/dx, d/dy]` and Hessian `[d²/dx², d²/dxdy, d²/dy²]` (the `y`
/// entries unused for one operand).
struct Case {
    op: Op,
    x: f64,
    y: f64,
    c: f64,
    value: f64,
    d: [f64; 2],
    h: [f64; 3],
}

fn u(op: Op, x: f64, value: f64, d: f64, h: f64) -> Case {
    Case {
        op,
        x,
        y: 0.0,
        c: 0.0,
        value,
        d: [d, 0.0],
        h: [h, 0.0, 0.0],
    }
}

fn k(op: Op, x: f64, c: f64, value: f64, d: f64, h: f64) -> Case {
    Case {
        op,
        x,
        y: 0.0,
        c,
        value,
        d: [d, 0.0],
        h: [h, 0.0, 0.0],
    }
}

fn b(op: Op, x: f64, y: f64, value: f64, d: [f64; 2], h: [f64; 3]) -> Case {
    Case {
        op,
        x,
        y,
        c: 0.0,
        value,
        d,
        h,
    }
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let (t, s) = (0.5f64.tanh(), 1.0 / (1.0 + (-0.5f64).exp()));
    let sm = 1.0 / (1.0 + 2f64.exp()); // sigmoid(-2)
    vec![
        b(Op::Add, 2.0, -3.0, -1.0, [1.0, 1.0], [0.0, 0.0, 0.0]),
        b(Op::Sub, 2.0, -3.0, 5.0, [1.0, -1.0], [0.0, 0.0, 0.0]),
        b(Op::Mul, 2.0, -3.0, -6.0, [-3.0, 2.0], [0.0, 1.0, 0.0]),
        // x/y: d/dx 1/y, d/dy -x/y², d²/dxdy -1/y², d²/dy² 2x/y³
        b(Op::Div, 3.0, 2.0, 1.5, [0.5, -0.75], [0.0, -0.25, 0.75]),
        // at y = 0 the chain rule meets inf·0 for d²/dy² (the recorded -x/(y·y)): NaN
        b(Op::Div, 1.0, 0.0, INF, [INF, -INF], [0.0, -INF, NAN]),
        u(Op::Neg, 2.0, -2.0, -1.0, 0.0),
        k(Op::AddConst, 2.0, 10.0, 12.0, 1.0, 0.0),
        k(Op::MulConst, 2.0, -3.0, -6.0, -3.0, 0.0),
        k(Op::ConstSub, 2.0, 10.0, 8.0, -1.0, 0.0),
        k(Op::DivConst, 3.0, 2.0, 1.5, 0.5, 0.0),
        // c/x: -c/x², 2c/x³
        k(Op::ConstDiv, 2.0, 3.0, 1.5, -0.75, 0.75),
        u(Op::Exp, 0.0, 1.0, 1.0, 1.0),
        u(Op::Exp, 1.0, 1f64.exp(), 1f64.exp(), 1f64.exp()),
        // ln: 1/x, -1/x²; NaN below 0, -inf at 0
        u(Op::Ln, 2.0, 2f64.ln(), 0.5, -0.25),
        u(Op::Ln, 0.0, -INF, INF, -INF),
        u(Op::Ln, -1.0, NAN, -1.0, -1.0),
        // tanh: 1 - t², -2t(1 - t²)
        u(Op::Tanh, 0.5, t, 1.0 - t * t, -2.0 * t * (1.0 - t * t)),
        u(Op::Tanh, 0.0, 0.0, 1.0, 0.0),
        u(Op::Tanh, 1000.0, 1.0, 0.0, 0.0),
        // sigmoid: s(1 - s), s(1 - s)(1 - 2s)
        u(Op::Sigmoid, 0.5, s, s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s)),
        u(Op::Sigmoid, 0.0, 0.5, 0.25, 0.0),
        // relu: relu'(0) = 0 (micrograd), relu'' = 0 everywhere
        u(Op::Relu, 2.0, 2.0, 1.0, 0.0),
        u(Op::Relu, -2.0, 0.0, 0.0, 0.0),
        u(Op::Relu, 0.0, 0.0, 0.0, 0.0),
        u(Op::Sin, 0.7, 0.7f64.sin(), 0.7f64.cos(), -(0.7f64.sin())),
        u(Op::Cos, 0.7, 0.7f64.cos(), -(0.7f64.sin()), -(0.7f64.cos())),
        // sqrt: 1/(2√x), -1/(4 x^1.5)
        u(Op::Sqrt, 4.0, 2.0, 0.25, -1.0 / 32.0),
        u(Op::Sqrt, 0.0, 0.0, INF, -INF),
        u(Op::Sqrt, -1.0, NAN, NAN, NAN),
        u(Op::Abs, -3.0, 3.0, -1.0, 0.0),
        u(Op::Abs, 2.0, 2.0, 1.0, 0.0),
        u(Op::Abs, 0.0, 0.0, 0.0, 0.0),
        u(Op::Step, 2.0, 1.0, 0.0, 0.0),
        u(Op::Step, 0.0, 0.0, 0.0, 0.0),
        u(Op::Step, -1.0, 0.0, 0.0, 0.0),
        u(Op::Sign, -2.0, -1.0, 0.0, 0.0),
        u(Op::Sign, 0.0, 0.0, 0.0, 0.0),
        u(Op::Sign, 5.0, 1.0, 0.0, 0.0),
        // x**c: c x^(c-1), c(c-1) x^(c-2); x**0 has derivative 0 even at 0 and at NaN
        // (IEEE makes x**0 the constant 1 there too; micrograd's 0·x^-1 is NaN or raises)
        k(Op::PowConst, 2.0, 3.0, 8.0, 12.0, 12.0),
        k(Op::PowConst, -2.0, 2.0, 4.0, -4.0, 2.0),
        k(Op::PowConst, 4.0, 0.5, 2.0, 0.25, -1.0 / 32.0),
        k(Op::PowConst, 0.0, 0.0, 1.0, 0.0, 0.0),
        k(Op::PowConst, NAN, 0.0, 1.0, 0.0, 0.0),
        k(Op::PowConst, -4.0, 0.5, NAN, NAN, NAN),
        // x**y: d/dx y x^(y-1), d/dy x^y ln x; d²/dx² y(y-1)x^(y-2),
        // d²/dxdy x^(y-1)(1 + y ln x), d²/dy² x^y ln²x
        b(Op::Pow, 2.0, 3.0, 8.0, [12.0, 8.0 * 2f64.ln()],
          [12.0, 4.0 * (1.0 + 3.0 * 2f64.ln()), 8.0 * 2f64.ln() * 2f64.ln()]),
        // 0**y: d/dy is taken as 0 where the value is 0
        b(Op::Pow, 0.0, 2.0, 0.0, [0.0, 0.0], [2.0, 0.0, 0.0]),
        // sigmoid(-2) twice over: the derivatives of softplus are sigmoid and its slope
        u(Op::Softplus, -2.0, (1.0 + (-2f64).exp()).ln(), sm, sm * (1.0 - sm)),
        u(Op::Softplus, 0.0, 2f64.ln(), 0.5, 0.25),
        u(Op::Softplus, 800.0, 800.0, 1.0, 0.0),
        // leaky_relu(x, 0.01): slope 1 above 0, 0.01 at and below (as relu'(0) = 0)
        k(Op::LeakyRelu, 2.0, 0.01, 2.0, 1.0, 0.0),
        k(Op::LeakyRelu, -2.0, 0.01, -0.02, 0.01, 0.0),
        k(Op::LeakyRelu, 0.0, 0.01, 0.0, 0.01, 0.0),
    ]
}

/// Equal, with NaN equal to NaN, or within `tol` relative to max(1, |want|).
fn near(got: f64, want: f64, tol: f64) -> bool {
    (got.is_nan() && want.is_nan())
        || got == want
        || (got - want).abs() <= tol * want.abs().max(1.0)
}

#[test]
fn every_op_of_the_table_has_a_case() {
    let cases = cases();
    for op in Op::ALL {
        if matches!(op.arity(), Arity::Leaf | Arity::Nary) {
            continue;
        }
        assert!(
            cases.iter().any(|c| c.op == op),
            "no case for {op:?} in tests/ops.rs"
        );
    }
}

#[test]
fn values_and_first_and_second_derivatives_by_every_path() {
    for case in cases() {
        let two = case.op.arity() == Arity::Binary;
        let g = Graph::new();
        let (x, y) = (g.var("x", case.x), g.var("y", case.y));
        let inputs = if two { vec![x, y] } else { vec![x] };
        let z = g.record(case.op, &inputs, case.c);
        let at = format!("{:?} at x={} y={} c={}", case.op, case.x, case.y, case.c);
        assert!(
            near(z.data(), case.value, 1e-15),
            "{at}: value {}",
            z.data()
        );
        // backward: the table's partials
        z.backward();
        assert!(
            near(x.grad(), case.d[0], 1e-15),
            "{at}: backward d/dx {}",
            x.grad()
        );
        if two {
            assert!(
                near(y.grad(), case.d[1], 1e-15),
                "{at}: backward d/dy {}",
                y.grad()
            );
        }
        // recorded on the tape: the same numbers, bit for bit, then differentiated again
        let d = g.grad(z, &inputs);
        assert!(
            near(d[0].data(), x.grad(), 0.0),
            "{at}: recorded d/dx {}",
            d[0].data()
        );
        let hxx = g.grad(d[0], &inputs);
        assert!(
            near(hxx[0].data(), case.h[0], 1e-14),
            "{at}: d²/dx² {}",
            hxx[0].data()
        );
        if two {
            assert!(near(d[1].data(), y.grad(), 0.0), "{at}: recorded d/dy");
            let hyy = g.grad(d[1], &inputs);
            assert!(
                near(hxx[1].data(), case.h[1], 1e-14),
                "{at}: d²/dxdy {}",
                hxx[1].data()
            );
            assert!(
                near(hyy[0].data(), case.h[1], 1e-14),
                "{at}: d²/dydx {}",
                hyy[0].data()
            );
            assert!(
                near(hyy[1].data(), case.h[2], 1e-14),
                "{at}: d²/dy² {}",
                hyy[1].data()
            );
        }
        // forward-over-reverse, where the numbers are finite
        if case.h.iter().chain(&case.d).all(|v| v.is_finite()) && case.value.is_finite() {
            let hv = g.hvp(z, &inputs, &vec![1.0; inputs.len()]);
            let want0 = case.h[0] + if two { case.h[1] } else { 0.0 };
            assert!(near(hv.hv[0], want0, 1e-14), "{at}: hvp {:?}", hv.hv);
            assert!(near(hv.grad[0], case.d[0], 0.0), "{at}: hvp grad");
            if two {
                assert!(
                    near(hv.hv[1], case.h[1] + case.h[2], 1e-14),
                    "{at}: hvp {:?}",
                    hv.hv
                );
            }
        }
    }
}

/// Sum and dot: first derivatives 1 and the partner, second derivatives 1 between each
/// pair of a dot and 0 elsewhere.
#[test]
fn nary_ops_to_second_order() {
    let g = Graph::new();
    let v = [g.leaf(1.0), g.leaf(2.0), g.leaf(3.0), g.leaf(4.0)];
    let s = g.sum(&[v[0], v[1], v[0]]);
    let d = g.grad(s, &v);
    assert_eq!(
        d.iter().map(|d| d.data()).collect::<Vec<_>>(),
        [2.0, 1.0, 0.0, 0.0]
    );
    let dot = g.dot(&[v[0], v[1]], &[v[2], v[3]]);
    assert_eq!(
        g.hessian(dot, &v),
        [
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0]
        ]
    );
    // A dot of a value with itself: d(x·x)/dx = 2x, second derivative 2.
    let sq = g.dot(&[v[1]], &[v[1]]);
    let d = g.grad(sq, &[v[1]])[0];
    assert_eq!((d.data(), g.grad(d, &[v[1]])[0].data()), (4.0, 2.0));
}

/// `docs/ops.md` is written from the table: every op's name, how to call it, its
/// derivative as `explain` writes it, what it records for second order, and where it is
/// not smooth. `UPDATE_GOLDEN=1` rewrites it; otherwise a stale file fails this test.
#[test]
fn docs_ops_md_is_generated_from_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ops.md");
    let mut s = String::from(
        "# The ops\n\n\
         Generated from the op table (`crates/chainrule/src/engine/op.rs`) by \
         `UPDATE_GOLDEN=1 cargo test -p chainrule --test ops`; do not edit by hand. \
         To add an op, see [CONTRIBUTING.md](../CONTRIBUTING.md).\n\n\
         Ops with a constant are shown with `c = 3`. *d/dx* is the local derivative as \
         `explain` writes it; *recorded as* is what `Graph::grad` records for it, so that it \
         can be differentiated again.\n\n\
         | op | arity | language | method | d/dx (and d/dy) | recorded as | not smooth |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for op in Op::ALL {
        let g = Graph::new();
        let (x, y) = (g.var("x", 0.5), g.var("y", 1.5));
        let operands = match op.arity() {
            Arity::Leaf => 0,
            Arity::Unary | Arity::UnaryConst => 1,
            Arity::Binary | Arity::Nary => 2,
        };
        let code = |t: &str| {
            if t.is_empty() {
                String::new()
            } else {
                format!("`{t}`")
            }
        };
        let (formula, recorded) = if operands == 0 {
            (String::new(), String::new())
        } else {
            let z = if op == Op::Dot {
                g.dot(&[x], &[y])
            } else {
                g.record(op, &[x, y][..operands], 3.0)
            }
            .named("z");
            let ex = z.explain();
            let mut f: Vec<String> = Vec::new();
            for v in [x, y].iter().take(operands) {
                if let Some(n) = ex.node(v.index()) {
                    f.push(code(&n.contributions[0].formula));
                }
            }
            let d = g.grad(z, &[x])[0];
            let rec = if d.index() == x.index() || d.is_leaf() {
                d.label().unwrap_or_default()
            } else if d.op() == Op::Const {
                format!("{}", d.data())
            } else {
                d.explain().nodes[0].expr.clone()
            };
            (f.join(", "), code(&rec))
        };
        let arity = match op.arity() {
            Arity::Leaf => "leaf",
            Arity::Unary => "unary",
            Arity::UnaryConst => "with constant",
            Arity::Binary => "binary",
            Arity::Nary => "n-ary",
        };
        let calls: Vec<String> = op.calls().iter().map(|c| code(c)).collect();
        let method = op
            .method()
            .map(|m| format!("`Var::{m}`"))
            .unwrap_or_default();
        let edge = match op.not_smooth(3.0) {
            Some((slot, words)) => format!("{words} where {} = 0", ["x", "y"][slot]),
            None => String::new(),
        };
        s += &format!(
            "| `{}` | {arity} | {} | {method} | {formula} | {recorded} | {edge} |\n",
            op.name(),
            calls.join(", ")
        );
    }
    s += "\nThe language also has `grad(L, a)`: dL/da as a value on the tape.\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &s).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        on_disk, s,
        "docs/ops.md is stale: rerun with UPDATE_GOLDEN=1"
    );
}

/// Every op: the formula in the operand names, and a local number that is the op's
/// partial (checked here against a central difference of the op itself).
#[test]
fn every_op_has_a_formula_and_the_right_local_number() {
    type Build = for<'g> fn(&'g Graph, Var<'g>, Var<'g>) -> Var<'g>;
    let cases: Vec<(Op, Build, Vec<&str>)> = vec![
        (
            Op::Add,
            |_, x, y| x + y,
            vec!["d(x+y)/dx = 1", "d(x+y)/dy = 1"],
        ),
        (
            Op::Sub,
            |_, x, y| x - y,
            vec!["d(x-y)/dx = 1", "d(x-y)/dy = -1"],
        ),
        (
            Op::Mul,
            |_, x, y| x * y,
            vec!["d(x*y)/dx = y", "d(x*y)/dy = x"],
        ),
        (
            Op::Div,
            |_, x, y| x / y,
            vec!["d(x/y)/dx = 1/y", "d(x/y)/dy = -x/y²"],
        ),
        (Op::Neg, |_, x, _| -x, vec!["d(-x)/dx = -1"]),
        (Op::AddConst, |_, x, _| x + 2.0, vec!["d(x+2)/dx = 1"]),
        (Op::AddConst, |_, x, _| x - 2.0, vec!["d(x-2)/dx = 1"]),
        (Op::MulConst, |_, x, _| x * 3.0, vec!["d(x*3)/dx = 3"]),
        (Op::MulConst, |_, x, _| x * -3.0, vec!["d(x*(-3))/dx = -3"]),
        (Op::ConstSub, |_, x, _| 2.0 - x, vec!["d(2-x)/dx = -1"]),
        (Op::DivConst, |_, x, _| x / 4.0, vec!["d(x/4)/dx = 1/4"]),
        (Op::ConstDiv, |_, x, _| 5.0 / x, vec!["d(5/x)/dx = -5/x²"]),
        (
            Op::PowConst,
            |_, x, _| x.powf(3.0),
            vec!["d(x**3)/dx = 3·x**2"],
        ),
        (
            Op::PowConst,
            |_, x, _| x.powf(2.0),
            vec!["d(x**2)/dx = 2·x"],
        ),
        (
            Op::PowConst,
            |_, x, _| x.powf(-0.5),
            vec!["d(x**(-0.5))/dx = -0.5·x**(-1.5)"],
        ),
        (
            Op::Pow,
            |_, x, y| x.pow(y),
            vec!["d(x**y)/dx = y·x**(y-1)", "d(x**y)/dy = x**y·ln(x)"],
        ),
        (Op::Exp, |_, x, _| x.exp(), vec!["d exp(x)/dx = exp(x)"]),
        (Op::Ln, |_, x, _| x.ln(), vec!["d ln(x)/dx = 1/x"]),
        (
            Op::Tanh,
            |_, x, _| x.tanh(),
            vec!["d tanh(x)/dx = 1 - tanh(x)²"],
        ),
        (
            Op::Sigmoid,
            |_, x, _| x.sigmoid(),
            vec!["d sigmoid(x)/dx = sigmoid(x)·(1 - sigmoid(x))"],
        ),
        (Op::Relu, |_, x, _| x.relu(), vec!["d relu(x)/dx = [x > 0]"]),
        (Op::Sin, |_, x, _| x.sin(), vec!["d sin(x)/dx = cos(x)"]),
        (Op::Cos, |_, x, _| x.cos(), vec!["d cos(x)/dx = -sin(x)"]),
        (
            Op::Sqrt,
            |_, x, _| x.sqrt(),
            vec!["d sqrt(x)/dx = 1/(2·sqrt(x))"],
        ),
        (Op::Abs, |_, x, _| x.abs(), vec!["d abs(x)/dx = sign(x)"]),
        (Op::Step, |_, x, _| x.step(), vec!["d step(x)/dx = 0"]),
        (Op::Sign, |_, x, _| x.sign(), vec!["d sign(x)/dx = 0"]),
        (
            Op::Softplus,
            |_, x, _| x.softplus(),
            vec!["d softplus(x)/dx = sigmoid(x)"],
        ),
        (
            Op::LeakyRelu,
            |_, x, _| x.leaky_relu(0.1),
            vec!["d leaky_relu(x, 0.1)/dx = [x > 0] + 0.1·[x <= 0]"],
        ),
        (
            Op::Sum,
            |g, x, y| g.sum(&[x, y]),
            vec!["d sum(x, y)/dx = 1", "d sum(x, y)/dy = 1"],
        ),
        (
            Op::Dot,
            |g, x, y| g.dot(&[x], &[y]),
            vec!["d(x*y)/dx = y", "d(x*y)/dy = x"],
        ),
    ];
    let mut seen_ops: Vec<Op> = cases.iter().map(|c| c.0).collect();
    seen_ops.dedup();
    assert_eq!(
        seen_ops.len(),
        Op::ALL
            .iter()
            .filter(|op| op.arity() != Arity::Leaf)
            .count(),
        "every op but Leaf and Const is covered"
    );
    for (op, build, want) in cases {
        let g = Graph::new();
        let x = g.var("x", 0.7);
        let y = g.var("y", 1.3);
        let p = build(&g, x, y).named("p");
        assert_eq!(p.op(), op);
        let ex = p.explain();
        let mut got: Vec<(usize, String, f64)> = ex
            .nodes
            .iter()
            .flat_map(|n| {
                n.contributions
                    .iter()
                    .map(move |c| (n.index, c.formula.clone(), c.local))
            })
            .collect();
        got.sort_by_key(|c| c.0);
        let formulas: Vec<&str> = got.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(formulas, want, "{op:?}");
        // The local number is dp/dx: compare with a central difference of p.
        for (i, _, local) in &got {
            let v = g.get(*i).unwrap();
            let x0 = v.data();
            let at = |t: f64| {
                v.set_data(t);
                g.forward();
                p.data()
            };
            let h = 1e-6;
            let numeric = (at(x0 + h) - at(x0 - h)) / (2.0 * h);
            at(x0);
            assert!(
                (local - numeric).abs() < 1e-6,
                "{op:?}: {local} vs {numeric}"
            );
        }
    }
}

/// Third derivatives of every op: d³/dx³ recorded on the tape (grad three times) agrees
/// with central differences of the recorded second derivative, replayed at x ± h, at each
/// case's point where the op is smooth.
#[test]
fn third_derivatives_agree_with_differences_of_the_second() {
    for case in cases() {
        let two = case.op.arity() == Arity::Binary;
        let near_edge = case.op.not_smooth(case.c).is_some() && case.x.abs() < 1e-3;
        if near_edge || !case.value.is_finite() || !case.h.iter().all(|h| h.is_finite()) {
            continue;
        }
        let g = Graph::new();
        let (x, y) = (g.var("x", case.x), g.var("y", case.y));
        let inputs = if two { vec![x, y] } else { vec![x] };
        let z = g.record(case.op, &inputs, case.c);
        let d2 = g.grad(g.grad(z, &[x])[0], &[x])[0];
        let d3 = g.grad(d2, &[x])[0].data();
        let h = 1e-5 * case.x.abs().max(1.0);
        let at = |v: f64| {
            x.set_data(v);
            g.forward();
            d2.data()
        };
        let numeric = (at(case.x + h) - at(case.x - h)) / (2.0 * h);
        at(case.x);
        assert!(
            (d3 - numeric).abs() <= 1e-4 * d3.abs().max(numeric.abs()).max(1.0),
            "{:?} at x={}: d³/dx³ {d3} vs differences {numeric}",
            case.op,
            case.x
        );
    }
}

//! The bounds of `Limits`, enforced while the work is done: values counted as they are
//! made, the derivative order known before a derivative is recorded, a derivative's
//! recording stopped when its budget is spent, the caller's check asked as the program
//! runs; and a program within the bounds gives the answer it gave without them.

use chainrule::lang::{ErrorKind, EvalOptions, Program};
use chainrule::{Graph, Limits};
use proptest::prelude::*;

/// `x = 0.5; y = tanh(x*x)`, then `d1 = grad(y, x)`, `d2 = grad(d1, x)`, ... `dn`: each
/// order about triples the values.
fn nested(n: usize) -> String {
    let mut src = String::from("x = 0.5\ny = tanh(x*x)\n");
    let mut prev = "y".to_string();
    for k in 1..=n {
        src += &format!("d{k} = grad({prev}, x)\n");
        prev = format!("d{k}");
    }
    src
}

fn with(limits: Limits) -> EvalOptions {
    EvalOptions {
        limits,
        ..Default::default()
    }
}

/// The page's bounds with derivatives up to order `d`.
fn depth(d: usize) -> EvalOptions {
    with(Limits {
        grad_depth: d,
        ..Limits::PAGE
    })
}

/// The error of `src` evaluated with derivatives up to order `d`: past that order.
fn too_deep(src: &str, d: usize) -> chainrule::lang::LangError {
    let err = Program::parse(src)
        .unwrap()
        .eval(&Graph::new(), &depth(d))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GradTooDeep);
    err
}

/// Unbounded: what evaluation gave before it had bounds.
const NONE: Limits = Limits {
    program_bytes: usize::MAX,
    values: usize::MAX,
    grad_depth: usize::MAX,
    draw_values: usize::MAX,
    layout_points: usize::MAX,
};

#[test]
fn nested_grads_stop_at_the_values_limit_while_they_are_made() {
    let p = Program::parse(&nested(17)).unwrap();
    let g = Graph::new();
    let limits = Limits {
        grad_depth: 100,
        values: 5_000,
        ..Limits::PAGE
    };
    let err = p.eval(&g, &with(limits)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyValues);
    // Line 11 is `d9 = grad(d8, x)`: the caret is under the call.
    assert_eq!(err.line_col(), Some((11, 6)));
    assert!(err.message().contains("5,000 values"), "{}", err.message());
    assert!(err.help_text().unwrap().contains("--max-values"));
    // Stopped as the budget was spent, not after: the tape holds the limit and at most
    // one node's local derivatives more.
    assert!(g.len() <= 5_000 + 16, "{} values made", g.len());
}

#[test]
fn the_derivative_order_is_refused_before_it_is_recorded() {
    let p = Program::parse(&nested(17)).unwrap();
    let g = Graph::new();
    let err = p.eval(&g, &with(Limits::PAGE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GradTooDeep);
    assert_eq!(err.line_col(), Some((11, 6)));
    assert!(
        err.message().contains("order 9, over the limit of 8"),
        "{err}"
    );
    assert!(err.help_text().unwrap().contains("--max-grad-depth"));
    // Nested in one expression, and through names and arithmetic: the same order.
    let src = "x = 1\ny = x**4\nd = grad(y, x) * 2 + y\ne = grad(grad(d, x), x)";
    let err = too_deep(src, 2);
    assert_eq!(err.line_col(), Some((4, 5)));
    assert!(err.message().contains("order 3"), "{err}");
    let g = Graph::new();
    let run = Program::parse(src).unwrap().eval(&g, &depth(3)).unwrap();
    // d = 4x³·2 + x⁴, d'' = 48x + 12x² = 60 at x = 1.
    assert_eq!(run.output.data(), 60.0);
}

#[test]
fn compound_assignment_keeps_the_order_of_what_it_rebinds() {
    let err = too_deep("x = 1\ny = x**3\ny += grad(y, x)\nz = grad(y, x)", 1);
    assert_eq!(err.line_col(), Some((4, 5)));
}

#[test]
fn a_grad_within_budget_equals_grad_and_one_over_it_stops_early() {
    let g = Graph::new();
    let x = g.var("x", 0.5);
    let y = (x * x).tanh();
    let d2 = g.grad(g.grad(y, &[x])[0], &[x])[0];
    let before = g.len();
    let full = g.grad(d2, &[x])[0];
    let needed = g.len() - before;
    let exact = g.grad_within(d2, &[x], needed).unwrap()[0];
    assert_eq!(exact.data().to_bits(), full.data().to_bits());
    let start = g.len();
    assert!(g.grad_within(d2, &[x], needed / 2).is_none());
    assert!(g.len() - start <= needed / 2 + 16, "{}", g.len() - start);
}

#[test]
fn the_callers_check_runs_before_every_statement_and_every_grad() {
    let p = Program::parse("x = 2\ny = x*x\nd = grad(grad(y, x), x)\nz = d + 1").unwrap();
    let mut asked = 0;
    let mut count = || {
        asked += 1;
        Ok(())
    };
    let g = Graph::new();
    let run = p.eval_checked(&g, &Default::default(), &mut count).unwrap();
    assert_eq!(run.output.data(), 3.0);
    assert_eq!(asked, 4 + 2);
    // Stopped at the second grad: the error names it and gives the caller's reason.
    let mut asked = 0;
    let mut deadline = || {
        asked += 1;
        match asked {
            5 => Err("the page's 2 s time limit ran out".to_string()),
            _ => Ok(()),
        }
    };
    let err = p
        .eval_checked(&Graph::new(), &Default::default(), &mut deadline)
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::Stopped, Some((3, 5)))
    );
    assert!(err.message().ends_with("the page's 2 s time limit ran out"));
}

#[test]
fn the_program_length_is_checked_where_it_passes_the_limit() {
    let src = "a = 2\n".repeat(20_000);
    assert!(Limits::LOCAL.check_source(src.as_bytes()).is_ok());
    let err = Limits::PAGE.check_source(src.as_bytes()).unwrap_err();
    // 65,536 bytes = 10,922 lines of 6 bytes and 4 more.
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::ProgramTooLong, Some((10_923, 5)))
    );
    assert!(err
        .message()
        .contains("120,000 bytes, over the limit of 65,536"));
}

/// A program of `steps`: each binds a new name to arithmetic on earlier names or to a
/// `grad` of one with respect to a leaf.
fn program(steps: &[(u8, usize, usize)]) -> String {
    let mut src = String::from("x = 0.7\ny = -1.3\n");
    let mut names = vec!["x".to_string(), "y".to_string()];
    for (k, &(op, a, b)) in steps.iter().enumerate() {
        let (a, b) = (&names[a % names.len()], &names[b % names.len()]);
        let wrt = if k % 2 == 0 { "x" } else { "y" };
        let rhs = match op % 5 {
            0 => format!("{a} * {b} + 1"),
            1 => format!("tanh({a}) - {b}"),
            2 => format!("{a} / (1 + {b}**2)"),
            3 => format!("grad({a}, {wrt})"),
            _ => format!("grad({a} * {b}, {wrt}) + sin({a})"),
        };
        src += &format!("v{k} = {rhs}\n");
        names.push(format!("v{k}"));
    }
    src
}

/// Every value on the tape after backward: data and grad, as bits.
fn answer(p: &Program, limits: Limits) -> Result<Vec<(u64, u64)>, ErrorKind> {
    let g = Graph::new();
    let run = p.eval(&g, &with(limits)).map_err(|e| e.kind())?;
    run.output.backward();
    Ok(g.vars()
        .map(|v| (v.data().to_bits(), v.grad().to_bits()))
        .collect())
}

/// The highest derivative order a program reaches: the least `grad_depth` it needs.
fn order_needed(p: &Program) -> usize {
    (0..64)
        .find(|&d| {
            answer(
                p,
                Limits {
                    grad_depth: d,
                    ..NONE
                },
            )
            .is_ok()
        })
        .expect("orders below 64")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Within the bounds, the same values and grads as without them, bit for bit; one
    /// value or one order fewer is refused.
    #[test]
    fn a_program_within_the_bounds_gives_the_unbounded_answer(
        steps in proptest::collection::vec((0u8..5, 0usize..64, 0usize..64), 1..12)
    ) {
        let p = Program::parse(&program(&steps)).unwrap();
        let free = answer(&p, NONE).unwrap();
        let values = free.len();
        let depth = order_needed(&p);
        let tight = Limits { values, grad_depth: depth, ..NONE };
        prop_assert_eq!(answer(&p, tight), Ok(free));
        prop_assert_eq!(answer(&p, Limits { values: values - 1, ..tight }),
            Err(ErrorKind::TooManyValues));
        if depth > 0 {
            prop_assert_eq!(answer(&p, Limits { grad_depth: depth - 1, ..tight }),
                Err(ErrorKind::GradTooDeep));
        }
    }
}

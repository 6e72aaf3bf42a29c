//! `chainrule` with no arguments and `chainrule explain`: the golden notebook output,
//! explanations of programs from a file and from -e, Markdown, and no colour when piped.

mod common;
use common::{file, run};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/notebook_explain.txt"
);

#[test]
fn no_arguments_explains_the_notebook_as_the_golden_file_says() {
    let out = run(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &out.stdout).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN)
        .expect("tests/golden/notebook_explain.txt (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(
        out.stdout, golden,
        "the no-argument output changed; if on purpose, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn no_arguments_shows_every_section_with_the_notebook_numbers() {
    let s = run(&[]).stdout;
    // The program, then the sections in reading order, then the hint.
    let order = [
        "   2 | a = 2; b = -3; c = 10",
        "Values and grads",
        "The chain rule for L",
        "Gradient check",
        "Grads set by hand",
        "Try next:",
    ];
    let at: Vec<usize> = order.iter().map(|p| s.find(p).expect(p)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    // The notebook's grads: L=1, d=-2, f=4, c=-2, e=-2, a=6, b=-4.
    for (name, value, grad) in [
        ("a", "2", "6"),
        ("b", "-3", "-4"),
        ("c", "10", "-2"),
        ("e", "-6", "-2"),
        ("d", "4", "-2"),
        ("f", "-2", "4"),
        ("L", "-8", "1"),
    ] {
        assert_eq!(table_row(&s, name), [name, value, grad]);
    }
    // One number rule: the chain rule writes numbers as the table does.
    assert!(s.contains("dL/da = dL/de · de/da = -2 · -3 = 6\n"));
    assert!(s.contains("4 checked: 4 ok."));
    assert!(s.contains("All 7 hand-set grads are right."));
    assert!(!s.contains('\x1b'), "no colour when piped");
}

/// The values-table row of `name`, split on whitespace.
fn table_row<'a>(out: &'a str, name: &str) -> Vec<&'a str> {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name) && l.split_whitespace().count() == 3)
        .unwrap_or_else(|| panic!("no row for {name} in\n{out}"));
    line.split_whitespace().collect()
}

#[test]
fn explain_inline_tanh_gives_the_derivative_and_the_chain() {
    let out = run(&["explain", "-e", "x = 0.5; y = tanh(2*x)"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = out.stdout;
    let t = 1.0f64.tanh();
    let dydx = 2.0 * (1.0 - t * t);
    assert_eq!(table_row(&s, "x"), ["x", "0.5", &dydx.to_string()]);
    assert_eq!(table_row(&s, "y"), ["y", &t.to_string(), "1"]);
    // As written (`2*x`, not the engine's `x * 2`), with the table's numbers.
    let local = 1.0 - t * t;
    assert!(s.contains(&format!("y = tanh(2*x) = {t}\n")), "{s}");
    assert!(
        s.contains(&format!("d tanh(2*x)/d(2*x) = 1 - tanh(2*x)² = {local}\n")),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "dy/dx = dy/d(2*x) · d(2*x)/dx = {local} · 2 = {dydx}\n"
        )),
        "{s}"
    );
    assert!(!s.contains("x*2") && !s.contains("0.4200"), "{s}");
    assert!(s.contains("1 checked: 1 ok."));
    assert!(
        !s.contains("Grads set by hand"),
        "no hand-set grads, no section"
    );
    assert!(
        !s.contains("Try next"),
        "the hint is for the no-argument run only"
    );
}

#[test]
fn explain_a_file_with_micrograds_sanity_test() {
    // micrograd's test_sanity_check: y = -20, dy/dx = 46 (PyTorch agrees).
    let src = "x = -4\nz = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x\n";
    let path = file("sanity.cr", src.as_bytes());
    let out = run(&["explain", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(table_row(&out.stdout, "x"), ["x", "-4", "46"]);
    assert_eq!(table_row(&out.stdout, "y"), ["y", "-20", "1"]);
    // x is used four times; its grad is the sum of what each use adds.
    assert!(out.stdout.contains("dy/dx +="), "{}", out.stdout);
    assert!(
        out.stdout.contains("dy/dx = 40 + 30 + -8 + -16 = 46\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn explain_markdown_has_tables_and_code_spans() {
    let out = run(&["explain", "--markdown"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = out.stdout;
    assert!(s.contains("| name | value | grad |"), "{s}");
    assert!(s.contains("| a | 2 | 6 |"));
    assert!(s.contains("#### `e = a*b = -6`"));
    assert!(s.contains("- `dL/db = dL/de · de/db = -2 · 2 = -4`"));
    assert!(s.contains("| a | 2 | 6 | 5.999999999666933 |"), "{s}");
    assert!(s.contains("- line 15: `b.grad = -4`: right"));
    assert!(!s.contains('\x1b'));
}

#[test]
fn explain_names_the_first_non_finite_value() {
    let out = run(&["explain", "-e", "x = -1; y = ln(x); z = y*2 + x"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = out.stdout;
    assert!(
        s.contains("the value of y (node #1), NaN: ln of a negative number"),
        "{s}"
    );
    assert!(
        s.contains("z: follows from the non-finite value at y (node #1)"),
        "{s}"
    );
}

#[test]
fn explain_bad_input_exits_2_with_the_place() {
    let out = run(&["explain", "-e", "a = 2; b = a*c"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.starts_with("<-e>:1:14: error: unknown name `c`"),
        "{}",
        out.stderr
    );
}

/// The issue's program: `explain` explains both derivatives, 12 and 12, each by the chain
/// rule over the graph it differentiates, and then the chain rule for the output d2.
#[test]
fn explain_explains_derivatives_recorded_with_grad() {
    let out = run(&[
        "explain",
        "-e",
        "x = 2; y = x**3; d = grad(y, x); d2 = grad(d, x)",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for want in [
        "line 1: d = grad(y, x) = dy/dx = 12\n  by the chain rule over y's graph:\n    dy/dx = d(x**3)/dx = 3·x**2 = 12\n",
        "line 1: d2 = grad(d, x) = dd/dx = 12\n",
        "    dd/dx = dd/d(x**2) · d(x**2)/dx = 3 · 4 = 12\n",
        "The chain rule for d2, from the output back to the leaves",
    ] {
        assert!(out.stdout.contains(want), "{want:?} not in\n{}", out.stdout);
    }
    let md = run(&[
        "explain",
        "--markdown",
        "-e",
        "x = 2; y = x**3; d = grad(y, x)",
    ]);
    assert!(md.stdout.contains("- `line 1: d = grad(y, x) = dy/dx = 12`, by the chain rule over y's graph:\n  - `dy/dx = d(x**3)/dx = 3·x**2 = 12`"), "{}", md.stdout);
}

/// Tables print the shortest form that reads back exactly, with an exponent for very large
/// or small magnitudes: not 309 digits for 1e308, not 0.000000000001 for 1e-12.
#[test]
fn huge_and_tiny_numbers_print_with_an_exponent() {
    let out = run(&["explain", "-e", "x = 1e308; y = x*x; z = x*1e-12"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let longest_digits = out
        .stdout
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits <= 17, "{}", out.stdout);
    assert!(!out.stdout.contains("0.000000000001"), "{}", out.stdout);
    let x = table_row(&out.stdout, "x");
    assert_eq!(x[1..], ["1e308", "1e-12"], "{}", out.stdout);
    assert!(
        out.stdout.contains("z = x*1e-12 = 1e296\n"),
        "{}",
        out.stdout
    );
    let json = run(&["eval", "--json", "-e", "x = 1e308; z = x*1e-12"]).stdout;
    assert!(
        json.contains(r#""data": 1e308"#) && json.contains(r#""constant": 1e-12"#),
        "{json}"
    );
}

#[test]
fn an_unnamed_output_is_named_alike_in_every_section() {
    // A bare number, a bare expression and a bare call: each section calls the output by
    // the chain rule's stand-in name, never "the output" glued to a `d`.
    for (src, name, d) in [
        ("3", "v0", "dv0/dx"),
        ("a = 2; b = 3; a*b", "(a*b)", "d(a*b)/dx"),
        ("a = 2; tanh(a)", "tanh(a)", "d tanh(a)/dx"),
    ] {
        let out = run(&["explain", "-e", src]);
        assert_eq!(out.code, 0, "{src}: {}", out.stderr);
        let s = out.stdout;
        assert!(!s.contains("dthe"), "{src}: {s}");
        assert!(
            s.starts_with(&format!(
                "Values and grads after backward from {name} (the grad of x is {d})\n"
            )),
            "{src}: {s}"
        );
        assert!(s.contains(&format!("output: {name} = ")), "{src}: {s}");
        assert!(
            s.contains(&format!("The chain rule for {name}, ")),
            "{src}: {s}"
        );
        assert!(
            s.contains(&format!("backprop's grads of {name} against")),
            "{src}: {s}"
        );
        let md = run(&["explain", "--markdown", "-e", src]).stdout;
        assert!(
            md.starts_with(&format!(
                "### Values and grads after backward from {name} (the grad of x is {d})"
            )),
            "{md}"
        );
    }
}

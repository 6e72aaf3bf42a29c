//! Pathological input ends with a clear error or a correct answer, quickly, never with a
//! panic or a stack overflow. These run on cargo test's 2 MiB thread stacks.

use chainrule::lang::{ErrorKind, EvalOptions, Program, MAX_DEPTH};
use chainrule::{Graph, Op};
use proptest::prelude::*;
use std::time::{Duration, Instant};

const QUICK: Duration = Duration::from_secs(20);

fn eval_output(src: &str) -> f64 {
    let g = Graph::new();
    let run = Program::parse(src)
        .unwrap()
        .eval(&g, &EvalOptions::default())
        .unwrap();
    run.output.data()
}

#[test]
fn a_hundred_thousand_nested_parentheses_is_a_clear_error() {
    let t = Instant::now();
    let n = 100_000;
    let src = format!("x = {}1{}", "(".repeat(n), ")".repeat(n));
    let err = Program::parse(&src).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooDeep);
    assert_eq!(
        err.message(),
        format!("expression nested too deeply (limit {MAX_DEPTH})")
    );
    let (line, col) = err.line_col().unwrap();
    assert_eq!(line, 1);
    assert!((250..270).contains(&col), "{col}");
    assert!(err.render(&src).len() < 1000);
    assert!(t.elapsed() < QUICK);
}

#[test]
fn nesting_just_under_the_limit_works() {
    let n = MAX_DEPTH - 2;
    let src = format!("x = 2\ny = {}x{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(eval_output(&src), 2.0);
    let src = format!("x = 0.5\ny = {}x{}", "tanh(".repeat(n), ")".repeat(n));
    let mut want = 0.5f64;
    for _ in 0..n {
        want = Op::Tanh.apply(want, 0.0, 0.0); // the engine's tanh, not the platform's
    }
    assert_eq!(eval_output(&src), want);
    assert_eq!(eval_output(&format!("x = 3\ny = {}x", "-".repeat(n))), 3.0);
}

#[test]
fn other_deep_chains_are_clear_errors() {
    for src in [
        format!("x = {}2", "-".repeat(100_000)),
        format!("x = 2{}", "**2".repeat(100_000)),
        format!(
            "x = 1\ny = {}x{}",
            "exp(".repeat(100_000),
            ")".repeat(100_000)
        ),
    ] {
        let err = Program::parse(&src).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooDeep);
    }
}

#[test]
fn a_ten_megabyte_program_runs_in_linear_time() {
    let t = Instant::now();
    let mut src = String::from("x = 0.25\ns = 1\n");
    let line = "s = s*0.5 + x    # one step of s -> s/2 + x, which settles at 2x = 0.5\n";
    let steps = ((10 << 20) - src.len()) / line.len() + 1;
    src.push_str(&line.repeat(steps));
    assert!(src.len() >= 10 << 20);
    let g = Graph::new();
    let run = Program::parse(&src)
        .unwrap()
        .eval(&g, &EvalOptions::default())
        .unwrap();
    run.output.backward();
    assert_eq!(run.output.data(), 0.5);
    assert!((run.get("x").unwrap().grad() - 2.0).abs() < 1e-12);
    assert_eq!(run.bindings.len(), steps + 2);
    assert_eq!(run.bindings[1].var.label().as_deref(), Some("s₁"));
    assert_eq!(run.output.label().as_deref(), Some("s"));
    // Debug builds are ~10x slower than the release tool (which takes about a second).
    assert!(t.elapsed() < 6 * QUICK, "{:?}", t.elapsed());
}

#[test]
fn a_line_of_a_million_characters() {
    let t = Instant::now();
    let terms = 500_000;
    let src = format!("x = 1.5\ny = x{}", "+x".repeat(terms));
    assert_eq!(src.lines().nth(1).unwrap().len(), 5 + 2 * terms);
    let g = Graph::new();
    let run = Program::parse(&src)
        .unwrap()
        .eval(&g, &EvalOptions::default())
        .unwrap();
    run.output.backward();
    assert_eq!(run.output.data(), 1.5 * (terms + 1) as f64);
    assert_eq!(run.get("x").unwrap().grad(), (terms + 1) as f64);
    // Numbers only: folds to one leaf.
    assert_eq!(
        eval_output(&format!("y = 0{}", "+1".repeat(500_000))),
        500_000.0
    );
    // A million-character name, then an error far along a long line.
    let name = "n".repeat(1_000_000);
    assert_eq!(eval_output(&format!("{name} = 4\n{name} * 2")), 8.0);
    let src = format!("y = 1{} $", "+1".repeat(500_000));
    let err = Program::parse(&src).unwrap_err();
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::UnexpectedChar, Some((1, 1_000_007)))
    );
    let shown = err.render(&src);
    assert!(shown.len() < 1000, "{}", shown.len());
    assert!(
        shown.contains("1 | …") && shown.contains("+1+1 $\n"),
        "{shown}"
    );
    assert!(t.elapsed() < QUICK, "{:?}", t.elapsed());
}

#[test]
fn binary_files_and_invalid_utf8_are_rejected() {
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    binary[..4].copy_from_slice(b"\x89PNG");
    let err = Program::parse_bytes(&binary).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BinaryInput);
    let shown = err.render(&String::from_utf8_lossy(&binary));
    assert!(shown.len() < 1000);
    let err = Program::parse_bytes(b"x = 1\n\xc3\x28 = 2").unwrap_err();
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::InvalidUtf8, Some((2, 1)))
    );
}

/// Text made of the language's own pieces, to reach deep into the parser.
fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a"),
        Just("b"),
        Just("x"),
        Just("tanh"),
        Just("pow"),
        Just("grad"),
        Just("data"),
        Just("1"),
        Just("2.5"),
        Just("1e3"),
        Just("1e"),
        Just(".5"),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("**"),
        Just("^"),
        Just("("),
        Just(")"),
        Just(","),
        Just("."),
        Just("="),
        Just("+="),
        Just("*="),
        Just("\n"),
        Just(";"),
        Just(" "),
        Just("#"),
        Just("é"),
        Just("@"),
        Just("\t"),
        Just("\r"),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn never_panics(bytes: &[u8]) {
    let src = String::from_utf8_lossy(bytes);
    let g = Graph::new();
    match Program::parse_bytes(bytes) {
        Ok(p) => {
            let opts = EvalOptions {
                sets: vec![("a".into(), 1.0)],
                of: Some("x".into()),
                ..Default::default()
            };
            for o in [EvalOptions::default(), opts] {
                match p.eval(&g, &o) {
                    Ok(run) => run.output.backward(),
                    Err(e) => {
                        let _ = e.render(&src);
                    }
                }
            }
        }
        Err(e) => {
            let shown = e.render(&src);
            assert!(shown.contains("error: "));
            if let Some((line, col)) = e.line_col() {
                assert!(line >= 1 && col >= 1);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn token_soup_never_panics(src in soup()) {
        never_panics(src.as_bytes());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        never_panics(&bytes);
    }
}

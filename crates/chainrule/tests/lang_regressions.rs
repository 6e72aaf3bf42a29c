//! Inputs that once crashed the language, kept so they never do again.

use chainrule::lang::{ErrorKind, EvalOptions, Program, MAX_DEPTH};
use chainrule::Graph;

/// Parses and evaluates `src` on a thread with a `stack` byte stack; returns whether it
/// parsed, or the error kind.
fn on_small_stack(src: String, stack: usize) -> Result<f64, ErrorKind> {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let p = Program::parse(&src).map_err(|e| e.kind())?;
            let g = Graph::new();
            let run = p.eval(&g, &EvalOptions::default()).map_err(|e| e.kind())?;
            run.output.backward();
            Ok(run.output.data())
        })
        .unwrap()
        .join()
        .expect("no stack overflow")
}

/// Found while writing the robustness tests: in a debug build each nesting level took
/// about 7 KiB of stack (error values built inline in the recursive functions), so ~160
/// levels overflowed a 1 MiB stack before the depth limit was reached. Error building now
/// lives in cold functions; every nesting form at the limit fits in 1 MiB.
#[test]
fn nesting_at_the_limit_fits_a_one_mebibyte_stack() {
    let n = MAX_DEPTH - 1;
    let forms = [
        format!("x = 2\ny = {}x{}", "(".repeat(n), ")".repeat(n)),
        format!("x = 2\ny = {}x{}", "abs(".repeat(n), ")".repeat(n)),
        format!("x = 2\ny = {}x{}", "pow(".repeat(n), ", 1)".repeat(n)),
        format!("x = 2\ny = {}x", "-".repeat(n - 1)),
        format!("x = 1\ny = x{}", "**1".repeat(n - 1)),
    ];
    for src in forms {
        let got = on_small_stack(src.clone(), 1 << 20);
        assert!(
            matches!(got, Ok(v) if v == 2.0 || v == -2.0 || v == 1.0),
            "{got:?} for {}",
            &src[..40]
        );
        let deeper = src.replace("y = ", "y = ((((((((((((((((((((");
        let deeper = format!("{deeper}{}", ")".repeat(20));
        assert_eq!(on_small_stack(deeper, 1 << 20), Err(ErrorKind::TooDeep));
    }
}

//! Arbitrary bytes through the whole language: parse, evaluate on a fresh graph within
//! the page's bounds (with and without --set/--of), backward, and render any error. Nothing may panic, hang or
//! overflow the stack. Besides the bytes as given, the same bytes with NULs made spaces
//! go through too, so that random bytes get past the binary-file check.
#![no_main]

use chainrule::lang::{EvalOptions, Program};
use chainrule::{Graph, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.contains(&0) {
        let text: Vec<u8> = data.iter().map(|&b| if b == 0 { b' ' } else { b }).collect();
        check(&text);
    }
});

fn check(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let program = match Program::parse_bytes(data) {
        Ok(p) => p,
        Err(e) => {
            assert!(e.render(&src).contains("error: "));
            return;
        }
    };
    // The page's bounds: the fuzzer's inputs are programs from anyone.
    let page = EvalOptions {
        limits: Limits::PAGE,
        ..Default::default()
    };
    let with_flags = EvalOptions {
        sets: vec![("a".into(), 0.5)],
        of: Some("x".into()),
        ..page.clone()
    };
    for opts in [page, with_flags] {
        let g = Graph::new();
        match program.eval(&g, &opts) {
            Ok(run) => {
                run.output.backward();
                let _ = run.names();
            }
            Err(e) => {
                let _ = e.render(&src);
            }
        }
    }
}

//! The page protocol's `program` question in native code (`chainrule-bench page`): the
//! median time of one call on the 200-value programs the WebAssembly tests use, from the
//! request's JSON text to the answer's, through the protocol's one entry point
//! (`Engine::answer`, what the WebAssembly module's `call` export does), the peer of
//! `scripts/bench-wasm.mjs`, which times the same call in the WebAssembly engine.
//! `scripts/wasm-vs-native.sh` runs both, interleaved, and prints the ratio.

use crate::serve::median;
use chainrule_page::{Engine, Limits};
use serde_json::json;
use std::time::Instant;

/// The programs, by name: two inputs, 33 neurons `act(w*x + b)`, summed and squared.
const PROGRAMS: [(&str, &str); 2] = [
    (
        "values200-tanh",
        include_str!("../../chainrule-wasm/tests/programs/values200-tanh.cr"),
    ),
    (
        "values200-relu",
        include_str!("../../chainrule-wasm/tests/programs/values200-relu.cr"),
    ),
];

/// Times `runs` calls of each program (after 11 to warm up, as `scripts/bench-wasm.mjs`
/// does) and prints a JSON line each with the median and the fastest.
pub fn run(runs: usize) -> bool {
    let mut engine = Engine::new(Limits::default());
    PROGRAMS.iter().all(|(name, source)| {
        let body = json!({ "source": source }).to_string();
        let mut call = || match engine.answer("program", body.as_bytes()) {
            (200, answer) => Ok(answer),
            (_, refusal) => Err(refusal),
        };
        let Ok(answer) = call() else {
            return false;
        };
        for _ in 0..10 {
            std::hint::black_box(call()).ok();
        }
        let times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(call()).ok();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        let values = answer.matches("\"header\":").count();
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        out!(
            "{{\"workload\":\"page-program\",\"program\":\"{name}\",\"values\":{},\"runs\":{runs},\"median_ms\":{:.3},\"min_ms\":{min:.3},\"answer_bytes\":{}}}",
            values,
            median(times),
            answer.len()
        );
        true
    })
}

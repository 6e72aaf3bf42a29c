//! The load test of the live page, short (a few seconds) as CI runs it: 50 clients at
//! once on connections kept alive, for 3 s, every request answered 200; the p99 is
//! printed with the rest of the benchmark's line (`cargo test -- --nocapture`). For the
//! figures, run it longer: `chainrule-bench serve-load --seconds 60`.

use std::process::Command;

#[test]
fn fifty_clients_at_once_get_no_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_chainrule-bench"))
        .args(["serve-load", "--clients", "50", "--seconds", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    println!("{stdout}");
    let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["errors"], 0, "{stdout}{stderr}");
    assert_eq!(line["clients"], 50);
    // Every client was answered many times, and p99 is a real latency.
    let requests = line["requests"].as_u64().unwrap();
    assert!(requests >= 50 * 3, "{stdout}");
    let (p50, p99) = (
        line["p50_ms"].as_f64().unwrap(),
        line["p99_ms"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p99, "{stdout}");
}

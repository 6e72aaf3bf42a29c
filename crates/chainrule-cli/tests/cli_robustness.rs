//! Pathological input through the real binary: each ends within seconds with a clear
//! error (exit 2) or a correct answer (exit 0), never a panic or a crash.

mod common;
use common::{file, run};
use std::time::{Duration, Instant};

fn timed(args: &[&str]) -> common::Out {
    let t = Instant::now();
    let out = run(args);
    // The debug binary is several times slower than the release one.
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "{args:?} took {:?}",
        t.elapsed()
    );
    out
}

#[test]
fn a_hundred_thousand_nested_parentheses() {
    let n = 100_000;
    let path = file(
        "parens.cr",
        format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)).as_bytes(),
    );
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(":1:262: error: expression nested too deeply (limit 256)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.len() < 1000);
}

#[test]
fn a_ten_megabyte_program() {
    let mut src = String::from("x = 0.25\ns = 1\n");
    let line = "s = s*0.5 + x    # one step of s -> s/2 + x, which settles at 2x = 0.5\n";
    while src.len() < 10 << 20 {
        src.push_str(line);
    }
    let path = file("big.cr", src.as_bytes());
    let out = timed(&["eval", "--json", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tail: String = out
        .stdout
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        tail.contains(r#""values": {"x": 0.25, "s": 0.5}"#),
        "{tail}"
    );
    assert!(tail.contains(r#""grads": {"x": 2.0, "s": 1.0}"#), "{tail}");
}

#[test]
fn a_line_of_a_million_characters() {
    let src = format!("x = 2\ny = x{}\n", "+x".repeat(500_000));
    let path = file("long.cr", src.as_bytes());
    let out = timed(&["eval", "--of", "x", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert!(out.stdout.contains("output: y = 1000002"), "{}", out.stdout);
    let bad = format!("x = 2\ny = x{} + zz\n", "+x".repeat(500_000));
    let path = file("long-bad.cr", bad.as_bytes());
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(":2:1000009: error: unknown name `zz`"),
        "{}",
        &out.stderr[..out.stderr.len().min(500)]
    );
    assert!(
        out.stderr.len() < 1000,
        "a window of the line, not the whole line"
    );
}

#[test]
fn invalid_utf8_and_binary_files() {
    let path = file("latin1.cr", b"caf\xe9 = 2\n");
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(":1:4: error: the input is not valid UTF-8 (byte 3)"),
        "{}",
        out.stderr
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    let path = file("binary.bin", &binary);
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(":1:1: error: this is a binary file, not a program (it has a NUL byte)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.len() < 1000);
    assert!(
        !out.stderr.chars().any(|c| c.is_control() && c != '\n'),
        "no raw control characters"
    );
    let exe = std::fs::read(env!("CARGO_BIN_EXE_chainrule")).unwrap();
    let path = file("exe.bin", &exe);
    let out = timed(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("binary file"));
}

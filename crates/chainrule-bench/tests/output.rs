//! The benchmark's output as command-line tools have it: a reader that stops reading ends
//! it quietly, and a failed write is an error, never a panic.

use std::process::{Command, Stdio};

/// `chainrule-bench page | head -0`: the pipe is closed before the first line is written.
#[test]
fn a_reader_that_stops_reading_ends_it_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule-bench"))
        .args(["page", "--n", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chainrule-bench runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A write that fails otherwise (a full disk) is said, with status 1.
#[cfg(target_os = "linux")]
#[test]
fn a_write_that_fails_is_an_error() {
    let full = std::fs::File::create("/dev/full").expect("/dev/full on Linux");
    let out = Command::new(env!("CARGO_BIN_EXE_chainrule-bench"))
        .args(["W1", "--n", "100"])
        .stdout(full)
        .output()
        .expect("it runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the results"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

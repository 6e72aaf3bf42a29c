//! Running the real `chainrule` binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `chainrule args…` with `stdin` as its input, without colour, as an installed
/// command (not under `cargo run`, whose CARGO_PKG_NAME `cargo test` passes on too).
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Out {
    run_env(args, stdin, &[])
}

/// As [`run_with_stdin`], with these environment variables set.
pub fn run_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CARGO_PKG_NAME")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chainrule binary runs");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let o = Out {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    o
}

pub fn run(args: &[&str]) -> Out {
    run_with_stdin(args, b"")
}

/// A file in this test binary's scratch directory holding `bytes`.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

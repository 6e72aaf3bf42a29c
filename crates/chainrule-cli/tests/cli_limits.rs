//! Bounds enforced while the work is done, seen from outside: the issue's nested
//! `grad()` program (a few hundred bytes that once took 4 GB and 11 s) is refused within
//! seconds with the line and column, and the kernel's count of the command's peak
//! memory stays far below 1 GB. The child's address space is capped at 2 GiB, so a
//! regression fails this test instead of the machine.
#![cfg(target_os = "linux")]

mod common;
use common::file;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How a run ended: exit code, stderr, wall time and peak resident memory in bytes.
struct Measured {
    code: i32,
    stderr: String,
    took: Duration,
    peak: u64,
}

/// Runs `chainrule args…` (stdout discarded) and measures it with `wait4`.
fn measured(args: &[&str]) -> Measured {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let err = file(
        &format!("limits-stderr-{}.txt", RUNS.fetch_add(1, Ordering::Relaxed)),
        b"",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainrule"));
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        cmd.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            match libc::setrlimit(libc::RLIMIT_AS, &cap) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let started = Instant::now();
    // Reaped by wait4 below, which also reports its resource use.
    let child = cmd.spawn().expect("the chainrule binary runs").id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child we spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child's, not yet waited for.
    let pid = unsafe { libc::wait4(child, &mut status, 0, &mut usage) };
    let took = started.elapsed();
    assert_eq!(pid, child, "wait4 failed");
    assert!(
        libc::WIFEXITED(status),
        "killed by a signal (status {status}): out of memory under the cap?"
    );
    Measured {
        code: libc::WEXITSTATUS(status),
        stderr: std::fs::read_to_string(&err).unwrap(),
        took,
        peak: usage.ru_maxrss as u64 * 1024,
    }
}

/// `x = 0.5; y = tanh(x*x)`, then `d1 = grad(y, x)` ... `d17 = grad(d16, x)`.
fn nested_17() -> String {
    let mut src = String::from("x = 0.5\ny = tanh(x*x)\n");
    let mut prev = "y".to_string();
    for k in 1..=17 {
        src += &format!("d{k} = grad({prev}, x)\n");
        prev = format!("d{k}");
    }
    src
}

#[test]
fn grad_nested_17_deep_is_refused_within_seconds_in_little_memory() {
    let path = file("nested.cr", nested_17().as_bytes());
    let path = path.to_str().unwrap();
    let m = measured(&["eval", path]);
    eprintln!("default bounds: {:?}, peak {} MB", m.took, m.peak >> 20);
    assert_eq!(m.code, 2, "{}", m.stderr);
    // Line 16 is `d14 = grad(d13, x)`: it passes the million values.
    assert!(
        m.stderr.contains(
            "nested.cr:16:7: error: here the program makes more than 1,000,000 values, \
             the limit (`values`)"
        ),
        "{}",
        m.stderr
    );
    assert!(m.stderr.contains("`--max-values N`"), "{}", m.stderr);
    assert!(m.took < Duration::from_secs(5), "{:?}", m.took);
    assert!(m.peak < 256 << 20, "peak {} MB", m.peak >> 20);
    // The flags set the bounds: 5,000 values, or a lower derivative order.
    let m = measured(&[
        "eval",
        "--max-values",
        "5000",
        "--max-grad-depth",
        "20",
        path,
    ]);
    assert_eq!(m.code, 2);
    assert!(
        m.stderr
            .contains("nested.cr:11:6: error: here the program makes more than 5,000 values"),
        "{}",
        m.stderr
    );
    let m = measured(&["explain", "--max-grad-depth", "3", path]);
    assert_eq!(m.code, 2);
    assert!(
        m.stderr.contains(
            "nested.cr:6:6: error: this grad() makes a derivative of order 4, over the limit of 3"
        ),
        "{}",
        m.stderr
    );
    assert!(m.stderr.contains("`--max-grad-depth N`"), "{}", m.stderr);
}

#[test]
fn a_program_within_the_bounds_runs() {
    let path = file(
        "nested4.cr",
        nested_17()
            .lines()
            .take(6)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    );
    let m = measured(&["eval", "--max-values", "200", path.to_str().unwrap()]);
    assert_eq!(m.code, 0, "{}", m.stderr);
}

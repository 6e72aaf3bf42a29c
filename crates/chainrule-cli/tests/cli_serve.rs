//! `chainrule serve` as a user runs it: it prints its URL, answers on it, refuses a port
//! in use with a clear error, and stops cleanly on Ctrl-C (SIGINT).
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
const SIGINT: i32 = 2;

/// A plain HTTP/1.1 GET with the given Host; the whole answer.
fn get(addr: &str, path: &str, host: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// A plain HTTP/1.1 POST of a JSON body; the whole answer.
fn post(addr: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_prints_its_url_answers_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let page = get(&addr, "/", &addr);
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("chainrule"), "the page");
    // A name that is not the server's own (DNS rebinding) is refused.
    let refused = get(&addr, "/", "attacker.example");
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");

    // A tab watching training keeps an event stream open; Ctrl-C must not wait for it.
    let started = post(&addr, "/api/train", "{}");
    assert!(started.starts_with("HTTP/1.1 200"), "{started}");
    let id = started
        .split("\"id\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .unwrap()
        .to_string();
    let mut events = TcpStream::connect(&addr).unwrap();
    write!(
        events,
        "GET /api/train/{id}/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut first = [0u8; 64];
    let n = events.read(&mut first).unwrap();
    assert!(
        first[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&first[..n])
    );

    // SAFETY: kill(2) with the id of the child this test started.
    assert_eq!(unsafe { kill(child.id() as i32, SIGINT) }, 0);
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let status = child.wait().unwrap();
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        tx.send((status, rest)).unwrap();
    });
    let (status, rest) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server stops within 30 s of Ctrl-C");
    assert!(status.success(), "{status:?}");
    assert!(rest.contains("chainrule serve: stopped"), "{rest:?}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args(["serve", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot serve on 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(
        err.contains("help: another program (perhaps another chainrule serve) listens on port"),
        "{err}"
    );
    assert!(err.contains("or --port 0 for any free one"), "{err}");
}

#[test]
fn a_host_not_of_this_machine_says_which_to_use() {
    for (host, advice) in [
        ("192.0.2.1", "--host must be an address of this machine"),
        ("no-such-host.invalid", "check --host"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_chainrule"))
            .args(["serve", "--port", "0", "--host", host])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{host}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("help: {advice}")), "{host}: {err}");
    }
}

//! Hostile clients against the real `chainrule serve` (issue 21), on 127.0.0.1 only: a
//! program whose nested `grad()` would take gigabytes, a client sending one byte a second
//! (with a short `--read-timeout`, and with the default), Ctrl-C with a half-sent request
//! open (and a second Ctrl-C, and with the page's WebSocket open), 2,000 idle connections
//! beside a normal request, training sessions started faster than their tabs subscribe,
//! and large answers under load (threads bounded, memory given back).
#![cfg(target_os = "linux")]

use chainrule_serve::client::{self, Answer};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
const SIGINT: i32 = 2;

/// A running `chainrule serve --port 0 ARGS`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, addr }
    }

    /// A line of the server's `/proc/PID/status`, in kB or a count: `VmHWM`, `Threads`.
    fn status(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {status}"))
    }

    fn interrupt(&self) {
        // SAFETY: kill(2) with the id of the child this test started.
        assert_eq!(unsafe { kill(self.child.id() as i32, SIGINT) }, 0);
    }

    /// Waits up to `limit` for the server to exit; its exit code and how long it took.
    fn exit_within(&mut self, limit: Duration) -> (Option<i32>, Duration) {
        let t = Instant::now();
        while t.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), t.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server was still running {limit:?} later");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn post(addr: &str, path: &str, body: &str) -> Answer {
    client::post(addr, path, body).unwrap()
}

fn program(addr: &str, source: &str) -> Answer {
    post(
        addr,
        "/api/program",
        &serde_json::json!({ "source": source }).to_string(),
    )
}

/// A connection that has sent part of a request's head, and nothing more.
fn half_sent(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/program HTTP/1.1\r\nHost: {addr}\r\nContent-Le"
    )
    .unwrap();
    s
}

/// Sends a request's head one byte a second; how long until the server cut it off.
fn one_byte_a_second(addr: &str, limit: Duration) -> Duration {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let head = format!("POST /api/program HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 10\r\n");
    let t = Instant::now();
    for b in head.bytes().cycle() {
        if s.write_all(&[b]).is_err() {
            return t.elapsed();
        }
        // The read waits out the second: nothing comes until the server gives up.
        let mut buf = [0u8; 256];
        match s.read(&mut buf) {
            Ok(_) => return t.elapsed(),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return t.elapsed(),
        }
        assert!(t.elapsed() < limit, "still connected after {limit:?}");
    }
    unreachable!()
}

/// Micrograd's way to run out of memory: `grad()` nested 17 deep, each level about three
/// times the work of the last (172 million values, 4 GB, without the bounds).
#[test]
fn nested_grad_is_refused_within_5_s_and_the_server_stays_under_1_gb() {
    let server = Server::start(&[]);
    let mut d = String::from("y");
    for _ in 0..17 {
        d = format!("grad({d}, x)");
    }
    let source = format!("x = 0.5\ny = tanh(x*x*x + 2*x)\nd = {d}\nL = d*y\n");
    let t = Instant::now();
    let answer = program(&server.addr, &source);
    let took = t.elapsed();
    assert_eq!(answer.status, 413, "{}", answer.body);
    let error = &answer.json()["error"];
    assert_eq!(error["line"], 3, "{error}");
    // Stopped while it works: by the values it makes, or by the order of the derivative.
    let kind = error["kind"].as_str().unwrap();
    assert!(kind == "TooManyValues" || kind == "GradTooDeep", "{error}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    let peak_kb = server.status("VmHWM");
    assert!(
        peak_kb < 1 << 20,
        "the server's peak memory was {peak_kb} kB"
    );
}

#[test]
fn a_client_sending_one_byte_a_second_is_cut_off_at_the_read_timeout() {
    let server = Server::start(&["--read-timeout", "2"]);
    let cut = one_byte_a_second(&server.addr, Duration::from_secs(60));
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(6)).contains(&cut),
        "cut off after {cut:?}, with a 2 s read timeout"
    );
    // The server answers others meanwhile and after.
    assert_eq!(program(&server.addr, "a = 2; L = a*a").status, 200);
}

#[test]
fn with_the_default_read_timeout_a_slow_client_is_cut_off_within_60_s() {
    let server = Server::start(&[]);
    let cut = one_byte_a_second(&server.addr, Duration::from_secs(60));
    // The default is 10 s (ServerBounds::default, shown by `chainrule serve --help`).
    assert!(
        (Duration::from_millis(9900)..Duration::from_secs(15)).contains(&cut),
        "cut off after {cut:?}"
    );
}

#[test]
fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let server = Server::start(&["--read-timeout", "1"]);
    let s = body_pending(&server.addr);
    let t = Instant::now();
    let answer = client::answer_on(s).unwrap();
    assert_eq!(answer.status, 408, "{}", answer.body);
    assert_eq!(answer.header("connection"), Some("close"));
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("did not arrive within 1 s"), "{message}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "after {:?}",
        t.elapsed()
    );
}

/// A connection with a request in progress: its head sent, its body not all.
fn body_pending(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/program HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 100\r\n\r\n{{\"source\""
    )
    .unwrap();
    s
}

#[test]
fn ctrl_c_ends_the_server_within_5_s_with_a_half_sent_request_open() {
    let mut server = Server::start(&[]);
    let _open = half_sent(&server.addr);
    std::thread::sleep(Duration::from_millis(200));
    server.interrupt();
    let (code, took) = server.exit_within(Duration::from_secs(5));
    assert_eq!(code, Some(0));
    // No request was in progress: nothing to wait for.
    assert!(took < Duration::from_secs(1), "{took:?}");
}

/// The page's WebSocket, opened (the upgrade answered 101) and idle.
fn socket(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /api/ws HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s
}

#[test]
fn ctrl_c_closes_an_idle_websocket_at_once_saying_why() {
    let mut server = Server::start(&[]);
    let mut ws = socket(&server.addr);
    std::thread::sleep(Duration::from_millis(200));
    server.interrupt();
    let (code, took) = server.exit_within(Duration::from_secs(5));
    assert_eq!(code, Some(0));
    // The socket had no question in progress: it did not hold the 3 s grace period.
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Its last frame: close (0x88), code 1001 ("going away"), and the reason.
    let mut frame = Vec::new();
    let _ = ws.read_to_end(&mut frame);
    assert!(frame.len() > 4 && frame[0] == 0x88, "{frame:?}");
    assert_eq!(u16::from_be_bytes([frame[2], frame[3]]), 1001);
    assert_eq!(&frame[4..], b"the server is stopping");
}

#[test]
fn ctrl_c_gives_a_request_in_progress_the_grace_period_and_no_more() {
    let mut server = Server::start(&[]);
    let _open = half_sent(&server.addr);
    let _in_progress = body_pending(&server.addr);
    std::thread::sleep(Duration::from_millis(200));
    server.interrupt();
    let (code, took) = server.exit_within(Duration::from_secs(5));
    assert_eq!(code, Some(0));
    assert!(
        took >= Duration::from_millis(2900),
        "it gave up before the 3 s grace period: {took:?}"
    );
    let mut err = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("closed 1 connection(s) still open after 3 s"),
        "{err}"
    );
}

#[test]
fn a_second_ctrl_c_exits_at_once_while_a_request_is_in_progress() {
    let mut server = Server::start(&[]);
    let _in_progress = body_pending(&server.addr);
    std::thread::sleep(Duration::from_millis(200));
    server.interrupt();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the first Ctrl-C waits"
    );
    server.interrupt();
    let (code, took) = server.exit_within(Duration::from_secs(5));
    assert_eq!(code, Some(130));
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn two_thousand_idle_connections_do_not_block_a_normal_request() {
    let files = chainrule_serve::raise_open_files_limit().unwrap_or(0);
    assert!(
        files >= 2_100,
        "this test needs 2,100 open files; the hard limit is {files}"
    );
    // A read timeout longer than the test: under load (CI runs this file's tests side by
    // side) opening 2,000 connections and the checks took past the default 10 s once,
    // and the server then rightly closed the first ones. This test is about their
    // number, not their age (the timeouts have tests of their own above).
    let server = Server::start(&["--read-timeout", "120"]);
    let idle: Vec<TcpStream> = (0..2_000).map(|_| half_sent(&server.addr)).collect();
    let t = Instant::now();
    let answer = program(&server.addr, "a = 2; b = -3; L = a*b");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["output"]["data"], -6.0);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "answered after {:?}",
        t.elapsed()
    );
    // They were all still held: the request did not need one's place.
    for (k, mut s) in idle.into_iter().enumerate() {
        s.set_nonblocking(true).unwrap();
        let mut b = [0u8; 1];
        let read = s.read(&mut b);
        let still_open = matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        assert!(
            still_open,
            "idle connection {k} of 2,000 is no longer open ({read:?}) after {:?}",
            t.elapsed()
        );
    }
}

/// The id of a session from the answer to starting it.
fn session_id(answer: &Answer) -> u64 {
    answer.json()["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}", answer.body))
}

/// Subscribes to session `id` as a tab's `EventSource` does; the stream, once its first
/// frame has come.
fn subscribe(addr: &str, id: u64) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET /api/train/{id}/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "session {id}: {line}");
    while !line.starts_with("data: ") {
        line.clear();
        r.read_line(&mut line).unwrap();
    }
    r
}

#[test]
fn a_new_training_session_is_not_ended_before_its_tab_subscribes() {
    let server = Server::start(&[]);
    // As many sessions as the server allows (8), none subscribed yet.
    let ids: Vec<u64> = (0..8)
        .map(|_| session_id(&post(&server.addr, "/api/train", "{}")))
        .collect();
    // Another start does not end one of them: it is refused, with when to try again.
    let refused = post(&server.addr, "/api/train", "{}");
    assert_eq!(refused.status, 429, "{}", refused.body);
    let retry: u64 = refused
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in {:?}", refused.headers));
    assert!((1..=10).contains(&retry), "Retry-After {retry}");
    // Every tab then subscribes to its own session and gets its first frame.
    let _streams: Vec<_> = ids.iter().map(|&id| subscribe(&server.addr, id)).collect();
}

#[test]
fn large_answers_under_load_keep_the_threads_bounded_and_give_memory_back() {
    let server = Server::start(&[]);
    // 5,000 values (half the page's bound): an answer of about 9 MB.
    let mut source = String::from("x0 = 0.5\n");
    for i in 1..1666 {
        source += &format!("x{i} = tanh(x{}*1.01 + 0.1)\n", i - 1);
    }
    let peak_threads = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        let clients: Vec<_> = (0..12)
            .map(|_| {
                scope.spawn(|| {
                    (0..2)
                        .map(|_| program(&server.addr, &source).status)
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        while clients.iter().any(|c| !c.is_finished()) {
            let threads = server.status("Threads");
            peak_threads.fetch_max(threads, std::sync::atomic::Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
        for c in clients {
            for status in c.join().unwrap() {
                // 503 (the queue's wait ran out, on a slow machine) is an answer too.
                assert!(status == 200 || status == 503, "{status}");
            }
        }
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    // main, two for connections, the workers, a few of the runtime's: never one a request.
    let peak = peak_threads.into_inner();
    assert!(peak <= 6 + cores, "{peak} threads with {cores} cores");
    std::thread::sleep(Duration::from_secs(1));
    let idle_kb = server.status("VmRSS");
    assert!(idle_kb < 150 << 10, "{idle_kb} kB resident when idle");
}

//! The server's own bounds ([`ServerBounds`]) over real sockets on 127.0.0.1, each made
//! small enough to reach in a test: the bound on open connections (the oldest idle
//! connection makes room; 503 when every one is busy), the workers' queue (503 with
//! `Retry-After`), the time a question may take (stopped at its line), and training
//! sessions (a grace period before a new one can be ended, a watcher that stops reading
//! dropped, a lifetime).

use chainrule_serve::client::{self, Answer, Connection};
use chainrule_serve::{spawn_local_with, Config, ServerBounds};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A server on 127.0.0.1 with its bounds changed by `bounds`; its address.
fn server(bounds: impl FnOnce(&mut ServerBounds) + Send + 'static) -> String {
    spawn_local_with(|c: &mut Config| bounds(&mut c.server))
        .unwrap()
        .to_string()
}

/// A program of 5,000 values: half a second's work or more.
fn large_program() -> String {
    let mut source = String::from("x0 = 0.5\n");
    for i in 1..1666 {
        source += &format!("x{i} = tanh(x{}*1.01 + 0.1)\n", i - 1);
    }
    serde_json::json!({ "source": source }).to_string()
}

/// Whether the server has closed `s` (read gives end of file or an error).
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut b = [0u8; 1];
    !matches!(s.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut)
}

#[test]
fn past_the_connection_bound_the_oldest_idle_connection_makes_room() {
    let addr = server(|b| b.max_connections = 20);
    // 60 half-sent requests: the newest 20 are held, the oldest closed to make room.
    let mut idle: Vec<TcpStream> = (0..60)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHo").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // A normal request is answered all the same.
    let answer = client::get(&addr, "/").unwrap();
    assert_eq!(answer.status, 200);
    assert!(
        closed(&mut idle[0]),
        "the oldest half-sent connection was closed"
    );
    assert!(!closed(&mut idle[59]), "the newest is held");
}

#[test]
fn when_every_connection_is_busy_a_new_one_is_answered_503_with_retry_after() {
    let addr = server(|b| b.max_connections = 10);
    // Ten requests in progress: their heads are in, their bodies are not.
    let _busy: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            let head =
                format!("POST /api/program HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 50\r\n\r\n");
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let refused = client::get(&addr, "/").unwrap();
    assert_eq!(refused.status, 503, "{}", short(&refused.body));
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.header("connection"), Some("close"));
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("10 connections with a request in progress"),
        "{message}"
    );
}

#[test]
fn a_full_queue_is_answered_503_with_retry_after() {
    let addr = server(|b| {
        b.workers = 1;
        b.queue = 1;
    });
    let body = large_program();
    // One worked on, one waiting: of six at once, some find the queue full.
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| client::post(&addr, "/api/program", &body).unwrap()))
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(!refused.is_empty(), "none refused");
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 503));
    assert!(answers.iter().any(|a| a.status == 200), "none answered");
    for a in refused {
        assert_eq!(a.header("retry-after"), Some("1"));
        let message = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(
            message.contains("1 questions are waiting for its 1 workers"),
            "{message}"
        );
    }
}

/// The start of an answer's body, for a failed assertion's message.
fn short(body: &str) -> String {
    body.chars().take(300).collect()
}

#[test]
fn a_question_past_the_work_time_is_stopped_with_where_it_got_to() {
    // No time at all: the first check stops it, at the program's first statement (the
    // page protocol's tests stop programs mid-way and between an answer's stages).
    let addr = server(|b| b.work_time = Duration::ZERO);
    let t = Instant::now();
    let answer = client::post(&addr, "/api/program", &large_program()).unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(answer.status, 413, "{}", short(&answer.body));
    let error = &answer.json()["error"];
    assert_eq!(
        (&error["kind"], &error["line"], &error["column"]),
        (&"Stopped".into(), &1.into(), &1.into())
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("evaluation was stopped here: it took longer than the 0 s this server gives one question"),
        "{message}"
    );
}

/// Starts a training session; the answer.
fn start(addr: &str, settings: &str) -> Answer {
    client::post(addr, "/api/train", settings).unwrap()
}

fn control(addr: &str, id: u64, action: &str) -> u16 {
    let body = format!(r#"{{"action": "{action}"}}"#);
    client::post(addr, &format!("/api/train/{id}/control"), &body)
        .unwrap()
        .status
}

/// Opens session `id`'s event stream without reading it.
fn subscribe(addr: &str, id: u64) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /api/train/{id}/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    s
}

/// Reads from `s` until `needle` has come.
fn read_until(s: &mut TcpStream, needle: &str) {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed before {needle:?}");
        seen.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn a_new_session_outlives_the_grace_period_then_makes_room() {
    let addr = server(|b| b.session_grace = Duration::from_millis(1500));
    let id = |a: &Answer| a.json()["id"].as_u64().unwrap();
    // Eight sessions, the bound, none subscribed.
    let first: Vec<u64> = (0..8).map(|_| id(&start(&addr, "{}"))).collect();
    let refused = start(&addr, "{}");
    assert_eq!(refused.status, 429, "{}", short(&refused.body));
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // Once the grace period has passed with no tab, the oldest makes room.
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(start(&addr, "{}").status, 200);
    assert_eq!(
        control(&addr, first[0], "step"),
        404,
        "the oldest was ended"
    );
    assert_eq!(control(&addr, first[1], "step"), 200);
}

#[test]
fn a_session_whose_tab_left_makes_room_at_once() {
    let addr = server(|b| b.session_grace = Duration::from_secs(60));
    let ids: Vec<u64> = (0..8)
        .map(|_| start(&addr, "{}").json()["id"].as_u64().unwrap())
        .collect();
    let mut tab = subscribe(&addr, ids[3]);
    read_until(&mut tab, "data: ");
    drop(tab);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(start(&addr, "{}").status, 200);
    assert_eq!(control(&addr, ids[3], "step"), 404);
    assert_eq!(
        control(&addr, ids[0], "step"),
        200,
        "never watched, in its grace period"
    );
}

#[test]
fn a_watcher_that_stops_reading_is_dropped() {
    let addr = server(|b| {
        b.write_timeout = Duration::from_secs(1);
        b.session_grace = Duration::from_secs(60);
    });
    let ids: Vec<u64> = (0..8)
        .map(|_| {
            start(&addr, r#"{"steps": 1000, "pace": 40}"#).json()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    // Every session watched; one tab reads its stream, one never reads a byte while its
    // session plays (frames on the beat, until the socket's buffers are full).
    let _readers: Vec<TcpStream> = ids[1..].iter().map(|&id| subscribe(&addr, id)).collect();
    let _stuck = subscribe(&addr, ids[0]);
    std::thread::sleep(Duration::from_millis(300));
    let refused = start(&addr, "{}");
    assert_eq!(refused.status, 429, "all eight are watched");
    // A watched session may be left at any moment: ask again soon.
    assert_eq!(refused.header("retry-after"), Some("2"));
    assert_eq!(control(&addr, ids[0], "play"), 200);
    // Once the socket's buffers are full (a few MB of frames on loopback, some seconds)
    // and the write timeout has passed, the stuck watcher is dropped, and its session
    // makes room.
    let t = Instant::now();
    let mut started = start(&addr, "{}");
    while started.status == 429 && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(250));
        started = start(&addr, "{}");
    }
    assert_eq!(
        started.status,
        200,
        "after {:?}: {}",
        t.elapsed(),
        short(&started.body)
    );
    assert_eq!(control(&addr, ids[0], "step"), 404);
}

#[test]
fn a_session_ends_after_its_lifetime() {
    let addr = server(|b| b.session_lifetime = Duration::from_secs(1));
    let id = start(&addr, "{}").json()["id"].as_u64().unwrap();
    let mut tab = subscribe(&addr, id);
    read_until(&mut tab, "data: ");
    let t = Instant::now();
    // The stream ends: the server closes its chunked body.
    read_until(&mut tab, "0\r\n\r\n");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(control(&addr, id, "step"), 404);
}

#[test]
fn a_kept_alive_connection_answers_request_after_request() {
    let addr = server(|_| {});
    let mut conn = Connection::open(&addr).unwrap();
    for k in 1..=3 {
        let body = format!(r#"{{"source": "a = {k}; L = a*a"}}"#);
        let answer = conn.request("POST", "/api/program", Some(&body)).unwrap();
        assert_eq!(answer.json()["output"]["data"], (k * k) as f64);
    }
}

//! The page's WebSocket (`GET /api/ws`) over real sockets on 127.0.0.1: the same answers
//! as POST, byte for byte; what it tells a client that sends what it should not; and the
//! server's bounds held on it (a message's size, an idle socket, a slot given up to a new
//! connection, a client that reads no answers, the guard on other pages).

use chainrule_serve::client;
use chainrule_serve::{spawn_local_with, Config, ServerBounds};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

/// A server on 127.0.0.1 with its bounds changed by `bounds`; its address.
fn server(bounds: impl FnOnce(&mut ServerBounds) + Send + 'static) -> String {
    spawn_local_with(|c: &mut Config| bounds(&mut c.server))
        .unwrap()
        .to_string()
}

/// A socket to the server's `/api/ws`, as the page opens it (its `Origin` the server's).
fn open(addr: &str) -> WebSocket<TcpStream> {
    let mut req = format!("ws://{addr}/api/ws").into_client_request().unwrap();
    let origin = format!("http://{addr}").parse().unwrap();
    req.headers_mut().insert("origin", origin);
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    tungstenite::client(req, stream).unwrap().0
}

/// Sends `message` and reads the answer: its first line and its JSON text.
fn ask_raw(ws: &mut WebSocket<TcpStream>, message: &str) -> (String, String) {
    ws.send(Message::text(message)).unwrap();
    match ws.read().unwrap() {
        Message::Binary(b) => {
            let t = std::str::from_utf8(&b).expect("UTF-8");
            let (head, json) = t.split_once('\n').expect("a first line");
            (head.to_string(), json.to_string())
        }
        other => panic!("not a binary answer: {other:?}"),
    }
}

/// Question `name` with `body` as message `id`: its status and JSON text.
fn ask(ws: &mut WebSocket<TcpStream>, id: u32, name: &str, body: &str) -> (u16, String) {
    let (head, json) = ask_raw(ws, &format!("{id} {name}\n{body}"));
    let (got, status) = head.split_once(' ').expect("`ID STATUS`");
    assert_eq!(got, id.to_string(), "the answer names its question");
    (status.parse().unwrap(), json)
}

/// The close frame the server sent next: its code and reason.
fn closed_with(ws: &mut WebSocket<TcpStream>) -> (CloseCode, String) {
    loop {
        match ws.read() {
            Ok(Message::Close(Some(f))) => return (f.code, f.reason.to_string()),
            Ok(Message::Close(None)) => panic!("closed without a reason"),
            Ok(Message::Binary(_)) => panic!("an answer, not a close"),
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    }
}

#[test]
fn a_question_over_the_socket_is_answered_as_over_http_byte_for_byte() {
    let addr = server(|_| {});
    let mut ws = open(&addr);
    let program = r#"{"source": "a = 2\nb = -3\nc = a*b + a\nL = tanh(c)", "hand": [[3, 0.5]]}"#;
    let questions = [
        ("program", program),
        (
            "nudge",
            r#"{"source": "a = 2\nb = -3\nL = a*b", "node": 0, "h": 0.001}"#,
        ),
        (
            "nudge",
            r#"{"source": "a = 2\nb = -3\nL = a*b", "node": 0, "h": 0.5, "svg": false}"#,
        ),
        ("train_spec", "{}"),
        // Refusals: an error in the program (its line and column), a question that is not
        // one, a request that is not JSON, a training question (HTTP's alone).
        ("program", r#"{"source": "a = 2\nL = a * * 3"}"#),
        ("no_such_question", "{}"),
        ("program", "{not json"),
        ("point", "{}"),
    ];
    for (i, (name, body)) in questions.iter().enumerate() {
        let http = client::post(&addr, &format!("/api/{name}"), body).unwrap();
        let (status, json) = ask(&mut ws, i as u32 + 1, name, body);
        assert_eq!(status, http.status, "{name} {body}");
        assert_eq!(json, http.body, "{name} {body}");
    }
    // And the answers are the protocol's: a program's value, an error's place.
    let (_, json) = ask(&mut ws, 40, "program", program);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let l = v["output"]["data"].as_f64().unwrap();
    assert!((l - (-4.0f64).tanh()).abs() < 1e-15, "{l}");
    let (status, json) = ask(
        &mut ws,
        41,
        "program",
        r#"{"source": "a = 2\nL = a * * 3"}"#,
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(status, 422);
    assert_eq!(
        (v["error"]["line"].as_u64(), v["error"]["column"].as_u64()),
        (Some(2), Some(9))
    );
}

#[test]
fn a_message_that_is_not_a_question_is_told_what_to_send_and_the_socket_goes_on() {
    let addr = server(|_| {});
    let mut ws = open(&addr);
    for bad in ["hello", "", "x1 program\n{}", "7 ../program\n{}", "7\n{}"] {
        let (head, json) = ask_raw(&mut ws, bad);
        assert_eq!(head, "0 400", "{bad:?}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains("`ID NAME` on its first line"), "{message}");
    }
    let (status, json) = ask(&mut ws, 9, "program", r#"{"source": "a = 3\nL = a*a"}"#);
    assert_eq!(status, 200);
    assert!(
        json.contains(r#""data":9.0"#) || json.contains(r#""data":9"#),
        "{json}"
    );
}

#[test]
fn a_message_larger_than_post_accepts_closes_the_socket_saying_so() {
    let addr = server(|_| {});
    let mut ws = open(&addr);
    // POST takes at most twice a program's 64 KiB and 4 KiB more.
    let source = "x = 1\n".repeat(30_000);
    let body = serde_json::json!({ "source": source }).to_string();
    assert!(body.len() > 2 * 64 * 1024 + 4096 + 64);
    let _ = ws.send(Message::text(format!("1 program\n{body}")));
    let (code, why) = closed_with(&mut ws);
    assert_eq!(code, CloseCode::Size, "{why}");
    assert!(!why.is_empty());
    // Over HTTP, the same question gets the whole story, as the page then asks.
    let http = client::post(&addr, "/api/program", &body).unwrap();
    assert_eq!(http.status, 413);
}

#[test]
fn a_binary_message_closes_the_socket_saying_questions_are_text() {
    let addr = server(|_| {});
    let mut ws = open(&addr);
    ws.send(Message::binary(b"1 program\n{}".to_vec())).unwrap();
    let (code, why) = closed_with(&mut ws);
    assert_eq!(code, CloseCode::Unsupported);
    assert!(why.contains("text message"), "{why}");
}

#[test]
fn a_socket_with_no_question_for_its_idle_time_is_closed() {
    let addr = server(|b| b.socket_idle = Duration::from_secs(1));
    let mut ws = open(&addr);
    // A question restarts the clock.
    std::thread::sleep(Duration::from_millis(600));
    let (status, _) = ask(&mut ws, 1, "train_spec", "{}");
    assert_eq!(status, 200);
    let t = Instant::now();
    let (code, why) = closed_with(&mut ws);
    let waited = t.elapsed();
    assert_eq!(code, CloseCode::Normal);
    assert_eq!(why, "no question for 1 s");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[test]
fn an_idle_socket_gives_its_slot_to_a_new_connection() {
    let addr = server(|b| b.max_connections = 2);
    let mut a = open(&addr);
    let mut b = open(&addr);
    let (status, _) = ask(&mut b, 1, "train_spec", "{}");
    assert_eq!(status, 200);
    // Both slots are sockets, both idle: a new connection takes the older one's.
    let answer = client::post(&addr, "/api/program", r#"{"source": "L = 2*3"}"#).unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (code, why) = closed_with(&mut a);
    assert_eq!(code, CloseCode::Away);
    assert!(why.contains("needed this connection"), "{why}");
    // The other socket still answers.
    let (status, _) = ask(&mut b, 2, "train_spec", "{}");
    assert_eq!(status, 200);
}

/// A program of 5,000 values, whose answer is megabytes.
fn large_program() -> String {
    let mut source = String::from("x0 = 0.5\n");
    for i in 1..1666 {
        source += &format!("x{i} = tanh(x{}*1.01 + 0.1)\n", i - 1);
    }
    serde_json::json!({ "source": source }).to_string()
}

#[test]
fn a_socket_that_reads_no_answers_holds_its_slot_only_until_the_write_timeout() {
    let addr = server(|b| {
        b.max_connections = 1;
        b.write_timeout = Duration::from_secs(1);
    });
    let mut ws = open(&addr);
    let program = large_program();
    // Questions with answers of megabytes, never read: the server's writes stall once the
    // socket's buffers are full.
    for id in 1..=6 {
        ws.send(Message::text(format!("{id} program\n{program}")))
            .unwrap();
    }
    // While the socket has a question in progress, its slot is not free for another.
    std::thread::sleep(Duration::from_millis(200));
    let refused = client::post(&addr, "/api/train_spec", "{}").unwrap();
    assert_eq!(refused.status, 503, "{}", refused.body);
    // Once a write has made no progress for a second, the socket is dropped.
    let t = Instant::now();
    let mut answer = client::post(&addr, "/api/train_spec", "{}").unwrap();
    while answer.status == 503 && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(250));
        answer = client::post(&addr, "/api/train_spec", "{}").unwrap();
    }
    assert_eq!(
        answer.status,
        200,
        "after {:?}: {}",
        t.elapsed(),
        answer.body
    );
}

#[test]
fn a_socket_opened_from_another_page_is_refused() {
    let addr = server(|_| {});
    let mut req = format!("ws://{addr}/api/ws").into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    let stream = TcpStream::connect(&addr).unwrap();
    match tungstenite::client(req, stream) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
            assert_eq!(resp.status(), 403);
            let body = String::from_utf8(resp.body().clone().unwrap_or_default()).unwrap();
            assert!(body.contains("other pages are refused"), "{body}");
        }
        Ok(_) => panic!("a socket from another page was opened"),
        Err(e) => panic!("refused otherwise: {e}"),
    }
}

#[test]
fn a_plain_get_of_the_socket_says_it_is_one() {
    let addr = server(|_| {});
    let answer = client::get(&addr, "/api/ws").unwrap();
    assert!((400..500).contains(&answer.status), "{}", answer.status);
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("WebSocket") && message.contains("POST /api/NAME"),
        "{message}"
    );
}

//! The live page's speed (`chainrule-bench serve`): edit-to-graph latency over a real
//! socket for programs of about 20, 200 and 1,000 drawn values, and training frames per
//! second for micrograd's demo. One JSON line per measurement.

use chainrule::lang::Program;
use chainrule::Graph;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A program whose output depends on about `target` values: leaves, and ops that each
/// combine the last value with a seeded recent one.
fn program(target: usize) -> String {
    let mut seed = 7u64;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m
    };
    // `v` names are on the chain to the output; `c` names are leaves the ops pick from.
    let mut src = String::from("v0 = 0.5\nc0 = -0.25\n");
    let (mut k, mut leaves) = (1, 1);
    loop {
        // Operands come from the last 20 leaves, as a program written by hand reuses
        // what it just defined (edges spanning the whole graph would measure the layout's
        // bend points, not the page).
        let pick = format!("c{}", leaves - 1 - next(leaves.min(20)));
        let line = match next(4) {
            0 => {
                leaves += 1;
                format!("c{} = {}\n", leaves - 1, next(2000) as f64 / 1000.0 - 1.0)
            }
            1 => format!("v{k} = tanh(v{} * {pick})\n", k - 1),
            2 => format!("v{k} = v{} + v{}\n", k - 1, k - 1 - next(k.min(20))),
            _ => format!("v{k} = v{} * {pick}\n", k - 1),
        };
        if !line.starts_with('c') {
            k += 1;
        }
        src += &line;
        let g = Graph::new();
        let run = Program::parse(&src)
            .unwrap()
            .eval(&g, &Default::default())
            .unwrap();
        if run.output.explain().nodes.len() >= target {
            return src;
        }
    }
}

/// POSTs `body` as JSON on a fresh connection; the answer's body.
fn post(addr: SocketAddr, path: &str, body: &str) -> String {
    let answer = chainrule_serve::client::post(&addr.to_string(), path, body).unwrap();
    assert_eq!(
        answer.status,
        200,
        "{}",
        &answer.body[..answer.body.len().min(300)]
    );
    answer.body
}

fn json_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o += "\\\"",
            '\\' => o += "\\\\",
            '\n' => o += "\\n",
            c => o.push(c),
        }
    }
    o + "\""
}

/// The median.
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Starts a training session with `body`, plays it to the end while reading its event
/// stream; the seconds it took and the frames received.
fn watch(addr: SocketAddr, body: &str) -> (f64, usize) {
    let started = post(addr, "/api/train", body);
    let id: String = started
        .split("\"id\":")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let mut events = TcpStream::connect(addr).unwrap();
    write!(
        events,
        "GET /api/train/{id}/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut r = BufReader::new(events);
    let mut line = String::new();
    // The first frame (step 0), then Play.
    while !line.starts_with("data: ") {
        line.clear();
        r.read_line(&mut line).unwrap();
    }
    post(
        addr,
        &format!("/api/train/{id}/control"),
        "{\"action\":\"play\"}",
    );
    let t = Instant::now();
    let mut frames = 0;
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(data) = line.strip_prefix("data: ") {
            frames += 1;
            if data.contains("\"playing\":false") {
                break;
            }
        }
    }
    (t.elapsed().as_secs_f64(), frames)
}

/// Runs the measurements and prints them.
pub fn run() -> bool {
    let addr = chainrule_serve::spawn_local().expect("a server on 127.0.0.1");
    for target in [20, 200, 1000] {
        let src = program(target);
        let body = format!("{{\"source\":{}}}", json_string(&src));
        let answer = post(addr, "/api/program", &body); // warm up
        let values = answer.matches("\"header\":").count();
        let times: Vec<f64> = (0..15)
            .map(|_| {
                let t = Instant::now();
                post(addr, "/api/program", &body);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        out!(
            "{{\"workload\":\"serve-edit\",\"values\":{values},\"median_ms\":{:.2},\"max_ms\":{:.2},\"answer_bytes\":{}}}",
            median(times.clone()),
            times.iter().cloned().fold(0.0, f64::max),
            answer.len()
        );
    }
    // Training: micrograd's demo as the page plays it (40 steps a second), and unpaced
    // (as fast as the engine goes) for 1,000 steps; frames as a watching tab receives them.
    for (name, body, steps) in [
        ("serve-train-demo", "{}", 100),
        ("serve-train-unpaced", "{\"pace\":0,\"steps\":1000}", 1000),
    ] {
        let (secs, frames) = watch(addr, body);
        out!(
            "{{\"workload\":\"{name}\",\"steps\":{steps},\"seconds\":{secs:.3},\"steps_per_s\":{:.1},\"frames\":{frames},\"frames_per_s\":{:.1}}}",
            steps as f64 / secs,
            frames as f64 / secs
        );
    }
    true
}

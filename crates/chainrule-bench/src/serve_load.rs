//! The live page under load (`chainrule-bench serve-load`): many clients at once, each on
//! a connection kept alive as a browser keeps one, asking what a tab asks (the page, the
//! notebook's program, a nudge) as fast as they are answered, for a while. One JSON line:
//! requests a second, latency percentiles, and errors (any answer but 200, or a failed
//! connection).
//!
//! ```text
//! chainrule-bench serve-load [--clients 50] [--seconds 10] [--addr HOST:PORT]
//! ```
//!
//! Without `--addr` the server runs in this process (`chainrule_serve::spawn_local`).

use chainrule_serve::client::Connection;
use std::time::{Duration, Instant};

/// The run's settings.
pub struct Load {
    /// Clients at once.
    pub clients: usize,
    /// How long they ask.
    pub seconds: f64,
    /// The server's address; `None`: one in this process.
    pub addr: Option<String>,
}

/// What a tab asks, in turn: the page, the notebook's program, a nudge of its leaf `a`.
fn asks() -> [(&'static str, &'static str, Option<String>); 3] {
    let source = chainrule::lang::NOTEBOOK;
    let program = serde_json::json!({ "source": source }).to_string();
    let nudge = serde_json::json!({ "source": source, "node": 0, "h": 0.001 }).to_string();
    [
        ("GET", "/", None),
        ("POST", "/api/program", Some(program)),
        ("POST", "/api/nudge", Some(nudge)),
    ]
}

/// One client until `until`: each request's latency in seconds, and its errors.
fn client(addr: &str, until: Instant, first: usize) -> (Vec<f64>, Vec<String>) {
    let asks = asks();
    let (mut times, mut errors) = (Vec::new(), Vec::new());
    let mut conn: Option<Connection> = None;
    let mut k = first;
    while Instant::now() < until {
        let (method, path, body) = &asks[k % asks.len()];
        k += 1;
        let t = Instant::now();
        let answer = match conn.as_mut() {
            Some(c) => c.request(method, path, body.as_deref()),
            None => Connection::open(addr).and_then(|mut c| {
                let a = c.request(method, path, body.as_deref());
                conn = Some(c);
                a
            }),
        };
        times.push(t.elapsed().as_secs_f64());
        match answer {
            Ok(a) if a.status == 200 => {}
            Ok(a) => errors.push(format!("{method} {path}: {}", a.status)),
            Err(e) => {
                errors.push(format!("{method} {path}: {e}"));
                conn = None;
            }
        }
    }
    (times, errors)
}

/// The `q` quantile of sorted `xs`.
fn quantile(xs: &[f64], q: f64) -> f64 {
    xs[((xs.len() - 1) as f64 * q).round() as usize]
}

/// Runs the load and prints its line; whether every request was answered 200.
pub fn run(load: &Load) -> bool {
    let addr = match &load.addr {
        Some(a) => a.clone(),
        None => chainrule_serve::spawn_local()
            .expect("a server on 127.0.0.1")
            .to_string(),
    };
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(load.seconds);
    let (mut times, mut errors) = (Vec::new(), Vec::new());
    std::thread::scope(|scope| {
        let clients: Vec<_> = (0..load.clients)
            .map(|i| {
                let addr = addr.as_str();
                scope.spawn(move || client(addr, until, i))
            })
            .collect();
        for c in clients {
            let (t, e) = c.join().expect("a client thread");
            times.extend(t);
            errors.extend(e);
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let ms = |q| quantile(&times, q) * 1e3;
    out!(
        "{{\"workload\":\"serve-load\",\"clients\":{},\"seconds\":{elapsed:.2},\"requests\":{},\"requests_per_s\":{:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2},\"errors\":{}}}",
        load.clients,
        times.len(),
        times.len() as f64 / elapsed,
        ms(0.5),
        ms(0.99),
        ms(1.0),
        errors.len()
    );
    for e in errors.iter().take(5) {
        eprintln!("chainrule-bench serve-load: error: {e}");
    }
    errors.is_empty() && !times.is_empty()
}

//! The live page's API without a browser: requests go straight into the router
//! (`tower::ServiceExt::oneshot`), and the answers are checked against the notebook's
//! numbers (L = -8; grads L 1, d -2, f 4, c -2, e -2, a 6, b -4).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chainrule_serve::{router, Config, Limits};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

mod support;
use support::mlp_program;

const HOST: &str = "127.0.0.1:8000";

const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\n";

fn app() -> Router {
    router(Config::local(8000))
}

fn request(
    method: &str,
    uri: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    let has_host = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if !has_host {
        r = r.header("host", HOST);
    }
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    match body {
        Some(b) => r
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 26)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn post(app: &Router, uri: &str, body: Value) -> (StatusCode, Value) {
    let (s, text) = send(app, request("POST", uri, Some(&body), &[])).await;
    (
        s,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// Opens training session `id`'s event stream, as the page's `EventSource` does.
async fn events(app: &Router, id: u64) -> axum::response::Response {
    let uri = format!("/api/train/{id}/events");
    app.clone()
        .oneshot(request("GET", &uri, None, &[]))
        .await
        .unwrap()
}

fn node<'a>(res: &'a Value, name: &str) -> &'a Value {
    res["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

#[tokio::test]
async fn the_notebook_gives_its_values_grads_derivations_checks_and_schedule() {
    let app = app();
    let (status, res) = post(&app, "/api/program", json!({"source": NOTEBOOK})).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res["output"]["data"], json!(-8.0));
    let want = [
        ("a", 2.0, 6.0),
        ("b", -3.0, -4.0),
        ("c", 10.0, -2.0),
        ("e", -6.0, -2.0),
        ("d", 4.0, -2.0),
        ("f", -2.0, 4.0),
        ("L", -8.0, 1.0),
    ];
    for (name, data, grad) in want {
        let n = node(&res, name);
        assert_eq!(
            (n["data"].as_f64(), n["grad"].as_f64()),
            (Some(data), Some(grad)),
            "{name}"
        );
        // The finite difference agrees with backprop for every value.
        let c = &n["check"];
        assert_eq!(c["verdict"], "pass", "{name}: {c}");
        assert!(
            (c["numeric"].as_f64().unwrap() - grad).abs() < 1e-6,
            "{name}: {c}"
        );
        // Every value is in the library's SVG under its stable id.
        let id = n["id"].as_u64().unwrap();
        let svg = res["svg"].as_str().unwrap();
        assert!(
            svg.contains(&format!("data-node-id=\"{id}\"")),
            "{name} in the svg"
        );
    }
    // a's chain rule as `explain` writes it.
    assert_eq!(
        node(&res, "a")["derivation"],
        json!([
            "dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000",
            "  de/da = d(a*b)/da = b = -3.0000"
        ])
    );
    assert_eq!(node(&res, "e")["header"], "e = a*b = -6.0000");
    // Edges: a use of a by e, with its local derivative.
    let a_id = node(&res, "a")["id"].clone();
    let e_id = node(&res, "e")["id"].clone();
    let edge = res["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == a_id)
        .unwrap();
    assert_eq!(
        (edge["to"].clone(), edge["local"].as_f64()),
        (e_id, Some(-3.0))
    );
    // The backward schedule, whole: L first, then each node once its users are done.
    let order: Vec<&str> = res["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["L", "f", "d", "e", "c", "b", "a"]);
    let d_step = &res["schedule"][2];
    assert_eq!(d_step["grad"], json!(-2.0));
    assert_eq!(d_step["edges"][0]["local"], json!(-2.0));
    assert_eq!(d_step["node"], node(&res, "d")["id"]);
    // Each step narrated as `chainrule steps` narrates it.
    assert_eq!(
        res["schedule"][0]["summary"],
        "Backward starts at the output L: its grad is 1."
    );
    assert_eq!(
        d_step["summary"],
        "d is used once, so its grad is one chain-rule term."
    );
    assert!(res["schedule_intro"]
        .as_str()
        .unwrap()
        .starts_with("No grad is known yet. Backward fills them in from the output L"));
    assert_eq!(
        node(&res, "d")["derivation"],
        json!(["dL/dd = d(d*f)/dd = f = -2.0000"])
    );
    assert_eq!(res["check"]["passed"], json!(true));
    assert!(res["non_finite"].is_null());
}

#[tokio::test]
async fn the_built_in_notebook_program_is_in_the_page_and_its_hand_grads_are_checked() {
    let app = app();
    let (status, page) = send(&app, request("GET", "/", None, &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("a.grad = b * e.grad"),
        "the notebook's program is in the editor"
    );
    assert!(!page.contains("{{NOTEBOOK}}"));
    let (_, res) = post(
        &app,
        "/api/program",
        json!({"source": chainrule::lang::NOTEBOOK}),
    )
    .await;
    let hand = res["hand"].as_array().unwrap();
    assert_eq!(hand.len(), 7);
    assert!(hand.iter().all(|h| h["right"] == json!(true)), "{hand:?}");
    assert_eq!(hand[0]["line"], json!(9), "L.grad = 1 is line 9");
}

#[tokio::test]
async fn a_wrong_hand_grad_is_flagged_with_the_right_value_and_why() {
    let app = app();
    let (_, res) = post(&app, "/api/program", json!({"source": NOTEBOOK})).await;
    let d = node(&res, "d")["id"].as_u64().unwrap();
    let f = node(&res, "f")["id"].as_u64().unwrap();
    let (status, res) = post(
        &app,
        "/api/program",
        json!({"source": NOTEBOOK, "hand": [[f, 4.0], [d, 4.0]]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let hand = res["hand"].as_array().unwrap();
    assert_eq!(
        (hand[0]["right"].clone(), hand[0]["correct"].clone()),
        (json!(true), json!(4.0))
    );
    assert_eq!(
        (hand[1]["right"].clone(), hand[1]["correct"].clone()),
        (json!(false), json!(-2.0))
    );
    assert_eq!(
        hand[1]["derivation"],
        json!(["dL/dd = d(d*f)/dd = f = -2.0000"])
    );
    // And diagnosed: 4 is d itself, the wrong operand of d*f.
    assert_eq!(hand[1]["mistakes"], json!(["wrong-factor"]));
    assert_eq!(hand[1]["follows_from_yours"], json!(false));
    assert!(hand[1]["diagnosis"][0]
        .as_str()
        .unwrap()
        .starts_with("Mistake wrong-factor: used the wrong operand of a product"));
    assert_eq!(hand[0]["mistakes"], json!([]));
    // A grad for a value that does not exist is a clear error.
    let (status, res) = post(
        &app,
        "/api/program",
        json!({"source": NOTEBOOK, "hand": [[99, 1.0]]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(res["error"]["message"], "there is no value with id 99");
}

#[tokio::test]
async fn a_bad_program_is_an_error_at_its_line_and_column() {
    let app = app();
    let (status, res) = post(&app, "/api/program", json!({"source": "a = 2\nb = a +* 3"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &res["error"];
    assert_eq!(
        (e["line"].clone(), e["column"].clone()),
        (json!(2), json!(8))
    );
    assert_eq!(e["message"], "missing operand before `*`");
    assert_eq!(e["length"], 1, "the caret spans the one character `*`");
    assert!(e["help"].is_string());
    // An unknown name, with the engine's suggestion.
    let (status, res) = post(
        &app,
        "/api/program",
        json!({"source": "alpha = 2\nb = alpa * 3"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (res["error"]["line"].clone(), res["error"]["column"].clone()),
        (json!(2), json!(5))
    );
    assert_eq!(res["error"]["length"], 4, "the caret spans all of `alpa`");
    // Characters, not bytes: `tanhé` is five characters and six bytes.
    let (_, res) = post(
        &app,
        "/api/program",
        json!({"source": "x = 1
y = tanhé(x)"}),
    )
    .await;
    assert_eq!(
        (
            res["error"]["column"].clone(),
            res["error"]["length"].clone()
        ),
        (json!(5), json!(5)),
        "{res}"
    );
    // Not the JSON expected.
    let (status, text) = send(
        &app,
        request("POST", "/api/program", Some(&json!({"src": 1})), &[]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("not the JSON expected"), "{text}");
}

#[tokio::test]
async fn nudging_a_leaf_replays_and_the_finite_difference_agrees_with_the_grad() {
    let app = app();
    let (_, res) = post(&app, "/api/program", json!({"source": NOTEBOOK})).await;
    for (name, grad) in [("a", 6.0), ("b", -4.0), ("c", -2.0), ("f", 4.0)] {
        let id = node(&res, name)["id"].clone();
        let (status, n) = post(
            &app,
            "/api/nudge",
            json!({"source": NOTEBOOK, "node": id, "h": 0.001}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{n}");
        assert_eq!(n["before"], json!(-8.0));
        assert_eq!(n["grad"], json!(grad));
        // The names to label the experiment with: the leaf's and the output's.
        assert_eq!(
            (n["name"].as_str(), n["output"]["name"].as_str()),
            (Some(name), Some("L"))
        );
        assert_eq!(n["output"]["id"], res["output"]["id"]);
        let fd = n["finite_difference"].as_f64().unwrap();
        assert!((fd - grad).abs() < 1e-6, "{name}: {fd} vs {grad}");
        let after = n["after"].as_f64().unwrap();
        assert!(
            (after - (-8.0 + grad * 0.001)).abs() < 1e-9,
            "{name}: L(a+h) = {after}"
        );
    }
    // The notebook's own experiment: a += 0.001 gives L = -7.994.
    let a = node(&res, "a")["id"].clone();
    let (_, n) = post(
        &app,
        "/api/nudge",
        json!({"source": NOTEBOOK, "node": a, "h": 0.001}),
    )
    .await;
    assert!((n["after"].as_f64().unwrap() - -7.994).abs() < 1e-12);
    // Only leaves move, and h must be a usable number.
    let e = node(&res, "e")["id"].clone();
    let (status, n) = post(
        &app,
        "/api/nudge",
        json!({"source": NOTEBOOK, "node": e, "h": 0.1}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(n["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a leaf"));
    let (status, _) = post(
        &app,
        "/api/nudge",
        json!({"source": NOTEBOOK, "node": a, "h": 0.0}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn kinks_are_kinks_and_the_first_non_finite_value_is_named() {
    let app = app();
    let (_, res) = post(
        &app,
        "/api/program",
        json!({"source": "x = 0\ny = relu(x) + 2*x"}),
    )
    .await;
    assert_eq!(node(&res, "x")["check"]["verdict"], "kink");
    assert_eq!(
        res["check"]["passed"],
        json!(true),
        "a kink is not a failure"
    );
    let (status, res) = post(
        &app,
        "/api/program",
        json!({"source": "x = -1\ny = log(x) + 2"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let nf = &res["non_finite"];
    assert_eq!(nf["pass"], "value");
    assert_eq!(nf["value"], "NaN", "NaN is sent as such, not as null");
    assert!(nf["reason"].as_str().unwrap().contains("negative"), "{nf}");
}

#[tokio::test]
async fn a_700_value_mlp_graph_gets_its_whole_linear_schedule() {
    let app = app();
    let src = mlp_program();
    let (status, res) = post(&app, "/api/program", json!({"source": src})).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    let values = res["values"].as_u64().unwrap();
    assert!((650..=1200).contains(&values), "{values} values");
    let steps = res["schedule"].as_array().unwrap();
    assert_eq!(steps.len(), res["nodes"].as_array().unwrap().len());
    // Each step names its node once: the schedule is linear in the graph.
    let mut seen = std::collections::HashSet::new();
    assert!(steps
        .iter()
        .all(|s| seen.insert(s["node"].as_u64().unwrap())));
    assert_eq!(steps[0]["name"], "L");
}

#[tokio::test]
async fn requests_over_the_limits_get_clear_errors() {
    let app = app();
    let big = "a = 1\n".repeat(11_000);
    let (status, res) = post(&app, "/api/program", json!({"source": big})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 65536 bytes"),
        "{res}"
    );
    // A body far past the limit is cut off by the server before it is read whole.
    let huge = json!({"source": "x".repeat(1 << 20)});
    let (status, text) = send(&app, request("POST", "/api/program", Some(&huge), &[])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.contains("the request is larger than"), "{text}");
    // Too many values.
    let mut config = Config::local(8000);
    config.limits = Limits {
        nodes: 50,
        ..Limits::default()
    };
    let small = router(config);
    let (status, res) = post(&small, "/api/program", json!({"source": mlp_program()})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res["error"]["message"]
            .as_str()
            .unwrap()
            .contains("more than 50 values"),
        "{res}"
    );
    assert!(
        res["error"]["line"].is_u64(),
        "where it passed the bound: {res}"
    );
    // grad() nested 17 deep, which once made millions of values before the check: it
    // stops at the derivative order the page allows, at its line and column.
    let mut nested = String::from("x = 0.5\ny = tanh(x*x)\nd0 = y\n");
    for k in 1..=17 {
        nested += &format!("d{k} = grad(d{}, x)\n", k - 1);
    }
    let (status, res) = post(&app, "/api/program", json!({"source": nested})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res["error"]["kind"], "GradTooDeep");
    let at = (
        res["error"]["line"].as_u64(),
        res["error"]["column"].as_u64(),
    );
    assert_eq!(at, (Some(12), Some(6)), "{res}");
    // Too many training steps, or a model too wide.
    let (status, res) = post(&app, "/api/train", json!({"steps": 1_000_000})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res["error"]["message"],
        "steps must be a whole number from 1 to 1000, got 1000000"
    );
    let (status, _) = post(&app, "/api/train", json!({"layers": [100000]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn requests_for_another_host_or_from_another_origin_are_refused() {
    let app = app();
    let body = json!({"source": NOTEBOOK});
    for headers in [
        vec![("host", "evil.example:8000")],
        vec![("host", "127.0.0.1:9999")],
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
    ] {
        let (status, text) =
            send(&app, request("POST", "/api/program", Some(&body), &headers)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {text}");
        assert!(
            text.contains("refused") || text.contains("answers only to"),
            "{text}"
        );
    }
    // The page itself is refused to a rebound name too.
    let (status, _) = send(
        &app,
        request("GET", "/", None, &[("host", "rebind.example:8000")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Its own origin, by any of loopback's names, is fine.
    for origin in ["http://127.0.0.1:8000", "http://localhost:8000"] {
        let (status, _) = send(
            &app,
            request("POST", "/api/program", Some(&body), &[("origin", origin)]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{origin}");
    }
}

/// The page's ES modules: `main.js` and every module it imports, by following the
/// `from "./x.js"` of each file in `crates/chainrule-page/web/`.
fn page_modules() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chainrule-page/web");
    let mut found = vec!["main.js".to_string()];
    let mut k = 0;
    while k < found.len() {
        let text = std::fs::read_to_string(dir.join(&found[k])).unwrap();
        for part in text.split("from \"./").skip(1) {
            let name = part.split('"').next().unwrap().to_string();
            if !found.contains(&name) {
                found.push(name);
            }
        }
        k += 1;
    }
    found
}

#[tokio::test]
async fn only_the_built_in_assets_are_served() {
    let app = app();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chainrule-page/web");
    let modules = page_modules();
    assert!(modules.len() >= 9, "{modules:?}");
    let mut assets: Vec<(String, &str)> = vec![
        ("/".into(), "text/html"),
        ("/style.css".into(), "text/css"),
        ("/page.css".into(), "text/css"),
    ];
    assets.extend(modules.iter().map(|m| (format!("/{m}"), "text/javascript")));
    for (path, kind) in assets {
        let resp = app
            .clone()
            .oneshot(request("GET", &path, None, &[]))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(kind), "{path}: {ct}");
        assert!(resp.headers().contains_key("content-security-policy"));
        if path != "/" {
            // The file itself, as it is in the page's folder.
            let body = axum::body::to_bytes(resp.into_body(), 1 << 24)
                .await
                .unwrap();
            let file = std::fs::read(dir.join(&path[1..])).unwrap();
            assert!(body == file, "{path} is served as it is on disk");
        }
    }
    for path in [
        "/etc/passwd",
        "/../Cargo.toml",
        "/assets/app.js",
        "/web/app.js",
        "/src/lib.rs",
    ] {
        let (status, _) = send(&app, request("GET", path, None, &[])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once_each_get_their_own_answer() {
    let app = app();
    let mut tasks = Vec::new();
    for k in 0..24 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let src = format!("a = {k}; b = 3\nL = a*b + a");
            let (status, res) = post(&app, "/api/program", json!({"source": src})).await;
            assert_eq!(status, StatusCode::OK);
            (
                k,
                res["output"]["data"].as_f64().unwrap(),
                node(&res, "a")["grad"].as_f64().unwrap(),
            )
        }));
    }
    for t in tasks {
        let (k, out, grad) = t.await.unwrap();
        assert_eq!((out, grad), (4.0 * k as f64, 4.0), "client {k}");
    }
}

/// The next SSE frame of a training session's event stream.
async fn next_frame(
    stream: &mut (impl futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
    buf: &mut String,
) -> Value {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                return serde_json::from_str(data).unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(60), stream.next())
            .await
            .expect("a frame within a minute")
            .expect("the stream goes on")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_micrograds_demo_streams_frames_and_reaches_full_accuracy() {
    let app = app();
    let (status, res) = post(&app, "/api/train", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res["points"].as_array().unwrap().len(), 100);
    let id = res["id"].as_u64().unwrap();
    let resp = events(&app, id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut stream = resp.into_body().into_data_stream();
    let mut buf = String::new();
    let first = next_frame(&mut stream, &mut buf).await;
    assert_eq!(first["step"], json!(0));
    assert_eq!(first["grid"]["scores"].as_array().unwrap().len(), 32 * 32);
    // One step.
    let (status, _) = post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"action": "step"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let f = next_frame(&mut stream, &mut buf).await;
    assert_eq!(f["step"], json!(1));
    assert!(f["loss"].as_f64().unwrap() > 0.0);
    // Play to the end: micrograd's demo reaches 100% accuracy within its 100 steps.
    post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"action": "play"}),
    )
    .await;
    let started = std::time::Instant::now();
    let first_frame = f["frame"].as_u64().unwrap();
    let last = loop {
        let f = next_frame(&mut stream, &mut buf).await;
        if f["playing"] == json!(false) {
            break f;
        }
    };
    assert_eq!(last["step"], json!(100), "{last}");
    assert_eq!(last["accuracy"], json!(1.0), "{last}");
    // Paced at 40 steps a second by default, the boundary updates at least 10 times a second.
    // (Counted as the server sent them: a slow reader is sent only the latest.)
    let frames = last["frame"].as_u64().unwrap() - first_frame;
    let rate = frames as f64 / started.elapsed().as_secs_f64();
    assert!(
        frames >= 20 && rate >= 10.0,
        "{frames} frames, {rate:.1} a second"
    );
    assert_eq!(
        last["history"].as_array().unwrap().len(),
        100,
        "the whole curve"
    );
    // The graph of one data point through the trained model, with its grads.
    let (status, g) = post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"point": 3}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(g["output"]["name"], "loss");
    assert_eq!(g["point"]["index"], json!(3));
    let values = g["values"].as_u64().unwrap();
    // 337 parameters and 2 inputs as leaves, a fused dot and an activation per neuron,
    // the loss.
    assert!(
        (400..=1200).contains(&values),
        "{values} values for one point"
    );
    assert_eq!(
        g["schedule"].as_array().unwrap().len(),
        g["nodes"].as_array().unwrap().len()
    );
    assert!(node(&g, "x0")["leaf"].as_bool().unwrap());
    assert!(g["svg"].as_str().unwrap().contains("data-node-id"));
    let (status, g) = post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"point": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(g["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no data point 100"));
    // Reset goes back to step 0.
    post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"action": "reset"}),
    )
    .await;
    assert_eq!(next_frame(&mut stream, &mut buf).await["step"], json!(0));
    // A bad action and an unknown session are clear errors.
    let (status, _) = post(
        &app,
        &format!("/api/train/{id}/control"),
        json!({"action": "fly"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, res) = post(&app, "/api/train/999/control", json!({"action": "play"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(res["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no training session 999"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_sessions_are_bounded_and_idle_ones_make_room() {
    let mut config = Config::local(8000);
    config.limits.train_sessions = 2;
    let app = router(config);
    let (_, a) = post(&app, "/api/train", json!({})).await;
    let ida = a["id"].as_u64().unwrap();
    // Session a is watched; b is not.
    let resp = events(&app, ida).await;
    let _watching = resp.into_body().into_data_stream();
    let (_, b) = post(&app, "/api/train", json!({})).await;
    let idb = b["id"].as_u64().unwrap();
    let resp = events(&app, idb).await;
    let watching_b = resp.into_body().into_data_stream();
    // Both watched: a third is refused.
    let (status, res) = post(&app, "/api/train", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{res}");
    assert!(res["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2 training sessions"));
    // When b's tab goes away, its place is free.
    drop(watching_b);
    let (status, _) = post(&app, "/api/train", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(
        &app,
        &format!("/api/train/{idb}/control"),
        json!({"action": "play"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "b was ended");
    let (status, _) = post(
        &app,
        &format!("/api/train/{ida}/control"),
        json!({"action": "step"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a lives on");
}

/// Every activation, loss and optimizer that `chainrule train --help` lists trains here
/// too (the page offers them all); another optimizer is refused with the list.
#[tokio::test]
async fn every_activation_loss_and_optimizer_of_chainrule_train_is_accepted() {
    // Sessions nobody subscribes to make room at once (no grace), as this test starts
    // more than the bound and watches none.
    let mut config = Config::local(8000);
    config.server.session_grace = Duration::ZERO;
    let app = router(config);
    let choices = [
        (
            "activation",
            &["tanh", "sigmoid", "relu", "softplus", "leaky_relu"][..],
        ),
        ("loss", &["max-margin", "mse", "bce", "softmax-ce"]),
        ("optimizer", &["sgd", "momentum", "adam", "adamw"]),
    ];
    for (key, names) in choices {
        for name in names {
            let (status, res) = post(&app, "/api/train", json!({key: name, "steps": 2})).await;
            assert_eq!(status, StatusCode::OK, "{key} {name}: {res}");
            assert_eq!(res["config"][key], json!(name));
        }
    }
    let (status, res) = post(&app, "/api/train", json!({"optimizer": "adagrad"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res["error"]["message"],
        "optimizer must be one of sgd, momentum, adam, adamw, got \"adagrad\""
    );
}

#[tokio::test]
async fn odd_training_settings_are_answered_never_a_panic() {
    let app = app();
    for cfg in [
        json!({"samples": 1}),
        json!({"dataset": "spiral", "classes": 8, "samples": 3, "loss": "softmax-ce"}),
        json!({"dataset": "spiral", "classes": 3, "loss": "max-margin"}),
        json!({"dataset": "blobs", "classes": 3, "loss": "bce"}),
        json!({"batch": 1000}),
        json!({"batch": 1, "optimizer": "adam", "lr": 0.01}),
        json!({"layers": []}),
        json!({"noise": -1}),
        json!({"lr": 0}),
        json!({"dataset": "../../etc/passwd"}),
        json!({"activation": "swish"}),
        json!({"pace": -5}),
        json!({"classes": 1}),
    ] {
        let (status, res) = post(&app, "/api/train", cfg.clone()).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{cfg}: {status} {res}"
        );
        if status == StatusCode::BAD_REQUEST {
            assert!(
                res["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{cfg}"
            );
        } else {
            // A session that started takes a step.
            let id = res["id"].as_u64().unwrap();
            let (status, _) = post(
                &app,
                &format!("/api/train/{id}/control"),
                json!({"action": "step"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{cfg}");
        }
    }
}

#[tokio::test]
async fn on_every_interface_an_address_is_accepted_but_a_name_is_not() {
    let addr: std::net::SocketAddr = "0.0.0.0:8000".parse().unwrap();
    let app = router(Config::for_addr(addr, None));
    let body = json!({"source": NOTEBOOK});
    for (host, want) in [
        ("192.168.1.20:8000", StatusCode::OK),
        ("[fe80::1]:8000", StatusCode::OK),
        ("127.0.0.1:8000", StatusCode::OK),
        ("192.168.1.20:9000", StatusCode::FORBIDDEN),
        ("rebind.example:8000", StatusCode::FORBIDDEN),
    ] {
        let (status, text) = send(
            &app,
            request("POST", "/api/program", Some(&body), &[("host", host)]),
        )
        .await;
        assert_eq!(status, want, "{host}: {text}");
    }
    // Loopback only: an address that is not loopback's is refused.
    let (status, _) = send(
        &app_local(),
        request(
            "POST",
            "/api/program",
            Some(&body),
            &[("host", "192.168.1.20:8000")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn app_local() -> Router {
    router(Config::for_addr("127.0.0.1:8000".parse().unwrap(), None))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diverging_run_names_the_first_non_finite_node_instead_of_going_blank() {
    let app = app();
    let (status, res) = post(&app, "/api/train", json!({"lr": 1e300, "steps": 10})).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    let id = res["id"].as_u64().unwrap();
    let resp = events(&app, id).await;
    let mut stream = resp.into_body().into_data_stream();
    let mut buf = String::new();
    next_frame(&mut stream, &mut buf).await;
    let mut last = Value::Null;
    for _ in 0..3 {
        post(
            &app,
            &format!("/api/train/{id}/control"),
            json!({"action": "step"}),
        )
        .await;
        last = next_frame(&mut stream, &mut buf).await;
    }
    let why = last["non_finite"]
        .as_str()
        .unwrap_or_else(|| panic!("{last}"));
    assert!(why.contains("diverged"), "{why}");
    assert!(why.contains("the first non-finite number is the"), "{why}");
    // The grid still has a score for every cell: NaN is sent as such, not left out.
    assert_eq!(last["grid"]["scores"].as_array().unwrap().len(), 32 * 32);
}

#[tokio::test]
async fn every_question_of_the_protocol_is_at_api_slash_its_name() {
    let app = app();
    // The training spec, as the page's settings form reads it: the page's bounds, the
    // spec's defaults and choices.
    let (status, spec) = post(&app, "/api/train_spec", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let field = |name: &str| {
        spec["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .clone()
    };
    assert_eq!(field("samples")["allowed"], "a whole number from 1 to 1000");
    assert_eq!(field("lr")["default"], "1");
    let optimizer = field("optimizer");
    let optimizers: Vec<&str> = optimizer["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(optimizers, ["sgd", "momentum", "adam", "adamw"]);
    assert_eq!(
        spec["optimizers"][2],
        json!({"name": "adam", "help": "Adam", "lr": 0.01})
    );
    // The same answer as the protocol gives without a transport.
    let direct = chainrule_page::ask("train_spec", b"{}", &Limits::default()).unwrap();
    assert_eq!(spec, direct);
    // A question that is not there, and a training question, which lives at /api/train.
    let (status, body) = post(&app, "/api/fly", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        "there is no question \"fly\"; the questions are program, nudge, train_spec, lessons, \
         lesson, lesson_check, train_new, train_step, train_control, train_free, \
         given_describe, given_nudge, given_back, given_check, given_free"
    );
    // The lessons, as the protocol answers them without a transport; a lesson file's
    // error with its line and column.
    for (name, req) in [
        ("lessons", json!({})),
        ("lesson", json!({"lesson": "notebook", "seed": 42})),
        (
            "lesson_check",
            json!({"lesson": "2", "task": 0, "answers": ["1", "1"]}),
        ),
    ] {
        let (status, body) = post(&app, &format!("/api/{name}"), req.clone()).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let direct = chainrule_page::ask(name, req.to_string().as_bytes(), &Limits::default());
        assert_eq!(body, direct.unwrap());
    }
    let (status, body) = post(
        &app,
        "/api/lesson",
        json!({"source": "# T\n\nno program\n"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            body["error"]["line"].clone(),
            body["error"]["column"].clone()
        ),
        (json!(1), json!(1))
    );
    // A graph given to an engine lives in a kernel, not in the server.
    let (status, body) = post(&app, "/api/given_describe", json!({"id": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .ends_with("this transport keeps none"));
    let (status, body) = post(&app, "/api/train_step", json!({"id": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("POST /api/train"));
}

#[tokio::test]
async fn a_method_an_address_does_not_take_is_answered_405_saying_what_it_takes() {
    let app = app();
    for (method, uri, allow, takes) in [
        (
            "GET",
            "/api/program",
            "POST",
            "it takes POST, with the request as JSON",
        ),
        (
            "POST",
            "/api/ws",
            "GET,HEAD",
            "it takes GET, as a WebSocket upgrade",
        ),
        (
            "POST",
            "/",
            "GET,HEAD",
            "it takes GET (the page and its files)",
        ),
        (
            "DELETE",
            "/api/train/1/events",
            "GET,HEAD",
            "it takes GET (a training session's frames",
        ),
    ] {
        let resp = app
            .clone()
            .oneshot(request(method, uri, None, &[]))
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        assert_eq!(resp.headers()["allow"], allow, "{method} {uri}");
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["ok"], json!(false));
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{uri} does not take {method}; {takes}")),
            "{message}"
        );
    }
    // The guard comes first: another page is refused before its method is looked at.
    let (status, _) = send(
        &app,
        request(
            "GET",
            "/api/program",
            None,
            &[("origin", "http://evil.example")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

//! The live page in a real browser: headless Chromium opens the page from a server on
//! 127.0.0.1, and the DevTools protocol (over `--remote-debugging-pipe`, as the steps
//! test does) types into the editor, clicks values and presses keys as a person would.
//! The test reads what the page shows from its DOM, selecting values by their stable
//! `data-node-id`. It never sleeps: each wait is a promise in the page that resolves
//! when the DOM shows the expected state, with a timeout. The page runs in test mode
//! (`?test=1`: no animations, no typing delay). A failing test saves a screenshot
//! (`target/tmp/serve-browser/failure.png`).
//!
//! Without Chromium on PATH the test is skipped with a message, unless `CI=true`: then it
//! fails, so CI cannot skip it silently (`.ci/run` installs Debian's `chromium`).
//! With `SCREENSHOTS=dir` set, it also saves a picture of each view there.
#![cfg(target_os = "linux")]

#[path = "../../chainrule-cli/tests/support/browser.rs"]
mod browser;
mod support;

use browser::Browser;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use support::mlp_program;

/// A page in the browser; on a failing test it saves a screenshot as it drops.
struct Page {
    b: Browser,
    s: String,
    scratch: PathBuf,
}

impl Drop for Page {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let path = self.scratch.join("failure.png");
            self.screenshot(&path);
            eprintln!("the page at the failure: {}", path.display());
        }
    }
}

impl Page {
    fn eval(&mut self, expr: &str) -> Value {
        self.b.eval(&self.s, expr)
    }

    /// Waits (in the page, with a timeout) until `cond` is true; panics with `what` and
    /// the page's state if it never is.
    fn wait(&mut self, cond: &str, what: &str) {
        let expr = format!(
            "new Promise((ok) => {{ const end = Date.now() + 20000; \
               const poll = () => {{ let v = false; try {{ v = !!({cond}); }} catch (e) {{}} \
                 if (v) ok(true); else if (Date.now() > end) ok(false); else requestAnimationFrame(poll); }}; \
               poll(); }})"
        );
        let r = self.b.call(
            Some(&self.s),
            "Runtime.evaluate",
            json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
        );
        if r["result"]["value"] != json!(true) {
            let status = self.eval("document.getElementById('step-status').textContent + ' | ' + document.getElementById('error').textContent + ' | ' + document.getElementById('t-status').textContent");
            panic!("timed out waiting for {what} ({cond}); the page shows: {status}");
        }
    }

    /// Clicks the middle of the element `selector` with the mouse.
    fn click(&mut self, selector: &str) {
        let r = self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); if (!el) return null; \
               el.scrollIntoView({{block: 'center', inline: 'center'}}); \
               const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            sel = json!(selector)
        ));
        let (x, y) = match r.as_array() {
            Some(a) => (a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
            None => panic!("nothing on the page matches {selector}"),
        };
        for kind in ["mousePressed", "mouseReleased"] {
            self.b.call(
                Some(&self.s),
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Selects everything in the focused field and types `text` over it.
    fn type_over(&mut self, selector: &str, text: &str) {
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({}); el.focus(); el.select(); return 0; }})()",
            json!(selector)
        ));
        self.b
            .call(Some(&self.s), "Input.insertText", json!({"text": text}));
    }

    fn press(&mut self, key: &str, code: u32) {
        self.b.press(&self.s, key, code);
    }

    fn text(&mut self, selector: &str) -> String {
        let v = self.eval(&format!(
            "(() => {{ const el = document.querySelector({}); return el ? el.textContent : null; }})()",
            json!(selector)
        ));
        v.as_str()
            .unwrap_or_else(|| panic!("no {selector}"))
            .to_string()
    }

    /// The texts of a value's three cells, joined by `|`.
    fn cells(&mut self, id: u64) -> String {
        let v = self.eval(&format!(
            "[...document.querySelectorAll('#graph g.value[data-node-id=\"{id}\"] text.cell')].map(t => t.textContent).join('|')"
        ));
        v.as_str().unwrap().to_string()
    }

    fn screenshot(&mut self, path: &Path) {
        self.shot(
            path,
            json!({"format": "png", "captureBeyondViewport": false}),
        );
    }

    /// A picture of the page down to the end of the view shown, for the README.
    fn picture(&mut self, path: &Path) {
        let bottom = self
            .eval("Math.ceil(Math.max(...[...document.querySelectorAll('.view:not([hidden]) .left, .view:not([hidden]) .right')].map(e => e.getBoundingClientRect().bottom)) + 16)")
            .as_f64()
            .unwrap_or(900.0)
            .min(900.0);
        let clip = json!({"x": 0, "y": 0, "width": 1400, "height": bottom, "scale": 1});
        self.shot(path, json!({"format": "png", "clip": clip}));
    }

    fn shot(&mut self, path: &Path, params: Value) {
        let r = self.b.call(Some(&self.s), "Page.captureScreenshot", params);
        if let Some(data) = r["data"].as_str() {
            std::fs::write(path, decode_base64(data)).unwrap();
        }
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| val(c) as u32).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (k, &x)| acc | (x << (18 - 6 * k)));
        out.push((n >> 16) as u8);
        if v.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if v.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// The server on 127.0.0.1 at a free port, in a thread; its address.
fn start_server() -> std::net::SocketAddr {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(addr).unwrap();
            chainrule_serve::serve(
                listener,
                chainrule_serve::Config::for_addr(addr, None),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    rx.recv().unwrap()
}

const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\n";

#[test]
fn the_live_page_edits_explains_nudges_checks_steps_and_trains() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-browser");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let Some(mut b) = Browser::start_or_skip(&scratch, (1400, 900)) else {
        return;
    };
    let shots = std::env::var_os("SCREENSHOTS").map(PathBuf::from);
    let addr = start_server();
    let s = b.open_tab();
    let mut p = Page { b, s, scratch };
    p.b.call(
        Some(&p.s),
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
    );
    let url = format!("http://{addr}/?test=1");
    p.b.call(Some(&p.s), "Page.navigate", json!({"url": url}));

    // 1. The notebook's program, drawn by the library, with every value and grad.
    p.wait("document.body.dataset.rendered", "the first graph");
    assert!(
        p.text("#summary").starts_with("L = -8.0000 · "),
        "{}",
        p.text("#summary")
    );
    let notebook = [
        (0, "a|data 2.0000|grad 6.0000"),
        (1, "b|data -3.0000|grad -4.0000"),
        (2, "c|data 10.0000|grad -2.0000"),
        (3, "e|data -6.0000|grad -2.0000"),
        (4, "d|data 4.0000|grad -2.0000"),
        (5, "f|data -2.0000|grad 4.0000"),
        (6, "L|data -8.0000|grad 1.0000"),
    ];
    // The built-in program sets grads by hand first; the ids are those of its values.
    for (id, cells) in notebook {
        assert_eq!(p.cells(id), cells, "value {id}");
    }
    assert_eq!(
        p.eval("document.querySelectorAll('#hand-list li.right').length"),
        json!(7),
        "the notebook's seven hand grads are right"
    );
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
        p.picture(&dir.join("serve-graph.png"));
    }

    // Typing a program redraws it.
    p.type_over("#editor", "x = 3\ny = x*x + 2*x");
    p.wait(
        "document.querySelector('#summary').textContent.startsWith('y = 15.0000')",
        "the typed program's graph",
    );
    assert_eq!(p.cells(0), "x|data 3.0000|grad 8.0000");

    // An error shows at its line and column, and the last good graph stays.
    p.type_over("#editor", "x = 3\ny = x +* 2");
    p.wait("!document.getElementById('error').hidden", "the error");
    assert_eq!(
        p.eval("[document.getElementById('error').dataset.line, document.getElementById('error').dataset.column]"),
        json!(["2", "8"])
    );
    assert!(
        p.text("#error").contains("missing operand before `*`"),
        "{}",
        p.text("#error")
    );
    assert_eq!(
        p.cells(0),
        "x|data 3.0000|grad 8.0000",
        "the last good graph stays"
    );

    // 2. Back to the notebook; click a to read its chain rule and its check.
    p.type_over("#editor", NOTEBOOK);
    p.wait(
        "document.getElementById('error').hidden && document.querySelector('#summary').textContent.startsWith('L = -8.0000')",
        "the notebook again",
    );
    p.click("#graph g.value[data-node-id=\"0\"]");
    p.wait(
        "document.getElementById('node-panel').dataset.nodeId === '0'",
        "a's panel",
    );
    assert_eq!(
        p.text("#node-derivation"),
        "dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000\n  de/da = d(a*b)/da = b = -3.0000"
    );
    assert_eq!(
        p.eval("document.querySelector('#node-check [data-verdict]').dataset.verdict"),
        json!("pass")
    );

    // 3. Nudge a: the finite difference agrees with the grad.
    p.wait(
        "document.getElementById('nudge-table').dataset.h === '0.001'",
        "the nudge",
    );
    let fd: f64 = p
        .eval("Number(document.getElementById('nudge-table').dataset.fd)")
        .as_f64()
        .unwrap();
    assert!((fd - 6.0).abs() < 1e-6, "finite difference {fd}");
    assert_eq!(p.text("#nudge-before"), "-8.0000");
    assert_eq!(p.text("#nudge-after"), "-7.9940");
    assert_eq!(p.text("#nudge-grad"), "6.0000");
    // A bigger h, typed: a is linear in L, so the difference is still 6.
    p.type_over("#nudge-h", "0.5");
    p.press("Tab", 9);
    p.wait(
        "document.getElementById('nudge-table').dataset.h === '0.5'",
        "the nudge by 0.5",
    );
    assert_eq!(p.text("#nudge-after"), "-5.0000");
    // The graph is replayed at a + h by the engine and redrawn.
    assert_eq!(p.cells(0), "a|data 2.5000|grad 6.0000");
    assert_eq!(p.cells(6), "L|data -5.0000|grad 1.0000");
    assert_eq!(p.text("#nudge-fd"), "6.0000");

    // 4. A wrong hand grad for d is flagged, with the right value and why.
    p.click("#graph g.value[data-node-id=\"4\"]");
    p.wait(
        "document.getElementById('node-panel').dataset.nodeId === '4'",
        "d's panel",
    );
    p.type_over("#hand-input", "4");
    p.press("Enter", 13);
    p.wait(
        "document.getElementById('hand-result').dataset.right === 'false'",
        "the verdict",
    );
    assert_eq!(
        p.eval("document.getElementById('hand-result').dataset.correct"),
        json!("-2")
    );
    assert!(
        p.text("#hand-result").contains("should be -2.0000"),
        "{}",
        p.text("#hand-result")
    );
    assert!(p
        .text("#hand-result")
        .contains("dL/dd = d(d*f)/dd = f = -2.0000"));

    // 5. Step backward with the keys: Home, then one node at a time.
    p.click("#summary"); // focus leaves the input
    p.press("Home", 36);
    p.wait(
        "document.getElementById('step-status').dataset.step === '0'",
        "step 0",
    );
    assert_eq!(p.cells(0), "a|data 2.0000|grad ?");
    assert_eq!(p.cells(6), "L|data -8.0000|grad ?");
    let order = [6, 5, 4, 3, 2, 1, 0];
    for (k, id) in order.iter().enumerate() {
        p.press("ArrowRight", 39);
        p.wait(
            &format!(
                "document.getElementById('step-status').dataset.step === '{}'",
                k + 1
            ),
            "the next step",
        );
        let lit = p.eval(
            "[...document.querySelectorAll('#graph g.value.step-lit')].map(g => g.dataset.nodeId)",
        );
        assert_eq!(lit, json!([id.to_string()]), "step {}", k + 1);
        if k + 1 == 3 {
            // d is done: its grad is drawn, a's is not yet, and the edge d → L says × f.
            assert_eq!(p.cells(4), "d|data 4.0000|grad -2.0000");
            assert_eq!(p.cells(0), "a|data 2.0000|grad ?");
            assert_eq!(p.text("#graph text.edge-label"), "× -2.0000");
            assert_eq!(p.text("#step-status"), "Step 3 of 7: dL/dd = -2.0000");
            if let Some(dir) = &shots {
                p.picture(&dir.join("serve-steps.png"));
            }
        }
    }
    p.press("ArrowRight", 39);
    assert_eq!(
        p.eval("document.getElementById('step-status').dataset.step"),
        json!("7")
    );
    assert_eq!(
        p.eval("document.getElementById('next').disabled"),
        json!(true)
    );
    p.click("#prev");
    p.wait(
        "document.getElementById('step-status').dataset.step === '6'",
        "Prev",
    );
    p.press("End", 35);
    p.wait(
        "document.getElementById('step-status').dataset.step === '7'",
        "End",
    );

    // 6. Train micrograd's demo to 100% and watch the boundary update.
    p.click("#tab-train");
    p.click("#t-play");
    p.wait(
        "document.getElementById('t-status').dataset.step === '100' && document.getElementById('t-status').dataset.playing === 'false'",
        "training to the end",
    );
    assert_eq!(
        p.eval("document.getElementById('t-status').dataset.accuracy"),
        json!("1")
    );
    let frames = p
        .eval("Number(document.getElementById('t-boundary').dataset.frames)")
        .as_f64()
        .unwrap();
    assert!(frames >= 2.0, "the boundary was drawn {frames} times");
    // The graph of one point through the trained model: click a point on the boundary.
    p.click("#t-boundary");
    p.wait(
        "document.querySelector('#t-point-graph g.value.out')",
        "one point's graph",
    );
    assert!(
        p.text("#t-point-summary").contains("values at step 100"),
        "{}",
        p.text("#t-point-summary")
    );
    if let Some(dir) = &shots {
        p.picture(&dir.join("serve-train.png"));
    }
    // 7. The view and the settings are in the URL.
    assert!(p
        .eval("location.search")
        .as_str()
        .unwrap()
        .contains("view=train"));

    // A link with a program in it opens that program: here one point through micrograd's
    // 2-16-16-1 MLP, about 700 values, stepped through backward in the page.
    let src = mlp_program();
    let url = format!("http://{addr}/?test=1&p={}", percent_encode(&src));
    p.b.call(Some(&p.s), "Page.navigate", json!({"url": url}));
    p.wait(
        "document.body.dataset.rendered && document.getElementById('editor').value.startsWith('x0 = 0.5')",
        "the MLP from the link",
    );
    assert_eq!(
        p.eval("document.getElementById('editor').value.length")
            .as_u64(),
        Some(src.len() as u64)
    );
    let n = p
        .eval("document.querySelectorAll('#graph g.value[data-node-id]').length")
        .as_u64()
        .unwrap();
    assert!((650..=1200).contains(&n), "{n} values drawn");
    let out = p.eval("document.querySelector('#graph g.value.out').dataset.nodeId");
    p.click("#summary");
    p.press("Home", 36);
    p.wait(
        "document.getElementById('step-status').dataset.step === '0'",
        "Home on the MLP",
    );
    assert_eq!(
        p.eval("document.querySelectorAll('#graph g.value.step-unknown').length")
            .as_u64(),
        Some(n),
        "no grad is known before backward"
    );
    p.press("ArrowRight", 39);
    p.wait(
        "document.getElementById('step-status').dataset.step === '1'",
        "step 1 on the MLP",
    );
    let lit = p.eval(
        "[...document.querySelectorAll('#graph g.value.step-lit')].map(g => g.dataset.nodeId)",
    );
    assert_eq!(lit, json!([out]), "the output finishes first");
    for _ in 0..20 {
        p.press("ArrowRight", 39);
    }
    p.wait(
        "document.getElementById('step-status').dataset.step === '21'",
        "step 21 on the MLP",
    );
    assert_eq!(
        p.eval("document.querySelectorAll('#graph g.value.step-unknown').length")
            .as_u64(),
        Some(n - 21)
    );
    if let Some(dir) = &shots {
        p.picture(&dir.join("serve-mlp.png"));
    }
    p.press("End", 35);
    p.wait(
        &format!("document.getElementById('step-status').dataset.step === '{n}'"),
        "the end of the MLP's backward",
    );
}

/// `text` for a URL's query.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out += &format!("%{b:02X}"),
        }
    }
    out
}

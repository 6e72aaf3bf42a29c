//! The live page in a real browser: headless Chromium opens the page, and the DevTools
//! protocol (over `--remote-debugging-pipe`, as the steps test does) types into the
//! editor, clicks, taps and presses keys as a person would. The tests read what the page
//! shows from its DOM, selecting values by their stable `data-node-id`. They never sleep:
//! each wait is a promise in the page that resolves when the DOM shows the expected
//! state, with a timeout. The page runs in test mode (`?test=1`: no typing delay, no
//! pacing of training). A failing test saves a screenshot
//! (`target/tmp/page-browser/<test>/failure.png`).
//!
//! Each test opens the page through [`Site`], the only thing that knows where the page
//! is: by default a `chainrule serve` started in the test, or the page at the URL in
//! `CHAINRULE_PAGE_URL` (the static site, served by any static file server), so the same
//! assertions hold for every home of the page.
//!
//! Without Chromium on PATH the tests are skipped with a message, unless `CI=true`: then
//! they fail, so CI cannot skip them silently (`.ci/run` installs Debian's `chromium`).
//! `SCREENSHOTS=dir` makes `pictures_for_the_readme` save the README's pictures there
//! (`scripts/page-screenshots.sh`).
#![cfg(target_os = "linux")]

#[path = "../../chainrule-cli/tests/support/browser.rs"]
mod browser;
mod support;

use browser::Browser;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::mlp_program;

const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\n";

/// How long a wait in the page lasts before the test fails: generous, because CI machines
/// are shared and slow at times (a DevTools call itself gives up after 60 s).
const WAIT_MS: u64 = 50_000;

/// Where the page under test is.
struct Site {
    base: String,
}

impl Site {
    /// `CHAINRULE_PAGE_URL` if set, else a `chainrule serve` on 127.0.0.1 at a free port.
    fn get() -> Site {
        if let Ok(url) = std::env::var("CHAINRULE_PAGE_URL") {
            return Site {
                base: url.trim_end_matches('/').to_string(),
            };
        }
        let addr = chainrule_serve::spawn_local().expect("a server on 127.0.0.1");
        Site {
            base: format!("http://{addr}"),
        }
    }

    /// The page's URL with `query` (already encoded) after the test flag.
    fn url(&self, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{}/?test=1{sep}{query}", self.base)
    }
}

/// A page in the browser; on a failing test it saves a screenshot as it drops.
struct Page {
    b: Browser,
    s: String,
    site: Site,
    scratch: PathBuf,
}

impl Drop for Page {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let path = self.scratch.join("failure.png");
            self.shot(&path, json!({"format": "png"}));
            eprintln!("the page at the failure: {}", path.display());
        }
    }
}

impl Page {
    /// A browser with one tab, for the test `name`; `None` (the test is skipped) without
    /// Chromium.
    fn start(name: &str) -> Option<Page> {
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("page-browser")
            .join(name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let mut b = Browser::start_or_skip(&scratch, (1280, 900))?;
        let s = b.open_tab();
        Some(Page {
            b,
            s,
            site: Site::get(),
            scratch,
        })
    }

    /// Opens the page `width` px wide (a phone's screen, with touch, when `phone`) with
    /// `query`, and waits for its first graph.
    fn open(&mut self, width: u32, phone: bool, query: &str) {
        let height = if phone { 844 } else { 900 };
        self.b.call(
            Some(&self.s),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone}),
        );
        self.b.call(
            Some(&self.s),
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": phone, "maxTouchPoints": 5}),
        );
        // A mark on the page being left, so that the wait below sees the new one.
        self.eval("window.leaving = true");
        let url = self.site.url(query);
        self.b
            .call(Some(&self.s), "Page.navigate", json!({"url": url}));
        self.wait(
            "!window.leaving && document.body.dataset.rendered",
            "the page's first answer",
        );
    }

    fn eval(&mut self, expr: &str) -> Value {
        self.b.eval(&self.s, expr)
    }

    fn num(&mut self, expr: &str) -> f64 {
        let v = self.eval(expr);
        v.as_f64().unwrap_or_else(|| panic!("{expr} is {v}"))
    }

    /// Waits (in the page, with a timeout) until `cond` is true; panics with `what` and
    /// the page's state if it never is.
    fn wait(&mut self, cond: &str, what: &str) {
        let expr = format!(
            "new Promise((ok) => {{ const end = Date.now() + {WAIT_MS}; \
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
            let shown = self.eval(
                "['#stepper-area', '#node-area', '#editor-area .cr-error', '#train-area .cr-train-status']\
                 .map(s => document.querySelector(s)).filter(e => e).map(e => e.innerText).join(' | ')",
            );
            panic!("timed out waiting for {what} ({cond}); the page shows: {shown}");
        }
    }

    /// The middle of the element `selector`, scrolled into view, in CSS px.
    fn middle(&mut self, selector: &str) -> (f64, f64) {
        let r = self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); if (!el) return null; \
               el.scrollIntoView({{block: 'center', inline: 'center'}}); \
               const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            sel = json!(selector)
        ));
        match r.as_array() {
            Some(a) => (a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
            None => panic!("nothing on the page matches {selector}"),
        }
    }

    /// Clicks the middle of the element `selector` with the mouse.
    fn click(&mut self, selector: &str) {
        let (x, y) = self.middle(selector);
        for kind in ["mousePressed", "mouseReleased"] {
            self.b.call(
                Some(&self.s),
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// A touch gesture: fingers down at `from`, moved to `to` in a few steps, lifted.
    fn touch(&mut self, from: &[(f64, f64)], to: &[(f64, f64)]) {
        let points = |ps: Vec<(f64, f64)>| -> Value {
            ps.iter()
                .enumerate()
                .map(|(k, (x, y))| json!({"x": x, "y": y, "id": k}))
                .collect()
        };
        self.b.call(
            Some(&self.s),
            "Input.dispatchTouchEvent",
            json!({"type": "touchStart", "touchPoints": points(from.to_vec())}),
        );
        for k in 1..=5 {
            let t = k as f64 / 5.0;
            let at = from
                .iter()
                .zip(to)
                .map(|(a, b)| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
                .collect();
            self.b.call(
                Some(&self.s),
                "Input.dispatchTouchEvent",
                json!({"type": "touchMove", "touchPoints": points(at)}),
            );
        }
        self.b.call(
            Some(&self.s),
            "Input.dispatchTouchEvent",
            json!({"type": "touchEnd", "touchPoints": []}),
        );
    }

    /// Focuses the field `selector`, selects what is in it and types `text` over it.
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

    /// Enter as a keyboard types it, with its character, so that a focused button is
    /// pressed by it (a bare key-down is not enough for that).
    fn enter(&mut self) {
        for (kind, text) in [("keyDown", "\r"), ("keyUp", "")] {
            self.b.call(
                Some(&self.s),
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter", "text": text,
                       "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}),
            );
        }
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

    /// The texts of all elements matching `selector`.
    fn texts(&mut self, selector: &str) -> Vec<String> {
        let v = self.eval(&format!(
            "[...document.querySelectorAll({})].map(e => e.textContent)",
            json!(selector)
        ));
        serde_json::from_value(v).unwrap()
    }

    /// `data-name` of the element `selector`, or "" when it has none.
    fn data(&mut self, selector: &str, name: &str) -> String {
        let v = self.eval(&format!(
            "(() => {{ const el = document.querySelector({}); return el ? (el.dataset[{}] ?? '') : null; }})()",
            json!(selector),
            json!(name)
        ));
        v.as_str()
            .unwrap_or_else(|| panic!("no {selector}"))
            .to_string()
    }

    /// The texts of a drawn value's three cells, joined by `|`.
    fn cells(&mut self, id: u64) -> String {
        self.texts(&format!(
            "#graph-area g.value[data-node-id=\"{id}\"] text.cell"
        ))
        .join("|")
    }

    /// The node ids of the graph's values with class `class`.
    fn ids_with(&mut self, class: &str) -> Value {
        self.eval(&format!(
            "[...document.querySelectorAll('#graph-area g.value.{class}')].map(g => g.dataset.nodeId)"
        ))
    }

    /// Waits until the stepper shows step `k`.
    fn step_is(&mut self, k: usize) {
        self.wait(
            &format!("document.querySelector('#stepper-area').dataset.step === '{k}'"),
            &format!("step {k}"),
        );
    }

    /// Types `text` as the program and waits until the page shows its answer.
    fn program(&mut self, text: &str) {
        let before = self.data("body", "rendered");
        self.type_over("#editor-area textarea", text);
        self.wait(
            &format!(
                "document.body.dataset.rendered && document.body.dataset.rendered !== '{before}'"
            ),
            "the program's answer",
        );
    }

    fn shot(&mut self, path: &Path, params: Value) {
        let r = self.b.call(Some(&self.s), "Page.captureScreenshot", params);
        if let Some(data) = r["data"].as_str() {
            std::fs::write(path, decode_base64(data)).unwrap();
        }
    }

    /// The whole page (at most `max` px of it) as a PNG at `path`: the window is made
    /// as tall as the page for the picture, then put back.
    fn picture(&mut self, path: &Path, width: u32, phone: bool, max: f64) {
        // No scroll bar, so the page is laid out at the width the picture has.
        self.eval("document.documentElement.style.overflow = 'hidden'");
        self.frames();
        let h = self
            .num("document.documentElement.scrollHeight")
            .min(max)
            .ceil();
        let metrics = |height: f64| json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone});
        let set = "Emulation.setDeviceMetricsOverride";
        self.b.call(Some(&self.s), set, metrics(h));
        self.wait(&format!("innerHeight === {h}"), "the tall window");
        self.frames();
        self.shot(path, json!({"format": "png"}));
        self.b.call(
            Some(&self.s),
            set,
            metrics(if phone { 844.0 } else { 900.0 }),
        );
        self.eval("document.documentElement.style.overflow = ''");
    }

    /// Waits two frames, so that what was laid out is painted.
    fn frames(&mut self) {
        self.b.call(
            Some(&self.s),
            "Runtime.evaluate",
            json!({"expression": "new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(1))))", "awaitPromise": true}),
        );
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

/// The size in CSS px at which the graph's text is drawn now: the drawing's font size
/// times the scale it is shown at.
const TEXT_PX: &str = "(() => { const s = document.querySelector('#graph-area svg'); \
    return Number(s.getAttribute('font-size')) * s.getBoundingClientRect().width / Number(s.getAttribute('width')); })()";

#[test]
fn the_notebook_is_drawn_and_an_error_is_shown_at_its_whole_token_with_line_numbers() {
    let Some(mut p) = Page::start("editor") else {
        return;
    };
    p.open(1280, false, "");
    // The notebook's program, drawn by the library, with every value and grad once
    // backward has run (End).
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("L = -8.0000 · "));
    p.click("#stepper-area button[data-go=end]");
    let notebook = [
        (0, "a|data 2.0000|grad 6.0000"),
        (1, "b|data -3.0000|grad -4.0000"),
        (2, "c|data 10.0000|grad -2.0000"),
        (3, "e|data -6.0000|grad -2.0000"),
        (4, "d|data 4.0000|grad -2.0000"),
        (5, "f|data -2.0000|grad 4.0000"),
        (6, "L|data -8.0000|grad 1.0000"),
    ];
    for (id, cells) in notebook {
        assert_eq!(p.cells(id), cells, "value {id}");
    }
    assert_eq!(
        p.num("document.querySelectorAll('#hand-area li.cr-right').length"),
        7.0,
        "the notebook's seven hand grads are right"
    );
    // Line numbers beside the program: one per line.
    let lines = p
        .eval("document.querySelector('#editor-area textarea').value")
        .as_str()
        .unwrap()
        .split('\n')
        .count();
    let numbers = p.texts("#editor-area .cr-gutter span");
    assert_eq!(numbers.len(), lines);
    assert_eq!(
        numbers[..3],
        ["1".to_string(), "2".to_string(), "3".to_string()]
    );

    // Typing a program redraws it.
    p.program("x = 3\ny = x*x + 2*x");
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("y = 15.0000"));
    p.click("#stepper-area button[data-go=end]");
    assert_eq!(p.cells(0), "x|data 3.0000|grad 8.0000");

    // An error: its line number marked, the whole token underlined in the text, and the
    // caret under all of it; the last good graph stays, dimmed.
    p.program("x = 3\ny = tanhh(x) + 1");
    let err = "#editor-area .cr-error";
    assert_eq!(
        (
            p.data(err, "line"),
            p.data(err, "column"),
            p.data(err, "length")
        ),
        ("2".into(), "5".into(), "5".into())
    );
    assert!(
        p.text(err).contains("unknown function `tanhh`"),
        "{}",
        p.text(err)
    );
    assert_eq!(
        p.text("#editor-area .cr-error-excerpt"),
        "2 | y = tanhh(x) + 1\n  |     ^^^^^"
    );
    assert_eq!(p.text("#editor-area mark.cr-token-bad"), "tanhh");
    assert_eq!(p.text("#editor-area .cr-gutter .cr-gutter-bad"), "2");
    // The mark sits exactly under the token in the textarea: the same line, the same
    // columns (the text under the textarea is drawn with the same font and padding).
    let mark_left =
        p.num("document.querySelector('#editor-area mark').getBoundingClientRect().left");
    let mark_width =
        p.num("document.querySelector('#editor-area mark').getBoundingClientRect().width");
    let ch = p.num("(() => { const c = document.createElement('canvas').getContext('2d'); \
                    c.font = getComputedStyle(document.querySelector('#editor-area textarea')).font; \
                    return c.measureText('tanhh').width / 5; })()");
    let text_left = p.num("(() => { const t = document.querySelector('#editor-area textarea'); \
                           return t.getBoundingClientRect().left + parseFloat(getComputedStyle(t).paddingLeft); })()");
    assert!(
        (mark_left - (text_left + 4.0 * ch)).abs() < 1.0,
        "the mark starts at column 5: {mark_left} vs {text_left} + 4 × {ch}"
    );
    assert!((mark_width - 5.0 * ch).abs() < 1.0, "it spans 5 characters");
    assert_eq!(
        p.eval("document.querySelector('#graph-area').classList.contains('cr-stale')"),
        json!(true)
    );
    assert_eq!(
        p.cells(0),
        "x|data 3.0000|grad 8.0000",
        "the last good graph stays"
    );
    // Fixed, the error goes.
    p.program("x = 3\ny = tanh(x) + 1");
    assert_eq!(
        p.eval("document.querySelector('#editor-area .cr-error').hidden"),
        json!(true)
    );
    assert_eq!(
        p.eval("document.querySelectorAll('#editor-area mark').length"),
        json!(0)
    );
}

#[test]
fn on_a_390_px_phone_the_graph_shows_readable_without_sideways_scrolling_and_pans_by_touch() {
    let Some(mut p) = Page::start("phone") else {
        return;
    };
    p.open(390, true, "");
    assert_eq!(
        p.num("document.documentElement.scrollWidth"),
        390.0,
        "nothing scrolls the page sideways"
    );
    // The graph's box is on the first screen, across the width, with readable text.
    let r = p.eval("(() => { const r = document.querySelector('#graph-area .cr-graph-viewport').getBoundingClientRect(); return [r.left, r.right, r.top, r.height]; })()");
    let r: Vec<f64> = serde_json::from_value(r).unwrap();
    assert!(
        r[0] >= 0.0 && r[1] <= 390.0 && r[1] - r[0] > 300.0,
        "the box fits the screen: {r:?}"
    );
    assert!(
        r[2] < 500.0 && r[3] >= 140.0,
        "it is on the first screen: {r:?}"
    );
    let px = p.num(TEXT_PX);
    assert!(px >= 12.0, "the graph's text is {px} px");
    assert_eq!(
        p.num("document.querySelectorAll('#graph-area g.value').length"),
        7.0
    );
    // One finger pans the graph (not the page); two fingers pinch-zoom it.
    let x0 = p.num("Number(document.querySelector('#graph-area .cr-graph-viewport').dataset.x)");
    let (cx, cy) = (195.0, r[2] + r[3] / 2.0);
    p.touch(&[(cx - 100.0, cy)], &[(cx + 50.0, cy)]);
    let x1 = p.num("Number(document.querySelector('#graph-area .cr-graph-viewport').dataset.x)");
    assert!(
        x1 > x0 + 100.0,
        "a drag to the right moved the graph right: {x0} → {x1}"
    );
    assert_eq!(p.num("window.scrollX"), 0.0);
    let s0 =
        p.num("Number(document.querySelector('#graph-area .cr-graph-viewport').dataset.scale)");
    p.touch(
        &[(cx - 30.0, cy), (cx + 30.0, cy)],
        &[(cx - 90.0, cy), (cx + 90.0, cy)],
    );
    let s1 =
        p.num("Number(document.querySelector('#graph-area .cr-graph-viewport').dataset.scale)");
    assert!(
        s1 > 1.5 * s0,
        "spreading two fingers zoomed in: {s0} → {s1}"
    );
    // A tap on a value selects it.
    p.click("#graph-area button[data-zoom=fit]");
    let (x, y) = p.middle("#graph-area g.value[data-node-id=\"0\"] rect.box");
    p.touch(&[(x, y)], &[(x, y)]);
    p.wait(
        "document.querySelector('#node-area').dataset.nodeId === '0'",
        "a selected",
    );
    assert_eq!(p.num("document.documentElement.scrollWidth"), 390.0);

    // On a wide screen the notebook's graph is shown whole, its text still readable.
    p.open(1280, false, "");
    let px = p.num(TEXT_PX);
    assert!(px >= 12.0, "the graph's text is {px} px");
    let fits = p.eval("(() => { const v = document.querySelector('#graph-area .cr-graph-viewport').getBoundingClientRect(); \
        const s = document.querySelector('#graph-area svg').getBoundingClientRect(); \
        return s.left >= v.left && s.right <= v.right && s.top >= v.top && s.bottom <= v.bottom; })()");
    assert_eq!(fits, json!(true), "the whole graph is in view");
}

#[test]
fn a_value_is_focused_and_selected_from_the_keyboard_and_the_graph_has_a_text_form() {
    let Some(mut p) = Page::start("keyboard") else {
        return;
    };
    p.open(1280, false, "");
    // Tab from the last zoom button lands on a value of the graph: the output, L.
    p.eval("document.querySelector('#graph-area button[data-zoom=one]').focus()");
    p.press("Tab", 9);
    let focused = "document.activeElement.closest('g.value') && document.activeElement.closest('g.value').dataset.nodeId";
    assert_eq!(p.eval(focused), json!("6"));
    assert!(p
        .eval("document.activeElement.getAttribute('aria-label')")
        .as_str()
        .unwrap()
        .starts_with("L, data -8.0000, grad not known yet"));
    // The left arrow moves to the nearest value to the left; Enter selects it.
    let x_of = |p: &mut Page, id: &str| {
        p.num(&format!(
            "document.querySelector('#graph-area g.value[data-node-id=\"{id}\"]').getBoundingClientRect().x"
        ))
    };
    p.press("ArrowLeft", 37);
    let id = p.eval(focused).as_str().unwrap().to_string();
    assert_ne!(id, "6");
    assert!(x_of(&mut p, &id) < x_of(&mut p, "6"));
    p.press("Enter", 13);
    p.wait(
        &format!("document.querySelector('#node-area').dataset.nodeId === '{id}'"),
        "the panel of the value chosen with Enter",
    );
    assert_eq!(
        p.eval(&format!(
            "document.querySelector('#graph-area g.value[data-node-id=\"{id}\"]').getAttribute('aria-pressed')"
        )),
        json!("true")
    );
    // Left again, to a leaf further left, and Enter: its panel.
    for _ in 0..3 {
        p.press("ArrowLeft", 37);
    }
    let leaf = p.eval(focused).as_str().unwrap().to_string();
    p.press(" ", 32);
    p.wait(
        &format!("document.querySelector('#node-area').dataset.nodeId === '{leaf}'"),
        "the panel of the leaf chosen with Space",
    );
    // The graph as text: every value with how it is made, each a button.
    p.click("#graph-area .cr-graph-text summary");
    p.wait(
        "document.querySelectorAll('#graph-area .cr-graph-table tr[data-node-id]').length === 7",
        "the table",
    );
    let rows = p.texts("#graph-area .cr-graph-table tr[data-node-id] th");
    assert_eq!(rows, ["a", "b", "c", "e", "d", "f", "L"]);
    assert_eq!(
        p.texts("#graph-area .cr-graph-table tr[data-node-id=\"3\"] td"),
        ["a*b", "-6.0000", "not known yet"]
    );
    p.eval(
        "document.querySelector('#graph-area .cr-graph-table button[data-node-id=\"4\"]').focus()",
    );
    p.enter();
    p.wait(
        "document.querySelector('#node-area').dataset.nodeId === '4'",
        "d chosen from the table",
    );
    assert_eq!(p.text("#node-area .cr-node-title"), "d = e+c = 4.0000");
}

#[test]
fn clicking_a_leaf_selects_it_and_the_nudge_is_explicit_and_named() {
    let Some(mut p) = Page::start("nudge") else {
        return;
    };
    p.open(1280, false, &format!("p={}", percent_encode(NOTEBOOK)));
    p.click("#stepper-area button[data-go=end]");
    // A click selects b: its chain rule and check, and nothing is replayed.
    p.click("#graph-area g.value[data-node-id=\"1\"]");
    p.wait(
        "document.querySelector('#node-area').dataset.nodeId === '1'",
        "b's panel",
    );
    assert_eq!(
        p.text("#node-area .cr-node-chain"),
        "dL/db = dL/de · de/db = -2.0000 · 2.0000 = -4.0000\n  de/db = d(a*b)/db = a = 2.0000"
    );
    assert_eq!(p.data("#node-area .cr-node-check", "verdict"), "pass");
    assert_eq!(p.cells(1), "b|data -3.0000|grad -4.0000");
    assert_eq!(
        p.eval("document.querySelector('#graph-area .cr-graph-banner').hidden"),
        json!(true),
        "a click does not nudge"
    );
    assert_eq!(p.data("#node-area .cr-nudge-table", "h"), "");
    // The nudge says what it is, in the program's names.
    assert_eq!(p.text("#node-area .cr-nudge-go"), "Nudge b by h");
    assert_eq!(
        p.texts("#node-area .cr-nudge-table th"),
        [
            "L at b = -3.0000",
            "L at b = -3.0000 + h",
            "(L(b+h) − L(b))/h",
            "dL/db by backward"
        ]
    );
    p.type_over("#node-area .cr-nudge-h", "0.5");
    p.click("#node-area .cr-nudge-go");
    p.wait(
        "document.querySelector('#node-area .cr-nudge-table').dataset.h === '0.5'",
        "the nudge by 0.5",
    );
    assert_eq!(
        p.texts("#node-area .cr-nudge-table th")[1],
        "L at b = -3.0000 + 0.5"
    );
    assert_eq!(
        p.texts("#node-area .cr-nudge-table td"),
        ["-8.0000", "-10.0000", "-4.0000", "-4.0000"]
    );
    // The graph shows the replay, and says so.
    assert_eq!(
        p.text("#graph-area .cr-graph-banner span"),
        "Showing the graph replayed at b = -3.0000 + 0.5: L = -10.0000 (it was -8.0000)."
    );
    assert_eq!(p.cells(1), "b|data -2.5000|grad -4.0000");
    assert_eq!(p.cells(6), "L|data -10.0000|grad 1.0000");
    // Another value: h starts afresh, and the graph is the program's again.
    p.click("#graph-area g.value[data-node-id=\"0\"]");
    p.wait(
        "document.querySelector('#node-area').dataset.nodeId === '0'",
        "a's panel",
    );
    assert_eq!(
        p.eval("document.querySelector('#node-area .cr-nudge-h').value"),
        json!("0.001")
    );
    assert_eq!(
        p.eval("document.querySelector('#graph-area .cr-graph-banner').hidden"),
        json!(true)
    );
    assert_eq!(p.cells(1), "b|data -3.0000|grad -4.0000");
    // The notebook's own experiment on a: the finite difference agrees with the grad.
    p.click("#node-area .cr-nudge-go");
    p.wait(
        "document.querySelector('#node-area .cr-nudge-table').dataset.h === '0.001'",
        "the nudge of a",
    );
    let fd = p.num("Number(document.querySelector('#node-area .cr-nudge-table').dataset.fd)");
    assert!((fd - 6.0).abs() < 1e-6, "finite difference {fd}");
    assert_eq!(p.texts("#node-area .cr-nudge-table td")[1], "-7.9940");
    // Back to the program's values with the banner's button.
    p.click("#graph-area .cr-graph-banner button");
    assert_eq!(p.cells(0), "a|data 2.0000|grad 6.0000");

    // Other names, other labels.
    p.program("x = 3\ny = x*x + 2*x");
    p.click("#graph-area g.value[data-node-id=\"0\"]");
    p.wait(
        "document.querySelector('#node-area .cr-nudge-go').textContent === 'Nudge x by h'",
        "x's panel",
    );
    assert_eq!(
        p.texts("#node-area .cr-nudge-table th"),
        [
            "y at x = 3.0000",
            "y at x = 3.0000 + h",
            "(y(x+h) − y(x))/h",
            "dy/dx by backward"
        ]
    );
    // A wrong grad typed for x is flagged, with the right value and why.
    p.type_over("#node-area .cr-hand input", "6");
    p.press("Enter", 13);
    p.wait(
        "document.querySelector('#node-area .cr-hand-result').dataset.right === 'false'",
        "the verdict",
    );
    assert_eq!(p.data("#node-area .cr-hand-result", "correct"), "8");
    assert!(p
        .text("#node-area .cr-hand-result")
        .contains("should be 8.0000"));
}

#[test]
fn the_stepper_starts_at_step_0_and_narrates_each_step_as_chainrule_steps_does() {
    let Some(mut p) = Page::start("stepper") else {
        return;
    };
    p.open(1280, false, &format!("p={}", percent_encode(NOTEBOOK)));
    let st = "#stepper-area";
    assert_eq!(p.data(st, "step"), "0");
    assert_eq!(
        p.text("#stepper-area .cr-step-title"),
        "Step 0 of 7: before backward"
    );
    assert!(p
        .text("#stepper-area .cr-step-summary")
        .starts_with("No grad is known yet. Backward fills them in from the output L"));
    assert_eq!(
        p.text("#stepper-area .cr-step-status"),
        "Grads known: none. Not yet: L, f, d, e, c, b, a."
    );
    assert_eq!(p.cells(0), "a|data 2.0000|grad ?");
    assert_eq!(p.cells(6), "L|data -8.0000|grad ?");
    assert_eq!(p.ids_with("cr-step-lit"), json!([]));
    // One node at a time with the right arrow, from anywhere on the page but a field.
    p.click("#graph-area .cr-graph-caption");
    let order = [6, 5, 4, 3, 2, 1, 0];
    for (k, id) in order.iter().enumerate() {
        p.press("ArrowRight", 39);
        p.step_is(k + 1);
        assert_eq!(
            p.ids_with("cr-step-lit"),
            json!([id.to_string()]),
            "step {}",
            k + 1
        );
        if k + 1 == 3 {
            // d is done: its grad is drawn, a's is not yet, the edge d → L says × f.
            assert_eq!(p.text("#stepper-area .cr-step-title"), "Step 3 of 7: d");
            assert_eq!(
                p.text("#stepper-area .cr-step-summary"),
                "d is used once, so its grad is one chain-rule term."
            );
            assert_eq!(
                p.text("#stepper-area .cr-step-chain"),
                "dL/dd = d(d*f)/dd = f = -2.0000"
            );
            assert_eq!(
                p.text("#stepper-area .cr-step-status"),
                "Grads known: L, f, d. Not yet: e, c, b, a."
            );
            assert_eq!(p.cells(4), "d|data 4.0000|grad -2.0000");
            assert_eq!(p.cells(0), "a|data 2.0000|grad ?");
            assert_eq!(p.text("#graph-area text.cr-edge-label"), "× -2.0000");
        }
    }
    assert_eq!(
        p.text("#stepper-area .cr-step-summary"),
        "a is used once, so its grad is one chain-rule term."
    );
    assert_eq!(
        p.text("#stepper-area .cr-step-status"),
        "All 7 grads are known: backward is done."
    );
    assert_eq!(
        p.eval("document.querySelector('#stepper-area button[data-go=next]').disabled"),
        json!(true)
    );
    p.click("#stepper-area button[data-go=prev]");
    p.step_is(6);
    p.press("Home", 36);
    p.step_is(0);
    p.press("End", 35);
    p.step_is(7);
    // A value used twice is narrated so.
    p.program("x = 3\ny = x*x");
    p.click("#graph-area .cr-graph-caption");
    p.press("Home", 36);
    p.press("ArrowRight", 39);
    p.press("ArrowRight", 39);
    p.step_is(2);
    assert_eq!(
        p.text("#stepper-area .cr-step-summary"),
        "x is used 2 times: its grad is the sum of one term per use."
    );

    // A link's program, one point through micrograd's 2-16-16-1 MLP (about 700 values),
    // stepped through in the page.
    let src = mlp_program();
    p.open(1280, false, &format!("p={}", percent_encode(&src)));
    assert_eq!(
        p.num("document.querySelector('#editor-area textarea').value.length"),
        src.len() as f64
    );
    let n = p.num("document.querySelectorAll('#graph-area g.value[data-node-id]').length");
    assert!((650.0..=1200.0).contains(&n), "{n} values drawn");
    assert_eq!(p.data(st, "step"), "0");
    assert_eq!(
        p.num("document.querySelectorAll('#graph-area g.value.cr-step-unknown').length"),
        n,
        "no grad is known before backward"
    );
    let out = p.eval("document.querySelector('#graph-area g.value.out').dataset.nodeId");
    p.click("#graph-area .cr-graph-caption");
    p.press("ArrowRight", 39);
    p.step_is(1);
    assert_eq!(p.ids_with("cr-step-lit"), json!([out]), "the output first");
    for _ in 0..20 {
        p.press("ArrowRight", 39);
    }
    p.step_is(21);
    assert_eq!(
        p.num("document.querySelectorAll('#graph-area g.value.cr-step-unknown').length"),
        n - 21.0
    );
    p.press("End", 35);
    p.step_is(n as usize);
}

#[test]
fn a_changed_output_is_said_in_words_and_hand_grads_for_the_old_one_are_not_marked_wrong() {
    let Some(mut p) = Page::start("output") else {
        return;
    };
    p.open(1280, false, "");
    let notebook = p
        .eval("document.querySelector('#editor-area textarea').value")
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        p.eval("document.getElementById('output-notice').hidden"),
        json!(true)
    );
    // A line after L: M is the output now.
    p.program(&format!("{notebook}M = L*2\n"));
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("M = -16.0000"));
    assert_eq!(
        p.eval("document.getElementById('output-notice').hidden"),
        json!(false)
    );
    let notice = p.text("#output-notice");
    assert!(
        notice.starts_with("The output is now M, the program's last value; it was L."),
        "{notice}"
    );
    assert_eq!(
        p.num("document.querySelectorAll('#hand-area li.cr-wrong').length"),
        0.0
    );
    let old = p.texts("#hand-area li.cr-old-output");
    assert_eq!(old.len(), 7, "{old:?}");
    assert_eq!(
        old[5],
        "line 14: a.grad = 6.0000: right for dL/da, written before the output became M; dM/da = 12.0000"
    );
    // Back to L: nothing to say.
    p.program(&notebook);
    assert_eq!(
        p.eval("document.getElementById('output-notice').hidden"),
        json!(true)
    );
    assert_eq!(
        p.num("document.querySelectorAll('#hand-area li.cr-right').length"),
        7.0
    );
}

#[test]
fn the_training_view_shows_the_data_before_play_and_the_chart_has_labelled_axes() {
    let Some(mut p) = Page::start("train") else {
        return;
    };
    p.open(1280, false, "");
    p.click("#tab-train");
    // The data, drawn before any training.
    p.wait(
        "document.querySelector('#train-area canvas').dataset.points === '100'",
        "the data drawn",
    );
    assert_eq!(p.data("#train-area canvas", "step"), "0");
    assert_eq!(p.data("#train-area .cr-train-status", "step"), "0");
    // Colour where a point is: the canvas is not blank.
    let ink = p.num("(() => { const c = document.querySelector('#train-area canvas'); \
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
        let n = 0; for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 200 && d[k + 2] > 150 && d[k] < 80) n++; return n; })()");
    assert!(ink > 200.0, "{ink} pixels of blue points");
    // The chart's axes are labelled: step, loss, accuracy, with numbered ticks.
    assert_eq!(
        p.texts("#train-area .cr-chart-svg text.cr-axis-title"),
        ["step", "loss", "accuracy"]
    );
    let ticks = p.texts("#train-area .cr-chart-svg text.cr-tick");
    for t in ["0", "100", "100%", "50%"] {
        assert!(ticks.iter().any(|x| x == t), "tick {t} in {ticks:?}");
    }
    // Every dataset, activation, loss, optimizer and schedule of the training spec (what
    // `chainrule train --help` lists), from the engine's `train_spec`.
    for key in ["dataset", "activation", "loss", "optimizer", "schedule"] {
        let want = chainrule::nn::spec::field(key).unwrap().choices().unwrap();
        let got = p.texts(&format!("#train-area select[data-key={key}] option"));
        assert_eq!(got, want, "{key}");
    }

    // Train micrograd's demo to 100%, watching the boundary and the curves.
    p.click("#train-area button[data-act=play]");
    p.wait(
        "document.querySelector('#train-area .cr-train-status').dataset.step === '100' && \
         document.querySelector('#train-area .cr-train-status').dataset.playing === 'false'",
        "training to the end",
    );
    assert_eq!(
        p.data("#train-area .cr-train-status", "accuracy"),
        "1",
        "micrograd's demo reaches 100%"
    );
    assert_eq!(p.data("#train-area .cr-chart-svg", "points"), "100");
    // The boundary was drawn at step 0 and again as training went (waited for: under load
    // the last frame's drawing may come a moment after the status says step 100).
    p.wait(
        "Number(document.querySelector('#train-area canvas').dataset.frames) >= 2",
        "the boundary drawn at least twice",
    );
    // One point's graph through the trained model: click a point in the picture.
    p.click("#train-area canvas");
    p.wait(
        "document.querySelector('#train-area .cr-point-graph g.value.out')",
        "one point's graph",
    );
    assert!(
        p.text("#train-area .cr-point-summary")
            .contains("values at step 100"),
        "{}",
        p.text("#train-area .cr-point-summary")
    );
    assert!(p
        .eval("location.search")
        .as_str()
        .unwrap()
        .contains("view=train"));
}

#[test]
fn links_keep_the_program_and_the_training_settings_old_links_included() {
    let Some(mut p) = Page::start("links") else {
        return;
    };
    // A link as the page made it before the redesign.
    let q = format!(
        "p={}&view=train&dataset=circles&noise=0.2&lr=0.5&layers=8&activation=tanh&optimizer=adam",
        percent_encode("x = 2\ny = x*x\n")
    );
    p.open(1280, false, &q);
    assert_eq!(
        p.eval("document.getElementById('view-train').hidden"),
        json!(false)
    );
    for (key, want) in [
        ("dataset", "circles"),
        ("noise", "0.2"),
        ("lr", "0.5"),
        ("layers", "8"),
        ("activation", "tanh"),
        ("optimizer", "adam"),
        ("samples", "100"),
    ] {
        assert_eq!(
            p.eval(&format!(
                "document.querySelector('#train-area [data-key={key}]').value"
            )),
            json!(want),
            "{key}"
        );
    }
    p.wait(
        "document.querySelector('#train-area canvas').dataset.points === '100'",
        "the circles drawn",
    );
    p.click("#tab-graph");
    assert_eq!(
        p.eval("document.querySelector('#editor-area textarea').value"),
        json!("x = 2\ny = x*x\n")
    );
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("y = 4.0000"));
    // The page's own link carries the same state.
    let share = p.eval("document.getElementById('share').href");
    let share = share.as_str().unwrap();
    for part in [
        "p=x+%3D+2",
        "dataset=circles",
        "noise=0.2",
        "optimizer=adam",
    ] {
        assert!(share.contains(part), "{part} in {share}");
    }
    assert!(!share.contains("view=train"), "{share}");
}

/// The README's pictures of the page at 390, 768 and 1280 px, the graph view and the
/// training view, when `SCREENSHOTS=dir` is set (`scripts/page-screenshots.sh`).
#[test]
fn pictures_for_the_readme() {
    let Some(dir) = std::env::var_os("SCREENSHOTS").map(PathBuf::from) else {
        return;
    };
    let Some(mut p) = Page::start("pictures") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for width in [390, 768, 1280] {
        let phone = width == 390;
        p.open(width, phone, "");
        // Three steps into backward, d selected, a wrong grad typed for it.
        p.click("#graph-area .cr-graph-caption");
        for _ in 0..3 {
            p.press("ArrowRight", 39);
        }
        p.click("#graph-area g.value[data-node-id=\"4\"]");
        p.wait(
            "document.querySelector('#node-area').dataset.nodeId === '4'",
            "d's panel",
        );
        p.type_over("#node-area .cr-hand input", "4");
        p.press("Enter", 13);
        p.wait(
            "document.querySelector('#node-area .cr-hand-result').dataset.right === 'false'",
            "the verdict",
        );
        p.picture(
            &dir.join(format!("page-graph-{width}.png")),
            width,
            phone,
            2200.0,
        );
        // The training view after micrograd's demo, one point's graph shown.
        p.click("#tab-train");
        p.click("#train-area button[data-act=play]");
        p.wait(
            "document.querySelector('#train-area .cr-train-status').dataset.step === '100' && \
             document.querySelector('#train-area .cr-train-status').dataset.playing === 'false'",
            "training to the end",
        );
        p.click("#train-area canvas");
        p.wait(
            "document.querySelector('#train-area .cr-point-graph g.value.out')",
            "one point's graph",
        );
        p.picture(
            &dir.join(format!("page-train-{width}.png")),
            width,
            phone,
            2200.0,
        );
    }
}

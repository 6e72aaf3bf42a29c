//! What the browser tests of the page share: where the page is ([`Site`]: `chainrule
//! serve`, or the static site behind `python3 -m http.server`, both started in the test),
//! and a tab driven as a person would drive it ([`Page`]). Included by
//! `page_browser.rs` (each test on both homes) and `site_browser.rs` (the static site's
//! own) with `#[path]`.
#![allow(dead_code)]

use crate::browser::Browser;
pub use crate::static_server::StaticServer;

/// Each test, once on `chainrule serve` and once on the static site: the same assertions
/// for both homes of the page (`cargo test -- served`, `cargo test -- static_site`). The
/// including file brings [`Home`] into scope.
#[allow(unused_macros)]
macro_rules! on_both_homes {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn served() {
                super::$name(super::Home::Served)
            }
            #[test]
            fn static_site() {
                super::$name(super::Home::Static)
            }
        }
    )*};
}
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// How long a wait in the page lasts before the test fails: generous, because CI machines
/// are shared and slow at times (a DevTools call itself gives up after 60 s).
pub const WAIT_MS: u64 = 50_000;

/// The notebook's program, without its hand grads.
pub const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\n";

/// The size in CSS px at which the graph's text is drawn now: the drawing's font size
/// times the scale it is shown at.
pub const TEXT_PX: &str = "(() => { const s = document.querySelector('#graph-area svg'); \
    return Number(s.getAttribute('font-size')) * s.getBoundingClientRect().width / Number(s.getAttribute('width')); })()";

/// Where the page under test is served from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    /// `chainrule serve`, started in the test.
    Served,
    /// The static site (the engine in WebAssembly), served by `python3 -m http.server`
    /// started in the test.
    Static,
}

/// Where the page under test is: the only thing that knows.
pub struct Site {
    /// The page's origin and path, without a trailing `/`.
    pub base: String,
    _server: Option<StaticServer>,
}

impl Site {
    /// The page at home `home`, or at `CHAINRULE_PAGE_URL` when that is set (any other
    /// home of the page, for the same assertions).
    pub fn get(home: Home) -> Site {
        if let Ok(url) = std::env::var("CHAINRULE_PAGE_URL") {
            return Site {
                base: url.trim_end_matches('/').to_string(),
                _server: None,
            };
        }
        match home {
            Home::Served => {
                let addr = chainrule_serve::spawn_local().expect("a server on 127.0.0.1");
                Site {
                    base: format!("http://{addr}"),
                    _server: None,
                }
            }
            Home::Static => {
                let server = StaticServer::start(static_site());
                Site {
                    base: server.base.clone(),
                    _server: Some(server),
                }
            }
        }
    }

    /// `chainrule serve` started in the test with its configuration changed by `configure`
    /// (a bound made small enough to reach).
    pub fn served_with(
        configure: impl FnOnce(&mut chainrule_serve::Config) + Send + 'static,
    ) -> Site {
        let addr = chainrule_serve::spawn_local_with(configure).expect("a server on 127.0.0.1");
        Site {
            base: format!("http://{addr}"),
            _server: None,
        }
    }

    /// The page's URL with `query` (already encoded) after the test flag.
    pub fn url(&self, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{}/?test=1{sep}{query}", self.base)
    }
}

/// The static site's folder: `CHAINRULE_SITE` when set (`.ci/run` points it at the site
/// `scripts/build-site.sh` wrote), else written here, once, from the engine
/// (`CHAINRULE_WASM`, or built) by `chainrule_page::site`, as the script writes it.
pub fn static_site() -> PathBuf {
    static SITE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        if let Some(dir) = std::env::var_os("CHAINRULE_SITE") {
            return dir.into();
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("static-site");
        let wasm = std::fs::read(crate::engine::wasm_file()).expect("the engine");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in chainrule_page::site::site_files(&wasm).expect("the site") {
            chainrule::write_atomic(dir.join(name), &bytes).unwrap();
        }
        dir
    })
    .clone()
}

/// A page in the browser; on a failing test it saves a screenshot as it drops.
pub struct Page {
    pub b: Browser,
    pub s: String,
    pub site: Site,
    pub scratch: PathBuf,
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
    /// A browser with one tab, for the test `name` of the page at `home`; `None` (the
    /// test is skipped) without Chromium.
    pub fn start(name: &str, home: Home) -> Option<Page> {
        Page::start_at(name, &format!("{home:?}"), || Site::get(home))
    }

    /// [`Page::start`] for the page at the site `site` makes (called only with a browser).
    pub fn start_at(name: &str, home: &str, site: impl FnOnce() -> Site) -> Option<Page> {
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("page-browser")
            .join(format!("{name}-{home}"));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let mut b = Browser::start_or_skip(&scratch, (1280, 900))?;
        let s = b.open_tab();
        Some(Page {
            b,
            s,
            site: site(),
            scratch,
        })
    }

    /// Opens the page `width` px wide (a phone's screen, with touch, when `phone`) with
    /// `query`, and waits for its first graph.
    pub fn open(&mut self, width: u32, phone: bool, query: &str) {
        self.viewport(width, phone);
        let url = self.site.url(query);
        self.go(
            &url,
            "document.body.dataset.rendered",
            "the page's first answer",
        );
    }

    /// The window `width` px wide: a phone's screen (with touch) when `phone`.
    pub fn viewport(&mut self, width: u32, phone: bool) {
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
    }

    /// Goes to `url` and waits until `ready` holds on the new page.
    pub fn go(&mut self, url: &str, ready: &str, what: &str) {
        // A mark on the page being left, so that the wait below sees the new one.
        self.eval("window.leaving = true");
        self.b
            .call(Some(&self.s), "Page.navigate", json!({"url": url}));
        self.wait(&format!("!window.leaving && ({ready})"), what);
    }

    pub fn eval(&mut self, expr: &str) -> Value {
        self.b.eval(&self.s, expr)
    }

    pub fn num(&mut self, expr: &str) -> f64 {
        let v = self.eval(expr);
        v.as_f64().unwrap_or_else(|| panic!("{expr} is {v}"))
    }

    /// Waits (in the page, with a timeout) until `cond` is true; panics with `what` and
    /// the page's state if it never is.
    pub fn wait(&mut self, cond: &str, what: &str) {
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
    pub fn middle(&mut self, selector: &str) -> (f64, f64) {
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
    pub fn click(&mut self, selector: &str) {
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
    pub fn touch(&mut self, from: &[(f64, f64)], to: &[(f64, f64)]) {
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
    pub fn type_over(&mut self, selector: &str, text: &str) {
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({}); el.focus(); el.select(); return 0; }})()",
            json!(selector)
        ));
        self.b
            .call(Some(&self.s), "Input.insertText", json!({"text": text}));
    }

    pub fn press(&mut self, key: &str, code: u32) {
        self.b.press(&self.s, key, code);
    }

    /// Enter as a keyboard types it, with its character, so that a focused button is
    /// pressed by it (a bare key-down is not enough for that).
    pub fn enter(&mut self) {
        for (kind, text) in [("keyDown", "\r"), ("keyUp", "")] {
            self.b.call(
                Some(&self.s),
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter", "text": text,
                       "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}),
            );
        }
    }

    pub fn text(&mut self, selector: &str) -> String {
        let v = self.eval(&format!(
            "(() => {{ const el = document.querySelector({}); return el ? el.textContent : null; }})()",
            json!(selector)
        ));
        v.as_str()
            .unwrap_or_else(|| panic!("no {selector}"))
            .to_string()
    }

    /// The texts of all elements matching `selector`.
    pub fn texts(&mut self, selector: &str) -> Vec<String> {
        let v = self.eval(&format!(
            "[...document.querySelectorAll({})].map(e => e.textContent)",
            json!(selector)
        ));
        serde_json::from_value(v).unwrap()
    }

    /// `data-name` of the element `selector`, or "" when it has none.
    pub fn data(&mut self, selector: &str, name: &str) -> String {
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
    pub fn cells(&mut self, id: u64) -> String {
        self.texts(&format!(
            "#graph-area g.value[data-node-id=\"{id}\"] text.cell"
        ))
        .join("|")
    }

    /// The node ids of the graph's values with class `class`.
    pub fn ids_with(&mut self, class: &str) -> Value {
        self.eval(&format!(
            "[...document.querySelectorAll('#graph-area g.value.{class}')].map(g => g.dataset.nodeId)"
        ))
    }

    /// Waits until the stepper shows step `k`.
    pub fn step_is(&mut self, k: usize) {
        self.wait(
            &format!("document.querySelector('#stepper-area').dataset.step === '{k}'"),
            &format!("step {k}"),
        );
    }

    /// Puts `text` in the editor whole, as a paste does, and says so with an `input`
    /// event (typing thousands of lines into a textarea takes Chromium minutes). The
    /// caller waits for what it expects.
    pub fn put_whole(&mut self, text: &str) {
        self.eval(&format!(
            "(() => {{ const t = document.querySelector('#editor-area textarea'); t.value = {}; \
               t.dispatchEvent(new Event('input')); return 0; }})()",
            json!(text)
        ));
    }

    /// Types `text` as the program and waits until the page shows its answer.
    pub fn program(&mut self, text: &str) {
        let before = self.data("body", "rendered");
        self.type_over("#editor-area textarea", text);
        self.wait(
            &format!(
                "document.body.dataset.rendered && document.body.dataset.rendered !== '{before}'"
            ),
            "the program's answer",
        );
    }

    pub fn shot(&mut self, path: &Path, params: Value) {
        let r = self.b.call(Some(&self.s), "Page.captureScreenshot", params);
        if let Some(data) = r["data"].as_str() {
            std::fs::write(path, decode_base64(data)).unwrap();
        }
    }

    /// The whole page (at most `max` px of it) as a PNG at `path`: the window is made
    /// as tall as the page for the picture, then put back.
    pub fn picture(&mut self, path: &Path, width: u32, phone: bool, max: f64) {
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

    /// The notebook posed for a picture: three steps into backward, d selected, a wrong
    /// grad typed for it (its sign lost) and the engine's diagnosis shown.
    pub fn pose(&mut self) {
        self.click("#graph-area .cr-graph-caption");
        for _ in 0..3 {
            self.press("ArrowRight", 39);
        }
        self.click("#graph-area g.value[data-node-id=\"4\"]");
        self.wait(
            "document.querySelector('#node-area').dataset.nodeId === '4'",
            "d's panel",
        );
        self.type_over("#node-area .cr-hand input", "2");
        self.press("Enter", 13);
        self.wait(
            "document.querySelector('#node-area .cr-hand-result .cr-diagnosis')",
            "the diagnosis",
        );
    }

    /// Waits two frames, so that what was laid out is painted.
    pub fn frames(&mut self) {
        self.b.call(
            Some(&self.s),
            "Runtime.evaluate",
            json!({"expression": "new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(1))))", "awaitPromise": true}),
        );
    }
}

pub fn decode_base64(s: &str) -> Vec<u8> {
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
pub fn percent_encode(text: &str) -> String {
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

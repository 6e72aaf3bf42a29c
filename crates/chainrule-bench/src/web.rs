//! The live page in headless Chromium, on its two homes in one run (`chainrule-bench web
//! SITE`): `chainrule serve` (started here) and the static site `SITE` (as
//! `scripts/build-site.sh` writes it, served by `python3 -m http.server`), on the same
//! programs, each figure with its ratio static/served:
//!
//! - `open`: the notebook's graph on screen after opening the page (ms since navigation,
//!   the browser's cache off);
//! - `edit`: an edit to a 200-value program answered and the graph redrawn: ms from the
//!   moment the page asks the engine (its `chainrule:ask` mark, after the page's own
//!   typing pause) to the frame after the new graph is in the page, on the page as a
//!   learner has it (not in test mode); `edit-input`, the same edit in test mode (no
//!   typing pause), ms from the input event: the figure until 2026-12-06, which also
//!   counted the keystroke's own work (the link saved, the 5 KB textarea laid out
//!   again) and, edits coming back to back, the previous one's paint;
//! - `train`: micrograd's demo at the page's pace, frames drawn a second;
//! - `program`: the `program` call itself, the WebAssembly engine in Chromium against
//!   native code in this process, batches interleaved (ms per call, medians), with the
//!   ratio two ways: the median of each round's (a native batch and the WebAssembly batch
//!   right after it) and the fastest batch over the fastest (`wasm_over_native_best`);
//! - `site`: what the static page loads (opened, then training), gzipped (`gzip -9`);
//! - at 200, 1,000 and 10,000 values (`web-size-*`, each with its median and best of the
//!   runs on both homes): `open`, the program pasted into a page just opened in test
//!   mode (ms from the input event to the frame after its graph is in the page); `edit`,
//!   the program edited (tanh to relu and back) and redrawn (ms from the page's asking
//!   to the frame after, as `edit` above); `step`, one step of backward with the
//!   Next button, and `nudge`, the slider dragged on a leaf: ms from the event to the page
//!   changed and laid out again (a layout forced at once, so the figure does not wait
//!   for the display's next frame; what is left of the frame is the paint);
//!   `edit-number`, an input's number edited (0.5 to 0.6 and back: the graph keeps its
//!   shape, so the page changes the drawing's texts in place) and redrawn (timed as
//!   `edit`);
//!   `bytes`, the answers' sizes (the program's, and a nudge's as the page asks it).
//!
//! A figure "to the frame after" ends in that frame's `requestAnimationFrame` callback,
//! with a layout forced there: it counts the new drawing's style and layout (which the
//! frame does before it paints), not the paint. (Until 2026-12-05 it ended before them, and
//! left out most of what a new drawing costs the browser.)
//!
//! One JSON line per figure. Needs `chromium`, `python3` and `gzip`. `--sizes` runs only
//! the `web-size-*` figures; `--program` only the `program` call (the `web-program` lines,
//! a minute and a half quicker than the whole run, to try a change to the WebAssembly
//! build on).

#[path = "../../chainrule-cli/tests/support/browser.rs"]
mod browser;
#[path = "../../chainrule-serve/tests/support/programs.rs"]
mod programs;
#[path = "../../chainrule-serve/tests/support/static_server.rs"]
mod static_server;

use crate::serve::median;
use browser::Browser;
use chainrule_page::{Engine, Limits};
use serde_json::{json, Value};
use static_server::StaticServer;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The programs of the edit and the call: two inputs, 33 neurons, 200 values.
const PROGRAMS: [(&str, &str); 2] = [
    (
        "values200-tanh",
        include_str!("../../chainrule-wasm/tests/programs/values200-tanh.cr"),
    ),
    (
        "values200-relu",
        include_str!("../../chainrule-wasm/tests/programs/values200-relu.cr"),
    ),
];

/// A tab of the browser.
struct Tab {
    b: Browser,
    s: String,
}

impl Tab {
    /// The value of `expr`, awaited if it is a promise.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.b.call(
            Some(&self.s),
            "Runtime.evaluate",
            json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr:.80}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Opens `url` and waits (at most a minute) until `ready` holds.
    fn open(&mut self, url: &str, ready: &str) {
        self.eval("window.leaving = true");
        self.b
            .call(Some(&self.s), "Page.navigate", json!({"url": url}));
        let waited = self.eval(&format!(
            "new Promise((ok) => {{ const end = Date.now() + 60000; const poll = () => {{ \
               let v = false; try {{ v = !window.leaving && !!({ready}); }} catch (e) {{}} \
               if (v || Date.now() > end) ok(v); else setTimeout(poll, 5); }}; poll(); }})"
        ));
        assert_eq!(waited, json!(true), "{url}: {ready}");
    }
}

/// Which figures a run gives.
#[derive(Clone, Copy, PartialEq)]
pub enum Only {
    /// Every figure.
    All,
    /// The figures at 200, 1,000 and 10,000 values (`web-size-*`).
    Sizes,
    /// The `program` call, WebAssembly against native (`web-program`).
    Program,
}

/// Runs the benchmark on the static site in `site`, `runs` times each figure of `only`.
pub fn run(site: &Path, runs: usize, only: Only) -> bool {
    let scratch = std::env::temp_dir().join(format!("chainrule-bench-web-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch);
    let Some(mut b) = Browser::start(&scratch, (1280, 900)) else {
        eprintln!("chainrule-bench web: chromium is not installed");
        return false;
    };
    let s = b.open_tab();
    let mut tab = Tab { b, s };
    tab.b.call(
        Some(&tab.s),
        "Network.setCacheDisabled",
        json!({"cacheDisabled": true}),
    );
    // The moment the page first draws a graph, kept for `open`.
    tab.b.call(
        Some(&tab.s),
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "new MutationObserver((_, o) => { if (document.body && document.body.dataset.rendered) { \
            o.disconnect(); requestAnimationFrame(() => { document.body.getBoundingClientRect(); window.firstGraph = performance.now(); }); } }).observe(document, {attributes: true, subtree: true});"}),
    );
    let served = format!(
        "http://{}",
        chainrule_serve::spawn_local().expect("a server")
    );
    let statics = StaticServer::start(site.to_path_buf());
    let homes = [
        ("served", served.as_str()),
        ("static", statics.base.as_str()),
    ];
    match only {
        Only::Sizes => sizes(&mut tab, &homes, runs),
        Only::Program => program_lines(&mut tab, &statics.base, runs),
        Only::All => every_figure(&mut tab, &homes, site, runs),
    }
    drop(tab);
    let _ = std::fs::remove_dir_all(&scratch);
    true
}

/// Every figure, on both `homes` (the second the static site, of `site`), `runs` times.
fn every_figure(tab: &mut Tab, homes: &[(&str, &str); 2], site: &Path, runs: usize) {
    let statics = homes[1].1;
    let mut figures: Vec<(&str, [f64; 2], &str)> = Vec::new();
    let opened = homes.map(|(_, base)| open_time(tab, base, runs));
    figures.push(("open", opened, "ms"));
    let edits = homes.map(|(_, base)| edit_time(tab, base, runs));
    figures.push(("edit", edits, "ms"));
    let inputs = homes.map(|(_, base)| edit_input_time(tab, base, runs));
    figures.push(("edit-input", inputs, "ms"));
    let fps = homes.map(|(_, base)| train_fps(tab, base));
    figures.push(("train", fps, "frames/s"));
    for (name, [served, on_static], unit) in &figures {
        out!(
            "{{\"workload\":\"web-{name}\",\"served\":{served:.2},\"static\":{on_static:.2},\"unit\":\"{unit}\",\"static_over_served\":{:.3},\"runs\":{runs}}}",
            on_static / served
        );
    }
    program_lines(tab, statics, runs);
    sizes(tab, homes, runs);
    let (files, bytes, gz) = site_size(tab, statics, site);
    out!(
        "{{\"workload\":\"web-site\",\"files\":{files},\"bytes\":{bytes},\"gzip_bytes\":{gz},\"gzip_kib\":{:.1}}}",
        gz as f64 / 1024.0
    );
}

/// The `web-program` lines: the `program` call on the static site at `base` against
/// native code, for each program (`call_times`).
fn program_lines(tab: &mut Tab, base: &str, runs: usize) {
    for ((name, _), c) in PROGRAMS.iter().zip(call_times(tab, base, runs)) {
        out!(
            "{{\"workload\":\"web-program\",\"program\":\"{name}\",\"native_ms\":{:.3},\"wasm_ms\":{:.3},\"wasm_over_native\":{:.3},\"wasm_over_native_best\":{:.3},\"runs\":{runs}}}",
            c.native, c.wasm, c.ratio, c.best_ratio
        );
    }
}

/// The figures at 200, 1,000 and 10,000 values on both `homes`, `runs` times each.
fn sizes(tab: &mut Tab, homes: &[(&str, &str); 2], runs: usize) {
    for (name, source) in sized_programs() {
        let edited = source.replace("tanh", "relu");
        let numbered = source.replacen("= 0.5", "= 0.6", 1);
        assert_ne!(numbered, source, "{name} has an input 0.5 to edit");
        let values = answer_bytes(&source).0;
        let mut lines = Vec::new();
        let by_home =
            (*homes).map(|(_, base)| sized(tab, base, &source, [&edited, &numbered], runs));
        for (k, figure) in ["open", "edit", "step", "nudge", "edit-number"]
            .iter()
            .enumerate()
        {
            let [served, on_static] = [&by_home[0][k], &by_home[1][k]];
            lines.push(format!(
                "{{\"workload\":\"web-size-{figure}\",\"program\":\"{name}\",\"values\":{values},\"served_median\":{:.2},\"served_best\":{:.2},\"static_median\":{:.2},\"static_best\":{:.2},\"unit\":\"ms\",\"runs\":{}}}",
                median(served.clone()),
                best(served),
                median(on_static.clone()),
                best(on_static),
                served.len()
            ));
        }
        for l in lines {
            out!("{l}");
        }
        let (_, program_bytes, nudge_bytes) = answer_bytes(&source);
        out!(
            "{{\"workload\":\"web-size-bytes\",\"program\":\"{name}\",\"values\":{values},\"program_answer\":{program_bytes},\"nudge_answer\":{nudge_bytes}}}"
        );
    }
}

/// The programs of the figures by size: 200 values (the edit's own), about 1,000 and
/// about 10,000 (layers of neurons, `programs::about`).
fn sized_programs() -> Vec<(&'static str, String)> {
    vec![
        ("values200-tanh", PROGRAMS[0].1.to_string()),
        ("layered1000", programs::about(1_000)),
        ("layered10000", programs::about(10_000)),
    ]
}

/// The least of `xs`.
fn best(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The values of `source`'s graph, and the bytes of the page's answers on it: the
/// `program` answer, and a `nudge` of its first leaf as the page asks it.
fn answer_bytes(source: &str) -> (usize, usize, usize) {
    let mut engine = Engine::new(Limits::default());
    let (_, program) = engine.answer(
        "program",
        json!({ "source": source }).to_string().as_bytes(),
    );
    let a: Value = serde_json::from_str(&program).expect("an answer");
    let leaf = a["nodes"]
        .as_array()
        .and_then(|ns| ns.iter().rev().find(|n| n["leaf"] == json!(true)))
        .map_or(0, |n| n["id"].as_u64().unwrap_or(0));
    let request = json!({"source": source, "node": leaf, "h": 0.01, "svg": false});
    let (_, nudge) = engine.answer("nudge", request.to_string().as_bytes());
    (
        a["values"].as_u64().unwrap_or(0) as usize,
        program.len(),
        nudge.len(),
    )
}

/// Puts `source` in the editor and returns the ms from the input event to the frame after
/// the page's answer is in, styled and laid out (see the module's note).
fn edit(tab: &mut Tab, source: &str) -> f64 {
    tab.eval(&format!(
        "new Promise((ok) => {{ const t = document.querySelector('#editor-area textarea'); \
           const before = document.body.dataset.rendered; \
           new MutationObserver((_, o) => {{ if (document.body.dataset.rendered !== before) {{ o.disconnect(); \
             requestAnimationFrame(() => {{ document.body.getBoundingClientRect(); ok(performance.now() - t0); }}); }} }}) \
             .observe(document.body, {{attributes: true}}); \
           const t0 = performance.now(); t.value = {}; t.dispatchEvent(new Event('input')); }})",
        json!(source)
    ))
    .as_f64()
    .unwrap()
}

/// Puts `source` in the editor of a page in its own mode (not test mode: it waits for the
/// typing to pause, and saves its link when idle) and returns the ms from the moment the
/// page asks the engine (its `chainrule:ask` mark) to the frame after the answer is in,
/// styled and laid out.
fn answered(tab: &mut Tab, source: &str) -> f64 {
    tab.eval(&format!(
        "new Promise((ok) => {{ const t = document.querySelector('#editor-area textarea'); \
           const before = document.body.dataset.rendered; \
           new MutationObserver((_, o) => {{ if (document.body.dataset.rendered !== before) {{ o.disconnect(); \
             requestAnimationFrame(() => {{ document.body.getBoundingClientRect(); \
               const m = performance.getEntriesByName('chainrule:ask'); ok(performance.now() - m[m.length - 1].startTime); }}); }} }}) \
             .observe(document.body, {{attributes: true}}); \
           t.value = {}; t.dispatchEvent(new Event('input')); }})",
        json!(source)
    ))
    .as_f64()
    .unwrap()
}

/// The page on `source` at `base`: each run's time to open it, to edit it into `edited`
/// and back, to step backward, to nudge a leaf with the slider, and to edit it into
/// `numbered` (an input's number changed) and back (ms, in that order).
fn sized(
    tab: &mut Tab,
    base: &str,
    source: &str,
    [edited, numbered]: [&str; 2],
    runs: usize,
) -> [Vec<f64>; 5] {
    // Open: a fresh page (the notebook's), then the program pasted in, to its graph on
    // screen. (A link carrying 50 KB of program is longer than some servers take.)
    let mut open = Vec::new();
    for _ in 0..runs.max(3) {
        tab.open(&format!("{base}/?test=1"), "document.body.dataset.rendered");
        open.push(edit(tab, source));
    }
    // The rest on the page as a learner has it (see `answered`).
    tab.open(&format!("{base}/"), "document.body.dataset.rendered");
    answered(tab, source);
    answered(tab, edited);
    answered(tab, source);
    let edits: Vec<f64> = (0..runs.max(3) * 2)
        .map(|k| answered(tab, if k % 2 == 0 { edited } else { source }))
        .collect();
    // Steps: Next from step 0, one frame each.
    let steps: Vec<f64> = (0..runs.max(3) * 2)
        .map(|_| {
            tab.eval(
                "new Promise((ok) => { const b = document.querySelector('#stepper-area button[data-go=next]'); \
                   const t0 = performance.now(); b.click(); \
                   document.body.getBoundingClientRect(); ok(performance.now() - t0); })",
            )
            .as_f64()
            .unwrap()
        })
        .collect();
    // The nudge: the last leaf selected (from the graph's text form, as the keyboard can:
    // a large graph's far values are not parsed until they are wanted), then its slider
    // dragged a step at a time.
    tab.eval(
        "(() => { const text = document.querySelector('#graph-area .cr-graph-text'); text.open = true; \
           text.dispatchEvent(new Event('toggle')); \
           const leaves = [...text.querySelectorAll('tr[data-node-id]')].filter((r) => r.cells[1].textContent === 'leaf'); \
           leaves[leaves.length - 1].querySelector('button').click(); text.open = false; return 1; })()",
    );
    let nudges: Vec<f64> = (0..runs.max(3) * 2)
        .map(|k| {
            let h = format!("{:.2}", 0.1 + 0.01 * k as f64);
            tab.eval(&format!(
                "new Promise((ok) => {{ const s = document.querySelector('#node-area input[type=range]'); \
                   const table = document.querySelector('#node-area .cr-nudge-table'); \
                   new MutationObserver((_, o) => {{ if (table.dataset.h === String(Number('{h}'))) {{ o.disconnect(); \
                     document.body.getBoundingClientRect(); ok(performance.now() - t0); }} }}) \
                     .observe(table, {{attributes: true}}); \
                   const t0 = performance.now(); s.value = '{h}'; s.dispatchEvent(new Event('input')); }})"
            ))
            .as_f64()
            .unwrap()
        })
        .collect();
    // An input's number edited and back: the graph the same shape, its texts changed in
    // place: the drawing's element stays, which is checked here.
    answered(tab, numbered);
    answered(tab, source);
    let mark = "document.querySelector('#graph-area svg').dataset.probe";
    tab.eval(&format!("{mark} = 'kept'"));
    let numbers: Vec<f64> = (0..runs.max(3) * 2)
        .map(|k| answered(tab, if k % 2 == 0 { numbered } else { source }))
        .collect();
    if tab.eval(mark) != json!("kept") {
        eprintln!("chainrule-bench web: an input's number edited redrew the whole drawing");
    }
    [open, edits, steps, nudges, numbers]
}

/// The median time from navigation to the notebook's graph on screen.
fn open_time(tab: &mut Tab, base: &str, runs: usize) -> f64 {
    let times = (0..runs.max(3))
        .map(|_| {
            tab.open(&format!("{base}/"), "window.firstGraph");
            tab.eval("window.firstGraph").as_f64().unwrap()
        })
        .collect();
    median(times)
}

/// The median time from the page asking about an edit to the frame after its graph is in
/// the page (see `answered`), editing between the two 200-value programs.
fn edit_time(tab: &mut Tab, base: &str, runs: usize) -> f64 {
    edits_median(tab, &format!("{base}/"), answered, runs)
}

/// `edit_time` as it was timed until 2026-12-06: in test mode (no typing pause), from the
/// input event, edits back to back.
fn edit_input_time(tab: &mut Tab, base: &str, runs: usize) -> f64 {
    edits_median(tab, &format!("{base}/?test=1"), edit, runs)
}

/// The median of `timed` edits between the two 200-value programs on the page at `url`,
/// after one of each.
fn edits_median(tab: &mut Tab, url: &str, timed: fn(&mut Tab, &str) -> f64, runs: usize) -> f64 {
    tab.open(url, "document.body.dataset.rendered");
    for (_, p) in PROGRAMS {
        timed(tab, p);
    }
    let times = (0..runs.max(3) * 2)
        .map(|k| timed(tab, PROGRAMS[k % 2].1))
        .collect();
    median(times)
}

/// Frames drawn a second while micrograd's demo plays at the page's pace (40 steps a second).
fn train_fps(tab: &mut Tab, base: &str) -> f64 {
    tab.open(
        &format!("{base}/?view=train"),
        "document.querySelector('#train-area canvas').dataset.points === '100'",
    );
    let r = tab.eval(
        "new Promise((ok) => { const c = document.querySelector('#train-area canvas'); \
           const st = document.querySelector('#train-area .cr-train-status'); \
           const f0 = Number(c.dataset.frames); const t0 = performance.now(); \
           document.querySelector('#train-area button[data-act=play]').click(); \
           const poll = () => { if (st.dataset.step === '100' && st.dataset.playing === 'false') \
             ok([Number(c.dataset.frames) - f0, performance.now() - t0]); else setTimeout(poll, 10); }; poll(); })",
    );
    let frames = r[0].as_f64().unwrap();
    let ms = r[1].as_f64().unwrap();
    frames / (ms / 1000.0)
}

/// One program's `program` call timed natively and in the WebAssembly engine.
struct CallTimes {
    /// The median ms per call natively, and in WebAssembly.
    native: f64,
    wasm: f64,
    /// The median over the rounds of WebAssembly's time over native's in the same round
    /// (a slow spell of the shared machine falls on both halves of a round alike).
    ratio: f64,
    /// The fastest WebAssembly batch over the fastest native one: what a busy machine
    /// disturbs least.
    best_ratio: f64,
}

/// The `program` call's time per call natively (here) and in the WebAssembly engine in
/// Chromium, batches of 10 interleaved, for each program.
fn call_times(tab: &mut Tab, base: &str, runs: usize) -> Vec<CallTimes> {
    tab.open(&format!("{base}/?test=1"), "document.body.dataset.rendered");
    tab.eval(&format!(
        "import('./engine-wasm.js').then(async (m) => {{ window.raw = await m.loadEngine('./chainrule.wasm'); \
           window.bodies = {}; return 1; }})",
        json!(PROGRAMS
            .iter()
            .map(|(_, p)| json!({"source": p}).to_string())
            .collect::<Vec<_>>())
    ));
    let mut engine = Engine::new(Limits::default());
    let mut times = Vec::new();
    for (k, (_, p)) in PROGRAMS.iter().enumerate() {
        let body = json!({ "source": p }).to_string();
        let batch_native = |e: &mut Engine| {
            let t = Instant::now();
            for _ in 0..10 {
                std::hint::black_box(e.answer("program", body.as_bytes()));
            }
            t.elapsed().as_secs_f64() * 100.0
        };
        let batch_wasm = |tab: &mut Tab| {
            tab.eval(&format!(
                "(() => {{ const t = performance.now(); for (let i = 0; i < 10; i++) raw.raw('program', bodies[{k}]); \
                   return (performance.now() - t) / 10; }})()"
            ))
            .as_f64()
            .unwrap()
        };
        // Warm both up (V8 tiers its WebAssembly up after a while).
        for _ in 0..3 {
            batch_native(&mut engine);
            batch_wasm(tab);
        }
        let (mut n, mut w) = (Vec::new(), Vec::new());
        for _ in 0..runs.max(5) {
            n.push(batch_native(&mut engine));
            w.push(batch_wasm(tab));
        }
        let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let ratios: Vec<f64> = w.iter().zip(&n).map(|(w, n)| w / n).collect();
        times.push(CallTimes {
            best_ratio: fastest(&w) / fastest(&n),
            ratio: median(ratios),
            native: median(n),
            wasm: median(w),
        });
    }
    times
}

/// What the static page loads when opened and when training starts, as files of `site`:
/// how many, their bytes, and their bytes gzipped.
fn site_size(tab: &mut Tab, base: &str, site: &Path) -> (usize, u64, u64) {
    let id = tab.s.clone();
    tab.b.record_requests(&id);
    tab.open(&format!("{base}/"), "document.body.dataset.rendered");
    tab.open(
        &format!("{base}/?view=train"),
        "document.querySelector('#train-area canvas').dataset.points === '100'",
    );
    let mut files: Vec<PathBuf> = tab
        .b
        .requests
        .iter()
        .filter_map(|u| u.strip_prefix(base))
        .map(|p| p.split('?').next().unwrap_or(""))
        .map(|p| match p.trim_start_matches('/') {
            "" => site.join("index.html"),
            f => site.join(f),
        })
        .collect();
    files.sort();
    files.dedup();
    let mut bytes = 0;
    let mut gz = 0;
    for f in &files {
        bytes += std::fs::metadata(f).map_or(0, |m| m.len());
        let out = std::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(f)
            .output()
            .expect("gzip runs");
        gz += out.stdout.len() as u64;
    }
    (files.len(), bytes, gz)
}

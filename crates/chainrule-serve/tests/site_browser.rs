//! The static site's own tests in headless Chromium (the page's tests run on it too: see
//! page_browser.rs): the page in one file opened from disk, the engine warmed up once the
//! page is idle, every request the site makes
//! on its own origin (the page's and its workers', all recorded), a link made on `chainrule
//! serve` opened on the static site and back, and the embed: several on one page, each
//! independent, in the teacher's column, no styles leaking either way, a broken program's
//! error in its own box and never a throw into the host page, a value selected from the
//! keyboard. `SCREENSHOTS=dir` makes `pictures_of_the_site` save pictures of the static
//! page, the one-file page and the embed's example at 390, 768 and 1280 px there.
//!
//! The site is `CHAINRULE_SITE` (`.ci/run` builds it with scripts/build-site.sh) or written
//! by the test from the engine; `python3 -m http.server`, started in the test, serves it.
#![cfg(target_os = "linux")]

#[path = "../../chainrule-cli/tests/support/browser.rs"]
mod browser;
#[path = "../../chainrule-wasm/tests/support/engine.rs"]
mod engine;
#[path = "support/page.rs"]
mod page;
#[path = "support/static_server.rs"]
mod static_server;

use page::{static_site, Home, Page, Site, StaticServer};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Whether the embed's example has drawn its two embeds.
const EMBEDS_DRAWN: &str = "document.querySelectorAll('chainrule-graph').length === 2 && \
    [...document.querySelectorAll('chainrule-graph')].every((e) => e.dataset.rendered)";

/// What the page shows of the notebook's graph once it has drawn it.
const NOTEBOOK_CAPTION: &str = "L = -8.0000 · 7 values · gradient check passed (7 checked)";

/// The origin of a URL (`scheme://host:port`), or the scheme alone for the schemes that
/// have no host (`data:`, `blob:`, `file:`).
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    match scheme {
        "http" | "https" => {
            let host = rest
                .trim_start_matches("//")
                .split('/')
                .next()
                .unwrap_or("");
            format!("{scheme}://{host}")
        }
        other => format!("{other}:"),
    }
}

/// Waits for the static page's warm-up (warm.js: the engine asked about two programs of
/// 129 and 162 values, 30 times, while the page is idle) and checks that every call was
/// answered with a graph.
fn warmed_up(p: &mut Page) {
    const MARK: &str = "performance.getEntriesByName('chainrule:warmed')";
    p.wait(&format!("{MARK}.length === 1"), "the engine's warm-up");
    let d = p.eval(&format!("{MARK}[0].detail"));
    assert_eq!([&d["ok"], &d["calls"]], [&json!(true), &json!(30)], "{d}");
    assert!(d["ms"].as_f64().is_some_and(|ms| ms > 0.0), "{d}");
}

/// Trains micrograd's demo to the end in the training view and shows one point's graph.
fn train_to_the_end(p: &mut Page) {
    p.click("#tab-train");
    p.wait(
        "document.querySelector('#train-area canvas').dataset.points === '100'",
        "the data drawn",
    );
    p.click("#train-area button[data-act=play]");
    p.wait(
        "document.querySelector('#train-area .cr-train-status').dataset.step === '100' && \
         document.querySelector('#train-area .cr-train-status').dataset.playing === 'false'",
        "training to the end",
    );
    assert_eq!(p.data("#train-area .cr-train-status", "accuracy"), "1");
    p.click("#train-area canvas");
    p.wait(
        "document.querySelector('#train-area .cr-point-graph g.value.out')",
        "one point's graph",
    );
}

/// Nudges leaf a of the notebook by the default h: the finite difference is its grad, 6.
fn nudge_a(p: &mut Page) {
    p.click("#graph-area g.value[data-node-id=\"0\"]");
    p.wait(
        "document.querySelector('#node-area').dataset.nodeId === '0'",
        "a's panel",
    );
    p.click("#node-area .cr-nudge-go");
    p.wait(
        "document.querySelector('#node-area .cr-nudge-table').dataset.h === '0.001'",
        "the nudge of a",
    );
    let fd = p.num("Number(document.querySelector('#node-area .cr-nudge-table').dataset.fd)");
    assert!((fd - 6.0).abs() < 1e-6, "finite difference {fd}");
}

#[test]
fn the_page_in_one_file_works_opened_from_disk() {
    let Some(mut p) = Page::start("one-file", Home::Static) else {
        return;
    };
    let file = static_site().join("chainrule.html");
    assert!(file.exists(), "{}", file.display());
    let id = p.s.clone();
    p.b.record_requests(&id);
    p.go(
        &format!("file://{}?test=1", file.display()),
        "document.body.dataset.rendered",
        "the page's first answer",
    );
    assert_eq!(p.text("#graph-area .cr-graph-caption"), NOTEBOOK_CAPTION);
    warmed_up(&mut p);
    nudge_a(&mut p);
    p.program("x = 3\ny = x*x + 2*x");
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("y = 15.0000"));
    // Training, in a worker made from the script inside the page.
    train_to_the_end(&mut p);
    // It loaded nothing but itself: the worker's script and the engine are inside.
    let loaded: Vec<String> = p.b.requests.iter().map(|u| origin(u)).collect();
    assert!(
        loaded
            .iter()
            .all(|o| ["file:", "blob:", "data:"].contains(&o.as_str())),
        "{:?}",
        p.b.requests
    );
    let files: Vec<&String> =
        p.b.requests
            .iter()
            .filter(|u| u.starts_with("file:"))
            .collect();
    assert_eq!(files.len(), 1, "the page alone: {files:?}");
    assert!(
        p.b.requests.iter().any(|u| u.starts_with("blob:")),
        "the worker came from a blob URL: {:?}",
        p.b.requests
    );
}

#[test]
fn every_request_the_static_site_makes_stays_on_its_own_origin() {
    let Some(mut p) = Page::start("origin", Home::Static) else {
        return;
    };
    let id = p.s.clone();
    p.b.record_requests(&id);
    p.open(1280, false, "");
    warmed_up(&mut p);
    nudge_a(&mut p);
    p.type_over("#node-area .cr-hand input", "6");
    p.press("Enter", 13);
    p.wait(
        "document.querySelector('#node-area .cr-hand-result').dataset.right === 'true'",
        "the verdict",
    );
    train_to_the_end(&mut p);
    let embeds = format!("{}/embed-example.html", p.site.base);
    p.go(&embeds, EMBEDS_DRAWN, "the embeds drawn");
    let own = origin(&p.site.base);
    let elsewhere: Vec<&String> =
        p.b.requests
            .iter()
            .filter(|u| origin(u) != own && !u.starts_with("data:") && !u.starts_with("blob:"))
            .collect();
    assert!(elsewhere.is_empty(), "requests elsewhere: {elsewhere:?}");
    // Everything was recorded, the worker's own requests included: the page and the
    // worker each load the engine's glue.
    let glue =
        p.b.requests
            .iter()
            .filter(|u| u.ends_with("/engine-wasm.js"))
            .count();
    assert!(glue >= 2, "{:?}", p.b.requests);
    for f in ["/chainrule.wasm", "/train-worker.js", "/chainrule-embed.js"] {
        assert!(p.b.requests.iter().any(|u| u.ends_with(f)), "{f}");
    }
}

#[test]
fn a_link_made_on_the_served_page_opens_the_same_state_on_the_static_site_and_back() {
    let Some(mut p) = Page::start("share", Home::Served) else {
        return;
    };
    let statics = Site::get(Home::Static);
    p.open(1280, false, "");
    p.program("x = 2\ny = tanh(x*x)\n");
    p.click("#tab-train");
    p.wait(
        "document.querySelector('#train-area [data-key=dataset]')",
        "the form",
    );
    for (key, value) in [
        ("dataset", "circles"),
        ("optimizer", "adam"),
        ("layers", "8,8"),
    ] {
        p.eval(&format!(
            "(() => {{ const f = document.querySelector('#train-area [data-key={key}]'); f.value = {}; \
               f.dispatchEvent(new Event('change', {{bubbles: true}})); return 0; }})()",
            json!(value)
        ));
    }
    let served = p.eval("document.getElementById('share').href");
    let served = served.as_str().unwrap().to_string();
    let (_, query) = served.split_once('?').unwrap();
    // The same link on the static site: the same program, view and settings (the rate
    // followed the optimizer there too).
    let on_static = format!("{}/?{query}", statics.base);
    p.go(
        &on_static,
        "document.body.dataset.rendered",
        "the static page",
    );
    let check = |p: &mut Page, program: &str, view: &str, settings: &[(&str, &str)]| {
        assert_eq!(
            p.eval("document.querySelector('#editor-area textarea').value"),
            json!(program)
        );
        assert_eq!(
            p.eval("document.getElementById('view-train').hidden"),
            json!(view != "train")
        );
        p.wait(
            "document.querySelector('#train-area [data-key=dataset]')",
            "the form",
        );
        for (key, want) in settings {
            let got = p.eval(&format!(
                "document.querySelector('#train-area [data-key={key}]').value"
            ));
            assert_eq!(got, json!(want), "{key}");
        }
    };
    let first = [
        ("dataset", "circles"),
        ("optimizer", "adam"),
        ("layers", "8,8"),
        ("lr", "0.01"),
        ("noise", "0.1"),
    ];
    check(&mut p, "x = 2\ny = tanh(x*x)\n", "train", &first);
    p.wait(
        "document.querySelector('#train-area canvas').dataset.points === '100'",
        "the circles drawn",
    );
    // Changed on the static site, and back to the served page.
    p.eval(
        "(() => { const f = document.querySelector('#train-area [data-key=noise]'); f.value = '0.25'; \
           f.dispatchEvent(new Event('change', {bubbles: true})); return 0; })()",
    );
    p.click("#tab-graph");
    p.program("x = 3\ny = x*x\n");
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("y = 9.0000"));
    let link = p.eval("document.getElementById('share').href");
    let (_, query) = link.as_str().unwrap().split_once('?').unwrap();
    let back = format!("{}/?{query}", p.site.base);
    p.go(&back, "document.body.dataset.rendered", "the served page");
    let second = [
        ("dataset", "circles"),
        ("noise", "0.25"),
        ("optimizer", "adam"),
    ];
    check(&mut p, "x = 3\ny = x*x\n", "graph", &second);
    assert!(p
        .text("#graph-area .cr-graph-caption")
        .starts_with("y = 9.0000"));
    assert!(!query.contains("view=train"), "{query}");
}

/// A teacher's page: a column of prose with styles that would spoil the embeds if they
/// leaked in, three embeds (the last one broken), and host elements with the embed's
/// class names, which must keep the host's look.
const HOST_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A course page</title>
<style>
  html { font-size: 10px; }
  body { margin: 0; font: 20px/1.7 Georgia, serif; color: rgb(10, 20, 30); }
  article { max-width: 600px; margin: 0 auto; padding: 0 12px; }
  button { background: rgb(255, 0, 0) !important; font-size: 31px !important; }
  .cr-graph, .cr-stepper { display: none !important; }
  text { font-size: 40px !important; }
  .cr-hint { color: rgb(0, 128, 0); }
</style>
<script>
  window.hostErrors = [];
  addEventListener("error", (e) => hostErrors.push(String(e.message)));
  addEventListener("unhandledrejection", (e) => hostErrors.push(String(e.reason)));
</script>
<script src="./chainrule-embed.js"></script>
</head><body><article>
<p class="cr-hint" id="host-hint">The host's own hint, in the host's green.</p>
<chainrule-graph id="one" show="graph stepper nudge quiz">
    a = 2; b = -3; c = 10
    e = a*b
    d = e + c
    f = -2
    L = d*f
</chainrule-graph>
<p>Some prose between the embeds.</p>
<chainrule-graph id="two" show="graph nudge quiz" select="x">
    x = 3
    y = x*x + 2*x
</chainrule-graph>
<chainrule-graph id="broken" show="graph stepper">
    x = 1
    y = tanhh(x)
</chainrule-graph>
<p id="after">The page goes on after a broken embed.</p>
</article></body></html>
"#;

/// `expr` evaluated inside the shadow root of the embed `#id`.
fn in_embed(id: &str, expr: &str) -> String {
    format!("((root) => {expr})(document.getElementById('{id}').shadowRoot)")
}

#[test]
fn embeds_are_independent_fit_the_column_keep_their_styles_apart_and_a_broken_one_stays_in_its_box()
{
    let Some(mut p) = Page::start("embeds", Home::Static) else {
        return;
    };
    // The teacher's page, beside a copy of the one script it needs.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("embed-host");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        static_site().join("chainrule-embed.js"),
        dir.join("chainrule-embed.js"),
    )
    .unwrap();
    std::fs::write(dir.join("index.html"), HOST_PAGE).unwrap();
    let host = StaticServer::start(dir);
    for width in [1280, 390] {
        p.viewport(width, width < 500);
        p.go(
            &format!("{}/index.html", host.base),
            "['one', 'two', 'broken'].every((id) => document.getElementById(id).dataset.rendered)",
            "the three embeds",
        );
        // Each fits the column and nothing scrolls sideways.
        let column = p.num("document.querySelector('article').getBoundingClientRect().width");
        for id in ["one", "two", "broken"] {
            let w = p.num(&format!(
                "document.getElementById('{id}').getBoundingClientRect().width"
            ));
            assert!(w <= column && w > column - 30.0, "{id}: {w} in {column}");
        }
        assert_eq!(
            p.eval("document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            json!(true),
            "nothing scrolls sideways at {width} px"
        );
    }
    // The good ones drew their graphs, whatever the host's styles say about buttons,
    // `.cr-graph` and SVG text.
    let caption = |p: &mut Page, id: &str| {
        p.eval(&in_embed(
            id,
            "root.querySelector('.cr-graph-caption').textContent",
        ))
    };
    assert_eq!(caption(&mut p, "one"), json!(NOTEBOOK_CAPTION));
    assert!(caption(&mut p, "two")
        .as_str()
        .unwrap()
        .starts_with("y = 15.0000"));
    let look = p.eval(&in_embed(
        "one",
        "(() => { const b = getComputedStyle(root.querySelector('button')); \
           const g = getComputedStyle(root.querySelector('.cr-graph')); \
           const t = getComputedStyle(root.querySelector('svg text')); \
           return [b.backgroundColor, b.fontSize, g.display, t.fontSize]; })()",
    ));
    assert_eq!(look[0], json!("rgb(255, 255, 255)"), "{look}");
    assert_eq!(look[1], json!("14px"), "{look}");
    assert_eq!(look[2], json!("flex"), "{look}");
    assert_ne!(look[3], json!("40px"), "{look}");
    // The host's root font size (10px here) does not reach in through `rem`: the
    // stepper's heading is 1.05 × 16px and its panel's spacing as on chainrule's own page.
    let sizes = p.eval(&in_embed(
        "one",
        "(() => { const s = root.querySelector('.cr-stepper, .cr-embed-stepper'); \
           const h = s.querySelector('h2'); \
           return [getComputedStyle(h).fontSize, getComputedStyle(h).marginBottom]; })()",
    ));
    assert_eq!(sizes, json!(["16.8px", "8px"]), "{sizes}");
    // And the embed's styles stay in: the host's own `.cr-hint` keeps the host's look.
    assert_eq!(
        p.eval("[getComputedStyle(document.getElementById('host-hint')).color, getComputedStyle(document.getElementById('host-hint')).fontSize]"),
        json!(["rgb(0, 128, 0)", "20px"])
    );
    // The broken one: its error, at its line and column, inside its own box; nothing
    // thrown into the host page, which goes on.
    let error = p.eval(&in_embed(
        "broken",
        "(() => { const e = root.querySelector('.cr-error'); \
           return [e.hidden, e.dataset.line, e.dataset.column, e.textContent]; })()",
    ));
    assert_eq!(error[0], json!(false));
    assert_eq!(
        (error[1].clone(), error[2].clone()),
        (json!("2"), json!("5"))
    );
    assert!(
        error[3]
            .as_str()
            .unwrap()
            .contains("unknown function `tanhh`"),
        "{error}"
    );
    assert_eq!(p.data("#broken", "ok"), "false");
    // With no answer to show, its stepper (asked for) is not shown empty beside the error.
    assert_eq!(
        p.eval(&in_embed(
            "broken",
            "root.querySelector('.cr-embed-stepper').getClientRects().length"
        )),
        json!(0)
    );
    assert_eq!(p.eval("hostErrors"), json!([]));
    assert_eq!(
        p.eval("document.getElementById('after').getBoundingClientRect().height > 0"),
        json!(true)
    );
    // Independent: stepping the first leaves the second's state alone; the second opened
    // with its own selection.
    assert_eq!(
        p.eval(&in_embed(
            "two",
            "root.querySelector('.cr-embed-node').dataset.nodeId"
        )),
        json!("0")
    );
    p.eval(&in_embed(
        "one",
        "root.querySelector('button[data-go=next]').click()",
    ));
    p.eval(&in_embed(
        "one",
        "root.querySelector('button[data-go=next]').click()",
    ));
    assert_eq!(
        p.eval(&in_embed(
            "one",
            "root.querySelector('.cr-embed-stepper').dataset.step"
        )),
        json!("2")
    );
    assert_eq!(
        p.eval(&in_embed(
            "one",
            "root.querySelector('.cr-embed-node')?.dataset.nodeId"
        )),
        json!("")
    );
    // A value of the first selected from the keyboard: Tab to the graph (the output), the
    // left arrow to f's neighbour, Enter.
    p.eval(&in_embed(
        "one",
        "root.querySelector('button[data-zoom=one]').focus()",
    ));
    p.press("Tab", 9);
    let focused = in_embed(
        "one",
        "root.activeElement && root.activeElement.closest('g.value') && root.activeElement.closest('g.value').dataset.nodeId",
    );
    assert_eq!(p.eval(&focused), json!("6"));
    p.press("ArrowLeft", 37);
    let left = p.eval(&focused);
    assert!(left == json!("4") || left == json!("5"), "{left}");
    p.enter();
    p.wait(
        &in_embed(
            "one",
            &format!("root.querySelector('.cr-embed-node').dataset.nodeId === {left}"),
        ),
        "the value selected from the keyboard",
    );
    // The second is still as it was: x selected, its stepper absent (not asked for).
    assert_eq!(
        p.eval(&in_embed(
            "two",
            "root.querySelector('.cr-embed-node').dataset.nodeId"
        )),
        json!("0")
    );
    assert_eq!(
        p.eval(&in_embed(
            "two",
            "root.querySelector('.cr-embed-stepper') === null"
        )),
        json!(true)
    );
    // Nudging x in the second: its graph replays; the first's values do not move.
    p.eval(&in_embed(
        "two",
        "root.querySelector('.cr-nudge-go').click()",
    ));
    p.wait(
        &in_embed(
            "two",
            "root.querySelector('.cr-nudge-table').dataset.h === '0.001'",
        ),
        "the nudge",
    );
    let fd = p.eval(&in_embed(
        "two",
        "Number(root.querySelector('.cr-nudge-table').dataset.fd)",
    ));
    // (y(x+h) − y(x))/h of x² + 2x at 3 is 2x + 2 + h exactly.
    assert!((fd.as_f64().unwrap() - 8.001).abs() < 1e-9, "{fd}");
    // The second is a quiz without a stepper: it keeps its answers back until the learner
    // has checked a grad of their own. x's grad reads `grad ?` (the output's reads 1), its
    // chain rule and check are hidden, and the nudge's row for the grad waits too.
    let kept = |p: &mut Page| {
        p.eval(&in_embed(
            "two",
            "(() => { const g = (id) => root.querySelector(`g.value[data-node-id='${id}']`).textContent; \
               const out = Math.max(...[...root.querySelectorAll('g.value')].map((v) => Number(v.dataset.nodeId))); \
               return [g(0).includes('grad ?'), g(out).includes('grad ?'), \
                 root.querySelector('.cr-node-chain').hidden, root.querySelector('.cr-node-check').hidden, \
                 root.querySelector('.cr-nudge-table tr[data-row=grad] td').textContent]; })()",
        ))
    };
    assert_eq!(
        kept(&mut p),
        json!([true, false, true, true, "? (check yours first)"])
    );
    // A wrong grad checked: told the answer, and nothing is kept back any more.
    p.eval(&in_embed(
        "two",
        "(() => { root.querySelector('.cr-hand input').value = '7'; root.querySelector('.cr-hand button').click(); })()",
    ));
    p.wait(
        &in_embed(
            "two",
            "root.querySelector('.cr-hand-result').dataset.right === 'false'",
        ),
        "the quiz's answer",
    );
    assert_eq!(kept(&mut p), json!([false, false, false, false, "8.0000"]));
    assert_eq!(caption(&mut p, "one"), json!(NOTEBOOK_CAPTION));
    assert_eq!(p.eval("hostErrors"), json!([]));
}

#[test]
fn the_embeds_example_shows_its_two_embeds() {
    let Some(mut p) = Page::start("embed-example", Home::Static) else {
        return;
    };
    let url = format!("{}/embed-example.html", p.site.base);
    p.go(&url, EMBEDS_DRAWN, "the embeds drawn");
    let oks: Value =
        p.eval("[...document.querySelectorAll('chainrule-graph')].map((e) => e.dataset.ok)");
    assert_eq!(oks, json!(["true", "true"]));
    let neuron = p.eval(
        "document.querySelectorAll('chainrule-graph')[1].shadowRoot.querySelector('.cr-node-title').textContent",
    );
    assert_eq!(neuron, json!("x1 = 2.0000 (leaf)"));
}

/// Pictures of the static page, the page in one file and the embed's example at 390, 768
/// and 1280 px, when `SCREENSHOTS=dir` is set (`scripts/page-screenshots.sh`).
#[test]
fn pictures_of_the_site() {
    let Some(dir) = std::env::var_os("SCREENSHOTS").map(PathBuf::from) else {
        return;
    };
    let Some(mut p) = Page::start("site-pictures", Home::Static) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let one_file = format!("file://{}", static_site().join("chainrule.html").display());
    let embeds = format!("{}/embed-example.html", p.site.base);
    let page = format!("{}/", p.site.base);
    for width in [390, 768, 1280] {
        let phone = width == 390;
        for (name, url) in [("static", &page), ("one-file", &one_file)] {
            p.viewport(width, phone);
            p.go(
                &format!("{url}?test=1"),
                "document.body.dataset.rendered",
                "the page",
            );
            p.pose();
            p.picture(
                &dir.join(format!("site-{name}-{width}.png")),
                width,
                phone,
                2400.0,
            );
        }
        p.go(&embeds, EMBEDS_DRAWN, "the embeds drawn");
        p.picture(
            &dir.join(format!("site-embed-{width}.png")),
            width,
            phone,
            2600.0,
        );
    }
}

//! `chainrule steps` in a real browser: the site's index.html opens in headless Chromium
//! from `file://`, and real key presses step through it.
//!
//! The keys are pressed through the DevTools protocol (`Input.dispatchKeyEvent` over
//! `--remote-debugging-pipe`): Chromium turns them into trusted keyboard events that
//! reach the page through its own input pipeline and the page's own `keydown` handler,
//! exactly as a person's key press does. The test then reads the step counter and which
//! picture is shown from the DOM.
//!
//! Without Chromium on PATH the test is skipped with a message, unless `CI=true`: then it
//! fails, so CI cannot skip it silently (`.ci/run` installs Debian's `chromium`).
#![cfg(target_os = "linux")]

mod common;

#[path = "support/browser.rs"]
mod browser;

use browser::Browser;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The counter's text, the shown frame's id, and how many frames are displayed.
fn shown(b: &mut Browser, session: &str) -> (String, String, i64) {
    let v = b.eval(
        session,
        "JSON.stringify([document.getElementById('counter').textContent, \
         document.querySelector('.frame.current').id, \
         [...document.querySelectorAll('.frame')].filter(f => getComputedStyle(f).display !== 'none').length])",
    );
    let v: Value = serde_json::from_str(v.as_str().unwrap()).unwrap();
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_str().unwrap().to_string(),
        v[2].as_i64().unwrap(),
    )
}

#[test]
fn index_html_opens_in_chromium_and_arrow_keys_step_through() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("steps-browser");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let Some(mut b) = Browser::start_or_skip(&scratch, (1280, 800)) else {
        return;
    };
    let site = scratch.join("site");
    let out = common::run(&["steps", "-o", site.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let s = b.open_tab();
    let url = format!("file://{}", site.join("index.html").display());
    b.call(Some(&s), "Page.navigate", json!({"url": url}));
    b.wait_for(
        |m| m["method"] == "Page.loadEventFired" && m["sessionId"] == json!(s),
        "the page's load",
    );

    b.eval(
        &s,
        "window.seen = []; document.addEventListener('keydown', e => seen.push([e.key, e.isTrusted])); 0",
    );
    let at = |k: usize| (format!("Step {k} of 7"), format!("frame-{k}"), 1);
    assert_eq!(shown(&mut b, &s), at(0), "opens at step 0, one frame shown");
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(1));
    b.press(&s, "ArrowRight", 39);
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(3));
    // Step 3 finishes d: its box is the lit one, and its grad is drawn; a's is not yet.
    let lit = b.eval(
        &s,
        "[...document.querySelectorAll('#frame-3 g.value.lit text')].map(t => t.textContent).join('|')",
    );
    assert_eq!(lit, json!("d|data 4.0000|grad -2.0000"));
    let a = b.eval(
        &s,
        "[...document.querySelectorAll('#frame-3 #n0 text')].map(t => t.textContent).join('|')",
    );
    assert_eq!(a, json!("a|data 2.0000|grad ?"));
    b.press(&s, "ArrowLeft", 37);
    assert_eq!(shown(&mut b, &s), at(2));
    b.press(&s, "End", 35);
    assert_eq!(shown(&mut b, &s), at(7));
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(7), "stays at the last step");
    let next_disabled = b.eval(&s, "document.getElementById('next').disabled");
    assert_eq!(next_disabled, json!(true));
    b.press(&s, "Home", 36);
    assert_eq!(shown(&mut b, &s), at(0));
    // Every key arrived as a real, trusted key press, not a synthetic event.
    let keys = b.eval(&s, "JSON.stringify(window.seen)");
    assert_eq!(
        keys,
        json!(
            r#"[["ArrowRight",true],["ArrowRight",true],["ArrowRight",true],["ArrowLeft",true],["End",true],["ArrowRight",true],["Home",true]]"#
        )
    );
}

//! The bundler on the page's own modules: every module of the page bundles (so the
//! scanner reads all of them), each bundle holds each module it reaches once, and the
//! bundles run under Node 20: a module bundle of `app.js` hands out `startPage`, and a
//! bundle of modules written for the test computes what they compute, each module in its
//! own scope. (The bundle of the whole page runs in Chromium: the one-file page's test in
//! crates/chainrule-serve/tests/page_browser.rs.) Without Node the Node tests are skipped,
//! except under `CI=true`, where they fail.

use chainrule_page::bundle::{bundle, bundle_with, Format};
use chainrule_page::web::FILES;
use std::path::PathBuf;
use std::process::Command;

/// Node, or `None` (then the test is skipped, but fails under `CI=true`).
fn node() -> Option<&'static str> {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "CI=true but `node` is not installed: .ci/run should install it"
        );
        eprintln!("skipped: `node` is not installed");
    }
    found.then_some("node")
}

/// Runs `file` under Node; its output, or the test fails with it.
fn run(node: &str, file: &PathBuf) -> String {
    let out = Command::new(node).arg(file).output().expect("node runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {text}", file.display());
    text
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("bundle")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_module_of_the_page_bundles_with_each_module_once() {
    for f in FILES.iter().filter(|f| f.path.ends_with(".js")) {
        let js = bundle(f.path, Format::Module).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        // Each module it imports is in it once; no import statement is left.
        for g in FILES.iter().filter(|g| g.path.ends_with(".js")) {
            let n = js.matches(&format!("// ---- {} ----\n", g.path)).count();
            assert!(n <= 1, "{} holds {} {n} times", f.path, g.path);
        }
        assert!(!js.contains("\nimport {"), "{}", f.path);
    }
    let main = bundle("main.js", Format::Script).unwrap();
    for m in [
        "dom.js",
        "graph-view.js",
        "train-view.js",
        "app.js",
        "engine-http.js",
    ] {
        assert!(main.contains(&format!("// ---- {m} ----")), "{m}");
    }
    assert!(
        !main.contains("// ---- engine-wasm.js"),
        "only what main.js reaches"
    );
}

#[test]
fn the_pages_modules_bundled_run_under_node() {
    let Some(node) = node() else { return };
    let dir = scratch("page");
    let app = dir.join("app.mjs");
    std::fs::write(&app, bundle("app.js", Format::Module).unwrap()).unwrap();
    let check = dir.join("check.mjs");
    std::fs::write(
        &check,
        "const m = await import('./app.mjs');\n\
         console.log(Object.keys(m).join(','), typeof m.startPage);\n",
    )
    .unwrap();
    assert_eq!(run(node, &check).trim(), "startPage function");
    // The worker's bundle (the worker and the engine's glue) is a valid module.
    let worker = dir.join("worker.mjs");
    std::fs::write(&worker, bundle("train-worker.js", Format::Module).unwrap()).unwrap();
    let out = Command::new(node)
        .args(["--check"])
        .arg(&worker)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bundle_computes_what_its_modules_compute_each_in_its_own_scope() {
    let Some(node) = node() else { return };
    let files = |p: &str| -> Option<String> {
        Some(
            match p {
                "main.js" => {
                    "import { area, NAME } from \"./shapes/circle.js\";\n\
                     import { count } from \"./counter.js\";\n\
                     const x = 'main';\n\
                     console.log(NAME, area(2).toFixed(3), count(), count(), x, typeof helper);\n"
                }
                "shapes/circle.js" => {
                    "import { count } from \"../counter.js\";\n\
                     const x = 'circle';\n\
                     function helper(r) { return Math.PI * r * r; }\n\
                     export const NAME = `${x}:${count()}`;\n\
                     export function area(r) { return helper(r); }\n"
                }
                "counter.js" => {
                    "let n = 0;\nconst x = 'counter';\n\
                     export function count() { return ++n; }\n"
                }
                _ => return None,
            }
            .to_string(),
        )
    };
    let dir = scratch("own");
    let script = dir.join("script.js");
    std::fs::write(
        &script,
        bundle_with("main.js", Format::Script, &files).unwrap(),
    )
    .unwrap();
    // counter.js runs once: circle's NAME took 1, main's calls take 2 and 3; each `x` and
    // `helper` stays in its module.
    assert_eq!(
        run(node, &script).trim(),
        "circle:1 12.566 2 3 main undefined"
    );
}

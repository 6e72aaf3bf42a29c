//! The WebAssembly engine under Node 20, through its JS glue (`engine-wasm.js`): its
//! answers are byte for byte the native ones (the same exports compiled natively, over
//! `chainrule-page`) for the notebook, a 200-value program, errors at line and column,
//! nudges and micrograd's demo's training frames; where an answer holds results of
//! `exp`, `ln`, `sin` or `cos` (or `tanh` of 2.5 and more, which calls `exp`), the same but
//! for their last bits (glibc's natively, Rust's libm on wasm32: [`same_but_last_bits`]). The training worker plays, pauses,
//! answers a point and stops; the page's engine (`wasmEngine`) stops a session whose
//! worker hangs and ends the worker of a closed one; a panic is an error answer and a
//! fresh instance; the static page's warm-up (`warm.js`) answers its programs in idle time;
//! the glue decodes a long answer in pieces (`utf8Text`) as it would in one; the page
//! writes a number (`fmt`) as the library's notebook rule does, ties and exponents too.
//!
//! The module is `CHAINRULE_WASM` when set (`.ci/run` points it at the site's optimised
//! engine), else built here (`cargo build --profile wasm --target wasm32-unknown-unknown`).
//! Without Node the tests are skipped, except under `CI=true`, where they fail.

#[path = "support/engine.rs"]
mod engine;

use engine::{node, wasm_file};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("wasm-node")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a Node script with arguments; its output on failure.
fn run_node(node: &str, script: &str, args: &[&Path]) -> String {
    let out = Command::new(node)
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests")
                .join(script),
        )
        .args(args)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script}: {text}");
    text
}

/// One question: a name for its answer's file, the question's name, its JSON request, and
/// whether its answer must be byte for byte the native one (see [`libm_only`]).
struct Ask {
    name: &'static str,
    question: &'static str,
    request: Value,
    exact: bool,
}

fn ask(name: &'static str, question: &'static str, request: Value) -> Ask {
    Ask {
        name,
        question,
        request,
        exact: true,
    }
}

/// A question whose answer holds results of the platform's math library (see
/// [`same_but_last_bits`]).
fn libm_only(mut a: Ask) -> Ask {
    a.exact = false;
    a
}

/// The same question asked of the exports compiled natively: `"{status}\n{json}"`.
fn native(a: &Ask) -> String {
    use chainrule_wasm as w;
    let buf = format!("{}{}", a.question, a.request);
    let ptr = w::alloc(buf.len());
    // SAFETY: `ptr` is a fresh buffer of `buf.len()` bytes from `alloc`, handed to `call`,
    // which frees it; the answer is `out_len()` bytes at `out_ptr()` until the next call.
    let (status, out) = unsafe {
        std::ptr::copy_nonoverlapping(buf.as_ptr(), ptr, buf.len());
        let status = w::call(ptr, buf.len(), a.question.len());
        (
            status,
            std::slice::from_raw_parts(w::out_ptr(), w::out_len()),
        )
    };
    format!("{status}\n{}", String::from_utf8(out.to_vec()).unwrap())
}

/// A program of exactly 200 values (`tests/programs/values200-ACT.cr`): two inputs, 33
/// neurons `ACT(w*x + b)` summed, and the sum squared. The benchmark times the same ones.
fn program_of_200_values(act: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/programs/values200-{act}.cr"));
    std::fs::read_to_string(path).unwrap()
}

const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\nf.grad = 3\n";

fn questions() -> Vec<Ask> {
    let program = |source: String| json!({"source": source});
    let demo = json!({"pace": 0});
    let spiral = json!({"dataset": "spiral", "classes": 3, "loss": "softmax-ce", "optimizer": "adam",
        "layers": [8, 8], "activation": "tanh", "samples": 90, "batch": 16, "schedule": "cosine"});
    vec![
        ask(
            "notebook",
            "program",
            json!({"source": NOTEBOOK, "hand": [[0, 6.0], [1, 3.0]]}),
        ),
        ask(
            "values200",
            "program",
            program(program_of_200_values("relu")),
        ),
        libm_only(ask(
            "values200_tanh",
            "program",
            program(program_of_200_values("tanh")),
        )),
        ask(
            "unknown_function",
            "program",
            program("x = 1\ny = tanhh(x)\n".into()),
        ),
        ask(
            "parse_error",
            "program",
            program("x = 1\ny = x +* 2\n".into()),
        ),
        ask(
            "non_finite",
            "program",
            program("x = -1\ny = sqrt(x)\nL = y*2".into()),
        ),
        ask("not_json", "program", json!("a = 1")),
        ask("too_long", "program", program("x = 1\n".repeat(20_000))),
        ask(
            "nudge",
            "nudge",
            json!({"source": NOTEBOOK, "node": 1, "h": 0.5}),
        ),
        ask(
            "nudge_not_leaf",
            "nudge",
            json!({"source": NOTEBOOK, "node": 4, "h": 0.5}),
        ),
        ask("train_demo", "train_new", demo),
        ask("frame0", "train_step", json!({"id": 1, "n": 0})),
        ask("frame1", "train_step", json!({"id": 1, "n": 1})),
        ask("frame6", "train_step", json!({"id": 1, "n": 5})),
        ask("play", "train_control", json!({"id": 1, "action": "play"})),
        ask("to_the_end", "train_step", json!({"id": 1, "n": 1000})),
        ask("point3", "train_control", json!({"id": 1, "point": 3})),
        ask(
            "point_missing",
            "train_control",
            json!({"id": 1, "point": 100}),
        ),
        ask(
            "reset",
            "train_control",
            json!({"id": 1, "action": "reset"}),
        ),
        ask(
            "bad_action",
            "train_control",
            json!({"id": 1, "action": "fly"}),
        ),
        ask("no_id", "train_control", json!({"action": "play"})),
        libm_only(ask("train_spiral", "train_new", spiral)),
        libm_only(ask("spiral20", "train_step", json!({"id": 2, "n": 20}))),
        ask("train_too_many_steps", "train_new", json!({"steps": 5000})),
        ask(
            "train_wrong_loss",
            "train_new",
            json!({"dataset": "spiral", "classes": 3}),
        ),
        ask("free", "train_free", json!({"id": 2})),
        ask("step_freed", "train_step", json!({"id": 2, "n": 1})),
        ask("free_again", "train_free", json!({"id": 2})),
        ask(
            "train_diverging",
            "train_new",
            json!({"lr": 1e300, "steps": 10}),
        ),
        ask("diverged", "train_step", json!({"id": 3, "n": 10})),
        ask("spec", "train_spec", json!({})),
        ask("no_such_question", "fly", json!({})),
    ]
}

/// Units in the last place between two numbers of the same sign.
fn ulps(a: f64, b: f64) -> u64 {
    (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
}

/// Whether two answers are the same but for the last bits of the platform's math library:
/// natively `exp`, `ln`, `sin`, `cos` are glibc's, on wasm32 Rust's own libm, and the two
/// round differently in the last bit for a few percent of inputs (`tanh` is the engine's
/// own, the same on both, but for |x| of 2.5 and more, where it calls `exp`). Then the JSON has
/// the same keys, strings (the SVG and every formula included) and verdicts, and each
/// number is within 64 ulp, except the gradient check's finite differences (`numeric`,
/// `abs_err`), whose step of about 1e-6 magnifies a last-bit difference of the output a
/// million times: those are within 1e-8. Counts the numbers that differ.
fn same_but_last_bits(a: &Value, b: &Value, key: &str, differ: &mut usize) -> Result<(), String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().try_for_each(|(k, v)| {
                let w = y.get(k).ok_or(format!("{k} missing"))?;
                same_but_last_bits(v, w, k, differ)
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .try_for_each(|(v, w)| same_but_last_bits(v, w, key, differ)),
        (Value::Number(x), Value::Number(y)) if x != y => {
            *differ += 1;
            let (p, q) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let close = match key {
                "numeric" | "abs_err" => (p - q).abs() <= 1e-8,
                _ => ulps(p, q) <= 64,
            };
            close.then_some(()).ok_or(format!("{key}: {p} and {q}"))
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{key}: {a:.200} and {b:.200}")),
    }
}

#[test]
fn the_wasm_engines_answers_are_the_native_ones_byte_for_byte() {
    let Some(node) = node() else { return };
    let wasm = wasm_file();
    let dir = scratch("answers");
    let asks = questions();
    let requests: Vec<Value> = asks
        .iter()
        .map(|a| json!({"name": a.name, "question": a.question, "request": a.request.to_string()}))
        .collect();
    std::fs::write(
        dir.join("requests.json"),
        Value::Array(requests).to_string(),
    )
    .unwrap();
    run_node(node, "answers.mjs", &[&wasm, &dir]);
    std::fs::create_dir_all(dir.join("native")).unwrap();
    let mut differ = Vec::new();
    for a in &asks {
        let want = native(a);
        std::fs::write(dir.join("native").join(a.name), &want).unwrap();
        let got = std::fs::read_to_string(dir.join("wasm").join(a.name)).unwrap();
        if a.exact && got != want {
            differ.push(a.name);
        } else if !a.exact {
            let json =
                |t: &str| -> Value { serde_json::from_str(t.split_once('\n').unwrap().1).unwrap() };
            let mut numbers = 0;
            let same = same_but_last_bits(&json(&got), &json(&want), "", &mut numbers);
            assert_eq!(same, Ok(()), "{}", a.name);
            assert_eq!(
                got.lines().next(),
                want.lines().next(),
                "{}: the status",
                a.name
            );
            eprintln!("{}: {numbers} numbers differ in their last bits", a.name);
        }
    }
    assert!(
        differ.is_empty(),
        "wasm and native answers differ: {differ:?} (see {dir:?})"
    );
    // What the answers say (so that byte-identical is not identically wrong).
    let body = |name: &str| -> Value {
        let text = std::fs::read_to_string(dir.join("wasm").join(name)).unwrap();
        serde_json::from_str(text.split_once('\n').unwrap().1).unwrap()
    };
    assert_eq!(body("notebook")["output"]["data"], -8.0);
    assert_eq!(body("values200")["values"], 200);
    assert_eq!(body("values200_tanh")["values"], 200);
    let e = body("unknown_function");
    assert_eq!(
        (e["error"]["line"].clone(), e["error"]["column"].clone()),
        (json!(2), json!(5))
    );
    assert_eq!(body("parse_error")["error"]["line"], 2);
    assert_eq!(body("nudge")["finite_difference"], body("nudge")["grad"]);
    assert_eq!(body("to_the_end")["accuracy"], 1.0);
    assert_eq!(body("to_the_end")["step"], 100);
    assert_eq!(body("reset")["step"], 0);
    assert_eq!(body("spiral20")["step"], 20);
    assert_eq!(body("point3")["point"]["index"], 3);
    assert_eq!(body("train_demo")["pace"], 0.0);
    assert_eq!(body("spec")["bounds"]["steps"], 1000);
    assert!(body("diverged")["non_finite"]
        .as_str()
        .unwrap()
        .contains("diverged"));
    assert!(body("step_freed")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no training session 2"));
    for (name, status) in [
        ("not_json", "400"),
        ("too_long", "413"),
        ("parse_error", "422"),
        ("train_too_many_steps", "400"),
        ("free_again", "404"),
        ("no_such_question", "404"),
        ("no_id", "400"),
    ] {
        let text = std::fs::read_to_string(dir.join("wasm").join(name)).unwrap();
        assert!(
            text.starts_with(&format!("{status}\n")),
            "{name}: {text:.200}"
        );
    }
}

#[test]
fn the_worker_trains_pauses_answers_a_point_and_stops() {
    let Some(node) = node() else { return };
    let out = run_node(node, "worker.mjs", &[&wasm_file()]);
    assert!(out.contains("worker: ok"), "{out}");
}

#[test]
fn the_static_page_warms_the_engine_up_on_large_programs_in_idle_time() {
    let Some(node) = node() else { return };
    let out = run_node(node, "warm.mjs", &[&wasm_file()]);
    assert!(out.contains("warm: ok"), "{out}");
}

#[test]
fn a_session_whose_worker_hangs_is_stopped_and_a_closed_one_ends_its_worker() {
    let Some(node) = node() else { return };
    let out = run_node(node, "session.mjs", &[&wasm_file()]);
    assert!(out.contains("session: ok"), "{out}");
}

#[test]
fn a_panic_is_an_error_answer_and_a_fresh_instance() {
    let Some(node) = node() else { return };
    let out = run_node(node, "panic.mjs", &[&wasm_file()]);
    assert!(out.contains("panic: ok"), "{out}");
}

#[test]
fn a_long_answer_decoded_in_pieces_reads_as_in_one() {
    let Some(node) = node() else { return };
    let out = run_node(node, "text.mjs", &[]);
    assert!(out.contains("texts read as in one piece"), "{out}");
}

#[test]
fn the_pages_numbers_are_written_as_the_librarys_ties_and_exponents_too() {
    use chainrule::number::Numbers;
    let Some(node) = node() else { return };
    let mut rng = chainrule::data::Rng::new(35);
    let mut xs: Vec<f64> = vec![
        0.0,
        -0.0,
        1e-4,
        -1e-4,
        9.99e-5,
        1e16,
        9999999999999998.0,
        -8.0,
        0.1 + 0.2,
        6e+237,
        2.757010857241317e27,
        -2.5e-12,
        5e-324,
        f64::MAX,
        1.00005e20,
        9.99995e20,
        0.25,
    ];
    // Exact ties at the fourth decimal (k/32, k odd), which Rust rounds to even and
    // `toFixed` up, and ties for the exponent's fourth decimal.
    xs.extend(
        (1..400)
            .step_by(2)
            .map(|k| f64::from(k) / if k % 4 == 1 { 32.0 } else { -32.0 }),
    );
    xs.extend((1..200).step_by(2).map(|k| f64::from(k) / 1024.0));
    for _ in 0..300 {
        let q = 10_000 + (rng.next_f64() * 90_000.0) as u64;
        let k = 16 + (rng.next_f64() * 5.0) as i32;
        xs.push((2 * q + 1) as f64 * 5.0 * 10f64.powi(k - 5));
    }
    // Every magnitude, either sign.
    for _ in 0..4000 {
        let m = 1.0 + rng.next_f64() * 9.0;
        let k = (rng.next_f64() * 80.0) as i32 - 40;
        let sign = if rng.next_f64() < 0.5 { -1.0 } else { 1.0 };
        xs.push(sign * m * 10f64.powi(k));
    }
    let dir = scratch("fmt");
    let file = dir.join("numbers.json");
    std::fs::write(&file, serde_json::to_string(&xs).unwrap()).unwrap();
    let out = run_node(node, "fmt.mjs", &[&file]);
    let texts: Vec<String> = serde_json::from_str(&out).unwrap();
    assert_eq!(texts.len(), xs.len());
    for (x, text) in xs.iter().zip(&texts) {
        assert_eq!(text, &Numbers::Notebook.format(*x), "{x:?}");
    }
    assert!(texts.contains(&"0.0312".to_string()) && texts.contains(&"2.7570e27".to_string()));
}

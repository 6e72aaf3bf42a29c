//! `chainrule eval` on real programs: the JSON schema, values and grads, input from a
//! file, `-e`, stdin and the built-in notebook, `--set` and `--of`.

mod common;
use common::{file, run, run_env, run_with_stdin};
use serde_json::Value;
use std::path::PathBuf;

const MICROGRAD: &str = include_str!("../../chainrule/tests/programs/micrograd_more_ops.cr");

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("valid JSON")
}

#[test]
fn notebook_json_has_the_schema_and_the_notebook_numbers() {
    let v = json(&["eval", "--json"]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["grads", "nodes", "output", "output_id", "values"]); // serde_json sorts
    assert_eq!(v["output"], "L");
    assert_eq!(v["output_id"], 6);
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 7);
    assert_eq!(
        nodes[0],
        serde_json::json!({"id": 0, "label": "a", "op": "leaf", "children": [], "data": 2.0, "grad": 6.0})
    );
    assert_eq!(
        nodes[3],
        serde_json::json!({"id": 3, "label": "e", "op": "mul", "children": [0, 1], "data": -6.0, "grad": -2.0})
    );
    for (k, n) in nodes.iter().enumerate() {
        assert_eq!(n["id"], k);
        for c in n["children"].as_array().unwrap() {
            assert!(c.as_u64().unwrap() < k as u64, "children come first");
        }
    }
    let expect = [
        ("a", 2.0, 6.0),
        ("b", -3.0, -4.0),
        ("c", 10.0, -2.0),
        ("e", -6.0, -2.0),
        ("d", 4.0, -2.0),
        ("f", -2.0, 4.0),
        ("L", -8.0, 1.0),
    ];
    for (name, value, grad) in expect {
        assert_eq!(v["values"][name], value, "{name}");
        assert_eq!(v["grads"][name], grad, "{name}");
    }
    // The raw text keeps the names in program order.
    let raw = run(&["eval", "--json"]).stdout;
    let values_line = raw.lines().find(|l| l.contains("\"values\"")).unwrap();
    assert_eq!(
        values_line.trim(),
        r#""values": {"a": 2.0, "b": -3.0, "c": 10.0, "e": -6.0, "d": 4.0, "f": -2.0, "L": -8.0},"#
    );
}

#[test]
fn micrograd_tests_from_a_file_from_e_and_from_stdin() {
    let path = file("micrograd.cr", MICROGRAD.as_bytes());
    let from_file = json(&["eval", "--json", path.to_str().unwrap()]);
    let from_e = json(&["eval", "--json", "-e", MICROGRAD]);
    let out = run_with_stdin(&["eval", "--json", "-"], MICROGRAD.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let from_stdin: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(from_file, from_e);
    assert_eq!(from_file, from_stdin);
    let v = from_file;
    assert_eq!(v["output"], "g");
    assert!((v["values"]["g"].as_f64().unwrap() - 24.70408163265306).abs() < 1e-12);
    assert!((v["grads"]["a"].as_f64().unwrap() - 138.8338).abs() < 1e-4);
    assert!((v["grads"]["b"].as_f64().unwrap() - 645.5773).abs() < 1e-4);
    // Rebound values keep subscripted labels; constants are given for constant ops.
    let nodes = v["nodes"].as_array().unwrap();
    assert!(nodes.iter().any(|n| n["label"] == "c₁"));
    let cube = nodes.iter().find(|n| n["op"] == "pow_const").unwrap();
    assert_eq!(cube["constant"], 3.0);

    let sanity = json(&[
        "eval",
        "--json",
        "-e",
        "x = -4; z = 2 * x + 2 + x; q = relu(z) + z * x; h = relu(z * z); y = h + q + q * x",
    ]);
    assert_eq!(
        (
            sanity["values"]["y"].as_f64(),
            sanity["grads"]["x"].as_f64()
        ),
        (Some(-20.0), Some(46.0))
    );
}

#[test]
fn set_and_of() {
    let v = json(&[
        "eval", "--json", "--set", "a=3", "--set", "f=1", "--of", "d",
    ]);
    assert_eq!(v["output"], "d");
    assert_eq!(v["values"]["d"], 1.0);
    assert_eq!(v["grads"]["a"], -3.0);
    assert_eq!(v["grads"]["f"], 0.0, "f is not an ancestor of d");
    assert_eq!(v["values"]["L"], 1.0);
    let v = json(&["eval", "--json", "--set", "a = -0.5"]);
    assert_eq!(v["values"]["L"], -23.0);
}

#[test]
fn table_output_and_unnamed_outputs() {
    // An unnamed output is called what the chain rule calls it, `(y+1)`.
    let out = run(&["eval", "-e", "x = 0.5\ny = x*x\ny + 1"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "name  value  grad\nx       0.5     1\ny      0.25     1\n\noutput: (y+1) = 1.25\n"
    );
    let v = json(&["eval", "--json", "-e", "x = 0.5\ny = x*x\ny + 1"]);
    assert_eq!(v["output"], Value::Null);
    assert_eq!(v["output_id"], 2);
    assert_eq!(v["nodes"][2]["label"], Value::Null);
    assert_eq!(v["nodes"][2]["op"], "add_const");
}

#[test]
fn non_finite_numbers_are_null_in_json_and_explained_in_the_table() {
    let v = json(&["eval", "--json", "-e", "x = -1\ny = ln(x) + 1"]);
    assert_eq!(v["values"]["y"], Value::Null);
    assert_eq!(v["values"]["x"], -1.0);
    let out = run(&["eval", "-e", "x = -1\ny = ln(x) + 1"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("note: node #1 is NaN: ln of a negative number"),
        "{}",
        out.stdout
    );
}

#[test]
fn notebook_table_golden() {
    let out = run(&["eval"]);
    assert_eq!(out.code, 0);
    let want = "\
name  value  grad
a         2     6
b        -3    -4
c        10    -2
e        -6    -2
d         4    -2
f        -2     4
L        -8     1

output: L = -8
";
    assert_eq!(out.stdout, want);
}

#[test]
fn no_arguments_runs_the_notebook_and_hints() {
    let out = run(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("output: L = -8"));
    assert!(out.stdout.contains("Try next:"));
    assert!(!out.stdout.contains('\x1b'), "no colour when piped");
}

/// The commands under "Try next:".
fn hinted(stdout: &str) -> Vec<String> {
    let tail = stdout.split("Try next:\n").nth(1).expect("a hint");
    tail.lines()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().split("   ").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_hint_runs_as_printed_installed_or_under_cargo_run() {
    let installed = hinted(&run(&[]).stdout);
    assert_eq!(installed.len(), 7);
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hint");
    std::fs::create_dir_all(&scratch).unwrap();
    let bin = env!("CARGO_BIN_EXE_chainrule");
    for line in &installed {
        let rest = line.strip_prefix("chainrule ").expect(line);
        // As a shell runs the line, with `chainrule` the binary under test.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("'{bin}' {rest}"))
            .current_dir(&scratch)
            .output()
            .unwrap();
        let code = out.status.code();
        let want = if rest.starts_with("check") { 1 } else { 0 };
        assert_eq!(
            code,
            Some(want),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Under `cargo run` the same commands, as `cargo run -- ...`, and how to install.
    let cargo = run_env(&[], b"", &[("CARGO_PKG_NAME", "chainrule-cli")]).stdout;
    let under_cargo = hinted(&cargo);
    for (c, i) in under_cargo.iter().zip(&installed) {
        assert_eq!(
            c.strip_prefix("cargo run -- "),
            i.strip_prefix("chainrule ")
        );
    }
    assert!(cargo.contains("cargo install --path crates/chainrule-cli"));
    assert!(!run(&[]).stdout.contains("cargo install"));
}

//! `chainrule check`: finite differences and hand-set grads, and the exit code that
//! says whether anything is wrong.

mod common;
use chainrule::lang::NOTEBOOK;
use common::{file, run};

#[test]
fn the_notebook_passes_with_exit_0() {
    let out = run(&["check"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let s = out.stdout;
    assert!(s.contains("4 checked: 4 ok."), "{s}");
    assert_eq!(s.matches("  right\n").count(), 7, "{s}");
    assert!(s.ends_with(
        "check passed: 4 grads agree with finite differences; 7 hand-set grads are right\n"
    ));
}

#[test]
fn a_wrong_hand_grad_exits_1_with_the_correction_and_why() {
    let src = NOTEBOOK.replace("b.grad = a * e.grad    # de/db = a", "b.grad = -3");
    assert_ne!(
        src, NOTEBOOK,
        "the notebook program still has the line replaced"
    );
    let path = file("wrong_b.cr", src.as_bytes());
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let s = out.stdout;
    assert!(
        s.contains("line 15  b.grad = -3  WRONG: it should be -4, because\n"),
        "{s}"
    );
    assert!(s.contains("      dL/db = dL/de · de/db = -2 · 2 = -4\n"));
    assert!(s.contains("        de/db = d(a*b)/db = a = 2\n"));
    assert!(s.contains("1 of 7 hand-set grads is wrong: b (line 15)."));
    assert!(
        s.ends_with("check failed: 1 hand-set grad is wrong\n"),
        "{s}"
    );
    // The other six still say right, and backprop itself agrees with finite differences.
    assert_eq!(s.matches("  right\n").count(), 6);
    assert!(s.contains("4 checked: 4 ok."));
}

#[test]
fn a_grad_used_twice_is_the_sum_of_both_uses() {
    // y = x*x at 3: dy/dx = 6, not 3.
    let out = run(&["check", "-e", "x = 3; y = x*x; x.grad = 3"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("WRONG: it should be 6, because"));
    assert!(out.stdout.contains("dy/dx = 3 + 3 = 6"));
}

#[test]
fn relu_at_zero_is_a_kink_not_a_failure() {
    let out = run(&["check", "-e", "x = 0; y = relu(x)"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let s = out.stdout;
    let row = s.lines().find(|l| l.starts_with("x ")).unwrap();
    assert!(row.ends_with("  kink"), "{row}");
    assert!(s.contains("not differentiable here: y (node #1) has a kink where x = 0"));
    assert!(
        s.contains(
            "check passed: 0 grads agree with finite differences; 1 is at a kink (not a failure)"
        ),
        "{s}"
    );
}

#[test]
fn ln_of_a_negative_number_names_the_node_not_a_wall_of_nan() {
    let out = run(&["check", "-e", "x = -1; y = ln(x); z = y*2 + x"]);
    assert_eq!(out.code, 1, "not finite is not a pass");
    let s = out.stdout;
    assert!(
        s.contains("the first non-finite number is the value of y (node #1), NaN: ln of a negative number (ln(-1))"),
        "{s}"
    );
    assert!(s.contains("x: follows from the non-finite value at y (node #1)"));
    assert!(s.ends_with("check failed: 1 grad is not finite\n"), "{s}");
    assert_eq!(s.matches("NaN").count(), 1, "{s}");
}

#[test]
fn eps_and_tol_are_used_and_validated() {
    // A step of 0.1 on x**3 at 1: the central difference is 3 + h² = 3.01, wrong by 1e-2.
    let prog = "x = 1; y = x**3";
    let coarse = run(&["check", "-e", prog, "--eps", "0.1", "--tol", "1e-3"]);
    assert_eq!(coarse.code, 1, "{}", coarse.stdout);
    assert!(coarse.stdout.contains("3.0100000000"), "{}", coarse.stdout);
    assert!(coarse
        .stdout
        .contains("h = 1e-1·max(1, |x|), tolerance 1e-3"));
    let loose = run(&["check", "-e", prog, "--eps", "0.1", "--tol", "0.1"]);
    assert_eq!(loose.code, 0, "{}", loose.stdout);
    for bad in ["0", "-1e-6", "nan", "inf", "x"] {
        let out = run(&["check", "--eps", bad]);
        assert_eq!(out.code, 2, "--eps {bad}");
        assert!(out.stderr.contains("--eps"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bad_input_exits_2() {
    let out = run(&["check", "-e", "x = 1; y = x +"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("<-e>:1:14: error: missing operand after `+`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_wrong_hand_grad_is_diagnosed_in_the_text() {
    // de/da = b = -3 alone: the upstream dL/de = -2 dropped.
    let src = NOTEBOOK.replace("a.grad = b * e.grad", "a.grad = b");
    let out = run(&["check", "-e", &src]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains(
        "      Mistake local-only: dropped the upstream grad, leaving only the local derivative; \
         here de/da = -3 alone, without dL/de = -2.\n"
    ), "{}", out.stdout);
    let md = run(&["explain", "--markdown", "-e", &src]).stdout;
    assert!(
        md.contains("  - Mistake local-only: dropped the upstream grad"),
        "{md}"
    );
}

#[test]
fn check_json_gives_each_hand_grad_with_its_diagnosis() {
    // e with its sign flipped; a right given that e; b with its local derivative alone.
    let src = NOTEBOOK
        .replace("e.grad = d.grad", "e.grad = 2")
        .replace("b.grad = a * e.grad    # de/db = a", "b.grad = 2");
    let out = run(&["check", "--json", "-e", &src]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON object");
    assert_eq!(v["passed"], false);
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["output"], "L");
    assert_eq!(v["output_value"], -8.0);
    assert_eq!(v["gradient_check"]["passed"], true);
    assert_eq!(v["gradient_check"]["counts"]["pass"], 4);
    assert_eq!(v["gradient_check"]["rows"][0]["verdict"], "pass");
    let hand = v["hand_grads"].as_array().unwrap();
    assert_eq!(hand.len(), 7);
    let by = |name: &str| hand.iter().find(|h| h["name"] == name).unwrap().clone();
    let l = by("L");
    assert_eq!(
        (l["line"].as_i64(), l["right"].as_bool()),
        (Some(9), Some(true))
    );
    assert_eq!(l["mistakes"], serde_json::json!([]));
    let e = by("e");
    assert_eq!(
        (e["given"].as_f64(), e["expected"].as_f64()),
        (Some(2.0), Some(-2.0))
    );
    assert_eq!(e["mistakes"], serde_json::json!(["sign"]));
    assert_eq!(e["follows_from_yours"], false);
    let a = by("a");
    assert_eq!(
        (a["given"].as_f64(), a["expected"].as_f64()),
        (Some(-6.0), Some(6.0))
    );
    assert_eq!(a["right"], false);
    assert_eq!(a["follows_from_yours"], true);
    assert_eq!(a["mistakes"], serde_json::json!([]));
    assert!(a["diagnosis"][0]
        .as_str()
        .unwrap()
        .starts_with("Right, given your dL/de = 2:"));
    // b = 2 is a = de/db alone, and also the learner's own dL/de = 2 alone.
    let b = by("b");
    assert_eq!(
        b["mistakes"],
        serde_json::json!(["local-only", "upstream-only"])
    );
    assert_eq!(b["line"], 15);
    assert!(b["derivation"][0]
        .as_str()
        .unwrap()
        .starts_with("dL/db = dL/de · de/db"));
}

#[test]
fn check_json_of_a_right_program_exits_0_and_of_bad_input_2() {
    let out = run(&["check", "--json"]);
    assert_eq!(out.code, 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (v["passed"].as_bool(), v["exit_code"].as_i64()),
        (Some(true), Some(0))
    );
    assert!(v["hand_grads"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["right"] == true));
    let out = run(&["check", "--json", "-e", "x = 3; y = x*"]);
    assert_eq!(out.code, 2);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .starts_with("<-e>:1:13: error: missing operand"));
    assert!(out.stderr.contains("missing operand"));
}

//! Every subcommand's --help exits 0 and shows examples of itself.

mod common;
use common::run;

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "eval", "explain", "check", "graph", "train", "predict", "serve",
    ] {
        let out = run(&[sub, "--help"]);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        let s = out.stdout;
        assert!(s.contains(&format!("Usage: chainrule {sub}")), "{sub}: {s}");
        let examples = s
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub}: {s}"));
        assert!(
            examples.contains(&format!("  chainrule {sub}")),
            "{sub}: {examples}"
        );
    }
    let top = run(&["--help"]);
    assert_eq!(top.code, 0);
    for sub in [
        "eval", "explain", "check", "graph", "train", "predict", "serve",
    ] {
        assert!(
            top.stdout.contains(&format!("  {sub} ")),
            "{sub} listed: {}",
            top.stdout
        );
    }
    assert!(top.stdout.contains(
        "Exit codes: 0 success, 1 a check found a wrong gradient, 2 bad input or usage."
    ));
}

#[test]
fn an_unknown_subcommand_or_option_exits_2() {
    assert_eq!(run(&["explian"]).code, 2);
    assert_eq!(run(&["graph", "--engine", "cairo"]).code, 2);
    assert_eq!(run(&["graph", "--rankdir", "RL"]).code, 2);
}

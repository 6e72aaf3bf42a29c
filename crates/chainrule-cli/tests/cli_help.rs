//! Every subcommand's --help exits 0 and shows examples of itself.

mod common;
use common::run;

const SUBCOMMANDS: [&str; 9] = [
    "eval", "explain", "check", "graph", "steps", "train", "predict", "serve", "learn",
];

#[test]
fn the_top_help_lists_every_subcommand_tested_here() {
    let top = run(&["--help"]).stdout;
    let listed: Vec<&str> = top
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap())
        .filter(|&c| c != "help")
        .collect();
    assert_eq!(listed, SUBCOMMANDS);
}

#[test]
fn every_help_has_one_format() {
    // One line per option, as -h prints it: no subcommand's --help switches to clap's long
    // form (a paragraph per option and "Possible values:" lists), as steps' once did.
    for sub in SUBCOMMANDS {
        let long = run(&[sub, "--help"]).stdout;
        assert_eq!(long, run(&[sub, "-h"]).stdout, "{sub}");
        assert!(!long.contains("Possible values:"), "{sub}: {long}");
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in SUBCOMMANDS {
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
    for sub in SUBCOMMANDS {
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

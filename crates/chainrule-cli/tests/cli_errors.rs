//! Bad input and bad usage end with exit code 2 and an error naming the file, line and
//! column, showing the line with a caret and saying what to do.

mod common;
use common::{file, run, run_with_stdin};

/// Runs `eval` on `src` from a file and returns stderr, checking the exit code and the
/// `prog.cr:line:col: error: ` prefix.
fn error_of(src: &[u8], line: usize, col: usize) -> String {
    let path = file("prog.cr", src);
    let out = run(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let want = format!("{}:{line}:{col}: error: ", path.display());
    assert!(out.stderr.starts_with(&want), "{want}\n{}", out.stderr);
    out.stderr.replace(&path.display().to_string(), "prog.cr")
}

#[test]
fn each_kind_of_bad_input() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("a = 2\nb = -3\ne = a*bb\n", 3, 7, "prog.cr:3:7: error: unknown name `bb`\n3 | e = a*bb\n  |       ^^\nhelp: did you mean `b`?\n"),
        ("x = 1\ny = tanhh(x)\n", 2, 5, "prog.cr:2:5: error: unknown function `tanhh`\n2 | y = tanhh(x)\n  |     ^^^^^\nhelp: did you mean `tanh`? The functions are: {functions}\n"),
        ("a = 2\nd = e + 1\ne = a*3\n", 2, 5, "prog.cr:2:5: error: `e` is used before it is bound (on line 3)\n2 | d = e + 1\n  |     ^\nhelp: move the line that binds `e` above this one\n"),
        ("a = 2 *\n", 1, 7, "prog.cr:1:7: error: missing operand after `*`\n1 | a = 2 *\n  |       ^\nhelp: write a number, a name or `( ... )` after `*`\n"),
        ("a = 1\nb = (a + (2 * a)\n", 2, 5, "prog.cr:2:5: error: this `(` is never closed\n2 | b = (a + (2 * a)\n  |     ^\nhelp: add a `)` before the end of the line\n"),
        ("a = 1.2.3\n", 1, 5, "prog.cr:1:5: error: `1.2.3` is not a number\n1 | a = 1.2.3\n  |     ^^^^^\nhelp: a number is digits with an optional `.` and exponent, like `2`, `-3.5`, `.5` or `1e-3`\n"),
        ("# nothing here\n", 2, 1, "prog.cr:2:1: error: the program is empty\n2 | \n  | ^\nhelp: write at least one statement, for example `a = 2; b = -3; L = a*b`\n"),
    ];
    let functions = chainrule::lang::functions().join(", ");
    for (src, line, col, want) in cases {
        let got = error_of(src.as_bytes(), *line, *col);
        assert_eq!(got, want.replace("{functions}", &functions));
    }
    let got = error_of(b"a = 2\nb = \xff\n", 2, 5);
    assert_eq!(got, "prog.cr:2:5: error: the input is not valid UTF-8 (byte 10)\n2 | b = \u{fffd}\n  |     ^\nhelp: save the program as UTF-8 text\n");
    let got = error_of(b"\x7fELF\x02\x01\x01\0\0\0", 1, 8);
    assert!(
        got.contains("error: this is a binary file, not a program"),
        "{got}"
    );
}

#[test]
fn errors_in_e_and_stdin_are_named_so() {
    let out = run(&["eval", "-e", "a = 2; b = a +"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("<-e>:1:14: error: missing operand after `+`"),
        "{}",
        out.stderr
    );
    let out = run_with_stdin(&["eval", "-"], b"x = (1\n");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("<stdin>:1:5: error: this `(` is never closed"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_set_of_and_files() {
    let out = run(&["eval", "--set", "aa=1"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "<notebook>: error: --set aa: the program binds no name `aa`\nhelp: did you mean `a`?\n"
    );
    let out = run(&["eval", "--set", "e=1"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("<notebook>:3:1: error: --set e: `e` is not a leaf, it is computed here\n3 | e = a*b\n  | ^^^^^^^\n"), "{}", out.stderr);
    for bad in ["a", "a=x", "=3", "a=inf"] {
        let out = run(&["eval", "--set", bad]);
        assert_eq!(out.code, 2, "{bad}");
        assert!(
            out.stderr.contains(&format!("--set {bad}: ")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("NAME=NUMBER"));
    }
    let out = run(&["eval", "--of", "LL"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--of LL: the program binds no name `LL`")
            && out.stderr.contains("did you mean `L`?")
    );
    let out = run(&["eval", "/no/such/file.cr"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("/no/such/file.cr: error: cannot read the program: No such file"),
        "{}",
        out.stderr
    );
    let dir = std::env::temp_dir();
    let out = run(&["eval", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0_with_examples() {
    for args in [
        &["frobnicate"][..],
        &["eval", "--nope"],
        &["eval", "a.cr", "-e", "x = 1"],
        &["eval", "--of"],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    }
    for args in [&["--help"][..], &["eval", "--help"], &["help", "eval"]] {
        let out = run(args);
        assert_eq!(out.code, 0, "{args:?}");
        assert!(out.stdout.contains("Examples:"), "{args:?}: {}", out.stdout);
        assert!(out.stdout.contains("chainrule eval"), "{args:?}");
    }
    let out = run(&["--version"]);
    assert_eq!((out.code, out.stdout.trim()), (0, "chainrule 0.1.0"));
}

#[test]
fn every_usage_error_says_what_to_do() {
    let file = file("tip.cr", b"x = 2; y = x*3");
    let f = file.to_str().unwrap();
    let cases: [(&[&str], &str); 15] = [
        (
            &["-e", "x = 2"],
            "`chainrule` has no -e; it is an option of `chainrule eval`, `chainrule explain`",
        ),
        (
            &["explain", "--json"],
            "it is an option of `chainrule eval`",
        ),
        (&["--json"], "it is an option of `chainrule eval`"),
        (&[f], &format!("run `chainrule explain {f}`")),
        // A path through a folder named like a subcommand is still a file, not a typo.
        (
            &["lessons/check/tip.cr"],
            "run `chainrule explain lessons/check/tip.cr`",
        ),
        (&["frobnicate"], "the subcommands are eval, explain, check"),
        (
            &["explain", "--jsn"],
            "`chainrule explain --help` lists the options",
        ),
        (
            &["graph", "-o"],
            "for example: chainrule graph -o notebook.svg",
        ),
        (&["steps"], "for example: chainrule steps -o steps"),
        (
            &["predict"],
            "for example: chainrule predict --model model.json",
        ),
        (&["eval", "-e", "x = 1", f], "give the program one way"),
        (
            &["explain", "--markdown=yes"],
            "--markdown is a switch and takes no value",
        ),
        (&["eval", "--json", "--json"], "give --json once"),
        (
            &["graph", "--max-nodes", "x"],
            "`chainrule graph --help` lists the options",
        ),
        (
            &["train", "--loss", "hinge"],
            "[possible values: max-margin, mse",
        ),
    ];
    for (args, tip) in cases {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(tip),
            "{args:?}: {tip:?} not in\n{}",
            out.stderr
        );
        assert!(!out.stderr.contains("'-- --"), "{args:?}: {}", out.stderr);
        if tip.starts_with("run `chainrule explain") {
            assert!(!out.stderr.contains("similar"), "{args:?}: {}", out.stderr);
        }
    }
}

#[test]
fn lists_of_values_take_either_case() {
    let dir = std::env::temp_dir().join(format!("chainrule-case-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    for args in [
        &["steps", "-o", d, "--rankdir", "LR"][..],
        &["steps", "-o", d, "--rankdir", "tb"],
        &["graph", "--rankdir", "Tb", "--engine", "BUILTIN"],
        &[
            "train",
            "--steps",
            "1",
            "--quiet",
            "--loss",
            "MSE",
            "--activation",
            "TANH",
            "--optimizer",
            "AdamW",
            "--schedule",
            "COSINE",
            "--mode",
            "Replay",
        ],
    ] {
        let out = run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_error_from_the_library_says_what_to_do() {
    let bad_csv = file("bad.csv", b"x,y,label\n1,2,0\n1,oops,1\n");
    let bad_model = file("bad-model.json", br#"{"format":"x"}"#);
    let (csv, model) = (bad_csv.to_str().unwrap(), bad_model.to_str().unwrap());
    let cases: [&[&str]; 12] = [
        &["graph", "-o", "/nonexistent/dir/x.svg"],
        &["graph", "-o", "x.pdf"],
        &["graph", "--max-nodes", "2", "-o", "/nonexistent/g.svg"],
        &["steps", "-o", "/proc/no-such-dir"],
        &["train", "--steps", "1", "--save", "/nonexistent/m.json"],
        &["train", "--steps", "1", "--plot", "/proc/no-such-dir"],
        &["train", "--data", csv],
        &["train", "--data", "/nonexistent/d.csv"],
        &[
            "predict",
            "--model",
            "/nonexistent/m.json",
            "--point",
            "1,2",
        ],
        &["predict", "--model", model, "--point", "1,2"],
        &["eval", "--of", "zz"],
        &["eval", "/nonexistent/prog.cr"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        let help = out.stderr.lines().find(|l| l.starts_with("help: "));
        assert!(
            help.is_some_and(|h| h.len() > 20),
            "{args:?}: no help line in\n{}",
            out.stderr
        );
    }
}

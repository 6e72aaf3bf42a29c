//! `chainrule learn`: a scripted learner (piped stdin) goes through every lesson, makes
//! each mistake the lesson lists, sees its diagnosis, then gives the right answers; the
//! list, the seed, a teacher's own lesson file and its errors, and input that ends early.

mod common;
use chainrule::learn::{self, TaskKind, Variant};
use common::{file, run, run_with_stdin, Out};

/// What a learner types in round `round` of lesson `v`: at each item the `round`-th
/// mistake listed for it (if any), then the right answer. Returns the input and the
/// mistakes made, as ids.
fn script(v: &Variant, round: usize) -> (String, Vec<&'static str>) {
    let mut input = String::new();
    let mut made = Vec::new();
    for (t, task) in v.tasks.iter().enumerate() {
        let right = v.right_answers(t);
        match task.kind {
            TaskKind::Python => {
                if let Some((m, code)) = task.wrong.get(round) {
                    input += &format!("{code}end\n");
                    made.push(m.id());
                }
                input += &format!("{}end\n", task.solution);
            }
            TaskKind::Bug => {
                let wrong = (1..).find(|n| !task.answer.contains(n)).unwrap();
                input += &format!("{wrong}\n{}\n", right[0]);
            }
            TaskKind::Nudge => {
                if let Some(listed) = task.mistakes.get(round) {
                    input += &format!("{}\n", v.mistake_answer(t, listed).unwrap());
                    made.push(listed.mistake.id());
                }
                input += &format!("{}\n", right[0]);
            }
            TaskKind::Grads | TaskKind::Value => {
                for (k, name) in task.ask.iter().enumerate() {
                    let here: Vec<_> = task.mistakes.iter().filter(|m| &m.at == name).collect();
                    if let Some(listed) = here.get(round) {
                        input += &format!("{}\n", v.mistake_answer(t, listed).unwrap());
                        made.push(listed.mistake.id());
                    }
                    input += &format!("{}\n", right[k]);
                }
            }
        }
    }
    (input, made)
}

fn learn(lesson: &str, seed: u64, input: &str) -> Out {
    run_with_stdin(
        &["learn", lesson, "--seed", &seed.to_string()],
        input.as_bytes(),
    )
}

#[test]
fn a_scripted_learner_makes_every_listed_mistake_in_every_lesson_and_sees_it_named() {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        python || std::env::var("CI").is_err(),
        "CI needs python3 for the python tasks"
    );
    let mut seen = std::collections::BTreeSet::new();
    for l in learn::builtin() {
        for seed in [0, 11] {
            let v = l.variant(seed);
            for round in 0..3 {
                let (input, made) = script(&v, round);
                if round > 0 && made.is_empty() {
                    continue;
                }
                let out = learn(&l.name, seed, &input);
                assert_eq!(
                    out.code, 0,
                    "{} seed {seed}:\n{}\n{}",
                    l.name, out.stdout, out.stderr
                );
                let s = &out.stdout;
                for id in &made {
                    if !python
                        && v.tasks
                            .iter()
                            .any(|t| t.wrong.iter().any(|(m, _)| m.id() == *id))
                    {
                        continue;
                    }
                    assert!(
                        s.contains(&format!("Mistake {id}: ")),
                        "{} seed {seed}: {id} not named in\n{s}",
                        l.name
                    );
                    seen.insert(*id);
                }
                assert!(s.contains(&format!("# {}\n", v.title)));
                assert!(s.contains("Lesson done: "), "{s}");
                assert!(
                    !s.contains("The answer is"),
                    "the right answers are right:\n{s}"
                );
            }
        }
    }
    // Between them the lessons show the whole catalogue.
    let all: std::collections::BTreeSet<&str> =
        chainrule::Mistake::ALL.iter().map(|m| m.id()).collect();
    assert_eq!(seen, all);
}

#[test]
fn the_list_has_one_lesson_a_line() {
    let out = run(&["learn", "--list"]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0], " 1  nudge     The derivative as a nudge");
    assert!(lines[4].starts_with(" 5  twice     A value used twice"));
}

#[test]
fn the_notebook_lesson_with_its_own_numbers() {
    // Right, then one mistake diagnosed and put right, then an answer revealed.
    let input = "1\n1\n-2\n4\n-2\n-2\n-3\n\n-4\n-7.994\n";
    let out = learn("2", 0, input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = out.stdout;
    assert!(s.contains("   5 | L = d*f\n"), "{s}");
    assert!(s.contains("dL/dL = 1\n  right\n"), "{s}");
    assert!(s.contains(
        "dL/dd = 1\n  not right\n  Mistake upstream-only: forgot the local derivative, leaving only the upstream grad; \
         here dL/dL = 1.0000 alone, without d(d*f)/dd = -2.0000.\n  Try again, or press Enter to see the answer.\ndL/dd = -2\n  right\n"
    ), "{s}");
    assert!(s.contains(
        "dL/da = \n  The answer is 6:\n    dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000\n      de/da = d(a*b)/da = b = -3.0000\n"
    ), "{s}");
    assert!(s.contains("L after a += 0.001 = -7.994\n  right\n  a moves by 0.001: L goes from -8 to -7.994, a change of 0.006"), "{s}");
    assert!(s.contains("Lesson done: 1 of 2 tasks right at the first try.\nNext: chainrule learn 3 (One neuron with tanh)\n"), "{s}");
}

#[test]
fn answers_can_be_expressions_and_a_bad_one_is_asked_again() {
    let input = "1\nf * L.grad\nd*\nd * L.grad\nd.grad\nd.grad\nb * e.grad\na * e.grad\n-7.994\n";
    let out = learn("notebook", 0, input);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("dL/df = d*\n  `d*` is not a number I can read: missing operand"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Lesson done: 2 of 2 tasks right at the first try."),
        "{}",
        out.stdout
    );
}

#[test]
fn a_seed_gives_the_same_numbers_and_no_seed_a_new_one_to_share() {
    let a = run_with_stdin(&["learn", "notebook", "--seed", "77"], b"");
    let b = run_with_stdin(&["learn", "notebook", "--seed", "77"], b"");
    let program = |s: &str| {
        s.lines()
            .filter(|l| l.contains(" | "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(program(&a.stdout), program(&b.stdout));
    assert!(a
        .stdout
        .contains("(seed 77: `chainrule learn notebook --seed 77` gives these numbers again"));
    let fresh = run_with_stdin(&["learn", "notebook"], b"");
    let seed: u64 = fresh
        .stdout
        .split("(seed ")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|s| s.parse().ok())
        .expect("the seed is printed");
    let again = learn("notebook", seed, "");
    assert_eq!(program(&fresh.stdout), program(&again.stdout));
}

#[test]
fn input_that_ends_early_stops_the_lesson_with_exit_1() {
    let out = learn("notebook", 0, "1\n-2\n");
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .ends_with("The input ended at task 1 of 2; the lesson stops here.\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unknown_lesson_is_refused_with_the_names() {
    let out = run(&["learn", "backprop"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no lesson `backprop`"));
    assert!(out.stderr.contains("1 nudge, 2 notebook"));
    assert_eq!(run(&["learn"]).code, 2);
    let out = run(&["learn", "--list", "--seed", "3"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--list takes nothing else"),
        "{}",
        out.stderr
    );
    let out = run(&["learn", "2", "--file", "x.md"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("give a lesson or --file, not both"),
        "{}",
        out.stderr
    );
}

const MINE: &str = "# Squares

```program
x = 3
y = x*x
```

y = x² at x = {{x}}. What is dy/dx?

```task grads
ask: x
mistakes: one-path at x
```
";

#[test]
fn a_teachers_own_lesson_runs_from_a_file_and_its_errors_show_line_and_column() {
    let path = file("squares.md", MINE.as_bytes());
    let p = path.to_str().unwrap();
    let out = run_with_stdin(&["learn", "--file", p, "--seed", "0"], b"3\n6\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("y = x² at x = 3. What is dy/dx?"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("dy/dx = 3\n  not right\n  Mistake one-path: "),
        "{}",
        out.stdout
    );
    let bad = file("bad.md", MINE.replace("ask: x", "ask: z").as_bytes());
    let out = run(&["learn", "--file", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("bad.md:11:6: error: the program has no value `z`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("11 | ask: z\n   |      ^\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("help: its names are: x, y"),
        "{}",
        out.stderr
    );
}

#[test]
fn without_python3_a_python_task_is_explained_and_skipped() {
    let v = learn::find("twice").unwrap().variant(0);
    let right = v.right_answers(0);
    let input = format!("{}\n{}\n{}\ncode\nend\n", right[0], right[1], right[2]);
    let out = common::run_env(
        &["learn", "twice", "--seed", "0"],
        input.as_bytes(),
        &[("PATH", "/nonexistent")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("python3 is not on PATH, so this task cannot be checked here"),
        "{}",
        out.stdout
    );
}

#[test]
fn pytorch_code_is_shown_beside_the_program() {
    let v = learn::find("pytorch").unwrap().variant(0);
    let input = format!(
        "{}\n{}\n",
        v.right_answers(0).join("\n"),
        v.right_answers(1)[0]
    );
    let out = learn("pytorch", 0, &input);
    assert_eq!(out.code, 0);
    let s = &out.stdout;
    assert!(s.contains("chainrule              | PyTorch\n"), "{s}");
    assert!(
        s.contains(
            "o = tanh(n)            | w2 = torch.Tensor([1]).double(); w2.requires_grad = True\n"
        ),
        "{s}"
    );
    assert!(
        s.contains("                       | o = torch.tanh(n)\n"),
        "{s}"
    );
    // The program is shown once, beside PyTorch's code.
    assert_eq!(s.matches("o = tanh(n)").count(), 1, "{s}");
    // Without torch installed (as here), the code is shown but not run.
    let torch = std::process::Command::new("python3")
        .args(["-c", "import torch"])
        .stderr(std::process::Stdio::null())
        .status();
    if torch.is_ok_and(|s| !s.success()) {
        assert!(
            s.contains("PyTorch is not installed here (`pip install torch`)"),
            "{s}"
        );
    }
}

//! The lessons: every built-in lesson parses, its right answers are right at many seeds,
//! each mistake it lists is diagnosed as that mistake, its python tasks pass with the
//! solution and name the mistake of each wrong version (run with python3), and a lesson
//! file with an error is refused at its line and column.

use chainrule::learn::{self, Lesson, TaskKind};
use std::process::Command;

#[test]
fn eight_lessons_along_the_notebooks_path() {
    let lessons = learn::builtin();
    let names: Vec<&str> = lessons.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        ["nudge", "notebook", "neuron", "tanh-exp", "twice", "mlp", "training", "pytorch"]
    );
    let kinds: Vec<TaskKind> = lessons
        .iter()
        .flat_map(|l| l.tasks.iter().map(|t| t.kind))
        .collect();
    for k in [
        TaskKind::Grads,
        TaskKind::Nudge,
        TaskKind::Value,
        TaskKind::Python,
        TaskKind::Bug,
    ] {
        assert!(kinds.contains(&k), "no lesson has a {k:?} task");
    }
    assert!(lessons[0].program.contains("y = 3*x**2 - 4*x + 5"));
    assert!(lessons[1].program.contains("L = d*f"));
    assert!(lessons[7]
        .parts
        .iter()
        .any(|p| matches!(p, learn::Part::Torch(t) if t.contains("o.backward()"))));
    for l in &lessons {
        assert!(!l.summary().is_empty(), "{}", l.name);
        assert_eq!(learn::find(&l.name).as_ref(), Some(l));
    }
}

#[test]
fn a_seed_gives_everyone_the_same_numbers_and_seed_0_the_written_ones() {
    for l in learn::builtin() {
        assert_eq!(l.variant(0).program, l.program, "{}", l.name);
        assert_eq!(l.variant(0).values, []);
        assert_eq!(l.variant(1234), l.variant(1234), "{}", l.name);
    }
    // Different seeds give different numbers (each lesson with a vary block).
    let l = learn::find("notebook").unwrap();
    let programs: std::collections::HashSet<String> =
        (1..20).map(|s| l.variant(s).program).collect();
    assert!(programs.len() > 10, "{}", programs.len());
    // The text shows the variant's numbers.
    let v = learn::find("nudge").unwrap().variant(5);
    let x = v.values[0].1;
    let shown = v.tasks[0].prompt.clone();
    assert!(
        shown.contains(&format!(
            "At x = {}, what is y?",
            chainrule::number::shortest(x)
        )),
        "{shown}"
    );
}

/// Every task at `seed`: the right answers are right, and each listed mistake's answer is
/// diagnosed as that mistake, and nothing else.
fn walk(l: &Lesson, seed: u64) {
    let v = l.variant(seed);
    for (t, task) in v.tasks.iter().enumerate() {
        if task.kind == TaskKind::Python {
            continue;
        }
        let right = v.right_answers(t);
        let feedback = v.check(t, &right);
        assert!(!feedback.is_empty(), "{} seed {seed} task {t}", l.name);
        for f in &feedback {
            assert!(f.right, "{} seed {seed} task {t}: {f:?}", l.name);
            assert!(f.mistakes.is_empty() && f.text.is_empty());
        }
        for listed in &task.mistakes {
            let answer = v
                .mistake_answer(t, listed)
                .unwrap_or_else(|| panic!("{} seed {seed} task {t}: {listed:?}", l.name));
            let mut answers = right.clone();
            let k = task.ask.iter().position(|n| *n == listed.at).unwrap_or(0);
            answers.truncate(k);
            answers.push(answer);
            let f = v.check(t, &answers).pop().unwrap();
            assert!(!f.right);
            assert_eq!(
                f.mistakes,
                [listed.mistake.id()],
                "{} seed {seed}: {f:?}",
                l.name
            );
            assert!(
                f.text.iter().any(|line| line.contains(listed.mistake.id())),
                "{f:?}"
            );
        }
    }
}

#[test]
fn every_lesson_checks_its_right_answers_and_names_its_mistakes_at_many_seeds() {
    for l in learn::builtin() {
        for seed in 0..25 {
            walk(&l, seed);
        }
    }
}

#[test]
fn the_right_answers_are_the_notebooks_and_the_lectures_numbers() {
    // The notebook: grads of L, d, f, c, e, a, b.
    let v = learn::find("notebook").unwrap().variant(0);
    assert_eq!(v.right_answers(0), ["1", "-2", "4", "-2", "-2", "6", "-4"]);
    // f(x) = 3x² - 4x + 5 at 2: f = 9, f' = 6x - 4 = 8, and a nudge of 0.001 gives
    // f(2.001) = 9.008003.
    let v = learn::find("nudge").unwrap().variant(0);
    assert_eq!(v.right_answers(0), ["9"]);
    assert_eq!(v.right_answers(1), ["9.008003"]);
    assert_eq!(v.right_answers(2), ["8"]);
    // The lecture's neuron: o = 0.7071, do/dn = 0.5, do/dx1 = w1·0.5 = -1.5.
    let v = learn::find("neuron").unwrap().variant(0);
    let grads: Vec<f64> = v
        .right_answers(1)
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let want = [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, -1.5, 1.0];
    assert!(
        grads.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12),
        "{grads:?}"
    );
    // y = x + x, z = y*x = 2x² at 3: dz/dx = 4x = 12.
    assert_eq!(
        learn::find("twice").unwrap().variant(0).right_answers(0),
        ["1", "3", "12"]
    );
}

#[test]
fn answers_may_be_expressions_as_the_notebook_writes_them() {
    let v = learn::find("notebook").unwrap().variant(0);
    let t = 0;
    let answers: Vec<String> = [
        "1",
        "f * L.grad",
        "d * L.grad",
        "d.grad",
        "d.grad",
        "b * e.grad",
        "a*e.grad",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let f = v.check(t, &answers);
    assert!(f.iter().all(|f| f.right), "{f:?}");
    assert_eq!(f[5].value, Some(6.0));
    // An answer that cannot be read says why, and is not judged.
    let f = v.check(t, &["1".into(), "f *".into()]);
    assert_eq!(f.len(), 2);
    assert_eq!(f[1].value, None);
    assert!(
        f[1].text[0].starts_with("`f *` is not a number I can read"),
        "{:?}",
        f[1].text
    );
    let f = v.check(t, &["1".into(), "zz".into()]);
    assert!(
        f[1].text[0].contains("unknown name `zz`"),
        "{:?}",
        f[1].text
    );
}

#[test]
fn an_error_upstream_is_carried_down_in_a_grads_task() {
    let v = learn::find("notebook").unwrap().variant(0);
    // dL/dd with its sign flipped, then dL/dc and dL/de right given it.
    let answers: Vec<String> = ["1", "2", "4", "2", "2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let f = v.check(0, &answers);
    assert_eq!(f[1].mistakes, ["sign"]);
    for g in &f[3..] {
        assert!(g.follows_from_yours && g.mistakes.is_empty(), "{g:?}");
        assert!(g.text[0].starts_with("Right, given your dL/dd = 2.0000"));
    }
}

#[test]
fn a_nudge_is_judged_by_the_change_it_predicts() {
    let v = learn::find("notebook").unwrap().variant(0);
    let t = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Nudge)
        .unwrap();
    // a from 2 to 2.001: L from -8 to -7.994 (dL/da = 6).
    let f = &v.check(t, &["-7.994".into()])[0];
    assert!(f.right, "{f:?}");
    assert_eq!(f.question, "L after a += 0.001");
    assert!(
        f.reveal[0].starts_with("a moves by 0.001: L goes from -8 to -7.994"),
        "{:?}",
        f.reveal
    );
    let f = &v.check(t, &["-7.99".into()])[0];
    assert!(!f.right && f.mistakes.is_empty());
    assert!(
        f.text[0].starts_with("That predicts a change of"),
        "{:?}",
        f.text
    );
    // de/da = b = -3 alone: the learner predicts L moves by -3 · 0.001.
    let f = &v.check(t, &["-8.003".into()])[0];
    assert_eq!(f.mistakes, ["local-only"]);
}

#[test]
fn a_bug_task_takes_a_line_number() {
    let v = learn::find("training").unwrap().variant(0);
    let t = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Bug)
        .unwrap();
    assert!(v.check(t, &["4".into()])[0].right);
    let f = &v.check(t, &["6".into()])[0];
    assert!(!f.right);
    assert_eq!(f.text[0], "Not line 6.");
    assert!(f.text[1].starts_with("Hint: "));
    assert!(f.reveal[0].starts_with("Line 4: `loss.backward()`: backward adds"));
    assert_eq!(v.check(t, &["four".into()])[0].value, None);
}

#[test]
fn json_for_a_page_has_the_questions_and_not_the_answers() {
    let v = learn::find("training").unwrap().variant(3);
    let j = v.to_json();
    let text = j.to_string();
    assert!(
        text.contains("\"lesson\":\"training\"") || text.contains("\"lesson\": \"training\""),
        "{text}"
    );
    let tasks = j.get("tasks").and_then(|t| t.as_array()).unwrap();
    assert_eq!(tasks.len(), v.tasks.len());
    assert!(
        !text.contains(&v.tasks[3].why),
        "the bug's explanation is an answer"
    );
    let f = v.check(0, &["1".into()])[0].to_json();
    assert_eq!(f.get("right").map(|r| r.to_string()), Some("true".into()));
}

/// Runs a python task's script with python3; `None` when python3 is not there (CI has it:
/// there a missing python3 fails).
fn python(script: &str) -> Option<(String, String)> {
    match Command::new("python3").arg("-c").arg(script).output() {
        Ok(out) => Some((
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
        Err(_) if std::env::var("CI").is_err() => None,
        Err(e) => panic!("python3 is needed for the python tasks' tests: {e}"),
    }
}

#[test]
fn python_tasks_pass_with_the_solution_and_name_each_wrong_versions_mistake() {
    let mut checked = 0;
    for l in learn::builtin() {
        for seed in [0, 3] {
            let v = l.variant(seed);
            for (t, task) in v
                .tasks
                .iter()
                .enumerate()
                .filter(|(_, t)| t.kind == TaskKind::Python)
            {
                let Some((out, err)) = python(&v.python_script(t, &task.solution)) else {
                    return;
                };
                let f = v.check_python(t, &out, &err);
                assert!(
                    !f.is_empty() && f.iter().all(|f| f.right),
                    "{} {seed}: {f:?}\n{err}",
                    l.name
                );
                assert!(!task.wrong.is_empty(), "{}", l.name);
                for (m, code) in &task.wrong {
                    let (out, err) = python(&v.python_script(t, code)).unwrap();
                    let f = v.check_python(t, &out, &err);
                    let named: Vec<_> = f.iter().filter(|f| !f.mistakes.is_empty()).collect();
                    // The first wrong grad names it (at the lecture's numbers, where
                    // tanh(n)² = 1/2, 1 + t² is also dL/do + do/dn: both are named).
                    assert_eq!(named.len(), 1, "{} {seed} {m:?}: {f:?}", l.name);
                    assert!(named[0].mistakes.contains(&m.id()), "{:?}", named[0]);
                    // Everything downstream of it follows from it.
                    for g in &f {
                        assert!(
                            g.right || !g.mistakes.is_empty() || g.follows_from_yours,
                            "{} {seed} {m:?}: {g:?}",
                            l.name
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6, "three python tasks at two seeds");
}

#[test]
fn python_code_that_fails_says_how() {
    let v = learn::find("twice").unwrap().variant(0);
    let t = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Python)
        .unwrap();
    let Some((out, err)) =
        python(&v.python_script(t, "def __add__(self, other):\n    return undefined_name\n"))
    else {
        return;
    };
    let f = v.check_python(t, &out, &err);
    assert_eq!(f.len(), 1);
    assert!(!f[0].right);
    assert_eq!(
        f[0].text[0],
        "your code stopped with: NameError: name 'undefined_name' is not defined"
    );
}

/// A lesson file with one thing wrong, where it is, and what the message says.
fn refused(src: &str, line: usize, col: usize, says: &str) {
    let e = Lesson::parse("t", src).expect_err(src);
    assert_eq!(e.line_col(), Some((line, col)), "{}", e.render(src));
    assert!(
        e.message().contains(says),
        "{} does not say {says}",
        e.message()
    );
    assert!(
        e.help_text().is_some() || says.contains("unknown name"),
        "{}",
        e.render(src)
    );
}

const GOOD: &str = "# A lesson\n\nSome text.\n\n```program\nx = 3\ny = x*x\n```\n\nWhat is dy/dx?\n\n```task grads\nask: x\n```\n";

#[test]
fn a_lesson_with_an_error_is_refused_at_its_line_and_column() {
    assert!(Lesson::parse("t", GOOD).is_ok());
    refused(
        &GOOD.replace("# A lesson", "A lesson"),
        1,
        1,
        "starts with its title",
    );
    refused(&GOOD.replace("ask: x", "ask: x z"), 13, 8, "no value `z`");
    refused(&GOOD.replace("ask: x", "asks: x"), 13, 1, "no key `asks`");
    refused(
        &GOOD.replace("task grads", "task grad"),
        12,
        9,
        "unknown task kind `grad`",
    );
    refused(
        &GOOD.replace("ask: x", "ask: x\nmistakes: slip at x"),
        14,
        11,
        "unknown mistake `slip`",
    );
    refused(
        &GOOD.replace("ask: x", "ask: x\nmistakes: sign x"),
        14,
        11,
        "expected `ID at NAME`",
    );
    refused(
        &GOOD.replace("ask: x", "ask: x\nmistakes: power at x"),
        14,
        11,
        "no answer at x is `power`",
    );
    refused(&GOOD.replace("y = x*x", "y = x*"), 7, 6, "missing operand");
    refused(
        &GOOD.replace("y = x*x", "y = x*q"),
        7,
        7,
        "unknown name `q`",
    );
    refused(
        &GOOD.replace("ask: x\n```\n", "ask: x\n"),
        12,
        1,
        "never closed",
    );
    refused(
        &GOOD.replace("```program\nx = 3\ny = x*x\n```\n", ""),
        8,
        1,
        "before the ```program block",
    );
    refused(
        &GOOD.replace("Some text.", "Some text {{q}}."),
        3,
        11,
        "before the ```program block",
    );
    refused(
        &GOOD.replace("What is dy/dx?", "At x = {{q}}?"),
        10,
        8,
        "no value `q`",
    );
    refused(
        &format!("{GOOD}\n```vary\nz: 1..3\n```\n"),
        17,
        1,
        "`z` is not a leaf",
    );
    refused(
        &format!("{GOOD}\n```vary\nx: 1..three\n```\n"),
        17,
        4,
        "not a number or a range",
    );
    refused(
        &GOOD.replace("ask: x", "tol: 0.1"),
        12,
        9,
        "needs `ask: ...`",
    );
    refused(
        &format!("{GOOD}\n```task python\n```\n"),
        16,
        9,
        "no ```python template block",
    );
    refused(
        &format!("{GOOD}\n```task bug\nanswer: 9\nwhy: w\n```\n\n```python code\na\nb\n```\n"),
        21,
        11,
        "beyond this code's 2 lines",
    );
    refused(
        &format!("{GOOD}\n```python graph\nx\n```\n"),
        16,
        11,
        "a grads task has no ```python graph block",
    );
    refused(
        &format!("{GOOD}\n```program\nz = 1\n```\n"),
        16,
        1,
        "a second ```program block",
    );
}

#[test]
fn a_broken_lesson_file_is_an_error_never_a_panic() {
    // Every built-in lesson with each line dropped, and cut short at every third character.
    for name in learn::names() {
        let src = learn::builtin_source(name).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        for k in 0..lines.len() {
            let mut cut = lines.clone();
            cut.remove(k);
            let _ = Lesson::parse(name, &cut.join("\n"));
        }
        for (i, _) in src.char_indices().step_by(3) {
            let _ = Lesson::parse(name, &src[..i]);
        }
    }
}

#[test]
fn an_answer_may_not_ask_chainrule_for_the_grad() {
    let v = learn::find("notebook").unwrap().variant(0);
    for asked in ["grad(L, d)", "2 * grad (L, d) / 2"] {
        let f = v.check(0, &["1".into(), asked.into()]);
        assert_eq!(f[1].value, None, "{asked}: {f:?}");
        assert!(f[1].text[0].starts_with("`grad(...)` would ask chainrule"));
    }
    // `x.grad` is the learner's own earlier answer, not the engine's.
    assert!(v.check(0, &["1".into(), "f * L.grad".into()])[1].right);
}

#[test]
fn a_lesson_read_within_the_pages_bounds_stops_where_its_program_passes_them() {
    let src =
        "# Big\n\n```program\nx = 2\ny = x*x*x*x*x*x*x*x\n```\n\n```task grads\nask: x\n```\n";
    let tight = chainrule::Limits {
        values: 5,
        ..chainrule::Limits::PAGE
    };
    let e = Lesson::parse_within("big", src, &tight).unwrap_err();
    assert_eq!(e.line_col(), Some((5, 5)), "{e}");
    let long = src.replace("x = 2", &format!("x = 2{}", " ".repeat(70_000)));
    let e = Lesson::parse_within("big", &long, &chainrule::Limits::PAGE).unwrap_err();
    assert!(e.message().contains("over the limit"), "{e}");
    assert_eq!(e.line_col().map(|(l, _)| l), Some(4));
    assert!(Lesson::parse("big", &long).is_ok());
}

#[test]
fn a_bug_task_may_carry_its_setup_and_its_fix() {
    let l = learn::find("training").unwrap();
    let t = l.tasks.iter().find(|t| t.kind == TaskKind::Bug).unwrap();
    assert!(t.setup.contains("MLP(3, [4, 4, 1])"), "{}", t.setup);
    assert!(t.solution.contains("p.grad = 0.0"), "{}", t.solution);
    // The answer counts the lines of the code shown, not of the setup.
    let src = "# Fix\n\n```program\nx = 1\ny = x*x\n```\n\nWhich line?\n\n```task bug\nanswer: 3\nwhy: w\n```\n\n\
               ```python code\na = 1\nb = 2\nc = a +\n```\n\n```python setup\nz = 0\n```\n\n```python solution\na = 1\nb = 2\nc = a + b\n```\n";
    let l = Lesson::parse("fix", src).unwrap();
    assert_eq!(
        (l.tasks[0].setup.as_str(), l.tasks[0].answer.as_slice()),
        ("z = 0\n", &[3][..])
    );
    refused(
        &src.replace("```python setup", "```python graph"),
        21,
        11,
        "a bug task has no ```python graph block",
    );
}

#[test]
fn the_run_without_the_lectures_value_is_the_script_after_it() {
    let v = learn::find("neuron").unwrap().variant(5);
    let t = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Python)
        .unwrap();
    let code = &v.tasks[t].solution;
    assert_eq!(
        v.python_script(t, code),
        format!("{}\n{}", learn::LECTURE_VALUE, v.python_run(t, code))
    );
    let Some((out, err)) = python(&format!(
        "{}\n{}",
        learn::LECTURE_VALUE,
        v.python_run(t, code)
    )) else {
        return;
    };
    assert!(
        v.check_python(t, &out, &err).iter().all(|f| f.right),
        "{err}"
    );
}

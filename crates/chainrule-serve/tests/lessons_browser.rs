//! The lessons view in a real browser, on both homes of the page (`chainrule serve` and the
//! static site on the WebAssembly engine), driven as a learner would: a scripted learner
//! goes through every built-in lesson, makes each mistake the lesson lists and sees the
//! engine's diagnosis name it, then gives the right answers and sees the progress kept
//! after a reload; a teacher's lesson opens from a link, a file and a drop, and one with
//! an error is refused at its line and column; the seed comes from the link, or is the
//! learner's own, shown and put in the link. The right and the mistaken answers come from
//! the library (`chainrule::learn`), the page's answers from whichever engine it runs on.
//! `SCREENSHOTS=dir` makes `lesson_pictures_for_the_readme` save the README's pictures of
//! the lessons view and of a diagnosis there (`scripts/page-screenshots.sh`).
#![cfg(target_os = "linux")]

#[path = "../../chainrule-cli/tests/support/browser.rs"]
mod browser;
#[path = "../../chainrule-wasm/tests/support/engine.rs"]
mod engine;
#[path = "support/page.rs"]
#[macro_use]
mod page;
#[path = "support/static_server.rs"]
mod static_server;

use chainrule::learn::{self, Lesson, TaskKind, Variant};
use page::{percent_encode, Home, Page};
use serde_json::json;
use std::path::PathBuf;

on_both_homes!(
    a_learner_goes_through_every_lesson_making_each_listed_mistake_and_the_progress_is_kept,
    a_teachers_lesson_opens_from_a_link_a_file_or_a_drop_and_one_with_an_error_is_refused_where_it_is,
    the_seed_comes_from_the_link_or_is_the_learners_own_shown_and_shareable,
);

/// The seed every lesson is walked with: not 0, so the numbers are a variant's.
const SEED: u64 = 20;

/// Opens the lessons view with `query` and waits until lesson `key` is shown.
fn open(p: &mut Page, width: u32, query: &str, key: &str) {
    p.open(width, width < 500, &format!("view=lessons&{query}"));
    shown(p, key);
}

/// Waits until the lessons view shows lesson `key` with its kept answers.
fn shown(p: &mut Page, key: &str) {
    p.wait(
        &format!(
            "document.querySelector('.cr-lessons').dataset.lesson === {}",
            json!(key)
        ),
        &format!("lesson {key}"),
    );
}

fn task(t: usize) -> String {
    format!(".cr-task[data-task=\"{t}\"]")
}

fn item(t: usize, k: usize) -> String {
    format!("{} li.cr-item[data-item=\"{k}\"]", task(t))
}

/// Types `answer` into `sel`'s field and presses Enter (or clicks `button` in `sel`), then
/// waits until `counter`'s element has counted one more check.
fn answer(p: &mut Page, sel: &str, input: &str, answer: &str, button: Option<&str>, counter: &str) {
    let before = p.data(counter, "checks");
    p.type_over(&format!("{sel} {input}"), answer);
    match button {
        Some(b) => p.click(&format!("{sel} {b}")),
        None => p.enter(),
    }
    p.wait(
        &format!(
            "(document.querySelector({}).dataset.checks || '') !== {}",
            json!(counter),
            json!(before)
        ),
        &format!("the check of {answer:?} in {sel}"),
    );
}

/// The diagnosis shown in `sel`: its mistakes and its lines.
fn diagnosis(p: &mut Page, sel: &str) -> (String, Vec<String>) {
    let ids = p.data(&format!("{sel} .cr-diagnosis"), "mistakes");
    (ids, p.texts(&format!("{sel} .cr-diagnosis li")))
}

/// The grad or data (`cell` 2 or 1) the lesson's graph shows for the value named `name`.
fn cell(p: &mut Page, name: &str, cell: usize) -> String {
    let v = p.eval(&format!(
        "(() => {{ const g = [...document.querySelectorAll('.cr-lesson-graph g.value')]\
           .filter(g => g.querySelector('text.cell').textContent === {}).pop(); \
           return g ? g.querySelectorAll('text.cell')[{cell}].textContent : null; }})()",
        json!(name)
    ));
    v.as_str()
        .unwrap_or_else(|| panic!("no value {name} drawn"))
        .to_string()
}

fn a_learner_goes_through_every_lesson_making_each_listed_mistake_and_the_progress_is_kept(
    home: Home,
) {
    let Some(mut p) = Page::start("lessons-walk", home) else {
        return;
    };
    p.open(1280, false, "");
    p.eval("localStorage.clear()");
    let mut mistakes = 0;
    for (i, lesson) in learn::builtin().iter().enumerate() {
        let v = lesson.variant(SEED);
        open(
            &mut p,
            1280,
            &format!("lesson={}&lesson-seed={SEED}", lesson.name),
            &lesson.name,
        );
        assert_eq!(
            p.text(".cr-lesson-program"),
            v.program,
            "lesson {}: the library's numbers for seed {SEED}",
            lesson.name
        );
        assert!(p
            .text(".cr-lesson-head h2")
            .starts_with(&format!("Lesson {} · ", i + 1)));
        p.wait(
            "document.querySelector('.cr-lesson-graph g.value')",
            "the lesson's graph",
        );
        let grads = p.texts(".cr-lesson-graph g.value text.cell:nth-of-type(3)");
        assert!(
            grads.iter().all(|g| g == "grad ?"),
            "{} before any answer: {grads:?}",
            lesson.name
        );
        for t in 0..v.tasks.len() {
            mistakes += walk_task(&mut p, lesson, &v, t);
        }
        p.wait(
            "document.querySelector('.cr-lesson-progress').dataset.done === \
             document.querySelector('.cr-lesson-progress').dataset.of",
            "every task done",
        );
        let mark = format!(
            ".cr-lesson-list a[data-lesson=\"{}\"] .cr-lesson-done",
            lesson.name
        );
        assert_eq!(
            p.text(&mark),
            "✓",
            "{} is marked done in the list",
            lesson.name
        );
    }
    let listed: usize = learn::builtin()
        .iter()
        .flat_map(|l| &l.tasks)
        .map(|t| t.mistakes.len())
        .sum();
    assert_eq!(mistakes, listed, "every listed mistake made once");
    assert!(listed >= 24, "the lessons list {listed} mistakes");
    // The progress is kept in the browser: after a reload every lesson is done, and a
    // lesson shows its answers.
    open(
        &mut p,
        1280,
        &format!("lesson=notebook&lesson-seed={SEED}"),
        "notebook",
    );
    let marks = p.texts(".cr-lesson-list .cr-lesson-done");
    assert_eq!(marks, vec!["✓"; 8]);
    p.wait(
        &format!(
            "document.querySelectorAll('{} li.cr-item[data-state=right]').length === 7",
            task(0)
        ),
        "the notebook's grads as they were answered",
    );
    let v = learn::find("notebook").unwrap().variant(SEED);
    let a: f64 = v.right_answers(0)[5].parse().unwrap();
    let shown = cell(&mut p, "a", 2);
    let drawn: f64 = shown.trim_start_matches("grad ").parse().unwrap();
    assert!(
        (drawn - a).abs() < 1e-4,
        "a's grad is drawn once found: {shown} for {a}"
    );
    // Start again forgets this lesson's answers only.
    p.click(".cr-lesson-head button[data-act=start-again]");
    p.wait(
        &format!(
            "document.querySelector('{}').dataset.state === 'open'",
            item(0, 0)
        ),
        "the lesson afresh",
    );
    p.wait(
        "document.querySelector('.cr-lesson-graph g.value')",
        "its graph",
    );
    assert_eq!(cell(&mut p, "a", 2), "grad ?");
    let kept = p.eval("JSON.parse(localStorage.getItem('chainrule-lessons')).lessons");
    assert!(kept.get(format!("notebook@{SEED}")).is_none(), "{kept}");
    assert!(kept.get(format!("nudge@{SEED}")).is_some(), "{kept}");
}

/// Task `t` of lesson `lesson` walked: each listed mistake made and its diagnosis seen, a
/// wrong or unreadable answer where none is listed, then the right answers. The number of
/// listed mistakes made.
fn walk_task(p: &mut Page, lesson: &Lesson, v: &Variant, t: usize) -> usize {
    let task_ = &v.tasks[t];
    let right = v.right_answers(t);
    let what = format!("{} task {t}", lesson.name);
    let mut made = 0;
    match task_.kind {
        TaskKind::Grads | TaskKind::Value => {
            for (k, name) in task_.ask.iter().enumerate() {
                let sel = item(t, k);
                for listed in task_.mistakes.iter().filter(|m| m.at == *name) {
                    let wrong = v.mistake_answer(t, listed).unwrap();
                    answer(p, &sel, "input", &wrong, None, &sel);
                    assert_eq!(p.data(&sel, "state"), "wrong", "{what}: {name} = {wrong}");
                    let (ids, lines) = diagnosis(p, &sel);
                    let id = listed.mistake.id();
                    assert_eq!(ids, id, "{what}: {name} = {wrong}: {lines:?}");
                    assert!(
                        lines
                            .iter()
                            .any(|l| l.starts_with(&format!("Mistake {id}: "))),
                        "{what}: {lines:?}"
                    );
                    made += 1;
                }
                if k == 0 {
                    // An answer that cannot be read says why; a plain wrong one is wrong.
                    answer(p, &sel, "input", "zz", None, &sel);
                    assert_eq!(p.data(&sel, "state"), "unread");
                    assert!(p
                        .text(&format!("{sel} .cr-feedback"))
                        .contains("unknown name `zz`"));
                    answer(p, &sel, "input", "12345", None, &sel);
                    assert_eq!(p.data(&sel, "state"), "wrong", "{what}");
                }
                answer(p, &sel, "input", &right[k], None, &sel);
                assert_eq!(
                    p.data(&sel, "state"),
                    "right",
                    "{what}: {name} = {}",
                    right[k]
                );
                if task_.kind == TaskKind::Grads {
                    let of = task_.of.clone().unwrap_or_else(|| output_name(v));
                    p.wait(
                        &format!(
                            "document.querySelector('.cr-lesson-graph').dataset.of === {}",
                            json!(of)
                        ),
                        &format!("the graph of {of}"),
                    );
                    let drawn = cell(p, name, 2);
                    assert_ne!(drawn, "grad ?", "{what}: {name}'s grad drawn once found");
                }
            }
        }
        TaskKind::Nudge => {
            let sel = task(t);
            for (n, listed) in task_.mistakes.iter().enumerate() {
                if n > 0 {
                    again(p, t);
                }
                let wrong = v.mistake_answer(t, listed).unwrap();
                answer(
                    p,
                    &sel,
                    "input",
                    &wrong,
                    Some("button[data-act=commit]"),
                    &sel,
                );
                assert_eq!(p.data(&sel, "prediction"), "wrong", "{what}: {wrong}");
                assert_eq!(
                    p.data(&sel, "mistakes"),
                    listed.mistake.id(),
                    "{what}: {wrong}"
                );
                // Committed: the field is fixed and the real change is out.
                assert_eq!(
                    p.eval(&format!("document.querySelector('{sel} input').readOnly")),
                    json!(true)
                );
                assert!(p
                    .text(&format!("{sel} .cr-step-written"))
                    .contains(" goes from "));
                made += 1;
            }
            if !task_.mistakes.is_empty() {
                again(p, t);
            }
            answer(
                p,
                &sel,
                "input",
                &right[0],
                Some("button[data-act=commit]"),
                &sel,
            );
            assert_eq!(p.data(&sel, "prediction"), "right", "{what}");
            // The graph replays the nudge once the prediction is in.
            p.click(&format!("{sel} button[data-act=see]"));
            p.wait(
                "!document.querySelector('.cr-lesson-graph .cr-graph-banner').hidden",
                "the replay",
            );
            assert!(p
                .text(".cr-lesson-graph .cr-graph-banner")
                .starts_with("Replayed with "));
        }
        TaskKind::Bug => {
            let sel = task(t);
            let lines = task_.code.lines().count();
            let wrong = (1..=lines).find(|n| !task_.answer.contains(n)).unwrap();
            let before = p.data(&sel, "checks");
            p.click(&format!("{sel} button.cr-line[data-line=\"{wrong}\"]"));
            wait_checks(p, &sel, &before);
            assert_eq!(
                p.data(&format!("{sel} li[data-line=\"{wrong}\"]"), "state"),
                "wrong"
            );
            assert_eq!(
                p.text(&format!("{sel} .cr-feedback"))
                    .split("Hint")
                    .next()
                    .unwrap(),
                format!("Not line {wrong}.")
            );
            let before = p.data(&sel, "checks");
            p.click(&format!(
                "{sel} button.cr-line[data-line=\"{}\"]",
                task_.answer[0]
            ));
            wait_checks(p, &sel, &before);
            assert_eq!(p.data(&sel, "state"), "done", "{what}");
            assert!(p
                .text(&format!("{sel} .cr-step-written"))
                .contains(&task_.why));
        }
        TaskKind::Python => {
            let sel = task(t);
            assert_eq!(p.data(&sel, "state"), "elsewhere");
            let n = learn::names()
                .iter()
                .position(|n| *n == lesson.name)
                .unwrap()
                + 1;
            let note = p.text(&format!("{sel} .cr-elsewhere"));
            assert!(
                note.contains(&format!("chainrule.lessons.open({n}, seed={SEED})")),
                "{note}"
            );
            assert!(
                note.contains(&format!("chainrule learn {} --seed {SEED}", lesson.name)),
                "{note}"
            );
            assert_eq!(p.text(&format!("{sel} pre code")), task_.code);
        }
    }
    made
}

/// The name of the program's last value.
fn output_name(v: &Variant) -> String {
    let g = chainrule::Graph::new();
    let p = chainrule::lang::Program::parse(&v.program).unwrap();
    p.eval(&g, &Default::default())
        .unwrap()
        .output_name
        .unwrap()
}

fn wait_checks(p: &mut Page, sel: &str, before: &str) {
    p.wait(
        &format!(
            "(document.querySelector({}).dataset.checks || '') !== {}",
            json!(sel),
            json!(before)
        ),
        "the check",
    );
}

/// The task's Again button: the task afresh.
fn again(p: &mut Page, t: usize) {
    p.click(&format!("{} button.cr-task-again", task(t)));
    p.wait(
        &format!(
            "document.querySelector('{}').dataset.state === 'open'",
            task(t)
        ),
        "the task afresh",
    );
}

/// A teacher's lesson: Markdown that tries to inject markup, a seeded number, one task.
const OWN: &str = "# Squares\n\nA square, by hand: *twice* x. <img src=x onerror=\"window.injected = 1\"> \
<script>window.injected = 2</script> [a link](javascript:window.injected=3) and [a real one](https://example.org).\n\n\
```program\nx = 3\ny = x*x\n```\n\n```vary\nx: 1..5\n```\n\nWhat is dy/dx at x = {{x}}?\n\n```task grads\nask: x\nmistakes: one-path at x\n```\n";

/// The fragment that carries a lesson's text: what the page writes (URLSearchParams).
fn fragment(source: &str, name: &str) -> String {
    format!("lesson={}&name={name}", percent_encode(source))
}

fn a_teachers_lesson_opens_from_a_link_a_file_or_a_drop_and_one_with_an_error_is_refused_where_it_is(
    home: Home,
) {
    let Some(mut p) = Page::start("lessons-own", home) else {
        return;
    };
    p.open(1280, false, "");
    // From a link: the whole lesson in the fragment.
    let url = format!(
        "{}#{}",
        p.site.url("lesson-seed=3"),
        fragment(OWN, "squares")
    );
    p.go(
        &url,
        "document.querySelector('.cr-lessons').dataset.lesson",
        "the lesson from the link",
    );
    assert_eq!(p.text(".cr-lesson-head h2"), "Your lesson · Squares");
    let v = Lesson::parse("squares", OWN).unwrap().variant(3);
    assert_eq!(p.text(".cr-lesson-program"), v.program);
    // Markdown made into elements: no markup, no script, no javascript: link.
    let md = ".cr-lesson-parts .cr-md";
    assert_eq!(p.eval("window.injected === undefined"), json!(true));
    assert_eq!(
        p.eval(&format!("document.querySelectorAll('{md} img, {md} script, {md} a[href^=\"javascript\"]').length")),
        json!(0)
    );
    assert!(p
        .text(md)
        .contains("<img src=x onerror=\"window.injected = 1\">"));
    assert_eq!(p.text(&format!("{md} em")), "twice");
    assert_eq!(
        p.eval(&format!("document.querySelector('{md} a').href")),
        json!("https://example.org/")
    );
    // Its task checked and diagnosed like a built-in one's.
    let sel = item(0, 0);
    let wrong = v.mistake_answer(0, &v.tasks[0].mistakes[0]).unwrap();
    answer(&mut p, &sel, "input", &wrong, None, &sel);
    assert_eq!(diagnosis(&mut p, &sel).0, "one-path");
    answer(&mut p, &sel, "input", &v.right_answers(0)[0], None, &sel);
    assert_eq!(p.data(&sel, "state"), "right");
    let here = p.eval("location.hash").as_str().unwrap().to_string();
    assert!(
        here.starts_with("#lesson=%23+Squares"),
        "the link carries the lesson: {here}"
    );
    // A link to a lesson with an error: where it is, the line with a caret, what to do.
    let bad = OWN.replace("ask: x", "ask: z");
    let url = format!("{}#{}", p.site.url(""), fragment(&bad, "bad"));
    p.go(
        &url,
        "document.querySelector('.cr-lesson-error')",
        "the lesson's error",
    );
    let e = ".cr-lesson-error";
    assert_eq!(
        (p.data(e, "line"), p.data(e, "column")),
        ("17".into(), "6".into())
    );
    assert_eq!(
        p.text(&format!("{e} .cr-error-message")),
        "error: line 17, column 6: the program has no value `z`"
    );
    assert_eq!(
        p.text(&format!("{e} .cr-error-excerpt")),
        "17 | ask: z\n   |      ^"
    );
    assert_eq!(
        p.text(&format!("{e} .cr-error-help")),
        "help: its names are: x, y"
    );
    // From a file: one with an error is refused in the box, the lesson shown stays.
    open(&mut p, 1280, "lesson=twice&lesson-seed=1", "twice");
    let put = |name: &str, text: &str| {
        format!(
            "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([{}], {})); \
               const input = document.querySelector('.cr-file-input'); input.files = dt.files; \
               input.dispatchEvent(new Event('change')); return 0; }})()",
            json!(text),
            json!(name)
        )
    };
    p.eval(&put("05-mine.md", &bad));
    p.wait(
        "!document.querySelector('.cr-own .cr-error').hidden",
        "the file's error",
    );
    assert!(p
        .text(".cr-own .cr-error")
        .starts_with("05-mine.md is not a lesson chainrule can read:error: line 17, column 6"));
    assert_eq!(p.data(".cr-lessons", "lesson"), "twice");
    p.eval(&put("05-mine.md", OWN));
    p.wait(
        "document.querySelector('.cr-lessons').dataset.lesson.startsWith('file:05-mine:')",
        "the file's lesson",
    );
    assert!(
        p.data(".cr-own .cr-error", "line").is_empty()
            || p.eval("document.querySelector('.cr-own .cr-error').hidden") == json!(true)
    );
    // Dropped on the view.
    open(&mut p, 1280, "lesson=nudge", "nudge");
    let squares = OWN.replace("# Squares", "# Dropped squares");
    p.eval(&format!(
        "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([{}], 'dropped.md')); \
           document.querySelector('.cr-lessons').dispatchEvent(new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}})); return 0; }})()",
        json!(squares)
    ));
    p.wait(
        "document.querySelector('.cr-lessons').dataset.lesson.startsWith('file:dropped:')",
        "the dropped lesson",
    );
    assert_eq!(
        p.text(".cr-lesson-head h2"),
        "Your lesson · Dropped squares"
    );
}

fn the_seed_comes_from_the_link_or_is_the_learners_own_shown_and_shareable(home: Home) {
    let Some(mut p) = Page::start("lessons-seed", home) else {
        return;
    };
    p.open(1280, false, "");
    p.eval("localStorage.clear()");
    let notebook = learn::find("notebook").unwrap();
    // A teacher's link: everyone gets seed 42's numbers.
    open(&mut p, 1280, "lesson=notebook&lesson-seed=42", "notebook");
    assert_eq!(p.text(".cr-lesson-program"), notebook.variant(42).program);
    assert!(p.text(".cr-seed").contains("seed 42, from the link"));
    // No seed in the link: the learner's own, shown, and put in the link.
    let own = |p: &mut Page| -> u64 {
        open(p, 1280, "lesson=notebook", "notebook");
        let seed: u64 = p.data(".cr-seed", "seed").parse().unwrap();
        assert!(p
            .text(".cr-seed")
            .starts_with(&format!("Your numbers: seed {seed}.")));
        assert_eq!(p.text(".cr-lesson-program"), notebook.variant(seed).program);
        let href = p
            .eval("document.querySelector('#share').href")
            .as_str()
            .unwrap()
            .to_string();
        assert!(href.contains(&format!("lesson-seed={seed}")), "{href}");
        seed
    };
    let first = own(&mut p);
    assert_eq!(own(&mut p), first, "the same learner keeps their seed");
    p.eval("localStorage.clear()");
    let second = own(&mut p);
    assert_ne!(second, first, "another learner gets other numbers");
    // New numbers: another seed, in the link.
    p.click(".cr-lesson-head button[data-act=new-numbers]");
    p.wait(
        &format!("document.querySelector('.cr-seed') && document.querySelector('.cr-seed').dataset.seed !== '{second}'"),
        "new numbers",
    );
    let third: u64 = p.data(".cr-seed", "seed").parse().unwrap();
    p.wait(
        &format!("location.search.includes('lesson-seed={third}')"),
        "the link with them",
    );
    // Seed 0: the lesson's own numbers, the notebook's.
    open(&mut p, 1280, "lesson=2&lesson-seed=0", "notebook");
    assert_eq!(p.text(".cr-lesson-program"), notebook.program);
    assert_eq!(p.text(".cr-seed"), "The lesson's own numbers (seed 0).");
}

/// The README's pictures: the lessons view at 390, 768 and 1280 px, a wrong grad
/// diagnosed in it; and the graph view's hand grads diagnosed, as the terminal's example.
#[test]
fn lesson_pictures_for_the_readme() {
    let Some(dir) = std::env::var_os("SCREENSHOTS").map(PathBuf::from) else {
        return;
    };
    let Some(mut p) = Page::start("lesson-pictures", Home::Served) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    p.open(1280, false, "");
    p.eval("localStorage.clear()");
    let v = learn::find("notebook").unwrap().variant(0);
    for width in [390, 768, 1280] {
        open(&mut p, width, "lesson=notebook&lesson-seed=0", "notebook");
        p.click(".cr-lesson-head button[data-act=start-again]");
        p.wait(
            &format!(
                "document.querySelector('{}').dataset.state === 'open'",
                item(0, 0)
            ),
            "afresh",
        );
        let right = v.right_answers(0);
        for (k, a) in right.iter().enumerate().take(4) {
            answer(&mut p, &item(0, k), "input", a, None, &item(0, k));
        }
        // e's grad with its sign lost.
        answer(&mut p, &item(0, 4), "input", "2", None, &item(0, 4));
        p.eval("document.activeElement.blur(); scrollTo(0, 0)");
        let away = json!({"type": "mouseMoved", "x": 0, "y": 0});
        p.b.call(Some(&p.s), "Input.dispatchMouseEvent", away);
        p.picture(
            &dir.join(format!("page-lessons-{width}.png")),
            width,
            width < 500,
            3600.0,
        );
    }
    // The terminal's example on the page: the notebook with three grads set by hand.
    let program = format!(
        "{}L.grad = 1\nd.grad = -2\nf.grad = 4\nc.grad = -2\ne.grad = 2\na.grad = -6\nb.grad = -6\n",
        page::NOTEBOOK
    );
    p.open(1280, false, &format!("p={}", percent_encode(&program)));
    p.wait(
        "document.querySelectorAll('#hand-area .cr-diagnosis').length === 3",
        "the diagnoses",
    );
    let r = p.eval(
        "(() => { const r = document.querySelector('#hand-area').getBoundingClientRect(); \
           return [r.x, r.y + scrollY, r.width, r.height]; })()",
    );
    let r: Vec<f64> = serde_json::from_value(r).unwrap();
    p.shot(
        &dir.join("page-diagnosis.png"),
        json!({"format": "png", "captureBeyondViewport": true,
               "clip": {"x": r[0], "y": r[1], "width": r[2], "height": r[3], "scale": 1}}),
    );
}

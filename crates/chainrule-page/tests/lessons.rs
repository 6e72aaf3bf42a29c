//! The lesson questions through the protocol's one dispatch: the built-in lessons listed,
//! a lesson's variant for a seed (the library's numbers, no answers unless asked), every
//! listed mistake diagnosed as that mistake, a python task checked from a run, a teacher's
//! lesson from its text, and every bad request refused with what to do (a lesson file's
//! error at its line and column).

use chainrule::learn::{self, TaskKind};
use chainrule_page::{ask, ApiError, ErrorKind, Limits, ANSWER_BYTES};
use serde_json::{json, Value};

fn q(name: &str, req: Value) -> Result<Value, ApiError> {
    ask(name, req.to_string().as_bytes(), &Limits::default())
}

fn refused(name: &str, req: Value, kind: ErrorKind, says: &str) -> Value {
    let e = q(name, req.clone()).expect_err(&req.to_string());
    let message = e.body["error"]["message"].as_str().unwrap().to_string();
    assert_eq!(e.kind, kind, "{message}");
    assert!(message.contains(says), "{message} does not say {says}");
    e.body["error"].clone()
}

#[test]
fn the_built_in_lessons_are_listed_in_order_with_their_tasks() {
    let a = q("lessons", json!({})).unwrap();
    let list = a["lessons"].as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, learn::names());
    assert_eq!(list[1]["number"], 2);
    assert_eq!(list[1]["title"], "The notebook's L by hand");
    assert_eq!(list[1]["tasks"], json!(["grads", "nudge"]));
    assert_eq!(list[6]["tasks"], json!(["grads", "value", "value", "bug"]));
    assert!(list
        .iter()
        .all(|l| !l["summary"].as_str().unwrap().is_empty()));
}

#[test]
fn a_lesson_for_a_seed_has_the_librarys_numbers_and_what_each_task_asks() {
    for key in ["notebook", "2"] {
        let a = q("lesson", json!({"lesson": key, "seed": 42})).unwrap();
        let v = learn::find("notebook").unwrap().variant(42);
        assert_eq!(a["program"], v.program.as_str());
        assert_eq!(
            (a["number"].clone(), a["seed"].clone()),
            (json!(2), json!(42))
        );
        assert_eq!(
            a["tasks"][0]["items"],
            json!(["dL/dL", "dL/dd", "dL/df", "dL/dc", "dL/de", "dL/da", "dL/db"])
        );
        assert_eq!(a["tasks"][1]["items"], json!(["L after a += 0.001"]));
        assert_eq!(
            (
                a["tasks"][0]["output"].clone(),
                a["tasks"][1]["output"].clone()
            ),
            (json!("L"), json!("L"))
        );
        assert!(a.get("lecture_value").is_none(), "no python task here");
    }
    let zero = q("lesson", json!({"lesson": "notebook"})).unwrap();
    assert_eq!(zero["program"], learn::find("notebook").unwrap().program);
    assert_ne!(
        zero["program"],
        q("lesson", json!({"lesson": "notebook", "seed": 7})).unwrap()["program"]
    );
}

#[test]
fn the_answers_are_sent_only_when_asked_for() {
    let plain = q("lesson", json!({"lesson": "training", "seed": 3})).unwrap();
    let text = plain.to_string();
    let v = learn::find("training").unwrap().variant(3);
    let bug = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Bug)
        .unwrap();
    assert!(
        !text.contains(&v.tasks[bug].why),
        "the bug's why is an answer"
    );
    assert!(
        !text.contains("p.grad = 0.0"),
        "the fixed loop is an answer"
    );
    assert_eq!(plain["tasks"][bug]["fix"], true);
    let outputs: Vec<&str> = plain["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["output"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        ["loss", "loss1", "both", "both"],
        "a task's graph: its grads' output, its last value"
    );
    // The program question draws the graph of the value asked for.
    let g = q("program", json!({"source": plain["program"], "of": "loss"})).unwrap();
    assert_eq!(g["output"]["name"], "loss");
    assert!(g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["name"] == "pred"));
    refused(
        "program",
        json!({"source": "x = 1", "of": "zz"}),
        ErrorKind::BadProgram,
        "zz",
    );
    assert!(plain["tasks"][bug]["setup"]
        .as_str()
        .unwrap()
        .contains("MLP(3, [4, 4, 1])"));
    for t in plain["tasks"].as_array().unwrap() {
        assert!(t.get("right").is_none() && t.get("solution").is_none());
    }
    let full = q(
        "lesson",
        json!({"lesson": "training", "seed": 3, "with_answers": true}),
    )
    .unwrap();
    assert_eq!(full["tasks"][0]["right"], json!(v.right_answers(0)));
    assert!(full["tasks"][bug]["solution"]
        .as_str()
        .unwrap()
        .contains("p.grad = 0.0"));
}

#[test]
fn every_listed_mistake_is_diagnosed_as_that_mistake_through_the_protocol() {
    let mut seen = 0;
    for (i, lesson) in learn::builtin().iter().enumerate() {
        let seed = 1000 + i as u64;
        let v = lesson.variant(seed);
        for (t, task) in v.tasks.iter().enumerate() {
            for listed in &task.mistakes {
                let wrong = v.mistake_answer(t, listed).unwrap();
                let mut answers = v.right_answers(t);
                let k = task.ask.iter().position(|n| *n == listed.at).unwrap_or(0);
                answers.truncate(k);
                answers.push(wrong);
                let req =
                    json!({"lesson": lesson.name, "seed": seed, "task": t, "answers": answers});
                let a = q("lesson_check", req).unwrap();
                let f = &a["feedback"][k];
                assert_eq!(f["right"], false);
                assert_eq!(
                    f["mistakes"],
                    json!([listed.mistake.id()]),
                    "{} {t}: {f}",
                    lesson.name
                );
                assert!(!f["text"].as_array().unwrap().is_empty());
                assert_eq!(a["complete"], false);
                seen += 1;
            }
            if task.kind == TaskKind::Python {
                continue;
            }
            let right = v.right_answers(t);
            let req = json!({"lesson": lesson.name, "seed": seed, "task": t, "answers": right});
            let a = q("lesson_check", req).unwrap();
            assert_eq!(a["complete"], true, "{} {t}: {a}", lesson.name);
        }
    }
    assert!(seen >= 20, "{seen} listed mistakes");
}

#[test]
fn an_answer_shown_is_the_right_one_with_its_step() {
    let req = json!({"lesson": "notebook", "task": 0, "answers": ["1", "7"], "show": true});
    let a = q("lesson_check", req).unwrap();
    assert_eq!(a["shown"], "-2");
    let f = &a["feedback"][1];
    assert_eq!(f["right"], true);
    assert_eq!(f["reveal"][0], "dL/dd = d(d*f)/dd = f = -2.0000");
    // Shown before anything is typed: the first item.
    let a = q(
        "lesson_check",
        json!({"lesson": "1", "task": 1, "show": true}),
    )
    .unwrap();
    assert_eq!(a["shown"], "9.008003");
    assert_eq!(a["complete"], true);
}

#[test]
fn a_python_task_is_checked_from_its_run() {
    let v = learn::find("twice").unwrap().variant(0);
    let t = v
        .tasks
        .iter()
        .position(|t| t.kind == TaskKind::Python)
        .unwrap();
    let a = q("lesson", json!({"lesson": "twice"})).unwrap();
    assert_eq!(a["tasks"][t]["run"], v.python_run(t, "").as_str());
    assert_eq!(a["lecture_value"], learn::LECTURE_VALUE);
    refused(
        "lesson_check",
        json!({"lesson": "twice", "task": t, "answers": ["x"]}),
        ErrorKind::BadRequest,
        "it runs in Jupyter (chainrule.lessons) or the terminal (chainrule learn)",
    );
    // What the fixed __add__ prints: x = 3, y = 6, z = 18; dz/dx = 2y... = 12 + 6.
    let stdout = "CHAINRULE-GRADS {\"z\": 1.0, \"y\": 3.0, \"x\": 12.0}\n";
    let a = q(
        "lesson_check",
        json!({"lesson": "twice", "task": t, "stdout": stdout}),
    )
    .unwrap();
    assert_eq!(a["complete"], true, "{a}");
    // The lecture's first __add__ ('=' for '+='): x's grad is one path's.
    let stdout = "CHAINRULE-GRADS {\"z\": 1.0, \"y\": 3.0, \"x\": 3.0}\n";
    let a = q(
        "lesson_check",
        json!({"lesson": "twice", "task": t, "stdout": stdout}),
    )
    .unwrap();
    let x = a["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "x")
        .unwrap();
    assert!(
        x["mistakes"]
            .as_array()
            .unwrap()
            .contains(&json!("one-path")),
        "{x}"
    );
    let a = q(
        "lesson_check",
        json!({"lesson": "twice", "task": t, "stdout": "", "stderr": "Traceback...\nNameError: name 'q' is not defined\n"}),
    )
    .unwrap();
    assert_eq!(
        a["feedback"][0]["text"][0],
        "your code stopped with: NameError: name 'q' is not defined"
    );
}

const OWN: &str = "# Squares\n\nA square, by hand.\n\n```program\nx = 3\ny = x*x\n```\n\n```vary\nx: 1..5\n```\n\nWhat is dy/dx at x = {{x}}?\n\n```task grads\nask: x\n```\n";

#[test]
fn a_teachers_lesson_comes_as_its_text_and_an_error_is_refused_where_it_is() {
    let a = q(
        "lesson",
        json!({"source": OWN, "name": "squares", "seed": 5}),
    )
    .unwrap();
    assert_eq!(
        (a["title"].clone(), a["lesson"].clone()),
        (json!("Squares"), json!("squares"))
    );
    assert_eq!(a["number"], Value::Null);
    let x: f64 = a["values"]["x"].as_f64().unwrap();
    assert_eq!(
        a["tasks"][0]["prompt"],
        format!("What is dy/dx at x = {x}?")
    );
    let right = format!("{}", 2.0 * x);
    let c = q(
        "lesson_check",
        json!({"source": OWN, "name": "squares", "seed": 5, "task": 0, "answers": [right]}),
    )
    .unwrap();
    assert_eq!(c["complete"], true);
    // An error: where it is, its length, what to do.
    let bad = OWN.replace("ask: x", "ask: z");
    let e = refused(
        "lesson",
        json!({"source": bad}),
        ErrorKind::BadProgram,
        "the program has no value `z`",
    );
    assert_eq!(
        (e["line"].clone(), e["column"].clone(), e["length"].clone()),
        (json!(17), json!(6), json!(1))
    );
    assert_eq!(e["help"], "its names are: x, y");
    let e = refused(
        "lesson",
        json!({"source": "no title\n"}),
        ErrorKind::BadProgram,
        "a lesson starts with its title",
    );
    assert_eq!(
        (e["line"].clone(), e["column"].clone()),
        (json!(1), json!(1))
    );
}

#[test]
fn a_lesson_is_held_to_the_pages_bounds_while_it_is_read() {
    let big = format!(
        "# Big\n\n```program\nx = 1\ny = x{}\n```\n\n```task grads\nask: x\n```\n",
        "+x".repeat(12_000)
    );
    let e = refused(
        "lesson",
        json!({"source": big}),
        ErrorKind::TooLarge,
        "more than 10,000 values",
    );
    assert_eq!(e["line"], 5);
    let huge = format!("{OWN}\n{}", "text ".repeat(14_000));
    refused(
        "lesson",
        json!({"source": huge}),
        ErrorKind::TooLarge,
        "the lesson is 70",
    );
    let long = "1".repeat(ANSWER_BYTES + 1);
    refused(
        "lesson_check",
        json!({"lesson": "1", "task": 2, "answers": [long]}),
        ErrorKind::TooLarge,
        "at most 1000 bytes",
    );
}

#[test]
fn bad_requests_say_what_to_send() {
    let e = refused(
        "lesson",
        json!({"lesson": "nine"}),
        ErrorKind::NotFound,
        "there is no lesson \"nine\"",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("1 nudge, 2 notebook"),
        "{e}"
    );
    refused(
        "lesson",
        json!({}),
        ErrorKind::BadRequest,
        "name one lesson",
    );
    refused(
        "lesson",
        json!({"lesson": "1", "source": OWN}),
        ErrorKind::BadRequest,
        "not both",
    );
    refused(
        "lesson_check",
        json!({"lesson": "1", "task": 9}),
        ErrorKind::BadRequest,
        "there is no task 9",
    );
    refused(
        "lesson_check",
        json!({"lesson": "1", "task": 0, "answers": ["1", "2"]}),
        ErrorKind::BadRequest,
        "task 0 asks for 1 answers, not 2",
    );
    refused(
        "lesson_check",
        json!({"lesson": "1"}),
        ErrorKind::BadRequest,
        "missing field `task`",
    );
    refused(
        "lesson",
        json!({"lesson": "1", "seed": -1}),
        ErrorKind::BadRequest,
        "not the JSON expected",
    );
}

//! The lesson questions: the built-in lessons listed ([`lessons`]), a lesson's variant for
//! a seed ([`lesson`]: its text, program and tasks, no answers), and a task's answers
//! checked, every grad diagnosed ([`lesson_check`]). A lesson is a built-in one, by name
//! or number, or a lesson file's text sent with the question (a teacher's own, opened in
//! the page from a file or a link), held to the page's bounds while it is read. The
//! library's `chainrule::learn` does the work; this is its JSON.
//!
//! ```
//! use chainrule_page::{ask, Limits};
//! let l = ask("lesson", br#"{"lesson": "notebook", "seed": 0}"#, &Limits::default()).unwrap();
//! assert_eq!(l["tasks"][0]["items"][1], "dL/dd");
//! let c = ask("lesson_check", br#"{"lesson": "2", "task": 0, "answers": ["1", "1"]}"#,
//!             &Limits::default()).unwrap();
//! assert_eq!(c["feedback"][1]["mistakes"][0], "upstream-only");
//! ```

use crate::{ApiError, ErrorKind, Limits};
use chainrule::json::Json;
use chainrule::learn::{self, Lesson, TaskKind, Variant};
use serde::Deserialize;
use serde_json::{json, Value};

/// The longest answer a learner may give, in bytes: a number or a short expression.
pub const ANSWER_BYTES: usize = 1_000;

/// Which lesson a question is about, and its numbers.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LessonRequest {
    /// A built-in lesson, by name (`notebook`) or number (`2`).
    #[serde(default)]
    pub lesson: Option<String>,
    /// Or a lesson file's text (a teacher's own).
    #[serde(default)]
    pub source: Option<String>,
    /// The name of a lesson sent as text (its file's, `squares`); `lesson` when none.
    #[serde(default)]
    pub name: Option<String>,
    /// The seed that picks its numbers: 0 for the lesson's own.
    #[serde(default)]
    pub seed: u64,
}

/// The `lesson` question: a lesson and, for a checker that runs code itself (a notebook's
/// kernel, a test), whether to add the answers.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct VariantRequest {
    /// The lesson and its seed.
    #[serde(flatten)]
    pub which: LessonRequest,
    /// Add each task's right answers (`right`) and code solution (`solution`); a page
    /// never asks for them.
    #[serde(default)]
    pub with_answers: bool,
}

/// The `lesson_check` question: answers to one task.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CheckRequest {
    /// The lesson and its seed.
    #[serde(flatten)]
    pub which: LessonRequest,
    /// The task, from 0.
    pub task: usize,
    /// The answers so far, in the order asked (one for a nudge or a bug).
    #[serde(default)]
    pub answers: Vec<String>,
    /// Put the right answer in place of the last one (the learner asked to be shown).
    #[serde(default)]
    pub show: bool,
    /// A python task's run, as the learner's code printed it (its standard output).
    #[serde(default)]
    pub stdout: Option<String>,
    /// And its standard error (where it stopped, if it did).
    #[serde(default)]
    pub stderr: Option<String>,
}

/// The `lessons` question: every built-in lesson, with its number, name, title, a line
/// about it and its tasks' kinds.
pub fn lessons() -> Value {
    let list: Vec<Value> = learn::builtin()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "number": i + 1,
                "name": l.name,
                "title": l.title,
                "summary": l.summary(),
                "tasks": l.tasks.iter().map(|t| t.kind.word()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"ok": true, "lessons": list})
}

/// The `lesson` question: the variant of the lesson for its seed, as the library writes it
/// (text, program, parts, tasks without their answers), with each task's `items` (what is
/// asked, `dL/dd`) and `output` (the value whose graph it is about: its grads' output, the
/// last value asked), a python task's `run` (its graph and report, for a kernel that runs the
/// learner's code) and the lecture's `Value` (`lecture_value`) when a task runs Python.
pub fn lesson(req: &VariantRequest, limits: &Limits) -> Result<Value, ApiError> {
    let (lesson, number) = find(&req.which, limits)?;
    let v = lesson.variant(req.which.seed);
    let mut answer = from_library(&v.to_json());
    let last = output_name(&v, limits);
    let tasks: Vec<Value> = v
        .tasks
        .iter()
        .enumerate()
        .zip(answer["tasks"].as_array().cloned().unwrap_or_default())
        .map(|((t, task), mut j)| {
            j["items"] = json!((0..items(&v, t))
                .map(|k| v.question(t, k))
                .collect::<Vec<_>>());
            j["output"] = json!(match task.kind {
                TaskKind::Grads => task.of.clone().unwrap_or_else(|| last.clone()),
                TaskKind::Value => task.ask.last().cloned().unwrap_or_else(|| last.clone()),
                _ => last.clone(),
            });
            match task.kind {
                TaskKind::Python => j["run"] = json!(v.python_run(t, "")),
                TaskKind::Bug => {
                    j["setup"] = json!(task.setup);
                    j["fix"] = json!(!task.solution.is_empty());
                }
                _ => {}
            }
            if req.with_answers {
                j["right"] = json!(v.right_answers(t));
                j["solution"] = json!(task.solution);
            }
            j
        })
        .collect();
    answer["tasks"] = json!(tasks);
    answer["ok"] = json!(true);
    answer["number"] = json!(number);
    if v.tasks.iter().any(|t| t.kind == TaskKind::Python) {
        answer["lecture_value"] = json!(learn::LECTURE_VALUE);
    }
    Ok(answer)
}

/// The `lesson_check` question: one feedback per answer (right, expected, mistakes,
/// follows_from_yours, text: the diagnosis, reveal: the right step), whether the task is
/// `complete` (every item answered right), and, with `show`, the right answer `shown`.
pub fn lesson_check(req: &CheckRequest, limits: &Limits) -> Result<Value, ApiError> {
    let (lesson, _) = find(&req.which, limits)?;
    let v = lesson.variant(req.which.seed);
    let Some(task) = v.tasks.get(req.task) else {
        return Err(ApiError::bad(format!(
            "there is no task {} in this lesson: it has {} (from 0)",
            req.task,
            v.tasks.len()
        )));
    };
    let n = items(&v, req.task);
    if req.answers.len() > n {
        return Err(ApiError::bad(format!(
            "task {} asks for {n} answers, not {}",
            req.task,
            req.answers.len()
        )));
    }
    if let Some(a) = req.answers.iter().find(|a| a.len() > ANSWER_BYTES) {
        return Err(ApiError::new(
            ErrorKind::TooLarge,
            format!(
                "an answer of {} bytes; an answer is a number or a short expression, at most {ANSWER_BYTES} bytes",
                a.len()
            ),
        ));
    }
    let mut answers = req.answers.clone();
    let mut shown = Value::Null;
    if req.show {
        if task.kind == TaskKind::Python {
            return Err(ApiError::bad(
                "a python task's answer is code: see its solution",
            ));
        }
        let k = answers.len().saturating_sub(1);
        answers.truncate(k);
        let right = v
            .right_answers(req.task)
            .get(k)
            .cloned()
            .unwrap_or_default();
        answers.push(right.clone());
        shown = json!(right);
    }
    let feedback = if task.kind == TaskKind::Python {
        let (Some(out), err) = (&req.stdout, &req.stderr) else {
            return Err(ApiError::bad(
                "a python task is checked from a run of the learner's code (its stdout and \
                 stderr): it runs in Jupyter (chainrule.lessons) or the terminal (chainrule learn)",
            ));
        };
        v.check_python(req.task, out, err.as_deref().unwrap_or(""))
    } else {
        v.check(req.task, &answers)
    };
    // A python run gives a feedback per value its code reached.
    let all = if task.kind == TaskKind::Python {
        !feedback.is_empty()
    } else {
        feedback.len() == n
    };
    let complete = all && feedback.iter().all(|f| f.right);
    let feedback: Vec<Value> = feedback
        .iter()
        .map(|f| from_library(&f.to_json()))
        .collect();
    Ok(json!({"ok": true, "feedback": feedback, "complete": complete, "shown": shown}))
}

/// The name of the program's output, its last value (`L` when it has none).
fn output_name(v: &Variant, limits: &Limits) -> String {
    let g = chainrule::Graph::new();
    let opts = chainrule::lang::EvalOptions {
        limits: limits.program(),
        ..Default::default()
    };
    chainrule::lang::Program::parse(&v.program)
        .ok()
        .and_then(|p| p.eval(&g, &opts).ok())
        .and_then(|run| run.output_name)
        .unwrap_or_else(|| "L".into())
}

/// How many answers task `t` takes: one per name asked for grads and values, one for a
/// nudge, a bug or a python task.
fn items(v: &Variant, t: usize) -> usize {
    match v.tasks[t].kind {
        TaskKind::Grads | TaskKind::Value => v.tasks[t].ask.len(),
        _ => 1,
    }
}

/// The lesson a request names, and its number when it is a built-in one.
fn find(req: &LessonRequest, limits: &Limits) -> Result<(Lesson, Option<usize>), ApiError> {
    match (&req.lesson, &req.source) {
        (Some(key), None) => {
            let lesson = learn::find(key).ok_or_else(|| no_lesson(key))?;
            let number = learn::names().iter().position(|n| *n == lesson.name);
            Ok((lesson, number.map(|i| i + 1)))
        }
        (None, Some(source)) => {
            crate::program::within_bytes("lesson", source, limits)?;
            let name = req.name.as_deref().unwrap_or("lesson");
            let lesson = Lesson::parse_within(name, source, &limits.program())
                .map_err(|e| ApiError::lang(&e, source))?;
            Ok((lesson, None))
        }
        _ => Err(ApiError::bad(
            "name one lesson: `lesson` (a built-in one's name or number) or `source` (a lesson \
             file's text), not both",
        )),
    }
}

/// The refusal for a lesson that is not there, with the ones that are.
fn no_lesson(key: &str) -> ApiError {
    let list: Vec<String> = learn::names()
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {n}", i + 1))
        .collect();
    ApiError::new(
        ErrorKind::NotFound,
        format!(
            "there is no lesson {key:?}; the lessons are {}",
            list.join(", ")
        ),
    )
}

/// The library's JSON as the protocol's.
fn from_library(j: &Json) -> Value {
    serde_json::from_str(&j.to_string()).unwrap_or(Value::Null)
}

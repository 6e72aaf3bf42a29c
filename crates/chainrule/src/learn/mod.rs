//! Lessons: Markdown text, a program and tasks, along the notebook's and the lecture's
//! path, each task checked and every grad diagnosed (see [`crate::HandCheck::diagnosis`]).
//!
//! A lesson file is Markdown with a few fenced blocks that mean something: one
//! ```` ```program ````, an optional ```` ```vary ```` (which leaves a seed changes), and
//! ```` ```task KIND ```` blocks whose question is the text just before them. The format
//! is documented in `docs/lessons.md`; [`Lesson::parse`] refuses a file with a mistake at
//! its line and column. The built-in lessons ([`builtin`]) are compiled in, so the
//! command, the page and the Python package all have them.
//!
//! Everything here is data in and data out (no files, no clocks, no processes): a page or
//! a notebook drives it the same way the terminal does.
//!
//! ```
//! use chainrule::learn;
//! let lesson = learn::find("notebook").unwrap();      // or learn::find("2")
//! let v = lesson.variant(42);                         // the numbers for seed 42
//! let t = 0;                                          // the first task: dL/dL, dL/dd, ...
//! let right = v.right_answers(t);
//! let feedback = v.check(t, &right[..2]);
//! assert!(feedback.iter().all(|f| f.right));
//! // A mistake, diagnosed: the learner's dL/dd given as dL/dL alone.
//! let wrong = v.check(t, &[right[0].clone(), "1".into()]);
//! assert_eq!(wrong[1].mistakes, ["upstream-only"]);
//! ```

mod check;
mod format;
mod python;
mod variant;

pub use check::Feedback;
pub use format::{Lesson, Listed, Part, Task, TaskKind};
pub use python::LECTURE_VALUE;
pub use variant::Variant;

use crate::io::json::Json;

/// The built-in lessons' names and files, in order.
const BUILTIN: [(&str, &str); 8] = [
    ("nudge", include_str!("../../lessons/01-nudge.md")),
    ("notebook", include_str!("../../lessons/02-notebook.md")),
    ("neuron", include_str!("../../lessons/03-neuron.md")),
    ("tanh-exp", include_str!("../../lessons/04-tanh-exp.md")),
    ("twice", include_str!("../../lessons/05-twice.md")),
    ("mlp", include_str!("../../lessons/06-mlp.md")),
    ("training", include_str!("../../lessons/07-training.md")),
    ("pytorch", include_str!("../../lessons/08-pytorch.md")),
];

/// The built-in lessons, in order (the notebook's and the lecture's path).
///
/// ```
/// let lessons = chainrule::learn::builtin();
/// assert_eq!(lessons.len(), 8);
/// assert_eq!(lessons[0].name, "nudge");
/// ```
pub fn builtin() -> Vec<Lesson> {
    BUILTIN
        .iter()
        .map(|(name, src)| {
            Lesson::parse(name, src).unwrap_or_else(|e| panic!("built-in lesson {name}: {e}"))
        })
        .collect()
}

/// The file of the built-in lesson `name`, as shipped.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The built-in lesson with this name or number (1-based).
///
/// ```
/// let a = chainrule::learn::find("3").unwrap();
/// assert_eq!(a.name, "neuron");
/// assert_eq!(chainrule::learn::find("neuron"), Some(a));
/// assert!(chainrule::learn::find("9").is_none());
/// ```
pub fn find(key: &str) -> Option<Lesson> {
    let k = key.trim();
    let index = match k.parse::<usize>() {
        Ok(n) => n.checked_sub(1)?,
        Err(_) => BUILTIN.iter().position(|(n, _)| *n == k)?,
    };
    let (name, src) = BUILTIN.get(index)?;
    Lesson::parse(name, src).ok()
}

/// The names of the built-in lessons, in order.
pub fn names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

impl Lesson {
    /// The first paragraph of the lesson's first text: a line for a list of lessons.
    pub fn summary(&self) -> String {
        let first = self.parts.iter().find_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        });
        let para = first.unwrap_or("").split("\n\n").next().unwrap_or("");
        para.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

impl Variant {
    /// The variant as JSON for a page or a notebook: the text, the program, the code and
    /// the tasks' questions, without their answers (check them with [`Variant::check`]).
    pub fn to_json(&self) -> Json {
        let s = |x: &str| Json::Str(x.to_string());
        let parts = self
            .parts
            .iter()
            .map(|p| {
                let (kind, field, value) = match p {
                    Part::Text(t) => ("text", "text", s(t)),
                    Part::Program => ("program", "text", s(&self.program)),
                    Part::Torch(t) => ("torch", "code", s(t)),
                    Part::Task(i) => ("task", "index", Json::Int(*i as i64)),
                };
                Json::Obj(vec![("kind".into(), s(kind)), (field.into(), value)])
            })
            .collect();
        let tasks = self.tasks.iter().map(|t| task_json(t, &s)).collect();
        let values = self
            .values
            .iter()
            .map(|(n, v)| (n.clone(), Json::Num(*v)))
            .collect();
        Json::Obj(vec![
            ("lesson".into(), s(&self.lesson)),
            ("title".into(), s(&self.title)),
            ("seed".into(), Json::Int(self.seed as i64)),
            ("values".into(), Json::Obj(values)),
            ("program".into(), s(&self.program)),
            ("parts".into(), Json::Arr(parts)),
            ("tasks".into(), Json::Arr(tasks)),
        ])
    }
}

/// A task's question as JSON (no answers).
fn task_json(t: &Task, s: &dyn Fn(&str) -> Json) -> Json {
    let names = |v: &[String]| Json::Arr(v.iter().map(|n| s(n)).collect());
    let mistakes = t
        .mistakes
        .iter()
        .map(|m| {
            Json::Obj(vec![
                ("id".into(), s(m.mistake.id())),
                ("at".into(), s(&m.at)),
            ])
        })
        .collect();
    Json::Obj(vec![
        ("kind".into(), s(t.kind.word())),
        ("prompt".into(), s(&t.prompt)),
        ("ask".into(), names(&t.ask)),
        ("of".into(), t.of.as_deref().map_or(Json::Null, s)),
        ("nudge".into(), t.nudge.as_deref().map_or(Json::Null, s)),
        ("h".into(), Json::Num(t.h)),
        ("tol".into(), Json::Num(t.tol)),
        ("mistakes".into(), Json::Arr(mistakes)),
        ("code".into(), s(&t.code)),
        ("graph".into(), s(&t.graph)),
        ("hint".into(), s(&t.hint)),
    ])
}

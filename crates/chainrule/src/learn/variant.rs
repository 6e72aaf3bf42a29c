//! Seeded variants of a lesson: the seed picks the numbers of the leaves its ```vary
//! block names, the same seed gives everyone the same numbers, and seed 0 keeps the
//! numbers as written. A variant is redrawn (deterministically) until its numbers are
//! finite and every mistake its tasks list is told apart from the others.

use super::format::{Lesson, Listed, Part, Task, TaskKind};
use crate::data::Rng;
use crate::io::number::{decimals, shortest};
use crate::lang::Program;
use crate::Graph;

/// How many draws a seed gets before the lesson's own numbers are used instead.
const DRAWS: u64 = 64;

/// A lesson with its numbers chosen: what a learner sees and is checked against.
///
/// ```
/// let lesson = chainrule::learn::find("nudge").unwrap();
/// let (a, b) = (lesson.variant(7), lesson.variant(7));
/// assert_eq!(a.program, b.program); // the same seed, the same numbers
/// assert_eq!(lesson.variant(0).program, lesson.program); // seed 0: as written
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The lesson's short name.
    pub lesson: String,
    /// Its title.
    pub title: String,
    /// The seed (0: the numbers as written).
    pub seed: u64,
    /// The leaves the seed changed, with their numbers (empty for the numbers as written).
    pub values: Vec<(String, f64)>,
    /// The program with those numbers.
    pub program: String,
    /// The parts, with `{{name}}` in text and code replaced by the variant's values.
    pub parts: Vec<Part>,
    /// The tasks, likewise.
    pub tasks: Vec<Task>,
}

impl Lesson {
    /// The variant for `seed`: 0 keeps the numbers as written; any other seed picks each
    /// `` ```vary `` leaf's number from its choices, the same for everyone with that seed.
    pub fn variant(&self, seed: u64) -> Variant {
        if seed != 0 && !self.vary.is_empty() {
            for draw in 0..DRAWS {
                let mut rng = Rng::new(mix(seed, &self.name, draw));
                let values: Vec<(String, f64)> = self
                    .vary
                    .iter()
                    .map(|v| (v.name.clone(), v.choices[rng.below(v.choices.len())]))
                    .collect();
                let v = self.fill(seed, values);
                if v.is_sound() && check_tasks(&v).is_ok() {
                    return v;
                }
            }
        }
        self.fill(seed, Vec::new())
    }

    /// The lesson with these leaf values in its program, text and code.
    fn fill(&self, seed: u64, values: Vec<(String, f64)>) -> Variant {
        let program = rewrite(&self.program, &values);
        let named = evaluate(&program);
        let sub = |s: &str| substitute(s, &named);
        let parts = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => Part::Text(sub(t)),
                Part::Torch(t) => Part::Torch(sub(t)),
                other => other.clone(),
            })
            .collect();
        let tasks = self
            .tasks
            .iter()
            .map(|t| Task {
                prompt: sub(&t.prompt),
                code: sub(&t.code),
                setup: sub(&t.setup),
                graph: sub(&t.graph),
                solution: sub(&t.solution),
                wrong: t.wrong.iter().map(|(m, c)| (*m, sub(c))).collect(),
                ..t.clone()
            })
            .collect();
        Variant {
            lesson: self.name.clone(),
            title: self.title.clone(),
            seed,
            values,
            program,
            parts,
            tasks,
        }
    }
}

/// A seed for draw `draw` of lesson `name` under the learner's `seed`.
fn mix(seed: u64, name: &str, draw: u64) -> u64 {
    // FNV-1a over the name, so each lesson draws its own numbers from the same seed.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    seed ^ h.rotate_left(17) ^ draw.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The program with each `name = NUMBER` statement of a changed leaf given its new number.
fn rewrite(program: &str, values: &[(String, f64)]) -> String {
    let mut out = String::new();
    for line in program.lines() {
        let (code, comment) = match line.find('#') {
            Some(i) => line.split_at(i),
            None => (line, ""),
        };
        let stmts: Vec<String> = code
            .split(';')
            .map(|stmt| {
                let Some((name, num)) = stmt.split_once('=') else {
                    return stmt.to_string();
                };
                let found = values.iter().find(|(n, _)| n == name.trim());
                match found {
                    Some((_, v)) if num.trim().parse::<f64>().is_ok() => {
                        let lead = &num[..num.len() - num.trim_start().len()];
                        let tail = &num[num.trim_end().len()..];
                        format!("{name}={lead}{}{tail}", shortest(*v))
                    }
                    _ => stmt.to_string(),
                }
            })
            .collect();
        out += &stmts.join(";");
        out += comment;
        out.push('\n');
    }
    out
}

/// Every name's last value in the program (empty if it does not run).
pub(crate) fn evaluate(program: &str) -> Vec<(String, f64)> {
    let Ok(p) = Program::parse(program) else {
        return Vec::new();
    };
    let g = Graph::new();
    match p.eval(&g, &Default::default()) {
        Ok(run) => run
            .names()
            .iter()
            .map(|(n, v)| (n.to_string(), v.data()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The text with `{{name}}` replaced by the value's shortest form and `{{name:4}}` by it
/// to 4 decimals; anything else in double braces is left as it is.
pub(crate) fn substitute(text: &str, values: &[(String, f64)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out += &rest[..i];
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out += &rest[i..];
            return out;
        };
        let inner = &after[..j];
        let (name, digits) = match inner.split_once(':') {
            Some((n, d)) => (n.trim(), d.trim().parse::<usize>().ok()),
            None => (inner.trim(), None),
        };
        match values.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => {
                out += &match digits {
                    Some(d) => decimals(*v, d),
                    None => shortest(*v),
                }
            }
            None => out += &rest[i..i + 4 + j],
        }
        rest = &after[j + 2..];
    }
    out + rest
}

impl Variant {
    /// Whether every value and grad of the program is finite, and every grad a task asks
    /// for is 0 or big enough to read to three decimals (at least 0.01).
    fn is_sound(&self) -> bool {
        self.tasks.iter().all(|t| {
            let g = Graph::new();
            let Some(run) = self.run(&g, t) else {
                return false;
            };
            run.output.backward();
            let finite = g
                .vars()
                .all(|v| v.data().is_finite() && v.grad().is_finite());
            let readable = t.kind != TaskKind::Grads
                || t.ask.iter().filter_map(|n| run.get(n)).all(|v| {
                    let x = v.grad().abs();
                    x == 0.0 || x >= 0.01
                });
            finite && readable
        })
    }

    /// What a learner who makes `listed`'s mistake in task `task` answers, when that
    /// answer is told apart from the right one and from every other mistake's; `None`
    /// otherwise. For a grads task the answers before it are right; for a nudge the
    /// answer is the output the mistaken grad predicts.
    ///
    /// ```
    /// let v = chainrule::learn::find("notebook").unwrap().variant(0);
    /// let t = v.tasks.iter().position(|t| !t.mistakes.is_empty()).unwrap();
    /// let listed = &v.tasks[t].mistakes[0];
    /// let answer = v.mistake_answer(t, listed).unwrap();
    /// let mut answers = v.right_answers(t);
    /// let k = v.tasks[t].ask.iter().position(|n| *n == listed.at).unwrap();
    /// answers.truncate(k);
    /// answers.push(answer);
    /// let feedback = v.check(t, &answers);
    /// assert_eq!(feedback[k].mistakes, [listed.mistake.id()]);
    /// ```
    pub fn mistake_answer(&self, task: usize, listed: &Listed) -> Option<String> {
        let t = self.tasks.get(task)?;
        let mut answers = self.right_answers(task);
        let (k, wrong) = match t.kind {
            TaskKind::Grads => {
                let k = t.ask.iter().position(|n| *n == listed.at)?;
                answers.truncate(k);
                answers.push("1e9".into());
                (k, self.check(task, &answers).pop()?)
            }
            TaskKind::Nudge => (0, self.check(task, &["1e9".to_string()]).pop()?),
            _ => return None,
        };
        // Each number the mistake gives here, until one is told apart from the others.
        wrong
            .candidates
            .iter()
            .filter(|c| c.0 == listed.mistake)
            .find_map(|&(_, value)| {
                let answer = match t.kind {
                    TaskKind::Nudge => shortest(self.nudge_prediction(task, value)?),
                    _ => shortest(value),
                };
                answers.truncate(k);
                answers.push(answer.clone());
                let feedback = self.check(task, &answers).pop()?;
                (!feedback.right && feedback.mistakes == [listed.mistake.id()]).then_some(answer)
            })
    }
}

/// Checks that every mistake the variant's tasks list has an answer told apart from the
/// others; the first that has not, as (task, mistake).
fn check_tasks(v: &Variant) -> Result<(), (usize, Listed)> {
    for (t, task) in v.tasks.iter().enumerate() {
        for listed in &task.mistakes {
            if v.mistake_answer(t, listed).is_none() {
                return Err((t, listed.clone()));
            }
        }
    }
    Ok(())
}

/// [`check_tasks`] at the lesson's own numbers, for [`Lesson::parse`].
pub(crate) fn check_listed(lesson: &Lesson) -> Result<(), (usize, Listed)> {
    check_tasks(&lesson.fill(0, Vec::new()))
}

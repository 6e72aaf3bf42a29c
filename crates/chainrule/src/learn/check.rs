//! Checking a learner's answers: each grad diagnosed as the hand check diagnoses it (the
//! learner's own earlier answers are their upstream grads), a nudge's prediction read as
//! the slope it implies, a forward value, a bug's line.

use super::format::{Task, TaskKind};
use super::variant::Variant;
use crate::io::json::Json;
use crate::io::number::{decimals, shortest, Numbers};
use crate::lang::{EvalOptions, Evaluated, Program};
use crate::show::mistakes::Mistake;
use crate::{CheckOptions, Graph, HandCheck, Var};

/// The verdict on one answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Feedback {
    /// The value asked about (`a`); empty for a bug's line.
    pub name: String,
    /// What was asked, in the notebook's notation: `dL/da`, `L after a += 0.001`, `n`,
    /// `the line of the bug`.
    pub question: String,
    /// The answer as given.
    pub answer: String,
    /// The answer as a number; `None` when it could not be read (`text` says why: ask
    /// again).
    pub value: Option<f64>,
    /// Whether it is right (within the task's tolerance).
    pub right: bool,
    /// The right answer.
    pub expected: String,
    /// The ids of the catalogued mistakes that give this answer.
    pub mistakes: Vec<&'static str>,
    /// Wrong, but right given the learner's own earlier answers: the mistake is there.
    pub follows_from_yours: bool,
    /// The diagnosis, or why the answer could not be read, one line each.
    pub text: Vec<String>,
    /// The right step written out, for when the answer is revealed.
    pub reveal: Vec<String>,
    /// What each catalogued mistake would answer here (grads and nudges).
    pub candidates: Vec<(Mistake, f64)>,
}

impl Feedback {
    /// The feedback as JSON, for a page or a notebook.
    pub fn to_json(&self) -> Json {
        let s = |x: &str| Json::Str(x.to_string());
        let lines = |v: &[String]| Json::Arr(v.iter().map(|l| s(l)).collect());
        Json::Obj(vec![
            ("name".into(), s(&self.name)),
            ("question".into(), s(&self.question)),
            ("answer".into(), s(&self.answer)),
            ("value".into(), self.value.map_or(Json::Null, Json::Num)),
            ("right".into(), Json::Bool(self.right)),
            ("expected".into(), s(&self.expected)),
            (
                "mistakes".into(),
                Json::Arr(self.mistakes.iter().map(|m| s(m)).collect()),
            ),
            (
                "follows_from_yours".into(),
                Json::Bool(self.follows_from_yours),
            ),
            ("text".into(), lines(&self.text)),
            ("reveal".into(), lines(&self.reveal)),
        ])
    }

    /// Feedback for an answer that could not be read.
    fn unreadable(name: &str, question: String, answer: &str, why: String) -> Feedback {
        Feedback {
            name: name.to_string(),
            question,
            answer: answer.to_string(),
            text: vec![why],
            ..Feedback::default()
        }
    }
}

/// A computed number without its rounding noise: 10 significant digits, shortest form
/// (`0.006`, not `0.006000000000000227`).
pub(crate) fn tidy(x: f64) -> String {
    shortest(crate::io::number::significant(x, 10))
}

/// A number as a learner reads it: as it is when it has at most 4 decimals (`1.7`, not
/// `1.7000000000000002`), else to 4 decimals.
pub(crate) fn show(x: f64) -> String {
    let r = (x * 1e4).round() / 1e4;
    if (x - r).abs() <= 1e-9 * x.abs().max(1.0) {
        shortest(r)
    } else {
        decimals(x, 4)
    }
}

impl Variant {
    /// Checks answers to task `task`: for a grads or value task the answers so far, in
    /// the order asked (one feedback each; each grad judged with the earlier ones as the
    /// learner's own upstream grads); for a nudge, bug or python task one answer. An
    /// answer is a number or an expression in the program's language (`-2 * 3`, `b *
    /// e.grad`: names are values, `x.grad` the learner's earlier answers). A python
    /// task's answer is its run: see [`Variant::check_python`].
    ///
    /// ```
    /// let v = chainrule::learn::find("notebook").unwrap().variant(0);
    /// let t = v.tasks.iter().position(|t| t.ask.first().map(String::as_str) == Some("L")).unwrap();
    /// let f = v.check(t, &["1".into(), "f * L.grad".into(), "3".into()]);
    /// assert!(f[0].right && f[1].right && !f[2].right);
    /// ```
    pub fn check(&self, task: usize, answers: &[String]) -> Vec<Feedback> {
        let Some(t) = self.tasks.get(task) else {
            return Vec::new();
        };
        let first = answers.first().map_or("", String::as_str);
        match t.kind {
            TaskKind::Grads => self.grads(t, answers),
            TaskKind::Value => self.values(t, answers),
            TaskKind::Nudge => vec![self.nudge(t, first)],
            TaskKind::Bug => vec![bug(t, first)],
            TaskKind::Python => self.check_python(task, first, ""),
        }
    }

    /// The question of item `k` of task `task`, as its feedback will name it: `dL/da` for
    /// a grad, `n` for a value, `L after a += 0.001` for a nudge, `the line of the bug`,
    /// `your code`.
    ///
    /// ```
    /// let v = chainrule::learn::find("notebook").unwrap().variant(0);
    /// assert_eq!(v.question(0, 1), "dL/dd");
    /// ```
    pub fn question(&self, task: usize, k: usize) -> String {
        let Some(t) = self.tasks.get(task) else {
            return String::new();
        };
        let name = t.ask.get(k).cloned().unwrap_or_default();
        match t.kind {
            TaskKind::Grads => {
                let g = Graph::new();
                let l = self.run(&g, t).and_then(|r| r.output_name);
                format!("d{}/d{name}", l.unwrap_or_else(|| "L".into()))
            }
            TaskKind::Value => name,
            TaskKind::Nudge => match self.nudged(t) {
                Some((l, ..)) => format!(
                    "{l} after {} += {}",
                    t.nudge.as_deref().unwrap_or(""),
                    shortest(t.h)
                ),
                None => String::new(),
            },
            TaskKind::Bug => "the line of the bug".into(),
            TaskKind::Python => "your code".into(),
        }
    }

    /// The right answers of task `task`, in order (a python task's: the solution's code).
    pub fn right_answers(&self, task: usize) -> Vec<String> {
        let Some(t) = self.tasks.get(task) else {
            return Vec::new();
        };
        match t.kind {
            TaskKind::Bug => vec![t.answer.first().map_or(String::new(), |n| n.to_string())],
            TaskKind::Python => vec![t.solution.clone()],
            TaskKind::Nudge => self
                .nudged(t)
                .map(|(_, _, after)| vec![shortest(after)])
                .unwrap_or_default(),
            TaskKind::Grads | TaskKind::Value => {
                let g = Graph::new();
                let Some(run) = self.run(&g, t) else {
                    return Vec::new();
                };
                run.output.backward();
                let of = |n: &String| {
                    run.get(n).map_or(f64::NAN, |v| match t.kind {
                        TaskKind::Grads => v.grad(),
                        _ => v.data(),
                    })
                };
                t.ask.iter().map(|n| shortest(of(n))).collect()
            }
        }
    }

    /// The program run with the task's output.
    pub(crate) fn run<'g>(&self, g: &'g Graph, t: &Task) -> Option<Evaluated<'g>> {
        let opts = EvalOptions {
            of: t.of.clone(),
            ..EvalOptions::default()
        };
        Program::parse(&self.program).ok()?.eval(g, &opts).ok()
    }

    /// Reads an answer about `name` as a number or an expression of the program's language
    /// (names for values, `x.grad` for the grads in `given`).
    fn read(&self, answer: &str, name: &str, given: &[(String, f64)]) -> Result<f64, String> {
        let answer = answer.trim();
        if answer.is_empty() {
            return Err("type a number (or an expression such as `-2 * 3`)".into());
        }
        if let Ok(v) = answer.parse::<f64>() {
            return Ok(v);
        }
        if answer.contains([';', '\n', '#']) {
            return Err("one number or expression, please".into());
        }
        if calls_grad(answer) {
            return Err(
                "`grad(...)` would ask chainrule for the answer: work it out from the \
                        values and your earlier grads (`x.grad`)"
                    .into(),
            );
        }
        let mut src = self.program.clone();
        for (n, v) in given {
            src += &format!("{n}.grad = {}\n", shortest(*v));
        }
        let prefix = format!("{name}.grad = ");
        src += &prefix;
        src += answer;
        let g = Graph::new();
        let run = Program::parse(&src).and_then(|p| p.eval(&g, &EvalOptions::default()));
        match run {
            Ok(run) => run
                .hand_grads
                .last()
                .map(|h| h.value)
                .ok_or_else(|| "not a number".into()),
            Err(e) => {
                let last = src.lines().count();
                let at = match e.line_col() {
                    Some((l, c)) if l == last => {
                        format!(
                            " (at `{}`)",
                            &answer[answer
                                .char_indices()
                                .nth(c.saturating_sub(prefix.len() + 1))
                                .map_or(0, |(i, _)| i)..]
                        )
                    }
                    _ => String::new(),
                };
                Err(format!(
                    "`{answer}` is not a number I can read: {}{at}",
                    e.message()
                ))
            }
        }
    }

    /// A grads task: each answer read, then all checked together.
    fn grads(&self, t: &Task, answers: &[String]) -> Vec<Feedback> {
        let g = Graph::new();
        let Some(run) = self.run(&g, t) else {
            return Vec::new();
        };
        let l = run.output_name.clone().unwrap_or_else(|| "L".into());
        let question = |n: &str| format!("d{l}/d{n}");
        let mut given: Vec<(String, f64)> = Vec::new();
        let mut unread = None;
        for (name, answer) in t.ask.iter().zip(answers) {
            match self.read(answer, name, &given) {
                Ok(v) => given.push((name.clone(), v)),
                Err(why) => {
                    unread = Some(Feedback::unreadable(name, question(name), answer, why));
                    break;
                }
            }
        }
        let pairs: Vec<_> = given
            .iter()
            .filter_map(|(n, v)| run.get(n).map(|var| (var, *v)))
            .collect();
        let checks = hand_checks(run.output, &pairs, t.tol);
        let mut out: Vec<Feedback> = checks
            .iter()
            .zip(answers)
            .zip(&given)
            .map(|((c, a), (n, _))| from_hand(c, n, question(n), a))
            .collect();
        out.extend(unread);
        out
    }

    /// A value task: each answer against the value's data.
    fn values(&self, t: &Task, answers: &[String]) -> Vec<Feedback> {
        let g = Graph::new();
        let Some(run) = self.run(&g, t) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, answer) in t.ask.iter().zip(answers) {
            let Some(var) = run.get(name) else { continue };
            let value = match self.read(answer, name, &[]) {
                Ok(v) => v,
                Err(why) => {
                    out.push(Feedback::unreadable(name, name.clone(), answer, why));
                    break;
                }
            };
            let data = var.data();
            let right = crate::show::diagnose::close(value, data, t.tol);
            let line = run
                .bindings
                .iter()
                .rev()
                .find(|b| b.name == *name)
                .map(|b| b.line);
            let reveal = match line.and_then(|l| statement(&self.program, l, name)) {
                Some(expr) if expr.parse::<f64>().is_err() => {
                    format!("{name} = {expr} = {}", show(data))
                }
                _ => format!("{name} = {}", show(data)),
            };
            out.push(Feedback {
                name: name.clone(),
                question: name.clone(),
                answer: answer.clone(),
                value: Some(value),
                right,
                expected: show(data),
                text: if right {
                    Vec::new()
                } else {
                    vec![format!(
                        "{name} is {}, not {}.",
                        show(data),
                        shortest(value)
                    )]
                },
                reveal: vec![reveal],
                ..Feedback::default()
            });
        }
        out
    }

    /// The nudge of task `t`: the output before and after its value moves by `h`, and the
    /// output's name.
    fn nudged(&self, t: &Task) -> Option<(String, f64, f64)> {
        let g = Graph::new();
        let run = self.run(&g, t)?;
        let out = match t.ask.first() {
            Some(n) => run.get(n)?,
            None => run.output,
        };
        let x = run.get(t.nudge.as_deref()?)?;
        let before = out.data();
        x.set_data(x.data() + t.h);
        g.forward_after(x);
        let name = t
            .ask
            .first()
            .cloned()
            .or(run.output_name)
            .unwrap_or("L".into());
        Some((name, before, out.data()))
    }

    /// Where the output goes, by a grad of `slope`, in task `task`'s nudge.
    pub(crate) fn nudge_prediction(&self, task: usize, slope: f64) -> Option<f64> {
        let t = self.tasks.get(task)?;
        let (_, before, _) = self.nudged(t)?;
        Some(before + t.h * slope)
    }

    /// A nudge: the prediction is right when the change it predicts is within 2% of the
    /// real change; a wrong one is diagnosed as the grad it implies.
    fn nudge(&self, t: &Task, answer: &str) -> Feedback {
        let x = t.nudge.clone().unwrap_or_default();
        let Some((l, before, after)) = self.nudged(t) else {
            return Feedback::default();
        };
        let h = shortest(t.h);
        let question = format!("{l} after {x} += {h}");
        let value = match self.read(answer, &x, &[]) {
            Ok(v) => v,
            Err(why) => return Feedback::unreadable(&x, question, answer, why),
        };
        let (real, predicted) = (after - before, value - before);
        let right = (predicted - real).abs() <= 0.02 * real.abs().max(1e-9);
        let slope = predicted / t.h;
        let reveal = vec![format!(
            "{x} moves by {h}: {l} goes from {} to {}, a change of {} = {h} · {} (the slope d{l}/d{x})",
            tidy(before),
            tidy(after),
            tidy(real),
            show(real / t.h)
        )];
        let mut f = Feedback {
            name: x.clone(),
            question,
            answer: answer.to_string(),
            value: Some(value),
            right,
            expected: tidy(after),
            reveal,
            ..Feedback::default()
        };
        if !right {
            f.text = vec![format!(
                "That predicts a change of {}, a slope of {} for d{l}/d{x}.",
                tidy(predicted),
                show(slope)
            )];
            if let Some(d) = self.implied(t, &x, slope) {
                f.mistakes = d.mistakes;
                f.follows_from_yours = d.follows_from_yours;
                f.text.extend(d.text);
                f.candidates = d.candidates;
            }
        }
        f
    }

    /// The diagnosis of the grad a nudge's prediction implies, as feedback on a grad.
    fn implied(&self, t: &Task, x: &str, slope: f64) -> Option<Feedback> {
        let g = Graph::new();
        let run = self.run(&g, t)?;
        let var = run.get(x)?;
        let c = hand_checks(run.output, &[(var, slope)], 0.02).pop()?;
        Some(from_hand(&c, x, String::new(), ""))
    }
}

/// Whether an answer calls `grad(...)`, the language's derivative (not `x.grad`, the
/// learner's own earlier answer).
fn calls_grad(answer: &str) -> bool {
    answer.match_indices("grad").any(|(i, _)| {
        let before = answer[..i].trim_end().chars().next_back();
        let word_start = !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '.');
        word_start && answer[i + 4..].trim_start().starts_with('(')
    })
}

/// The learner's grads checked from `output`, within `tol`.
pub(crate) fn hand_checks<'g>(
    output: Var<'g>,
    pairs: &[(Var<'g>, f64)],
    tol: f64,
) -> Vec<HandCheck> {
    let opts = CheckOptions {
        tol,
        ..CheckOptions::default()
    };
    output.check_hand_grads_with(pairs, opts, Numbers::Notebook)
}

/// A hand check as feedback on a grad answer.
pub(crate) fn from_hand(c: &HandCheck, name: &str, question: String, answer: &str) -> Feedback {
    let d = &c.diagnosis;
    Feedback {
        name: name.to_string(),
        question,
        answer: answer.to_string(),
        value: Some(c.given),
        right: c.right,
        expected: show(c.correct),
        mistakes: d.ids(),
        follows_from_yours: d.follows_from_yours,
        text: d.text.clone(),
        reveal: c.derivation.clone(),
        candidates: d.candidates.iter().map(|k| (k.mistake, k.value)).collect(),
    }
}

/// The right-hand side of the statement binding `name` on line `line` of `program`
/// (`3*x**2 - 4*x + 5`), as written.
fn statement(program: &str, line: usize, name: &str) -> Option<String> {
    let text = program.lines().nth(line.checked_sub(1)?)?;
    let code = text.split('#').next()?;
    code.split(';').find_map(|stmt| {
        let (lhs, rhs) = stmt.split_once('=')?;
        (lhs.trim() == name).then(|| rhs.trim().to_string())
    })
}

/// A bug task: the line of the bug.
fn bug(t: &Task, answer: &str) -> Feedback {
    let question = "the line of the bug".to_string();
    let Ok(n) = answer.trim().parse::<usize>() else {
        let why = format!(
            "type the number of a line of the code, 1 to {}",
            t.code.lines().count()
        );
        return Feedback::unreadable("", question, answer, why);
    };
    let right = t.answer.contains(&n);
    let mut text = Vec::new();
    if !right {
        text.push(format!("Not line {n}."));
        if !t.hint.is_empty() {
            text.push(format!("Hint: {}", t.hint));
        }
    }
    let line = t.answer.first().copied().unwrap_or(0);
    let code = t
        .code
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    Feedback {
        question,
        answer: answer.to_string(),
        value: Some(n as f64),
        right,
        expected: line.to_string(),
        text,
        reveal: vec![format!("Line {line}: `{code}`: {}", t.why)],
        ..Feedback::default()
    }
}

//! Gradient check: backprop's grads against central finite differences, and grads set by
//! hand (as the notebook does) against the chain rule.
//!
//! The check never rebuilds the graph: it perturbs one value with a relative step
//! `h = eps·max(1, |x|)`, replays only the nodes after it up to the output, and
//! afterwards puts every value back exactly as it was. The graph's grads are not touched:
//! the analytic grads are computed on the side.
//!
//! Where a value sits at (or a step of ±h crosses) a point where an op is not
//! differentiable, the row says so ([`Verdict::Kink`]) instead of failing. The points
//! watched are: relu and abs at 0 (kinks); sqrt, ln and a fractional or negative constant
//! power at 0 (the edge of their domain); `x ** y` with its base at 0; and a division
//! whose divisor is at or crosses 0 (a pole).

use crate::engine::graph::Var;
use crate::engine::op::{Edge, Op};
use crate::engine::tape::Tape;
use crate::io::number::Numbers;
use crate::show::diagnose::{self, Case, Diagnosis, Nudge};
use crate::show::explain::{non_finite_note, NonFiniteNote};
use crate::show::names::{fmt4, Names};
use std::collections::HashMap;
use std::fmt;

/// Step size and tolerance of a gradient check.
///
/// The step is relative, `h = eps·max(1, |x|)`. The default `eps = 1e-6` keeps the
/// central difference's truncation error (about `h²`) and its rounding error (about
/// `1e-16·|L|/h`) both near `1e-10` for values of ordinary size. A row passes when
/// `|analytic - numeric| <= tol·max(1, |analytic|, |numeric|)`: a relative error below
/// `tol` for grads larger than 1, an absolute one below `tol` otherwise.
///
/// ```
/// let o = chainrule::CheckOptions::default();
/// assert_eq!((o.eps, o.tol), (1e-6, 1e-6));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckOptions {
    /// Relative step: `h = eps·max(1, |x|)`.
    pub eps: f64,
    /// Tolerance, relative above 1 and absolute below.
    pub tol: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            eps: 1e-6,
            tol: 1e-6,
        }
    }
}

/// The outcome of checking one grad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Backprop and finite differences agree within the tolerance.
    Pass,
    /// They disagree: the analytic grad is wrong (or the tolerance too tight).
    Fail,
    /// Not differentiable within `x ± h` (relu or abs at 0, a domain edge, a pole): the
    /// two numbers need not agree, and this is not a failure.
    Kink,
    /// A number involved is NaN or infinite.
    NonFinite,
}

/// One row of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRow {
    /// Tape index of the value checked.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Its value.
    pub data: f64,
    /// The step used.
    pub h: f64,
    /// Backprop's grad.
    pub analytic: f64,
    /// `(L(x+h) - L(x-h)) / 2h`.
    pub numeric: f64,
    /// `|analytic - numeric|`.
    pub abs_err: f64,
    /// `abs_err / max(|analytic|, |numeric|)` (0 when both are 0).
    pub rel_err: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, for a kink or a non-finite number.
    pub note: Option<String>,
}

/// A gradient check of one output: a table of rows, with the options used.
///
/// ```
/// let g = chainrule::Graph::new();
/// let x = g.var("x", 0.5);
/// let y = (x.tanh() * x.exp()).named("y");
/// let check = y.grad_check();
/// assert!(check.passed());
/// assert!(check.rows[0].abs_err < 1e-8);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// Tape index of the output.
    pub output: usize,
    /// Its name.
    pub output_name: String,
    /// Its value.
    pub output_data: f64,
    /// The step and tolerance used.
    pub options: CheckOptions,
    /// One row per value checked.
    pub rows: Vec<CheckRow>,
    /// The first node that went non-finite, if any.
    pub non_finite: Option<NonFiniteNote>,
    /// How the title and the table write values and grads ([`GradCheck::with_numbers`]).
    pub numbers: Numbers,
}

impl<'g> Var<'g> {
    /// Checks the grad of every leaf this value depends on against central differences,
    /// with the default [`CheckOptions`]. The graph is left exactly as it was.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 0.0);
    /// let y = (x.relu() + x * 2.0).named("y");
    /// let check = y.grad_check();
    /// assert_eq!(check.rows[0].verdict, chainrule::Verdict::Kink); // relu at 0
    /// assert!(check.passed()); // a kink is not a failure
    /// ```
    pub fn grad_check(self) -> GradCheck {
        self.grad_check_with(CheckOptions::default())
    }

    /// [`Var::grad_check`] with a chosen step and tolerance.
    pub fn grad_check_with(self, options: CheckOptions) -> GradCheck {
        let leaves: Vec<usize> = {
            let t = self.g.tape();
            let seen = t.ancestors(self.index());
            (0..=self.index())
                .filter(|&i| seen[i] && t.op(i) == Op::Leaf)
                .collect()
        };
        self.check(&leaves, options)
    }

    /// Checks the grads of chosen values, leaves or intermediate ones (an intermediate
    /// value is perturbed as if it were an input, and only what follows it is replayed).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let e = (a * a).named("e");
    /// let l = (e.sin() * 3.0).named("L");
    /// let check = l.grad_check_of(&[e, a], chainrule::CheckOptions::default());
    /// assert_eq!(check.rows.len(), 2);
    /// assert!(check.passed());
    /// ```
    pub fn grad_check_of(self, wrt: &[Var<'g>], options: CheckOptions) -> GradCheck {
        for v in wrt {
            self.g.check_same(v.g);
        }
        let idx: Vec<usize> = wrt.iter().map(|v| v.index()).collect();
        self.check(&idx, options)
    }

    fn check(self, wrt: &[usize], options: CheckOptions) -> GradCheck {
        let out = self.index();
        let (names, seen, adj, output_data, non_finite) = {
            let t = self.g.tape();
            let names = Names::new(&t, t.len() - 1);
            let adj = t.adjoints(out);
            let non_finite = non_finite_note(&t, out, &adj, &names);
            (names, t.ancestors(out), adj, t.data(out), non_finite)
        };
        let rows = wrt
            .iter()
            .map(|&i| {
                let analytic = adj.get(i).copied().unwrap_or(0.0);
                let mut row = self.check_one(i, analytic, &seen, &names, options);
                if row.verdict == Verdict::NonFinite {
                    row.note = Some(match &non_finite {
                        Some(nf) => format!(
                            "follows from the non-finite value at {} (node #{})",
                            nf.name, nf.index
                        ),
                        None => {
                            format!("{} is not finite at {} ± h", names.name[out], names.name[i])
                        }
                    });
                }
                row
            })
            .collect();
        GradCheck {
            output: out,
            output_name: names.name[out].clone(),
            output_data,
            options,
            rows,
            non_finite,
            numbers: Numbers::Notebook,
        }
    }

    /// One row: perturb node `i` by ±h, replay what follows it, restore.
    fn check_one(
        self,
        i: usize,
        analytic: f64,
        seen: &[bool],
        names: &Names,
        o: CheckOptions,
    ) -> CheckRow {
        let out = self.index();
        let mut guard = self.g.tape_mut();
        let t = &mut *guard;
        let x = t.data(i);
        let h = o.eps * x.abs().max(1.0);
        let (xp, xm) = (x + h, x - h);
        let watched = watched(t, i, out, seen);
        let at = |t: &Tape| -> Vec<f64> { watched.iter().map(|&(_, _, k)| t.data(k)).collect() };
        let before = at(t);
        let saved = t.values(i..out.max(i) + 1).to_vec();
        let lp = eval_at(t, i, xp, out);
        let plus = at(t);
        let lm = eval_at(t, i, xm, out);
        let minus = at(t);
        t.set_values(i, &saved);

        let numeric = (lp - lm) / (xp - xm);
        let abs_err = (analytic - numeric).abs();
        let big = analytic.abs().max(numeric.abs());
        let rel_err = if big == 0.0 { 0.0 } else { abs_err / big };
        let kink = (0..watched.len()).find(|&w| crosses(before[w], plus[w], minus[w]));
        let (verdict, note) = if let Some(w) = kink {
            let (p, edge, k) = watched[w];
            (Verdict::Kink, Some(kink_note(names, p, edge, k)))
        } else if !analytic.is_finite() || !numeric.is_finite() {
            (Verdict::NonFinite, None)
        } else if abs_err <= o.tol * big.max(1.0) {
            (Verdict::Pass, None)
        } else {
            (Verdict::Fail, None)
        };
        CheckRow {
            index: i,
            name: names.name[i].clone(),
            data: x,
            h,
            analytic,
            numeric,
            abs_err,
            rel_err,
            verdict,
            note,
        }
    }
}

/// Sets node `i` to `x`, replays nodes `i+1..=out` and returns the output's value.
fn eval_at(t: &mut Tape, i: usize, x: f64, out: usize) -> f64 {
    t.set_values(i, &[x]);
    if i < out {
        t.replay(i + 1..=out);
    }
    t.data(out)
}

/// The non-smooth points that a step of node `i` can reach: `(node, how, operand)` for
/// the ops between `i` and `out` that depend on `i` and, by the op table, are not smooth
/// where that operand is 0.
fn watched(t: &Tape, i: usize, out: usize, seen: &[bool]) -> Vec<(usize, Edge, usize)> {
    if i >= out {
        return Vec::new();
    }
    let mut from_i = vec![false; out + 1];
    from_i[i] = true;
    let mut found = Vec::new();
    for k in i + 1..=out {
        let node = t.node(k);
        if !seen[k] || !(0..node.len()).any(|s| from_i[node.get(s) as usize]) {
            continue;
        }
        from_i[k] = true;
        let edge = t.op(k).edge(node.constant().unwrap_or(0.0));
        if let Some((slot, how)) = edge {
            let operand = node.get(slot) as usize;
            if from_i[operand] {
                found.push((k, how, operand));
            }
        }
    }
    found
}

/// Whether an operand is 0 at x, x+h or x-h, or changes sign between them.
fn crosses(at: f64, plus: f64, minus: f64) -> bool {
    let sign = |v: f64| v > 0.0;
    at == 0.0 || plus == 0.0 || minus == 0.0 || sign(plus) != sign(minus) || sign(at) != sign(plus)
}

fn kink_note(names: &Names, p: usize, edge: Edge, operand: usize) -> String {
    format!(
        "not differentiable here: {} (node #{p}) has {} where {} = 0, within the step ±h",
        names.name[p],
        edge.words(),
        names.name[operand]
    )
}

impl GradCheck {
    /// The same check writing values and grads as `numbers` says (the default is the
    /// notebook's: four decimals for values, ten for the grads compared).
    ///
    /// ```
    /// use chainrule::number::Numbers;
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 2.0);
    /// let check = (x * x).named("y").grad_check().with_numbers(Numbers::Shortest);
    /// assert!(check.to_string().contains("x         2         4  4.000000000111022"), "{check}");
    /// ```
    pub fn with_numbers(mut self, numbers: Numbers) -> GradCheck {
        self.numbers = numbers;
        self
    }

    /// Whether no row failed and no number was non-finite (kinks do not count against).
    pub fn passed(&self) -> bool {
        self.rows
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Pass | Verdict::Kink))
    }

    /// How many rows have each verdict: (pass, fail, kink, non-finite).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |v| self.rows.iter().filter(|r| r.verdict == v).count();
        (
            n(Verdict::Pass),
            n(Verdict::Fail),
            n(Verdict::Kink),
            n(Verdict::NonFinite),
        )
    }

    fn title(&self) -> String {
        let l = &self.output_name;
        format!(
            "Gradient check of {l} = {}: central differences ({l}(x+h) - {l}(x-h)) / 2h with h = {:e}·max(1, |x|), tolerance {:e} (relative, absolute below 1)",
            self.numbers.format(self.output_data),
            self.options.eps,
            self.options.tol
        )
    }

    fn summary(&self) -> String {
        let (p, f, k, n) = self.counts();
        let mut s = format!("{} checked: {p} ok", self.rows.len());
        if f > 0 {
            s += &format!(", {f} wrong");
        }
        if k > 0 {
            s += &format!(", {k} at a point that is not differentiable (not a failure)");
        }
        if n > 0 {
            s += &format!(", {n} not finite");
        }
        s
    }

    /// The check as a Markdown table.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 2.0);
    /// let md = (x * x).named("y").grad_check().to_markdown();
    /// assert!(md.contains("| x | 2.0000 | 4.0000000000 |"));
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut s = format!("{}\n\n", self.title());
        if let Some(nf) = &self.non_finite {
            s += &format!("**Not finite:** {nf}.\n\n");
        }
        s += "| value | data | analytic | numeric | abs err | rel err | h | verdict |\n";
        s += "|---|---|---|---|---|---|---|---|\n";
        for r in &self.rows {
            let c = r.cells(self.numbers);
            s += &format!("| {} |\n", c.join(" | "));
        }
        s += &format!("\n{}.\n", self.summary());
        for r in self.rows.iter().filter(|r| r.note.is_some()) {
            s += &format!("\n- {}: {}", r.name, r.note.as_deref().unwrap_or(""));
        }
        s
    }
}

impl Verdict {
    /// One word for a table: `ok`, `WRONG`, `kink`, `not finite`.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "ok",
            Verdict::Fail => "WRONG",
            Verdict::Kink => "kink",
            Verdict::NonFinite => "not finite",
        }
    }
}

impl CheckRow {
    /// The row's cells as text: name, data, analytic, numeric, errors, h, verdict (numbers
    /// left blank where they are not finite). The notebook's style writes the two grads
    /// with 10 decimals, so that they can be compared digit by digit.
    fn cells(&self, numbers: Numbers) -> Vec<String> {
        let num = |v: f64, s: String| if v.is_finite() { s } else { "-".to_string() };
        let grad = |x: f64| match numbers {
            Numbers::Notebook => fmt10(x),
            Numbers::Shortest => numbers.format(x),
        };
        vec![
            self.name.clone(),
            numbers.format(self.data),
            num(self.analytic, grad(self.analytic)),
            num(self.numeric, grad(self.numeric)),
            num(self.abs_err, format!("{:.1e}", self.abs_err)),
            num(self.rel_err, format!("{:.1e}", self.rel_err)),
            format!("{:.1e}", self.h),
            self.verdict.word().to_string(),
        ]
    }
}

impl fmt::Display for GradCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title())?;
        if let Some(nf) = &self.non_finite {
            writeln!(f, "Not finite: {nf}.")?;
        }
        let head = [
            "value", "data", "analytic", "numeric", "abs err", "rel err", "h", "verdict",
        ];
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| r.cells(self.numbers)).collect();
        let width: Vec<usize> = (0..head.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].chars().count())
                    .chain([head[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<String>| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, s)| match c {
                    0 | 7 => format!("{s:<w$}", w = width[c]),
                    _ => format!("{s:>w$}", w = width[c]),
                })
                .collect();
            padded.join("  ").trim_end().to_string()
        };
        writeln!(f, "{}", line(head.iter().map(|s| s.to_string()).collect()))?;
        for r in rows {
            writeln!(f, "{}", line(r))?;
        }
        writeln!(f, "{}.", self.summary())?;
        for r in self.rows.iter().filter(|r| r.note.is_some()) {
            writeln!(f, "  {}: {}", r.name, r.note.as_deref().unwrap_or(""))?;
        }
        Ok(())
    }
}

/// A grad set by hand, checked against the chain rule, with the diagnosis of a wrong one.
#[derive(Clone, Debug, PartialEq)]
pub struct HandCheck {
    /// Tape index of the value.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// The grad given by hand.
    pub given: f64,
    /// The grad backprop computes.
    pub correct: f64,
    /// Whether `given` is right: within the tolerance of `correct` (`1e-6·max(1,
    /// |correct|)` by default).
    pub right: bool,
    /// How the correct grad comes by the chain rule, in the notebook's notation
    /// (`dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000`), one line per step.
    pub derivation: Vec<String>,
    /// Why a wrong grad is wrong: the catalogued mistakes that give it, or that it
    /// follows from the learner's own wrong grads upstream, or a nudge that shows the real
    /// slope (empty for a right grad).
    pub diagnosis: Diagnosis,
}

impl<'g> Var<'g> {
    /// Checks grads derived by hand, as the notebook's `a.grad = 6.0`: for each
    /// `(value, grad)` pair, whether the grad is right and, if not, what it should be, why,
    /// and what went wrong (see [`Var::check_hand_grads_with`]). The graph's grads are not
    /// touched.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let b = g.var("b", -3.0);
    /// let e = (a * b).named("e");
    /// let l = (e * 2.0).named("L");
    /// let checks = l.check_hand_grads(&[(a, -6.0), (b, -4.0)]);
    /// assert!(checks[0].right);
    /// assert!(!checks[1].right);
    /// assert_eq!(checks[1].correct, 4.0);
    /// assert_eq!(checks[1].derivation[0], "dL/db = dL/de · de/db = 2.0000 · 2.0000 = 4.0000");
    /// ```
    pub fn check_hand_grads(self, hand: &[(Var<'g>, f64)]) -> Vec<HandCheck> {
        self.check_hand_grads_with(hand, CheckOptions::default(), Numbers::Notebook)
    }

    /// [`Var::check_hand_grads`] with a chosen tolerance (`options.tol`; a grad within it
    /// of the right one is right, and a mistake within it of the learner's is named), and
    /// the numbers of the derivations and the diagnosis written as `numbers` says.
    ///
    /// Each wrong grad gets a [`Diagnosis`]. The pairs are the learner's answers taken
    /// together: a grad is worked out from the learner's own grads of the values that use
    /// it, so a grad that is right given a wrong one upstream *follows from yours* and is
    /// not blamed again. Otherwise every catalogued [`crate::Mistake`] that applies is
    /// computed on this graph and the matching ones are named; where none matches, a
    /// nudge shows the slope.
    ///
    /// ```
    /// use chainrule::{number::Numbers, CheckOptions, Graph, Mistake};
    /// let g = Graph::new();
    /// let (a, b) = (g.var("a", 2.0), g.var("b", -3.0));
    /// let e = (a * b).named("e");
    /// let l = (e * 2.0).named("L"); // dL/de = 2, dL/da = 2·b = -6
    /// let opts = CheckOptions::default();
    /// let c = l.check_hand_grads_with(&[(e, 2.0), (a, -3.0)], opts, Numbers::Shortest);
    /// assert_eq!(c[1].diagnosis.mistakes[0].mistake, Mistake::LocalOnly); // b alone
    /// assert_eq!(c[1].diagnosis.mistakes[0].working, "de/da = -3 alone, without dL/de = 2");
    /// let c = l.check_hand_grads(&[(e, 4.0), (a, -12.0)]); // e wrong, a follows from it
    /// assert!(c[1].diagnosis.follows_from_yours && c[1].diagnosis.mistakes.is_empty());
    /// ```
    pub fn check_hand_grads_with(
        self,
        hand: &[(Var<'g>, f64)],
        options: CheckOptions,
        numbers: Numbers,
    ) -> Vec<HandCheck> {
        if hand.is_empty() {
            // Nothing to check: no explanation to build (a page asks with none typed).
            return Vec::new();
        }
        let ex = self.explain().with_numbers(numbers);
        let given_grads: HashMap<usize, f64> = hand
            .iter()
            .map(|&(v, given)| {
                self.g.check_same(v.g);
                (v.index(), given)
            })
            .collect();
        let yours = diagnose::yours(&ex, &given_grads);
        let output_data = self.data();
        hand.iter()
            .map(|&(v, given)| {
                let node = ex.node(v.index());
                let name = node.map_or_else(
                    || v.label().unwrap_or_else(|| format!("v{}", v.index())),
                    |n| n.name.clone(),
                );
                let (correct, derivation) = match node {
                    Some(n) => (n.grad, n.derivation(&ex.output_name)),
                    None => {
                        let line = format!(
                            "{} does not depend on {name}, so its grad is 0",
                            ex.output_name
                        );
                        (0.0, vec![line])
                    }
                };
                let right = diagnose::close(given, correct, options.tol);
                let case = Case {
                    ex: &ex,
                    node,
                    name: &name,
                    given,
                    correct,
                    given_grads: &given_grads,
                    yours: &yours,
                    output_data,
                    tol: options.tol,
                    numbers,
                };
                let diagnosis = if right {
                    Diagnosis {
                        from_yours: correct,
                        ..Diagnosis::default()
                    }
                } else {
                    self.diagnosis(v, &case)
                };
                HandCheck {
                    index: v.index(),
                    name,
                    given,
                    correct,
                    right,
                    derivation,
                    diagnosis,
                }
            })
            .collect()
    }

    /// The diagnosis of a wrong grad of `v`, with a nudge where no mistake matches.
    fn diagnosis(self, v: Var<'g>, case: &Case<'_>) -> Diagnosis {
        let mut diag = diagnose::diagnose(&self.g.tape(), case);
        if !diag.follows_from_yours && diag.mistakes.is_empty() && v.index() <= self.index() {
            let x = v.data();
            let h = 1e-3 * x.abs().max(1.0);
            let before = self.data();
            let after = self.output_at(v.index(), x + h);
            if after.is_finite() && before.is_finite() {
                diag.nudge = Some(Nudge {
                    h,
                    before,
                    after,
                    slope: (after - before) / h,
                    predicted: before + h * case.given,
                });
            }
        }
        diagnose::describe(&mut diag, case);
        diag
    }

    /// The output's value with node `i` set to `x` (what follows `i` replayed), the
    /// graph left as it was.
    fn output_at(self, i: usize, x: f64) -> f64 {
        let out = self.index();
        let mut t = self.g.tape_mut();
        let saved = t.values(i..out + 1).to_vec();
        let value = eval_at(&mut t, i, x, out);
        t.set_values(i, &saved);
        value
    }

    /// [`Var::check_hand_grads`] for the grads currently set on `nodes` with
    /// [`Var::set_grad`], before any backward.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let d = g.var("d", 4.0);
    /// let f = g.var("f", -2.0);
    /// let l = (d * f).named("L");
    /// f.set_grad(4.0);
    /// d.set_grad(4.0); // wrong: dL/dd = f = -2
    /// let checks = l.check_set_grads(&[f, d]);
    /// assert!(checks[0].right && !checks[1].right);
    /// assert_eq!(d.grad(), 4.0); // the hand-set grad is still there
    /// ```
    pub fn check_set_grads(self, nodes: &[Var<'g>]) -> Vec<HandCheck> {
        let hand: Vec<(Var<'g>, f64)> = nodes.iter().map(|&v| (v, v.grad())).collect();
        self.check_hand_grads(&hand)
    }
}

impl fmt::Display for HandCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.right {
            return write!(f, "{}: grad {} is right", self.name, fmt4(self.given));
        }
        write!(
            f,
            "{}: grad {} is wrong; it should be {}:",
            self.name,
            fmt4(self.given),
            fmt4(self.correct)
        )?;
        for line in &self.derivation {
            write!(f, "\n    {line}")?;
        }
        for line in &self.diagnosis.text {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// A grad in the check's table: 10 decimals, or an exponent beyond 1e16 and below 1e-4
/// (but not 0), so a tiny grad does not read as zero.
fn fmt10(x: f64) -> String {
    crate::io::number::decimals(x, 10)
}

//! The diagnosis of a wrong hand grad: what each catalogued [`Mistake`] would give for
//! it on the same graph with the same values, and which of them match.
//!
//! A learner's grad of `x` is judged with the learner's own grads of the values that use
//! `x`, where they gave them: if their dL/de was wrong, their dL/da is worked out from
//! their dL/de, and when it is right by that measure it *follows from theirs* (the
//! mistake lies upstream and is not blamed twice). Otherwise every mistake's number is
//! computed (the local derivatives from the op table, the op-specific slips from its
//! entries, [`crate::Op::slips`]) and each one within the check's tolerance of the
//! learner's is named. Where none is, a nudge of `x` shows how the output really moves.

use crate::engine::tape::{Node, Tape};
use crate::io::number::Numbers;
use crate::show::explain::{Contribution, Explanation, NodeExplanation};
use crate::show::mistakes::{Mistake, Slip};
use crate::show::names::d;
use std::collections::HashMap;

/// What one catalogued mistake gives for a hand grad, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The mistake.
    pub mistake: Mistake,
    /// The grad it gives.
    pub value: f64,
    /// How it gets there, in the notebook's notation: `de/da = -3.0000 alone, without
    /// dL/de = -2.0000`.
    pub working: String,
}

/// A grad the learner gave for a value upstream (one that uses `x`) that differs from
/// the right one; the diagnosis of `x` worked with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Upstream {
    /// Tape index of the value.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// The learner's grad of it.
    pub given: f64,
    /// Its right grad.
    pub correct: f64,
}

/// The notebook's experiment on `x`: nudge it by `h` and watch the output.
#[derive(Clone, Debug, PartialEq)]
pub struct Nudge {
    /// The step.
    pub h: f64,
    /// The output before.
    pub before: f64,
    /// The output after `x` moved by `h` (only what follows `x` replayed).
    pub after: f64,
    /// `(after - before) / h`, the finite-difference estimate of the grad.
    pub slope: f64,
    /// `before + h·given`: where the learner's grad says the output goes.
    pub predicted: f64,
}

/// Why a hand grad is wrong, as far as the catalogue can tell.
///
/// Empty (no mistakes, nothing followed, no nudge, no text) for a right grad.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnosis {
    /// The catalogued mistakes that give the learner's number (catalogue order); empty
    /// when the grad is right, follows from the learner's own upstream grads, or matches
    /// nothing.
    pub mistakes: Vec<Candidate>,
    /// The grad is wrong, but right given the learner's own grads upstream: the mistake
    /// lies there.
    pub follows_from_yours: bool,
    /// What the chain rule gives with the learner's own upstream grads (the right grad
    /// when they gave none, or gave right ones).
    pub from_yours: f64,
    /// The learner's upstream grads that differ from the right ones.
    pub upstream: Vec<Upstream>,
    /// Where no mistake matches: a nudge of the value that shows the real slope.
    pub nudge: Option<Nudge>,
    /// What every catalogued mistake that applies here would give (those distinct from the
    /// right grad), whether or not the learner made it.
    pub candidates: Vec<Candidate>,
    /// The diagnosis in words, one line each.
    pub text: Vec<String>,
}

impl Diagnosis {
    /// The ids of the mistakes named (`["local-only"]`).
    pub fn ids(&self) -> Vec<&'static str> {
        self.mistakes.iter().map(|c| c.mistake.id()).collect()
    }
}

/// Whether `a` is within `tol` of `reference` (relative above 1, absolute below): the
/// hand check's rule for a right number.
pub(crate) fn close(a: f64, reference: f64, tol: f64) -> bool {
    (a - reference).abs() <= tol * reference.abs().max(1.0)
}

/// What the diagnosis of one hand grad works from.
pub(crate) struct Case<'a> {
    /// The explanation of the output (every node's uses, locals and right grads).
    pub ex: &'a Explanation,
    /// The node's explanation, when the output depends on it.
    pub node: Option<&'a NodeExplanation>,
    /// The node's name.
    pub name: &'a str,
    /// The learner's grad.
    pub given: f64,
    /// The right grad.
    pub correct: f64,
    /// The learner's grads, by tape index (the last given for each).
    pub given_grads: &'a HashMap<usize, f64>,
    /// Every node's grad as the learner's own grads make it: theirs where given, and
    /// elsewhere the chain rule from theirs above ([`yours`]).
    pub yours: &'a [f64],
    /// The output's value.
    pub output_data: f64,
    /// The tolerance.
    pub tol: f64,
    /// How numbers are written.
    pub numbers: Numbers,
}

/// The diagnosis of a wrong hand grad, without the nudge (which needs the tape mutably).
pub(crate) fn diagnose(t: &Tape, case: &Case<'_>) -> Diagnosis {
    let Some(node) = case.node else {
        return Diagnosis {
            from_yours: 0.0,
            text: vec![format!(
                "{} does not depend on {}",
                case.ex.output_name, case.name
            )],
            ..Diagnosis::default()
        };
    };
    let uses = &node.contributions;
    let upstream_grad = |c: &Contribution| case.yours[c.parent];
    let terms: Vec<f64> = uses
        .iter()
        .map(|c| term(upstream_grad(c), c.local))
        .collect();
    let from_yours = if uses.is_empty() {
        1.0
    } else {
        terms.iter().sum()
    };
    let upstream = upstream(case, node);
    let follows =
        close(case.given, from_yours, case.tol) && !close(case.given, case.correct, case.tol);
    let mut raw = Vec::new();
    if uses.is_empty() {
        raw.push(seed_at_output(case));
    } else {
        let w = Working {
            ex: case.ex,
            numbers: case.numbers,
            index: node.index,
            x: &node.name,
            uses,
            ups: uses.iter().map(upstream_grad).collect(),
            terms: &terms,
            total: from_yours,
        };
        raw.extend(w.chain());
        raw.extend(w.slips(t, case.yours));
        raw.extend(w.paths());
        if upstream.is_empty() && !case.given_grads.contains_key(&case.ex.output) {
            raw.extend(w.seed(case.output_data));
        }
    }
    let candidates = distinct(raw, case, from_yours);
    let mistakes = if follows {
        Vec::new()
    } else if uses.is_empty() {
        // At the output any grad but 1 is a wrong seed.
        vec![Candidate {
            value: case.given,
            ..seed_at_output(case)
        }]
    } else {
        matching(&candidates, case)
    };
    Diagnosis {
        mistakes,
        follows_from_yours: follows,
        from_yours,
        upstream,
        nudge: None,
        candidates,
        text: Vec::new(),
    }
}

/// Every node's grad as the learner's own make it, by tape index: the learner's where they
/// gave one, 1 for the output otherwise, and elsewhere the chain rule from the values
/// that use it (so a value they did not give, such as an unnamed `a*b`, carries their
/// grads above it down).
pub(crate) fn yours(ex: &Explanation, given: &HashMap<usize, f64>) -> Vec<f64> {
    let mut out = vec![0.0; ex.output + 1];
    // The explanation lists nodes from the output down: each node's users come first.
    for n in &ex.nodes {
        out[n.index] = match given.get(&n.index) {
            Some(&g) => g,
            None if n.index == ex.output => 1.0,
            None => n
                .contributions
                .iter()
                .map(|c| term(out[c.parent], c.local))
                .sum(),
        };
    }
    out
}

/// The learner's own grads upstream of the node that differ from the right ones: the
/// nearest given ones, reached through values they did not give.
fn upstream(case: &Case<'_>, node: &NodeExplanation) -> Vec<Upstream> {
    let mut found: Vec<Upstream> = Vec::new();
    let mut stack: Vec<&Contribution> = node.contributions.iter().collect();
    let mut seen = Vec::new();
    while let Some(c) = stack.pop() {
        if seen.contains(&c.parent) {
            continue;
        }
        seen.push(c.parent);
        if close(case.yours[c.parent], c.parent_grad, case.tol) {
            continue;
        }
        if case.given_grads.contains_key(&c.parent) {
            found.push(Upstream {
                index: c.parent,
                name: c.parent_name.clone(),
                given: case.yours[c.parent],
                correct: c.parent_grad,
            });
        } else if let Some(p) = case.ex.node(c.parent) {
            stack.extend(p.contributions.iter());
        }
    }
    found.sort_by_key(|u| std::cmp::Reverse(u.index));
    found
}

/// `upstream · local`, 0 when nothing flows (as backward does).
fn term(upstream: f64, local: f64) -> f64 {
    if upstream == 0.0 {
        0.0
    } else {
        upstream * local
    }
}

/// The candidates that are finite and distinct from both the right grad and the one the
/// learner's own upstream grads give, one per mistake and value.
fn distinct(raw: Vec<Candidate>, case: &Case<'_>, from_yours: f64) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for c in raw {
        let trivial = !c.value.is_finite()
            || close(c.value, case.correct, case.tol)
            || close(c.value, from_yours, case.tol);
        let seen = out
            .iter()
            .any(|o| o.mistake == c.mistake && close(c.value, o.value, case.tol));
        if !trivial && !seen {
            out.push(c);
        }
    }
    out.sort_by_key(|c| c.mistake);
    out
}

/// The candidates that give the learner's number, one per mistake.
fn matching(candidates: &[Candidate], case: &Case<'_>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for c in candidates {
        if close(case.given, c.value, case.tol) && !out.iter().any(|o| o.mistake == c.mistake) {
            out.push(c.clone());
        }
    }
    out
}

/// The output's own grad: anything but 1 is a wrong seed; the likeliest is the output's
/// own value.
fn seed_at_output(case: &Case<'_>) -> Candidate {
    let l = d(&case.ex.output_name);
    Candidate {
        mistake: Mistake::Seed,
        value: case.output_data,
        working: format!("{l}/{l} is 1: backward starts by seeding the output's grad with 1"),
    }
}

/// The numbers one node's candidates are made from.
struct Working<'a> {
    ex: &'a Explanation,
    /// How numbers are written.
    numbers: Numbers,
    /// The node's tape index.
    index: usize,
    /// The node's name.
    x: &'a str,
    /// Its uses, in backward's order.
    uses: &'a [Contribution],
    /// The upstream grad of each use (the learner's where given).
    ups: Vec<f64>,
    /// `upstream · local` for each use.
    terms: &'a [f64],
    /// Their sum.
    total: f64,
}

impl Working<'_> {
    /// A number in the check's style.
    fn num(&self, x: f64) -> String {
        self.numbers.format(x)
    }

    fn candidate(&self, mistake: Mistake, value: f64, working: String) -> Candidate {
        Candidate {
            mistake,
            value,
            working,
        }
    }

    /// `dL/dx`.
    fn lhs(&self) -> String {
        format!("{}/{}", d(&self.ex.output_name), d(self.x))
    }

    /// `dL/dp` of use `j`.
    fn up(&self, j: usize) -> String {
        format!(
            "{}/{}",
            d(&self.ex.output_name),
            d(&self.uses[j].parent_name)
        )
    }

    /// `dp/dx` of use `j` (`d(d*f)/dd` when p is the output, whose `dL/dd` would read as
    /// the grad itself).
    fn local(&self, j: usize) -> String {
        local_name(&self.uses[j], self.x)
    }

    /// Mistakes in how a chain's factors combine: dropped, added, inverted, negated.
    fn chain(&self) -> Vec<Candidate> {
        let n = self.uses.len();
        let locals: Vec<f64> = self.uses.iter().map(|c| c.local).collect();
        let sum = |v: &[f64]| v.iter().sum::<f64>();
        let list = |v: &[f64]| {
            v.iter()
                .map(|&x| self.num(x))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let mut out = Vec::new();
        let (local_only, upstream_only, added) = if n == 1 {
            (
                format!(
                    "{} = {} alone, without {} = {}",
                    self.local(0),
                    self.num(locals[0]),
                    self.up(0),
                    self.num(self.ups[0])
                ),
                format!(
                    "{} = {} alone, without {} = {}",
                    self.up(0),
                    self.num(self.ups[0]),
                    self.local(0),
                    self.num(locals[0])
                ),
                format!(
                    "{} + {} = {} + {} = {}, added where the chain rule multiplies",
                    self.up(0),
                    self.local(0),
                    self.num(self.ups[0]),
                    self.num(locals[0]),
                    self.num(self.ups[0] + locals[0])
                ),
            )
        } else {
            let both: Vec<f64> = self.ups.iter().zip(&locals).map(|(u, l)| u + l).collect();
            (
                format!(
                    "the local derivatives alone, {} = {}, without the grads upstream",
                    list(&locals),
                    self.num(sum(&locals))
                ),
                format!(
                    "the grads upstream alone, {} = {}, without the local derivatives",
                    list(&self.ups),
                    self.num(sum(&self.ups))
                ),
                format!(
                    "each use's grad upstream added to its local derivative, {} = {}",
                    list(&both),
                    self.num(sum(&both))
                ),
            )
        };
        out.push(self.candidate(Mistake::LocalOnly, sum(&locals), local_only));
        out.push(self.candidate(Mistake::UpstreamOnly, sum(&self.ups), upstream_only));
        let added_value: f64 = self.ups.iter().zip(&locals).map(|(u, l)| u + l).sum();
        out.push(self.candidate(Mistake::ChainAdded, added_value, added));
        if self.total != 0.0 {
            out.push(self.candidate(
                Mistake::Inverted,
                1.0 / self.total,
                format!(
                    "1/({}) = {}: d{}/d{}, upside down",
                    self.num(self.total),
                    self.num(1.0 / self.total),
                    self.x,
                    self.ex.output_name
                ),
            ));
            out.push(self.candidate(
                Mistake::Sign,
                -self.total,
                format!(
                    "{} = {} with its sign flipped",
                    self.lhs(),
                    self.num(self.total)
                ),
            ));
        }
        out
    }

    /// One local derivative mistaken (the op table's slips), everything else right: at
    /// a use of the node itself, or further up through values without a name of their
    /// own (which a learner works through in one go). A slip at the edge from `q` to `p`
    /// moves dL/dx by dL/dp · (slip - local) · dq/dx.
    fn slips(&self, t: &Tape, yours: &[f64]) -> Vec<Candidate> {
        let region = self.region(t);
        let dq_dx = tangent(
            t,
            self.index,
            region.iter().copied().max().unwrap_or(self.index),
        );
        let mut out = Vec::new();
        for &q in &region {
            let Some(node) = self.ex.node(q) else {
                continue;
            };
            if dq_dx[q] == 0.0 {
                continue;
            }
            for c in &node.contributions {
                let up = yours[c.parent];
                for s in slips_at(t, c.parent, c.slot) {
                    let value = self.total + (term(up, s.local) - term(up, c.local)) * dq_dx[q];
                    let local = local_name(c, &node.name);
                    let working = format!(
                        "{local} taken as {} ({}) instead of {}, so {} = {}",
                        self.num(s.local),
                        s.note,
                        local_text(c, self.numbers),
                        self.lhs(),
                        self.num(value)
                    );
                    out.push(self.candidate(s.mistake, value, working));
                }
            }
        }
        out
    }

    /// The node and the values above it without a label, reached through such values.
    fn region(&self, t: &Tape) -> Vec<usize> {
        let mut region = vec![self.index];
        let mut k = 0;
        while k < region.len() {
            if let Some(node) = self.ex.node(region[k]) {
                for c in &node.contributions {
                    if t.label(c.parent).is_none() && !region.contains(&c.parent) {
                        region.push(c.parent);
                    }
                }
            }
            k += 1;
        }
        region
    }

    /// A value used more than once: one use alone, or the uses multiplied.
    fn paths(&self) -> Vec<Candidate> {
        let n = self.uses.len();
        if n < 2 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for j in 0..n {
            let c = &self.uses[j];
            let which = if self.uses.iter().filter(|u| u.parent == c.parent).count() > 1 {
                format!("one of its uses in {}", c.parent_name)
            } else {
                format!("the use in {}", c.parent_name)
            };
            let how = if c.parent_is_output {
                self.local(j)
            } else {
                format!("{}·{}", self.up(j), self.local(j))
            };
            out.push(self.candidate(
                Mistake::OnePath,
                self.terms[j],
                format!(
                    "only {which}: {how} = {}; {} is used {n} times, and its grad is the sum over every use",
                    self.num(self.terms[j]),
                    self.x
                ),
            ));
        }
        let product: f64 = self.terms.iter().product();
        let list: Vec<String> = self.terms.iter().map(|&x| self.num(x)).collect();
        out.push(self.candidate(
            Mistake::PathsMultiplied,
            product,
            format!(
                "the uses multiplied, {} = {}, where the chain rule adds them",
                list.join(" · "),
                self.num(product)
            ),
        ));
        out
    }

    /// Backward started from the output's value instead of 1.
    fn seed(&self, output_data: f64) -> Vec<Candidate> {
        let l = d(&self.ex.output_name);
        vec![self.candidate(
            Mistake::Seed,
            self.total * output_data,
            format!(
                "{} = {} times {} = {}: backward started from {l}/{l} = {} instead of 1",
                self.lhs(),
                self.num(self.total),
                self.ex.output_name,
                self.num(output_data),
                self.num(output_data),
            ),
        )]
    }
}

/// The slips of parent `p`'s local derivative with respect to its operand in `slot`: the
/// op table's ([`crate::Op::slips`]), and for the n-ary ops a flipped sign and a dot
/// product's wrong operand.
fn slips_at(t: &Tape, p: usize, slot: usize) -> Vec<Slip> {
    let node = t.node(p);
    let op = t.op(p);
    let v = |k: u32| t.data(k as usize);
    match node {
        Node::Leaf => Vec::new(),
        Node::Unary(x) => op.slips(v(x), 0.0, 0.0, t.data(p), 0),
        Node::WithConst(x, c) => op.slips(v(x), 0.0, c, t.data(p), 0),
        Node::Binary(x, y) => op.slips(v(x), v(y), 0.0, t.data(p), slot),
        Node::Sum(_) => vec![flipped(1.0)],
        Node::Dot(..) => {
            let local = v(node.get(node.partner(slot)));
            let mut s = vec![Slip {
                mistake: Mistake::WrongFactor,
                local: v(node.get(slot)),
                note: "the operand itself, not the one it multiplies",
            }];
            if local != 0.0 {
                s.push(flipped(local));
            }
            s
        }
    }
}

/// d(node)/d(x) for every node from `x` to `upto`: forward mode over the tape, with the
/// op table's local derivatives.
fn tangent(t: &Tape, x: usize, upto: usize) -> Vec<f64> {
    let mut d = vec![0.0; upto + 1];
    d[x] = 1.0;
    for k in x + 1..=upto {
        let node = t.node(k);
        for s in 0..node.len() {
            let c = node.get(s) as usize;
            if d[c] != 0.0 {
                d[k] += t.local_derivative(k, s) * d[c];
            }
        }
    }
    d
}

/// `dp/dx` for a use of `x` in `p`, or the formula's `d(d*f)/dd` when `p` is the output
/// (whose `dL/dd` would read as the grad itself).
fn local_name(c: &Contribution, x: &str) -> String {
    match c.formula.split(" = ").next() {
        Some(lhs) if c.parent_is_output => lhs.to_string(),
        _ => format!("{}/{}", d(&c.parent_name), d(x)),
    }
}

/// A use's right local derivative as formula and number: `b = -3.0000`, or `-3.0000`
/// when the formula is a number itself.
fn local_text(c: &Contribution, numbers: Numbers) -> String {
    let rhs = c.formula.rsplit(" = ").next().unwrap_or("");
    if rhs.is_empty() || rhs.parse::<f64>().is_ok() {
        numbers.format(c.local)
    } else {
        format!("{rhs} = {}", numbers.format(c.local))
    }
}

/// A slip that flips the sign of a local derivative.
fn flipped(local: f64) -> Slip {
    Slip {
        mistake: Mistake::Sign,
        local: -local,
        note: "its sign flipped",
    }
}

/// The diagnosis in words: what follows from whose grads, the mistakes named, or the
/// nudge that shows the real slope.
pub(crate) fn describe(diag: &mut Diagnosis, case: &Case<'_>) {
    let l = &case.ex.output_name;
    let yours: Vec<String> = diag
        .upstream
        .iter()
        .map(|u| format!("{}/{} = {}", d(l), d(&u.name), case.numbers.format(u.given)))
        .collect();
    let mut text = Vec::new();
    if diag.follows_from_yours {
        let right: Vec<String> = diag
            .upstream
            .iter()
            .map(|u| {
                format!(
                    "{}/{} = {}",
                    d(l),
                    d(&u.name),
                    case.numbers.format(u.correct)
                )
            })
            .collect();
        text.push(format!(
            "Right, given your {}: the mistake is upstream (the right {}).",
            yours.join(" and "),
            right.join(" and ")
        ));
    } else if !diag.mistakes.is_empty() {
        if !yours.is_empty() {
            text.push(format!("Worked from your own {}.", yours.join(" and ")));
        }
        for m in &diag.mistakes {
            text.push(format!(
                "Mistake {}: {}; here {}.",
                m.mistake.id(),
                m.mistake.name(),
                m.working
            ));
        }
    } else {
        text.push(format!(
            "No mistake in the catalogue gives {}.",
            crate::io::number::shortest(case.given)
        ));
        // A finite difference's digits beyond the tenth are noise.
        let tidy = |x: f64| case.numbers.format(crate::io::number::significant(x, 10));
        if let Some(n) = &diag.nudge {
            text.push(format!(
                "Nudge {} by h = {}: {l} goes from {} to {}, a slope of {}; a grad of {} would take it to {}.",
                case.name,
                crate::io::number::shortest(n.h),
                tidy(n.before),
                tidy(n.after),
                tidy(n.slope),
                crate::io::number::shortest(case.given),
                tidy(n.predicted)
            ));
        }
    }
    diag.text = text;
}

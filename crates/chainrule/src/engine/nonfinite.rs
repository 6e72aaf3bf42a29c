//! Tracing NaN and infinity to the node that produced them.
//!
//! Arithmetic never panics: values follow IEEE 754. When something goes non-finite,
//! [`Var::first_non_finite`] names the first node that made it so, and why.

use super::graph::{Graph, Var};
use super::op::{overflow, Op};
use super::tape::{Node, Tape};
use std::fmt;

/// Where a non-finite number first appeared: in a value (forward) or in a grad (backward).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// The node's data is NaN or infinite.
    Forward,
    /// The node's data is finite but its grad is NaN or infinite.
    Backward,
}

/// The first node that produced a non-finite number, and why.
///
/// ```
/// let g = chainrule::Graph::new();
/// let x = g.var("x", -1.0);
/// let y = (x.ln() + 2.0).named("y");
/// let bad = y.first_non_finite().unwrap();
/// assert_eq!(bad.node.index(), 1);
/// assert_eq!(bad.reason, "ln of a negative number (ln(-1)); ln is defined for x > 0");
/// ```
#[derive(Clone, Debug)]
pub struct NonFinite<'g> {
    /// The node.
    pub node: Var<'g>,
    /// Whether its value or its grad went non-finite.
    pub pass: Pass,
    /// The non-finite number.
    pub value: f64,
    /// A sentence saying why, in terms of the op and its operands.
    pub reason: String,
}

impl fmt::Display for NonFinite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.pass {
            Pass::Forward => "value",
            Pass::Backward => "grad",
        };
        let name = self
            .node
            .label()
            .unwrap_or_else(|| format!("#{}", self.node.index()));
        write!(
            f,
            "{name} ({}) has {what} {}: {}",
            self.node.op().name(),
            self.value,
            self.reason
        )
    }
}

impl Graph {
    /// For each node up to and including `out`, whether `out` depends on it (`out` itself
    /// included). One reverse pass, no recursion.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(1.0);
    /// let unused = g.leaf(2.0);
    /// let y = a * 3.0;
    /// assert_eq!(g.ancestors(y), vec![true, false, true]);
    /// # let _ = unused;
    /// ```
    pub fn ancestors(&self, out: Var<'_>) -> Vec<bool> {
        self.check_same(out.g);
        self.tape().ancestors(out.index())
    }
}

impl Tape {
    /// For each node up to and including `out`, whether `out` depends on it.
    pub(crate) fn ancestors(&self, out: usize) -> Vec<bool> {
        let mut seen = vec![false; out + 1];
        seen[out] = true;
        for i in (0..=out).rev() {
            if seen[i] {
                let n = self.node(i);
                for s in 0..n.len() {
                    seen[n.get(s) as usize] = true;
                }
            }
        }
        seen
    }

    /// The first node `out` depends on whose value is non-finite, or (all values finite)
    /// whose grad in `grads` is, with the reason: `(node, pass, number, reason)`.
    pub(crate) fn first_non_finite(
        &self,
        out: usize,
        grads: &dyn Fn(usize) -> f64,
    ) -> Option<(usize, Pass, f64, String)> {
        let seen = self.ancestors(out);
        if let Some(i) = (0..seen.len()).find(|&i| seen[i] && !self.data(i).is_finite()) {
            return Some((i, Pass::Forward, self.data(i), self.forward_reason(i)));
        }
        let i = (0..seen.len())
            .rev()
            .find(|&i| seen[i] && !grads(i).is_finite())?;
        Some((
            i,
            Pass::Backward,
            grads(i),
            self.backward_reason(i, &seen, grads),
        ))
    }

    /// Why node `i` (whose operands are all finite) has a non-finite value.
    fn forward_reason(&self, i: usize) -> String {
        let node = self.node(i);
        let val = |s: usize| {
            if s < node.len() {
                self.data(node.get(s) as usize)
            } else {
                f64::NAN
            }
        };
        let (x, y) = (val(0), val(1));
        let c = node.constant().unwrap_or(f64::NAN);
        let op = self.op(i);
        match node {
            Node::Leaf if op == Op::Leaf => format!("the leaf was given {}", self.data(i)),
            Node::Leaf => format!("the constant is {}", self.data(i)),
            Node::Sum(_) | Node::Dot(..) => overflow("the sum"),
            _ => op.why_not_finite(x, y, c).unwrap_or_else(|| {
                let kids: Vec<f64> = (0..node.len()).map(val).collect();
                overflow(&format!("{} of {kids:?}", op.name()))
            }),
        }
    }

    /// Why node `i` (all values finite) got a non-finite grad: the first use of it whose
    /// contribution is non-finite.
    fn backward_reason(&self, i: usize, seen: &[bool], grads: &dyn Fn(usize) -> f64) -> String {
        for p in (i + 1..seen.len()).filter(|&p| seen[p]) {
            if grads(p) == 0.0 {
                continue;
            }
            let node = self.node(p);
            let Some(slot) = (0..node.len()).find(|&s| node.get(s) as usize == i) else {
                continue;
            };
            let local = self.local_derivative(p, slot);
            if (grads(p) * local).is_finite() {
                continue;
            }
            let op = self.op(p);
            let name = self
                .label(p)
                .map_or_else(|| format!("#{p}"), str::to_string);
            let why = match op.steep_note() {
                Some(note) if !local.is_finite() => format!(" ({note})"),
                _ => String::new(),
            };
            return format!(
                "its use in {name} ({}) has local derivative {local}{why}, times upstream grad {}",
                op.name(),
                grads(p)
            );
        }
        "the grads flowing into it add up beyond the largest f64".to_string()
    }
}

impl<'g> Var<'g> {
    /// The first node this value depends on that produced a NaN or infinity: first in
    /// creation order for values, then (if all values are finite) first in backward order
    /// for grads. `None` when everything is finite.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(0.0);
    /// let y = x.sqrt() * 2.0;
    /// y.backward();
    /// let bad = y.first_non_finite().unwrap();
    /// assert_eq!(bad.node.index(), x.index());
    /// assert_eq!(bad.pass, chainrule::Pass::Backward);
    /// ```
    pub fn first_non_finite(self) -> Option<NonFinite<'g>> {
        let t = self.g.tape();
        let (i, pass, value, reason) = t.first_non_finite(self.index(), &|i| t.grad(i))?;
        Some(NonFinite {
            node: Var {
                g: self.g,
                i: i as u32,
            },
            pass,
            value,
            reason,
        })
    }
}

//! Tracing NaN and infinity to the node that produced them.
//!
//! Arithmetic never panics: values follow IEEE 754. When something goes non-finite,
//! [`Var::first_non_finite`] names the first node that made it so, and why.

use crate::engine::graph::{Graph, Var};
use crate::engine::op::{Arity, Op};
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
        let t = self.tape();
        let mut seen = vec![false; out.index() + 1];
        seen[out.index()] = true;
        for i in (0..=out.index()).rev() {
            if seen[i] {
                for k in t.children(i) {
                    seen[k as usize] = true;
                }
            }
        }
        seen
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
        let g = self.g;
        let seen = g.ancestors(self);
        let t = g.tape();
        if let Some(i) = (0..seen.len()).find(|&i| seen[i] && !t.data[i].is_finite()) {
            let node = Var { g, i: i as u32 };
            return Some(NonFinite {
                node,
                pass: Pass::Forward,
                value: t.data[i],
                reason: forward_reason(node),
            });
        }
        let i = (0..seen.len())
            .rev()
            .find(|&i| seen[i] && !t.grad(i).is_finite())?;
        let node = Var { g, i: i as u32 };
        Some(NonFinite {
            node,
            pass: Pass::Backward,
            value: t.grad(i),
            reason: backward_reason(node, &seen),
        })
    }
}

/// Why node `v` (whose operands are all finite) has a non-finite value.
fn forward_reason(v: Var<'_>) -> String {
    let kids: Vec<f64> = v.children().iter().map(|c| c.data()).collect();
    let x = kids.first().copied().unwrap_or(f64::NAN);
    let y = kids.get(1).copied().unwrap_or(f64::NAN);
    let c = v.constant().unwrap_or(f64::NAN);
    let out = v.data();
    let overflow = |what: String| {
        format!("{what} overflows: the result is beyond the largest f64 (about 1.8e308)")
    };
    match v.op() {
        Op::Leaf => format!("the leaf was given {out}"),
        Op::Ln if x < 0.0 => format!("ln of a negative number (ln({x})); ln is defined for x > 0"),
        Op::Ln => "ln(0) is -infinity; ln is defined for x > 0".to_string(),
        Op::Sqrt => format!("sqrt of a negative number (sqrt({x})); sqrt is defined for x >= 0"),
        Op::Div if y == 0.0 => format!("division by zero ({x} / 0)"),
        Op::DivConst if c == 0.0 => format!("division by zero ({x} / 0)"),
        Op::ConstDiv if x == 0.0 => format!("division by zero ({c} / 0)"),
        Op::PowConst | Op::Pow => {
            let e = if v.op() == Op::Pow { y } else { c };
            if x < 0.0 && e.fract() != 0.0 {
                format!("a negative base to a fractional power ({x} ** {e}) has no real value")
            } else if x == 0.0 && e < 0.0 {
                format!("0 to a negative power (0 ** {e}) is a division by zero")
            } else {
                overflow(format!("{x} ** {e}"))
            }
        }
        Op::Exp => overflow(format!("exp({x}) (exp overflows past x ≈ 709.78)")),
        Op::Sum | Op::Dot => overflow("the sum".to_string()),
        op => overflow(format!("{} of {kids:?}", op.name())),
    }
}

/// Why node `v` (all values finite) got a non-finite grad: the first use of it whose
/// contribution is non-finite.
fn backward_reason(v: Var<'_>, seen: &[bool]) -> String {
    let g = v.g;
    let t = g.tape();
    for (p, _) in seen
        .iter()
        .enumerate()
        .skip(v.index() + 1)
        .filter(|(_, &s)| s)
    {
        if t.grad(p) == 0.0 {
            continue;
        }
        let parent = Var { g, i: p as u32 };
        let kids = t.children(p);
        let Some(slot) = kids.iter().position(|&k| k == v.i) else {
            continue;
        };
        let local = local_derivative(parent, slot);
        if (t.grad(p) * local).is_finite() {
            continue;
        }
        let name = parent.label().unwrap_or_else(|| format!("#{p}"));
        let x = t.data[kids[0] as usize];
        let why = match parent.op() {
            Op::Sqrt if x == 0.0 => " (sqrt has an infinite slope at 0)".to_string(),
            Op::Ln if x == 0.0 => " (ln has an infinite slope at 0)".to_string(),
            Op::Div | Op::ConstDiv => " (dividing by a number at or near zero)".to_string(),
            Op::PowConst | Op::Pow => {
                " (a power with an exponent below 1 has an infinite slope at 0)".to_string()
            }
            _ => String::new(),
        };
        return format!(
            "its use in {name} ({}) has local derivative {local}{why}, times upstream grad {}",
            parent.op().name(),
            t.grad(p)
        );
    }
    "the grads flowing into it add up beyond the largest f64".to_string()
}

/// d(parent)/d(its operand in position `slot`), at the current values.
pub(crate) fn local_derivative(parent: Var<'_>, slot: usize) -> f64 {
    let t = parent.g.tape();
    let i = parent.index();
    let op = parent.op();
    let kids = t.children(i);
    let val = |k: usize| t.data[kids[k] as usize];
    match op.arity() {
        Arity::Leaf => 0.0,
        Arity::Unary => op.partials(val(0), 0.0, 0.0, t.data[i])[0],
        Arity::UnaryConst => op.partials(val(0), 0.0, t.constant(i), t.data[i])[0],
        Arity::Binary => op.partials(val(0), val(1), 0.0, t.data[i])[slot],
        Arity::Nary if op == Op::Sum => 1.0,
        Arity::Nary => {
            let n = kids.len() / 2;
            val((slot + n) % kids.len())
        }
    }
}

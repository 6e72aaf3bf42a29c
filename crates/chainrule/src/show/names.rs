//! Readable names for every node: the label when there is one, otherwise a stand-in.
//!
//! A stand-in is the node's expression in its operands' names when that is short (at most
//! 16 characters) and flat: `(a*b)`, `(v3+1)`, `tanh(n)`, `tanh(v0*v1)` (a function may
//! wrap another stand-in; `+ - * /` and the other ops only take names that are not
//! themselves expressions). Otherwise, or when an earlier node already has that
//! expression as its name, it is `v5` (tape index 5). Unlabelled leaves are `v0`, `v1`, …

use crate::engine::graph::Tape;
use crate::engine::op::{Arity, Op};

/// Longest expression (in characters) used as a stand-in name.
const MAX_EXPR: usize = 16;

/// Names of nodes `0..=upto`, with what is needed to write formulas in them.
pub(crate) struct Names {
    /// The name of each node.
    pub name: Vec<String>,
    /// Whether the name is a stand-in that carries its own outer parentheses, `(a*b)`.
    wrapped: Vec<bool>,
    /// Whether the name is a stand-in expression (not a label, not `v5`).
    is_expr: Vec<bool>,
}

impl Names {
    /// Names for nodes `0..=upto` of `t`.
    pub fn new(t: &Tape, upto: usize) -> Names {
        let n = (upto + 1).min(t.ops.len());
        let mut names = Names {
            name: Vec::with_capacity(n),
            wrapped: Vec::with_capacity(n),
            is_expr: Vec::with_capacity(n),
        };
        let mut taken = std::collections::HashSet::new();
        for i in 0..n {
            let (name, is_expr) = match t.labels.get(&(i as u32)) {
                Some(l) => (l.to_string(), false),
                None => {
                    let e = names.expr(t, i).trim_start().to_string();
                    let function = t.ops[i].arity() == Arity::Unary && t.ops[i] != Op::Neg;
                    let flat =
                        function || t.children(i).iter().all(|&k| !names.is_expr[k as usize]);
                    if t.ops[i] != Op::Leaf
                        && flat
                        && e.chars().count() <= MAX_EXPR
                        && !taken.contains(&e)
                    {
                        (e, true)
                    } else {
                        (format!("v{i}"), false)
                    }
                }
            };
            taken.insert(name.clone());
            names.wrapped.push(is_expr && name.starts_with('('));
            names.is_expr.push(is_expr);
            names.name.push(name);
        }
        names
    }

    /// The name of node `i` as the sole argument of a function: `tanh(a*b)`, not
    /// `tanh((a*b))`.
    pub fn arg(&self, i: usize) -> &str {
        let s = &self.name[i];
        if self.wrapped[i] {
            &s[1..s.len() - 1]
        } else {
            s
        }
    }

    /// The expression of node `i` in its operands' names: `(a*b)`, ` tanh(n)` (functions
    /// start with a space, so `d tanh(n)/dn` reads as the notebook writes it), `` for a
    /// leaf.
    pub fn expr(&self, t: &Tape, i: usize) -> String {
        let op = t.ops[i];
        let kids = t.children(i);
        let k = |s: usize| self.name[kids[s] as usize].as_str();
        let c = || fmt_num(t.constant(i));
        let paren_c = || paren_neg(t.constant(i));
        match op {
            Op::Leaf => String::new(),
            Op::Add => format!("({}+{})", k(0), k(1)),
            Op::Sub => format!("({}-{})", k(0), k(1)),
            Op::Mul => format!("({}*{})", k(0), k(1)),
            Op::Div => format!("({}/{})", k(0), k(1)),
            Op::Pow => format!("({}**{})", k(0), k(1)),
            Op::Neg => format!("(-{})", k(0)),
            Op::AddConst if t.constant(i) < 0.0 => {
                format!("({}-{})", k(0), fmt_num(-t.constant(i)))
            }
            Op::AddConst => format!("({}+{})", k(0), c()),
            Op::MulConst => format!("({}*{})", k(0), paren_c()),
            Op::ConstSub => format!("({}-{})", c(), k(0)),
            Op::DivConst => format!("({}/{})", k(0), paren_c()),
            Op::ConstDiv => format!("({}/{})", c(), k(0)),
            Op::PowConst => format!("({}**{})", k(0), paren_c()),
            Op::Sum => {
                let all: Vec<&str> = (0..kids.len()).map(k).collect();
                format!(" sum({})", all.join(", "))
            }
            Op::Dot => {
                let n = kids.len() / 2;
                let terms: Vec<String> = (0..n).map(|j| format!("{}*{}", k(j), k(j + n))).collect();
                format!("({})", terms.join(" + "))
            }
            _ => format!(" {}({})", op.symbol(), self.arg(kids[0] as usize)),
        }
    }
}

/// `d` before a name, as in `dL/de`; with a space before a function stand-in: `d tanh(n)`.
pub(crate) fn d(name: &str) -> String {
    let function = name.chars().next().is_some_and(|c| c.is_alphabetic()) && name.ends_with(')');
    if function {
        format!("d {name}")
    } else {
        format!("d{name}")
    }
}

/// A number as written in a formula: `2`, `0.5`, `-3`.
pub(crate) fn fmt_num(x: f64) -> String {
    format!("{x}")
}

/// A number in a formula, in parentheses when negative: `x*(-2)`.
pub(crate) fn paren_neg(x: f64) -> String {
    if x < 0.0 {
        format!("({x})")
    } else {
        format!("{x}")
    }
}

/// A value as the notebook prints it (`%.4f`), with `-0.0000` shown as `0.0000`.
pub(crate) fn fmt4(x: f64) -> String {
    if x == 0.0 {
        "0.0000".to_string()
    } else {
        format!("{x:.4}")
    }
}

/// The arity-independent list of operand positions of node `i`, in the order backward
/// adds their contributions (binary: x then y; dot: x₀, y₀, x₁, y₁, …).
pub(crate) fn backward_slots(t: &Tape, i: usize) -> Vec<usize> {
    let n = t.children(i).len();
    match t.ops[i].arity() {
        Arity::Nary if t.ops[i] == Op::Dot => {
            let m = n / 2;
            (0..m).flat_map(|j| [j, j + m]).collect()
        }
        _ => (0..n).collect(),
    }
}

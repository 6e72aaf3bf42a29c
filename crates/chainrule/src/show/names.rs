//! Readable names for every node: the label when there is one, otherwise a stand-in.
//!
//! A stand-in is the node's expression in its operands' names when that is short (at most
//! 16 characters) and flat: `(a*b)`, `(v3+1)`, `tanh(n)`, `tanh(v0*v1)` (a function may
//! wrap another stand-in; `+ - * /` and the other ops only take names that are not
//! themselves expressions). Otherwise, or when an earlier node already has that
//! expression as its name, it is `v5` (tape index 5). Unlabelled leaves are `v0`, `v1`, …

use crate::engine::graph::Var;
use crate::engine::op::{Arity, Op, OperandNames};
use crate::engine::tape::{Node, Tape};

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
        let n = (upto + 1).min(t.len());
        let mut names = Names {
            name: Vec::with_capacity(n),
            wrapped: Vec::with_capacity(n),
            is_expr: Vec::with_capacity(n),
        };
        let mut taken = std::collections::HashSet::new();
        for i in 0..n {
            let (name, is_expr) = match t.label(i) {
                Some(l) => (l.to_string(), false),
                None => {
                    let e = names.expr(t, i).trim_start().to_string();
                    let op = t.op(i);
                    let function = op.arity() == Arity::Unary && op != Op::Neg;
                    let flat =
                        function || t.children(i).iter().all(|&k| !names.is_expr[k as usize]);
                    if op.arity() != Arity::Leaf
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
        let node = t.node(i);
        let k = |s: usize| self.name[node.get(s) as usize].as_str();
        match node {
            Node::Leaf => String::new(),
            Node::Sum(xs) => {
                let all: Vec<&str> = (0..xs.len()).map(k).collect();
                format!(" sum({})", all.join(", "))
            }
            Node::Dot(xs, _) => {
                let n = xs.len();
                let terms: Vec<String> = (0..n).map(|j| format!("{}*{}", k(j), k(j + n))).collect();
                format!("({})", terms.join(" + "))
            }
            // `2*x` as written, though the tape holds the engine's `x * 2`.
            Node::WithConst(..) if t.is_const_first(i) => {
                let n = self.operand_names(t, i);
                let op = if t.op(i) == Op::MulConst { "*" } else { "+" };
                format!("({}{op}{})", n.c(), n.x())
            }
            _ => t.op(i).expr_text(&self.operand_names(t, i)),
        }
    }

    /// The names of node `i`'s operands and its constant, for the op table's text.
    pub fn operand_names(&self, t: &Tape, i: usize) -> OperandNames<'_> {
        let node = t.node(i);
        let name = |s: usize| {
            if s < node.len() {
                self.name[node.get(s) as usize].as_str()
            } else {
                ""
            }
        };
        OperandNames {
            names: [name(0), name(1)],
            arg: if node.len() > 0 {
                self.arg(node.get(0) as usize)
            } else {
                ""
            },
            c: node.constant().unwrap_or(0.0),
        }
    }
}

impl Var<'_> {
    /// The name explanations and checks give this value: its label, or the stand-in they
    /// use for an unlabelled one (`(a*b)`, `tanh(n)`, `v5`). Cheaper than an explanation:
    /// only the names are made.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let (a, b) = (g.var("a", 2.0), g.var("b", 3.0));
    /// let p = a * b;
    /// assert_eq!(p.display_name(), "(a*b)");
    /// assert_eq!(p.tanh().display_name(), "tanh(a*b)");
    /// assert_eq!(g.leaf(1.0).display_name(), "v4");
    /// assert_eq!(p.named("e").display_name(), "e");
    /// ```
    pub fn display_name(self) -> String {
        let i = self.index();
        let t = self.g.tape();
        // A label is the name as it is (the names before it cannot change it): no need to
        // name every value before it, which is linear in the graph.
        if let Some(l) = t.label(i) {
            return l.to_string();
        }
        Names::new(&t, i).name.swap_remove(i)
    }
}

/// `d` before a name, as in `dL/de`; with a space before a function stand-in: `d tanh(n)`.
pub(crate) fn d(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    push_d(&mut s, name);
    s
}

/// [`d`], appended to `s` (a derivation's line is written in one string, with no string
/// of its own for each name: `format!` pieces cost a tenth of a 200-value `program` call
/// in WebAssembly).
pub(crate) fn push_d(s: &mut String, name: &str) {
    let function = name.chars().next().is_some_and(|c| c.is_alphabetic()) && name.ends_with(')');
    s.push_str(if function { "d " } else { "d" });
    s.push_str(name);
}

/// `d{top}/d{bottom}` (`dL/de`), appended to `s`.
pub(crate) fn push_ratio(s: &mut String, top: &str, bottom: &str) {
    push_d(s, top);
    s.push('/');
    push_d(s, bottom);
}

/// A value as the notebook prints it (`%.4f`): [`Numbers::Notebook`](crate::number::Numbers).
pub(crate) fn fmt4(x: f64) -> String {
    crate::io::number::Numbers::Notebook.format(x)
}

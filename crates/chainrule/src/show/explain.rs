//! The chain rule written out, node by node, as the notebook derives it by hand.
//!
//! [`Var::explain`] goes from the output back to the leaves. For each node it lists every
//! use of it as `dL/dx += dL/dp · dp/dx`, the local derivative as a formula in the operand
//! names (`d(a*b)/da = b`) and as numbers, and the sum when the node is used more than
//! once. The local numbers come from [`Op::partials`], the same table backward uses, and
//! the sums are added in backward's order, so every grad shown equals what
//! [`Var::backward`] computes, bit for bit.

use crate::engine::graph::Var;
use crate::engine::nonfinite::Pass;
use crate::engine::op::Op;
use crate::engine::tape::{Node, Tape};
use crate::io::number::Numbers;
use crate::show::names::{push_d, push_ratio, Names};
use std::fmt;

/// One use of a node by a parent: the term `dL/dp · dp/dx` it adds to the node's grad.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// Tape index of the parent `p`, the node that uses this one.
    pub parent: usize,
    /// The parent's name.
    pub parent_name: String,
    /// `dL/dp`, the parent's grad.
    pub parent_grad: f64,
    /// Which operand of the parent this use is (0 for `a` in `a*b`, 1 for `b`).
    pub slot: usize,
    /// The local derivative as a formula in the operand names, e.g. `d(a*b)/da = b`.
    pub formula: String,
    /// The local derivative `dp/dx` as a number, from [`Op::partials`].
    pub local: f64,
    /// `dL/dp · dp/dx`: what this use adds (0 when `dL/dp` is 0, as in backward).
    pub product: f64,
    /// Whether the parent is the output itself (`dL/dp` is then 1, and the line is the
    /// local derivative alone: `dL/df = d(d*f)/df = d`).
    pub parent_is_output: bool,
}

/// How one node gets its grad.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeExplanation {
    /// Tape index.
    pub index: usize,
    /// The label, or a readable stand-in (`(a*b)`, `tanh(n)`, `v5`).
    pub name: String,
    /// The op that made the node.
    pub op: Op,
    /// The node's expression in its operands' names (`a*b`, `tanh(n)`); empty for a leaf.
    pub expr: String,
    /// The node's value.
    pub data: f64,
    /// `dL/dx`: the sum of the contributions (1 for the output itself).
    pub grad: f64,
    /// One entry per use of the node, in the order backward adds them.
    pub contributions: Vec<Contribution>,
    /// How the header and derivation write numbers.
    pub numbers: Numbers,
}

/// Where the first NaN or infinity appeared, as owned data.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFiniteNote {
    /// Tape index of the node.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Whether its value or its grad went non-finite.
    pub pass: Pass,
    /// The non-finite number.
    pub value: f64,
    /// Why, in terms of the op and its operands.
    pub reason: String,
}

/// The chain rule for every node the output depends on, from the output back to the
/// leaves. Print it (`Display`) for a terminal, [`Explanation::to_markdown`] for notes, or
/// read the fields.
///
/// ```
/// use chainrule::Graph;
/// let g = Graph::new();
/// let a = g.var("a", 2.0);
/// let b = g.var("b", -3.0);
/// let e = (a * b).named("e");
/// let x = e.explain();
/// assert_eq!(x.nodes.len(), 3);
/// assert_eq!(x.nodes[1].contributions[0].formula, "d(a*b)/db = a"); // nodes: e, b, a
/// assert!(x.to_string().contains("de/db = d(a*b)/db = a = 2.0000"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// Tape index of the output `L`.
    pub output: usize,
    /// The output's name.
    pub output_name: String,
    /// The nodes the output depends on, from the output (first) back to the leaves.
    pub nodes: Vec<NodeExplanation>,
    /// The first node that went non-finite, if any.
    pub non_finite: Option<NonFiniteNote>,
    /// How the text writes numbers ([`Explanation::with_numbers`]).
    pub numbers: Numbers,
}

impl<'g> Var<'g> {
    /// The chain rule for every node this value depends on, from it back to the leaves
    /// (constants are shown where they are used, not listed). Computes the grads itself
    /// on the side: the graph's own grads are left untouched.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 3.0);
    /// let y = (x * x).named("y");
    /// let ex = y.explain();
    /// let xs = &ex.nodes[1];
    /// assert_eq!(xs.contributions.len(), 2); // x is used twice
    /// assert_eq!(xs.grad, 6.0);
    /// assert!(ex.to_string().contains("dy/dx = 3.0000 + 3.0000 = 6.0000"));
    /// ```
    pub fn explain(self) -> Explanation {
        let t = self.g.tape();
        let out = self.index();
        let names = Names::new(&t, out);
        let seen = t.ancestors(out);
        let adj = t.adjoints(out);
        let mut uses: Vec<Vec<Contribution>> = vec![Vec::new(); out + 1];
        for p in (0..=out).rev().filter(|&p| seen[p]) {
            let node = t.node(p);
            let expr = names.expr(&t, p);
            for slot in node.backward_slots() {
                let local = t.local_derivative(p, slot);
                uses[node.get(slot) as usize].push(Contribution {
                    parent: p,
                    parent_name: names.name[p].clone(),
                    parent_grad: adj[p],
                    slot,
                    formula: formula(&t, &names, p, slot, &expr),
                    local,
                    product: if adj[p] == 0.0 { 0.0 } else { adj[p] * local },
                    parent_is_output: p == out,
                });
            }
        }
        let nodes = (0..=out)
            .rev()
            // A constant has nothing to explain: it is shown where it is used.
            .filter(|&i| seen[i] && t.op(i) != Op::Const)
            .map(|i| NodeExplanation {
                index: i,
                name: names.name[i].clone(),
                op: t.op(i),
                expr: header_expr(&names, &t, i),
                data: t.data(i),
                grad: adj[i],
                contributions: std::mem::take(&mut uses[i]),
                numbers: Numbers::Notebook,
            })
            .collect();
        let non_finite = non_finite_note(&t, out, &adj, &names);
        Explanation {
            output: out,
            output_name: names.name[out].clone(),
            nodes,
            non_finite,
            numbers: Numbers::Notebook,
        }
    }
}

/// The first non-finite value or grad (grads as in `adj`), as owned data.
pub(crate) fn non_finite_note(
    t: &Tape,
    out: usize,
    adj: &[f64],
    names: &Names,
) -> Option<NonFiniteNote> {
    let grad = |i: usize| adj.get(i).copied().unwrap_or(0.0);
    t.first_non_finite(out, &grad)
        .map(|(index, pass, value, reason)| NonFiniteNote {
            index,
            name: names.name[index].clone(),
            pass,
            value,
            reason,
        })
}

fn header_expr(names: &Names, t: &Tape, i: usize) -> String {
    let e = names.expr(t, i);
    let e = e.trim_start();
    let long = e.chars().count() > 60;
    match t.node(i) {
        Node::Sum(xs) if long => format!("sum of {} terms", xs.len()),
        Node::Dot(xs, _) if long => format!("dot product of {} pairs", xs.len()),
        // Infix expressions come wrapped in one pair of parentheses: drop it.
        _ => match e.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            Some(inner) => inner.to_string(),
            None => e.to_string(),
        },
    }
}

/// The local derivative of parent `p` with respect to its operand in `slot`, as a
/// formula in the operand names: `d(a*b)/da = b`, `d tanh(n)/dn = 1 - tanh(n)²`. The
/// right-hand side comes from the op table; `expr` is the parent's expression,
/// [`Names::expr`].
fn formula(t: &Tape, names: &Names, p: usize, slot: usize, expr: &str) -> String {
    let node = t.node(p);
    let nm = |s: usize| names.name[node.get(s) as usize].as_str();
    let (rhs, expr) = match node {
        Node::Sum(_) => (
            "1".to_string(),
            if expr.chars().count() > 40 {
                " sum(…)".to_string()
            } else {
                expr.to_string()
            },
        ),
        Node::Dot(xs, _) => {
            let n = xs.len();
            let expr = if expr.chars().count() > 40 {
                format!("(… + {}*{} + …)", nm(slot % n), nm(slot % n + n))
            } else {
                expr.to_string()
            };
            (nm(node.partner(slot)).to_string(), expr)
        }
        Node::Leaf => ("0".to_string(), expr.to_string()),
        _ => (
            t.op(p).formula_text(&names.operand_names(t, p), slot),
            expr.to_string(),
        ),
    };
    let mut s = String::with_capacity(expr.len() + rhs.len() + 24);
    s.push('d');
    s.push_str(&expr);
    s.push('/');
    push_d(&mut s, nm(slot));
    s.push_str(" = ");
    s.push_str(&rhs);
    s
}

impl Contribution {
    /// `dL/dx = dL/dp · dp/dx = g · l = product` (with `+=` when `accumulate`), the
    /// numbers written as `numbers` says.
    pub fn line(&self, output: &str, node: &str, accumulate: bool, numbers: Numbers) -> String {
        let (o, p, x) = (output, self.parent_name.as_str(), node);
        let mut s = String::with_capacity(2 * (o.len() + p.len() + x.len()) + 64);
        push_ratio(&mut s, o, x);
        s.push_str(if accumulate { " += " } else { " = " });
        push_ratio(&mut s, o, p);
        s.push_str(" · ");
        push_ratio(&mut s, p, x);
        s.push_str(" = ");
        numbers.push(&mut s, self.parent_grad);
        s.push_str(" · ");
        numbers.push(&mut s, self.local);
        s.push_str(" = ");
        numbers.push(&mut s, self.product);
        if self.parent_grad == 0.0 && !self.local.is_finite() {
            s.push_str(" (nothing flows: ");
            push_ratio(&mut s, o, p);
            s.push_str(" is 0)");
        }
        s
    }

    /// `dp/dx = d(a*b)/da = b = -3.0000` (the number left off when the formula already is
    /// one).
    pub fn local_line(&self, node: &str, numbers: Numbers) -> String {
        let mut s = String::with_capacity(2 * self.formula.len() + 32);
        self.push_local_line(&mut s, node, numbers);
        s
    }

    /// [`Contribution::local_line`], appended to `s`.
    fn push_local_line(&self, s: &mut String, node: &str, numbers: Numbers) {
        let start = s.len();
        push_ratio(s, &self.parent_name, node);
        // The formula when it starts with the same `dp/dx = `, else `dp/dx = ` before it.
        let lhs = &s[start..];
        let same = (self.formula.strip_prefix(lhs)).is_some_and(|rest| rest.starts_with(" = "));
        if same {
            s.truncate(start);
        } else {
            s.push_str(" = ");
        }
        s.push_str(&self.formula);
        let rhs = self.formula.rsplit(" = ").next().unwrap_or("");
        if !rhs.parse::<f64>().is_ok_and(|v| v == self.local) {
            s.push_str(" = ");
            numbers.push(s, self.local);
        }
    }

    /// Whether what this use adds is finite (an infinite local derivative under an
    /// upstream grad of 0 adds nothing, as in backward, and counts as finite).
    fn is_finite(&self) -> bool {
        self.parent_grad.is_finite() && self.product.is_finite()
    }
}

impl NodeExplanation {
    /// Whether every number in this node's explanation is finite.
    pub fn is_finite(&self) -> bool {
        self.data.is_finite()
            && self.grad.is_finite()
            && self.contributions.iter().all(|c| c.is_finite())
    }

    /// `e = a*b = -6.0000`, `a = 2.0000 (leaf)`, or `k = 3.0000 (constant)`.
    pub fn header(&self) -> String {
        let mut s = String::with_capacity(self.name.len() + self.expr.len() + 24);
        s.push_str(&self.name);
        s.push_str(" = ");
        // The expression, unless it is the name itself (bare or in its parentheses).
        let bare = (self
            .name
            .strip_prefix('(')
            .and_then(|n| n.strip_suffix(')')))
        .is_some_and(|inner| inner == self.expr);
        let expr = !matches!(self.op, Op::Leaf | Op::Const) && self.expr != self.name && !bare;
        if expr {
            s.push_str(&self.expr);
            s.push_str(" = ");
        }
        self.numbers.push(&mut s, self.data);
        match self.op {
            Op::Leaf => s.push_str(" (leaf)"),
            Op::Const => s.push_str(" (constant)"),
            _ => {}
        }
        s
    }

    /// The derivation lines of this node's grad (no header), in the notebook's notation.
    pub fn derivation(&self, output: &str) -> Vec<String> {
        let x = &self.name;
        let cs = &self.contributions;
        let total = |s: &mut String| {
            push_ratio(s, output, x);
            s.push_str(" = ");
        };
        if cs.is_empty() {
            let mut s = String::with_capacity(2 * (output.len() + x.len()) + 32);
            total(&mut s);
            s.push_str("1 (the output)");
            return vec![s];
        }
        let mut lines = Vec::with_capacity(2 * cs.len() + 1);
        for c in cs {
            if c.parent_is_output {
                // dL/dL is 1: the grad is the local derivative itself.
                let local = c.local_line(x, self.numbers);
                lines.push(if cs.len() > 1 {
                    local.replacen(" = ", " += ", 1)
                } else {
                    local
                });
                continue;
            }
            lines.push(c.line(output, x, cs.len() > 1, self.numbers));
            let mut local = String::with_capacity(2 * c.formula.len() + 40);
            local.push_str("  ");
            c.push_local_line(&mut local, x, self.numbers);
            lines.push(local);
        }
        if cs.len() > 1 {
            let mut s = String::with_capacity(2 * (output.len() + x.len()) + 12 * cs.len() + 24);
            total(&mut s);
            for (k, c) in cs.iter().enumerate() {
                if k > 0 {
                    s.push_str(" + ");
                }
                self.numbers.push(&mut s, c.product);
            }
            s.push_str(" = ");
            self.numbers.push(&mut s, self.grad);
            lines.push(s);
        }
        lines
    }
}

impl fmt::Display for NonFiniteNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.pass {
            Pass::Forward => "value",
            Pass::Backward => "grad",
        };
        write!(
            f,
            "the first non-finite number is the {what} of {} (node #{}), {}: {}",
            self.name, self.index, self.value, self.reason
        )
    }
}

impl Explanation {
    /// The same explanation writing its numbers as `numbers` says (the default is the
    /// notebook's four decimals).
    ///
    /// ```
    /// use chainrule::number::Numbers;
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 0.1);
    /// let y = (x * 3.0).named("y");
    /// let exact = y.explain().with_numbers(Numbers::Shortest).to_string();
    /// assert!(exact.contains("y = x*3 = 0.30000000000000004"), "{exact}");
    /// assert!(y.explain().to_string().contains("y = x*3 = 0.3000"));
    /// ```
    pub fn with_numbers(mut self, numbers: Numbers) -> Explanation {
        self.numbers = numbers;
        for n in &mut self.nodes {
            n.numbers = numbers;
        }
        self
    }

    /// The explanation of the node at tape index `index`, if the output depends on it.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let y = (a * a * a).named("y");
    /// let ex = y.explain();
    /// assert_eq!(ex.node(a.index()).unwrap().grad, 12.0);
    /// assert_eq!(ex.node(a.index()).unwrap().contributions.len(), 3);
    /// ```
    pub fn node(&self, index: usize) -> Option<&NodeExplanation> {
        self.nodes.iter().find(|n| n.index == index)
    }

    /// What to print instead of the numbers of node `n` when they are not all finite.
    fn non_finite_line(&self, n: &NodeExplanation) -> Option<String> {
        if n.is_finite() {
            return None;
        }
        Some(match &self.non_finite {
            Some(nf) if nf.index == n.index => format!("{} is {}: {}", n.name, nf.value, nf.reason),
            Some(nf) => format!(
                "{}: follows from the non-finite value at {} (node #{})",
                n.name, nf.name, nf.index
            ),
            None => format!("{}: not finite", n.name),
        })
    }

    /// The explanation as Markdown: one paragraph per node, formulas in code spans.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let md = (a * 3.0).named("y").explain().to_markdown();
    /// assert!(md.contains("- `dy/da = d(a*3)/da = 3`"));
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut s = format!("### {}\n\n", self.title());
        if let Some(nf) = &self.non_finite {
            s += &format!("**Not finite:** {nf}.\n\n");
        }
        for n in &self.nodes {
            if let Some(line) = self.non_finite_line(n) {
                s += &format!("- {line}\n\n");
                continue;
            }
            s += &format!("#### `{}`\n\n", n.header());
            for line in n.derivation(&self.output_name) {
                match line.strip_prefix("  ") {
                    Some(local) => s += &format!("  - `{local}`\n"),
                    None => s += &format!("- `{line}`\n"),
                }
            }
            s += "\n";
        }
        s
    }

    fn title(&self) -> String {
        let n = self.nodes.len();
        let nodes = if n == 1 { "node" } else { "nodes" };
        format!(
            "The chain rule for {}, from the output back to the leaves ({n} {nodes})",
            self.output_name
        )
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title())?;
        if let Some(nf) = &self.non_finite {
            writeln!(f, "Not finite: {nf}.")?;
        }
        for n in &self.nodes {
            writeln!(f)?;
            if let Some(line) = self.non_finite_line(n) {
                writeln!(f, "{line}")?;
                continue;
            }
            writeln!(f, "{}", n.header())?;
            for line in n.derivation(&self.output_name) {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

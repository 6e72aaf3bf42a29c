//! Derivatives of derivatives.
//!
//! - [`Graph::grad`] runs backward *on the tape*: every local derivative is recorded with
//!   the engine's own ops (the op table's `d` closure run on [`Term`]s), so the gradient
//!   is a value like any other. It can be used, drawn, explained, checked and
//!   differentiated again, to any order.
//! - [`Graph::hvp`] gives a Hessian-vector product by forward-over-reverse: one pass
//!   that carries a tangent along the values, then one reverse pass that carries a
//!   tangent along the adjoints (the table's `d` closure run on dual numbers, in `hvp.rs`). Nothing is
//!   recorded, and it costs a small multiple of one backward.
//! - [`Graph::hessian`] is the full Hessian for small inputs, one product per column.

use super::graph::{Graph, Var};
use super::real::Term;
use super::tape::Node;

/// The gradient and a Hessian-vector product at one point, from [`Graph::hvp`].
#[derive(Clone, Debug, PartialEq)]
pub struct Hvp {
    /// `∂y/∂xs[k]`, as [`Var::backward`] computes it.
    pub grad: Vec<f64>,
    /// `(H·v)[k] = Σ_j ∂²y/∂xs[k]∂xs[j] · v[j]`.
    pub hv: Vec<f64>,
}

impl Graph {
    /// The gradient of `y` with respect to each of `xs`, recorded on this graph as values:
    /// `g.grad(y, &[x])[0]` is `dy/dx`, and it can be used in more arithmetic, drawn,
    /// explained, checked, and passed to `grad` again for second and higher derivatives.
    /// Nothing else changes: the graph's grads are not touched.
    ///
    /// The recording follows backward exactly (the same local derivatives, added in the
    /// same order), so its values equal the grads [`Var::backward`] gives. A derivative
    /// that depends on nothing is an [`Op::Const`](crate::Op::Const) node; one that is another value
    /// (`d(a·x)/dx = a`) is that value's own node. Kinks keep their convention:
    /// relu' is [`Var::step`], whose derivative is 0, so relu'' = 0. Where a local
    /// derivative branches on a value (`x ** y` at a zero base), the recording takes the
    /// branch of the current values, as a traced program does.
    ///
    /// The new nodes stay on the tape: in a loop, [`mark`](Graph::mark) before and
    /// [`rewind`](Graph::rewind) after.
    ///
    /// ```
    /// use chainrule::Graph;
    /// let g = Graph::new();
    /// let x = g.var("x", 2.0);
    /// let y = x.powf(3.0);
    /// let d = g.grad(y, &[x])[0];   // 3x² = 12, a value on the tape
    /// let d2 = g.grad(d, &[x])[0];  // 6x = 12
    /// let d3 = g.grad(d2, &[x])[0]; // 6
    /// assert_eq!((d.data(), d2.data(), d3.data()), (12.0, 12.0, 6.0));
    /// ```
    ///
    /// # Panics
    /// When `y` or one of `xs` belongs to another graph.
    pub fn grad<'g>(&'g self, y: Var<'g>, xs: &[Var<'g>]) -> Vec<Var<'g>> {
        self.grad_within(y, xs, usize::MAX)
            .expect("chainrule: a recording without a budget always finishes")
    }

    /// [`Graph::grad`] with a budget: `None` when recording the derivative would make
    /// more than `max_new` nodes. The recording checks the budget as it goes (once per
    /// node of `y`'s graph, so it stops within one node's local derivatives of the
    /// budget), never after: a derivative too large to hold is not made first. The
    /// nodes made before it stopped stay on the tape; [`mark`](Graph::mark) before and
    /// [`rewind`](Graph::rewind) to drop them.
    ///
    /// ```
    /// use chainrule::Graph;
    /// let g = Graph::new();
    /// let x = g.var("x", 0.5);
    /// let mut d = (x * x).tanh();
    /// for _ in 0..3 {
    ///     d = g.grad_within(d, &[x], 1_000).unwrap()[0];
    /// }
    /// let before = g.len();
    /// assert!(g.grad_within(d, &[x], 50).is_none());
    /// assert!(g.len() - before < 50 + 10);
    /// ```
    ///
    /// # Panics
    /// When `y` or one of `xs` belongs to another graph.
    pub fn grad_within<'g>(
        &'g self,
        y: Var<'g>,
        xs: &[Var<'g>],
        max_new: usize,
    ) -> Option<Vec<Var<'g>>> {
        self.check_same(y.g);
        for x in xs {
            self.check_same(x.g);
        }
        let end = self.len().saturating_add(max_new);
        let adj = self.record_adjoints(y, end)?;
        let grads = xs
            .iter()
            .map(|x| {
                adj.get(x.index())
                    .copied()
                    .flatten()
                    .unwrap_or(Term::Const(0.0))
                    .on(self)
            })
            .collect();
        (self.len() <= end).then_some(grads)
    }

    /// Backward on the tape from `y`: the adjoint of every node up to `y` as a term
    /// (`None` where nothing flows), or `None` once the tape is longer than `end`.
    fn record_adjoints<'g>(&'g self, y: Var<'g>, end: usize) -> Option<Vec<Option<Term<'g>>>> {
        let out = y.index();
        let mut adj: Vec<Option<Term<'g>>> = vec![None; out + 1];
        adj[out] = Some(Term::Const(1.0));
        let var = |i: u32| Term::Var(Var { g: self, i });
        let mut operands: Vec<u32> = Vec::new();
        for i in (0..=out).rev() {
            let Some(a) = adj[i] else { continue };
            // A structural zero passes nothing on. (An adjoint whose value happens to be 0
            // is still passed on: its own derivative need not be 0.)
            if a.is(0.0) {
                continue;
            }
            if self.len() > end {
                return None;
            }
            // Read the node before recording anything: recording pushes onto the tape.
            let (op, shape) = {
                let t = self.tape();
                let node = t.node(i);
                operands.clear();
                operands.extend((0..node.len()).map(|s| node.get(s)));
                (t.op(i), Shape::of(&node))
            };
            let me = var(i as u32);
            let mut acc = |k: u32, c: Term<'g>| {
                let slot = &mut adj[k as usize];
                *slot = Some(match *slot {
                    None => c,
                    Some(s) => s + c,
                });
            };
            match shape {
                Shape::Leaf => {}
                Shape::Unary(c) => {
                    let x = operands[0];
                    let [d, _] = op.partials_term(var(x), Term::Const(0.0), c, me);
                    acc(x, a * d);
                }
                Shape::Binary => {
                    let (x, y) = (operands[0], operands[1]);
                    let [dx, dy] = op.partials_term(var(x), var(y), 0.0, me);
                    acc(x, a * dx);
                    acc(y, a * dy);
                }
                Shape::Sum => {
                    for &k in &operands {
                        acc(k, a);
                    }
                }
                Shape::Dot(n) => {
                    for j in 0..n {
                        let (x, y) = (operands[j], operands[j + n]);
                        acc(x, a * var(y));
                        acc(y, a * var(x));
                    }
                }
            }
        }
        Some(adj)
    }

    /// The gradient of `y` with respect to `xs` and the Hessian-vector product `H·v` at
    /// the current values, by forward-over-reverse: nothing is recorded on the tape and
    /// the graph's grads are not touched. Its workspace (24 bytes a node) stays with the
    /// graph for the next call, as the grads do, until the graph is dropped. `v[k]` is
    /// the direction's component along `xs[k]`; the values in `xs` are the inputs, so
    /// give leaves.
    ///
    /// ```
    /// use chainrule::Graph;
    /// let g = Graph::new();
    /// let (x, y) = (g.leaf(1.0), g.leaf(2.0));
    /// let f = x * x * y + y.sin(); // H = [[2y, 2x], [2x, -sin y]]
    /// let r = g.hvp(f, &[x, y], &[1.0, 0.0]);
    /// assert_eq!(r.grad, [2.0 * 1.0 * 2.0, 1.0 + 2f64.cos()]);
    /// assert_eq!(r.hv, [2.0 * 2.0, 2.0 * 1.0]);
    /// ```
    ///
    /// # Panics
    /// When `xs` and `v` differ in length, or a value belongs to another graph.
    pub fn hvp<'g>(&'g self, y: Var<'g>, xs: &[Var<'g>], v: &[f64]) -> Hvp {
        assert_eq!(
            xs.len(),
            v.len(),
            "chainrule: hvp needs one direction component per value"
        );
        self.check_same(y.g);
        for x in xs {
            self.check_same(x.g);
        }
        let out = y.index();
        let seeds = xs.iter().map(|x| x.index()).zip(v.iter().copied());
        let mut t = self.tape_mut();
        let adj = t.hvp_sweeps(out, seeds);
        let at = |x: &Var<'_>, k: usize| adj.get(x.index()).map_or(0.0, |s| s[k]);
        Hvp {
            grad: xs.iter().map(|x| at(x, 0)).collect(),
            hv: xs.iter().map(|x| at(x, 1)).collect(),
        }
    }

    /// The Hessian of `y` with respect to `xs`, `H[j][k] = ∂²y/∂xs[j]∂xs[k]`, one
    /// Hessian-vector product per column: for small inputs (its cost is `xs.len()`
    /// passes over the graph). Nothing is recorded.
    ///
    /// ```
    /// use chainrule::Graph;
    /// let g = Graph::new();
    /// let (a, b) = (g.leaf(1.0), g.leaf(2.0));
    /// let f = a * a * b;
    /// assert_eq!(g.hessian(f, &[a, b]), vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
    /// ```
    pub fn hessian<'g>(&'g self, y: Var<'g>, xs: &[Var<'g>]) -> Vec<Vec<f64>> {
        let mut h = vec![vec![0.0; xs.len()]; xs.len()];
        let mut e = vec![0.0; xs.len()];
        for k in 0..xs.len() {
            e[k] = 1.0;
            let col = self.hvp(y, xs, &e).hv;
            e[k] = 0.0;
            for (j, c) in col.into_iter().enumerate() {
                h[j][k] = c;
            }
        }
        h
    }
}

/// What backward needs of a node's shape, copied out so the tape can grow meanwhile.
enum Shape {
    Leaf,
    /// One operand, with the op's constant (0 for none).
    Unary(f64),
    Binary,
    Sum,
    /// A dot of `n` pairs.
    Dot(usize),
}

impl Shape {
    fn of(node: &Node<'_>) -> Shape {
        match *node {
            Node::Leaf => Shape::Leaf,
            Node::Unary(_) => Shape::Unary(0.0),
            Node::WithConst(_, c) => Shape::Unary(c),
            Node::Binary(..) => Shape::Binary,
            Node::Sum(_) => Shape::Sum,
            Node::Dot(xs, _) => Shape::Dot(xs.len()),
        }
    }
}

//! The storage behind a [`Graph`](super::graph::Graph): parallel vectors, fenced. Their
//! fields are visible only inside the engine; the rest of the library reads a node
//! through [`Tape::node`], the one function that knows where operands live, and a few
//! small safe methods.

use super::columns::{Args, Columns};
use super::op::{Arity, Op};
use std::collections::BTreeMap;

/// The tape. Node `i` is `cols.ops()[i]`, its operands and `cols.data()[i]`; its grad is
/// `grad[i]` when `i < grad.len()` and 0 otherwise (grads are materialised by backward or
/// by setting one, so building a graph writes three columns, not four).
#[derive(Default)]
pub(crate) struct Tape {
    /// Op codes, operand pairs and values. An operand pair is: unary `[x, 0]`; constant
    /// `[x, index into consts]`; binary `[x, y]`; n-ary `[start in pool, count]` (Dot:
    /// `count` x's then `count` y's). Only [`read_node`] and the kernels read it.
    pub(in crate::engine) cols: Columns,
    pub(in crate::engine) grad: Vec<f64>,
    pub(in crate::engine) consts: Vec<f64>,
    pub(in crate::engine) pool: Vec<u32>,
    pub(in crate::engine) labels: BTreeMap<u32, Box<str>>,
    /// The `c + x` and `c * x` nodes whose constant was written first (`2*x` in a
    /// program), in increasing order, so explanations write them as written.
    pub(in crate::engine) const_first: Vec<u32>,
    /// Scratch adjoints for `backward_accumulate`, kept to avoid reallocating.
    pub(in crate::engine) scratch: Vec<f64>,
    /// The workspace of `Graph::hvp` (each node's tangent, and its adjoint with that
    /// adjoint's tangent), kept for the next call as the grads are: freeing it took an
    /// eighth of W5's time (the pages go back to the kernel), and a Hessian, one product
    /// per column, reuses it for every column.
    pub(in crate::engine) hvp_tan: Vec<f64>,
    pub(in crate::engine) hvp_adj: Vec<[f64; 2]>,
}

impl Clone for Tape {
    /// A copy of the graph: nodes, grads, constants, operand lists, labels. The
    /// workspaces are not copied (they are rebuilt when used).
    fn clone(&self) -> Tape {
        Tape {
            cols: self.cols.clone(),
            grad: self.grad.clone(),
            consts: self.consts.clone(),
            pool: self.pool.clone(),
            labels: self.labels.clone(),
            const_first: self.const_first.clone(),
            ..Tape::default()
        }
    }
}

/// A tape's node data borrowed for a pass over it (backward, the sweeps of a
/// Hessian-vector product), apart from the grads it may be writing. The columns every
/// node reads are plain slices, which the pass keeps in registers.
#[derive(Clone, Copy)]
pub(in crate::engine) struct Parts<'a> {
    pub ops: &'a [Op],
    pub args: Args<'a>,
    pub data: &'a [f64],
    /// The constants and the pool are read by some arms only, through the tape's own
    /// vectors: as slices they were four more registers that a pass spilled to the stack
    /// on every call, four stores in each of W1's small backwards.
    pub consts: &'a Vec<f64>,
    pub pool: &'a Vec<u32>,
}

impl<'a> Parts<'a> {
    /// The parts of a tape, from its fields (so that its grads can be borrowed apart).
    #[inline(always)]
    pub(in crate::engine) fn of(
        cols: &'a Columns,
        consts: &'a Vec<f64>,
        pool: &'a Vec<u32>,
    ) -> Self {
        Parts {
            ops: cols.ops(),
            args: cols.args_all(),
            data: cols.data(),
            consts,
            pool,
        }
    }

    /// Node `i`'s operand pair, for a pass's non-leaf arms.
    ///
    /// # Safety
    /// `i < ops.len()` and `ops[i]` does not have [`Arity::Leaf`].
    #[inline(always)]
    pub(in crate::engine) unsafe fn args_of(&self, i: usize) -> [usize; 2] {
        debug_assert!(i < self.ops.len() && self.ops[i].arity() != Arity::Leaf);
        let [a, b] = self.args.get_unchecked(i);
        [a as usize, b as usize]
    }
}

impl Tape {
    /// The tape's node data for a pass.
    #[inline(always)]
    pub(in crate::engine) fn parts(&self) -> Parts<'_> {
        Parts::of(&self.cols, &self.consts, &self.pool)
    }
}

/// What a node's operands are: the one reader of the tape's operand layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Node<'t> {
    /// A leaf or a constant: no operands.
    Leaf,
    /// One value operand.
    Unary(u32),
    /// One value operand and the op's constant.
    WithConst(u32, f64),
    /// Two value operands.
    Binary(u32, u32),
    /// `Σ xs`.
    Sum(&'t [u32]),
    /// `Σ xs[k]·ys[k]`.
    Dot(&'t [u32], &'t [u32]),
}

impl<'t> Node<'t> {
    /// How many operands (uses): `a + a` has 2, a dot of n pairs has 2n.
    pub fn len(&self) -> usize {
        match *self {
            Node::Leaf => 0,
            Node::Unary(_) | Node::WithConst(..) => 1,
            Node::Binary(..) => 2,
            Node::Sum(xs) => xs.len(),
            Node::Dot(xs, ys) => xs.len() + ys.len(),
        }
    }

    /// The operand in position `slot` (a dot's xs come first, then its ys).
    pub fn get(&self, slot: usize) -> u32 {
        match *self {
            Node::Leaf => panic!("chainrule: a leaf has no operands"),
            Node::Unary(x) | Node::WithConst(x, _) => x,
            Node::Binary(x, y) => [x, y][slot],
            Node::Sum(xs) => xs[slot],
            Node::Dot(xs, ys) => {
                if slot < xs.len() {
                    xs[slot]
                } else {
                    ys[slot - xs.len()]
                }
            }
        }
    }

    /// The operands in slot order, one entry per use.
    pub fn children(&self) -> Vec<u32> {
        (0..self.len()).map(|s| self.get(s)).collect()
    }

    /// The slots in the order backward adds their contributions: in slot order, except
    /// that a dot interleaves its pairs (x₀, y₀, x₁, y₁, …).
    pub fn backward_slots(&self) -> Vec<usize> {
        match *self {
            Node::Dot(xs, _) => (0..xs.len()).flat_map(|j| [j, j + xs.len()]).collect(),
            _ => (0..self.len()).collect(),
        }
    }

    /// For a dot, the slot of the operand that multiplies the one in `slot`.
    pub fn partner(&self, slot: usize) -> usize {
        match *self {
            Node::Dot(xs, _) => (slot + xs.len()) % (2 * xs.len()),
            _ => slot,
        }
    }

    /// The constant, for an op that has one.
    pub fn constant(&self) -> Option<f64> {
        match *self {
            Node::WithConst(_, c) => Some(c),
            _ => None,
        }
    }
}

impl Tape {
    /// Records a node and returns its index.
    #[inline(always)]
    pub(in crate::engine) fn push(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
        self.cols.push(op, args, value)
    }

    /// A tape with room for `nodes` values.
    pub(in crate::engine) fn with_capacity(nodes: usize) -> Tape {
        Tape {
            cols: Columns::with_capacity(nodes),
            ..Tape::default()
        }
    }

    /// The index of constant `c` in `consts`, adding it unless it is one of the last two
    /// (a step size or scale used over and over is stored once, as are two alternating
    /// ones: Rosenbrock's `1 - x` and `100·t²`).
    #[inline(always)]
    pub(in crate::engine) fn constant_index(&mut self, c: f64) -> u32 {
        let n = self.consts.len();
        let same = |k: usize| self.consts[k].to_bits() == c.to_bits();
        if n >= 1 && same(n - 1) {
            return (n - 1) as u32;
        }
        if n >= 2 && same(n - 2) {
            return (n - 2) as u32;
        }
        self.consts.push(c);
        n as u32
    }

    /// Records an op whose operands are in the pool from `start` (`count` of them, or
    /// `count` pairs for a dot), computing its value.
    pub(in crate::engine) fn push_nary(&mut self, op: Op, start: usize, count: usize) -> u32 {
        let i = self.push(op, [start as u32, count as u32], 0.0);
        self.cols.data_mut()[i as usize] = self.eval(i as usize);
        i
    }

    /// The number of nodes.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.cols.len()
    }

    /// The op of node `i`.
    #[inline(always)]
    pub(crate) fn op(&self, i: usize) -> Op {
        self.cols.ops()[i]
    }

    /// The value of node `i`.
    #[inline(always)]
    pub(crate) fn data(&self, i: usize) -> f64 {
        self.cols.data()[i]
    }

    /// The values of nodes `range`.
    pub(crate) fn values(&self, range: std::ops::Range<usize>) -> &[f64] {
        &self.cols.data()[range]
    }

    /// Overwrites the values of nodes from `start` on (leaves, before a replay).
    pub(crate) fn set_values(&mut self, start: usize, values: &[f64]) {
        self.cols.data_mut()[start..start + values.len()].copy_from_slice(values);
    }

    /// The grad of node `i` (0 where none has been computed or set).
    #[inline(always)]
    pub(crate) fn grad(&self, i: usize) -> f64 {
        self.grad.get(i).copied().unwrap_or(0.0)
    }

    /// The grads of nodes `range`, copied as one block (0 past the computed ones).
    pub(crate) fn grads(&self, range: std::ops::Range<usize>) -> Vec<f64> {
        let have = self.grad.len().clamp(range.start, range.end);
        let mut v = Vec::new();
        super::pages::reserve_populated(&mut v, range.len());
        v.extend_from_slice(&self.grad[range.start..have]);
        v.resize(range.len(), 0.0);
        v
    }

    /// Whether any grad has been computed or set.
    pub(crate) fn has_grads(&self) -> bool {
        !self.grad.is_empty()
    }

    /// The label of node `i`.
    pub(crate) fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(&(i as u32)).map(|s| &**s)
    }

    /// Whether node `i` is a `c + x` or `c * x` whose constant was written first.
    pub(crate) fn is_const_first(&self, i: usize) -> bool {
        self.const_first.binary_search(&(i as u32)).is_ok()
    }

    /// What node `i`'s operands are. Every reader of a node goes through here.
    #[inline(always)]
    pub(crate) fn node(&self, i: usize) -> Node<'_> {
        read_node(&self.cols, &self.consts, &self.pool, i)
    }

    /// The operand indices of node `i`, one entry per use, in order.
    pub(crate) fn children(&self, i: usize) -> Vec<u32> {
        self.node(i).children()
    }

    /// The value of node `i` recomputed from its operands (a leaf or constant keeps its
    /// own).
    #[inline(always)]
    pub(crate) fn eval(&self, i: usize) -> f64 {
        let d = self.cols.data();
        let op = self.op(i);
        match self.node(i) {
            Node::Leaf => d[i],
            Node::Unary(x) => op.apply(d[x as usize], 0.0, 0.0),
            Node::WithConst(x, c) => op.apply(d[x as usize], 0.0, c),
            Node::Binary(x, y) => op.apply(d[x as usize], d[y as usize], 0.0),
            Node::Sum(xs) => xs.iter().map(|&k| d[k as usize]).sum(),
            Node::Dot(xs, ys) => dot(d, xs, ys),
        }
    }

    /// Recomputes every node in `range` from its operands, in tape order.
    pub(crate) fn replay(&mut self, range: std::ops::RangeInclusive<usize>) {
        for i in range {
            if self.op(i).arity() != Arity::Leaf {
                self.cols.data_mut()[i] = self.eval(i);
            }
        }
    }

    /// d(node `i`)/d(its operand in `slot`) at the current values, from the op table.
    pub(crate) fn local_derivative(&self, i: usize, slot: usize) -> f64 {
        let d = self.cols.data();
        let (op, out) = (self.op(i), d[i]);
        match self.node(i) {
            Node::Leaf => 0.0,
            Node::Unary(x) => op.partials(d[x as usize], 0.0, 0.0, out)[0],
            Node::WithConst(x, c) => op.partials(d[x as usize], 0.0, c, out)[0],
            Node::Binary(x, y) => op.partials(d[x as usize], d[y as usize], 0.0, out)[slot],
            Node::Sum(_) => 1.0,
            n @ Node::Dot(..) => d[n.get(n.partner(slot)) as usize],
        }
    }
}

/// What node `i`'s operands are, from the tape's parts: the one function that knows the
/// operand layout. [`Tape::node`] calls it; so does backward, which holds the grads
/// mutably while it reads the rest.
#[inline(always)]
pub(in crate::engine) fn read_node<'t>(
    cols: &Columns,
    consts: &'t [f64],
    pool: &'t [u32],
    i: usize,
) -> Node<'t> {
    let op = cols.ops()[i];
    if op.arity() == Arity::Leaf {
        return Node::Leaf;
    }
    let [a, b] = cols.args(i);
    match op.arity() {
        Arity::Leaf => Node::Leaf,
        Arity::Unary => Node::Unary(a),
        Arity::UnaryConst => Node::WithConst(a, consts[b as usize]),
        Arity::Binary => Node::Binary(a, b),
        Arity::Nary => nary_node(op, pool, a, b),
    }
}

/// An n-ary node's operand lists: `count` operands from `start` in the pool (a dot:
/// `count` x's, then `count` y's).
#[inline(always)]
pub(in crate::engine) fn nary_node(op: Op, pool: &[u32], start: u32, count: u32) -> Node<'_> {
    let (s, n) = (start as usize, count as usize);
    if op == Op::Dot {
        let (xs, ys) = pool[s..s + 2 * n].split_at(n);
        Node::Dot(xs, ys)
    } else {
        Node::Sum(&pool[s..s + n])
    }
}

/// `Σ data[xs[k]]·data[ys[k]]` as a left fold from 0.
#[inline(always)]
pub(crate) fn dot(data: &[f64], xs: &[u32], ys: &[u32]) -> f64 {
    xs.iter()
        .zip(ys)
        .fold(0.0, |s, (&x, &y)| s + data[x as usize] * data[y as usize])
}

//! The storage behind a [`Graph`](super::graph::Graph): parallel vectors, fenced. Their
//! fields are visible only inside the engine; the rest of the library reads a node
//! through [`Tape::node`], the one function that knows where operands live, and a few
//! small safe methods.

use super::op::{Arity, Op};
use std::collections::BTreeMap;

/// The tape. Node `i` is `ops[i]`, `args[i]`, `data[i]`; its grad is `grad[i]` when
/// `i < grad.len()` and 0 otherwise (grads are materialised by backward or by setting
/// one, so building a graph writes three vectors, not four).
#[derive(Default, Clone)]
pub(crate) struct Tape {
    pub(in crate::engine) ops: Vec<Op>,
    /// Unary: `[x, 0]`; constant: `[x, index into consts]`; binary: `[x, y]`;
    /// n-ary: `[start in pool, count]` (Dot: `count` x's then `count` y's). Only
    /// [`Tape::node`] reads it.
    pub(in crate::engine) args: Vec<[u32; 2]>,
    pub(in crate::engine) data: Vec<f64>,
    pub(in crate::engine) grad: Vec<f64>,
    pub(in crate::engine) consts: Vec<f64>,
    pub(in crate::engine) pool: Vec<u32>,
    pub(in crate::engine) labels: BTreeMap<u32, Box<str>>,
    /// The `c + x` and `c * x` nodes whose constant was written first (`2*x` in a
    /// program), in increasing order, so explanations write them as written.
    pub(in crate::engine) const_first: Vec<u32>,
    /// How many nodes `ops`, `args` and `data` can all hold without reallocating.
    room: usize,
    /// Scratch adjoints for `backward_accumulate`, kept to avoid reallocating.
    pub(in crate::engine) scratch: Vec<f64>,
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
    #[inline(always)]
    pub(in crate::engine) fn push(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
        let i = self.ops.len();
        if i >= self.room || self.args.len() != i || self.data.len() != i {
            return self.push_slow(op, args, value);
        }
        // SAFETY: all three vectors have length `i` (checked just above), and `room` never
        // exceeds the capacity of any of them: it is set from their capacities in
        // `sync_room`, capacities only grow, and a cloned tape re-syncs. So index
        // `i < room` is within every capacity, and each write initialises the element
        // that `set_len(i + 1)` then exposes.
        unsafe {
            self.ops.as_mut_ptr().add(i).write(op);
            self.args.as_mut_ptr().add(i).write(args);
            self.data.as_mut_ptr().add(i).write(value);
            self.ops.set_len(i + 1);
            self.args.set_len(i + 1);
            self.data.set_len(i + 1);
        }
        i as u32
    }

    /// The slow path of `push`: grows the vectors, checking the u32 index limit.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
        let i = self.ops.len();
        assert!(
            self.args.len() == i && self.data.len() == i,
            "chainrule: internal error: tape vectors out of step"
        );
        self.grow();
        self.ops.push(op);
        self.args.push(args);
        self.data.push(value);
        i as u32
    }

    /// Makes room for more nodes, doubling, and checks the u32 index limit.
    fn grow(&mut self) {
        let n = self.ops.len();
        assert!(
            n < u32::MAX as usize,
            "chainrule: a graph holds at most 2^32 - 1 nodes"
        );
        let extra = n.max(64);
        self.ops.reserve(extra);
        self.args.reserve(extra);
        self.data.reserve(extra);
        self.sync_room();
    }

    /// Re-reads how many nodes fit without reallocating: call after anything that may
    /// have changed a capacity.
    pub(in crate::engine) fn sync_room(&mut self) {
        self.room = self
            .ops
            .capacity()
            .min(self.args.capacity())
            .min(self.data.capacity());
    }

    /// A tape with room for `nodes` values.
    pub(in crate::engine) fn with_capacity(nodes: usize) -> Tape {
        let mut t = Tape {
            ops: Vec::with_capacity(nodes),
            args: Vec::with_capacity(nodes),
            data: Vec::with_capacity(nodes),
            ..Tape::default()
        };
        t.sync_room();
        t
    }

    /// Records an op whose operands are in the pool from `start` (`count` of them, or
    /// `count` pairs for a dot), computing its value.
    pub(in crate::engine) fn push_nary(&mut self, op: Op, start: usize, count: usize) -> u32 {
        let i = self.push(op, [start as u32, count as u32], 0.0);
        self.data[i as usize] = self.eval(i as usize);
        i
    }

    /// The number of nodes.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.ops.len()
    }

    /// The op of node `i`.
    #[inline(always)]
    pub(crate) fn op(&self, i: usize) -> Op {
        self.ops[i]
    }

    /// The value of node `i`.
    #[inline(always)]
    pub(crate) fn data(&self, i: usize) -> f64 {
        self.data[i]
    }

    /// The values of nodes `range`.
    pub(crate) fn values(&self, range: std::ops::Range<usize>) -> &[f64] {
        &self.data[range]
    }

    /// Overwrites the values of nodes from `start` on (leaves, before a replay).
    pub(crate) fn set_values(&mut self, start: usize, values: &[f64]) {
        self.data[start..start + values.len()].copy_from_slice(values);
    }

    /// The grad of node `i` (0 where none has been computed or set).
    #[inline(always)]
    pub(crate) fn grad(&self, i: usize) -> f64 {
        self.grad.get(i).copied().unwrap_or(0.0)
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
        read_node(&self.ops, &self.args, &self.consts, &self.pool, i)
    }

    /// The operand indices of node `i`, one entry per use, in order.
    pub(crate) fn children(&self, i: usize) -> Vec<u32> {
        self.node(i).children()
    }

    /// The value of node `i` recomputed from its operands (a leaf or constant keeps its
    /// own).
    #[inline(always)]
    pub(crate) fn eval(&self, i: usize) -> f64 {
        let d = &self.data;
        let op = self.ops[i];
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
            if self.ops[i].arity() != Arity::Leaf {
                self.data[i] = self.eval(i);
            }
        }
    }

    /// d(node `i`)/d(its operand in `slot`) at the current values, from the op table.
    pub(crate) fn local_derivative(&self, i: usize, slot: usize) -> f64 {
        let d = &self.data;
        let (op, out) = (self.ops[i], d[i]);
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
    ops: &[Op],
    args: &[[u32; 2]],
    consts: &'t [f64],
    pool: &'t [u32],
    i: usize,
) -> Node<'t> {
    let [a, b] = args[i];
    let op = ops[i];
    match op.arity() {
        Arity::Leaf => Node::Leaf,
        Arity::Unary => Node::Unary(a),
        Arity::UnaryConst => Node::WithConst(a, consts[b as usize]),
        Arity::Binary => Node::Binary(a, b),
        Arity::Nary => {
            let (s, n) = (a as usize, b as usize);
            if op == Op::Dot {
                let (xs, ys) = pool[s..s + 2 * n].split_at(n);
                Node::Dot(xs, ys)
            } else {
                Node::Sum(&pool[s..s + n])
            }
        }
    }
}

/// `Σ data[xs[k]]·data[ys[k]]` as a left fold from 0.
#[inline(always)]
pub(crate) fn dot(data: &[f64], xs: &[u32], ys: &[u32]) -> f64 {
    xs.iter()
        .zip(ys)
        .fold(0.0, |s, (&x, &y)| s + data[x as usize] * data[y as usize])
}

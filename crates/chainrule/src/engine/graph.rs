//! The tape and its handles: [`Graph`] records every value in creation order, and
//! [`Var`] is a small copyable handle to one of them.

use crate::engine::op::{Arity, Op};
use std::cell::UnsafeCell;
use std::collections::BTreeMap;
use std::fmt;

/// An arena tape of values: parallel vectors of op codes, operand indices and data, with
/// grads, constants, n-ary operand lists and labels beside them.
///
/// Creation order is a topological order, so backward is one reverse loop and dropping a
/// graph of any depth is a handful of deallocations. A graph is not `Sync`: build and use
/// it on one thread (it may be moved to another).
///
/// ```
/// use chainrule::Graph;
/// let g = Graph::new();
/// let a = g.leaf(2.0).named("a");
/// let b = g.leaf(-3.0).named("b");
/// let c = g.leaf(10.0).named("c");
/// let f = g.leaf(-2.0).named("f");
/// let e = (a * b).named("e");
/// let d = (e + c).named("d");
/// let l = (d * f).named("L");
/// l.backward();
/// assert_eq!(l.data(), -8.0);
/// assert_eq!([a.grad(), b.grad(), c.grad(), f.grad()], [6.0, -4.0, -2.0, 4.0]);
/// ```
pub struct Graph {
    tape: UnsafeCell<Tape>,
}

/// The storage behind a [`Graph`]. Node `i` is `ops[i]`, `args[i]`, `data[i]`; its grad is
/// `grad[i]` when `i < grad.len()` and 0 otherwise (grads are materialised by backward or
/// by setting one, so building a graph writes three vectors, not four).
#[derive(Default, Clone)]
pub(crate) struct Tape {
    pub ops: Vec<Op>,
    /// Unary: `[x, 0]`; constant: `[x, index into consts]`; binary: `[x, y]`;
    /// n-ary: `[start in pool, count]` (Dot: `count` x's then `count` y's).
    pub args: Vec<[u32; 2]>,
    pub data: Vec<f64>,
    pub grad: Vec<f64>,
    pub consts: Vec<f64>,
    pub pool: Vec<u32>,
    pub labels: BTreeMap<u32, Box<str>>,
    /// How many nodes `ops`, `args` and `data` can all hold without reallocating.
    room: usize,
    /// Scratch adjoints for [`Var::backward_accumulate`], kept to avoid reallocating.
    pub scratch: Vec<f64>,
}

impl Tape {
    #[inline(always)]
    pub fn push(&mut self, op: Op, args: [u32; 2], value: f64) -> u32 {
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
    pub fn sync_room(&mut self) {
        self.room = self
            .ops
            .capacity()
            .min(self.args.capacity())
            .min(self.data.capacity());
    }

    #[inline(always)]
    pub fn grad(&self, i: usize) -> f64 {
        self.grad.get(i).copied().unwrap_or(0.0)
    }

    /// The constant of a `*Const` op at node `i`.
    #[inline(always)]
    pub fn constant(&self, i: usize) -> f64 {
        self.consts[self.args[i][1] as usize]
    }

    /// The operand indices of node `i`, one entry per use, in order.
    pub fn children(&self, i: usize) -> Vec<u32> {
        let [a, b] = self.args[i];
        match self.ops[i].arity() {
            Arity::Leaf => vec![],
            Arity::Unary | Arity::UnaryConst => vec![a],
            Arity::Binary => vec![a, b],
            Arity::Nary => {
                let n = if self.ops[i] == Op::Dot { 2 * b } else { b };
                self.pool[a as usize..(a + n) as usize].to_vec()
            }
        }
    }

    /// Recomputes the value of non-leaf node `i` from its operands.
    #[inline(always)]
    pub fn eval(&self, i: usize) -> f64 {
        let op = self.ops[i];
        let [a, b] = self.args[i];
        match op.arity() {
            Arity::Leaf => self.data[i],
            Arity::Unary => op.apply(self.data[a as usize], 0.0, 0.0),
            Arity::UnaryConst => op.apply(self.data[a as usize], 0.0, self.consts[b as usize]),
            Arity::Binary => op.apply(self.data[a as usize], self.data[b as usize], 0.0),
            Arity::Nary => {
                let (s, n) = (a as usize, b as usize);
                if op == Op::Sum {
                    self.pool[s..s + n]
                        .iter()
                        .map(|&k| self.data[k as usize])
                        .sum()
                } else {
                    let (xs, ys) = self.pool[s..s + 2 * n].split_at(n);
                    dot(&self.data, xs, ys)
                }
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

/// A copyable handle to one value in a [`Graph`]: the graph and an index.
///
/// Arithmetic on handles records new values: `(a*b + c)*f` needs no `&` and no clone, and
/// `f64` works on either side of `+ - * /`. Every value remembers its data, grad, op,
/// children and optional label.
///
/// ```
/// use chainrule::{Graph, Op};
/// let g = Graph::new();
/// let x = g.leaf(3.0).named("x");
/// let y = 2.0 * x + 1.0;
/// assert_eq!(y.data(), 7.0);
/// assert_eq!(y.op(), Op::AddConst);
/// assert_eq!(y.children()[0].children()[0].label().as_deref(), Some("x"));
/// ```
#[derive(Clone, Copy)]
pub struct Var<'g> {
    pub(crate) g: &'g Graph,
    pub(crate) i: u32,
}

/// A position on the tape, from [`Graph::mark`], to truncate back to with
/// [`Graph::rewind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    nodes: usize,
    consts: usize,
    pool: usize,
}

/// A run of leaves made together by [`Graph::leaves`]: cheaper to hold than one [`Var`]
/// per leaf, and it reads all their grads at once.
///
/// ```
/// use chainrule::Graph;
/// let g = Graph::new();
/// let xs = g.leaves(&[1.0, 2.0, 3.0]);
/// let l = g.dot(&xs.vars(), &xs.vars());
/// l.backward();
/// assert_eq!(xs.grads(), vec![2.0, 4.0, 6.0]);
/// ```
#[derive(Clone, Copy)]
pub struct Leaves<'g> {
    g: &'g Graph,
    start: u32,
    len: u32,
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph {
            tape: UnsafeCell::new(Tape::default()),
        }
    }

    /// An empty graph with room for `nodes` values before it reallocates.
    ///
    /// ```
    /// let g = chainrule::Graph::with_capacity(1000);
    /// assert!(g.is_empty());
    /// ```
    pub fn with_capacity(nodes: usize) -> Graph {
        let t = Tape {
            ops: Vec::with_capacity(nodes),
            args: Vec::with_capacity(nodes),
            data: Vec::with_capacity(nodes),
            ..Tape::default()
        };
        let mut t = t;
        t.sync_room();
        Graph {
            tape: UnsafeCell::new(t),
        }
    }

    /// Shared access to the tape.
    #[inline(always)]
    pub(crate) fn tape(&self) -> &Tape {
        // SAFETY: a `Graph` is not `Sync`, and no `&mut Tape` made by `tape_mut` outlives
        // the method that made it (none is held across a call that could reach back here).
        unsafe { &*self.tape.get() }
    }

    /// Exclusive access to the tape for the length of one internal operation.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    pub(crate) fn tape_mut(&self) -> &mut Tape {
        // SAFETY: as in `tape`: every caller uses the reference only within its own body
        // and calls nothing that takes another reference to the tape meanwhile.
        unsafe { &mut *self.tape.get() }
    }

    /// A new leaf holding `value`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(2.0);
    /// assert_eq!(a.data(), 2.0);
    /// assert!(a.is_leaf());
    /// ```
    #[inline]
    pub fn leaf(&self, value: f64) -> Var<'_> {
        let i = self.tape_mut().push(Op::Leaf, [0, 0], value);
        Var { g: self, i }
    }

    /// A new leaf holding `value`, labelled `label`: shorthand for
    /// `g.leaf(value).named(label)`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// assert_eq!(a.label().as_deref(), Some("a"));
    /// ```
    pub fn var(&self, label: &str, value: f64) -> Var<'_> {
        self.leaf(value).named(label)
    }

    /// One new leaf per value, contiguous on the tape.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let xs = g.leaves(&[0.5, 1.5]);
    /// assert_eq!(xs.len(), 2);
    /// assert_eq!(xs.get(1).data(), 1.5);
    /// ```
    pub fn leaves(&self, values: &[f64]) -> Leaves<'_> {
        let t = self.tape_mut();
        let start = t.ops.len();
        assert!(
            start + values.len() < u32::MAX as usize,
            "chainrule: a graph holds at most 2^32 - 1 nodes"
        );
        t.ops.extend(std::iter::repeat_n(Op::Leaf, values.len()));
        t.args
            .extend(std::iter::repeat_n([0u32, 0u32], values.len()));
        t.data.extend_from_slice(values);
        t.sync_room();
        Leaves {
            g: self,
            start: start as u32,
            len: values.len() as u32,
        }
    }

    /// The number of values recorded so far.
    pub fn len(&self) -> usize {
        self.tape().ops.len()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at tape index `index`, or `None` past the end.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(1.0);
    /// assert_eq!(g.get(0).unwrap().data(), a.data());
    /// assert!(g.get(1).is_none());
    /// ```
    pub fn get(&self, index: usize) -> Option<Var<'_>> {
        (index < self.len()).then_some(Var {
            g: self,
            i: index as u32,
        })
    }

    /// Every value on the tape, in creation (topological) order.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(1.0);
    /// let _ = a + 1.0;
    /// assert_eq!(g.vars().count(), 2);
    /// ```
    pub fn vars(&self) -> impl Iterator<Item = Var<'_>> + '_ {
        (0..self.len() as u32).map(move |i| Var { g: self, i })
    }

    /// `Σ terms` as one node with one edge per term (an empty list gives a leaf 0).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(2.0);
    /// let s = g.sum(&[x, x, x]);
    /// s.backward();
    /// assert_eq!((s.data(), x.grad()), (6.0, 3.0));
    /// ```
    pub fn sum(&self, terms: &[Var<'_>]) -> Var<'_> {
        self.nary(Op::Sum, terms, &[])
    }

    /// `Σ xs[k]·ys[k]` as one fused node: the neuron's weighted sum.
    ///
    /// # Panics
    /// When the two lists differ in length, or hold values of another graph.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let w = [g.leaf(1.0), g.leaf(2.0)];
    /// let x = [g.leaf(3.0), g.leaf(4.0)];
    /// let s = g.dot(&w, &x);
    /// s.backward();
    /// assert_eq!((s.data(), w[1].grad(), x[0].grad()), (11.0, 4.0, 1.0));
    /// ```
    pub fn dot(&self, xs: &[Var<'_>], ys: &[Var<'_>]) -> Var<'_> {
        assert_eq!(
            xs.len(),
            ys.len(),
            "chainrule: dot needs two lists of the same length"
        );
        self.nary(Op::Dot, xs, ys)
    }

    fn nary(&self, op: Op, xs: &[Var<'_>], ys: &[Var<'_>]) -> Var<'_> {
        if xs.is_empty() {
            return self.leaf(0.0);
        }
        let t = self.tape_mut();
        let start = t.pool.len() as u32;
        // Two plain passes (not one chained iterator): this is the hot path of a neuron.
        for list in [xs, ys] {
            t.pool.reserve(list.len());
            for v in list {
                self.check_same(v.g);
                t.pool.push(v.i);
            }
        }
        let i = t.ops.len();
        t.push(op, [start, xs.len() as u32], 0.0);
        t.data[i] = t.eval(i);
        Var {
            g: self,
            i: i as u32,
        }
    }

    /// Panics unless `other` is this graph.
    #[inline(always)]
    pub(crate) fn check_same(&self, other: &Graph) {
        if !std::ptr::eq(self, other) {
            mixed_graphs()
        }
    }

    /// Records a unary op on `x`.
    #[inline(always)]
    pub(crate) fn unary(&self, op: Op, x: u32) -> Var<'_> {
        let t = self.tape_mut();
        let value = op.apply(t.data[x as usize], 0.0, 0.0);
        let i = t.push(op, [x, 0], value);
        Var { g: self, i }
    }

    /// Records an op on `x` and the constant `c`.
    #[inline(always)]
    pub(crate) fn with_const(&self, op: Op, x: u32, c: f64) -> Var<'_> {
        let t = self.tape_mut();
        // A constant used again right away (a step size, a scale in a loop) is stored once.
        let k = match t.consts.last() {
            Some(last) if last.to_bits() == c.to_bits() => t.consts.len() - 1,
            _ => {
                t.consts.push(c);
                t.consts.len() - 1
            }
        } as u32;
        let value = op.apply(t.data[x as usize], 0.0, c);
        let i = t.push(op, [x, k], value);
        Var { g: self, i }
    }

    /// Records a binary op on `x` and `y`.
    #[inline(always)]
    pub(crate) fn binary(&self, op: Op, x: u32, y: u32) -> Var<'_> {
        let t = self.tape_mut();
        let value = op.apply(t.data[x as usize], t.data[y as usize], 0.0);
        let i = t.push(op, [x, y], value);
        Var { g: self, i }
    }

    /// A position to [`rewind`](Graph::rewind) to later.
    ///
    /// ```
    /// let mut g = chainrule::Graph::new();
    /// let w = g.leaf(0.5);
    /// let m = g.mark();
    /// for _ in 0..3 {
    ///     let x = g.leaf(2.0);
    ///     let y = g.get(0).unwrap() * x;
    ///     y.backward();
    ///     assert_eq!(g.get(0).unwrap().grad(), 2.0);
    ///     g.rewind(m);
    /// }
    /// assert_eq!(g.len(), 1);
    /// ```
    pub fn mark(&self) -> Mark {
        let t = self.tape();
        Mark {
            nodes: t.ops.len(),
            consts: t.consts.len(),
            pool: t.pool.len(),
        }
    }

    /// Drops every value recorded after `mark`, keeping the memory for reuse.
    ///
    /// Takes `&mut self`, so no [`Var`] can outlive a rewind: a handle that would dangle
    /// is a compile error.
    ///
    /// ```compile_fail
    /// let mut g = chainrule::Graph::new();
    /// let m = g.mark();
    /// let x = g.leaf(1.0);
    /// g.rewind(m);
    /// println!("{}", x.data()); // error: `g` is borrowed by `x`
    /// ```
    ///
    /// # Panics
    /// When `mark` is past the end of the tape (it came from a later state or another graph).
    pub fn rewind(&mut self, mark: Mark) {
        let t = self.tape.get_mut();
        assert!(
            mark.nodes <= t.ops.len() && mark.consts <= t.consts.len() && mark.pool <= t.pool.len(),
            "chainrule: rewind to a mark past the end of the tape (was it taken on another graph, or before an earlier rewind?)"
        );
        t.ops.truncate(mark.nodes);
        t.args.truncate(mark.nodes);
        t.data.truncate(mark.nodes);
        t.grad.truncate(mark.nodes);
        t.consts.truncate(mark.consts);
        t.pool.truncate(mark.pool);
        if t.labels
            .last_key_value()
            .is_some_and(|(&k, _)| k as usize >= mark.nodes)
        {
            t.labels.split_off(&(mark.nodes as u32));
        }
    }

    /// Drops every value, keeping the memory for reuse: `rewind` to the start.
    ///
    /// ```
    /// let mut g = chainrule::Graph::new();
    /// g.leaf(1.0);
    /// g.clear();
    /// assert!(g.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.rewind(Mark {
            nodes: 0,
            consts: 0,
            pool: 0,
        });
    }

    /// Sets every grad to 0.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(3.0);
    /// (x * x).backward();
    /// g.zero_grad();
    /// assert_eq!(x.grad(), 0.0);
    /// ```
    pub fn zero_grad(&self) {
        self.tape_mut().grad.clear();
    }

    /// Replay: recomputes every non-leaf value from its operands, in tape order, without
    /// allocating. Change leaves with [`Var::set_data`] first, then call
    /// [`Var::backward`] again for the new grads.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(3.0);
    /// let y = x * x + 1.0;
    /// x.set_data(4.0);
    /// g.forward();
    /// y.backward();
    /// assert_eq!((y.data(), x.grad()), (17.0, 8.0));
    /// ```
    pub fn forward(&self) {
        self.forward_from(0);
    }

    /// Replay after nudging one value: recomputes every non-leaf value recorded after `v`,
    /// keeping `v`'s own data as set. This is the notebook's `e.data += h` followed by a
    /// recomputation of everything downstream, without rebuilding anything.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(2.0);
    /// let e = a * -3.0;
    /// let l = (e + 10.0) * -2.0;
    /// e.set_data(e.data() + 0.5);
    /// g.forward_after(e);
    /// assert_eq!(l.data(), -9.0); // moved by dL/de * 0.5 = -2 * 0.5
    /// ```
    pub fn forward_after(&self, v: Var<'_>) {
        self.check_same(v.g);
        self.forward_from(v.index() + 1);
    }

    /// Recomputes every non-leaf value from tape index `start` on.
    pub(crate) fn forward_from(&self, start: usize) {
        let t = self.tape_mut();
        for i in start..t.ops.len() {
            if t.ops[i] != Op::Leaf {
                t.data[i] = t.eval(i);
            }
        }
    }
}

#[cold]
#[inline(never)]
fn mixed_graphs() -> ! {
    panic!(
        "chainrule: cannot combine values from two different graphs; \
         build every operand of an operation on the same Graph"
    )
}

impl<'g> Var<'g> {
    /// The graph this value lives in.
    pub fn graph(self) -> &'g Graph {
        self.g
    }

    /// The value's index on the tape (its creation order).
    pub fn index(self) -> usize {
        self.i as usize
    }

    /// The value.
    #[inline]
    pub fn data(self) -> f64 {
        self.g.tape().data[self.i as usize]
    }

    /// d(output)/d(this value) after the last backward, or what was set by hand; 0 before.
    #[inline]
    pub fn grad(self) -> f64 {
        self.g.tape().grad(self.i as usize)
    }

    /// The operation that made this value ([`Op::Leaf`] for a leaf).
    pub fn op(self) -> Op {
        self.g.tape().ops[self.i as usize]
    }

    /// Whether this value is a leaf (made by the user, not by an operation).
    pub fn is_leaf(self) -> bool {
        self.op() == Op::Leaf
    }

    /// The constant of an op such as `x * 2.0` or `2.0 - x`; `None` for other ops.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(1.0);
    /// assert_eq!((10.0 / x).constant(), Some(10.0));
    /// assert_eq!(x.constant(), None);
    /// ```
    pub fn constant(self) -> Option<f64> {
        (self.op().arity() == Arity::UnaryConst).then(|| self.g.tape().constant(self.index()))
    }

    /// The operands, in order, one entry per use: `a + a` has two children, both `a`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.leaf(1.0);
    /// let b = a + a;
    /// assert_eq!(b.children().len(), 2);
    /// assert!(b.children().iter().all(|c| c.index() == a.index()));
    /// ```
    pub fn children(self) -> Vec<Var<'g>> {
        self.g
            .tape()
            .children(self.index())
            .into_iter()
            .map(|i| Var { g: self.g, i })
            .collect()
    }

    /// The label, if one was set.
    pub fn label(self) -> Option<String> {
        self.g.tape().labels.get(&self.i).map(|s| s.to_string())
    }

    /// Sets the label and returns the same value, for `let e = (a * b).named("e");`.
    pub fn named(self, label: &str) -> Var<'g> {
        self.set_label(label);
        self
    }

    /// Sets the label (replacing any earlier one), as the notebook's `e.label = 'e'`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let e = g.leaf(1.0);
    /// e.set_label("e");
    /// assert_eq!(e.label().as_deref(), Some("e"));
    /// ```
    pub fn set_label(self, label: &str) {
        self.g.tape_mut().labels.insert(self.i, label.into());
    }

    /// The op as drawn in a graph: its symbol, with the constant where it has one
    /// (`* 2`, `2 -`, `** 3`).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.leaf(1.0);
    /// assert_eq!((x * 2.0).op_label(), "* 2");
    /// assert_eq!((2.0 - x).op_label(), "2 -");
    /// assert_eq!((x + x).op_label(), "+");
    /// ```
    pub fn op_label(self) -> String {
        let op = self.op();
        match self.constant() {
            Some(c) if matches!(op, Op::ConstSub | Op::ConstDiv) => format!("{c} {}", op.symbol()),
            Some(c) => format!("{} {c}", op.symbol()),
            None => op.symbol().to_string(),
        }
    }

    /// Overwrites the value. Meant for leaves, before a replay with [`Graph::forward`]
    /// (which recomputes, and so overwrites, every non-leaf value).
    pub fn set_data(self, value: f64) {
        self.g.tape_mut().data[self.i as usize] = value;
    }

    /// Sets the grad by hand, as the notebook's `L.grad = 1.0`.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let l = g.leaf(-8.0);
    /// l.set_grad(1.0);
    /// assert_eq!(l.grad(), 1.0);
    /// ```
    pub fn set_grad(self, grad: f64) {
        let t = self.g.tape_mut();
        let i = self.i as usize;
        if t.grad.len() <= i {
            t.grad.resize(i + 1, 0.0);
        }
        t.grad[i] = grad;
    }
}

impl<'g> Leaves<'g> {
    /// How many leaves.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `k`-th leaf.
    ///
    /// # Panics
    /// When `k >= len()`.
    #[inline]
    pub fn get(&self, k: usize) -> Var<'g> {
        assert!(k < self.len as usize, "chainrule: leaf {k} of {}", self.len);
        Var {
            g: self.g,
            i: self.start + k as u32,
        }
    }

    /// The leaves as a vector of handles.
    pub fn vars(&self) -> Vec<Var<'g>> {
        (0..self.len()).map(|k| self.get(k)).collect()
    }

    /// All their grads, in order.
    pub fn grads(&self) -> Vec<f64> {
        let t = self.g.tape();
        (self.start as usize..(self.start + self.len) as usize)
            .map(|i| t.grad(i))
            .collect()
    }

    /// All their values, in order.
    pub fn data(&self) -> Vec<f64> {
        let s = self.start as usize;
        self.g.tape().data[s..s + self.len as usize].to_vec()
    }

    /// Sets their values, in order, for a replay with [`Graph::forward`].
    ///
    /// # Panics
    /// When `values` has another length.
    pub fn set_data(&self, values: &[f64]) {
        assert_eq!(values.len(), self.len(), "chainrule: one value per leaf");
        let s = self.start as usize;
        self.g.tape_mut().data[s..s + values.len()].copy_from_slice(values);
    }
}

impl fmt::Debug for Var<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Var(#{} {}", self.i, self.op().name())?;
        if let Some(l) = self.label() {
            write!(f, " {l:?}")?;
        }
        write!(f, " data={} grad={})", self.data(), self.grad())
    }
}

/// Prints as micrograd's `Value(data=-8.0)`, with the label when there is one.
///
/// ```
/// let g = chainrule::Graph::new();
/// assert_eq!(g.var("L", -8.0).to_string(), "Value(data=-8, label=L)");
/// ```
impl fmt::Display for Var<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.label() {
            Some(l) => write!(f, "Value(data={}, label={l})", self.data()),
            None => write!(f, "Value(data={})", self.data()),
        }
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph({} nodes)", self.len())
    }
}

impl Clone for Graph {
    /// A deep copy of the tape; handles into the original still point at the original.
    fn clone(&self) -> Graph {
        let mut t = self.tape().clone();
        t.sync_room();
        Graph {
            tape: UnsafeCell::new(t),
        }
    }
}

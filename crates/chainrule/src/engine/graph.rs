//! The tape and its handles: [`Graph`] records every value in creation order, and
//! [`Var`] is a small copyable handle to one of them.

use super::op::{Arity, Op};
use super::tape::Tape;
use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

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
    /// In debug builds, who holds the tape: 0 nobody, n > 0 that many readers, -1 one
    /// writer. An overlapping mutable access panics instead of aliasing.
    #[cfg(debug_assertions)]
    borrow: std::cell::Cell<isize>,
}

/// Shared access to a graph's tape, for the length of one internal operation.
pub(crate) struct TapeRef<'a> {
    t: &'a Tape,
    #[cfg(debug_assertions)]
    flag: &'a std::cell::Cell<isize>,
}

/// Exclusive access to a graph's tape, for the length of one internal operation.
pub(crate) struct TapeMut<'a> {
    t: &'a mut Tape,
    #[cfg(debug_assertions)]
    flag: &'a std::cell::Cell<isize>,
}

impl Deref for TapeRef<'_> {
    type Target = Tape;
    #[inline(always)]
    fn deref(&self) -> &Tape {
        self.t
    }
}

impl Deref for TapeMut<'_> {
    type Target = Tape;
    #[inline(always)]
    fn deref(&self) -> &Tape {
        self.t
    }
}

impl DerefMut for TapeMut<'_> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Tape {
        self.t
    }
}

#[cfg(debug_assertions)]
impl Drop for TapeRef<'_> {
    fn drop(&mut self) {
        self.flag.set(self.flag.get() - 1);
    }
}

#[cfg(debug_assertions)]
impl Drop for TapeMut<'_> {
    fn drop(&mut self) {
        self.flag.set(0);
    }
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
    /// The node's index: always below the graph's length while the handle lives. A
    /// handle is made only for a node that exists, and the tape only shrinks by
    /// [`Graph::rewind`] and [`Graph::clear`], which take the graph by `&mut` and so
    /// cannot run while a handle borrows it. Recording reads operands unchecked on this
    /// ([`Var::record2`]).
    pub(crate) i: u32,
}

impl<'g> Var<'g> {
    /// This value's data, read unchecked ([`Var::i`] is in range).
    ///
    /// # Safety
    /// `t` is the tape of this handle's graph.
    #[inline(always)]
    unsafe fn data_in(self, t: &super::tape::Tape) -> f64 {
        // SAFETY: `i` is below the length of its graph's tape while the handle lives
        // (see `Var::i`), and `t` is that tape.
        unsafe { t.cols.data_unchecked(self.i as usize) }
    }

    /// Records the unary op `op` on this value.
    #[inline(always)]
    pub(crate) fn record1(self, op: Op) -> Var<'g> {
        let mut t = self.g.tape_mut();
        t.cols.make_room();
        // SAFETY: `t` is this handle's graph's tape.
        let value = op.apply(unsafe { self.data_in(&t) }, 0.0, 0.0);
        // SAFETY: room was made just above, and nothing recorded since.
        let i = unsafe { t.cols.push_unchecked(op, [self.i, 0], value) };
        Var { g: self.g, i }
    }

    /// Records `op` on this value and the constant `c`.
    #[inline(always)]
    pub(crate) fn record_c(self, op: Op, c: f64) -> Var<'g> {
        let mut t = self.g.tape_mut();
        let k = t.constant_index(c);
        t.cols.make_room();
        // SAFETY: `t` is this handle's graph's tape.
        let value = op.apply(unsafe { self.data_in(&t) }, 0.0, c);
        // SAFETY: room was made just above, and nothing recorded since.
        let i = unsafe { t.cols.push_unchecked(op, [self.i, k], value) };
        Var { g: self.g, i }
    }

    /// Records the binary op `op` on this value and `y`.
    ///
    /// # Panics
    /// When `y` belongs to another graph.
    #[inline(always)]
    pub(crate) fn record2(self, op: Op, y: Var<'g>) -> Var<'g> {
        self.g.check_same(y.g);
        let mut t = self.g.tape_mut();
        t.cols.make_room();
        // SAFETY: `t` is this handle's graph's tape, and `y`'s (checked above).
        let value = op.apply(unsafe { self.data_in(&t) }, unsafe { y.data_in(&t) }, 0.0);
        // SAFETY: room was made just above, and nothing recorded since.
        let i = unsafe { t.cols.push_unchecked(op, [self.i, y.i], value) };
        Var { g: self.g, i }
    }
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
        Graph::from_tape(Tape::default())
    }

    fn from_tape(t: Tape) -> Graph {
        Graph {
            tape: UnsafeCell::new(t),
            #[cfg(debug_assertions)]
            borrow: std::cell::Cell::new(0),
        }
    }

    /// An empty graph with room for `nodes` values before it reallocates.
    ///
    /// ```
    /// let g = chainrule::Graph::with_capacity(1000);
    /// assert!(g.is_empty());
    /// ```
    pub fn with_capacity(nodes: usize) -> Graph {
        Graph::from_tape(Tape::with_capacity(nodes))
    }

    /// Shared access to the tape, for the length of one internal operation.
    ///
    /// # Panics
    /// In debug builds, while a [`TapeMut`] of this graph is alive.
    #[inline(always)]
    pub(crate) fn tape(&self) -> TapeRef<'_> {
        #[cfg(debug_assertions)]
        {
            let n = self.borrow.get();
            assert!(
                n >= 0,
                "chainrule: internal error: the tape is read while it is being written"
            );
            self.borrow.set(n + 1);
        }
        // SAFETY: a `Graph` is not `Sync`, so only this thread reaches the cell, and no
        // `TapeMut` outlives the internal operation that made it (none is held across a
        // call that could reach back here; debug builds check this with `borrow`).
        TapeRef {
            t: unsafe { &*self.tape.get() },
            #[cfg(debug_assertions)]
            flag: &self.borrow,
        }
    }

    /// Exclusive access to the tape, for the length of one internal operation.
    ///
    /// # Panics
    /// In debug builds, while another [`TapeRef`] or [`TapeMut`] of this graph is alive.
    #[inline(always)]
    pub(crate) fn tape_mut(&self) -> TapeMut<'_> {
        #[cfg(debug_assertions)]
        {
            assert!(
                self.borrow.get() == 0,
                "chainrule: internal error: overlapping access to the tape"
            );
            self.borrow.set(-1);
        }
        // SAFETY: as in `tape`: every caller uses the guard only within its own body and
        // calls nothing that takes another access to the tape meanwhile (checked in debug
        // builds).
        TapeMut {
            t: unsafe { &mut *self.tape.get() },
            #[cfg(debug_assertions)]
            flag: &self.borrow,
        }
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
        let i = self.tape_mut().cols.push_leaf(value);
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
        let start = self.tape_mut().cols.push_leaves(values);
        Leaves {
            g: self,
            start,
            len: values.len() as u32,
        }
    }

    /// The number of values recorded so far.
    pub fn len(&self) -> usize {
        self.tape().len()
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
        let mut t = self.tape_mut();
        let start = t.pool.len() as u32;
        // Two plain passes (not one chained iterator): this is the hot path of a neuron.
        for list in [xs, ys] {
            t.pool.reserve(list.len());
            for v in list {
                self.check_same(v.g);
                t.pool.push(v.i);
            }
        }
        let i = t.push_nary(op, start as usize, xs.len());
        Var { g: self, i }
    }

    /// Panics unless `other` is this graph.
    #[inline(always)]
    pub(crate) fn check_same(&self, other: &Graph) {
        if !std::ptr::eq(self, other) {
            mixed_graphs()
        }
    }

    /// A constant: a fixed number that is not an input (the gradient check does not
    /// perturb it and no grad is reported for it), drawn as its value. The engine records
    /// derivatives that depend on nothing (`d(2·x)/dx = 2`) as constants.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let two = g.constant(2.0);
    /// assert_eq!((two.data(), two.op(), two.is_leaf()), (2.0, chainrule::Op::Const, false));
    /// ```
    pub fn constant(&self, value: f64) -> Var<'_> {
        let i = self.tape_mut().push(Op::Const, [0, 0], value);
        Var { g: self, i }
    }

    /// Records `op` on `operands` (and the constant `c`, for ops that take one): the one
    /// way to record any op by its code, for tools that copy a graph onto a tape. A dot's
    /// operands are its xs followed by its ys. A leaf or constant takes no operands and
    /// holds `c`.
    ///
    /// # Panics
    /// When the number of operands does not fit the op's [`Arity`], or an operand belongs
    /// to another graph.
    ///
    /// ```
    /// use chainrule::{Graph, Op};
    /// let g = Graph::new();
    /// let (a, b) = (g.leaf(2.0), g.leaf(-3.0));
    /// let e = g.record(Op::Mul, &[a, b], 0.0);
    /// let l = g.record(Op::AddConst, &[e], 10.0);
    /// assert_eq!(l.data(), 4.0);
    /// assert_eq!(g.record(Op::Dot, &[a, b, b, a], 0.0).data(), -12.0);
    /// ```
    pub fn record<'g>(&'g self, op: Op, operands: &[Var<'g>], c: f64) -> Var<'g> {
        let n = operands.len();
        let ok = match op.arity() {
            Arity::Leaf => n == 0,
            Arity::Unary | Arity::UnaryConst => n == 1,
            Arity::Binary => n == 2,
            Arity::Nary => op != Op::Dot || n % 2 == 0,
        };
        assert!(
            ok,
            "chainrule: {} takes {} operands, not {n}",
            op.name(),
            match op.arity() {
                Arity::Leaf => "no",
                Arity::Unary | Arity::UnaryConst => "1",
                Arity::Binary => "2",
                Arity::Nary => "an even number of",
            }
        );
        for v in operands {
            self.check_same(v.g);
        }
        match op.arity() {
            Arity::Leaf if op == Op::Leaf => self.leaf(c),
            Arity::Leaf => self.constant(c),
            Arity::Unary => operands[0].record1(op),
            Arity::UnaryConst => operands[0].record_c(op, c),
            Arity::Binary => operands[0].record2(op, operands[1]),
            Arity::Nary if op == Op::Sum => self.sum(operands),
            Arity::Nary => self.dot(&operands[..n / 2], &operands[n / 2..]),
        }
    }

    /// `Σ data[w₀+k]·x[k]` over the contiguous leaves from `w0`: the same node as
    /// [`Graph::dot`] with those leaves as its xs, recorded without a handle per leaf
    /// (building neurons is the hot loop of training). The caller has checked that `x`
    /// belongs to this graph.
    #[inline]
    pub(crate) fn dot_run<'g>(&'g self, w0: u32, x: &[Var<'g>]) -> Var<'g> {
        let n = x.len();
        let mut t = self.tape_mut();
        let start = t.pool.len();
        t.pool.extend(w0..w0 + n as u32);
        t.pool.extend(x.iter().map(|v| v.i));
        // The dot's left fold, with the weights read as one slice rather than gathered.
        let data = t.cols.data();
        let w = &data[w0 as usize..w0 as usize + n];
        let sum = w
            .iter()
            .zip(x)
            .fold(0.0, |s, (w, x)| s + w * data[x.i as usize]);
        let i = t.push(Op::Dot, [start as u32, n as u32], sum);
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
            nodes: t.len(),
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
    #[inline]
    pub fn rewind(&mut self, mark: Mark) {
        let t = self.tape.get_mut();
        assert!(
            mark.nodes <= t.len() && mark.consts <= t.consts.len() && mark.pool <= t.pool.len(),
            "chainrule: rewind to a mark past the end of the tape (was it taken on another graph, or before an earlier rewind?)"
        );
        t.cols.truncate(mark.nodes);
        t.grad.truncate(mark.nodes);
        t.consts.truncate(mark.consts);
        t.pool.truncate(mark.pool);
        let past = |k: Option<u32>| k.is_some_and(|k| k as usize >= mark.nodes);
        if past(t.labels.last_key_value().map(|(&k, _)| k)) || past(t.const_first.last().copied()) {
            rewind_marks(t, mark.nodes);
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
    #[inline]
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
        let mut t = self.tape_mut();
        let n = t.len();
        if start < n {
            t.replay(start..=n - 1);
        }
    }
}

/// Drops the labels and const-first marks of nodes from `nodes` on (out of line: a
/// training loop's rewind has none to drop, and stays a few stores).
#[cold]
#[inline(never)]
fn rewind_marks(t: &mut super::tape::Tape, nodes: usize) {
    t.labels.split_off(&(nodes as u32));
    let kept = t.const_first.partition_point(|&k| (k as usize) < nodes);
    t.const_first.truncate(kept);
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
        self.g.tape().data(self.i as usize)
    }

    /// d(output)/d(this value) after the last backward, or what was set by hand; 0 before.
    #[inline]
    pub fn grad(self) -> f64 {
        self.g.tape().grad(self.i as usize)
    }

    /// The operation that made this value ([`Op::Leaf`] for a leaf).
    pub fn op(self) -> Op {
        self.g.tape().op(self.i as usize)
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
        self.g.tape().node(self.index()).constant()
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
        self.g.tape().label(self.index()).map(str::to_string)
    }

    /// Sets the label and returns the same value, for `let e = (a * b).named("e");`.
    pub fn named(self, label: &str) -> Var<'g> {
        self.set_label(label);
        self
    }

    /// Marks a `c + x` or `c * x` as written with the constant first (`2*x`), so that
    /// explanations and stand-in names keep the order of the source; any other value is
    /// returned unmarked. The expression language marks what it records this way; the
    /// operators (`2.0 * x`) do not, to keep recording free of it.
    pub(crate) fn written_const_first(self) -> Var<'g> {
        let mut t = self.g.tape_mut();
        if matches!(t.op(self.i as usize), Op::AddConst | Op::MulConst) {
            let at = t.const_first.partition_point(|&k| k < self.i);
            if t.const_first.get(at) != Some(&self.i) {
                t.const_first.insert(at, self.i);
            }
        }
        drop(t);
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
        match self.constant() {
            // `2 *` for a program's `2*x`, as written.
            Some(c) if self.g.tape().is_const_first(self.index()) => {
                format!("{} {}", crate::io::number::shortest(c), self.op().symbol())
            }
            Some(c) => self.op().label_text(c),
            None => self.op().symbol().to_string(),
        }
    }

    /// Overwrites the value. Meant for leaves, before a replay with [`Graph::forward`]
    /// (which recomputes, and so overwrites, every non-leaf value).
    pub fn set_data(self, value: f64) {
        self.g.tape_mut().cols.data_mut()[self.i as usize] = value;
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
        let mut t = self.g.tape_mut();
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
        let s = self.start as usize;
        self.g.tape().grads(s..s + self.len as usize)
    }

    /// All their values, in order.
    pub fn data(&self) -> Vec<f64> {
        let s = self.start as usize;
        self.g.tape().values(s..s + self.len as usize).to_vec()
    }

    /// Sets their values, in order, for a replay with [`Graph::forward`].
    ///
    /// # Panics
    /// When `values` has another length.
    pub fn set_data(&self, values: &[f64]) {
        assert_eq!(values.len(), self.len(), "chainrule: one value per leaf");
        let s = self.start as usize;
        self.g.tape_mut().set_values(s, values);
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
        Graph::from_tape(self.tape().clone())
    }
}

/// The fence's borrow flag: in debug builds an access to the tape that overlaps a
/// mutable one panics instead of aliasing.
#[cfg(all(test, debug_assertions))]
mod borrow_flag {
    use super::Graph;

    #[test]
    #[should_panic(expected = "overlapping access to the tape")]
    fn a_write_while_reading_panics() {
        let g = Graph::new();
        g.leaf(1.0);
        let _reader = g.tape();
        let _writer = g.tape_mut();
    }

    #[test]
    #[should_panic(expected = "read while it is being written")]
    fn a_read_while_writing_panics() {
        let g = Graph::new();
        let _writer = g.tape_mut();
        let _reader = g.tape();
    }

    #[test]
    fn readers_share_and_every_access_ends_with_its_guard() {
        let g = Graph::new();
        let x = g.leaf(2.0);
        {
            let (a, b) = (g.tape(), g.tape());
            assert_eq!(a.data(0) + b.data(0), 4.0);
        }
        // Public operations each take and release the tape: none overlaps another.
        let y = x * x + 1.0;
        y.backward();
        let _ = y.explain();
        let _ = y.grad_check();
        let d = g.grad(y, &[x])[0];
        assert_eq!((d.data(), x.grad()), (4.0, 4.0));
        drop(g.tape_mut());
    }
}

#[cfg(test)]
mod leaves {
    use super::Graph;

    #[test]
    fn grads_past_the_computed_ones_read_as_zero() {
        let g = Graph::new();
        let xs = g.leaves(&[1.0, 2.0, 3.0]);
        assert_eq!(xs.grads(), vec![0.0; 3], "before any backward");
        xs.get(1).backward(); // grads are materialised up to index 1 only
        assert_eq!(xs.grads(), vec![0.0, 1.0, 0.0]);
        let y = xs.get(0) * xs.get(2);
        let later = g.leaves(&[4.0, 5.0]);
        y.backward();
        assert_eq!(
            (xs.grads(), later.grads()),
            (vec![3.0, 0.0, 1.0], vec![0.0; 2])
        );
    }
}

#[cfg(test)]
mod rewinding {
    use super::Graph;

    /// Rewind drops the const-first marks of the nodes it drops, and only those (its
    /// labels and marks are dropped out of line, only when some are past the mark).
    #[test]
    fn rewind_drops_the_const_first_marks_past_the_mark() {
        let mut g = Graph::new();
        let x = g.leaf(1.0);
        let kept = (2.0 * x).written_const_first().index();
        let m = g.mark();
        let dropped = (3.0 + x).written_const_first().index();
        assert!(g.tape().is_const_first(kept) && g.tape().is_const_first(dropped));
        g.rewind(m);
        assert!(g.tape().is_const_first(kept));
        let x = g.get(0).unwrap();
        let again = (x + 3.0).index(); // the operators do not mark
        assert_eq!(again, dropped);
        assert!(!g.tape().is_const_first(again));
        g.clear();
        assert!(!g.tape().is_const_first(kept));
    }
}

//! Tracing a value: the nodes and edges it depends on, the shape every drawing starts from.

use crate::engine::graph::Var;

/// The part of a graph one value depends on.
///
/// `nodes` are tape indices in creation order (a topological order: every child comes
/// before its parents), the traced value last. `edges` are `(child, parent, slot)`, one per
/// use: `a + a` has two edges from `a`, in slots 0 and 1. Edges are ordered by parent,
/// then slot, so the same program always gives the same trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Tape indices of every value the traced one depends on (itself included), ascending.
    pub nodes: Vec<usize>,
    /// `(child, parent, slot)`: `child` is operand number `slot` of `parent`.
    pub edges: Vec<(usize, usize, usize)>,
}

impl<'g> Var<'g> {
    /// The nodes and edges this value depends on.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 3.0);
    /// let _unused = g.leaf(1.0);
    /// let b = a + a;
    /// let t = b.trace();
    /// assert_eq!(t.nodes, vec![0, 2]);
    /// assert_eq!(t.edges, vec![(0, 2, 0), (0, 2, 1)]);
    /// ```
    pub fn trace(self) -> Trace {
        let seen = self.g.ancestors(self);
        let t = self.g.tape();
        let nodes: Vec<usize> = (0..seen.len()).filter(|&i| seen[i]).collect();
        let mut edges = Vec::new();
        for &p in &nodes {
            for (slot, c) in t.children(p).into_iter().enumerate() {
                edges.push((c as usize, p, slot));
            }
        }
        Trace { nodes, edges }
    }
}

//! The backward pass as a sequence of states, as the notebook redraws its graph each time
//! it fills in a grad by hand.

use crate::engine::graph::Var;
use crate::show::explain::{Contribution, Explanation, NodeExplanation};
use std::fmt;

/// One state of the backward pass: the node whose grad was just finished, the edges that
/// carried it, and every grad known so far.
///
/// ```
/// let g = chainrule::Graph::new();
/// let a = g.var("a", 2.0);
/// let b = g.var("b", -3.0);
/// let e = (a * b).named("e");
/// let steps = e.backward_steps();
/// assert_eq!(steps.len(), 3);
/// assert_eq!(steps[1].name, "b");
/// assert_eq!(steps[1].known, vec![None, Some(2.0), Some(1.0)]);
/// assert_eq!(steps[1].to_string(), "step 2 of 3: b\n  de/db = d(a*b)/db = a = 2.0000");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Which step this is, counting from 1.
    pub number: usize,
    /// How many steps there are.
    pub of: usize,
    /// Tape index of the node whose grad was finished at this step.
    pub node: usize,
    /// Its name.
    pub name: String,
    /// Its grad.
    pub grad: f64,
    /// The uses of the node that carried its grad (from each parent to it); empty for
    /// the output, whose grad is seeded with 1.
    pub contributions: Vec<Contribution>,
    /// The chain rule for this grad, in the notebook's notation, one line per step.
    pub derivation: Vec<String>,
    /// For each tape index up to the output: its grad if known after this step.
    pub known: Vec<Option<f64>>,
    /// Nodes the output depends on whose grads are not known yet, in tape order.
    pub pending: Vec<usize>,
}

impl<'g> Var<'g> {
    /// The backward pass from this value, one state per node it depends on, in reverse
    /// topological (creation) order: the output first, then each node once all its
    /// parents are done. The last state's grads are exactly those of [`Var::backward`].
    /// The graph's own grads are not touched.
    ///
    /// Each state holds the grads known so far for every node, so the states take
    /// memory quadratic in the size of the graph: meant for graphs small enough to draw.
    pub fn backward_steps(self) -> Vec<Step> {
        let ex = self.explain();
        let of = ex.nodes.len();
        let mut known = vec![None; self.index() + 1];
        let mut pending: Vec<usize> = ex.nodes.iter().rev().map(|n| n.index).collect();
        ex.nodes
            .iter()
            .enumerate()
            .map(|(k, n)| {
                known[n.index] = Some(n.grad);
                pending.retain(|&p| p != n.index);
                Step {
                    number: k + 1,
                    of,
                    node: n.index,
                    name: n.name.clone(),
                    grad: n.grad,
                    contributions: n.contributions.clone(),
                    derivation: n.derivation(&ex.output_name),
                    known: known.clone(),
                    pending: pending.clone(),
                }
            })
            .collect()
    }
}

impl Step {
    /// What to highlight when drawing this state: the node just finished, the edges that
    /// carried its grad as `(child, parent)` tape-index pairs (one per parent, even when
    /// the parent uses the node twice), and the nodes whose grads are not known yet.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 3.0);
    /// let y = (x * x).named("y");
    /// let steps = y.backward_steps();
    /// assert_eq!(steps[0].highlight(), (vec![1], vec![], vec![0]));
    /// assert_eq!(steps[1].highlight(), (vec![0], vec![(0, 1)], vec![]));
    /// ```
    pub fn highlight(&self) -> (Vec<usize>, Vec<(usize, usize)>, Vec<usize>) {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for c in &self.contributions {
            if !edges.contains(&(self.node, c.parent)) {
                edges.push((self.node, c.parent));
            }
        }
        (vec![self.node], edges, self.pending.clone())
    }

    /// What this step does, in a sentence, as `chainrule steps` narrates it.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 3.0);
    /// let y = (x * x).named("y");
    /// let steps = y.backward_steps();
    /// assert_eq!(steps[0].summary(), "Backward starts at the output y: its grad is 1.");
    /// assert_eq!(steps[1].summary(), "x is used 2 times: its grad is the sum of one term per use.");
    /// ```
    pub fn summary(&self) -> String {
        summary(&self.name, self.contributions.len())
    }
}

/// What the step finishing `name`, used `uses` times, does, in a sentence.
fn summary(name: &str, uses: usize) -> String {
    match uses {
        0 => ["Backward starts at the output ", name, ": its grad is 1."].concat(),
        1 => [name, " is used once, so its grad is one chain-rule term."].concat(),
        u => format!("{name} is used {u} times: its grad is the sum of one term per use."),
    }
}

/// What backward is about to do, before its first step, for the output `output`.
pub(crate) fn intro(output: &str) -> String {
    format!(
        "No grad is known yet. Backward fills them in from the output {output} back to the \
         leaves, one value per step: a value's turn comes once every value that uses it is done."
    )
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} of {}: {}", self.number, self.of, self.name)?;
        for line in &self.derivation {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// The backward pass as a schedule: the nodes in the order backward finishes them, each
/// with the uses that carried its grad and its derivation. Unlike [`Var::backward_steps`],
/// no state is copied per step: the grads known after step `k` are those of the first
/// `k` entries, so the schedule's size is linear in the graph (a page can step through
/// the ~700 values of one point through a 2-16-16-1 MLP).
///
/// ```
/// let g = chainrule::Graph::new();
/// let a = g.var("a", 2.0);
/// let b = g.var("b", -3.0);
/// let e = (a * b).named("e");
/// let s = e.backward_schedule();
/// assert_eq!(s.steps.len(), 3);
/// assert_eq!((s.steps[1].name.as_str(), s.steps[1].grad), ("b", 2.0));
/// assert_eq!(s.known_after(2), vec![None, Some(2.0), Some(1.0)]);
/// assert_eq!(s.pending_after(2), vec![a.index()]);
/// assert_eq!(s.steps[1].edges(), vec![(b.index(), e.index())]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardSchedule {
    /// Tape index of the output.
    pub output: usize,
    /// The output's name.
    pub output_name: String,
    /// One entry per node the output depends on, output first.
    pub steps: Vec<ScheduledStep>,
}

/// One entry of a [`BackwardSchedule`]: the node finished at this step.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledStep {
    /// Tape index of the node.
    pub node: usize,
    /// Its name.
    pub name: String,
    /// Its grad, as backward computes it.
    pub grad: f64,
    /// The uses that carried its grad (from each parent to it); empty for the output.
    pub contributions: Vec<Contribution>,
    /// The chain rule for this grad, in the notebook's notation.
    pub derivation: Vec<String>,
}

impl<'g> Var<'g> {
    /// The backward pass from this value as a [`BackwardSchedule`], in the same order
    /// and with the same grads as [`Var::backward_steps`], in memory linear in the
    /// graph. The graph's own grads are not touched.
    pub fn backward_schedule(self) -> BackwardSchedule {
        let ex = self.explain();
        let steps = ex
            .nodes
            .iter()
            .map(|n| ScheduledStep {
                node: n.index,
                name: n.name.clone(),
                grad: n.grad,
                contributions: n.contributions.clone(),
                derivation: n.derivation(&ex.output_name),
            })
            .collect();
        BackwardSchedule {
            output: ex.output,
            output_name: ex.output_name,
            steps,
        }
    }
}

impl BackwardSchedule {
    /// For each tape index up to the output: its grad if known after the first `k`
    /// steps (as [`Step::known`] of step `k`).
    pub fn known_after(&self, k: usize) -> Vec<Option<f64>> {
        let mut known = vec![None; self.output + 1];
        for s in self.steps.iter().take(k) {
            known[s.node] = Some(s.grad);
        }
        known
    }

    /// The nodes whose grads are not known after the first `k` steps, in tape order (as
    /// [`Step::pending`] of step `k`).
    pub fn pending_after(&self, k: usize) -> Vec<usize> {
        let mut p: Vec<usize> = self.steps.iter().skip(k).map(|s| s.node).collect();
        p.sort_unstable();
        p
    }

    /// What backward is about to do, before its first step, in a sentence (step 0 of
    /// `chainrule steps`).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let s = (g.var("a", 2.0) * 3.0).named("e").backward_schedule();
    /// assert!(s.intro().starts_with("No grad is known yet. Backward fills them in from the output e"));
    /// ```
    pub fn intro(&self) -> String {
        intro(&self.output_name)
    }
}

impl NodeExplanation {
    /// What backward's step finishing this node does, in a sentence (as
    /// [`ScheduledStep::summary`]: the explanation's nodes are the schedule's steps, in
    /// its order), for a caller that has the explanation and wants the schedule's words
    /// without a second one.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 3.0);
    /// let ex = (x * x).named("y").explain();
    /// assert_eq!(ex.nodes[1].summary(), "x is used 2 times: its grad is the sum of one term per use.");
    /// ```
    pub fn summary(&self) -> String {
        summary(&self.name, self.contributions.len())
    }
}

impl Explanation {
    /// What backward is about to do, before its first step (as [`BackwardSchedule::intro`]).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let ex = (g.var("a", 2.0) * 3.0).named("e").explain();
    /// assert!(ex.intro().starts_with("No grad is known yet. Backward fills them in from the output e"));
    /// ```
    pub fn intro(&self) -> String {
        intro(&self.output_name)
    }
}

impl ScheduledStep {
    /// The edges that carried this node's grad, as `(child, parent)` tape-index pairs,
    /// one per parent (as [`Step::highlight`]).
    pub fn edges(&self) -> Vec<(usize, usize)> {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for c in &self.contributions {
            if !edges.contains(&(self.node, c.parent)) {
                edges.push((self.node, c.parent));
            }
        }
        edges
    }

    /// What this step does, in a sentence (as [`Step::summary`]).
    pub fn summary(&self) -> String {
        summary(&self.name, self.contributions.len())
    }
}

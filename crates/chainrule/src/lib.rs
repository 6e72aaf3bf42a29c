//! # chainrule
//!
//! A scalar reverse-mode autograd engine that shows its work. Every value remembers how
//! it was made (data, grad, op, children, label); gradients flow back by the chain rule,
//! at any depth, in one reverse pass over a tape.
//!
//! The notebook this project grows from, in Rust:
//!
//! ```
//! use chainrule::Graph;
//!
//! let g = Graph::new();
//! let a = g.var("a", 2.0);
//! let b = g.var("b", -3.0);
//! let c = g.var("c", 10.0);
//! let e = (a * b).named("e");
//! let d = (e + c).named("d");
//! let f = g.var("f", -2.0);
//! let l = (d * f).named("L");
//! l.backward();
//!
//! assert_eq!(l.data(), -8.0);
//! let grads: Vec<f64> = [l, d, f, c, e, a, b].iter().map(|v| v.grad()).collect();
//! assert_eq!(grads, [1.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0]);
//! ```
//!
//! ## Grad semantics
//! - [`Var::backward`] starts fresh: it zeroes every grad, seeds the output with 1.0 and
//!   propagates. Calling it twice gives the same grads.
//! - [`Var::backward_accumulate`] adds to the grads already there (micrograd's way).
//! - [`Var::set_grad`] sets a grad by hand, as the notebook does; [`Graph::zero_grad`]
//!   clears them all.
//!
//! ## Derivatives of derivatives
//! [`Graph::grad`] records backward on the tape, so a gradient is a value that can be
//! differentiated again; [`Graph::hvp`] and [`Graph::hessian`] give second order without
//! recording anything.
//!
//! ```
//! let g = chainrule::Graph::new();
//! let x = g.var("x", 2.0);
//! let d = g.grad(x.powf(3.0), &[x])[0]; // 3x² = 12
//! assert_eq!(g.grad(d, &[x])[0].data(), 12.0); // 6x
//! ```
//!
//! ## The op table
//! Every op is one entry of the table in `engine/op.rs` ([`Op`]); the methods, the
//! language's functions, the activations and `docs/ops.md` are generated from it.
//!
//! ## Replay and reuse
//! [`Var::set_data`] + [`Graph::forward`] recompute the recorded graph for new leaf
//! values without rebuilding it or allocating. [`Graph::mark`] / [`Graph::rewind`] reuse
//! one tape across training steps; the borrow checker rejects handles that would dangle.
//!
//! ## Numbers
//! IEEE 754 throughout, never a panic: `ln(-1)` is NaN, `1/0` is infinite, a negative base
//! to a fractional power is NaN. [`Var::first_non_finite`] names the node that produced
//! the first NaN or infinity and says why.
#![warn(missing_docs)]

mod draw;
mod engine;
mod io;
pub mod lang;
pub mod learn;
mod limits;
pub mod nn;
mod plot;
mod show;

pub use draw::stepsite::{StepsSite, STEPS_MAX_NODES};
pub use draw::trace::Trace;
pub use draw::{
    DrawError, DrawOptions, Drawing, DrawnCells, Engine, Format, Highlight, RankDir, ShowGrads,
    Simplified,
};
pub use engine::graph::{Graph, Leaves, Mark, Var};
pub use engine::higher::Hvp;
pub use engine::nonfinite::{NonFinite, Pass};
pub use engine::op::{Arity, Op};
pub use io::fsutil::write_atomic;
pub use io::json;
pub use io::number;
pub use limits::Limits;
pub use nn::data;
pub use plot::{DecisionBoundary, LineChart, PlotError, Scale};
pub use show::diagnose::{Candidate, Diagnosis, Nudge, Upstream};
pub use show::explain::{Contribution, Explanation, NodeExplanation, NonFiniteNote};
pub use show::gradcheck::{CheckOptions, CheckRow, GradCheck, HandCheck, Verdict};
pub use show::mistakes::{Mistake, Slip};
pub use show::steps::{BackwardSchedule, ScheduledStep, Step};

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The lessons guide's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/lessons.md")]
pub struct LessonsDoctests;

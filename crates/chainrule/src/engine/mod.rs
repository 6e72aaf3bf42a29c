//! The engine: the tape and its handles, the op table, operator overloading, backward,
//! gradients recorded on the tape (second order and beyond), and the tracing of NaN and
//! infinity to the node that made them.
//!
//! The tape's vectors are fenced in here ([`tape`]): everything else in the library reads
//! a node through [`tape::Tape::node`] and a few small safe methods.

#[macro_use]
mod opmacro;

pub(crate) mod backward;
mod columns;
pub(crate) mod graph;
pub(crate) mod higher;
mod hvp;
mod kernel;
pub(crate) mod nonfinite;
pub(crate) mod op;
mod overload;
mod pages;
pub(crate) mod real;
pub(crate) mod tanh;
pub(crate) mod tape;

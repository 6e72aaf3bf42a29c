//! The engine: the tape and its handles, the op table, operator overloading, backward
//! and the tracing of NaN and infinity to the node that made them.
//!
//! Everything else in the library reads the tape through the small safe methods here.

pub(crate) mod backward;
pub(crate) mod graph;
pub(crate) mod nonfinite;
pub(crate) mod op;
mod overload;

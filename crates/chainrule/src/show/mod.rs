//! Show your work: the gradient check, the chain rule written out node by node, and the
//! backward pass as a sequence of states.

pub(crate) mod explain;
pub(crate) mod gradcheck;
pub(crate) mod names;
pub(crate) mod steps;

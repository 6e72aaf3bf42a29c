//! Show your work: the gradient check, the chain rule written out node by node, the
//! backward pass as a sequence of states, and the diagnosis of a learner's wrong grads.

pub(crate) mod diagnose;
pub(crate) mod explain;
pub(crate) mod gradcheck;
pub(crate) mod mistakes;
pub(crate) mod names;
pub(crate) mod steps;

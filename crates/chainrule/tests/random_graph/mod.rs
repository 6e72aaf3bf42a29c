//! Random expression graphs with shared subexpressions, for the property tests of first
//! order (`proptest_fd.rs`) and second order (`second_order.rs`): each test gives its own
//! ops; the steps and the way they pick earlier values are the same.

use chainrule::{Graph, Var};
use proptest::prelude::*;

/// One recorded step: an op code and operand choices (indices into the values so far),
/// and a constant some ops use.
#[derive(Clone, Debug)]
pub struct Step {
    pub op: u8,
    pub a: usize,
    pub b: usize,
    pub c: f64,
}

/// Steps with op codes below `ops`.
pub fn step(ops: u8) -> impl Strategy<Value = Step> {
    (0u8..ops, any::<usize>(), any::<usize>(), -2.0f64..2.0).prop_map(|(op, a, b, c)| Step {
        op,
        a,
        b,
        c,
    })
}

/// Leaves, then each step on two earlier values (so values are shared): `next(step, x,
/// y)` is the value the step adds. Returns the leaves and the last value.
pub fn build<'g>(
    g: &'g Graph,
    leaves: &[f64],
    steps: &[Step],
    next: impl Fn(&Step, Var<'g>, Var<'g>) -> Var<'g>,
) -> (Vec<Var<'g>>, Var<'g>) {
    let ls: Vec<Var> = leaves.iter().map(|&x| g.leaf(x)).collect();
    let mut vals = ls.clone();
    for s in steps {
        let x = vals[s.a % vals.len()];
        let y = vals[s.b % vals.len()];
        vals.push(next(s, x, y));
    }
    let out = *vals.last().unwrap();
    (ls, out)
}

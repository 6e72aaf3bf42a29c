//! W4's floor: the same work as W4 (2N leaves, N products, N − 1 adds as a left fold,
//! backward, all 2N grads read out) on the smallest tape that can do it: a
//! structure-of-arrays of op codes, operand pairs and values in plain `Vec`s, grads in a
//! fresh zeroed vector, one `match` per node backward. No labels, no constants, no
//! n-ary ops, no checks beyond `Vec`'s own. chainrule's W4 time is printed as a multiple
//! of this one (`scripts/compare-peers.py`): what the engine's generality costs.

use std::hint::black_box;
use std::time::Instant;

const LEAF: u8 = 0;
const MUL: u8 = 1;
const ADD: u8 = 2;

/// The minimal tape: node `i` is `op[i]`, `args[i]`, `val[i]`.
#[derive(Default)]
struct Tape {
    op: Vec<u8>,
    args: Vec<[u32; 2]>,
    val: Vec<f64>,
}

impl Tape {
    #[inline(always)]
    fn push(&mut self, op: u8, a: u32, b: u32, v: f64) -> u32 {
        self.op.push(op);
        self.args.push([a, b]);
        self.val.push(v);
        self.val.len() as u32 - 1
    }

    fn leaves(&mut self, xs: &[f64]) -> u32 {
        let start = self.val.len() as u32;
        self.op.extend(std::iter::repeat_n(LEAF, xs.len()));
        self.args.extend(std::iter::repeat_n([0, 0], xs.len()));
        self.val.extend_from_slice(xs);
        start
    }

    #[inline(always)]
    fn binary(&mut self, op: u8, a: u32, b: u32) -> u32 {
        let (x, y) = (self.val[a as usize], self.val[b as usize]);
        let v = if op == MUL { x * y } else { x + y };
        self.push(op, a, b, v)
    }

    /// Backward from `out`: the adjoint of every node.
    fn backward(&self, out: u32) -> Vec<f64> {
        let out = out as usize;
        let mut adj = vec![0.0; out + 1];
        adj[out] = 1.0;
        for i in (0..=out).rev() {
            let g = adj[i];
            let [a, b] = self.args[i].map(|k| k as usize);
            match self.op[i] {
                MUL => {
                    adj[a] += g * self.val[b];
                    adj[b] += g * self.val[a];
                }
                ADD => {
                    adj[a] += g;
                    adj[b] += g;
                }
                _ => {}
            }
        }
        adj
    }
}

/// What the floor's run found: the time and what W4 reads.
pub struct Run {
    pub seconds: f64,
    pub value: f64,
    pub gx: Vec<f64>,
    pub gy: Vec<f64>,
}

/// W4 on the minimal tape, timed as WORKLOADS.md says (building, backward, reading the
/// grads; not making the inputs).
pub fn w4(xs: &[f64], ys: &[f64]) -> Run {
    let n = xs.len();
    let t = Instant::now();
    let mut tape = Tape::default();
    let x0 = tape.leaves(black_box(xs));
    let y0 = tape.leaves(black_box(ys));
    let first = tape.binary(MUL, x0, y0);
    let l = (1..n as u32).fold(first, |s, i| {
        let m = tape.binary(MUL, x0 + i, y0 + i);
        tape.binary(ADD, s, m)
    });
    let adj = tape.backward(l);
    let value = tape.val[l as usize];
    let gx = adj[x0 as usize..x0 as usize + n].to_vec();
    let gy = adj[y0 as usize..y0 as usize + n].to_vec();
    Run {
        seconds: t.elapsed().as_secs_f64(),
        value,
        gx,
        gy,
    }
}

//! Depth: backward through, and dropping, a chain of 10,000,000 operations.
//! `.ci/run` also runs it in an optimised build (`cargo test --release --test deep`).
//! It runs in the test harness's thread, whose stack (2 MiB) is smaller than the main
//! thread's 8 MiB: nothing in backward or drop recurses.

use chainrule::Graph;

#[test]
fn ten_million_operations_deep() {
    const STEPS: usize = 3_333_334; // three operations a step: 10,000,002 operations
    let h = 1e-7;
    let g = Graph::with_capacity(3 * STEPS + 1);
    let x0 = g.leaf(0.5);
    let mut x = x0;
    for _ in 0..STEPS {
        x = x + x.tanh() * h;
    }
    assert_eq!(g.len(), 3 * STEPS + 1);
    x.backward();
    // The same recurrence in forward mode, in plain f64.
    let (mut v, mut dv) = (0.5f64, 1.0f64);
    for _ in 0..STEPS {
        let t = v.tanh();
        dv += h * (1.0 - t * t) * dv;
        v += t * h;
    }
    assert!((x.data() - v).abs() <= 1e-12 * v.abs());
    assert!((x0.grad() - dv).abs() <= 1e-9 * dv.abs());
    drop(g);
}

//! The notebook "Manual Backpropagation-2" in Rust: build L = (a*b + c) * f, run backward,
//! and print every value's data and grad, then check each grad with a finite difference
//! as the notebook does by hand.
//!
//! Run it with `cargo run --example notebook`.
use chainrule::Graph;

fn main() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    l.backward();

    println!("{l}");
    println!();
    println!(
        "{:<4} {:>10} {:>10}   finite difference (h = 1e-6)",
        "", "data", "grad"
    );
    for v in [l, d, f, c, e, a, b] {
        // The notebook's check: nudge the value by h, recompute L, see how much it moved.
        let (h, x, before) = (1e-6, v.data(), l.data());
        v.set_data(x + h);
        g.forward_after(v);
        let numeric = (l.data() - before) / h;
        v.set_data(x);
        g.forward_after(v);
        println!(
            "{:<4} {:>10.4} {:>10.4}   {:>10.4}",
            v.label().unwrap_or_default(),
            v.data(),
            v.grad(),
            numeric
        );
    }
}

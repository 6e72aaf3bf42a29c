//! Newton's method on the Rosenbrock function f(x, y) = (1 - x)² + 100·(y - x²)², from the
//! classic start (-1.2, 1), with the gradient and the Hessian recorded on the tape once
//! (`Graph::grad` twice) and replayed at every new point.
//!
//! `cargo run -p chainrule --example newton`

use chainrule::{Graph, Var};

fn main() {
    let g = Graph::new();
    let (x, y) = (g.var("x", -1.2), g.var("y", 1.0));
    let f = ((1.0 - x).powf(2.0) + 100.0 * (y - x * x).powf(2.0)).named("f");
    // The gradient as values on the tape, and the gradient of each of those: the Hessian.
    let grad = g.grad(f, &[x, y]);
    let hess: Vec<Vec<Var>> = grad.iter().map(|d| g.grad(*d, &[x, y])).collect();
    println!("step  x                     y                     f(x, y)");
    for step in 0.. {
        println!(
            "{step:>4}  {:<20}  {:<20}  {:e}",
            x.data(),
            y.data(),
            f.data()
        );
        let (gx, gy) = (grad[0].data(), grad[1].data());
        let (a, b, c, d) = (
            hess[0][0].data(),
            hess[0][1].data(),
            hess[1][0].data(),
            hess[1][1].data(),
        );
        // Solve H·delta = grad (2x2).
        let det = a * d - b * c;
        let (dx, dy) = ((d * gx - b * gy) / det, (a * gy - c * gx) / det);
        if dx.abs() + dy.abs() < 1e-15 || step == 50 {
            break;
        }
        x.set_data(x.data() - dx);
        y.set_data(y.data() - dy);
        g.forward(); // replay f, its gradient and its Hessian at the new point
    }
    println!(
        "minimum at ({}, {}); the tape holds {} values",
        x.data(),
        y.data(),
        g.len()
    );
}

//! Second and higher order, by every path: gradients recorded on the tape
//! (`Graph::grad`) and differentiated again, Hessian-vector products by
//! forward-over-reverse (`Graph::hvp`), full Hessians, and Newton's method.
//!
//! The finite differences here are of the *recorded* first derivative: the gradient's
//! nodes are replayed at x ± h (`set_data` + `forward`), so the check also covers replaying
//! a recorded gradient.

use chainrule::{Graph, Var};
use proptest::prelude::*;

mod random_graph;
use random_graph::{step, Step};

/// A random smooth graph on `leaves`, with shared subexpressions: every op stays in its
/// smooth domain whatever the values, so the graph's structure does not depend on them.
fn build<'g>(g: &'g Graph, leaves: &[f64], steps: &[Step]) -> (Vec<Var<'g>>, Var<'g>) {
    random_graph::build(g, leaves, steps, |s, x, y| {
        let sq1 = |v: Var<'g>| v * v + 1.0;
        let v = match s.op {
            0 => x + y,
            1 => x - y,
            2 => x * y,
            3 => x / sq1(y),
            4 => -x * y,
            5 => x * s.c + y,
            6 => s.c - x * x,
            7 => x.tanh(),
            8 => x.sigmoid() * y,
            9 => x.sin() * y.cos(),
            10 => sq1(x).ln(),
            11 => sq1(x).sqrt(),
            12 => sq1(x).powf(s.c),
            13 => g.sum(&[x, y, x]),
            _ => g.dot(&[x, y, x], &[y, y, x]),
        };
        // Bounded, smoothly: keeps finite differences meaningful.
        v.tanh() * 3.0
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The recorded gradient equals backward's grads, bit for bit; its own gradient (the
    /// Hessian) agrees with central differences of the recorded gradient, is symmetric,
    /// and agrees with the Hessian from forward-over-reverse.
    #[test]
    fn hessians_agree_with_differences_of_the_gradient(
        leaves in prop::collection::vec(-1.5f64..1.5, 1..4),
        steps in prop::collection::vec(step(15), 1..16),
    ) {
        let g = Graph::new();
        let (xs, f) = build(&g, &leaves, &steps);
        f.backward();
        let backward: Vec<f64> = xs.iter().map(|x| x.grad()).collect();
        let grad = g.grad(f, &xs);
        let recorded: Vec<f64> = grad.iter().map(|d| d.data()).collect();
        prop_assert_eq!(&recorded, &backward);

        let n = xs.len();
        let h_rec: Vec<Vec<f64>> = grad
            .iter()
            .map(|d| g.grad(*d, &xs).iter().map(|v| v.data()).collect())
            .collect();
        let h_fwd = g.hessian(f, &xs);
        for i in 0..n {
            for j in 0..n {
                prop_assert!(close(h_rec[i][j], h_rec[j][i], 1e-9), "not symmetric {:?}", h_rec);
                prop_assert!(close(h_rec[i][j], h_fwd[i][j], 1e-9), "{:?} vs {:?}", h_rec, h_fwd);
            }
        }
        // Five-point central differences of the recorded gradient, by replay. (The
        // three-point rule's error, h²·f‴/6, reached 2e-5 of H where tanh chains make
        // the third derivative large; this one's is h⁴·f⁽⁵⁾/30.)
        for j in 0..n {
            let x0 = xs[j].data();
            let step = 1e-5 * x0.abs().max(1.0);
            let at = |x: f64| -> Vec<f64> {
                xs[j].set_data(x);
                g.forward();
                grad.iter().map(|d| d.data()).collect()
            };
            let (p1, m1) = (at(x0 + step), at(x0 - step));
            let (p2, m2) = (at(x0 + 2.0 * step), at(x0 - 2.0 * step));
            xs[j].set_data(x0);
            g.forward();
            for i in 0..n {
                let numeric = (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * step);
                prop_assert!(
                    close(h_rec[i][j], numeric, 1e-5),
                    "H[{i}][{j}] = {} but differences give {numeric}", h_rec[i][j]
                );
            }
        }
    }

    /// H·v from forward-over-reverse equals the full Hessian times v.
    #[test]
    fn hvp_is_the_hessian_times_the_vector(
        leaves in prop::collection::vec(-1.5f64..1.5, 1..5),
        steps in prop::collection::vec(step(15), 1..16),
        v in prop::collection::vec(-2.0f64..2.0, 5),
    ) {
        let g = Graph::new();
        let (xs, f) = build(&g, &leaves, &steps);
        let v = &v[..xs.len()];
        let h = g.hessian(f, &xs);
        let r = g.hvp(f, &xs, v);
        for (i, row) in h.iter().enumerate() {
            let hv: f64 = row.iter().zip(v).map(|(a, b)| a * b).sum();
            prop_assert!(close(r.hv[i], hv, 1e-12), "{:?} vs {hv}", r.hv);
        }
    }

    /// Third derivatives of polynomials with small integer coefficients, at integer
    /// points, are exact: every number involved is an integer below 2^53.
    #[test]
    fn third_derivatives_of_polynomials_are_exact(
        coef in prop::collection::vec(-5i32..=5, 1..7),
        x0 in -3i32..=3,
    ) {
        let g = Graph::new();
        let x = g.var("x", x0 as f64);
        // p(x) = Σ a_k x**k, one constant power per term.
        let mut p = g.constant(0.0);
        for (k, &a) in coef.iter().enumerate() {
            p += x.powf(k as f64) * a as f64;
        }
        let d1 = g.grad(p, &[x])[0];
        let d2 = g.grad(d1, &[x])[0];
        let d3 = g.grad(d2, &[x])[0];
        let xf = x0 as f64;
        let (mut e1, mut e2, mut e3) = (0.0, 0.0, 0.0);
        for (k, &a) in coef.iter().enumerate() {
            let (a, k) = (a as f64, k as i32);
            if k >= 1 { e1 += a * k as f64 * xf.powi(k - 1); }
            if k >= 2 { e2 += a * (k * (k - 1)) as f64 * xf.powi(k - 2); }
            if k >= 3 { e3 += a * (k * (k - 1) * (k - 2)) as f64 * xf.powi(k - 3); }
        }
        prop_assert_eq!((d1.data(), d2.data(), d3.data()), (e1, e2, e3));
    }
}

/// `a*a*a` uses `a` three times: the uses add up at every order.
#[test]
fn grad_of_grad_through_reused_operands() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let y = a * a * a;
    let d1 = g.grad(y, &[a])[0];
    let d2 = g.grad(d1, &[a])[0];
    let d3 = g.grad(d2, &[a])[0];
    assert_eq!((d1.data(), d2.data(), d3.data()), (12.0, 12.0, 6.0));
    assert_eq!(g.grad(d3, &[a])[0].data(), 0.0);
    // Through a sum and a dot of the same value.
    let s = g.sum(&[a, a]) * g.dot(&[a], &[a]); // 2a³
    let d = g.grad(s, &[a])[0];
    assert_eq!((d.data(), g.grad(d, &[a])[0].data()), (24.0, 24.0));
}

/// relu'' = 0 (its derivative is the step, whose derivative is 0); abs'' = 0; the kink
/// conventions hold at 0.
#[test]
fn kinks_have_their_conventional_second_derivative() {
    let g = Graph::new();
    for x0 in [-1.5, 0.0, 2.0] {
        let x = g.leaf(x0);
        let y = x.relu() * x; // x² for x > 0, else 0
        let d1 = g.grad(y, &[x])[0];
        let d2 = g.grad(d1, &[x])[0];
        let pos = if x0 > 0.0 { 1.0 } else { 0.0 };
        assert_eq!(d1.data(), 2.0 * x0 * pos, "at {x0}");
        assert_eq!(d2.data(), 2.0 * pos, "at {x0}");
        let a = x.abs();
        assert_eq!(g.grad(g.grad(a, &[x])[0], &[x])[0].data(), 0.0);
    }
}

/// The gradient check covers second order: checking the recorded first derivative
/// compares the second derivative with finite differences of the first, and a kink of
/// the recorded derivative (the step at 0 in relu') is reported as a kink.
#[test]
fn the_gradient_check_checks_a_derivative() {
    let g = Graph::new();
    let x = g.var("x", 0.7);
    let y = (x.tanh() * x.exp()).named("y");
    let d = g.grad(y, &[x])[0].named("dy/dx");
    let check = d.grad_check();
    assert!(check.passed(), "{check}");
    assert_eq!(check.rows.len(), 1);
    let h = g.hessian(y, &[x])[0][0];
    assert!((check.rows[0].analytic - h).abs() < 1e-12);
    let g = Graph::new();
    let x = g.var("x", 0.0);
    let d = g.grad(x.relu() * 3.0, &[x])[0];
    let check = d.grad_check();
    assert_eq!(check.rows[0].verdict, chainrule::Verdict::Kink, "{check}");
}

/// Newton's method on the Rosenbrock function reaches its minimum at (1, 1), with the
/// gradient and Hessian recorded once and replayed at each new point.
#[test]
fn newton_reaches_the_rosenbrock_minimum() {
    let g = Graph::new();
    let (x, y) = (g.var("x", -1.2), g.var("y", 1.0));
    let f = (1.0 - x).powf(2.0) + 100.0 * (y - x * x).powf(2.0);
    let grad = g.grad(f, &[x, y]);
    let hess: Vec<Vec<Var>> = grad.iter().map(|d| g.grad(*d, &[x, y])).collect();
    for _ in 0..50 {
        let (gx, gy) = (grad[0].data(), grad[1].data());
        let [[a, b], [c, d]] = [
            [hess[0][0].data(), hess[0][1].data()],
            [hess[1][0].data(), hess[1][1].data()],
        ];
        let det = a * d - b * c;
        let (dx, dy) = ((d * gx - b * gy) / det, (a * gy - c * gx) / det);
        x.set_data(x.data() - dx);
        y.set_data(y.data() - dy);
        g.forward();
        if dx.abs() + dy.abs() < 1e-14 {
            break;
        }
    }
    assert!((x.data() - 1.0).abs() < 1e-12 && (y.data() - 1.0).abs() < 1e-12);
    assert!(f.data() < 1e-20, "f = {}", f.data());
}

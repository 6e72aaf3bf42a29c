//! One test per op: the value and the gradient against hand-derived references, including
//! the edge points (relu at 0, sqrt at 0, ln at 0 and below, negative bases, division by 0).

use chainrule::Arity;
use chainrule::{Graph, Op, Var};

/// Asserts `a == b`, treating NaN as equal to NaN and allowing `tol` relative error.
fn close(a: f64, b: f64, tol: f64, what: &str) {
    let ok = (a.is_nan() && b.is_nan())
        || a == b
        || (a.is_finite() && b.is_finite() && (a - b).abs() <= tol * b.abs().max(1.0));
    assert!(ok, "{what}: got {a}, expected {b}");
}

/// Applies `f` to a leaf `x`, runs backward and checks value and dvalue/dx.
fn unary(f: impl Fn(Var) -> Var, x: f64, value: f64, grad: f64) {
    let g = Graph::new();
    let xv = g.leaf(x);
    let y = f(xv);
    y.backward();
    close(y.data(), value, 1e-15, &format!("value at {x}"));
    close(xv.grad(), grad, 1e-15, &format!("grad at {x}"));
}

/// Applies `f` to leaves `x`, `y`, runs backward and checks value and both grads.
fn binary(
    f: impl for<'g> Fn(Var<'g>, Var<'g>) -> Var<'g>,
    x: f64,
    y: f64,
    value: f64,
    gx: f64,
    gy: f64,
) {
    let g = Graph::new();
    let (xv, yv) = (g.leaf(x), g.leaf(y));
    let z = f(xv, yv);
    z.backward();
    close(z.data(), value, 1e-15, &format!("value at ({x}, {y})"));
    close(xv.grad(), gx, 1e-15, &format!("d/dx at ({x}, {y})"));
    close(yv.grad(), gy, 1e-15, &format!("d/dy at ({x}, {y})"));
}

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

#[test]
fn add() {
    binary(|x, y| x + y, 2.0, -3.0, -1.0, 1.0, 1.0);
    unary(|x| x + 2.5, 1.0, 3.5, 1.0);
    unary(|x| 2.5 + x, 1.0, 3.5, 1.0);
}

#[test]
fn sub() {
    binary(|x, y| x - y, 2.0, -3.0, 5.0, 1.0, -1.0);
    unary(|x| x - 2.5, 1.0, -1.5, 1.0);
    unary(|x| 2.5 - x, 1.0, 1.5, -1.0);
}

#[test]
fn mul() {
    binary(|x, y| x * y, 2.0, -3.0, -6.0, -3.0, 2.0);
    unary(|x| x * 4.0, 1.5, 6.0, 4.0);
    unary(|x| 4.0 * x, 1.5, 6.0, 4.0);
}

#[test]
fn div() {
    binary(|x, y| x / y, 3.0, -2.0, -1.5, -0.5, -0.75);
    unary(|x| x / 4.0, 3.0, 0.75, 0.25);
    unary(|x| 6.0 / x, 3.0, 2.0, -6.0 / 9.0);
    // Division by zero follows IEEE 754.
    binary(|x, y| x / y, 1.0, 0.0, INF, INF, -INF);
    binary(|x, y| x / y, 0.0, 0.0, NAN, INF, NAN);
    unary(|x| 1.0 / x, 0.0, INF, -INF);
}

#[test]
fn neg() {
    unary(|x| -x, 2.0, -2.0, -1.0);
}

#[test]
fn pow_const() {
    unary(|x| x.powf(2.0), 3.0, 9.0, 6.0);
    unary(|x| x.powf(3.0), -2.0, -8.0, 12.0);
    unary(|x| x.powf(-1.0), 2.0, 0.5, -0.25);
    unary(|x| x.powf(0.5), 4.0, 2.0, 0.25);
    // A negative base to a fractional power is NaN, never complex.
    unary(|x| x.powf(0.5), -4.0, NAN, NAN);
    // x**0 is 1 with derivative 0 everywhere, including 0.
    unary(|x| x.powf(0.0), 0.0, 1.0, 0.0);
    unary(|x| x.powf(0.5), 0.0, 0.0, INF);
}

#[test]
fn pow_of_two_values() {
    let ln2 = 2f64.ln();
    binary(|x, y| x.pow(y), 2.0, 3.0, 8.0, 12.0, 8.0 * ln2);
    // Negative base, integer exponent: the value is real, d/dy is not (ln of a negative).
    binary(|x, y| x.pow(y), -2.0, 2.0, 4.0, -4.0, NAN);
    binary(|x, y| x.pow(y), -2.0, 0.5, NAN, NAN, NAN);
    // 0**y for y > 0 is 0, with d/dy taken as 0.
    binary(|x, y| x.pow(y), 0.0, 2.0, 0.0, 0.0, 0.0);
}

#[test]
fn exp() {
    let e = 1f64.exp();
    unary(|x| x.exp(), 1.0, e, e);
    unary(|x| x.exp(), 1000.0, INF, INF);
    unary(|x| x.exp(), -1000.0, 0.0, 0.0);
}

#[test]
fn ln() {
    unary(|x| x.ln(), 2.0, 2f64.ln(), 0.5);
    unary(|x| x.log(), 2.0, 2f64.ln(), 0.5);
    unary(|x| x.ln(), 0.0, -INF, INF);
    unary(|x| x.ln(), -1.0, NAN, -1.0);
}

#[test]
fn tanh() {
    let t = 0.5f64.tanh();
    unary(|x| x.tanh(), 0.5, t, 1.0 - t * t);
    unary(|x| x.tanh(), 1000.0, 1.0, 0.0);
    unary(|x| x.tanh(), -1000.0, -1.0, 0.0);
}

#[test]
fn sigmoid() {
    unary(|x| x.sigmoid(), 0.0, 0.5, 0.25);
    let s = 1.0 / (1.0 + (-2f64).exp());
    unary(|x| x.sigmoid(), 2.0, s, s * (1.0 - s));
    unary(|x| x.sigmoid(), 1000.0, 1.0, 0.0);
    unary(|x| x.sigmoid(), -1000.0, 0.0, 0.0);
}

#[test]
fn relu() {
    unary(|x| x.relu(), 3.0, 3.0, 1.0);
    unary(|x| x.relu(), -3.0, 0.0, 0.0);
    // At the kink: value 0, derivative 0 (micrograd's convention).
    unary(|x| x.relu(), 0.0, 0.0, 0.0);
    unary(|x| x.relu(), NAN, NAN, 0.0);
}

#[test]
fn sin_and_cos() {
    unary(|x| x.sin(), 0.7, 0.7f64.sin(), 0.7f64.cos());
    unary(|x| x.cos(), 0.7, 0.7f64.cos(), -(0.7f64.sin()));
}

#[test]
fn sqrt() {
    unary(|x| x.sqrt(), 4.0, 2.0, 0.25);
    unary(|x| x.sqrt(), 0.0, 0.0, INF);
    unary(|x| x.sqrt(), -1.0, NAN, NAN);
}

#[test]
fn abs() {
    unary(|x| x.abs(), -3.0, 3.0, -1.0);
    unary(|x| x.abs(), 2.0, 2.0, 1.0);
    unary(|x| x.abs(), 0.0, 0.0, 0.0);
}

#[test]
fn sum() {
    let g = Graph::new();
    let (a, b) = (g.leaf(2.0), g.leaf(-5.0));
    let s = g.sum(&[a, b, a, a]);
    s.backward();
    assert_eq!((s.data(), a.grad(), b.grad()), (1.0, 3.0, 1.0));
    assert_eq!(s.children().len(), 4);
    assert_eq!(g.sum(&[]).data(), 0.0);
}

#[test]
fn dot() {
    let g = Graph::new();
    let x = [g.leaf(1.0), g.leaf(2.0), g.leaf(3.0)];
    let w = [g.leaf(-1.0), g.leaf(0.5), x[0]];
    let s = g.dot(&x, &w);
    s.backward();
    // 1*-1 + 2*0.5 + 3*1 = 3; x0 appears twice: d/dx0 = w0 + x2 = -1 + 3.
    assert_eq!(s.data(), 3.0);
    assert_eq!([x[0].grad(), x[1].grad(), x[2].grad()], [2.0, 0.5, 1.0]);
    assert_eq!([w[0].grad(), w[1].grad()], [1.0, 2.0]);
}

/// Backward's per-op kernel arms (`Op::kernel`, generated from the table) agree with the
/// op table's `partials` for every op of the table with one or two operands, at many
/// points (the ops come from `Op::ALL`, so a new op is covered without touching this test).
#[test]
fn backward_agrees_with_the_op_table() {
    let points = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.0, 3.7];
    for op in Op::ALL {
        let operands = match op.arity() {
            Arity::Unary | Arity::UnaryConst => 1,
            Arity::Binary => 2,
            Arity::Leaf | Arity::Nary => continue,
        };
        for &x in &points {
            for &y in &points {
                let g = Graph::new();
                let (xv, yv) = (g.leaf(x), g.leaf(y));
                let c = 1.5;
                let z = g.record(op, &[xv, yv][..operands], c);
                assert_eq!(z.op(), op);
                z.backward();
                let cc = z.constant().unwrap_or(0.0);
                let [dx, dy] = op.partials(x, y, cc, z.data());
                let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
                assert!(same(xv.grad(), dx), "{op:?} d/dx at ({x},{y})");
                if operands == 2 {
                    assert!(same(yv.grad(), dy), "{op:?} d/dy at ({x},{y})");
                }
                let value = op.apply(x, y, cc);
                assert!(same(z.data(), value), "{op:?} value");
            }
        }
    }
}

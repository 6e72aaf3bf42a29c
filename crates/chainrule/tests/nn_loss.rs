//! Losses: values and grads against hand-computed numbers, and every loss's grads against
//! central finite differences (leaf values changed with set_data, the graph replayed).
use chainrule::data::Rng;
use chainrule::nn::loss;
use chainrule::{Graph, Leaves, Var};

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * (1.0 + want.abs())
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "entry {i}: got {g}, want {w}");
    }
}

#[test]
fn max_margin_by_hand() {
    let g = Graph::new();
    let s = g.leaves(&[0.5, -2.0, 3.0]);
    let l = loss::max_margin(&s.vars(), &[1.0, 1.0, -1.0]);
    l.backward();
    // relu(1 - 0.5) = 0.5, relu(1 + 2) = 3, relu(1 + 3) = 4
    assert_eq!(l.data(), 7.5 / 3.0);
    assert_all_close(&s.grads(), &[-1.0 / 3.0, -1.0 / 3.0, 1.0 / 3.0], 1e-15);
    // a sample past the margin contributes nothing
    let l = loss::max_margin(&s.vars()[..1], &[-3.0]);
    l.backward();
    assert_eq!((l.data(), s.grads()[0]), (2.5, 3.0));
}

#[test]
fn mse_by_hand() {
    let g = Graph::new();
    let p = g.leaves(&[0.5, -1.0, 2.0]);
    let l = loss::mse(&p.vars(), &[1.0, 1.0, 2.0]);
    l.backward();
    assert!(close(l.data(), (0.25 + 4.0) / 3.0, 1e-15));
    assert_all_close(&p.grads(), &[-1.0 / 3.0, -4.0 / 3.0, 0.0], 1e-15);
}

#[test]
fn binary_cross_entropy_by_hand() {
    let g = Graph::new();
    let z = g.leaves(&[1.0, -2.0]);
    let l = loss::binary_cross_entropy(&z.vars(), &[0.0, 1.0]);
    l.backward();
    // (ln(1 + e) + ln(1 + e^-2) + 2) / 2; grads (σ(z) − y)/2
    assert!(close(l.data(), 1.7200948492805979, 1e-15), "{}", l.data());
    assert_all_close(
        &z.grads(),
        &[0.36552928931500245, -0.4403985389889412],
        1e-15,
    );
}

#[test]
fn binary_cross_entropy_is_finite_for_huge_logits() {
    let g = Graph::new();
    let z = g.leaves(&[1000.0, -1000.0]);
    let l = loss::binary_cross_entropy(&z.vars(), &[0.0, 0.0]);
    l.backward();
    assert_eq!(l.data(), 500.0); // confidently wrong: 1000; confidently right: 0
    assert_eq!(z.grads(), vec![0.5, 0.0]);
}

#[test]
fn softmax_cross_entropy_by_hand() {
    let g = Graph::new();
    let a = g.leaves(&[1.0, 2.0, 3.0]);
    let b = g.leaves(&[0.5, -1.0, 0.0]);
    let l = loss::softmax_cross_entropy(&[a.vars(), b.vars()], &[0, 2]);
    l.backward();
    assert!(close(l.data(), 1.7558682848905545, 1e-15), "{}", l.data());
    assert_all_close(
        &a.grads(),
        &[-0.4549847134148098, 0.12236423552739882, 0.3326204778874109],
        1e-14,
    );
    assert_all_close(
        &b.grads(),
        &[
            0.2732746936330898,
            0.060975826154864424,
            -0.3342505197879543,
        ],
        1e-14,
    );
}

#[test]
fn softmax_cross_entropy_survives_huge_logits() {
    let g = Graph::new();
    let z = g.leaves(&[1000.0, 0.0]);
    let l = loss::softmax_cross_entropy(&[z.vars()], &[1]);
    l.backward();
    assert_eq!(l.data(), 1000.0);
    assert_eq!(z.grads(), vec![1.0, -1.0]);
}

#[test]
fn l2_by_hand() {
    let g = Graph::new();
    let p = g.leaves(&[1.0, -2.0, 0.5]);
    let r = loss::l2(&p.vars(), 1e-4);
    r.backward();
    assert_eq!(r.data(), 5.25 * 1e-4);
    assert_all_close(&p.grads(), &[2e-4, -4e-4, 1e-4], 1e-15);
}

#[test]
fn accuracy_metrics() {
    assert_eq!(
        loss::accuracy_signs(&[1.0, -1.0, 0.0], &[1.0, -1.0, -1.0]),
        1.0
    );
    assert_eq!(loss::accuracy_signs(&[], &[]), 0.0);
    let outs = vec![
        vec![0.0, 1.0, 0.5],
        vec![3.0, 3.0, 1.0],
        vec![-1.0, -2.0, -0.5],
    ];
    assert_eq!(loss::accuracy_argmax(&outs, &[1, 1, 2]), 2.0 / 3.0); // tie goes to the first
    assert_eq!(loss::argmax(&[]), None);
}

/// Checks `out`'s grads with the library's gradient check, then once more by hand: each
/// leaf's grad against `(f(x+h) − f(x−h)) / 2h`, replaying the graph.
fn check_grads<'g>(g: &'g Graph, leaves: Leaves<'g>, out: Var<'g>) {
    let check = out.grad_check();
    assert!(check.passed(), "{:?}", check.rows);
    assert!(check.rows.len() >= leaves.len());
    out.backward();
    let analytic = leaves.grads();
    let x0 = leaves.data();
    for (i, &x) in x0.iter().enumerate() {
        let h = 1e-6 * (1.0 + x.abs());
        let leaf = leaves.get(i);
        leaf.set_data(x + h);
        g.forward();
        let up = out.data();
        leaf.set_data(x - h);
        g.forward();
        let down = out.data();
        leaf.set_data(x);
        g.forward();
        let numeric = (up - down) / (2.0 * h);
        assert!(
            (numeric - analytic[i]).abs() <= 1e-6 * (1.0 + analytic[i].abs()),
            "leaf {i}: analytic {} numeric {numeric}",
            analytic[i]
        );
    }
}

/// `n` values uniform in [−scale, scale).
fn values(rng: &mut Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n).map(|_| rng.uniform(-scale, scale)).collect()
}

#[test]
fn every_loss_matches_finite_differences() {
    let mut rng = Rng::new(42);
    for trial in 0..20 {
        let n = 1 + trial % 5;
        let g = Graph::new();
        // max-margin: keep 1 − y·s away from the kink at 0
        let s: Vec<f64> = values(&mut rng, n, 3.0)
            .into_iter()
            .map(|v| if (1.0 - v).abs() < 0.01 { v + 0.1 } else { v })
            .collect();
        let sv = g.leaves(&s);
        check_grads(&g, sv, loss::max_margin(&sv.vars(), &vec![1.0; n]));

        let p = g.leaves(&values(&mut rng, n, 3.0));
        check_grads(&g, p, loss::mse(&p.vars(), &values(&mut rng, n, 1.0)));

        let z = g.leaves(&values(&mut rng, n, 5.0));
        let y: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        check_grads(&g, z, loss::binary_cross_entropy(&z.vars(), &y));

        let k = 3;
        let zs = g.leaves(&values(&mut rng, n * k, 4.0));
        let rows: Vec<Vec<Var>> = zs.vars().chunks(k).map(|c| c.to_vec()).collect();
        let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
        check_grads(&g, zs, loss::softmax_cross_entropy(&rows, &labels));

        let w = g.leaves(&values(&mut rng, n, 2.0));
        check_grads(&g, w, loss::l2(&w.vars(), 0.3));

        // losses combined, sharing leaves
        let total = loss::mse(&p.vars(), &vec![0.0; n]) + loss::l2(&p.vars(), 0.1);
        check_grads(&g, p, total);
    }
}

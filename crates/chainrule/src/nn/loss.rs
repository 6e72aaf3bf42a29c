//! Losses recorded on the graph (so they backpropagate), L2 regularisation, and accuracy.
//!
//! Every loss is a mean over the samples: `(1/n) · Σ per-sample loss`, recorded as one sum
//! node and one scale, as micrograd writes it.
//!
//! ```
//! use chainrule::nn::loss;
//! use chainrule::Graph;
//! let g = Graph::new();
//! let s = g.leaves(&[2.0, -0.5]);
//! // relu(1 - 1·2) = 0 and relu(1 - (-1)·(-0.5)) = 0.5: mean 0.25
//! let l = loss::max_margin(&s.vars(), &[1.0, -1.0]);
//! l.backward();
//! assert_eq!(l.data(), 0.25);
//! assert_eq!(s.grads(), vec![0.0, 0.5]);
//! ```

use crate::{Graph, Var};

fn graph_of<'g>(vs: &[Var<'g>], what: &str) -> &'g Graph {
    match vs.first() {
        Some(v) => v.graph(),
        None => panic!("chainrule: {what} needs at least one sample"),
    }
}

fn same_len(a: usize, b: usize, what: &str) {
    assert_eq!(
        a, b,
        "chainrule: {what} needs one target per sample ({a} predictions, {b} targets)"
    );
}

/// `(1/n) · Σ terms`.
pub fn mean<'g>(terms: &[Var<'g>]) -> Var<'g> {
    let g = graph_of(terms, "mean");
    g.sum(terms) * (1.0 / terms.len() as f64)
}

/// micrograd's max-margin (hinge) loss: mean of `relu(1 − yᵢ·scoreᵢ)` with labels
/// `yᵢ = ±1`. Per sample three nodes: `score·(−y)`, `+ 1`, relu.
///
/// # Panics
/// When `scores` is empty or `signs` has another length.
pub fn max_margin<'g>(scores: &[Var<'g>], signs: &[f64]) -> Var<'g> {
    same_len(scores.len(), signs.len(), "max_margin");
    let terms: Vec<Var<'g>> = scores
        .iter()
        .zip(signs)
        .map(|(&s, &y)| (s * -y + 1.0).relu())
        .collect();
    mean(&terms)
}

/// Mean squared error: mean of `(predᵢ − targetᵢ)²`.
///
/// ```
/// use chainrule::{nn::loss, Graph};
/// let g = Graph::new();
/// let p = g.leaves(&[1.0, 4.0]);
/// let l = loss::mse(&p.vars(), &[0.0, 2.0]);
/// l.backward();
/// assert_eq!(l.data(), 2.5); // (1 + 4) / 2
/// assert_eq!(p.grads(), vec![1.0, 2.0]); // 2·(p − t)/n
/// ```
///
/// # Panics
/// When `pred` is empty or `target` has another length.
pub fn mse<'g>(pred: &[Var<'g>], target: &[f64]) -> Var<'g> {
    same_len(pred.len(), target.len(), "mse");
    let terms: Vec<Var<'g>> = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| {
            let d = p - t;
            d * d
        })
        .collect();
    mean(&terms)
}

/// Binary cross-entropy on logits `z` (scores before a sigmoid) with labels 0 or 1: mean
/// of `−y·ln σ(z) − (1−y)·ln(1−σ(z)) = ln(1 + eᶻ) − y·z`, computed as
/// `(1−y)·z + ln(1 + e⁻ᶻ)` where `z ≥ 0` and `−y·z + ln(1 + eᶻ)` elsewhere, so large
/// scores never overflow and the gradient is smooth (`σ(z) − y`) everywhere.
///
/// ```
/// use chainrule::{nn::loss, Graph};
/// let g = Graph::new();
/// let z = g.leaves(&[0.0, 800.0]);
/// let l = loss::binary_cross_entropy(&z.vars(), &[1.0, 1.0]);
/// l.backward();
/// assert!((l.data() - 0.5 * 2f64.ln()).abs() < 1e-15); // ln 2 for z = 0, 0 for z = 800
/// assert_eq!(z.grads(), vec![(0.5 - 1.0) / 2.0, 0.0]); // (σ(z) − y)/n
/// ```
///
/// # Panics
/// When `logits` is empty or `labels` has another length.
pub fn binary_cross_entropy<'g>(logits: &[Var<'g>], labels: &[f64]) -> Var<'g> {
    same_len(logits.len(), labels.len(), "binary_cross_entropy");
    let terms: Vec<Var<'g>> = logits
        .iter()
        .zip(labels)
        .map(|(&z, &y)| {
            // ln(1 + e^z) − y·z, with e^(−|z|) so that nothing overflows; the branch is
            // taken when recording (both sides are the same function, so a replay with a
            // changed sign is still exact, only less safe from overflow).
            if z.data() >= 0.0 {
                z * (1.0 - y) + ((-z).exp() + 1.0).ln()
            } else {
                z * -y + (z.exp() + 1.0).ln()
            }
        })
        .collect();
    mean(&terms)
}

/// Softmax cross-entropy for several classes: mean over samples of
/// `ln Σⱼ exp(zⱼ) − z_label`, with the largest logit subtracted first (as a constant,
/// which changes neither value nor gradient) so that `exp` never overflows. A replayed
/// graph keeps the constant of the step it was recorded in: still exact, though no
/// longer guarded against overflow if the logits grow by hundreds.
///
/// ```
/// use chainrule::{nn::loss, Graph};
/// let g = Graph::new();
/// let z = g.leaves(&[1.0, 2.0, 3.0]);
/// let l = loss::softmax_cross_entropy(&[z.vars()], &[2]);
/// l.backward();
/// let e: f64 = [1f64, 2.0, 3.0].iter().map(|z| z.exp()).sum();
/// assert!((l.data() - (e.ln() - 3.0)).abs() < 1e-15);
/// let p2 = 3f64.exp() / e;
/// assert!((z.grads()[2] - (p2 - 1.0)).abs() < 1e-15); // softmax − one-hot
/// ```
///
/// # Panics
/// When there are no samples, `labels` has another length, a sample has no logits, or a
/// label is not below its sample's number of logits.
pub fn softmax_cross_entropy<'g>(logits: &[Vec<Var<'g>>], labels: &[usize]) -> Var<'g> {
    same_len(logits.len(), labels.len(), "softmax_cross_entropy");
    let terms: Vec<Var<'g>> = logits
        .iter()
        .zip(labels)
        .map(|(z, &c)| {
            assert!(
                c < z.len(),
                "chainrule: label {c} needs at least {} logits, found {}",
                c + 1,
                z.len()
            );
            let g = graph_of(z, "softmax_cross_entropy");
            let m = z.iter().map(|v| v.data()).fold(f64::NEG_INFINITY, f64::max);
            let exps: Vec<Var<'g>> = z.iter().map(|&v| (v - m).exp()).collect();
            g.sum(&exps).ln() + m - z[c]
        })
        .collect();
    mean(&terms)
}

/// L2 regularisation `alpha · Σ p²` over `params`, as one fused dot node and a scale.
///
/// ```
/// use chainrule::{nn::loss, Graph};
/// let g = Graph::new();
/// let p = g.leaves(&[3.0, -4.0]);
/// let r = loss::l2(&p.vars(), 0.5);
/// r.backward();
/// assert_eq!(r.data(), 12.5);
/// assert_eq!(p.grads(), vec![3.0, -4.0]); // 2·alpha·p
/// ```
///
/// # Panics
/// When `params` is empty.
pub fn l2<'g>(params: &[Var<'g>], alpha: f64) -> Var<'g> {
    graph_of(params, "l2").dot(params, params) * alpha
}

/// The fraction of samples whose score has the label's sign: `score > 0` exactly when
/// `sign > 0` (micrograd's accuracy). 0 for no samples.
///
/// ```
/// use chainrule::nn::loss::accuracy_signs;
/// assert_eq!(accuracy_signs(&[0.3, -2.0, 0.0, 1.0], &[1.0, -1.0, 1.0, -1.0]), 0.5);
/// ```
pub fn accuracy_signs(scores: &[f64], signs: &[f64]) -> f64 {
    let right = scores
        .iter()
        .zip(signs)
        .filter(|(&s, &y)| (s > 0.0) == (y > 0.0))
        .count();
    right as f64 / scores.len().max(1) as f64
}

/// The fraction of samples whose largest output is at the label's index (the first
/// largest on ties). 0 for no samples.
///
/// ```
/// use chainrule::nn::loss::accuracy_argmax;
/// assert_eq!(accuracy_argmax(&[vec![0.1, 0.9], vec![2.0, -1.0]], &[1, 1]), 0.5);
/// ```
pub fn accuracy_argmax(outputs: &[Vec<f64>], labels: &[usize]) -> f64 {
    let right = outputs
        .iter()
        .zip(labels)
        .filter(|(o, &c)| argmax(o) == Some(c))
        .count();
    right as f64 / outputs.len().max(1) as f64
}

/// The class a model's outputs for one sample stand for: with one output, class 1 when
/// it is positive and 0 otherwise (the sign convention of [`accuracy_signs`]); with
/// several, the index of the largest (as [`accuracy_argmax`]).
///
/// ```
/// use chainrule::nn::loss::class_of;
/// assert_eq!((class_of(&[0.3]), class_of(&[-0.3]), class_of(&[0.1, 2.0, -1.0])), (1, 0, 1));
/// ```
pub fn class_of(outputs: &[f64]) -> usize {
    match outputs {
        [score] => usize::from(*score > 0.0),
        _ => argmax(outputs).unwrap_or(0),
    }
}

/// The index of the first largest value; `None` for an empty slice.
pub fn argmax(xs: &[f64]) -> Option<usize> {
    (0..xs.len()).reduce(|best, i| if xs[i] > xs[best] { i } else { best })
}

//! The line where a score on a grid is 0, by marching squares, joined into polylines.

use std::collections::HashMap;

/// A lattice edge: from point `(r, c)` rightwards (`down == false`) or downwards.
type Edge = (usize, usize, bool);

/// The polylines where `v` (an `n` by `n` grid, row-major) changes sign, in fractional
/// (row, column) lattice coordinates. Squares with a non-finite corner are left out.
pub(crate) fn zero_lines(v: &[f64], n: usize) -> Vec<Vec<(f64, f64)>> {
    let at = |r: usize, c: usize| v[r * n + c];
    let mut point: HashMap<Edge, (f64, f64)> = HashMap::new();
    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    for r in 0..n.saturating_sub(1) {
        for c in 0..n - 1 {
            let corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)];
            let vals = corners.map(|(r, c)| at(r, c));
            if vals.iter().any(|x| !x.is_finite()) {
                continue;
            }
            // The square's edges clockwise from the top, each as the lattice edge it is.
            let edges = [
                (r, c, false),
                (r, c + 1, true),
                (r + 1, c, false),
                (r, c, true),
            ];
            let mut hits = Vec::with_capacity(4);
            for (a, &edge) in edges.iter().enumerate() {
                let b = (a + 1) % 4;
                if (vals[a] > 0.0) != (vals[b] > 0.0) {
                    let t = vals[a] / (vals[a] - vals[b]);
                    let ((ra, ca), (rb, cb)) = (corners[a], corners[b]);
                    point.entry(edge).or_insert((
                        ra as f64 + t * (rb as f64 - ra as f64),
                        ca as f64 + t * (cb as f64 - ca as f64),
                    ));
                    hits.push(edge);
                }
            }
            for pair in hits.chunks_exact(2) {
                segments.push((pair[0], pair[1]));
            }
        }
    }
    join(&segments)
        .into_iter()
        .map(|chain| chain.iter().map(|e| point[e]).collect())
        .collect()
}

/// Joins segments that share an edge into chains of edges.
fn join(segments: &[(Edge, Edge)]) -> Vec<Vec<Edge>> {
    let mut by_edge: HashMap<Edge, Vec<usize>> = HashMap::new();
    for (i, &(a, b)) in segments.iter().enumerate() {
        by_edge.entry(a).or_default().push(i);
        by_edge.entry(b).or_default().push(i);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (a, b) = segments[start];
        let mut chain = vec![a, b];
        // Grow at the end, then turn round and grow at the other end.
        for _ in 0..2 {
            while let Some(&next) = by_edge[chain.last().expect("two edges")]
                .iter()
                .find(|&&i| !used[i])
            {
                used[next] = true;
                let (p, q) = segments[next];
                let end = *chain.last().expect("two edges");
                chain.push(if p == end { q } else { p });
            }
            chain.reverse();
        }
        chains.push(chain);
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_boundary_is_one_polyline_on_the_line() {
        // v = c - r - 0.5: zero on the line c = r + 0.5.
        let n = 20;
        let v: Vec<f64> = (0..n * n)
            .map(|i| (i % n) as f64 - (i / n) as f64 - 0.5)
            .collect();
        let lines = zero_lines(&v, n);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].len() >= n);
        for &(r, c) in &lines[0] {
            assert!((c - r - 0.5).abs() < 1e-12, "({r}, {c})");
        }
    }

    #[test]
    fn a_circle_closes_and_nan_squares_are_left_out() {
        let n = 30;
        let f = |r: usize, c: usize| {
            let (x, y) = (r as f64 - 14.5, c as f64 - 14.5);
            x.hypot(y) - 8.0
        };
        let v: Vec<f64> = (0..n * n).map(|i| f(i / n, i % n)).collect();
        let lines = zero_lines(&v, n);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].first(), lines[0].last(), "closed");
        let mut holed = v.clone();
        holed[14 * n + 6] = f64::NAN;
        assert_eq!(zero_lines(&holed, n).len(), 1, "the hole opens the ring");
        assert_ne!(
            zero_lines(&holed, n)[0].first(),
            zero_lines(&holed, n)[0].last()
        );
        assert!(zero_lines(&[1.0; 4], 2).is_empty());
    }
}

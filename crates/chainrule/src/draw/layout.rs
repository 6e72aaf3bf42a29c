//! A layered layout (after Sugiyama): nodes in columns ("ranks"), a bend point in every
//! column an edge crosses, barycenter sweeps to reduce crossings, then positions along
//! each column that keep nodes apart and edges straight.
//!
//! Its work is bounded by its points (nodes and bend points, [`points`]): building the
//! layered graph is linear in them, and at most [`ORDER_SWEEPS`] sweeps and
//! [`PLACE_PASSES`] passes each visit every point and segment once (plus a sort per
//! column). The caller checks the points before laying out, so no work or memory is
//! spent on a graph over its bound.
//!
//! Coordinates are abstract: `r` runs along the arrows (x for left-to-right drawings),
//! `o` across them. Columns are bands along `r` separated by gaps, and every node sits
//! inside its column's band, so an edge drawn as straight runs through bands (at a bend
//! point's `o`) and curves only inside gaps never passes through a node.

/// What to lay out.
pub(crate) struct Input {
    /// Each node's column.
    pub rank: Vec<usize>,
    /// Each node's extent along `r` and along `o`.
    pub size: Vec<(f64, f64)>,
    /// `(from, to)` with `rank[from] < rank[to]`.
    pub edges: Vec<(usize, usize)>,
    /// Nodes that follow their neighbours without pulling them: a node with other
    /// neighbours on a side is placed by those alone (copies of values, which would
    /// otherwise pull a chain into a staircase).
    pub light: Vec<bool>,
    /// Space between columns.
    pub rank_gap: f64,
    /// Space between neighbouring nodes of a column.
    pub node_gap: f64,
}

/// Where everything went.
pub(crate) struct Layout {
    /// Centre of each node.
    pub center: Vec<(f64, f64)>,
    /// Each column's band along `r`: start and end.
    pub bands: Vec<(f64, f64)>,
    /// Edge `e`'s bend points along `o`, one per column strictly between its ends:
    /// `bend_o[bend_start[e]..bend_start[e + 1]]`.
    pub bend_start: Vec<usize>,
    /// See `bend_start`.
    pub bend_o: Vec<f64>,
    /// Extent of the whole drawing along `r` and `o` (everything lies in `0..extent`).
    pub extent: (f64, f64),
}

/// Sweeps of crossing reduction, at most (fewer once one finds no crossing, or four in
/// a row find no better order).
const ORDER_SWEEPS: usize = 12;
/// Passes of position refinement.
const PLACE_PASSES: usize = 8;
/// How much a light node's wish counts, against 1 for a node (a light node gives way).
const LIGHT_WEIGHT: f64 = 1e-3;
/// Space between a bend point and its neighbours (in place of `node_gap`).
const BEND_GAP: f64 = 8.0;

/// The layered graph: real nodes then one bend point per column crossed, and the
/// unit-length segments between them in both directions (compressed rows).
struct Layered {
    n_real: usize,
    rank: Vec<usize>,
    preds: Csr,
    succs: Csr,
    layers: Vec<Vec<usize>>,
}

/// Adjacency lists as compressed rows.
struct Csr {
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Csr {
    fn new(n: usize, pairs: &[(usize, usize)]) -> Csr {
        let mut start = vec![0; n + 1];
        for &(a, _) in pairs {
            start[a + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0; pairs.len()];
        for &(a, b) in pairs {
            items[fill[a]] = b;
            fill[a] += 1;
        }
        Csr { start, items }
    }

    fn of(&self, i: usize) -> &[usize] {
        &self.items[self.start[i]..self.start[i + 1]]
    }
}

/// How many points laying out `input` places: its nodes, and a bend point in every
/// column an edge crosses. Linear in the edges; nothing is allocated.
pub(crate) fn points(input: &Input) -> usize {
    let bends: usize = input
        .edges
        .iter()
        .map(|&(a, b)| input.rank[b] - input.rank[a] - 1)
        .sum();
    input.rank.len() + bends
}

/// Lays out `input`, in work and memory a bounded multiple of its [`points`].
pub(crate) fn layout(input: &Input) -> Layout {
    let (mut lg, bend_start) = layered(input);
    order(&mut lg);
    let (o, extent_o) = place(&lg, input);
    let bands = bands(input, &lg);
    let center = (0..lg.n_real)
        .map(|v| {
            let (s, e) = bands[input.rank[v]];
            ((s + e) / 2.0, o[v])
        })
        .collect();
    let bend_o = o[lg.n_real..].to_vec();
    let extent_r = bands.last().map_or(0.0, |b| b.1);
    Layout {
        center,
        bands,
        bend_start,
        bend_o,
        extent: (extent_r, extent_o),
    }
}

/// Splits every long edge into unit segments through bend points.
fn layered(input: &Input) -> (Layered, Vec<usize>) {
    let n_real = input.rank.len();
    let mut rank = input.rank.clone();
    let mut segments = Vec::with_capacity(input.edges.len());
    let mut bend_start = Vec::with_capacity(input.edges.len() + 1);
    for &(a, b) in &input.edges {
        bend_start.push(rank.len() - n_real);
        let mut prev = a;
        for r in input.rank[a] + 1..input.rank[b] {
            rank.push(r);
            segments.push((prev, rank.len() - 1));
            prev = rank.len() - 1;
        }
        segments.push((prev, b));
    }
    bend_start.push(rank.len() - n_real);
    let n = rank.len();
    let succs = Csr::new(n, &segments);
    let back: Vec<(usize, usize)> = segments.iter().map(|&(a, b)| (b, a)).collect();
    let preds = Csr::new(n, &back);
    let columns = rank.iter().max().map_or(0, |m| m + 1);
    let mut layers = vec![Vec::new(); columns];
    for (v, &r) in rank.iter().enumerate() {
        layers[r].push(v);
    }
    let lg = Layered {
        n_real,
        rank,
        preds,
        succs,
        layers,
    };
    (lg, bend_start)
}

/// Orders each column by barycenter sweeps, keeping the order with fewest crossings.
fn order(lg: &mut Layered) {
    let mut pos = vec![0usize; lg.rank.len()];
    set_positions(&lg.layers, &mut pos);
    let mut best = lg.layers.clone();
    let mut best_cross = crossings(lg, &pos);
    let mut stale = 0;
    for sweep in 0..ORDER_SWEEPS {
        if best_cross == 0 || stale >= 4 {
            break;
        }
        let down = sweep % 2 == 0;
        let columns: Vec<usize> = if down {
            (1..lg.layers.len()).collect()
        } else {
            (0..lg.layers.len().saturating_sub(1)).rev().collect()
        };
        for c in columns {
            sort_column(lg, &mut pos, c, down);
        }
        let cross = crossings(lg, &pos);
        if cross < best_cross {
            best_cross = cross;
            best = lg.layers.clone();
            stale = 0;
        } else {
            stale += 1;
        }
    }
    lg.layers = best;
}

fn set_positions(layers: &[Vec<usize>], pos: &mut [usize]) {
    for layer in layers {
        for (k, &v) in layer.iter().enumerate() {
            pos[v] = k;
        }
    }
}

/// Sorts column `c` by the mean relative position of each node's neighbours on the side
/// the sweep comes from (the other side for a node with none there).
fn sort_column(lg: &mut Layered, pos: &mut [usize], c: usize, down: bool) {
    let rel = |v: usize, pos: &[usize]| {
        let len = lg.layers[lg.rank[v]].len() as f64;
        (pos[v] as f64 + 0.5) / len
    };
    let mut keyed: Vec<(f64, usize, usize)> = lg.layers[c]
        .iter()
        .map(|&v| {
            let (near, far) = if down {
                (lg.preds.of(v), lg.succs.of(v))
            } else {
                (lg.succs.of(v), lg.preds.of(v))
            };
            let ns = if near.is_empty() { far } else { near };
            let key = if ns.is_empty() {
                rel(v, pos)
            } else {
                ns.iter().map(|&u| rel(u, pos)).sum::<f64>() / ns.len() as f64
            };
            (key, pos[v], v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (k, &(_, _, v)) in keyed.iter().enumerate() {
        lg.layers[c][k] = v;
        pos[v] = k;
    }
}

/// Edge crossings between all neighbouring columns: inversions counted with a Fenwick tree.
fn crossings(lg: &Layered, pos: &[usize]) -> usize {
    let mut total = 0;
    let mut pairs = Vec::new();
    for c in 0..lg.layers.len().saturating_sub(1) {
        pairs.clear();
        for &u in &lg.layers[c] {
            for &v in lg.succs.of(u) {
                pairs.push((pos[u], pos[v]));
            }
        }
        pairs.sort_unstable();
        let mut tree = vec![0usize; lg.layers[c + 1].len() + 1];
        for (seen, &(_, pv)) in pairs.iter().enumerate() {
            // Earlier edges ending strictly after pv cross this one.
            let mut at_most = 0;
            let mut i = pv + 1;
            while i > 0 {
                at_most += tree[i];
                i &= i - 1;
            }
            total += seen - at_most;
            let mut i = pv + 1;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

/// Positions along `o`: packed columns, then passes that pull each node towards its
/// neighbours while keeping the column's order and gaps. Returns positions and extent.
fn place(lg: &Layered, input: &Input) -> (Vec<f64>, f64) {
    let n = lg.rank.len();
    let size_o = |v: usize| if v < lg.n_real { input.size[v].1 } else { 0.0 };
    let gap = |a: usize, b: usize| {
        if a < lg.n_real && b < lg.n_real {
            input.node_gap
        } else {
            BEND_GAP
        }
    };
    let sep = |a: usize, b: usize| (size_o(a) + size_o(b)) / 2.0 + gap(a, b);
    let mut o = vec![0.0; n];
    for layer in &lg.layers {
        let mut at = 0.0;
        for (k, &v) in layer.iter().enumerate() {
            if k > 0 {
                at += sep(layer[k - 1], v);
            }
            o[v] = at;
        }
        for &v in layer {
            o[v] -= at / 2.0;
        }
    }
    let mut desired = Vec::new();
    for pass in 0..PLACE_PASSES {
        let down = pass % 2 == 0;
        let columns: Vec<usize> = if down {
            (0..lg.layers.len()).collect()
        } else {
            (0..lg.layers.len()).rev().collect()
        };
        for c in columns {
            let layer = &lg.layers[c];
            desired.clear();
            for &v in layer {
                let (near, far) = if down {
                    (lg.preds.of(v), lg.succs.of(v))
                } else {
                    (lg.succs.of(v), lg.preds.of(v))
                };
                let ns = if near.is_empty() { far } else { near };
                let is_light = |u: usize| input.light.get(u).copied().unwrap_or(false);
                // Light nodes give way: the column packs around the others.
                let weight = match (v < lg.n_real, is_light(v)) {
                    (true, false) => 1.0,
                    (true, true) => LIGHT_WEIGHT,
                    (false, _) => 4.0,
                };
                let heavy = |u: &&usize| !is_light(**u);
                let pull = ns.iter().filter(heavy).count();
                let want = if ns.is_empty() {
                    o[v]
                } else if pull == 0 {
                    ns.iter().map(|&u| o[u]).sum::<f64>() / ns.len() as f64
                } else {
                    ns.iter().filter(heavy).map(|&u| o[u]).sum::<f64>() / pull as f64
                };
                desired.push((want, weight));
            }
            let seps: Vec<f64> = layer.windows(2).map(|w| sep(w[0], w[1])).collect();
            let placed = isotonic(&desired, &seps);
            for (k, &v) in layer.iter().enumerate() {
                o[v] = placed[k];
            }
        }
    }
    let lo = (0..n)
        .map(|v| o[v] - size_o(v) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let hi = (0..n)
        .map(|v| o[v] + size_o(v) / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    if n == 0 {
        return (o, 0.0);
    }
    for x in &mut o {
        *x -= lo;
    }
    (o, hi - lo)
}

/// Positions `y` closest (weighted least squares) to `desired` with
/// `y[k+1] - y[k] >= seps[k]`: pool-adjacent-violators on `y - offset`.
fn isotonic(desired: &[(f64, f64)], seps: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(desired.len());
    let mut at = 0.0;
    for k in 0..desired.len() {
        if k > 0 {
            at += seps[k - 1];
        }
        offset.push(at);
    }
    // Blocks of (weight, weighted sum, count, mean): the mean divided out once, when
    // the block is made, not at every comparison (the divisions were this loop's time).
    let mut blocks: Vec<(f64, f64, usize, f64)> = Vec::with_capacity(desired.len());
    for (k, &(want, w)) in desired.iter().enumerate() {
        let s = w * (want - offset[k]);
        blocks.push((w, s, 1, s / w));
        while blocks.len() > 1 {
            let (w2, s2, c2, m2) = blocks[blocks.len() - 1];
            let (w1, s1, c1, m1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            let (w, s) = (w1 + w2, s1 + s2);
            *blocks.last_mut().expect("two blocks") = (w, s, c1 + c2, s / w);
        }
    }
    let mut y = Vec::with_capacity(desired.len());
    for (_, _, c, z) in blocks {
        for _ in 0..c {
            y.push(z + offset[y.len()]);
        }
    }
    y
}

/// Each column's band along `r`: as wide as its widest node, then a gap that widens
/// with the number of edges crossing it, so dense fans stay legible.
fn bands(input: &Input, lg: &Layered) -> Vec<(f64, f64)> {
    let columns = lg.layers.len();
    let mut width = vec![0.0f64; columns];
    for (v, &r) in input.rank.iter().enumerate() {
        width[r] = width[r].max(input.size[v].0);
    }
    let mut at = 0.0;
    (0..columns)
        .map(|c| {
            let band = (at, at + width[c]);
            let crossing: usize = lg.layers[c].iter().map(|&v| lg.succs.of(v).len()).sum();
            at += width[c] + input.rank_gap + (0.75 * crossing as f64).min(48.0);
            band
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_keeps_gaps_and_order() {
        // Both want 0: they split the difference around it.
        let y = isotonic(&[(0.0, 1.0), (0.0, 1.0)], &[10.0]);
        assert_eq!(y, vec![-5.0, 5.0]);
        // Already far enough apart: untouched.
        let y = isotonic(&[(0.0, 1.0), (30.0, 1.0)], &[10.0]);
        assert_eq!(y, vec![0.0, 30.0]);
        // A heavy node moves less.
        let y = isotonic(&[(0.0, 3.0), (0.0, 1.0)], &[8.0]);
        assert_eq!(y, vec![-2.0, 6.0]);
    }

    #[test]
    fn crossing_reduction_untangles_a_swap() {
        // Two columns of two, wired crosswise: ordering must remove the crossing.
        let input = Input {
            rank: vec![0, 0, 1, 1],
            size: vec![(10.0, 10.0); 4],
            edges: vec![(0, 3), (1, 2)],
            light: vec![false; 4],
            rank_gap: 10.0,
            node_gap: 5.0,
        };
        let (mut lg, _) = layered(&input);
        let mut pos = vec![0; 4];
        set_positions(&lg.layers, &mut pos);
        assert_eq!(crossings(&lg, &pos), 1);
        order(&mut lg);
        set_positions(&lg.layers, &mut pos);
        assert_eq!(crossings(&lg, &pos), 0);
    }

    #[test]
    fn long_edges_get_one_bend_per_column_crossed() {
        let input = Input {
            rank: vec![0, 3],
            size: vec![(10.0, 10.0); 2],
            edges: vec![(0, 1)],
            light: vec![false; 2],
            rank_gap: 10.0,
            node_gap: 5.0,
        };
        let l = layout(&input);
        assert_eq!(l.bend_start, vec![0, 2]);
        assert_eq!(l.bands.len(), 4);
        assert_eq!(points(&input), 2 + 2);
    }
}

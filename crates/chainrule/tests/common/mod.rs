//! Graphs and an SVG reader shared by the drawing tests.
#![allow(dead_code)]

use chainrule::{Graph, Var};
use std::collections::HashMap;

/// The notebook's graph, after backward.
pub fn notebook(g: &Graph) -> Var<'_> {
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    l.backward();
    l
}

/// A 2-4-1 tanh MLP on four samples with an MSE loss (about 100 values), after backward.
pub fn mlp(g: &Graph) -> Var<'_> {
    let w1: Vec<Vec<Var>> = (0..4)
        .map(|j| {
            (0..2)
                .map(|i| g.leaf(0.3 * (j as f64 - i as f64) - 0.2))
                .collect()
        })
        .collect();
    let b1: Vec<Var> = (0..4).map(|j| g.leaf(0.1 * j as f64)).collect();
    let w2: Vec<Var> = (0..4).map(|j| g.leaf(0.5 - 0.25 * j as f64)).collect();
    let b2 = g.leaf(-0.1);
    let data = [
        ([2.0, 3.0], 1.0),
        ([3.0, -1.0], -1.0),
        ([0.5, 1.0], -1.0),
        ([1.0, 1.0], 1.0),
    ];
    let errs: Vec<Var> = data
        .iter()
        .map(|(x, y)| {
            let x: Vec<Var> = x.iter().map(|&v| g.leaf(v)).collect();
            let h: Vec<Var> = (0..4).map(|j| (g.dot(&w1[j], &x) + b1[j]).tanh()).collect();
            ((g.dot(&w2, &h) + b2).tanh() - *y).powf(2.0)
        })
        .collect();
    let loss = (g.sum(&errs) * 0.25).named("loss");
    loss.backward();
    loss
}

/// A seeded random expression graph of about `n` values with operands from a window of
/// `window` recent values: leaves, `+ * tanh`, `* 0.5`, and `a + a` now and then.
pub fn random(g: &Graph, n: usize, window: usize, mut seed: u64) -> Var<'_> {
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m
    };
    let mut vals: Vec<Var> = Vec::new();
    let mut used: Vec<bool> = Vec::new();
    while vals.len() + 1 < n.max(3) {
        let len = vals.len();
        // A value about to leave the window unused is used now, so most values count.
        let leaving = len >= window && !used[len - window];
        let v = if len < 2 || (!leaving && next(4) == 0) {
            g.var(&format!("x{len}"), next(2000) as f64 / 1000.0 - 1.0)
        } else {
            let w = len.min(window);
            let ia = if leaving {
                len - window
            } else {
                len - 1 - next(w)
            };
            let ib = len - 1 - next(w);
            used[ia] = true;
            let (a, b) = (vals[ia], vals[ib]);
            let op = next(7);
            used[ib] |= op >= 3;
            match op {
                0 => a.tanh(),
                1 => a * 0.5,
                2 => a + a,
                3 => a * b,
                _ => a + b,
            }
        };
        vals.push(v);
        used.push(false);
    }
    let k = vals.len().min(window);
    let out = g.sum(&vals[vals.len() - k..]).named("out");
    out.backward();
    out
}

/// A point.
pub type Pt = (f64, f64);
/// A bounding box: x0, y0, x1, y1.
pub type BBox = (f64, f64, f64, f64);

/// A drawn node's shape.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// x, y, width, height
    Box(f64, f64, f64, f64),
    /// cx, cy, rx, ry
    Ellipse(f64, f64, f64, f64),
}

impl Shape {
    pub fn bbox(self) -> (f64, f64, f64, f64) {
        match self {
            Shape::Box(x, y, w, h) => (x, y, x + w, y + h),
            Shape::Ellipse(cx, cy, rx, ry) => (cx - rx, cy - ry, cx + rx, cy + ry),
        }
    }

    /// Whether `(px, py)` lies on the border, within `tol` pixels.
    pub fn on_border(self, px: f64, py: f64, tol: f64) -> bool {
        match self {
            Shape::Box(x, y, w, h) => {
                let inside_x = px >= x - tol && px <= x + w + tol;
                let inside_y = py >= y - tol && py <= y + h + tol;
                let near_v = (px - x).abs() <= tol || (px - x - w).abs() <= tol;
                let near_h = (py - y).abs() <= tol || (py - y - h).abs() <= tol;
                (near_v && inside_y) || (near_h && inside_x)
            }
            Shape::Ellipse(cx, cy, rx, ry) => {
                let r = (((px - cx) / rx).powi(2) + ((py - cy) / ry).powi(2)).sqrt();
                (r - 1.0).abs() * rx.min(ry) <= tol
            }
        }
    }

    /// Whether `(px, py)` is inside, more than `margin` pixels from the border.
    pub fn strictly_inside(self, px: f64, py: f64, margin: f64) -> bool {
        match self {
            Shape::Box(x, y, w, h) => {
                px > x + margin && px < x + w - margin && py > y + margin && py < y + h - margin
            }
            Shape::Ellipse(cx, cy, rx, ry) => {
                let (rx, ry) = (rx - margin, ry - margin);
                rx > 0.0 && ry > 0.0 && ((px - cx) / rx).powi(2) + ((py - cy) / ry).powi(2) < 1.0
            }
        }
    }
}

/// An edge as drawn: its ends' ids, its path's points, its arrowhead's tip.
#[derive(Debug)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Segments: each a list of control points starting at the previous end.
    pub segments: Vec<Vec<(f64, f64)>>,
    pub start: (f64, f64),
    pub tip: (f64, f64),
    pub lit: bool,
}

impl Edge {
    /// Points along the whole path, `per` per segment.
    pub fn samples(&self, per: usize) -> Vec<(f64, f64)> {
        let mut at = self.start;
        let mut out = vec![at];
        for seg in &self.segments {
            for k in 1..=per {
                let t = k as f64 / per as f64;
                let p = match seg.len() {
                    1 => lerp(at, seg[0], t),
                    3 => cubic(at, seg[0], seg[1], seg[2], t),
                    n => panic!("segment of {n} points"),
                };
                out.push(p);
            }
            at = *seg.last().unwrap();
        }
        out
    }
}

fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn cubic(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let f = |a: f64, b: f64, c: f64, d: f64| {
        u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
    };
    (f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1))
}

/// What an SVG drawing holds.
pub struct Drawing {
    pub width: f64,
    pub height: f64,
    pub shapes: HashMap<String, Shape>,
    /// Value id -> the texts of its cells, in order.
    pub cells: HashMap<String, Vec<String>>,
    /// Value id -> its class attribute.
    pub classes: HashMap<String, String>,
    pub boxes: usize,
    pub ellipses: usize,
    pub edges: Vec<Edge>,
    /// The simpler layout's copies: the id of the value each copies (`n5`), its box and
    /// its cells.
    pub copies: Vec<(String, Shape, Vec<String>)>,
    /// The drawing's `<desc>`, if any.
    pub desc: Option<String>,
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

fn point(s: &str) -> (f64, f64) {
    let (x, y) = s
        .split_once(',')
        .unwrap_or_else(|| panic!("not a point: {s:?}"));
    (num(x), num(y))
}

fn attr(n: roxmltree::Node, name: &str) -> f64 {
    num(n
        .attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {n:?}")))
}

/// Reads an SVG drawing made by chainrule (panics on anything unexpected).
pub fn parse(svg: &str) -> Drawing {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let root = doc.root_element();
    let mut d = Drawing {
        width: attr(root, "width"),
        height: attr(root, "height"),
        shapes: HashMap::new(),
        cells: HashMap::new(),
        classes: HashMap::new(),
        boxes: 0,
        ellipses: 0,
        edges: Vec::new(),
        copies: Vec::new(),
        desc: root
            .children()
            .find(|n| n.has_tag_name("desc"))
            .map(|n| n.text().unwrap_or_default().to_string()),
    };
    // Elements come grouped in chunks (plain `<g>`s, no class) at the top level.
    let groups = root
        .children()
        .filter(|n| n.has_tag_name("g"))
        .flat_map(|n| match n.attribute("class") {
            Some(_) => vec![n],
            None => n.children().filter(|c| c.has_tag_name("g")).collect(),
        });
    for g in groups {
        let class = g.attribute("class").unwrap_or_default();
        let kids: Vec<roxmltree::Node> = g.children().filter(|n| n.is_element()).collect();
        let record = || {
            let r = kids.iter().find(|n| n.has_tag_name("rect")).unwrap();
            assert!(r.attribute("class").unwrap().starts_with("box"));
            let shape = Shape::Box(
                attr(*r, "x"),
                attr(*r, "y"),
                attr(*r, "width"),
                attr(*r, "height"),
            );
            let texts: Vec<String> = kids
                .iter()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.text().unwrap_or_default().to_string())
                .collect();
            (shape, texts)
        };
        if class.split(' ').any(|c| c == "value") {
            let id = g.attribute("id").unwrap().to_string();
            d.boxes += 1;
            let (shape, texts) = record();
            d.shapes.insert(id.clone(), shape);
            d.cells.insert(id.clone(), texts);
            d.classes.insert(id, class.to_string());
        } else if class.split(' ').any(|c| c == "copy") {
            assert!(g.attribute("id").is_none(), "a copy has no id of its own");
            let of = format!("n{}", g.attribute("data-copy-of").unwrap());
            let (shape, texts) = record();
            d.copies.push((of, shape, texts));
        } else if class.split(' ').any(|c| c == "op") {
            let e = kids.iter().find(|n| n.has_tag_name("ellipse")).unwrap();
            d.ellipses += 1;
            let shape = Shape::Ellipse(
                attr(*e, "cx"),
                attr(*e, "cy"),
                attr(*e, "rx"),
                attr(*e, "ry"),
            );
            d.shapes
                .insert(g.attribute("id").unwrap().to_string(), shape);
        } else if class.split(' ').any(|c| c == "edge") {
            let path = kids.iter().find(|n| n.has_tag_name("path")).unwrap();
            let poly = kids.iter().find(|n| n.has_tag_name("polygon")).unwrap();
            let (start, segments) = parse_path(path.attribute("d").unwrap());
            let tip = point(poly.attribute("points").unwrap().split(' ').next().unwrap());
            d.edges.push(Edge {
                from: g.attribute("data-from").unwrap().to_string(),
                to: g.attribute("data-to").unwrap().to_string(),
                segments,
                start,
                tip,
                lit: class.split(' ').any(|c| c == "lit"),
            });
        }
    }
    d
}

/// Reads `M x,y L x,y C x,y x,y x,y ...` (absolute commands only).
fn parse_path(d: &str) -> (Pt, Vec<Vec<Pt>>) {
    let mut start = None;
    let mut segments = Vec::new();
    let mut cmd = ' ';
    let mut points = Vec::new();
    let mut flush = |cmd: char, points: &mut Vec<(f64, f64)>, start: &mut Option<(f64, f64)>| {
        match cmd {
            'M' => *start = Some(points[0]),
            'L' | 'C' => segments.push(points.clone()),
            _ => {}
        }
        points.clear();
    };
    for tok in d.split_whitespace() {
        let (c, rest) = match tok.chars().next().unwrap() {
            c @ ('M' | 'L' | 'C') => (Some(c), &tok[1..]),
            _ => (None, tok),
        };
        if let Some(c) = c {
            flush(cmd, &mut points, &mut start);
            cmd = c;
        }
        points.push(point(rest));
    }
    flush(cmd, &mut points, &mut start);
    (start.expect("path starts with M"), segments)
}

/// Checks the geometry rules every drawing must keep, naming the first one broken:
/// one box per value and one ellipse per op, no two nodes (copies included)
/// overlapping, every edge starting on its source's border (or a copy's) and ending
/// (arrow tip) on its target's, and no edge passing through a node.
pub fn check_geometry(d: &Drawing, values: usize, ops: usize) {
    assert_eq!(d.boxes, values, "one box per value");
    assert_eq!(d.ellipses, ops, "one ellipse per op");
    let mut copies_of: HashMap<&String, Vec<Shape>> = HashMap::new();
    for (of, shape, _) in &d.copies {
        copies_of.entry(of).or_default().push(*shape);
    }
    let all: Vec<(&String, Shape)> = d
        .shapes
        .iter()
        .map(|(k, s)| (k, *s))
        .chain(d.copies.iter().map(|(of, s, _)| (of, *s)))
        .collect();
    let mut shapes: Vec<(&String, BBox)> = all.iter().map(|&(k, s)| (k, s.bbox())).collect();
    for (_, (x0, y0, x1, y1)) in &shapes {
        assert!(
            *x0 >= 0.0 && *y0 >= 0.0 && *x1 <= d.width && *y1 <= d.height,
            "node outside the canvas"
        );
    }
    // Overlaps: sweep by left edge.
    shapes.sort_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
    for i in 0..shapes.len() {
        for j in i + 1..shapes.len() {
            let (a, b) = (shapes[i].1, shapes[j].1);
            if b.0 >= a.2 {
                break;
            }
            let overlap_y = a.1 < b.3 && b.1 < a.3;
            assert!(
                !overlap_y,
                "{} and {} overlap: {a:?} {b:?}",
                shapes[i].0, shapes[j].0
            );
        }
    }
    // A grid of 64-pixel cells to find the nodes near a point.
    let cell = 64.0;
    let mut grid: HashMap<(i64, i64), Vec<Shape>> = HashMap::new();
    for (_, s) in &all {
        let (x0, y0, x1, y1) = s.bbox();
        for gx in (x0 / cell) as i64..=(x1 / cell) as i64 {
            for gy in (y0 / cell) as i64..=(y1 / cell) as i64 {
                grid.entry((gx, gy)).or_default().push(*s);
            }
        }
    }
    for e in &d.edges {
        let from = d.shapes[&e.from];
        let to = d.shapes[&e.to];
        let from_copy = copies_of.get(&e.from).into_iter().flatten();
        assert!(
            std::iter::once(&from)
                .chain(from_copy)
                .any(|f| f.on_border(e.start.0, e.start.1, 0.2)),
            "edge {}->{} starts off its source's border: {:?} {from:?}",
            e.from,
            e.to,
            e.start
        );
        assert!(
            to.on_border(e.tip.0, e.tip.1, 0.3),
            "edge {}->{} ends off its target's border: {:?} {to:?}",
            e.from,
            e.to,
            e.tip
        );
        for (px, py) in e.samples(16) {
            if let Some(near) = grid.get(&((px / cell) as i64, (py / cell) as i64)) {
                for s in near {
                    assert!(
                        !s.strictly_inside(px, py, 0.5),
                        "edge {}->{} passes through {s:?} at ({px}, {py})",
                        e.from,
                        e.to
                    );
                }
            }
        }
    }
}

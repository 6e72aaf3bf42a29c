//! Decision boundaries read back from their SVG: points, heat-map colours, the 0 line,
//! ticks, notes, errors and files.
mod plot_support;

use chainrule::{DecisionBoundary, PlotError};
use plot_support::*;
use roxmltree::{Document, Node};

/// A seeded scatter of `n` points in [-2, 2]², labelled by the sign of `x - y`.
fn scatter(n: usize) -> (Vec<(f64, f64)>, Vec<usize>) {
    let mut s = 12345u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
    };
    let points: Vec<(f64, f64)> = (0..n).map(|_| (next(), next())).collect();
    let labels = points
        .iter()
        .map(|&(x, y)| usize::from(x - y > 0.0))
        .collect();
    (points, labels)
}

fn diagonal(x: f64, y: f64) -> f64 {
    x - y
}

/// The fill of the heat-map rectangle under pixel `(px, py)` (the heat map is drawn in
/// cell units, scaled to the plot area).
fn fill_at<'a>(doc: &'a Document, px: f64, py: f64) -> &'a str {
    let f = frame(doc);
    let map = by_class(doc, "heatmap")[0];
    let n: f64 = map.attribute("data-cells").unwrap().parse().unwrap();
    let (cx, cy) = ((px - f.x) / f.w * n, (py - f.y) / f.h * n);
    // Each path is one colour's runs: "M{column} {row}h{run}v1h-{run}z" per run.
    let mut hits = Vec::new();
    for path in map.children().filter(|n| n.has_tag_name("path")) {
        for run in path
            .attribute("d")
            .unwrap()
            .split('M')
            .filter(|r| !r.is_empty())
        {
            let (c, rest) = run.split_once(' ').unwrap();
            let (r, rest) = rest.split_once('h').unwrap();
            let (w, rest) = rest.split_once('v').unwrap();
            assert_eq!(rest, format!("1h-{w}z"));
            let (c, r, w): (f64, f64, f64) =
                (c.parse().unwrap(), r.parse().unwrap(), w.parse().unwrap());
            if cx >= c && cx < c + w && cy >= r && cy < r + 1.0 {
                hits.push(path.attribute("fill").unwrap());
            }
        }
    }
    assert_eq!(hits.len(), 1, "one cell under ({px}, {py})");
    hits[0]
}

fn rgb(hex: &str) -> (u8, u8, u8) {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    (v(1), v(3), v(5))
}

fn points<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    by_class(doc, "point")
}

/// A drawn point's centre: a circle's, or the middle of a cross.
fn centre(n: Node) -> (f64, f64) {
    if n.has_tag_name("circle") {
        return (num(n, "cx"), num(n, "cy"));
    }
    let d = n
        .children()
        .find(|c| c.has_tag_name("path"))
        .unwrap()
        .attribute("d")
        .unwrap();
    let nums: Vec<f64> = d
        .split(['M', 'L', ' '])
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    ((nums[0] + nums[2]) / 2.0, (nums[1] + nums[3]) / 2.0)
}

#[test]
fn every_point_is_drawn_inside_where_it_belongs() {
    let (pts, labels) = scatter(300);
    let svg = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    let drawn = points(&doc);
    assert_eq!(drawn.len(), 300);
    for n in drawn {
        let i: usize = n.attribute("data-index").unwrap().parse().unwrap();
        let (px, py) = centre(n);
        assert!(f.contains(px, py));
        let (ex, ey) = f.pixel(pts[i].0, pts[i].1);
        assert!((px - ex).abs() < 0.1 && (py - ey).abs() < 0.1, "point {i}");
        assert_eq!(n.attribute("data-class").unwrap(), labels[i].to_string());
    }
    assert!(
        by_class(&doc, "miss").is_empty(),
        "the score agrees with every label"
    );
    assert!(texts(&doc, "note").is_empty());
    // The default range pads the data by at least 10% on each side.
    let (x0, x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    assert!(f.x_range.0 <= x0 - 0.1 * (x1 - x0) && f.x_range.1 >= x1 + 0.1 * (x1 - x0));
    for class in ["tick-x", "tick-y"] {
        let t = ticks(&doc, class);
        assert!(
            t.windows(2).all(|w| w[1].2 > w[0].2),
            "{class} increases: {t:?}"
        );
        assert!(
            t[0].2 <= -2.0 && t[t.len() - 1].2 >= 2.0,
            "{class} covers the data: {t:?}"
        );
    }
}

#[test]
fn heat_map_colour_follows_the_sign_of_the_score() {
    let (pts, labels) = scatter(50);
    let svg = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    let cells = by_class(&doc, "heatmap")[0]
        .attribute("data-cells")
        .unwrap();
    assert_eq!(cells, "100");
    let cell = (f.x_range.1 - f.x_range.0) / 100.0;
    let mut checked = 0;
    for i in 0..=20 {
        for j in 0..=20 {
            let x = f.x_range.0 + (f.x_range.1 - f.x_range.0) * (i as f64 + 0.5) / 21.0;
            let y = f.y_range.0 + (f.y_range.1 - f.y_range.0) * (j as f64 + 0.5) / 21.0;
            if (x - y).abs() < 2.0 * cell {
                continue;
            }
            let (px, py) = f.pixel(x, y);
            let (r, _, b) = rgb(fill_at(&doc, px, py));
            if x - y > 0.0 {
                assert!(r > b, "orange below the diagonal at ({x}, {y})");
            } else {
                assert!(b > r, "blue above the diagonal at ({x}, {y})");
            }
            checked += 1;
        }
    }
    assert!(checked > 350);
    // Further from the line, stronger colour.
    let (px, py) = f.pixel(1.9, -1.9);
    let (qx, qy) = f.pixel(0.3, 0.0);
    let strong = rgb(fill_at(&doc, px, py));
    let weak = rgb(fill_at(&doc, qx, qy));
    assert!(strong.2 < weak.2, "{strong:?} vs {weak:?}");
}

#[test]
fn the_zero_line_runs_along_the_diagonal() {
    let (pts, labels) = scatter(50);
    let svg = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    let d = by_class(&doc, "contour")[0].attribute("d").unwrap();
    let nums: Vec<f64> = d
        .split(['M', 'L', ' '])
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    assert!(nums.len() > 100);
    let cell = (f.x_range.1 - f.x_range.0) / 100.0;
    for p in nums.chunks(2) {
        let (x, y) = f.data(p[0], p[1]);
        assert!((x - y).abs() < cell, "({x}, {y}) off the line x = y");
    }
}

#[test]
fn misclassified_points_are_crossed_and_counted() {
    let (pts, mut labels) = scatter(100);
    for l in labels.iter_mut().take(7) {
        *l = 1 - *l;
    }
    let svg = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let misses: Vec<usize> = by_class(&doc, "miss")
        .iter()
        .map(|n| n.attribute("data-index").unwrap().parse().unwrap())
        .collect();
    assert_eq!(misses, (0..7).collect::<Vec<_>>());
    assert_eq!(points(&doc).len(), 100);
    assert!(svg.contains("misclassified: 7 of 100"));
}

#[test]
fn unusable_points_and_cells_are_skipped_with_a_note() {
    let pts = [
        (0.0, 0.0),
        (f64::NAN, 1.0),
        (1.0, f64::INFINITY),
        (0.5, 0.2),
        (5.0, 5.0),
    ];
    let labels = [0, 1, 0, 1, 0];
    let score = |x: f64, y: f64| if x >= 0.5 { f64::NAN } else { x - y };
    let svg = DecisionBoundary::binary(&score, &pts, &labels)
        .unwrap()
        .range((-1.0, 1.0), (-1.0, 1.0))
        .unwrap()
        .resolution(10)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(points(&doc).len(), 2);
    let f = frame(&doc);
    assert_eq!((f.x_range, f.y_range), ((-1.0, 1.0), (-1.0, 1.0)));
    assert_eq!(
        texts(&doc, "note"),
        "2 points skipped: not finite (NaN or ±inf); 1 point outside the plotted range not drawn; \
         30 grid cells grey: the score is not finite"
    );
    let (px, py) = f.pixel(0.9, 0.0);
    assert_eq!(fill_at(&doc, px, py), "#bebebe");
    // The point at (0.5, 0.2) has a NaN score: no prediction, so it counts as missed.
    assert_eq!(by_class(&doc, "miss").len(), 1);
}

#[test]
fn several_classes_get_their_own_pale_regions() {
    let centres = [(0.0, 0.0), (4.0, 0.0), (2.0, 3.0)];
    let pts: Vec<(f64, f64)> = centres
        .iter()
        .flat_map(|&(x, y)| [(x - 0.3, y), (x + 0.3, y + 0.2)])
        .collect();
    let labels = [0, 0, 1, 1, 2, 2];
    let nearest = |x: f64, y: f64| {
        (0..3)
            .min_by(|&a, &b| {
                let d = |k: usize| (x - centres[k].0).hypot(y - centres[k].1);
                d(a).total_cmp(&d(b))
            })
            .unwrap()
    };
    let plot = DecisionBoundary::classes(&nearest, &pts, &labels)
        .unwrap()
        .class_names(&["a", "b", "c"]);
    let svg = plot.to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    assert_eq!(
        by_class(&doc, "heatmap")[0].attribute("data-cells"),
        Some("200")
    );
    let fills: Vec<&str> = centres
        .iter()
        .map(|&(x, y)| {
            let (px, py) = f.pixel(x, y);
            fill_at(&doc, px, py)
        })
        .collect();
    assert!(
        fills[0] != fills[1] && fills[1] != fills[2] && fills[0] != fills[2],
        "{fills:?}"
    );
    for fill in &fills {
        let (r, g, b) = rgb(fill);
        assert!(r.min(g).min(b) > 150, "{fill} is pale");
    }
    // Every cell is one of the three region colours.
    let mut all: Vec<&str> = by_class(&doc, "heatmap")[0]
        .children()
        .filter_map(|n| n.attribute("fill"))
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3);
    assert_eq!(points(&doc).len(), 6);
    assert!(by_class(&doc, "miss").is_empty());
    assert!(by_class(&doc, "contour").is_empty());
    assert!(svg.contains(">a</text>") && svg.contains(">c</text>"));
}

#[test]
fn a_busy_100_by_100_heat_map_stays_well_under_a_megabyte() {
    let (pts, labels) = scatter(500);
    // A score that changes band in nearly every cell: the worst case for merging runs.
    let busy = |x: f64, y: f64| (37.0 * x).sin() * (41.0 * y).cos() * (1.0 + x * y);
    let svg = DecisionBoundary::binary(&busy, &pts, &labels)
        .unwrap()
        .to_svg();
    assert!(svg.len() < 400_000, "{} bytes", svg.len());
    let smooth = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_svg();
    assert!(smooth.len() < 100_000, "{} bytes", smooth.len());
}

#[test]
fn extreme_points_still_make_a_plot() {
    let pts = [(1e308, -1e308), (-1e308, 1e308), (0.0, 0.0)];
    let svg = DecisionBoundary::binary(&diagonal, &pts, &[1, 0, 0])
        .unwrap()
        .resolution(20)
        .unwrap()
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    assert_eq!(points(&doc).len(), 3);
    assert!(points(&doc).iter().all(|n| {
        let (x, y) = centre(*n);
        f.contains(x, y)
    }));
}

#[test]
fn bad_input_is_a_clear_error() {
    let pts = [(0.0, 0.0), (1.0, 1.0)];
    let msg = |e: PlotError| e.to_string();
    let e = DecisionBoundary::binary(&diagonal, &pts, &[0])
        .err()
        .unwrap();
    assert!(msg(e).contains("DecisionBoundary::binary: 2 points but 1 labels"));
    let e = DecisionBoundary::binary(&diagonal, &pts, &[0, 2])
        .err()
        .unwrap();
    assert!(
        msg(e).contains("point 1 has label 2, outside 0..2; two-class plots take labels 0 and 1")
    );
    let class = |_: f64, _: f64| 0usize;
    let e = DecisionBoundary::classes(&class, &pts, &[0, 6])
        .err()
        .unwrap();
    assert!(msg(e).contains("at most 6 classes"));
    let plot = DecisionBoundary::binary(&diagonal, &pts, &[0, 1]).unwrap();
    let e = plot.clone().range((1.0, 0.0), (0.0, 1.0)).err().unwrap();
    assert!(msg(e).contains("DecisionBoundary::range: the x range 1..0"));
    let e = plot
        .clone()
        .range((0.0, 1.0), (0.0, f64::NAN))
        .err()
        .unwrap();
    assert!(msg(e).contains("the y range"));
    assert!(plot.clone().resolution(1).is_err());
    assert!(plot.clone().resolution(501).is_err());
    assert!(matches!(
        plot.save("plot.bmp"),
        Err(PlotError::UnknownFormat(_))
    ));
}

#[test]
fn save_writes_svg_and_png() {
    let dir = std::env::temp_dir().join(format!("chainrule-plot-boundary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pts, labels) = scatter(40);
    let plot = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .resolution(40)
        .unwrap();
    plot.save(dir.join("b.svg")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("b.svg")).unwrap(),
        plot.to_svg()
    );
    let png = plot.clone().size(500, 400).save(dir.join("b.png"));
    if cfg!(feature = "png") {
        png.unwrap();
        assert_eq!(
            png_size(&std::fs::read(dir.join("b.png")).unwrap()),
            (500, 400)
        );
    } else {
        assert!(matches!(png, Err(PlotError::PngUnavailable)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "png")]
#[test]
fn png_has_the_canvas_size() {
    let (pts, labels) = scatter(40);
    let bytes = DecisionBoundary::binary(&diagonal, &pts, &labels)
        .unwrap()
        .to_png()
        .unwrap();
    assert_eq!(png_size(&bytes), (720, 540));
}

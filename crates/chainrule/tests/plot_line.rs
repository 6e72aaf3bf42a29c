//! Line charts read back from their SVG: points, positions, ticks, notes, files.
mod plot_support;

use chainrule::{LineChart, PlotError, Scale};
use plot_support::*;
use proptest::prelude::*;
use roxmltree::Document;

/// The polyline points and marker centres of every series, in pixels.
fn drawn(doc: &Document) -> Vec<Vec<(f64, f64)>> {
    by_class(doc, "series")
        .into_iter()
        .map(|g| {
            let mut pts = Vec::new();
            for n in g.children().filter(|n| n.has_tag_name("polyline")) {
                for p in n.attribute("points").unwrap().split(' ') {
                    let (x, y) = p.split_once(',').unwrap();
                    pts.push((x.parse().unwrap(), y.parse().unwrap()));
                }
            }
            for n in g.children().filter(|n| has_class(n, "marker")) {
                if !pts.contains(&(num(n, "cx"), num(n, "cy"))) {
                    pts.push((num(n, "cx"), num(n, "cy")));
                }
            }
            pts
        })
        .collect()
}

/// Checks tick labels increase along the axis, sit where their values say and cover
/// `lo..=hi`.
fn check_ticks(doc: &Document, class: &str, lo: f64, hi: f64) {
    let f = frame(doc);
    let t = ticks(doc, class);
    assert!(t.len() >= 2, "{class}: {t:?}");
    for w in t.windows(2) {
        assert!(w[1].2 > w[0].2, "{class} labels increase: {t:?}");
    }
    let (first, last) = (t[0].2, t[t.len() - 1].2);
    let slack = 1e-9 * (hi - lo).abs().max(hi.abs());
    assert!(
        first <= lo + slack && last >= hi - slack,
        "{class} {t:?} covers {lo}..{hi}"
    );
    for &(px, py, v) in &t {
        let (ex, ey) = if class == "tick-x" {
            (f.pixel(v, f.y_range.0).0, px)
        } else {
            (f.pixel(f.x_range.0, v).1, py - 12.0 * 0.35)
        };
        let tol = 0.06 + 1e-6 * (f.w + f.h);
        assert!(
            (ex - ey).abs() < tol.max(0.2),
            "{class} {v} at {ey}, expected {ex}"
        );
    }
}

fn loss(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|k| {
            (
                k as f64,
                1.0 / (1.0 + k as f64 / 10.0) * (1.0 + 0.1 * (k as f64).sin()),
            )
        })
        .collect()
}

#[test]
fn every_point_is_drawn_where_it_belongs() {
    let data = loss(100);
    let svg = LineChart::new("loss")
        .x_label("step")
        .y_label("loss")
        .series("loss", data.clone())
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    let d = drawn(&doc);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].len(), 100);
    for (&(x, y), &(px, py)) in data.iter().zip(&d[0]) {
        assert!(f.contains(px, py), "({px}, {py}) outside {f:?}");
        let (ex, ey) = f.pixel(x, y);
        assert!(
            (px - ex).abs() < 0.1 && (py - ey).abs() < 0.1,
            "{x},{y} at {px},{py}, expected {ex},{ey}"
        );
    }
    check_ticks(&doc, "tick-x", 0.0, 99.0);
    let (lo, hi) = data
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    check_ticks(&doc, "tick-y", lo, hi);
    assert_eq!(texts(&doc, "title"), "loss");
    assert_eq!(texts(&doc, "label-x"), "step");
    assert_eq!(texts(&doc, "label-y"), "loss");
    assert!(
        by_class(&doc, "note").is_empty(),
        "nothing skipped, no note"
    );
    assert!(
        by_class(&doc, "legend").is_empty(),
        "one series needs no legend"
    );
}

#[test]
fn nan_and_infinite_points_are_skipped_with_a_note() {
    let mut data = loss(50);
    data[10].1 = f64::NAN;
    data[20].0 = f64::INFINITY;
    data[49].1 = f64::NEG_INFINITY;
    let svg = LineChart::new("").series("loss", data).to_svg();
    let doc = Document::parse(&svg).unwrap();
    let d = drawn(&doc);
    assert_eq!(d[0].len(), 47);
    let series = by_class(&doc, "series")[0];
    assert_eq!(series.attribute("data-points"), Some("47"));
    // The line breaks at each skipped point: three runs.
    assert_eq!(
        series
            .children()
            .filter(|n| n.has_tag_name("polyline"))
            .count(),
        3
    );
    let f = frame(&doc);
    assert!(d[0].iter().all(|&(x, y)| f.contains(x, y)));
    assert!(f.y_range.1.is_finite() && f.y_range.0.is_finite());
    assert_eq!(
        texts(&doc, "note"),
        "3 points skipped: not finite (NaN or ±inf)"
    );
}

#[test]
fn a_single_point_and_equal_values_still_make_an_axis() {
    let svg = LineChart::new("one").series("acc", [(5.0, 0.75)]).to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    let markers = by_class(&doc, "marker");
    assert_eq!(markers.len(), 1, "a lone point is a dot");
    assert!(f.contains(num(markers[0], "cx"), num(markers[0], "cy")));
    assert!(f.x_range.0 < 5.0 && f.x_range.1 > 5.0 && f.y_range.0 < 0.75 && f.y_range.1 > 0.75);
    check_ticks(&doc, "tick-x", 5.0, 5.0);
    check_ticks(&doc, "tick-y", 0.75, 0.75);

    let svg = LineChart::new("flat")
        .series("loss", (0..10).map(|k| (k as f64, 0.0)))
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    check_ticks(&doc, "tick-y", 0.0, 0.0);
    let f = frame(&doc);
    // The flat line runs through the middle of the plot, not along an edge.
    let y = drawn(&doc)[0][0].1;
    assert!((y - (f.y + f.h / 2.0)).abs() < 1.0, "{y} vs {f:?}");
}

#[test]
fn an_empty_chart_says_so() {
    let svg = LineChart::new("nothing yet").to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(texts(&doc, "note"), "no data to plot");
    check_ticks(&doc, "tick-x", 0.0, 1.0);
    let svg = LineChart::new("")
        .series("loss", [(f64::NAN, 1.0)])
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(
        texts(&doc, "note"),
        "1 point skipped: not finite (NaN or ±inf); no data to plot"
    );
}

#[test]
fn log_scale_places_decades_evenly_and_skips_non_positive_values() {
    let data = vec![(0.0, 2.0), (1.0, 0.02), (2.0, 0.0), (3.0, -1.0), (4.0, 0.5)];
    let svg = LineChart::new("")
        .y_scale(Scale::Log)
        .series("loss", data)
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    assert!(f.log_y);
    assert_eq!(
        texts(&doc, "note"),
        "2 points skipped: y ≤ 0 cannot be shown on the log scale"
    );
    let t = ticks(&doc, "tick-y");
    let values: Vec<f64> = t.iter().map(|t| t.2).collect();
    assert_eq!(values, [0.01, 0.1, 1.0, 10.0]);
    // Equal ratios, equal steps.
    let gaps: Vec<f64> = t.windows(2).map(|w| w[0].1 - w[1].1).collect();
    assert!(gaps.iter().all(|g| (g - gaps[0]).abs() < 0.15), "{gaps:?}");
    let d = drawn(&doc);
    assert_eq!(d[0].len(), 3);
    let (_, ey) = f.pixel(0.0, 0.02);
    assert!(d[0].iter().any(|&(_, y)| (y - ey).abs() < 0.1));
}

#[test]
fn the_legend_names_each_series_and_avoids_the_data() {
    let falling = loss(100);
    let rising: Vec<(f64, f64)> = falling.iter().map(|&(x, y)| (x, 1.0 - y)).collect();
    let svg = LineChart::new("")
        .series("loss", falling)
        .series("accuracy", rising)
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let legend = by_class(&doc, "legend");
    assert_eq!(legend.len(), 1);
    let names: Vec<&str> = legend[0]
        .descendants()
        .filter_map(|n| {
            if n.has_tag_name("text") {
                n.text()
            } else {
                None
            }
        })
        .collect();
    assert_eq!(names, ["loss", "accuracy"]);
    let rect = legend[0]
        .children()
        .find(|n| n.has_tag_name("rect"))
        .unwrap();
    let (x, y, w, h) = (
        num(rect, "x"),
        num(rect, "y"),
        num(rect, "width"),
        num(rect, "height"),
    );
    let d = drawn(&doc);
    assert_eq!(d.len(), 2);
    let covered = d
        .iter()
        .flatten()
        .filter(|&&(px, py)| px >= x && px <= x + w && py >= y && py <= y + h)
        .count();
    assert_eq!(covered, 0, "the legend covers no point");
    // The two series get different colours.
    let s = by_class(&doc, "series");
    assert_ne!(s[0].attribute("stroke"), s[1].attribute("stroke"));
}

#[test]
fn text_is_escaped_and_long_titles_fit() {
    let title =
        "loss <&> \"quoted\" and a title far too long to fit on a narrow chart at sixteen pixels";
    let svg = LineChart::new(title)
        .size(240, 180)
        .x_label("a<b")
        .series("x&y", [(0.0, 1.0), (1.0, 2.0)])
        .to_svg();
    let doc = Document::parse(&svg).expect("valid XML");
    let t = texts(&doc, "title");
    assert!(
        t.starts_with("loss <&> \"quoted\"") && t.ends_with('…'),
        "{t}"
    );
    assert_eq!(texts(&doc, "label-x"), "a<b");
}

#[test]
fn save_picks_the_format_by_extension() {
    let dir = std::env::temp_dir().join(format!("chainrule-plot-line-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chart = LineChart::new("loss").series("loss", loss(20));
    chart.save(dir.join("loss.svg")).unwrap();
    let text = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
    assert_eq!(text, chart.to_svg());
    let err = chart.save(dir.join("loss.jpeg")).unwrap_err();
    assert!(matches!(err, PlotError::UnknownFormat(_)));
    assert!(err.to_string().contains(".svg or .png"), "{err}");
    assert!(!dir.join("loss.jpeg").exists());
    let err = chart.save(dir.join("missing/loss.svg")).unwrap_err();
    assert!(matches!(err, PlotError::Io { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("missing/loss.svg") && msg.contains("directory exists"),
        "{msg}"
    );
    let png = chart.save(dir.join("loss.PNG"));
    if cfg!(feature = "png") {
        png.unwrap();
        let bytes = std::fs::read(dir.join("loss.PNG")).unwrap();
        assert_eq!(png_size(&bytes), (640, 400));
    } else {
        assert!(matches!(png, Err(PlotError::PngUnavailable)));
        assert!(!dir.join("loss.PNG").exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn long_runs_are_thinned_to_what_shows() {
    // 100,000 steps of a noisy, falling loss, with one spike.
    let mut s = 7u64;
    let data: Vec<(f64, f64)> = (0..100_000)
        .map(|k| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = (s >> 11) as f64 / (1u64 << 53) as f64;
            let spike = if k == 54_321 { 3.0 } else { 0.0 };
            (
                k as f64,
                1.0 / (1.0 + k as f64 / 1000.0) + 0.1 * noise + spike,
            )
        })
        .collect();
    let svg = LineChart::new("").series("loss", data.clone()).to_svg();
    assert!(svg.len() < 100_000, "{} bytes", svg.len());
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(
        by_class(&doc, "series")[0].attribute("data-points"),
        Some("100000")
    );
    let f = frame(&doc);
    let d = &drawn(&doc)[0];
    assert!(d.len() < 4 * f.w as usize);
    // The outline is kept: the highest and lowest points and both ends are drawn.
    let top = d.iter().fold(f64::MAX, |m, p| m.min(p.1));
    let bottom = d.iter().fold(f64::MIN, |m, p| m.max(p.1));
    let (lo, hi) = data
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    assert!((top - f.pixel(0.0, hi).1).abs() < 0.1 && (bottom - f.pixel(0.0, lo).1).abs() < 0.1);
    let (first, last) = (d[0], d[d.len() - 1]);
    let (ex, ey) = f.pixel(0.0, data[0].1);
    assert!((first.0 - ex).abs() < 0.1 && (first.1 - ey).abs() < 0.1);
    assert!((last.0 - f.pixel(99_999.0, 0.5).0).abs() < 0.1);
    // x increases along the thinned line.
    assert!(d.windows(2).all(|w| w[1].0 >= w[0].0));
}

#[test]
fn extreme_values_still_make_a_chart() {
    let data = [(0.0, 1e308), (1.0, -1e308), (2.0, f64::MAX)];
    let svg = LineChart::new("").series("loss", data).to_svg();
    let doc = Document::parse(&svg).unwrap();
    let f = frame(&doc);
    assert!(drawn(&doc)[0].iter().all(|&(x, y)| f.contains(x, y)));
    let t = ticks(&doc, "tick-y");
    assert!(
        t.first().unwrap().2 <= -1e308 && t.last().unwrap().2 >= 1e308,
        "{t:?}"
    );
}

#[test]
fn whole_number_steps_get_whole_number_ticks() {
    let svg = LineChart::new("")
        .series("loss", [(0.0, 1.0), (1.0, 0.7), (2.0, 0.6)])
        .to_svg();
    let doc = Document::parse(&svg).unwrap();
    let labels: Vec<f64> = ticks(&doc, "tick-x").iter().map(|t| t.2).collect();
    assert_eq!(labels, [0.0, 1.0, 2.0]);
}

#[cfg(feature = "png")]
#[test]
fn png_has_the_canvas_size() {
    let bytes = LineChart::new("acc")
        .size(800, 300)
        .series("acc", loss(30))
        .to_png()
        .unwrap();
    assert_eq!(png_size(&bytes), (800, 300));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever the magnitude and offset, ticks are numbers that increase, cover the data
    /// and sit where they say; every point is inside the plot.
    #[test]
    fn ticks_cover_any_data(
        exp in -8i32..9,
        offset in -5.0f64..5.0,
        ys in prop::collection::vec(-1.0f64..1.0, 1..60),
        x0 in -1000.0f64..1000.0,
        dx in 0.001f64..100.0,
    ) {
        let scale = 10f64.powi(exp);
        let data: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, y)| (x0 + i as f64 * dx, (offset + y) * scale)).collect();
        let svg = LineChart::new("p").series("s", data.clone()).to_svg();
        let doc = Document::parse(&svg).unwrap();
        let f = frame(&doc);
        let d = drawn(&doc);
        prop_assert_eq!(d[0].len(), data.len());
        prop_assert!(d[0].iter().all(|&(x, y)| f.contains(x, y)));
        let (lo, hi) = data.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        check_ticks(&doc, "tick-y", lo, hi);
        check_ticks(&doc, "tick-x", data[0].0, data[data.len() - 1].0);
        let n = ticks(&doc, "tick-y").len();
        prop_assert!((2..=12).contains(&n), "{} y ticks", n);
    }
}

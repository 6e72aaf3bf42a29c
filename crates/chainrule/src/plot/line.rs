//! Line charts: loss and accuracy per step, one or more named series on shared axes.

use super::axis::{self, Axis, Frame};
use super::{esc, plural, PlotError, INK, PALETTE};
use crate::draw::metrics::text_width;
use std::fmt::Write;
use std::path::Path;

/// How the y axis maps values to heights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// Equal steps for equal differences.
    #[default]
    Linear,
    /// Equal steps for equal ratios (base 10); values at or below zero cannot be shown and
    /// are skipped, with a note under the chart.
    Log,
}

/// A line chart of one or more series of `(x, y)` points, e.g. the loss per training step.
///
/// Axes get nice ticks (1, 2 or 5 times a power of ten) that cover the data, light
/// gridlines and titles. Points that are NaN or infinite are skipped (the line breaks
/// there) and a note under the chart says how many; an empty chart, a single point and
/// all-equal values draw sensibly. With two or more series a legend goes into an inside
/// corner of the plot area where it covers no line, or right of the plot when there is
/// none. Series of at most 40 points also get a dot per point; runs of more than 2,000
/// points are thinned to their visible outline (first, lowest, highest and last point per
/// pixel column). Whole-number x values (steps) get whole-number ticks.
///
/// ```
/// use chainrule::{LineChart, Scale};
/// let loss: Vec<(f64, f64)> = (0..100).map(|k| (k as f64, 1.0 / (1.0 + k as f64 / 10.0))).collect();
/// let chart = LineChart::new("Training loss")
///     .x_label("step")
///     .y_label("loss")
///     .y_scale(Scale::Log)
///     .series("loss", loss);
/// let svg = chart.to_svg();
/// assert!(svg.starts_with("<svg") && svg.contains("Training loss"));
/// ```
#[derive(Clone, Debug)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<(String, Vec<(f64, f64)>)>,
    y_scale: Scale,
    width: u32,
    height: u32,
}

const LEGEND_ROW: f64 = 18.0;

/// A series' drawable points, in runs broken where points were skipped.
type Runs = Vec<Vec<(f64, f64)>>;

/// What survives of one series: runs of drawable points, in pixels.
struct Drawn {
    runs: Vec<Vec<(f64, f64)>>,
    count: usize,
}

impl LineChart {
    /// An empty 640x400 chart with this title (may be empty).
    pub fn new(title: &str) -> LineChart {
        LineChart {
            title: title.to_string(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            y_scale: Scale::Linear,
            width: 640,
            height: 400,
        }
    }

    /// The x axis title, e.g. "step".
    pub fn x_label(mut self, label: &str) -> LineChart {
        self.x_label = label.to_string();
        self
    }

    /// The y axis title, e.g. "loss".
    pub fn y_label(mut self, label: &str) -> LineChart {
        self.y_label = label.to_string();
        self
    }

    /// Linear (the default) or log y axis.
    pub fn y_scale(mut self, scale: Scale) -> LineChart {
        self.y_scale = scale;
        self
    }

    /// The canvas size in pixels (default 640x400; at least 240x180 is used).
    pub fn size(mut self, width: u32, height: u32) -> LineChart {
        self.width = width.max(240);
        self.height = height.max(180);
        self
    }

    /// Adds a series named `name` (shown in the legend when there are two or more).
    pub fn series(mut self, name: &str, points: impl IntoIterator<Item = (f64, f64)>) -> LineChart {
        self.series
            .push((name.to_string(), points.into_iter().collect()));
        self
    }

    /// The chart as SVG text.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width as f64, self.height as f64);
        let log = self.y_scale == Scale::Log;
        let (kept, note) = self.kept(log);
        let (xa, ya) = self.axes(&kept, log);
        let (bw, bh) = self.legend_size();
        let mut f = self.frame(&xa, &ya, !note.is_empty(), 0.0);
        let mut drawn = project(&kept, &f, &xa, &ya);
        let mut spot = None;
        if self.series.len() > 1 {
            spot = free_corner(&f, &drawn, bw, bh);
            if spot.is_none() {
                // Every corner would cover data: put the legend right of the plot.
                f = self.frame(&xa, &ya, !note.is_empty(), bw + 12.0);
                drawn = project(&kept, &f, &xa, &ya);
                spot = Some((f.x + f.w + 12.0, f.y));
            }
        }
        let mut s = String::with_capacity(4096 + 16 * drawn.iter().map(|d| d.count).sum::<usize>());
        super::open(&mut s, w, h);
        super::title(&mut s, &self.title, w);
        axis::grid(&mut s, &f, &xa, &ya, super::GRID, 1.0);
        for (i, d) in drawn.iter().enumerate() {
            self.draw_series(&mut s, i, d);
        }
        axis::axes(&mut s, &f, &xa, &ya, &self.x_label, &self.y_label);
        if let Some((x, y)) = spot {
            self.legend(&mut s, x, y, bw, bh);
        }
        super::note(&mut s, &note, h - 8.0, w);
        s.push_str("</svg>\n");
        s
    }

    /// The plot area, leaving `right` more pixels free on the right.
    fn frame(&self, xa: &Axis, ya: &Axis, note: bool, right: f64) -> Frame {
        let (w, h) = (self.width as f64, self.height as f64);
        let last_x = xa
            .labels
            .last()
            .map_or(0.0, |l| text_width(l, axis::TICK_FONT));
        let top = if self.title.is_empty() { 16.0 } else { 40.0 };
        let left = axis::left_margin(ya, &self.y_label);
        let right = (last_x / 2.0 + 6.0).max(20.0) + right;
        let bottom = axis::bottom_margin(&self.x_label) + if note { 16.0 } else { 0.0 };
        Frame {
            x: left,
            y: top,
            w: (w - left - right).max(40.0),
            h: (h - top - bottom).max(40.0),
        }
    }

    /// The legend's width and height.
    fn legend_size(&self) -> (f64, f64) {
        let text_w = self
            .series
            .iter()
            .map(|(n, _)| text_width(n, 12.0))
            .fold(0.0, f64::max);
        (text_w + 46.0, LEGEND_ROW * self.series.len() as f64 + 10.0)
    }

    /// The drawable points of each series, as runs broken where points were skipped, and
    /// the note saying what was skipped.
    fn kept(&self, log: bool) -> (Vec<Runs>, String) {
        let (mut non_finite, mut non_positive) = (0, 0);
        let kept = self
            .series
            .iter()
            .map(|(_, pts)| {
                let mut runs = vec![Vec::new()];
                for &(x, y) in pts {
                    let ok = x.is_finite() && y.is_finite();
                    if !ok {
                        non_finite += 1;
                    } else if log && y <= 0.0 {
                        non_positive += 1;
                    }
                    if ok && !(log && y <= 0.0) {
                        runs.last_mut().expect("never empty").push((x, y));
                    } else if !runs.last().expect("never empty").is_empty() {
                        runs.push(Vec::new());
                    }
                }
                runs.retain(|r| !r.is_empty());
                runs
            })
            .collect::<Vec<_>>();
        let mut notes = Vec::new();
        if non_finite > 0 {
            notes.push(format!(
                "{non_finite} point{} skipped: not finite (NaN or ±inf)",
                plural(non_finite)
            ));
        }
        if non_positive > 0 {
            notes.push(format!(
                "{non_positive} point{} skipped: y ≤ 0 cannot be shown on the log scale",
                plural(non_positive)
            ));
        }
        if kept.iter().all(|r| r.is_empty()) {
            notes.push("no data to plot".to_string());
        }
        (kept, notes.join("; "))
    }

    /// Axes covering every kept point.
    fn axes(&self, kept: &[Runs], log: bool) -> (Axis, Axis) {
        let pts = || kept.iter().flatten().flatten();
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts() {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, if log { 0.1 } else { 0.0 }, 1.0);
        }
        let (w, h) = (self.width as f64, self.height as f64);
        let mut target_x = ((w - 100.0) / 90.0).clamp(2.0, 10.0);
        // Steps are whole numbers: no tick between two of them.
        if pts().all(|&(x, _)| x.fract() == 0.0) && x1 > x0 {
            target_x = target_x.min(x1 - x0);
        }
        let xa = Axis::linear(x0, x1, target_x, true);
        let ya = if log {
            Axis::log(y0, y1)
        } else {
            Axis::linear(y0, y1, ((h - 100.0) / 55.0).clamp(2.0, 10.0), true).padded(0.03)
        };
        (xa, ya)
    }

    /// Series `i`'s lines, and dots when it has few points or a run is a single point.
    fn draw_series(&self, s: &mut String, i: usize, d: &Drawn) {
        let colour = PALETTE[i % PALETTE.len()];
        let _ = writeln!(
            s,
            r#"<g class="series" data-name="{}" data-points="{}" stroke="{colour}" fill="{colour}">"#,
            esc(&self.series[i].0),
            d.count
        );
        for run in &d.runs {
            if run.len() > 1 {
                let _ = write!(
                    s,
                    r#"<polyline fill="none" stroke-width="2" stroke-linejoin="round" points=""#
                );
                for (k, (x, y)) in run.iter().enumerate() {
                    let sep = if k == 0 { "" } else { " " };
                    let _ = write!(s, "{sep}{x:.1},{y:.1}");
                }
                s.push_str("\"/>\n");
            }
            if run.len() == 1 || d.count <= 40 {
                for (x, y) in run {
                    let _ = writeln!(
                        s,
                        r#"<circle class="marker" cx="{x:.1}" cy="{y:.1}" r="3" stroke="white" stroke-width="1"/>"#
                    );
                }
            }
        }
        s.push_str("</g>\n");
    }

    /// The legend, `bw` by `bh`, at `(x, y)`.
    fn legend(&self, s: &mut String, x: f64, y: f64, bw: f64, bh: f64) {
        let row = LEGEND_ROW;
        let _ = writeln!(
            s,
            r##"<g class="legend"><rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" rx="3" fill="white" fill-opacity="0.9" stroke="#bbbbbb"/>"##
        );
        for (i, (name, _)) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let ly = y + 5.0 + row * (i as f64 + 0.5);
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
                x + 8.0,
                x + 30.0,
                x + 36.0,
                ly + 4.0,
                esc(name)
            );
        }
        s.push_str("</g>\n");
    }

    /// The chart as PNG bytes, rendered in pure Rust with the bundled font. Needs the
    /// `png` feature.
    ///
    /// # Errors
    /// [`PlotError::Render`] if the renderer fails (a bug: please report it).
    #[cfg(feature = "png")]
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        super::png(&self.to_svg())
    }

    /// Writes the chart to `path` as SVG or PNG, as its extension (`.svg`, `.png`) says,
    /// atomically: a failure never leaves a half-written file.
    ///
    /// # Errors
    /// [`PlotError::UnknownFormat`] for another extension, [`PlotError::PngUnavailable`]
    /// for `.png` without the `png` feature, [`PlotError::Io`] when writing fails.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("chainrule-plot-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let chart = chainrule::LineChart::new("loss").series("loss", [(0.0, 1.0), (1.0, 0.5)]);
    /// chart.save(dir.join("loss.svg")).unwrap();
    /// assert!(chart.save(dir.join("loss.pdf")).is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        super::save(path.as_ref(), || self.to_svg())
    }
}

/// Each series' runs in pixels.
fn project(kept: &[Runs], f: &Frame, xa: &Axis, ya: &Axis) -> Vec<Drawn> {
    kept.iter()
        .map(|runs| Drawn {
            count: runs.iter().map(Vec::len).sum(),
            runs: runs
                .iter()
                .map(|r| thin(r.iter().map(|&(x, y)| f.at(xa, ya, x, y)).collect()))
                .collect(),
        })
        .collect()
}

/// A long run (more than 2,000 points) thinned to what can be seen: for each stretch of
/// consecutive points in one pixel column, its first, lowest, highest and last point, in
/// their order. The line looks the same; the file stays small for 100,000 steps.
fn thin(run: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if run.len() <= 2000 {
        return run;
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < run.len() {
        let col = run[start].0.floor();
        let mut end = start + 1;
        while end < run.len() && run[end].0.floor() == col {
            end += 1;
        }
        let stretch = &run[start..end];
        let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
        let lo = stretch.iter().enumerate().min_by(by_y).map_or(0, |p| p.0);
        let hi = stretch.iter().enumerate().max_by(by_y).map_or(0, |p| p.0);
        let mut keep = [0, lo, hi, stretch.len() - 1];
        keep.sort_unstable();
        for (k, &i) in keep.iter().enumerate() {
            if k == 0 || i != keep[k - 1] {
                out.push(stretch[i]);
            }
        }
        start = end;
    }
    out
}

/// The first inside corner of the plot area (top right, top left, bottom right, bottom
/// left) where a `bw` by `bh` legend covers no line, if any.
fn free_corner(f: &Frame, drawn: &[Drawn], bw: f64, bh: f64) -> Option<(f64, f64)> {
    let inset = 8.0;
    let corners = [
        (f.x + f.w - bw - inset, f.y + inset),
        (f.x + inset, f.y + inset),
        (f.x + f.w - bw - inset, f.y + f.h - bh - inset),
        (f.x + inset, f.y + f.h - bh - inset),
    ];
    let covers = |&(cx, cy): &(f64, f64)| {
        let inside = |x: f64, y: f64| x >= cx && x <= cx + bw && y >= cy && y <= cy + bh;
        drawn.iter().flat_map(|d| &d.runs).any(|run| {
            run.iter().any(|&(x, y)| inside(x, y))
                // Sample along each segment so sparse lines count too.
                || run.windows(2).any(|seg| {
                    let ((x0, y0), (x1, y1)) = (seg[0], seg[1]);
                    let k = ((x1 - x0).hypot(y1 - y0) / 4.0).ceil().min(200.0) as usize;
                    (1..k).any(|j| {
                        let t = j as f64 / k as f64;
                        inside(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
                    })
                })
        })
    };
    corners.into_iter().find(|c| !covers(c))
}

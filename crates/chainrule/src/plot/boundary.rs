//! Decision boundaries: a model's answer over a grid of the plane as a heat map, with
//! the data points on top.
//!
//! The heat map is drawn as SVG rectangles, one per run of equal-coloured cells in a row,
//! gathered into one path per colour, in whole cell units. Scores are shown in 8 bands per
//! sign (filled contours), so runs are long: a smooth 100x100 map takes tens of kilobytes,
//! a worst case (every cell a new colour) a few hundred, and the SVG stays plain vector
//! graphics that any viewer shows, with or without the `png` feature.

use super::axis::{self, Axis, Frame};
use super::{esc, plural, PlotError, INK, PALETTE};
use crate::draw::metrics::text_width;
use std::fmt::Write;
use std::path::Path;

/// The most classes a plot tells apart by colour.
const MAX_CLASSES: usize = 6;
/// Colour bands per sign of the score.
const LEVELS: usize = 8;
/// The strongest heat-map colours for negative and positive scores: pale enough that the
/// points (Okabe-Ito blue and orange, dark outlines) stand out on them.
const NEG_END: [u8; 3] = [112, 166, 216];
const POS_END: [u8; 3] = [244, 184, 104];
/// Cells where the model gives no usable answer.
const NO_ANSWER: [u8; 3] = [190, 190, 190];
const WHITE: [u8; 3] = [255, 255, 255];
/// How much of a class colour a multi-class region gets (the rest is white).
const REGION_TINT: f64 = 0.32;

#[derive(Clone, Copy)]
enum Model<'a> {
    Score(&'a dyn Fn(f64, f64) -> f64),
    Classes(&'a dyn Fn(f64, f64) -> usize),
}

/// A model's decision over the plane: a heat map of its answer on a grid of cells, the
/// data points on top coloured by their true class (dark outlines; misclassified ones
/// crossed out), axes, a title and a legend.
///
/// Two ways to ask the model:
/// - [`binary`](DecisionBoundary::binary): a score function; a score above 0 means class
///   1, otherwise class 0. The heat map is a blue-white-orange diverging map centred at 0
///   (readable by most colour-blind people), with a colour bar, and the line where the
///   score is 0 is drawn.
/// - [`classes`](DecisionBoundary::classes): a function returning the predicted class
///   (up to 6 classes); each class's region gets a pale tint of its colour.
///
/// The plotted range is by default the data's bounds padded by 10% on each side and
/// widened to whole tick steps; [`range`](DecisionBoundary::range) sets it. Data points
/// that are not finite or fall outside the range are skipped, and a note under the plot
/// says so, as it does for grid cells where the model's score is not finite (drawn grey).
///
/// ```
/// use chainrule::DecisionBoundary;
/// let points = [(0.0, 1.0), (1.0, 0.0), (0.2, 0.9), (0.8, 0.1)];
/// let labels = [1, 0, 1, 0];
/// let score = |x: f64, y: f64| y - x;
/// let plot = DecisionBoundary::binary(&score, &points, &labels)?
///     .title("y - x")
///     .resolution(50)?;
/// let svg = plot.to_svg();
/// assert_eq!(svg.matches(r#"class="point""#).count(), 4);
/// # Ok::<(), chainrule::PlotError>(())
/// ```
#[derive(Clone)]
pub struct DecisionBoundary<'a> {
    model: Model<'a>,
    points: &'a [(f64, f64)],
    labels: &'a [usize],
    title: String,
    x_label: String,
    y_label: String,
    class_names: Vec<String>,
    range: Option<((f64, f64), (f64, f64))>,
    resolution: usize,
    width: u32,
    height: u32,
}

/// The model's answer in one grid cell.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Score(f64),
    Class(usize),
}

impl<'a> DecisionBoundary<'a> {
    /// A two-class plot of `score` (class 1 where the score is above 0) over `points`,
    /// whose true classes are `labels` (0 or 1, one per point).
    ///
    /// # Errors
    /// [`PlotError::InvalidInput`] when the numbers of points and labels differ or a label
    /// is not 0 or 1.
    pub fn binary(
        score: &'a dyn Fn(f64, f64) -> f64,
        points: &'a [(f64, f64)],
        labels: &'a [usize],
    ) -> Result<DecisionBoundary<'a>, PlotError> {
        check_labels("DecisionBoundary::binary", points, labels, 2)?;
        Ok(Self::with(Model::Score(score), points, labels))
    }

    /// A plot of the classes `predict` gives (0 to 5) over `points`, whose true classes
    /// are `labels` (one per point, 0 to 5). Cells predicted as a class above 5 are grey.
    ///
    /// # Errors
    /// [`PlotError::InvalidInput`] when the numbers of points and labels differ or a label
    /// is 6 or more.
    pub fn classes(
        predict: &'a dyn Fn(f64, f64) -> usize,
        points: &'a [(f64, f64)],
        labels: &'a [usize],
    ) -> Result<DecisionBoundary<'a>, PlotError> {
        check_labels("DecisionBoundary::classes", points, labels, MAX_CLASSES)?;
        let mut plot = Self::with(Model::Classes(predict), points, labels);
        // Class regions merge into few long runs per row, so a finer grid stays small.
        plot.resolution = 200;
        Ok(plot)
    }

    fn with(model: Model<'a>, points: &'a [(f64, f64)], labels: &'a [usize]) -> Self {
        DecisionBoundary {
            model,
            points,
            labels,
            title: "Decision boundary".to_string(),
            x_label: "x".to_string(),
            y_label: "y".to_string(),
            class_names: Vec::new(),
            range: None,
            resolution: 100,
            width: 720,
            height: 540,
        }
    }

    /// The title (default "Decision boundary").
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// The x axis title (default "x").
    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.to_string();
        self
    }

    /// The y axis title (default "y").
    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.to_string();
        self
    }

    /// Names for the classes in the legend, by class number (default "class 0", ...).
    pub fn class_names(mut self, names: &[&str]) -> Self {
        self.class_names = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// The canvas size in pixels (default 720x540; at least 320x240 is used).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width.max(320);
        self.height = height.max(240);
        self
    }

    /// Plots exactly `x.0..x.1` by `y.0..y.1` instead of the padded data bounds.
    ///
    /// # Errors
    /// [`PlotError::InvalidInput`] unless both ranges are finite and increasing.
    pub fn range(mut self, x: (f64, f64), y: (f64, f64)) -> Result<Self, PlotError> {
        for (name, (lo, hi)) in [("x", x), ("y", y)] {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(PlotError::InvalidInput(format!(
                    "DecisionBoundary::range: the {name} range {lo}..{hi} is not a finite, \
                     increasing range; give two finite numbers, the smaller first"
                )));
            }
        }
        self.range = Some((x, y));
        Ok(self)
    }

    /// The heat map's grid: `n` by `n` cells, 2 to 500 (default 100 for
    /// [`binary`](DecisionBoundary::binary), 200 for [`classes`](DecisionBoundary::classes)).
    ///
    /// # Errors
    /// [`PlotError::InvalidInput`] for `n` outside 2..=500.
    pub fn resolution(mut self, n: usize) -> Result<Self, PlotError> {
        if !(2..=500).contains(&n) {
            return Err(PlotError::InvalidInput(format!(
                "DecisionBoundary::resolution: {n} cells per side is outside 2..=500; \
                 100 is plenty for a smooth picture"
            )));
        }
        self.resolution = n;
        Ok(self)
    }

    /// The plot as SVG text.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width as f64, self.height as f64);
        let (xa, ya) = self.axes();
        let grid = self.grid(&xa, &ya);
        let binary = matches!(self.model, Model::Score(_));
        let bar = binary.then(|| colour_bar_axis(&grid));
        let legend = self.legend_entries();
        let (shown, misses, note) = self.points_shown(&xa, &ya, &grid);
        let panel = legend
            .iter()
            .map(|(_, t)| t.as_str())
            .chain([misclassified(misses.len(), shown.len()).as_str()])
            .map(|t| text_width(t, 12.0) + 34.0)
            .chain(bar.as_ref().map(|b| b.label_width() + 46.0))
            .fold(110.0, f64::max);
        let top = if self.title.is_empty() { 16.0 } else { 40.0 };
        let left = axis::left_margin(&ya, &self.y_label);
        let bottom = axis::bottom_margin(&self.x_label) + if note.is_empty() { 0.0 } else { 16.0 };
        let f = Frame {
            x: left,
            y: top,
            w: (w - left - panel - 28.0).max(60.0),
            h: (h - top - bottom).max(60.0),
        };
        let mut s = String::with_capacity(64 * 1024);
        super::open(&mut s, w, h);
        super::title(&mut s, &self.title, w);
        heat_map(&mut s, &f, &grid, bar.as_ref());
        axis::grid(&mut s, &f, &xa, &ya, "#ffffff", 0.6);
        if binary {
            contour(&mut s, &f, &grid);
        }
        self.draw_points(&mut s, &f, &xa, &ya, &shown, &misses);
        axis::axes(&mut s, &f, &xa, &ya, &self.x_label, &self.y_label);
        let lx = f.x + f.w + 20.0;
        let after = self.legend(&mut s, lx, f.y, &legend, misses.len(), shown.len());
        if let Some(bar) = &bar {
            colour_bar(
                &mut s,
                lx,
                after + 18.0,
                (f.y + f.h - after - 30.0).min(180.0),
                bar,
            );
        }
        super::note(&mut s, &note, h - 8.0, w);
        s.push_str("</svg>\n");
        s
    }
}

/// Checks one label per point, each below `classes`.
fn check_labels(
    place: &str,
    points: &[(f64, f64)],
    labels: &[usize],
    classes: usize,
) -> Result<(), PlotError> {
    if points.len() != labels.len() {
        return Err(PlotError::InvalidInput(format!(
            "{place}: {} points but {} labels; give one class label per point",
            points.len(),
            labels.len()
        )));
    }
    if let Some((i, &l)) = labels.iter().enumerate().find(|(_, &l)| l >= classes) {
        let hint = if classes == 2 {
            "two-class plots take labels 0 and 1; use DecisionBoundary::classes for more"
                .to_string()
        } else {
            format!("at most {classes} classes can be told apart by colour")
        };
        return Err(PlotError::InvalidInput(format!(
            "{place}: point {i} has label {l}, outside 0..{classes}; {hint}"
        )));
    }
    Ok(())
}

/// A grid of the model's answers, row 0 at the top (highest y).
struct Grid {
    n: usize,
    cells: Vec<Answer>,
}

impl Grid {
    fn at(&self, r: usize, c: usize) -> Answer {
        self.cells[r * self.n + c]
    }

    fn score(&self, r: usize, c: usize) -> f64 {
        match self.at(r, c) {
            Answer::Score(v) => v,
            Answer::Class(_) => f64::NAN,
        }
    }
}

impl DecisionBoundary<'_> {
    /// The axes: the given range, or the finite data's bounds padded by 10% and widened
    /// to whole tick steps.
    fn axes(&self) -> (Axis, Axis) {
        let (w, h) = (self.width as f64, self.height as f64);
        let (tx, ty) = (
            ((w - 260.0) / 80.0).clamp(2.0, 10.0),
            ((h - 100.0) / 60.0).clamp(2.0, 10.0),
        );
        if let Some(((x0, x1), (y0, y1))) = self.range {
            return (
                Axis::linear(x0, x1, tx, false),
                Axis::linear(y0, y1, ty, false),
            );
        }
        let finite = self
            .points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in finite {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
        }
        let pad = |lo: f64, hi: f64| {
            let (lo, hi) = axis::widen(lo, hi);
            (lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
        };
        let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
        (
            Axis::linear(x0, x1, tx, true),
            Axis::linear(y0, y1, ty, true),
        )
    }

    /// The model's answer at the centre of every cell.
    fn grid(&self, xa: &Axis, ya: &Axis) -> Grid {
        let n = self.resolution;
        let mut cells = Vec::with_capacity(n * n);
        for r in 0..n {
            let y = ya.hi - (r as f64 + 0.5) / n as f64 * (ya.hi - ya.lo);
            for c in 0..n {
                let x = xa.lo + (c as f64 + 0.5) / n as f64 * (xa.hi - xa.lo);
                cells.push(match self.model {
                    Model::Score(f) => Answer::Score(f(x, y)),
                    Model::Classes(f) => Answer::Class(f(x, y)),
                });
            }
        }
        Grid { n, cells }
    }

    /// The class the model predicts at a point, if it gives a usable answer.
    fn predict(&self, x: f64, y: f64) -> Option<usize> {
        match self.model {
            Model::Score(f) => {
                let s = f(x, y);
                (!s.is_nan()).then_some(usize::from(s > 0.0))
            }
            Model::Classes(f) => Some(f(x, y)),
        }
    }

    /// The points to draw (index into the data) and the misclassified ones among them,
    /// and the note on what was skipped.
    fn points_shown(&self, xa: &Axis, ya: &Axis, grid: &Grid) -> (Vec<usize>, Vec<usize>, String) {
        let (mut shown, mut misses) = (Vec::new(), Vec::new());
        let (mut non_finite, mut outside) = (0, 0);
        for (i, &(x, y)) in self.points.iter().enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                non_finite += 1;
            } else if x < xa.lo || x > xa.hi || y < ya.lo || y > ya.hi {
                outside += 1;
            } else {
                shown.push(i);
                if self.predict(x, y) != Some(self.labels[i]) {
                    misses.push(i);
                }
            }
        }
        let mut notes = Vec::new();
        if non_finite > 0 {
            notes.push(format!(
                "{non_finite} point{} skipped: not finite (NaN or ±inf)",
                plural(non_finite)
            ));
        }
        if outside > 0 {
            notes.push(format!(
                "{outside} point{} outside the plotted range not drawn",
                plural(outside)
            ));
        }
        let grey = grid
            .cells
            .iter()
            .filter(|a| match a {
                Answer::Score(v) => !v.is_finite(),
                Answer::Class(k) => *k >= MAX_CLASSES,
            })
            .count();
        if grey > 0 {
            let why = match self.model {
                Model::Score(_) => "the score is not finite",
                Model::Classes(_) => "the predicted class is 6 or more",
            };
            notes.push(format!("{grey} grid cell{} grey: {why}", plural(grey)));
        }
        (shown, misses, notes.join("; "))
    }

    /// The legend's class entries: (class, text).
    fn legend_entries(&self) -> Vec<(usize, String)> {
        let classes = match self.model {
            Model::Score(_) => 2,
            Model::Classes(_) => self.labels.iter().max().map_or(1, |m| m + 1),
        };
        (0..classes)
            .map(|k| {
                let name = self
                    .class_names
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| format!("class {k}"));
                (k, name)
            })
            .collect()
    }

    /// The data points in their true class's colour with dark outlines: a dot when the
    /// model gets it right, a cross when it does not.
    fn draw_points(
        &self,
        s: &mut String,
        f: &Frame,
        xa: &Axis,
        ya: &Axis,
        shown: &[usize],
        misses: &[usize],
    ) {
        let r = if shown.len() > 1000 { 3.0 } else { 4.5 };
        let _ = writeln!(s, r#"<g class="points" stroke="{INK}" stroke-width="1">"#);
        let mut missed = misses.iter().peekable();
        let mut crosses = String::new();
        for &i in shown {
            let (x, y) = self.points[i];
            let (px, py) = f.at(xa, ya, x, y);
            let (k, colour) = (self.labels[i], PALETTE[self.labels[i]]);
            if missed.next_if_eq(&&i).is_some() {
                let _ = writeln!(
                    crosses,
                    r#"<g class="point miss" data-class="{k}" data-index="{i}" fill="none" stroke-linecap="round">{}</g>"#,
                    cross(px, py, r + 0.5, colour)
                );
            } else {
                let _ = writeln!(
                    s,
                    r#"<circle class="point" data-class="{k}" data-index="{i}" cx="{px:.2}" cy="{py:.2}" r="{r}" fill="{colour}"/>"#
                );
            }
        }
        // Crosses last, so that they show on top of the dots.
        s.push_str(&crosses);
        s.push_str("</g>\n");
    }

    /// The legend at `(x, y)`: one entry per class, misclassified, and the 0 line;
    /// returns the y below it.
    fn legend(
        &self,
        s: &mut String,
        x: f64,
        y: f64,
        entries: &[(usize, String)],
        misses: usize,
        shown: usize,
    ) -> f64 {
        let row = 22.0;
        let binary = matches!(self.model, Model::Score(_));
        let _ = writeln!(s, r#"<g class="legend">"#);
        let mut ly = y + 10.0;
        for (k, name) in entries {
            if !binary {
                let _ = write!(
                    s,
                    r#"<rect x="{:.1}" y="{:.1}" width="18" height="18" fill="{}" stroke="{INK}" stroke-width="0.5"/>"#,
                    x - 1.0,
                    ly - 9.0,
                    hex(region(*k))
                );
            }
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{ly:.1}" r="4.5" fill="{}" stroke="{INK}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 8.0,
                PALETTE[*k],
                x + 26.0,
                ly + 4.0,
                esc(name)
            );
            ly += row;
        }
        let _ = writeln!(
            s,
            r#"<g fill="none" stroke-linecap="round">{}</g><text x="{:.1}" y="{:.1}">{}</text>"#,
            cross(x + 8.0, ly, 5.0, "#ffffff"),
            x + 26.0,
            ly + 4.0,
            misclassified(misses, shown)
        );
        ly += row;
        if binary {
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{INK}" stroke-width="2"/><text x="{:.1}" y="{:.1}">score = 0</text>"#,
                x - 1.0,
                x + 17.0,
                x + 26.0,
                ly + 4.0
            );
            ly += row;
        }
        s.push_str("</g>\n");
        ly
    }

    /// The plot as PNG bytes, rendered in pure Rust with the bundled font. Needs the
    /// `png` feature.
    ///
    /// # Errors
    /// [`PlotError::Render`] if the renderer fails (a bug: please report it).
    #[cfg(feature = "png")]
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        super::png(&self.to_svg())
    }

    /// Writes the plot to `path` as SVG or PNG, as its extension (`.svg`, `.png`) says,
    /// atomically: a failure never leaves a half-written file.
    ///
    /// # Errors
    /// [`PlotError::UnknownFormat`] for another extension, [`PlotError::PngUnavailable`]
    /// for `.png` without the `png` feature, [`PlotError::Io`] when writing fails.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        super::save(path.as_ref(), || self.to_svg())
    }
}

/// An "×" of half-size `h` at `(x, y)` in `colour`, outlined in dark ink.
fn cross(x: f64, y: f64, h: f64, colour: &str) -> String {
    let d = format!(
        "M{:.2} {:.2}L{:.2} {:.2}M{:.2} {:.2}L{:.2} {:.2}",
        x - h,
        y - h,
        x + h,
        y + h,
        x - h,
        y + h,
        x + h,
        y - h
    );
    format!(
        r#"<path d="{d}" stroke="{INK}" stroke-width="5"/><path d="{d}" stroke="{colour}" stroke-width="2.6"/>"#
    )
}

/// The legend's text for the misclassified points.
fn misclassified(misses: usize, shown: usize) -> String {
    format!("misclassified: {misses} of {shown}")
}

/// The colour-bar axis: symmetric about 0, out to a nice bound of the largest |score|.
fn colour_bar_axis(grid: &Grid) -> Axis {
    let m = grid
        .cells
        .iter()
        .filter_map(|a| match a {
            Answer::Score(v) if v.is_finite() => Some(v.abs()),
            _ => None,
        })
        .fold(0.0, f64::max);
    let m = if m > 0.0 { m } else { 1.0 };
    Axis::linear(-m, m, 4.0, true)
}

/// The heat-map colour of a score, with `limit` the colour bar's end: 8 bands per sign,
/// from white at 0 to the full colour at the limit.
fn diverging(v: f64, limit: f64) -> [u8; 3] {
    if !v.is_finite() {
        return NO_ANSWER;
    }
    let band = (v.abs() / limit * LEVELS as f64).ceil().min(LEVELS as f64);
    let end = if v > 0.0 { POS_END } else { NEG_END };
    mix(WHITE, end, band / LEVELS as f64)
}

/// A pale tint of class `k`'s colour.
fn region(k: usize) -> [u8; 3] {
    match PALETTE.get(k).filter(|_| k < MAX_CLASSES) {
        Some(c) => mix(WHITE, rgb(c), REGION_TINT),
        None => NO_ANSWER,
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let m = |i: usize| (a[i] as f64 + (b[i] as f64 - a[i] as f64) * t).round() as u8;
    [m(0), m(1), m(2)]
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    [v(1), v(3), v(5)]
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The heat map: per colour one path of rectangles, one per run of equal colour in a row,
/// in cell units scaled to the plot area (so coordinates are small whole numbers and
/// neighbours meet exactly).
fn heat_map(s: &mut String, f: &Frame, grid: &Grid, bar: Option<&Axis>) {
    let n = grid.n;
    let colour = |r: usize, c: usize| match grid.at(r, c) {
        Answer::Score(v) => diverging(v, bar.map_or(1.0, |b| b.hi)),
        Answer::Class(k) => region(k),
    };
    let _ = writeln!(
        s,
        r#"<g class="heatmap" data-cells="{n}" transform="translate({} {}) scale({} {})" shape-rendering="crispEdges">"#,
        f.x,
        f.y,
        f.w / n as f64,
        f.h / n as f64
    );
    // One path per colour, a subpath per run: "M{column} {row}h{run}v1h-{run}z".
    let mut paths: Vec<([u8; 3], String)> = Vec::new();
    for r in 0..n {
        let mut c0 = 0;
        while c0 < n {
            let col = colour(r, c0);
            let mut c1 = c0 + 1;
            while c1 < n && colour(r, c1) == col {
                c1 += 1;
            }
            let k = match paths.iter().position(|(c, _)| *c == col) {
                Some(k) => k,
                None => {
                    paths.push((col, String::new()));
                    paths.len() - 1
                }
            };
            let run = c1 - c0;
            let _ = write!(paths[k].1, "M{c0} {r}h{run}v1h-{run}z");
            c0 = c1;
        }
    }
    for (col, d) in paths {
        let _ = writeln!(s, r#"<path fill="{}" d="{d}"/>"#, hex(col));
    }
    s.push_str("</g>\n");
}

/// The line where the score is 0, through the cell centres.
fn contour(s: &mut String, f: &Frame, grid: &Grid) {
    let n = grid.n;
    let scores: Vec<f64> = (0..n * n).map(|i| grid.score(i / n, i % n)).collect();
    let (cw, ch) = (f.w / n as f64, f.h / n as f64);
    let mut d = String::new();
    for line in super::contour::zero_lines(&scores, n) {
        for (k, (r, c)) in line.iter().enumerate() {
            let cmd = if k == 0 {
                "M"
            } else if k == 1 {
                "L"
            } else {
                " "
            };
            let _ = write!(
                d,
                "{cmd}{:.1} {:.1}",
                f.x + (c + 0.5) * cw,
                f.y + (r + 0.5) * ch
            );
        }
    }
    if !d.is_empty() {
        let _ = writeln!(
            s,
            r#"<path class="contour" d="{d}" fill="none" stroke="{INK}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>"#
        );
    }
}

/// The colour bar at `(x, y)`, `height` tall, with its tick labels to the right.
fn colour_bar(s: &mut String, x: f64, y: f64, height: f64, bar: &Axis) {
    if height < 60.0 {
        return;
    }
    let (bw, y) = (16.0, y + 18.0);
    let height = height - 18.0;
    let _ = writeln!(
        s,
        r#"<g class="colour-bar"><text x="{x:.1}" y="{:.1}">score</text>"#,
        y - 8.0
    );
    let bands = 2 * LEVELS;
    let bh = height / bands as f64;
    for b in 0..bands {
        // From the top: the highest scores first.
        let v = bar.hi - (b as f64 + 0.5) / bands as f64 * (bar.hi - bar.lo);
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{:.2}" width="{bw}" height="{:.2}" fill="{}" shape-rendering="crispEdges"/>"#,
            y + b as f64 * bh,
            bh + 0.3,
            hex(diverging(v, bar.hi))
        );
    }
    let _ = writeln!(
        s,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{bw}" height="{height:.1}" fill="none" stroke="{INK}" stroke-width="1" shape-rendering="crispEdges"/>"#
    );
    for (t, l) in bar.ticks.iter().zip(&bar.labels) {
        let ty = y + (1.0 - bar.frac(*t)) * height;
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="{INK}"/><text x="{:.1}" y="{:.1}" fill="{}">{}</text>"#,
            x + bw,
            x + bw + 4.0,
            x + bw + 7.0,
            ty + 4.0,
            super::MUTED,
            esc(l)
        );
    }
    s.push_str("</g>\n");
}

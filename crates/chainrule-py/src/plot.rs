//! The library's plots for Python: a model's decision boundary (`chainrule::DecisionBoundary`)
//! and line charts (`chainrule::LineChart`), as SVG and PNG drawn by chainrule itself (no
//! matplotlib). `python/chainrule/plot.py` checks the arguments and wraps the result.
//!
//! The library's score function returns an `f64` and cannot fail, so Python is not called
//! from inside it: a first drawing with a stand-in score finds the points the library asks
//! for (every grid cell's centre and each data point; they depend on the data and the
//! settings, never on the scores), then the Python score is asked for each of them in a
//! plain loop (or once, vectorized), so its exceptions propagate as they are, and the
//! picture is drawn from the answers. The answers are kept, so the PNG and `save` redraw
//! the same picture without calling Python again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use chainrule::{DecisionBoundary, LineChart, PlotError, Scale};
use pyo3::exceptions::{
    PyFileNotFoundError, PyOSError, PyPermissionError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A grid point, by the bits of its coordinates: the library asks for the same points in
/// the same order each time it draws.
type Key = (u64, u64);

fn key(x: f64, y: f64) -> Key {
    (x.to_bits(), y.to_bits())
}

/// A plot error as the Python exception that fits it.
fn plot_err(e: PlotError) -> PyErr {
    let msg = e.to_string();
    match e {
        PlotError::InvalidInput(_) | PlotError::UnknownFormat(_) => PyValueError::new_err(msg),
        PlotError::Io { error, .. } => match error.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        _ => PyRuntimeError::new_err(msg),
    }
}

/// The name of `obj`'s type, for error messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A score as the model gave it: a number, or anything with a numeric `.data` (a Value).
fn as_score(r: &Bound<'_, PyAny>) -> PyResult<f64> {
    if let Ok(v) = r.extract::<f64>() {
        return Ok(v);
    }
    if let Ok(d) = r.getattr("data") {
        if let Ok(v) = d.extract::<f64>() {
            return Ok(v);
        }
    }
    Err(PyTypeError::new_err(format!(
        "score must return a number (or a Value), not {}",
        type_name(r)
    )))
}

/// A decision boundary's data and settings, and the model's answers once asked.
struct Boundary {
    points: Vec<(f64, f64)>,
    labels: Vec<usize>,
    title: String,
    x_label: String,
    y_label: String,
    class_names: Vec<String>,
    size: (u32, u32),
    range: Option<((f64, f64), (f64, f64))>,
    resolution: usize,
    scores: HashMap<Key, f64>,
}

impl Boundary {
    /// Runs `f` on the library's plot of `score`.
    fn with<R>(
        &self,
        score: &dyn Fn(f64, f64) -> f64,
        f: impl FnOnce(&DecisionBoundary<'_>) -> R,
    ) -> Result<R, PlotError> {
        let mut plot = DecisionBoundary::binary(score, &self.points, &self.labels)?
            .title(&self.title)
            .x_label(&self.x_label)
            .y_label(&self.y_label)
            .size(self.size.0, self.size.1)
            .resolution(self.resolution)?;
        if !self.class_names.is_empty() {
            let names: Vec<&str> = self.class_names.iter().map(String::as_str).collect();
            plot = plot.class_names(&names);
        }
        if let Some((x, y)) = self.range {
            plot = plot.range(x, y)?;
        }
        Ok(f(&plot))
    }

    /// Runs `f` on the plot drawn from the kept answers.
    fn redraw<R>(&self, f: impl FnOnce(&DecisionBoundary<'_>) -> R) -> Result<R, PlotError> {
        let kept = |x: f64, y: f64| self.scores.get(&key(x, y)).copied().unwrap_or(f64::NAN);
        self.with(&kept, f)
    }
}

enum Kind {
    Boundary(Box<Boundary>),
    Line(LineChart),
}

/// A plot drawn by chainrule: its SVG text, and the plot itself for PNG and files.
#[pyclass(module = "chainrule._core", frozen)]
pub struct Plot {
    svg: String,
    kind: Kind,
}

#[pymethods]
impl Plot {
    /// The plot as SVG text.
    fn svg(&self) -> String {
        self.svg.clone()
    }

    /// The plot as PNG bytes, rendered by chainrule with its bundled font.
    fn png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| match &self.kind {
                Kind::Boundary(b) => b.redraw(|p| p.to_png()).and_then(|r| r),
                Kind::Line(c) => c.to_png(),
            })
            .map_err(plot_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Writes the plot to `path` as SVG or PNG, as its extension (`.svg`, `.png`) says,
    /// atomically (a temporary file, then a rename).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| match &self.kind {
            Kind::Boundary(b) => b.redraw(|p| p.save(&path)).and_then(|r| r),
            Kind::Line(c) => c.save(&path),
        })
        .map_err(plot_err)
    }
}

/// The model's answers at `coords`, from one call `score(xs, ys)` with two NumPy arrays.
fn ask_vectorized(
    py: Python<'_>,
    score: &Bound<'_, PyAny>,
    coords: &[(f64, f64)],
) -> PyResult<Vec<f64>> {
    let np = py.import("numpy").map_err(|e| {
        let err = PyRuntimeError::new_err(
            "vectorized=True calls score with NumPy arrays, and NumPy is not installed; \
             pip install numpy, or pass a score function of two numbers",
        );
        err.set_cause(py, Some(e));
        err
    })?;
    let array = np.getattr("array")?;
    let xs = array.call1((coords.iter().map(|c| c.0).collect::<Vec<f64>>(), "float64"))?;
    let ys = array.call1((coords.iter().map(|c| c.1).collect::<Vec<f64>>(), "float64"))?;
    let out = score.call1((xs, ys))?;
    let out = np.getattr("asarray")?.call1((out, "float64"))?;
    let n = coords.len();
    let size: usize = out.getattr("size")?.extract()?;
    if size != n {
        let shape = out.getattr("shape")?.repr()?.to_string();
        return Err(PyValueError::new_err(format!(
            "score(xs, ys) returned an array of shape {shape}; with vectorized=True it must \
             return one score per point, an array of shape ({n},)"
        )));
    }
    out.call_method0("ravel")?
        .call_method0("tolist")?
        .extract::<Vec<f64>>()
}

/// The decision boundary of `score` over `points` with true classes `labels` (0 or 1):
/// class 1 where the score is above 0. `score` is called as `score(x, y)` for each grid
/// cell and point, or once as `score(xs, ys)` with NumPy arrays when `vectorized`.
#[pyfunction]
#[pyo3(signature = (score, points, labels, *, title, x_label, y_label, class_names, size, range, resolution, vectorized))]
#[allow(clippy::too_many_arguments)]
pub fn decision_boundary(
    py: Python<'_>,
    score: &Bound<'_, PyAny>,
    points: Vec<(f64, f64)>,
    labels: Vec<usize>,
    title: String,
    x_label: String,
    y_label: String,
    class_names: Vec<String>,
    size: (u32, u32),
    range: Option<((f64, f64), (f64, f64))>,
    resolution: usize,
    vectorized: bool,
) -> PyResult<Plot> {
    if !score.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "score must be callable, as score(x, y) -> float, not {}",
            type_name(score)
        )));
    }
    let mut b = Boundary {
        points,
        labels,
        title,
        x_label,
        y_label,
        class_names,
        size,
        range,
        resolution,
        scores: HashMap::new(),
    };
    // Where the library asks; the arguments are checked before Python is called at all.
    let asked = RefCell::new(Vec::new());
    let record = |x: f64, y: f64| {
        asked.borrow_mut().push((x, y));
        0.0
    };
    b.with(&record, |p| p.to_svg()).map_err(plot_err)?;
    let mut coords = asked.into_inner();
    let mut seen = std::collections::HashSet::with_capacity(coords.len());
    coords.retain(|&(x, y)| seen.insert(key(x, y)));

    if vectorized {
        let answers = ask_vectorized(py, score, &coords)?;
        b.scores = coords
            .iter()
            .zip(answers)
            .map(|(&(x, y), s)| (key(x, y), s))
            .collect();
    } else {
        b.scores.reserve(coords.len());
        for &(x, y) in &coords {
            let s = score.call1((x, y)).and_then(|r| as_score(&r))?;
            b.scores.insert(key(x, y), s);
        }
    }
    // Drawn from the answers. The library asks for the same points whatever the scores
    // are; should that ever change, a point not asked above would be drawn as NaN.
    let unasked = std::cell::Cell::new(0usize);
    let kept = |x: f64, y: f64| {
        b.scores.get(&key(x, y)).copied().unwrap_or_else(|| {
            unasked.set(unasked.get() + 1);
            f64::NAN
        })
    };
    let svg = b.with(&kept, |p| p.to_svg()).map_err(plot_err)?;
    if unasked.get() > 0 {
        return Err(PyRuntimeError::new_err(format!(
            "decision_boundary: the plot asked for {} points it had not announced (a bug in \
             chainrule: please report it)",
            unasked.get()
        )));
    }
    Ok(Plot {
        svg,
        kind: Kind::Boundary(Box::new(b)),
    })
}

/// A line chart of named series of `(x, y)` points; a log y axis when `log`.
#[pyfunction]
#[pyo3(signature = (series, *, title, x_label, y_label, log, size))]
pub fn line_chart(
    series: Vec<(String, Vec<(f64, f64)>)>,
    title: String,
    x_label: String,
    y_label: String,
    log: bool,
    size: (u32, u32),
) -> Plot {
    let mut chart = LineChart::new(&title)
        .x_label(&x_label)
        .y_label(&y_label)
        .y_scale(if log { Scale::Log } else { Scale::Linear })
        .size(size.0, size.1);
    for (name, points) in series {
        chart = chart.series(&name, points);
    }
    Plot {
        svg: chart.to_svg(),
        kind: Kind::Line(chart),
    }
}

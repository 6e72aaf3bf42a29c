//! The library's datasets and trainer for Python (`chainrule.data`, `chainrule.train`,
//! `chainrule.NativeMLP`): thin wrappers over `chainrule::data` and `chainrule::nn`.
//!
//! Arrays cross the boundary as raw native-endian bytes: `float64` features and labels in
//! (the Python side hands `ndarray.tobytes()` with the row and column counts), `float64`
//! and `int64` bytearrays out (the Python side views them with `numpy.frombuffer`, no
//! copy). So the extension needs no NumPy to build or import, and the buffer protocol,
//! which the limited API (abi3-py39) lacks before Python 3.11, is never needed.
//!
//! Every check that guards a library `assert!` is made here, before the library is called,
//! so no Python input reaches a panic: counts and sizes, finite numbers, labels, names,
//! the model's inputs against the data's columns, and the graph's size limit.

use std::path::PathBuf;
use std::time::Instant;

use chainrule::data::{self, CsvError, Dataset, Rng, DATASETS};
use chainrule::nn::spec::{step_graph_nodes, FIELDS};
use chainrule::nn::{
    Activation, Mlp, Mode, ModelError, Module, Objective, Schedule, Sgd, Shape, SpecBounds,
    SpecError, TrainSpec, Trainer,
};
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict};

use crate::watch::{native_step, WatchCore};

pyo3::create_exception!(
    chainrule.data,
    CsvFormatError,
    PyValueError,
    "A CSV file of samples that cannot be read as one: `path`, `line` and `column` (1-based; \
     `column` is the field number, 0 when the whole line is at fault) say where, the \
     message says what is wrong and what to do."
);

/// The library's bounds on training (the training spec's): samples, layer widths,
/// parameters, and the nodes of one step's graph (2^27, some 5 GB of tape, well inside the
/// tape's `u32` index limit and most machines' memory: an allocation that fails aborts the
/// process, which no exception could report).
const BOUNDS: SpecBounds = SpecBounds::LIBRARY;

/// What to do about a non-finite feature.
const X_FIX: &str = "drop or fill in such rows";

fn value_err(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

/// A count argument: a whole number in `lo..=hi`.
fn count(what: &str, v: i64, lo: i64, hi: i64) -> PyResult<usize> {
    if v < lo || v > hi {
        return Err(value_err(format!(
            "{what} must be a whole number from {lo} to {hi}, got {v}"
        )));
    }
    Ok(v as usize)
}

/// A number argument that must be finite and at least `lo`.
fn at_least(what: &str, v: f64, lo: f64) -> PyResult<f64> {
    if !v.is_finite() || v < lo {
        return Err(value_err(format!(
            "{what} must be a finite number of at least {lo}, got {v}"
        )));
    }
    Ok(v)
}

/// A training spec setting refused, as `ValueError`, each setting called by its Python
/// argument's name (`renames`: spec name to argument name).
fn spec_err(e: &SpecError, renames: &[(&str, &str)]) -> PyErr {
    value_err(e.render(|f| {
        renames
            .iter()
            .find(|r| r.0 == f)
            .map_or(f, |r| r.1)
            .to_string()
    }))
}

/// A spec made from the library's defaults and these settings (by the spec's names, as
/// text), each checked as the spec checks it; errors name the Python arguments.
fn spec_of(settings: &[(&str, String)], renames: &[(&str, &str)]) -> PyResult<TrainSpec> {
    let mut spec = TrainSpec::default();
    for (name, value) in settings {
        spec.set(name, value).map_err(|e| spec_err(&e, renames))?;
    }
    Ok(spec)
}

/// The training spec for Python's signatures: `defaults` (each setting's library default,
/// `None` where it depends on another setting), `choices` (the names a choice setting
/// takes) and `noise` (each dataset's default noise).
#[pyfunction]
pub fn train_spec(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = TrainSpec::default();
    let defaults = PyDict::new(py);
    defaults.set_item("dataset", d.dataset.name)?;
    defaults.set_item("samples", d.samples)?;
    defaults.set_item("classes", d.classes)?;
    defaults.set_item("seed", d.seed)?;
    defaults.set_item("layers", d.layers.clone())?;
    defaults.set_item("activation", d.activation.name())?;
    defaults.set_item("loss", d.loss.name())?;
    defaults.set_item("optimizer", d.optimizer.name)?;
    defaults.set_item("schedule", d.schedule.name)?;
    defaults.set_item("l2", d.l2)?;
    defaults.set_item("steps", d.steps)?;
    defaults.set_item("mode", "auto")?;
    for varies in ["noise", "lr", "lr_end", "batch"] {
        defaults.set_item(varies, py.None())?;
    }
    let choices = PyDict::new(py);
    for f in FIELDS {
        if let Some(names) = f.choices() {
            choices.set_item(f.name, names)?;
        }
    }
    let noise = PyDict::new(py);
    for k in DATASETS {
        noise.set_item(k.name, k.noise)?;
    }
    let out = PyDict::new(py);
    out.set_item("defaults", defaults)?;
    out.set_item("choices", choices)?;
    out.set_item("noise", noise)?;
    Ok(out)
}

/// `f64`s as native-endian bytes, in a bytearray (writable, so NumPy views it as is).
fn f64_bytes<'py>(py: Python<'py>, xs: &[f64]) -> Bound<'py, PyByteArray> {
    let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_ne_bytes()).collect();
    PyByteArray::new(py, &bytes)
}

fn i64_bytes<'py>(py: Python<'py>, xs: &[usize]) -> Bound<'py, PyByteArray> {
    let bytes: Vec<u8> = xs.iter().flat_map(|&x| (x as i64).to_ne_bytes()).collect();
    PyByteArray::new(py, &bytes)
}

/// A `rows × cols` matrix of `float64` from its native-endian bytes, every entry finite.
/// `name` is the argument (`X`) and `fix` what to do about a non-finite entry, for the
/// messages.
fn matrix(name: &str, bytes: &[u8], rows: usize, cols: usize, fix: &str) -> PyResult<Vec<f64>> {
    let want = rows.checked_mul(cols).and_then(|n| n.checked_mul(8));
    if want != Some(bytes.len()) {
        return Err(value_err(format!(
            "{name}: {} bytes do not hold {rows} rows of {cols} float64 numbers",
            bytes.len()
        )));
    }
    let xs = floats(name, bytes)?;
    if let Some(k) = xs.iter().position(|x| !x.is_finite()) {
        let at = if cols <= 1 {
            format!("{name}[{k}]")
        } else {
            format!("{name}[{}, {}]", k / cols, k % cols)
        };
        return Err(value_err(format!(
            "{at} is {}: every entry of {name} must be a finite number; {fix}",
            xs[k]
        )));
    }
    Ok(xs)
}

/// Labels as the library's class ids: either all ±1 (two classes, micrograd's
/// `y*2 - 1`; −1 is class 0) or all class ids 0, 1, 2, …. Returns the ids and the number
/// of classes: one more than the largest id, and at least 2 (two classes with only one
/// present are still two).
fn class_ids(name: &str, y: &[f64]) -> PyResult<(Vec<usize>, usize)> {
    let what_to_do = "labels are either -1 and +1 (two classes, micrograd's y*2 - 1) or \
                      class ids 0, 1, 2, …";
    if let Some(k) = y.iter().position(|v| !v.is_finite()) {
        return Err(value_err(format!(
            "{name}[{k}] is {}: every label must be a number; {what_to_do}",
            y[k]
        )));
    }
    let whole_id = |v: f64| v >= 0.0 && v.fract() == 0.0 && v < 1e6;
    if y.contains(&-1.0) {
        if let Some(k) = y.iter().position(|&v| v != -1.0 && v != 1.0) {
            return Err(value_err(format!(
                "{name}[{k}] is {} but other labels are -1: {what_to_do}, not a mix",
                y[k]
            )));
        }
        let ids = y.iter().map(|&v| usize::from(v > 0.0)).collect();
        return Ok((ids, 2));
    }
    if let Some(k) = y.iter().position(|&v| !whole_id(v)) {
        return Err(value_err(format!(
            "{name}[{k}] is {}, not a label: {what_to_do}",
            y[k]
        )));
    }
    let ids: Vec<usize> = y.iter().map(|&v| v as usize).collect();
    let classes = ids.iter().max().map_or(0, |&m| m + 1);
    Ok((ids, classes.max(2)))
}

/// Numbers from their native-endian `float64` bytes, unchecked.
fn floats(name: &str, bytes: &[u8]) -> PyResult<Vec<f64>> {
    if bytes.len() % 8 != 0 {
        return Err(value_err(format!(
            "{name}: the bytes are not float64 numbers"
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|b| f64::from_ne_bytes(b.try_into().expect("chunks of 8")))
        .collect())
}

/// How many classes labels (bytes of `float64`) stand for: 2 for ±1 labels, else one more
/// than the largest class id.
#[pyfunction]
pub fn label_classes(y: &[u8]) -> PyResult<usize> {
    class_ids("y", &floats("y", y)?).map(|(_, k)| k)
}

/// The dataset of `rows` samples of `cols` features (bytes of `float64`) and their labels
/// (bytes of `float64`, one per row).
pub(crate) fn dataset(x: &[u8], rows: usize, cols: usize, y: &[u8]) -> PyResult<Dataset> {
    let xs = matrix("X", x, rows, cols, X_FIX)?;
    let labels = floats("y", y)?;
    if labels.len() != rows {
        return Err(value_err(format!(
            "X has {rows} rows but y has {} labels: give one label per row of X",
            labels.len()
        )));
    }
    let (y, classes) = class_ids("y", &labels)?;
    Ok(Dataset {
        x: xs,
        dim: cols,
        y,
        classes,
    })
}

/// What `fit` returns: loss, accuracy and rate per step (`float64` bytes) and seconds.
type FitOut<'py> = (
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    Bound<'py, PyByteArray>,
    f64,
);

/// A generated dataset: `(x bytes, dim, y bytes as int64 class ids, classes)`.
type DataOut<'py> = (
    Bound<'py, PyByteArray>,
    usize,
    Bound<'py, PyByteArray>,
    usize,
);

fn data_out(py: Python<'_>, d: Dataset) -> DataOut<'_> {
    (f64_bytes(py, &d.x), d.dim, i64_bytes(py, &d.y), d.classes)
}

/// The training spec's generated dataset `name` with `n` samples, `noise` and (for
/// datasets whose classes are free) `classes`, from `seed`; errors call the noise
/// `noise_arg`.
fn generated(
    name: &str,
    n: i64,
    noise: f64,
    classes: Option<i64>,
    seed: u64,
    noise_arg: &str,
) -> PyResult<Dataset> {
    let mut settings = vec![
        ("dataset", name.to_string()),
        ("samples", n.to_string()),
        ("noise", noise.to_string()),
    ];
    settings.extend(classes.map(|k| ("classes", k.to_string())));
    let renames = [("samples", "n"), ("noise", noise_arg)];
    let mut spec = spec_of(&settings, &renames)?;
    spec.seed = seed;
    spec.dataset().map_err(|e| spec_err(&e, &renames))
}

/// Two interleaving half circles (scikit-learn's `make_moons`), seeded.
#[pyfunction]
pub fn data_moons(py: Python<'_>, n: i64, noise: f64, seed: u64) -> PyResult<DataOut<'_>> {
    Ok(data_out(
        py,
        generated("moons", n, noise, None, seed, "noise")?,
    ))
}

/// scikit-learn's `make_moons(n, noise=noise)` after `np.random.seed(seed)`, bit for bit.
#[pyfunction]
pub fn data_sklearn_moons(py: Python<'_>, n: i64, noise: f64, seed: u32) -> PyResult<DataOut<'_>> {
    let seed = u64::from(seed);
    Ok(data_out(
        py,
        generated("sklearn-moons", n, noise, None, seed, "noise")?,
    ))
}

/// Two concentric circles (scikit-learn's `make_circles`), seeded.
#[pyfunction]
pub fn data_circles(
    py: Python<'_>,
    n: i64,
    noise: f64,
    factor: f64,
    seed: u64,
) -> PyResult<DataOut<'_>> {
    // The spec's circles have the factor 0.5; checked by the spec, made with this one.
    let checked = generated("circles", n, noise, None, seed, "noise");
    let factor = at_least("factor", factor, 0.0)?;
    let n = checked?.len();
    Ok(data_out(
        py,
        data::circles(n, noise, factor, &mut Rng::new(seed)),
    ))
}

/// Gaussian blobs (scikit-learn's `make_blobs` in 2-D), seeded.
#[pyfunction]
pub fn data_blobs(
    py: Python<'_>,
    n: i64,
    classes: i64,
    std: f64,
    seed: u64,
) -> PyResult<DataOut<'_>> {
    Ok(data_out(
        py,
        generated("blobs", n, std, Some(classes), seed, "std")?,
    ))
}

/// Interleaved spiral arms (cs231n's), seeded.
#[pyfunction]
pub fn data_spiral(
    py: Python<'_>,
    n: i64,
    classes: i64,
    noise: f64,
    seed: u64,
) -> PyResult<DataOut<'_>> {
    Ok(data_out(
        py,
        generated("spiral", n, noise, Some(classes), seed, "noise")?,
    ))
}

/// An I/O error about `path` as the matching Python `OSError` subclass.
fn io_err(path: &std::path::Path, what: &str, e: &std::io::Error) -> PyErr {
    let msg = format!("{what} {}: {e}", path.display());
    match e.kind() {
        std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
        std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
        std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
        _ => PyOSError::new_err(msg),
    }
}

fn csv_error(
    py: Python<'_>,
    path: &std::path::Path,
    line: usize,
    column: usize,
    message: String,
) -> PyErr {
    let at = match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(", line {l}"),
        (l, c) => format!(", line {l}, column {c}"),
    };
    let hint = "each line holds the features as numbers, then the class label 0, 1, 2, … \
                in the last column; a first line with names is read as a header";
    let err = CsvFormatError::new_err(format!("{}{at}: {message} ({hint})", path.display()));
    let v = err.value(py);
    let path_s = path.display().to_string();
    // Setting attributes on a fresh exception instance cannot fail in practice; if it
    // did, the message still says everything.
    let _ = v.setattr("path", path_s);
    let _ = v.setattr("line", line);
    let _ = v.setattr("column", column);
    err
}

/// A CSV file of samples (features, then a class id 0, 1, 2, … in the last column).
#[pyfunction]
pub fn data_load_csv(py: Python<'_>, path: PathBuf) -> PyResult<DataOut<'_>> {
    let bytes = std::fs::read(&path).map_err(|e| io_err(&path, "cannot read the CSV file", &e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        csv_error(
            py,
            &path,
            line,
            0,
            "the file is not UTF-8 text; save it as UTF-8 (plain CSV)".into(),
        )
    })?;
    match data::parse_csv(&text) {
        Ok(d) => Ok(data_out(py, d)),
        Err(CsvError::Parse {
            line,
            column,
            message,
        }) => Err(csv_error(py, &path, line, column, message)),
        Err(CsvError::Io { path, error }) => Err(io_err(&path, "cannot read the CSV file", &error)),
    }
}

/// Writes samples as a CSV file that `data_load_csv` reads back exactly: a header
/// `x0,…,label`, then per row the features (shortest round-trip form) and the class id
/// (±1 labels written as 0/1). Atomic: a crash never leaves half a file.
#[pyfunction]
pub fn data_save_csv(path: PathBuf, x: &[u8], rows: usize, cols: usize, y: &[u8]) -> PyResult<()> {
    if cols == 0 {
        return Err(value_err(
            "X has no columns: a sample needs at least one feature",
        ));
    }
    let d = dataset(x, rows, cols, y)?;
    let mut out: Vec<String> = (0..cols).map(|j| format!("x{j}")).collect();
    out.push("label".into());
    let mut text = out.join(",");
    text.push('\n');
    for i in 0..d.len() {
        let mut fields: Vec<String> = d
            .row(i)
            .iter()
            .map(|&v| chainrule::number::shortest(v))
            .collect();
        fields.push(d.y[i].to_string());
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    chainrule::write_atomic(&path, text.as_bytes())
        .map_err(|e| io_err(&path, "cannot write the CSV file", &e))
}

fn activation(what: &str, name: &str) -> PyResult<Activation> {
    Activation::from_name(name).ok_or_else(|| {
        value_err(format!(
            "{what} must be one of {}, got {name:?}",
            Activation::ALL.map(Activation::name).join(", ")
        ))
    })
}

fn objective(name: &str) -> PyResult<Objective> {
    Objective::from_name(&name.replace('_', "-")).ok_or_else(|| {
        value_err(format!(
            "loss must be one of {}, got {name:?}",
            Objective::ALL.map(Objective::name).join(", ")
        ))
    })
}

fn model_err(e: ModelError) -> PyErr {
    match e {
        ModelError::Io { path, error } => io_err(&path, "model file", &error),
        e => value_err(e.to_string()),
    }
}

/// `evaluate`'s graph over `rows` samples, held to the spec's bound on one step's graph.
fn check_graph(m: &Mlp, rows: usize) -> PyResult<()> {
    if step_graph_nodes(m, rows) > BOUNDS.graph_nodes as u128 {
        return Err(value_err(format!(
            "{rows} samples through a model of {} parameters make a graph too large for one \
             step (over {} nodes); evaluate fewer rows at a time",
            m.params().len(),
            BOUNDS.graph_nodes
        )));
    }
    Ok(())
}

/// A multi-layer perceptron trained in native code: the library's `nn::Mlp`, its
/// `Trainer`, optimizers and model files. The Python class `chainrule.NativeMLP` wraps it.
#[pyclass(module = "chainrule._core", name = "NativeCore")]
#[derive(Clone)]
pub struct NativeCore {
    model: Mlp,
}

/// Layers as `(outputs, activation name)` pairs, checked, after `inputs` inputs.
fn shapes(inputs: i64, layers: &[(i64, String)]) -> PyResult<(usize, Vec<(usize, Activation)>)> {
    let width = BOUNDS.width as i64;
    let inputs = count("nin (the model's inputs)", inputs, 1, width)?;
    if layers.is_empty() {
        return Err(value_err(
            "nouts must list at least one layer size, e.g. [16, 16, 1]",
        ));
    }
    let mut out = Vec::with_capacity(layers.len());
    let (mut nin, mut params) = (inputs, 0usize);
    for (i, (n, act)) in layers.iter().enumerate() {
        let n = count(&format!("nouts[{i}] (a layer size)"), *n, 1, width)?;
        let act = activation(&format!("the activation of layer {i}"), act)?;
        params += n * (nin + 1);
        nin = n;
        out.push((n, act));
    }
    if params > BOUNDS.params {
        return Err(value_err(format!(
            "the model would have {params} parameters, more than {}: use smaller layers",
            BOUNDS.params
        )));
    }
    Ok((inputs, out))
}

fn shape_list(m: &Mlp) -> Vec<(usize, usize, &'static str)> {
    m.shapes()
        .iter()
        .map(|s: &Shape| (s.inputs, s.outputs, s.activation.name()))
        .collect()
}

impl NativeCore {
    /// A model, as Python gets it.
    pub(crate) fn of(model: Mlp) -> NativeCore {
        NativeCore { model }
    }

    /// The library's model.
    pub(crate) fn mlp(&self) -> &Mlp {
        &self.model
    }

    fn check_columns(&self, cols: usize) -> PyResult<()> {
        if cols != self.model.inputs() {
            return Err(value_err(format!(
                "X has {cols} features per sample (columns), the model takes {} inputs",
                self.model.inputs()
            )));
        }
        Ok(())
    }

    fn features(&self, x: &[u8], rows: usize, cols: usize) -> PyResult<Vec<f64>> {
        self.check_columns(cols)?;
        matrix("X", x, rows, cols, X_FIX)
    }

    fn data(&self, x: &[u8], rows: usize, cols: usize, y: &[u8]) -> PyResult<Dataset> {
        self.check_columns(cols)?;
        let d = dataset(x, rows, cols, y)?;
        if d.is_empty() {
            return Err(value_err(
                "X has no rows: training needs at least one sample",
            ));
        }
        Ok(d)
    }
}

#[pymethods]
impl NativeCore {
    /// A model of `inputs` inputs and `layers` as `(outputs, activation)` pairs, weights
    /// uniform in [-1, 1) from the library's generator seeded with `seed`, biases 0.
    #[new]
    fn new(inputs: i64, layers: Vec<(i64, String)>, seed: u64) -> PyResult<NativeCore> {
        let (inputs, layers) = shapes(inputs, &layers)?;
        Ok(NativeCore {
            model: Mlp::new(inputs, &layers, &mut Rng::new(seed)),
        })
    }

    /// The same shapes with these parameters (micrograd's order: layer by layer, neuron
    /// by neuron, each neuron's weights then its bias).
    #[staticmethod]
    fn from_parameters(
        inputs: i64,
        layers: Vec<(i64, String)>,
        params: &[u8],
    ) -> PyResult<NativeCore> {
        let (inputs, layers) = shapes(inputs, &layers)?;
        let mut model = Mlp::new(inputs, &layers, &mut Rng::new(0));
        let want = model.params().len();
        if params.len() != want * 8 {
            return Err(value_err(format!(
                "the model has {want} parameters, {} were given",
                params.len() / 8
            )));
        }
        let p = matrix(
            "parameters",
            params,
            want,
            1,
            "a model holds finite numbers only",
        )?;
        model.params_mut().copy_from_slice(&p);
        Ok(NativeCore { model })
    }

    /// A model from the library's model JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<NativeCore> {
        Ok(NativeCore {
            model: Mlp::parse(text).map_err(model_err)?,
        })
    }

    /// A model from a model file written by `save`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<NativeCore> {
        Ok(NativeCore {
            model: Mlp::load(&path).map_err(model_err)?,
        })
    }

    /// The model as the library's model JSON, indented.
    fn to_json(&self) -> PyResult<String> {
        if let Some(k) = self.model.params().iter().position(|p| !p.is_finite()) {
            return Err(value_err(format!(
                "parameter {k} is {}, which a model file cannot hold (did training diverge? try a smaller learning rate)",
                self.model.params()[k]
            )));
        }
        Ok(self.model.to_json().pretty())
    }

    /// Writes the model file (JSON), atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.model.save(&path).map_err(model_err)
    }

    /// How many inputs.
    #[getter]
    fn inputs(&self) -> usize {
        self.model.inputs()
    }

    /// How many outputs.
    #[getter]
    fn outputs(&self) -> usize {
        self.model.outputs()
    }

    /// The layers as `(inputs, outputs, activation)`.
    fn layers(&self) -> Vec<(usize, usize, &'static str)> {
        shape_list(&self.model)
    }

    /// The parameters as `float64` bytes, in micrograd's order.
    fn parameters<'py>(&self, py: Python<'py>) -> Bound<'py, PyByteArray> {
        f64_bytes(py, self.model.params())
    }

    /// The outputs for `rows` samples (bytes of `float64`, `rows × inputs`), as `float64`
    /// bytes `rows × outputs`: bit for bit the forward pass training records.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &[u8],
        rows: usize,
        cols: usize,
    ) -> PyResult<Bound<'py, PyByteArray>> {
        let xs = self.features(x, rows, cols)?;
        let mut out = Vec::with_capacity(rows * self.model.outputs());
        for row in xs.chunks_exact(cols) {
            out.extend(self.model.predict(row));
        }
        Ok(f64_bytes(py, &out))
    }

    /// The loss (without L2) and accuracy on samples and labels.
    fn evaluate(
        &self,
        x: &[u8],
        rows: usize,
        cols: usize,
        y: &[u8],
        loss: &str,
    ) -> PyResult<(f64, f64)> {
        let objective = objective(loss)?;
        let d = self.data(x, rows, cols, y)?;
        check_graph(&self.model, d.len())?;
        // The trainer's own check of the model against the loss and the labels.
        let probe = Trainer::new(
            self.model.clone(),
            d,
            objective,
            0.0,
            Box::new(Sgd::new(Schedule::Constant(0.0))),
            Mode::Rebuild,
        )
        .map_err(|e| value_err(e.0))?;
        Ok(objective.evaluate(probe.model(), probe.data()))
    }

    /// Trains in place for `steps` full-batch (or minibatch) steps and returns the loss,
    /// accuracy and rate of every step as `float64` bytes, and the seconds the steps took.
    /// `watch`: a live view's `(WatchCore, on_frame)` (see `watch::native_step`).
    #[pyo3(signature = (x, rows, cols, y, steps, loss, l2, optimizer, lr, schedule, lr_end, batch_size, seed, mode, watch = None))]
    #[allow(clippy::too_many_arguments)]
    fn fit<'py>(
        &mut self,
        py: Python<'py>,
        x: &[u8],
        rows: usize,
        cols: usize,
        y: &[u8],
        steps: i64,
        loss: &str,
        l2: f64,
        optimizer: &str,
        lr: Option<f64>,
        schedule: &str,
        lr_end: Option<f64>,
        batch_size: Option<i64>,
        seed: u64,
        mode: &str,
        watch: Option<(Bound<'py, WatchCore>, Bound<'py, PyAny>)>,
    ) -> PyResult<FitOut<'py>> {
        let mut settings = vec![
            ("steps", steps.to_string()),
            ("loss", loss.replace('_', "-")),
            ("l2", l2.to_string()),
            ("optimizer", optimizer.to_string()),
            ("schedule", schedule.to_string()),
            ("mode", mode.to_string()),
        ];
        settings.extend(lr.map(|v| ("lr", v.to_string())));
        settings.extend(lr_end.map(|v| ("lr_end", v.to_string())));
        settings.extend(batch_size.map(|v| ("batch", v.to_string())));
        let renames = [("batch", "batch_size")];
        let spec = spec_of(&settings, &renames)?;
        let d = self.data(x, rows, cols, y)?;
        let mut trainer = spec
            .trainer(self.model.clone(), d, Rng::new(seed))
            .map_err(|e| spec_err(&e, &renames))?;
        let steps = spec.steps;
        let (mut losses, mut accs, mut lrs) = (
            Vec::with_capacity(steps),
            Vec::with_capacity(steps),
            Vec::with_capacity(steps),
        );
        let mut seconds = 0.0;
        let mut interrupted = Ok(());
        for k in 0..steps {
            let t0 = Instant::now();
            let s = trainer.step();
            seconds += t0.elapsed().as_secs_f64();
            losses.push(s.loss);
            accs.push(s.accuracy);
            lrs.push(s.lr);
            // Ctrl-C stops a long run between steps, keeping what was trained; so does
            // a live view's hook that raised.
            let watched = native_step(watch.as_ref(), &s, trainer.model(), k + 1 == steps);
            if let Err(e) = watched {
                interrupted = Err(e);
                break;
            }
            if k % 16 == 15 {
                if let Err(e) = py.check_signals() {
                    interrupted = Err(e);
                    break;
                }
            }
        }
        self.model = trainer.into_model();
        interrupted?;
        Ok((
            f64_bytes(py, &losses),
            f64_bytes(py, &accs),
            f64_bytes(py, &lrs),
            seconds,
        ))
    }

    /// A copy.
    fn copy(&self) -> NativeCore {
        self.clone()
    }

    /// The names of the activations and losses.
    #[staticmethod]
    fn names() -> (Vec<&'static str>, Vec<&'static str>) {
        (
            Activation::ALL.map(Activation::name).to_vec(),
            Objective::ALL.map(Objective::name).to_vec(),
        )
    }
}

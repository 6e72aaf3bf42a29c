//! Modules: things with parameters that map inputs to outputs. [`Neuron`], [`Layer`] and
//! [`Mlp`], each with a choice of [`Activation`], plus saving and loading an MLP as JSON.
//!
//! Parameters are plain `f64`s owned by the module, so they outlive any one graph. To
//! train, bind them to a graph as leaves ([`Module::bind`]), run [`Module::forward`] on
//! them, backpropagate, read [`Params::grads`] and update the `f64`s.

use crate::data::{PyRandom, Rng};
pub use crate::engine::op::Activation;
use crate::io::json::{Json, JsonError};
use crate::{Graph, Var};
use std::fmt;
use std::path::Path;

impl Activation {
    /// The name used in model files and on the command line: the op's name in the
    /// expression language (`relu`, `tanh`, …), or `linear`.
    ///
    /// ```
    /// use chainrule::nn::Activation;
    /// assert_eq!(Activation::Tanh.name(), "tanh");
    /// assert_eq!(Activation::Linear.name(), "linear");
    /// ```
    pub fn name(self) -> &'static str {
        match self.op() {
            Some((op, _)) => op.calls().first().copied().unwrap_or(op.name()),
            None => "linear",
        }
    }

    /// The activation called `name` (as [`Activation::name`] writes it).
    ///
    /// ```
    /// use chainrule::nn::Activation;
    /// assert_eq!(Activation::from_name("tanh"), Some(Activation::Tanh));
    /// assert_eq!(Activation::from_name("gelu"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Applies the activation on the graph (a linear activation records nothing).
    #[inline]
    pub fn on<'g>(self, v: Var<'g>) -> Var<'g> {
        match self.op() {
            Some((op, c)) => v.graph().record(op, &[v], c),
            None => v,
        }
    }

    /// Applies the activation to a plain number, with exactly the engine's arithmetic.
    ///
    /// ```
    /// use chainrule::nn::Activation;
    /// assert_eq!(Activation::Relu.eval(-2.0), 0.0);
    /// assert_eq!(Activation::Linear.eval(-2.0), -2.0);
    /// ```
    #[inline]
    pub fn eval(self, x: f64) -> f64 {
        match self.op() {
            Some((op, c)) => op.apply(x, 0.0, c),
            None => x,
        }
    }
}

/// Something with parameters that maps `inputs()` values to `outputs()` values.
///
/// The parameters live in the module as one flat slice of `f64`s; [`Module::bind`] puts
/// them on a graph as leaves, and [`Module::forward`] records the outputs on those
/// leaves. A training step is:
///
/// ```
/// use chainrule::data::Rng;
/// use chainrule::nn::{Activation, Module, Neuron};
/// use chainrule::Graph;
///
/// let mut n = Neuron::new(2, Activation::Linear, &mut Rng::new(0));
/// n.params_mut().copy_from_slice(&[0.5, -1.0, 0.25]); // w0, w1, b
/// let g = Graph::new();
/// let p = n.bind(&g);
/// let x = g.leaves(&[2.0, 3.0]);
/// let y = n.forward(p, &x.vars())[0];
/// y.backward();
/// assert_eq!(y.data(), 0.5 * 2.0 - 3.0 + 0.25);
/// assert_eq!(p.grads(), vec![2.0, 3.0, 1.0]);
/// assert_eq!(n.predict(&[2.0, 3.0]), vec![y.data()]);
/// ```
pub trait Module {
    /// How many inputs it takes.
    fn inputs(&self) -> usize;
    /// How many outputs it gives.
    fn outputs(&self) -> usize;
    /// The parameters, in a fixed order.
    fn params(&self) -> &[f64];
    /// The parameters, to update them.
    fn params_mut(&mut self) -> &mut [f64];
    /// The outputs recorded on a graph, with the parameters bound as `p` (from
    /// [`Module::bind`]) and the inputs as `x`.
    ///
    /// # Panics
    /// When `p` or `x` has the wrong length, or they belong to different graphs.
    fn forward<'g>(&self, p: Params<'g>, x: &[Var<'g>]) -> Vec<Var<'g>>;
    /// The outputs for plain numbers, without a graph: bit for bit what
    /// [`Module::forward`] computes.
    ///
    /// # Panics
    /// When `x` has the wrong length.
    fn predict(&self, x: &[f64]) -> Vec<f64>;
    /// The parameters as new leaves on `g`, for one step.
    fn bind<'g>(&self, g: &'g Graph) -> Params<'g> {
        Params::new(g, self.params())
    }
}

/// A module's parameters bound to a graph: a run of leaves made together, in the
/// module's order. Cheap to copy; reads all their grads at once.
///
/// ```
/// use chainrule::{nn::Params, Graph};
/// let g = Graph::new();
/// let p = Params::new(&g, &[1.0, -2.0]);
/// let y = p.get(0) * p.get(1);
/// y.backward();
/// assert_eq!((p.len(), p.data(), p.grads()), (2, vec![1.0, -2.0], vec![-2.0, 1.0]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Params<'g> {
    g: &'g Graph,
    start: u32,
    len: u32,
}

impl<'g> Params<'g> {
    /// `values` as new contiguous leaves on `g`.
    pub fn new(g: &'g Graph, values: &[f64]) -> Params<'g> {
        let start = g.len() as u32;
        g.leaves(values);
        Params {
            g,
            start,
            len: values.len() as u32,
        }
    }

    /// How many parameters.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `k`-th parameter's leaf.
    ///
    /// # Panics
    /// When `k >= len()`.
    pub fn get(&self, k: usize) -> Var<'g> {
        assert!(k < self.len(), "chainrule: parameter {k} of {}", self.len);
        Var {
            g: self.g,
            i: self.start + k as u32,
        }
    }

    /// All their leaves, in order.
    pub fn vars(&self) -> Vec<Var<'g>> {
        (0..self.len()).map(|k| self.get(k)).collect()
    }

    /// All their values, in order.
    pub fn data(&self) -> Vec<f64> {
        self.g.tape().values(self.range()).to_vec()
    }

    /// All their grads, in order.
    pub fn grads(&self) -> Vec<f64> {
        let t = self.g.tape();
        self.range().map(|i| t.grad(i)).collect()
    }

    /// Sets their values (the model's updated parameters) for a replay with
    /// [`Graph::forward`].
    ///
    /// # Panics
    /// When `values` has another length.
    pub fn set_data(&self, values: &[f64]) {
        assert_eq!(
            values.len(),
            self.len(),
            "chainrule: one value per parameter"
        );
        self.g.tape_mut().set_values(self.start as usize, values);
    }

    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }

    /// Parameters `from..from + len` of these.
    fn slice(&self, from: usize, len: usize) -> Params<'g> {
        assert!(
            from + len <= self.len(),
            "chainrule: the module takes more parameters than were bound"
        );
        Params {
            g: self.g,
            start: self.start + from as u32,
            len: len as u32,
        }
    }
}

/// The shape of one layer: inputs, outputs and activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Inputs per neuron.
    pub inputs: usize,
    /// Neurons.
    pub outputs: usize,
    /// What each neuron applies to its sum.
    pub activation: Activation,
}

impl Shape {
    /// Parameters of the layer: per neuron, `inputs` weights and one bias.
    pub fn params(&self) -> usize {
        self.outputs * (self.inputs + 1)
    }
}

/// The same sum on plain numbers, in the same order as the engine's dot.
#[inline]
fn neuron_predict(p: &[f64], x: &[f64], act: Activation) -> f64 {
    let nin = x.len();
    let s = p[..nin].iter().zip(x).fold(0.0, |s, (w, x)| s + w * x);
    act.eval(s + p[nin])
}

fn check_len(what: &str, got: usize, want: usize) {
    assert_eq!(
        got, want,
        "chainrule: the module takes {want} {what}, got {got}"
    );
}

/// Each neuron `act(b + Σ wᵢxᵢ)`: one fused dot node, one add and the activation.
fn layer_forward<'g>(s: Shape, p: Params<'g>, x: &[Var<'g>]) -> Vec<Var<'g>> {
    check_len("bound parameters", p.len(), s.params());
    check_len("inputs", x.len(), s.inputs);
    let g = p.g;
    for v in x {
        g.check_same(v.g);
    }
    (0..s.outputs as u32)
        .map(|j| {
            let w0 = p.start + j * (s.inputs as u32 + 1);
            let b = Var {
                g,
                i: w0 + s.inputs as u32,
            };
            s.activation.on(g.dot_run(w0, x) + b)
        })
        .collect()
}

fn layer_predict(s: Shape, p: &[f64], x: &[f64]) -> Vec<f64> {
    check_len("inputs", x.len(), s.inputs);
    p.chunks_exact(s.inputs + 1)
        .map(|pn| neuron_predict(pn, x, s.activation))
        .collect()
}

/// micrograd's initialisation: weights uniform in [−1, 1), biases 0, neuron by neuron.
fn init(s: Shape, rng: &mut Rng) -> Vec<f64> {
    init_with(s, &mut || rng.uniform(-1.0, 1.0))
}

/// Weights from `weight`, one call per weight, neuron by neuron; biases 0.
fn init_with(s: Shape, weight: &mut dyn FnMut() -> f64) -> Vec<f64> {
    let mut p = Vec::with_capacity(s.params());
    for _ in 0..s.outputs {
        p.extend((0..s.inputs).map(|_| weight()));
        p.push(0.0);
    }
    p
}

/// One neuron: `act(b + Σ wᵢxᵢ)`. Parameters `[w₀, …, wₙ₋₁, b]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Neuron {
    act: Activation,
    p: Vec<f64>,
}

impl Neuron {
    /// A neuron with `inputs` weights drawn uniformly from [−1, 1) and a zero bias.
    ///
    /// # Panics
    /// When `inputs` is 0.
    pub fn new(inputs: usize, act: Activation, rng: &mut Rng) -> Neuron {
        assert!(inputs > 0, "chainrule: a neuron needs at least one input");
        let s = Shape {
            inputs,
            outputs: 1,
            activation: act,
        };
        Neuron {
            act,
            p: init(s, rng),
        }
    }
}

impl Module for Neuron {
    fn inputs(&self) -> usize {
        self.p.len() - 1
    }
    fn outputs(&self) -> usize {
        1
    }
    fn params(&self) -> &[f64] {
        &self.p
    }
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.p
    }
    fn forward<'g>(&self, p: Params<'g>, x: &[Var<'g>]) -> Vec<Var<'g>> {
        let s = Shape {
            inputs: self.inputs(),
            outputs: 1,
            activation: self.act,
        };
        layer_forward(s, p, x)
    }
    fn predict(&self, x: &[f64]) -> Vec<f64> {
        check_len("inputs", x.len(), self.inputs());
        vec![neuron_predict(&self.p, x, self.act)]
    }
}

/// A layer of neurons over the same inputs. Parameters neuron by neuron, each
/// `[w₀, …, wₙ₋₁, b]` (micrograd's order).
///
/// ```
/// use chainrule::data::Rng;
/// use chainrule::nn::{Activation, Layer, Module};
/// let l = Layer::new(3, 4, Activation::Tanh, &mut Rng::new(1));
/// assert_eq!((l.inputs(), l.outputs(), l.params().len()), (3, 4, 16));
/// assert!(l.predict(&[1.0, 2.0, 3.0]).iter().all(|y| y.abs() < 1.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    shape: Shape,
    p: Vec<f64>,
}

impl Layer {
    /// `outputs` neurons with `inputs` inputs each, initialised as [`Neuron::new`].
    ///
    /// # Panics
    /// When `inputs` or `outputs` is 0.
    pub fn new(inputs: usize, outputs: usize, activation: Activation, rng: &mut Rng) -> Layer {
        assert!(
            inputs > 0 && outputs > 0,
            "chainrule: a layer needs at least one input and one output"
        );
        let shape = Shape {
            inputs,
            outputs,
            activation,
        };
        Layer {
            shape,
            p: init(shape, rng),
        }
    }

    /// Its shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }
}

impl Module for Layer {
    fn inputs(&self) -> usize {
        self.shape.inputs
    }
    fn outputs(&self) -> usize {
        self.shape.outputs
    }
    fn params(&self) -> &[f64] {
        &self.p
    }
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.p
    }
    fn forward<'g>(&self, p: Params<'g>, x: &[Var<'g>]) -> Vec<Var<'g>> {
        layer_forward(self.shape, p, x)
    }
    fn predict(&self, x: &[f64]) -> Vec<f64> {
        layer_predict(self.shape, &self.p, x)
    }
}

/// A multi-layer perceptron: layers in sequence, each with its own activation.
/// Parameters layer by layer, in micrograd's order.
///
/// ```
/// use chainrule::data::Rng;
/// use chainrule::nn::{Activation::*, Mlp, Module};
/// // micrograd's demo model: 2 → 16 → 16 → 1, relu hidden, linear out
/// let m = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut Rng::new(1337));
/// assert_eq!(m.params().len(), 337);
/// assert_eq!(m.predict(&[0.5, -0.5]).len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    shapes: Vec<Shape>,
    p: Vec<f64>,
}

impl Mlp {
    /// Layers of `(outputs, activation)` after `inputs` inputs, initialised as
    /// [`Neuron::new`], layer by layer and neuron by neuron from `rng`.
    ///
    /// # Panics
    /// When `inputs` is 0, `layers` is empty, or a layer has no outputs.
    pub fn new(inputs: usize, layers: &[(usize, Activation)], rng: &mut Rng) -> Mlp {
        Mlp::with_weights(inputs, layers, || rng.uniform(-1.0, 1.0))
    }

    /// The model micrograd's `MLP(inputs, sizes)` makes after `random.seed(seed)`: each
    /// weight `random.uniform(-1, 1)` from Python's generator ([`PyRandom`]), layer by
    /// layer and neuron by neuron, biases 0. With micrograd's data
    /// ([`sklearn_moons`](crate::data::sklearn_moons)) it trains to micrograd's own losses.
    ///
    /// ```
    /// use chainrule::nn::{Activation::*, Mlp, Module};
    /// let m = Mlp::micrograd(2, &[(16, Relu), (16, Relu), (1, Linear)], 1337);
    /// // random.seed(1337); MLP(2, [16, 16, 1]).layers[0].neurons[0].w[0].data
    /// assert_eq!(m.params()[..3], [0.23550571390294128, 0.06653114721000164, 0.0]);
    /// ```
    ///
    /// # Panics
    /// As [`Mlp::new`].
    pub fn micrograd(inputs: usize, layers: &[(usize, Activation)], seed: u64) -> Mlp {
        let mut random = PyRandom::seed(seed);
        Mlp::with_weights(inputs, layers, || random.uniform(-1.0, 1.0))
    }

    /// Layers as [`Mlp::new`] makes them, each weight the next value of `weight`, layer by
    /// layer and neuron by neuron; biases 0.
    ///
    /// # Panics
    /// As [`Mlp::new`].
    pub fn with_weights(
        inputs: usize,
        layers: &[(usize, Activation)],
        mut weight: impl FnMut() -> f64,
    ) -> Mlp {
        assert!(
            inputs > 0 && !layers.is_empty(),
            "chainrule: an MLP needs inputs and at least one layer"
        );
        let mut shapes = Vec::with_capacity(layers.len());
        let mut nin = inputs;
        for &(outputs, activation) in layers {
            assert!(
                outputs > 0,
                "chainrule: every layer needs at least one output"
            );
            shapes.push(Shape {
                inputs: nin,
                outputs,
                activation,
            });
            nin = outputs;
        }
        let p = shapes
            .iter()
            .flat_map(|&s| init_with(s, &mut weight))
            .collect();
        Mlp { shapes, p }
    }

    /// The layers' shapes, first to last.
    pub fn shapes(&self) -> &[Shape] {
        &self.shapes
    }

    /// The parameters of layer `i`.
    pub fn layer_params(&self, i: usize) -> &[f64] {
        let start: usize = self.shapes[..i].iter().map(Shape::params).sum();
        &self.p[start..start + self.shapes[i].params()]
    }

    /// The model as JSON: `{"format": "chainrule-mlp", "version": 1, "inputs": n,
    /// "layers": [{"activation", "weights": [[…] per neuron], "biases": […]}, …]}`.
    pub fn to_json(&self) -> Json {
        let mut layers = Vec::new();
        for (i, s) in self.shapes.iter().enumerate() {
            let p = self.layer_params(i);
            let nums = |xs: &[f64]| Json::Arr(xs.iter().map(|&x| Json::Num(x)).collect());
            let rows = p.chunks_exact(s.inputs + 1);
            layers.push(Json::Obj(vec![
                ("activation".into(), Json::Str(s.activation.name().into())),
                (
                    "weights".into(),
                    Json::Arr(rows.clone().map(|r| nums(&r[..s.inputs])).collect()),
                ),
                (
                    "biases".into(),
                    Json::Arr(rows.map(|r| Json::Num(r[s.inputs])).collect()),
                ),
            ]));
        }
        Json::Obj(vec![
            ("format".into(), Json::Str(FORMAT.into())),
            ("version".into(), Json::Int(1)),
            ("inputs".into(), Json::Int(self.inputs() as i64)),
            ("layers".into(), Json::Arr(layers)),
        ])
    }

    /// Reads a model from the JSON that [`Mlp::to_json`] writes, checking every size and
    /// number.
    ///
    /// ```
    /// use chainrule::json::Json;
    /// use chainrule::nn::Mlp;
    /// let j = Json::parse(r#"{"format": "chainrule-mlp", "version": 1, "inputs": 2, "layers": [
    ///     {"activation": "linear", "weights": [[1, 2]], "biases": [0.5]}]}"#).unwrap();
    /// let m = Mlp::from_json(&j).unwrap();
    /// assert_eq!(chainrule::nn::Module::predict(&m, &[1.0, 1.0]), vec![3.5]);
    ///
    /// let bad = Json::parse(r#"{"format": "chainrule-mlp", "version": 1, "inputs": 3, "layers": [
    ///     {"activation": "linear", "weights": [[1, 2]], "biases": [0.5]}]}"#).unwrap();
    /// assert_eq!(Mlp::from_json(&bad).unwrap_err().to_string(),
    ///     "model file: layers[0].weights[0]: expected 3 weights (the layer's inputs), found 2");
    /// ```
    pub fn from_json(j: &Json) -> Result<Mlp, ModelError> {
        let format = field(j, "", "format")?;
        if format.as_str() != Some(FORMAT) {
            return Err(bad(
                "format",
                format!("expected \"{FORMAT}\", found {format}; is this a chainrule model file?"),
            ));
        }
        let version = field(j, "", "version")?;
        if version.as_f64() != Some(1.0) {
            return Err(bad(
                "version",
                format!("this chainrule reads version 1, found {}", shown(version)),
            ));
        }
        let inputs = count(field(j, "", "inputs")?, "inputs")?;
        let layers = array(field(j, "", "layers")?, "layers")?;
        if layers.is_empty() {
            return Err(bad("layers", "expected at least one layer".into()));
        }
        let (mut shapes, mut p, mut nin) = (Vec::new(), Vec::new(), inputs);
        for (i, layer) in layers.iter().enumerate() {
            let shape = read_layer(layer, &format!("layers[{i}]"), nin, &mut p)?;
            nin = shape.outputs;
            shapes.push(shape);
        }
        Ok(Mlp { shapes, p })
    }

    /// Parses a model file's text.
    pub fn parse(text: &str) -> Result<Mlp, ModelError> {
        Mlp::from_json(&Json::parse(text).map_err(ModelError::Json)?)
    }

    /// Writes the model to `path` as indented JSON, atomically (a crash never leaves a
    /// half-written file).
    ///
    /// ```
    /// use chainrule::data::Rng;
    /// use chainrule::nn::{Activation::*, Mlp, Module};
    /// let m = Mlp::new(2, &[(4, Tanh), (1, Sigmoid)], &mut Rng::new(3));
    /// let path = std::env::temp_dir().join(format!("chainrule-doc-mlp-{}.json", std::process::id()));
    /// m.save(&path).unwrap();
    /// let back = Mlp::load(&path).unwrap();
    /// assert_eq!(back, m);
    /// assert_eq!(back.predict(&[0.1, 0.2]), m.predict(&[0.1, 0.2]));
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    ///
    /// A model with a NaN or infinite parameter (training diverged) is not written: JSON
    /// cannot hold those numbers, and the error names the first one.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        if let Some(at) = self.first_non_finite() {
            let msg = "is not a finite number (did training diverge? try a smaller learning rate)";
            return Err(bad(&at, msg.into()));
        }
        let path = path.as_ref();
        crate::write_atomic(path, self.to_json().pretty().as_bytes()).map_err(|error| {
            ModelError::Io {
                path: path.to_path_buf(),
                error,
            }
        })
    }

    /// Where the first non-finite parameter sits, as `layers[i].weights[j][k]` or
    /// `layers[i].biases[j]`.
    fn first_non_finite(&self) -> Option<String> {
        let k = self.p.iter().position(|x| !x.is_finite())?;
        let (mut start, mut i) = (0, 0);
        while k >= start + self.shapes[i].params() {
            start += self.shapes[i].params();
            i += 1;
        }
        let row = self.shapes[i].inputs + 1;
        let (j, m) = ((k - start) / row, (k - start) % row);
        Some(match m == row - 1 {
            true => format!("layers[{i}].biases[{j}]"),
            false => format!("layers[{i}].weights[{j}][{m}]"),
        })
    }

    /// Reads a model file written by [`Mlp::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Mlp, ModelError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| ModelError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Mlp::parse(&text)
    }
}

impl Module for Mlp {
    fn inputs(&self) -> usize {
        self.shapes[0].inputs
    }
    fn outputs(&self) -> usize {
        self.shapes[self.shapes.len() - 1].outputs
    }
    fn params(&self) -> &[f64] {
        &self.p
    }
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.p
    }
    fn forward<'g>(&self, p: Params<'g>, x: &[Var<'g>]) -> Vec<Var<'g>> {
        check_len("bound parameters", p.len(), self.p.len());
        let mut out = Vec::new();
        let mut start = 0;
        for (k, &s) in self.shapes.iter().enumerate() {
            out = layer_forward(s, p.slice(start, s.params()), if k == 0 { x } else { &out });
            start += s.params();
        }
        out
    }
    fn predict(&self, x: &[f64]) -> Vec<f64> {
        let mut x = x.to_vec();
        let mut start = 0;
        for &s in &self.shapes {
            x = layer_predict(s, &self.p[start..start + s.params()], &x);
            start += s.params();
        }
        x
    }
}

const FORMAT: &str = "chainrule-mlp";

/// Why a model could not be saved or loaded.
#[derive(Debug)]
pub enum ModelError {
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The file is not JSON (truncated, or edited by hand): where and why.
    Json(JsonError),
    /// The JSON is not a model: which field, and what is wrong with it.
    Format {
        /// The field, as `layers[1].weights[3]`.
        at: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Io { path, error } => write!(f, "model file: {}: {error}", path.display()),
            ModelError::Json(e) => write!(f, "model file is not valid JSON: {e}"),
            ModelError::Format { at, message } => write!(f, "model file: {at}: {message}"),
        }
    }
}

impl std::error::Error for ModelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ModelError::Io { error, .. } => Some(error),
            ModelError::Json(e) => Some(e),
            ModelError::Format { .. } => None,
        }
    }
}

fn bad(at: &str, message: String) -> ModelError {
    ModelError::Format {
        at: at.into(),
        message,
    }
}

fn field<'j>(j: &'j Json, at: &str, key: &str) -> Result<&'j Json, ModelError> {
    let path = if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    };
    match j {
        Json::Obj(_) => j.get(key).ok_or_else(|| bad(&path, "missing".into())),
        _ => Err(bad(
            if at.is_empty() { "top level" } else { at },
            format!("expected an object, found {}", j.kind()),
        )),
    }
}

fn array<'j>(j: &'j Json, at: &str) -> Result<&'j [Json], ModelError> {
    j.as_array()
        .ok_or_else(|| bad(at, format!("expected an array, found {}", j.kind())))
}

fn number(j: &Json, at: &str) -> Result<f64, ModelError> {
    j.as_f64()
        .ok_or_else(|| bad(at, format!("expected a number, found {}", j.kind())))
}

fn count(j: &Json, at: &str) -> Result<usize, ModelError> {
    match j.as_f64() {
        Some(x) if x >= 1.0 && x.fract() == 0.0 && x < 1e9 => Ok(x as usize),
        _ => Err(bad(
            at,
            format!("expected a positive whole number, found {}", shown(j)),
        )),
    }
}

/// Reads one layer taking `nin` inputs, appending its parameters to `p`.
fn read_layer(j: &Json, at: &str, nin: usize, p: &mut Vec<f64>) -> Result<Shape, ModelError> {
    let act = field(j, at, "activation")?;
    let activation = act
        .as_str()
        .and_then(Activation::from_name)
        .ok_or_else(|| {
            bad(
                &format!("{at}.activation"),
                format!(
                    "expected one of {}, found {act}",
                    Activation::ALL.map(Activation::name).join(", ")
                ),
            )
        })?;
    let weights = array(field(j, at, "weights")?, &format!("{at}.weights"))?;
    let biases = array(field(j, at, "biases")?, &format!("{at}.biases"))?;
    if weights.is_empty() {
        return Err(bad(
            &format!("{at}.weights"),
            "expected at least one neuron".into(),
        ));
    }
    if biases.len() != weights.len() {
        let msg = format!(
            "expected {} biases (one per neuron in weights), found {}",
            weights.len(),
            biases.len()
        );
        return Err(bad(&format!("{at}.biases"), msg));
    }
    for (k, (row, b)) in weights.iter().zip(biases).enumerate() {
        let row_at = format!("{at}.weights[{k}]");
        let row = array(row, &row_at)?;
        if row.len() != nin {
            let msg = format!(
                "expected {nin} weights (the layer's inputs), found {}",
                row.len()
            );
            return Err(bad(&row_at, msg));
        }
        for (m, w) in row.iter().enumerate() {
            p.push(number(w, &format!("{row_at}[{m}]"))?);
        }
        p.push(number(b, &format!("{at}.biases[{k}]"))?);
    }
    Ok(Shape {
        inputs: nin,
        outputs: weights.len(),
        activation,
    })
}

/// A JSON value as an error message quotes it: a number as the user would write it (`2`,
/// not `2.0`).
fn shown(j: &Json) -> String {
    match j {
        Json::Num(x) => crate::io::number::shortest(*x),
        _ => j.to_string(),
    }
}

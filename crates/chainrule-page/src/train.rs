//! Training sessions: a [`Session`] owns a [`Trainer`] made from the training spec and is
//! stepped by whoever carries it (the server from a thread with its own clock, the browser
//! from a Web Worker). It obeys Play, Pause, Step and Reset and answers frames (step,
//! loss, accuracy, the curves, the decision boundary as a grid of scores the engine
//! computed) and one data point's graph. It never reads a clock: how fast it steps and
//! when a frame is due are the transport's.

use crate::program::describe;
use crate::{num, ApiError, ErrorKind, Limits, PACE_DEFAULT, PACE_MAX};
use chainrule::data::Dataset;
use chainrule::nn::spec::{field, FIELDS};
use chainrule::nn::{LossWatch, Mlp, Module, StepStats, TrainSpec, Trainer};
use chainrule::{Graph, Pass, Var};
use serde_json::{json, Value};
use std::collections::HashMap;

/// What to train: the training spec's settings (`chainrule::nn::spec`), held to the
/// page's bounds ([`Limits::train`]), and how fast Play goes.
#[derive(Clone, Debug)]
pub struct TrainRequest {
    /// The training run.
    pub spec: TrainSpec,
    /// Steps a second while playing, so the eye can follow (0: as fast as the engine goes).
    pub pace: f64,
}

/// A JSON value as the text [`TrainSpec::set`] reads: numbers and strings as they are,
/// a list (the layers) joined by commas. `"batch": 0` is the page's "all".
fn setting_text(name: &str, v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| setting_text(name, i))
            .collect::<Vec<_>>()
            .join(","),
        Value::Number(n) if name == "batch" && n.as_u64() == Some(0) => "all".into(),
        other => other.to_string(),
    }
}

impl TrainRequest {
    /// The request in a JSON object: any of the spec's settings by name (a missing or
    /// `null` one takes its default), and `pace` (default 40 steps a second).
    ///
    /// ```
    /// use chainrule_page::{Limits, TrainRequest};
    /// let body = serde_json::json!({"optimizer": "adam", "layers": [8], "steps": 50});
    /// let req = TrainRequest::from_json(&body, &Limits::default()).unwrap();
    /// assert_eq!((req.spec.lr(), req.spec.layers.clone(), req.pace), (0.01, vec![8], 40.0));
    /// let e = TrainRequest::from_json(&serde_json::json!({"steps": 5000}), &Limits::default());
    /// assert_eq!(
    ///     e.unwrap_err().body["error"]["message"],
    ///     "steps must be a whole number from 1 to 1000, got 5000"
    /// );
    /// ```
    pub fn from_json(body: &Value, limits: &Limits) -> Result<TrainRequest, ApiError> {
        let Some(settings) = body.as_object() else {
            return Err(ApiError::bad(
                "the request is not the JSON expected: send an object of training settings",
            ));
        };
        let mut req = TrainRequest {
            spec: TrainSpec::with_bounds(limits.train),
            pace: PACE_DEFAULT,
        };
        for (name, v) in settings.iter().filter(|(_, v)| !v.is_null()) {
            if name == "pace" {
                req.pace = v
                    .as_f64()
                    .filter(|p| (0.0..=PACE_MAX).contains(p))
                    .ok_or_else(|| {
                        ApiError::bad(format!(
                            "pace must be 0 (as fast as possible) to {PACE_MAX} steps a second"
                        ))
                    })?;
            } else if field(name).is_none() {
                let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
                return Err(ApiError::bad(format!(
                    "there is no training setting {name:?}; the settings are {} and pace",
                    names.join(", ")
                )));
            } else {
                req.spec
                    .set(name, &setting_text(name, v))
                    .map_err(|e| ApiError::bad(e.to_string()))?;
            }
        }
        req.spec.check().map_err(|e| ApiError::bad(e.to_string()))?;
        Ok(req)
    }

    /// What the page echoes of the settings: the data, the model, the loss, the
    /// optimizer's rate, the batch (0 for all) and the steps.
    fn echo(&self) -> Value {
        let s = &self.spec;
        json!({
            "dataset": s.dataset.name, "samples": s.samples, "noise": s.noise(), "seed": s.seed,
            "layers": s.layers, "activation": s.activation.name(), "loss": s.loss.name(),
            "optimizer": s.optimizer.name, "lr": s.lr(), "batch": s.batch.unwrap_or(0),
            "steps": s.steps,
        })
    }
}

/// What the page asks a session to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Step at the transport's pace until the last step.
    Play,
    /// Stop stepping.
    Pause,
    /// One step.
    Step,
    /// Back to step 0: the data and initial weights again.
    Reset,
}

/// A control request: an action, or the graph of one data point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Play, Pause, Step or Reset.
    Act(Action),
    /// The graph of data point `.0` through the current model.
    Point(usize),
}

/// The control request in a JSON body: `{"action": "play" | "pause" | "step" | "reset"}`,
/// or `{"point": i}`.
///
/// ```
/// use chainrule_page::{control_request, Action, Control};
/// let c = control_request(&serde_json::json!({"action": "play"})).unwrap();
/// assert_eq!(c, Control::Act(Action::Play));
/// assert!(control_request(&serde_json::json!({"action": "fly"})).is_err());
/// ```
pub fn control_request(body: &Value) -> Result<Control, ApiError> {
    if let Some(p) = body.get("point").filter(|p| !p.is_null()) {
        return p
            .as_u64()
            .map(|i| Control::Point(i as usize))
            .ok_or_else(|| {
                ApiError::bad(
                    "the request is not the JSON expected: point must be a data point's index",
                )
            });
    }
    let action = match body.get("action") {
        None | Some(Value::Null) => "",
        Some(Value::String(a)) => a,
        Some(_) => {
            return Err(ApiError::bad(
                "the request is not the JSON expected: action must be a string",
            ))
        }
    };
    Ok(Control::Act(match action {
        "play" => Action::Play,
        "pause" => Action::Pause,
        "step" => Action::Step,
        "reset" => Action::Reset,
        other => {
            return Err(ApiError::bad(format!(
                "not an action: {other} (use play, pause, step or reset)"
            )))
        }
    }))
}

/// The refusal for a training session that is not there (it ended, or never was).
pub fn no_session(id: u64) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        format!("there is no training session {id} (it ended); start training again"),
    )
}

/// The grid the boundary is drawn from: `n`×`n` scores over the data's range (padded);
/// 32 keeps a frame under 20 ms even in a debug build (`cargo run -- serve`).
pub const GRID: usize = 32;

/// What a frame says when Play ran every step.
const DONE: &str = "done: all the steps ran; Reset to start again";

/// One training run as the page sees it: the trainer, the curve so far, whether it is
/// playing, and the frames sent.
pub struct Session {
    req: TrainRequest,
    limits: Limits,
    trainer: Trainer<Mlp>,
    history: Vec<StepStats>,
    playing: bool,
    note: Option<&'static str>,
    frames: u64,
}

impl Session {
    /// A session for the request, at step 0.
    pub fn new(req: TrainRequest, limits: &Limits) -> Result<Session, ApiError> {
        let trainer = req.spec.build().map_err(|e| ApiError::bad(e.to_string()))?;
        Ok(Session {
            req,
            limits: *limits,
            trainer,
            history: Vec::new(),
            playing: false,
            note: None,
            frames: 0,
        })
    }

    /// The answer to starting it: its `id` (the transport's), the data points
    /// (`[x, y, class]`), the settings it trains with and the pace Play goes at (steps a
    /// second, 0: as fast as it can; the transport keeps it).
    pub fn started(&self, id: u64) -> Value {
        let points = points(self.trainer.data());
        json!({"ok": true, "id": id, "points": points, "config": self.req.echo(),
               "pace": self.req.pace})
    }

    /// Steps a second while playing (0: as fast as the engine goes).
    pub fn pace(&self) -> f64 {
        self.req.pace
    }

    /// Whether it is playing.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Whether every step has run.
    pub fn done(&self) -> bool {
        self.trainer.steps() >= self.req.spec.steps
    }

    fn diverged(&self) -> bool {
        self.history.last().is_some_and(|s| !s.loss.is_finite())
    }

    /// Plays, pauses, steps once or resets.
    pub fn act(&mut self, action: Action) {
        match action {
            Action::Play => self.playing = !self.done() && !self.diverged(),
            Action::Pause => self.playing = false,
            Action::Step => {
                self.step(1);
            }
            Action::Reset => {
                if let Ok(fresh) = self.req.spec.build() {
                    self.trainer = fresh;
                }
                self.history.clear();
                self.playing = false;
            }
        }
    }

    /// Takes up to `n` steps (fewer at the last step) and returns how many it took. At the
    /// last step, or when the loss is no longer a number, playing stops (the next frame
    /// says why).
    pub fn step(&mut self, n: usize) -> usize {
        let mut taken = 0;
        while taken < n && !self.done() {
            self.history.push(self.trainer.step());
            taken += 1;
            if self.diverged() {
                break;
            }
        }
        if self.done() && self.playing {
            self.note = Some(DONE);
        }
        if self.done() || self.diverged() {
            self.playing = false;
        }
        taken
    }

    /// The next frame: the step, the last loss and accuracy, the curves, the boundary
    /// grid, a NaN or infinity named, and the frame's number.
    pub fn frame(&mut self) -> Value {
        let mut f = frame(
            &self.trainer,
            &self.history,
            &self.req,
            self.playing,
            self.note.take(),
        );
        f["frame"] = json!(self.frames);
        self.frames += 1;
        f
    }

    /// The graph of data point `i` through the current model, its loss on that point as
    /// the output, as the `program` question answers it (plus the point).
    pub fn point(&self, i: usize) -> Result<Value, ApiError> {
        point_graph(&self.trainer, i, &self.limits)
    }
}

/// The data points as the page draws them, `[x, y, class]` (none unless the data is 2-D).
pub(crate) fn points(data: &Dataset) -> Vec<Value> {
    if data.dim != 2 {
        return Vec::new();
    }
    (0..data.len())
        .map(|i| {
            let r = data.row(i);
            json!([r[0], r[1], data.y[i]])
        })
        .collect()
}

/// The corners of the boundary's grid: the data's range, padded by a tenth and 0.1.
fn grid_box(data: &Dataset) -> (f64, f64, f64, f64) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for i in 0..data.len() {
        let r = data.row(i);
        x0 = x0.min(r[0]);
        x1 = x1.max(r[0]);
        y0 = y0.min(r[1]);
        y1 = y1.max(r[1]);
    }
    let (px, py) = ((x1 - x0) * 0.1 + 0.1, (y1 - y0) * 0.1 + 0.1);
    (x0 - px, x1 + px, y0 - py, y1 + py)
}

/// The model's score at a point: its output, or for several outputs the class (the
/// largest output).
pub(crate) fn model_score(model: &Mlp, x: f64, y: f64) -> f64 {
    let out = model.predict(&[x, y]);
    if out.len() == 1 {
        out[0]
    } else {
        out.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0.0, |(k, _)| k as f64)
    }
}

/// The boundary over 2-D `data`: the grid (`{n, x0, x1, y0, y1, scores}`, `score` at the
/// centre of every cell, row by row from the top) and the first score that is not a
/// number.
pub(crate) fn boundary(
    data: &Dataset,
    mut score: impl FnMut(f64, f64) -> f64,
) -> (Value, Option<f64>) {
    let (x0, x1, y0, y1) = grid_box(data);
    let mut scores = Vec::with_capacity(GRID * GRID);
    let mut bad_score = None;
    for j in 0..GRID {
        for i in 0..GRID {
            let x = x0 + (x1 - x0) * (i as f64 + 0.5) / GRID as f64;
            let y = y1 - (y1 - y0) * (j as f64 + 0.5) / GRID as f64;
            let s = score(x, y);
            if !s.is_finite() && bad_score.is_none() {
                bad_score = Some(s);
            }
            scores.push(num(s));
        }
    }
    let grid = json!({"n": GRID, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "scores": scores});
    (grid, bad_score)
}

/// Why the frame has a NaN or an infinity, if it has one: the loss, a parameter or a
/// score, and the first node that went non-finite on data point 0.
fn non_finite_note(
    t: &Trainer<Mlp>,
    last: Option<&StepStats>,
    bad_score: Option<f64>,
) -> Option<String> {
    why_non_finite(last, t.model().params(), bad_score).map(|why| match first_bad_node(t) {
        Some(node) => format!("{why}. On data point 0, {node}"),
        None => why,
    })
}

/// Why a frame has a NaN or an infinity, if it has one: the loss, one of the model's
/// `params` or a score on the grid (`bad_score`).
pub(crate) fn why_non_finite(
    last: Option<&StepStats>,
    params: &[f64],
    bad_score: Option<f64>,
) -> Option<String> {
    let params_bad = params.iter().position(|p| !p.is_finite());
    match (last, params_bad) {
        (Some(s), _) if !s.loss.is_finite() => Some(format!(
            "the loss is {}: training diverged; try a smaller learning rate",
            s.loss
        )),
        (_, Some(k)) => Some(format!(
            "parameter #{k} is {}: training diverged; try a smaller learning rate",
            params[k]
        )),
        _ => bad_score.map(|s| format!("the model's score is {s} somewhere on the grid")),
    }
}

/// One frame of a session: the step, the last loss and accuracy, the boundary grid.
fn frame(
    t: &Trainer<Mlp>,
    history: &[StepStats],
    c: &TrainRequest,
    playing: bool,
    note: Option<&str>,
) -> Value {
    let last = history.last();
    let model = t.model();
    let (grid, bad_score) = boundary(t.data(), |x, y| model_score(model, x, y));
    frame_json(Frame {
        step: t.steps(),
        of: c.spec.steps,
        history,
        lr: last.map(|s| s.lr),
        playing,
        classes: t.data().classes,
        multiclass: model.outputs() > 1,
        grid,
        non_finite: non_finite_note(t, last, bad_score),
        note,
    })
}

/// What a frame shows, wherever the training runs.
pub(crate) struct Frame<'a> {
    /// Steps taken.
    pub step: usize,
    /// Steps planned.
    pub of: usize,
    /// Every step's loss and accuracy so far.
    pub history: &'a [StepStats],
    /// The learning rate of the last step, if known.
    pub lr: Option<f64>,
    /// Whether more steps are coming.
    pub playing: bool,
    /// How many classes the data has.
    pub classes: usize,
    /// Whether the model has an output per class.
    pub multiclass: bool,
    /// The decision boundary's grid (see [`boundary`]), or null.
    pub grid: Value,
    /// Why a number is NaN or infinite, if one is.
    pub non_finite: Option<String>,
    /// A line to say once.
    pub note: Option<&'a str>,
}

/// A frame as the page reads it: the step, the last loss and accuracy, the boundary
/// grid, a NaN or infinity named or else a loss that grows or jumps (`warning`), and the
/// curves (`history`: `[step, loss, accuracy]`, steps counted from 1).
pub(crate) fn frame_json(f: Frame<'_>) -> Value {
    let last = f.history.last();
    json!({
        "step": f.step,
        "of": f.of,
        "loss": last.map(|s| num(s.loss)),
        "accuracy": last.map(|s| num(s.accuracy)),
        "lr": f.lr.map(num),
        "playing": f.playing,
        "classes": f.classes,
        "multiclass": f.multiclass,
        "grid": f.grid,
        "warning": f.non_finite.is_none().then(|| loss_warning(f.history)).flatten(),
        "non_finite": f.non_finite,
        "note": f.note,
        "history": f.history
            .iter()
            .map(|s| json!([s.step + 1, num(s.loss), num(s.accuracy)]))
            .collect::<Vec<_>>(),
    })
}

/// What the losses so far say of a run whose numbers are all finite: diverging, or
/// unstable (see [`LossWatch`]), with the remedy.
fn loss_warning(history: &[StepStats]) -> Option<String> {
    let mut w = LossWatch::default();
    history.iter().for_each(|s| w.push(s.loss));
    w.warning()
        .map(|w| format!("{w}; try a smaller learning rate"))
}

/// The first node that went NaN or infinite on the graph of data point 0 through the
/// model (its loss and backward), as the engine says it.
fn first_bad_node(t: &Trainer<Mlp>) -> Option<String> {
    let data = t.data();
    if data.is_empty() {
        return None;
    }
    let model = t.model();
    let g = Graph::new();
    let x: Vec<Var<'_>> = data.row(0).iter().map(|&v| g.leaf(v)).collect();
    let outs = model.forward(model.bind(&g), &x);
    let loss = t.objective().loss(&[outs], &data.rows(&[0]));
    loss.backward();
    let nf = loss.first_non_finite()?;
    let what = match nf.pass {
        Pass::Forward => "value",
        Pass::Backward => "grad",
    };
    Some(format!(
        "the first non-finite number is the {what} of node #{} ({}): {}",
        nf.node.index(),
        nf.value,
        nf.reason
    ))
}

/// The graph of data point `i` through the model, its loss on that point as the output.
fn point_graph(t: &Trainer<Mlp>, i: usize, limits: &Limits) -> Result<Value, ApiError> {
    let data = t.data();
    if i >= data.len() {
        return Err(ApiError::bad(format!(
            "there is no data point {i}: the data has {} (0 to {})",
            data.len(),
            data.len() - 1
        )));
    }
    let model = t.model();
    let g = Graph::new();
    let p = model.bind(&g);
    let x: Vec<Var<'_>> = data
        .row(i)
        .iter()
        .enumerate()
        .map(|(k, &v)| g.var(&format!("x{k}"), v))
        .collect();
    let outs = model.forward(p, &x);
    for (k, o) in outs.iter().enumerate() {
        o.set_label(&format!("score{k}"));
    }
    let loss = t.objective().loss(&[outs], &data.rows(&[i])).named("loss");
    let names = HashMap::new();
    let mut v = describe(&g, loss, &names, &[], &[], limits)?;
    v.extra.insert(
        "point".into(),
        json!({"index": i, "x": data.row(i), "class": data.y[i]}),
    );
    Ok(v.into_value())
}

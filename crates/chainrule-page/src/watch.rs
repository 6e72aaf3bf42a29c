//! A training loop that runs elsewhere, watched: the learner's own loop in a Jupyter
//! kernel (micrograd's demo written out in Python), or the native trainer called from
//! Python. A [`Watch`] keeps the data and the curve so far and answers the frames a
//! training [`Session`](crate::Session) answers: the loss and accuracy by step and, for
//! 2-D data, the decision boundary as a grid of the model's scores. It reads no clock:
//! when a frame is due is the transport's.

use crate::train::{boundary, frame_json, model_score, points, why_non_finite, Frame};
use chainrule::data::Dataset;
use chainrule::nn::{Mlp, Module, StepStats};
use serde_json::{json, Value};

/// The data and the curve of a training loop watched from outside.
pub struct Watch {
    data: Dataset,
    steps: usize,
    history: Vec<StepStats>,
    frames: u64,
}

/// What a frame's decision boundary is computed from.
pub enum Scores<'a> {
    /// No model: the data and the curves only.
    Nothing,
    /// A native MLP, its scores computed natively.
    Mlp(&'a Mlp),
    /// Any model, as a function of a point: its score (positive: the second class), or,
    /// when `multiclass`, the class it picks.
    Function {
        /// The model at a point.
        score: &'a mut dyn FnMut(f64, f64) -> f64,
        /// Whether it gives a class id rather than a score.
        multiclass: bool,
    },
}

impl Watch {
    /// A loop over `data` planned to take `steps` steps (the chart's axis; it grows if the
    /// loop takes more).
    ///
    /// ```
    /// use chainrule::data::{moons, Rng};
    /// use chainrule_page::{Scores, Watch};
    /// let mut w = Watch::new(moons(20, 0.1, &mut Rng::new(1)), 100);
    /// assert_eq!(w.started()["points"].as_array().unwrap().len(), 20);
    /// w.record(0.9, Some(0.5));
    /// let f = w.frame(Scores::Nothing, true);
    /// assert_eq!((f["step"].clone(), f["loss"].clone()), (serde_json::json!(1), serde_json::json!(0.9)));
    /// ```
    pub fn new(data: Dataset, steps: usize) -> Watch {
        Watch {
            data,
            steps,
            history: Vec::new(),
            frames: 0,
        }
    }

    /// What the view draws first: the data points (`[x, y, class]`, for 2-D data), how
    /// many classes, how many features.
    pub fn started(&self) -> Value {
        json!({
            "ok": true,
            "points": points(&self.data),
            "classes": self.data.classes,
            "features": self.data.dim,
        })
    }

    /// One step's loss and accuracy (a fraction; None if the loop does not say); returns
    /// the steps recorded.
    pub fn record(&mut self, loss: f64, accuracy: Option<f64>) -> usize {
        self.history.push(StepStats {
            step: self.history.len(),
            loss,
            accuracy: accuracy.unwrap_or(f64::NAN),
            lr: f64::NAN,
        });
        self.history.len()
    }

    /// Plans `more` steps after those recorded (the chart's axis).
    pub fn plan(&mut self, more: usize) {
        self.steps = self.history.len() + more;
    }

    /// Steps recorded.
    pub fn steps(&self) -> usize {
        self.history.len()
    }

    /// The next frame: the curves so far and, for 2-D data and a model, the boundary.
    /// `running`: more steps are coming (the view says "playing").
    pub fn frame(&mut self, scores: Scores<'_>, running: bool) -> Value {
        let two_d = self.data.dim == 2 && !self.data.is_empty();
        let (grid, bad_score, multiclass, model) = match scores {
            Scores::Mlp(m) if two_d => {
                let (grid, bad) = boundary(&self.data, |x, y| model_score(m, x, y));
                (grid, bad, m.outputs() > 1, Some(m))
            }
            Scores::Function { score, multiclass } if two_d => {
                let (grid, bad) = boundary(&self.data, score);
                (grid, bad, multiclass, None)
            }
            _ => (Value::Null, None, false, None),
        };
        let params = model.map_or(&[][..], |m| m.params());
        let non_finite = why_non_finite(self.history.last(), params, bad_score);
        let done = (!running).then(|| "done: the loop has finished".to_string());
        let mut f = frame_json(Frame {
            step: self.history.len(),
            of: self.steps.max(self.history.len()),
            history: &self.history,
            lr: None,
            playing: running,
            classes: self.data.classes,
            multiclass,
            grid,
            non_finite,
            note: done.as_deref(),
        });
        f["frame"] = json!(self.frames);
        self.frames += 1;
        f
    }
}

//! The kernel's side of live training (`chainrule.watch`): the curve of a loop that runs
//! in Python (micrograd's demo written out) or in the native trainer, its frames answered
//! by the page's protocol (`chainrule_page::Watch`), and the one pacer that says when a
//! frame is due, so that watching costs the loop at most a set share of its time.

use std::time::{Duration, Instant};

use chainrule::nn::{Mlp, StepStats};
use chainrule_page::{Scores, Watch};
use pyo3::prelude::*;

use crate::train::{dataset, NativeCore};

/// The most frames a second: more would cost the loop without the eye seeing them.
const MAX_FPS: f64 = 20.0;

/// The most of the loop's time frames may take (kept under the 10% the view promises,
/// since a frame's cost is measured after it, and the next may cost more).
const SHARE: f64 = 0.07;

/// When the next frame is due: at most [`MAX_FPS`] a second, and a frame that took `c`
/// seconds is followed by at least `c / SHARE` seconds from its start, so frames take at
/// most [`SHARE`] of the time.
struct Pacer {
    next: Option<Instant>,
}

impl Pacer {
    fn due(&self) -> bool {
        self.next.is_none_or(|t| Instant::now() >= t)
    }

    fn spent(&mut self, cost: f64) {
        let cost = cost.max(0.0);
        let gap = (1.0 / MAX_FPS).max(cost / SHARE);
        let start = Instant::now() - Duration::from_secs_f64(cost);
        self.next = Some(start + Duration::from_secs_f64(gap));
    }
}

/// A training loop's data and curve, its frames, and when the next one is due.
#[pyclass(module = "chainrule._core")]
pub struct WatchCore {
    watch: Watch,
    pacer: Pacer,
}

#[pymethods]
impl WatchCore {
    /// A loop over `rows` samples of `cols` features (`float64` bytes) with their labels
    /// (`float64` bytes: -1/+1 or class ids), planned for `steps` steps.
    #[new]
    fn new(x: &[u8], rows: usize, cols: usize, y: &[u8], steps: usize) -> PyResult<WatchCore> {
        Ok(WatchCore {
            watch: Watch::new(dataset(x, rows, cols, y)?, steps),
            pacer: Pacer { next: None },
        })
    }

    /// The data as the view draws it (JSON text): `{ok, points, classes, features}`.
    fn started(&self) -> String {
        self.watch.started().to_string()
    }

    /// Records one step's loss and accuracy (a fraction, or None); returns the steps so far.
    #[pyo3(signature = (loss, accuracy = None))]
    fn record(&mut self, loss: f64, accuracy: Option<f64>) -> usize {
        self.watch.record(loss, accuracy)
    }

    /// Plans `more` steps after those recorded (the chart's axis).
    fn plan(&mut self, more: usize) {
        self.watch.plan(more);
    }

    /// Steps recorded.
    #[getter]
    fn steps(&self) -> usize {
        self.watch.steps()
    }

    /// Whether a frame is due.
    fn due(&self) -> bool {
        self.pacer.due()
    }

    /// A frame took `seconds` in all (the frame, the sending): the next is due when the
    /// pace allows.
    fn spent(&mut self, seconds: f64) {
        self.pacer.spent(seconds);
    }

    /// The next frame (JSON text). `model`: a native model (`NativeCore`), or a function of
    /// `(x, y)` giving the score (or, with `multiclass`, the class), or None (the curves
    /// only). An exception the function raises is raised here.
    #[pyo3(signature = (model, running, multiclass = false))]
    fn frame(
        &mut self,
        model: Option<&Bound<'_, PyAny>>,
        running: bool,
        multiclass: bool,
    ) -> PyResult<String> {
        let Some(model) = model else {
            return Ok(self.watch.frame(Scores::Nothing, running).to_string());
        };
        if let Ok(native) = model.cast::<NativeCore>() {
            let core = native.borrow();
            return Ok(self
                .watch
                .frame(Scores::Mlp(core.mlp()), running)
                .to_string());
        }
        let mut failed: Option<PyErr> = None;
        let mut score = |x: f64, y: f64| -> f64 {
            if failed.is_some() {
                return f64::NAN;
            }
            match model.call1((x, y)).and_then(|s| s.extract::<f64>()) {
                Ok(s) => s,
                Err(e) => {
                    failed = Some(e);
                    f64::NAN
                }
            }
        };
        let scores = Scores::Function {
            score: &mut score,
            multiclass,
        };
        let frame = self.watch.frame(scores, running).to_string();
        match failed {
            Some(e) => Err(e),
            None => Ok(frame),
        }
    }
}

/// The native trainer's hook: after each step, its loss and accuracy recorded, and when a
/// frame is due (or at the last step) `on_frame(model, running)` called with a copy of the
/// model as it is. Returns the hook's error, if it raised.
pub(crate) fn native_step(
    hook: Option<&(Bound<'_, WatchCore>, Bound<'_, PyAny>)>,
    s: &StepStats,
    model: &Mlp,
    last: bool,
) -> PyResult<()> {
    let Some((core, on_frame)) = hook else {
        return Ok(());
    };
    let due = {
        let mut c = core.borrow_mut();
        c.watch.record(s.loss, Some(s.accuracy));
        last || c.pacer.due()
    };
    if due {
        on_frame.call1((NativeCore::of(model.clone()), !last))?;
    }
    Ok(())
}

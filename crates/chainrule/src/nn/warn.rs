//! A training run watched for the signs of a learning rate that is too large while every
//! number is still finite. A run whose loss becomes NaN or infinite says so on its own;
//! one whose steps overshoot can instead end, all numbers finite, with a loss of 29 or
//! 4e27 and a model that guesses (micrograd's demo at `lr` 10 or 30), and nothing says
//! why. [`LossWatch`] reads the losses step by step and names what it sees; the caller
//! adds the remedy in its own words (a smaller learning rate, or `--lr`).

use crate::number::Numbers;
use std::fmt;

/// Reads a run's losses in order, keeping only what [`LossWatch::warning`] needs: the
/// first, the highest and the last.
///
/// ```
/// use chainrule::nn::{LossWarning, LossWatch};
/// let mut w = LossWatch::default();
/// for loss in [1.32, 49.6, 147.0, 53.7, 29.6] {
///     w.push(loss);
/// }
/// let Some(LossWarning::Grown { first, step, loss }) = w.warning() else { panic!() };
/// assert_eq!((first, step, loss), (1.32, 4, 29.6));
/// assert_eq!(
///     w.warning().unwrap().to_string(),
///     "the loss has grown from 1.3200 to 29.6000 by step 5, 22× where it started: the \
///      steps overshoot, so training is diverging though every number is still finite"
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossWatch {
    first: Option<f64>,
    /// The step (from 0) and loss of the highest loss so far.
    peak: (usize, f64),
    /// The step (from 0) and loss of the last.
    last: (usize, f64),
    steps: usize,
}

/// What a [`LossWatch`] saw. `first` is the first finite loss. Steps count from 0, as
/// [`StepStats`](super::StepStats) does; the text counts them from 1, as the progress and
/// the curves do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LossWarning {
    /// The last loss is over [`LossWatch::GROWN`] times the first, after at least
    /// [`LossWatch::GROWN_AFTER`] steps: training diverged though every number is finite.
    Grown {
        /// The first step's loss.
        first: f64,
        /// The last step.
        step: usize,
        /// Its loss.
        loss: f64,
    },
    /// Some step's loss was over [`LossWatch::JUMPED`] times the first, though the last
    /// is not over [`LossWatch::GROWN`] times: the run was unstable, and may have settled
    /// somewhere poor.
    Jumped {
        /// The first step's loss.
        first: f64,
        /// The step with the highest loss.
        step: usize,
        /// That loss.
        loss: f64,
    },
}

impl LossWatch {
    /// Above this multiple of the first loss, the last loss means training diverged.
    pub const GROWN: f64 = 2.0;
    /// Above this multiple of the first loss, a step's loss is called a jump.
    pub const JUMPED: f64 = 10.0;
    /// The fewest steps before a grown loss is called divergence (a second step's
    /// overshoot is often won back at once).
    pub const GROWN_AFTER: usize = 3;

    /// Takes the next step's loss. A loss that is not finite is not kept: that case has
    /// its own message, with the node that went first.
    pub fn push(&mut self, loss: f64) {
        let step = self.steps;
        self.steps += 1;
        if !loss.is_finite() {
            return;
        }
        if self.first.is_none() {
            self.first = Some(loss);
            self.peak = (step, loss);
        }
        if self.peak.1 < loss {
            self.peak = (step, loss);
        }
        self.last = (step, loss);
    }

    /// What the losses so far show, if anything: see [`LossWarning`]. Nothing while the
    /// first loss is not above 0 (the losses here are never below 0, and from 0 there is
    /// no multiple to speak of).
    pub fn warning(&self) -> Option<LossWarning> {
        let first = self.first.filter(|&f| f > 0.0)?;
        let (step, loss) = self.last;
        if self.steps >= Self::GROWN_AFTER && step + 1 == self.steps && loss > Self::GROWN * first {
            return Some(LossWarning::Grown { first, step, loss });
        }
        let (step, loss) = self.peak;
        (loss > Self::JUMPED * first).then_some(LossWarning::Jumped { first, step, loss })
    }
}

impl LossWarning {
    /// How many times the first loss the loss named is.
    pub fn ratio(&self) -> f64 {
        match *self {
            LossWarning::Grown { first, loss, .. } | LossWarning::Jumped { first, loss, .. } => {
                loss / first
            }
        }
    }
}

/// A multiple as a learner reads it: `22×`, `3.5×`, `4e27×`.
fn times(r: f64) -> String {
    if r >= 1e6 {
        format!("{r:.0e}×")
    } else if r >= 10.0 {
        format!("{r:.0}×")
    } else {
        format!("{r:.1}×")
    }
}

impl fmt::Display for LossWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |x| Numbers::Notebook.format(x);
        match *self {
            LossWarning::Grown { first, step, loss } => write!(
                f,
                "the loss has grown from {} to {} by step {}, {} where it started: \
                 the steps overshoot, so training is diverging though every number is still \
                 finite",
                n(first),
                n(loss),
                step + 1,
                times(self.ratio())
            ),
            LossWarning::Jumped { first, step, loss } => write!(
                f,
                "the loss jumped to {} at step {}, {} where it started ({}): the run is \
                 unstable",
                n(loss),
                step + 1,
                times(self.ratio()),
                n(first)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(losses: &[f64]) -> Option<LossWarning> {
        let mut w = LossWatch::default();
        losses.iter().for_each(|&l| w.push(l));
        w.warning()
    }

    #[test]
    fn a_falling_or_noisy_loss_is_quiet() {
        assert_eq!(watch(&[]), None);
        assert_eq!(watch(&[1.32, 1.27, 1.07, 0.74, 0.62, 0.27]), None);
        // micrograd's demo at lr 3: up to 4.7× at step 2, then down.
        assert_eq!(watch(&[1.32, 6.27, 1.93, 3.72, 1.03, 0.84]), None);
        // Just at the bounds: not over them.
        assert_eq!(watch(&[1.0, 10.0, 1.5, 2.0]), None);
        // From 0 there is no multiple.
        assert_eq!(watch(&[0.0, 5.0, 9.0, 12.0]), None);
    }

    #[test]
    fn a_loss_over_twice_its_start_has_grown_but_not_before_the_third_step() {
        assert_eq!(watch(&[1.0, 2.5]), None);
        assert_eq!(
            watch(&[1.0, 2.5, 2.01]),
            Some(LossWarning::Grown {
                first: 1.0,
                step: 2,
                loss: 2.01
            })
        );
        // micrograd's demo at lr 30: finite, and 3e27× where it started.
        let w = watch(&[1.32, 663.0, 2.07e5, 2.19e8, 2.98e12, 4.1e27, 4.05e27]).unwrap();
        assert_eq!(
            w.to_string(),
            "the loss has grown from 1.3200 to 4.0500e27 by step 7, 3e27× where it started: \
             the steps overshoot, so training is diverging though every number is still \
             finite"
        );
    }

    #[test]
    fn a_jump_is_named_once_the_loss_is_back_under_twice_its_start() {
        // micrograd's demo at lr 5 and adam at lr 1.
        let w = watch(&[1.32, 13.6, 5.79, 6.11, 3.66, 1.57, 1.25]).unwrap();
        assert_eq!(
            w,
            LossWarning::Jumped {
                first: 1.32,
                step: 1,
                loss: 13.6
            }
        );
        assert_eq!(
            w.to_string(),
            "the loss jumped to 13.6000 at step 2, 10× where it started (1.3200): the run is \
             unstable"
        );
        let w = watch(&[1.32, 32.9, 1.01, 6.94, 1.16]).unwrap();
        assert!((w.ratio() - 32.9 / 1.32).abs() < 1e-12);
    }

    #[test]
    fn a_non_finite_loss_is_left_to_its_own_message() {
        // The last kept loss is not the last step's, so this is not "grown at step 3".
        assert_eq!(
            watch(&[1.0, 3.0, f64::INFINITY]),
            None,
            "grown needs the last step's own loss"
        );
        assert_eq!(watch(&[f64::NAN, 1.0, 30.0]).map(|w| w.ratio()), Some(30.0));
    }

    #[test]
    fn the_rule_matches_a_plain_reading_over_random_runs() {
        // Seeded, so the runs are the same every time.
        let mut rng = crate::data::Rng::new(20);
        let mut next = || rng.next_f64();
        for _ in 0..2000 {
            let n = 1 + (next() * 8.0) as usize;
            let losses: Vec<f64> = (0..n).map(|_| 0.05 + next() * 30.0).collect();
            let (first, last) = (losses[0], losses[n - 1]);
            let (mut peak_at, mut peak) = (0, first);
            for (i, &l) in losses.iter().enumerate() {
                if l > peak {
                    (peak_at, peak) = (i, l);
                }
            }
            let want = if n >= 3 && last > 2.0 * first {
                Some(LossWarning::Grown {
                    first,
                    step: n - 1,
                    loss: last,
                })
            } else if peak > 10.0 * first {
                Some(LossWarning::Jumped {
                    first,
                    step: peak_at,
                    loss: peak,
                })
            } else {
                None
            };
            assert_eq!(watch(&losses), want, "{losses:?}");
        }
    }
}

//! The live page's questions and answers: chainrule's engine behind a JSON protocol with
//! no transport and no I/O.
//!
//! The page asks a few questions, each a JSON request answered by a JSON value, all
//! through one entry point: [`ask`] (a question's name and its request in, an answer out)
//! and, for training sessions, which live between questions, an [`Engine`]. [`QUESTIONS`]
//! lists them:
//!
//! - [`program`]: a program's graph (the library's SVG), its values, derivations, gradient
//!   checks, hand grads and backward schedule;
//! - [`nudge`]: one leaf moved by `h`, the graph replayed, the finite difference beside the
//!   grad;
//! - [`train_spec`]: every training setting, its default, bounds and choices;
//! - lessons: [`lessons`] (the built-in ones), [`lesson`] (a lesson's text, program and
//!   tasks for a seed, a built-in one or a teacher's file) and [`lesson_check`] (a task's
//!   answers checked, every wrong grad diagnosed);
//! - training: [`Session::new`] from the training spec's settings, then
//!   [`Session::step`], [`Session::act`] (play, pause, step, reset), [`Session::frame`]
//!   (the curves and the decision boundary) and [`Session::point`] (one data point's graph),
//!   asked of an [`Engine`] as `train_new`, `train_step`, `train_control`, `train_free`;
//! - a graph that did not come from program text ([`GivenGraph`]: the learner's own Values,
//!   copied by the Python package for the live view in Jupyter): the same answers for its
//!   description, a nudge replayed forward, and hand grads checked;
//! - a training loop run elsewhere ([`Watch`]: the learner's own loop in the kernel, or the
//!   native trainer), answered with a session's frames.
//!
//! The page's own files ([`web`]) and a bundler for them ([`bundle`]) live here too, so
//! that every home of the page serves the same files.
//!
//! A refusal is an [`ApiError`]: a transport-neutral [`ErrorKind`] and the same JSON body
//! everywhere. Transports carry the questions: the HTTP server (`chainrule-serve`, which
//! adds routing, the Host/Origin guard, request bodies, Server-Sent Events and a thread
//! that drives a session at its pace), the WebAssembly module (`chainrule-wasm`, which
//! the page's script or a Web Worker calls), and the Jupyter kernel (the Python package's
//! widget). Nothing here reads a clock, spawns a thread or touches a file, so it runs on
//! `wasm32` as it runs natively, with the same answers byte for byte.
//!
//! ```
//! use chainrule_page::{program, Limits, ProgramRequest};
//! let req = ProgramRequest { source: "a = 2; b = -3; L = a*b".into(), hand: vec![] };
//! let answer = program(&req, &Limits::default()).unwrap();
//! assert_eq!(answer["output"]["data"], -6.0);
//! assert_eq!(answer["values"], 3);
//! ```

#![warn(missing_docs)]

mod answer;
pub mod bundle;
mod check;
mod error;
mod given;
mod jsscan;
mod lessons;
mod program;
mod questions;
mod redraw;
pub mod site;
mod spec;
mod train;
mod watch;
pub mod web;

pub use answer::{
    Answer, CheckJson, CheckSummary, Description, EdgeJson, NamedJson, NodeJson, Nudged, Num,
    OutputJson, StepEdgeJson, StepJson, ValueJson,
};
pub use check::with_check;
pub use error::{ApiError, ErrorKind};
pub use given::GivenGraph;
pub use lessons::{
    lesson, lesson_check, lessons, CheckRequest, LessonRequest, VariantRequest, ANSWER_BYTES,
};
pub use program::{
    describe, describe_program, nudge, program, program_of, NudgeRequest, ProgramRequest,
};
pub use questions::{answer, ask, Engine, Question, QUESTIONS};
pub use redraw::text_changes;
pub use spec::{train_spec, PACE_DEFAULT, PACE_MAX};
pub use train::{control_request, no_session, Action, Control, Session, TrainRequest, GRID};
pub use watch::{Scores, Watch};

use chainrule::nn::SpecBounds;
use serde_json::{json, Value};

/// The bounds every question is held to. A program's bounds are the library's
/// [`chainrule::Limits::PAGE`], enforced while it is evaluated and drawn; training's are
/// the training spec's, tightened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// The longest program accepted, in bytes.
    pub program_bytes: usize,
    /// The most values a program may compute.
    pub nodes: usize,
    /// Up to this many values, every value gets a gradient check; past it, leaves only.
    pub check_all_nodes: usize,
    /// The most training sessions alive at once.
    pub train_sessions: usize,
    /// The bounds of a training run: the training spec's, tightened for a page that many
    /// may use at once.
    pub train: SpecBounds,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            program_bytes: chainrule::Limits::PAGE.program_bytes,
            nodes: chainrule::Limits::PAGE.values,
            check_all_nodes: 1_500,
            train_sessions: 8,
            train: SpecBounds {
                samples: 1_000,
                steps: 1_000,
                width: 64,
                hidden_layers: 4,
                min_classes: 2,
                max_classes: 8,
                noise: 10.0,
                ..SpecBounds::LIBRARY
            },
        }
    }
}

impl Limits {
    /// The library's bounds for a program, with these sizes.
    pub fn program(&self) -> chainrule::Limits {
        chainrule::Limits {
            program_bytes: self.program_bytes,
            values: self.nodes,
            draw_values: self.nodes,
            ..chainrule::Limits::PAGE
        }
    }
}

/// A number for JSON: finite numbers as numbers, NaN and infinities as the strings
/// `"NaN"`, `"inf"` and `"-inf"` (JSON has no such numbers, and the page must show them).
///
/// ```
/// assert_eq!(chainrule_page::num(f64::NEG_INFINITY), "-inf");
/// assert_eq!(chainrule_page::num(0.5), 0.5);
/// ```
pub fn num(x: f64) -> Value {
    json!(Num(x))
}

/// A request's JSON text as `T`, or a clear error.
///
/// ```
/// let e = chainrule_page::parse_request::<chainrule_page::NudgeRequest>(b"{\"h\": 1}").unwrap_err();
/// assert!(e.body["error"]["message"].as_str().unwrap().contains("missing field `source`"));
/// ```
pub fn parse_request<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad(format!("the request is not the JSON expected: {e}")))
}

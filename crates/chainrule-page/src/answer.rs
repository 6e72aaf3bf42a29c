//! An answer as the transports write it: most questions answer a `serde_json::Value`, but
//! the graph questions (`program`, `given_describe`) answer a [`Description`], and the
//! nudges (`nudge`, `given_nudge`) a [`Nudged`]: typed answers that serde writes as JSON
//! text directly. Building a `Value` tree for a graph's answer (a map per value, per edge
//! and per step) and dropping it again took about 40% of a 200-value `program` call, and
//! a quarter of a nudge of 1,000 values; the text is the same either way.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A question's answer: any JSON value, a graph's [`Description`], or a nudge's replay.
#[derive(Debug)]
pub enum Answer {
    /// An answer built as a JSON value.
    Json(Value),
    /// A graph's description, written as JSON without a `Value` in between.
    Graph(Box<Description>),
    /// A nudge's replay, written as JSON without a `Value` in between.
    Nudge(Box<Nudged>),
}

impl Answer {
    /// The answer as a JSON value (for a caller that reads it; a transport writes it with
    /// [`Answer::to_json`] instead).
    ///
    /// ```
    /// let a = chainrule_page::Answer::Json(serde_json::json!({"ok": true}));
    /// assert_eq!(a.into_value()["ok"], true);
    /// ```
    pub fn into_value(self) -> Value {
        match self {
            Answer::Json(v) => v,
            Answer::Graph(d) => d.into_value(),
            Answer::Nudge(n) => n.into_value(),
        }
    }

    /// The answer's JSON text, written in one go (what [`Answer::to_string`] gives, without
    /// the formatter's second copy of the text: a 200-value graph's answer is 370 KB).
    ///
    /// ```
    /// let a = chainrule_page::Answer::Json(serde_json::json!({"ok": true}));
    /// assert_eq!(a.to_json(), r#"{"ok":true}"#);
    /// ```
    pub fn to_json(&self) -> String {
        // Only a map with keys that are not strings fails to be written, and answers have none.
        serde_json::to_string(self).unwrap_or_else(|e| {
            let why = format!("the answer could not be written: {e}");
            serde_json::json!({"ok": false, "error": {"message": why}}).to_string()
        })
    }
}

impl From<Value> for Answer {
    fn from(v: Value) -> Answer {
        Answer::Json(v)
    }
}

impl From<Description> for Answer {
    fn from(d: Description) -> Answer {
        Answer::Graph(Box::new(d))
    }
}

impl From<Nudged> for Answer {
    fn from(n: Nudged) -> Answer {
        Answer::Nudge(Box::new(n))
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Json(v) => v.serialize(s),
            Answer::Graph(d) => d.serialize(s),
            Answer::Nudge(n) => n.serialize(s),
        }
    }
}

impl fmt::Display for Answer {
    /// The answer's JSON text (see [`Answer::to_json`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// A number for JSON: finite numbers as numbers, NaN and infinities as the strings
/// `"NaN"`, `"inf"` and `"-inf"` (the one rule; [`num`](crate::num) makes it a `Value`).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.is_finite() {
            true => s.serialize_f64(self.0),
            false => s.serialize_str(&format!("{}", self.0)),
        }
    }
}

/// Everything the page shows about a graph ([`describe`](crate::describe)): its fields,
/// in the order a `Value` map writes its keys, are the `program` answer's.
#[derive(Debug, Serialize)]
pub struct Description {
    /// The gradient check of the graph: whether it passed and how many rows it has.
    pub check: CheckSummary,
    /// Every use of a value by an op, with its local derivative.
    pub edges: Vec<EdgeJson>,
    /// The hand grads checked.
    pub hand: Vec<Value>,
    /// Every value the output depends on, in tape order (the output last).
    pub nodes: Vec<NodeJson>,
    /// The first value or grad that is not finite, if any.
    pub non_finite: Option<Value>,
    /// Always true.
    pub ok: bool,
    /// The output: its id, name and data.
    pub output: OutputJson,
    /// The backward schedule's steps.
    pub schedule: Vec<StepJson>,
    /// What backward is about to do, before its first step.
    pub schedule_intro: String,
    /// The graph drawn, as the page shows it.
    pub svg: String,
    /// How many values the tape holds.
    pub values: usize,
    /// What a caller adds (a given graph's `stale`, a data point's `point`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Description {
    /// The description as a JSON value.
    pub fn into_value(self) -> Value {
        serde_json::to_value(&self).unwrap_or(Value::Null)
    }
}

/// A nudge's answer ([`nudge`](crate::nudge)): leaf `node` moved by `h` and the graph
/// replayed. Its fields, in the order a `Value` map writes its keys, are the `nudge`
/// answer's.
#[derive(Debug, Serialize)]
pub struct Nudged {
    /// The leaf's data before the nudge.
    pub a: Num,
    /// The output after the nudge.
    pub after: Num,
    /// The output before the nudge.
    pub before: Num,
    /// When the page asked for no drawing and the replay is drawn the same shape, the
    /// cells that read otherwise, `[id, data, grad]`; else None.
    pub cells: Option<Vec<Value>>,
    /// (after − before) / h.
    pub finite_difference: Num,
    /// d(output)/d(leaf) by backward, before the nudge.
    pub grad: Num,
    /// The step.
    pub h: Num,
    /// The leaf's name.
    pub name: String,
    /// The leaf's tape index.
    pub node: usize,
    /// Always true.
    pub ok: bool,
    /// The output's id and name.
    pub output: NamedJson,
    /// The replay's drawing, when it is sent.
    pub svg: Option<String>,
    /// When the replay's drawing is the shape of the one shown, the texts that read
    /// otherwise, `[k, text]`; else None.
    pub texts: Option<Vec<Value>>,
    /// The values after the replay (only those that changed, when the page asked for
    /// no drawing).
    pub values: Vec<ValueJson>,
}

impl Nudged {
    /// The answer as a JSON value.
    pub fn into_value(self) -> Value {
        serde_json::to_value(&self).unwrap_or(Value::Null)
    }
}

/// A value by its tape index and name.
#[derive(Debug, Serialize)]
pub struct NamedJson {
    /// Its tape index.
    pub id: usize,
    /// Its name.
    pub name: String,
}

/// A value's numbers by its tape index.
#[derive(Debug, Serialize)]
pub struct ValueJson {
    /// Its data.
    pub data: Num,
    /// Its grad.
    pub grad: Num,
    /// Its tape index.
    pub id: usize,
}

/// The graph's check in brief.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    /// Whether every row passed.
    pub passed: bool,
    /// How many values were checked.
    pub rows: usize,
}

/// The output of the graph.
#[derive(Debug, Serialize)]
pub struct OutputJson {
    /// Its data.
    pub data: Num,
    /// Its tape index.
    pub id: usize,
    /// Its name.
    pub name: String,
}

/// One value of the graph, as the page shows it.
#[derive(Debug, Serialize)]
pub struct NodeJson {
    /// The name it is bound to in the program, if any.
    pub bound: Option<String>,
    /// Its row of the gradient check, if it was checked.
    pub check: Option<CheckJson>,
    /// Its data.
    pub data: Num,
    /// Its chain rule, line by line.
    pub derivation: Vec<String>,
    /// How it was made (`a*b`), in names.
    pub expr: String,
    /// Its grad.
    pub grad: Num,
    /// The derivation's header.
    pub header: String,
    /// Its tape index.
    pub id: usize,
    /// Whether it is a leaf.
    pub leaf: bool,
    /// Its name.
    pub name: String,
    /// Its op's label.
    pub op: String,
}

/// A value's row of the gradient check.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// |analytic - numeric|.
    pub abs_err: Num,
    /// The grad from backward.
    pub analytic: Num,
    /// The step of the finite difference.
    pub h: Num,
    /// What the row says besides its numbers, if anything.
    pub note: Option<String>,
    /// The grad from the finite difference.
    pub numeric: Num,
    /// `pass`, `fail`, `kink` or `non-finite`.
    pub verdict: &'static str,
}

/// A use of value `from` by the op of value `to`, argument `slot`.
#[derive(Debug, Serialize)]
pub struct EdgeJson {
    /// The local derivative's formula.
    pub formula: String,
    /// The value used.
    pub from: usize,
    /// The local derivative.
    pub local: Num,
    /// Which argument of the op it is.
    pub slot: usize,
    /// The value the op makes.
    pub to: usize,
}

/// One step of the backward schedule.
#[derive(Debug, Serialize)]
pub struct StepJson {
    /// The uses that carried the node's grad.
    pub edges: Vec<StepEdgeJson>,
    /// The node's grad.
    pub grad: Num,
    /// The node's name.
    pub name: String,
    /// The node whose grad this step finishes.
    pub node: usize,
    /// What the step does, in a sentence.
    pub summary: String,
}

/// A use that carried a step's grad.
#[derive(Debug, Serialize)]
pub struct StepEdgeJson {
    /// The local derivative's formula.
    pub formula: String,
    /// The node of the step.
    pub from: usize,
    /// The local derivative.
    pub local: Num,
    /// The value the op makes.
    pub to: usize,
}

//! A graph that did not come from program text: one given on a tape, as the Python
//! package copies a learner's own Values for the live view in Jupyter. It is asked the
//! page's questions (held by an [`Engine`](crate::Engine), as `given_describe`,
//! `given_nudge`, `given_back`, `given_check`): [`describe`](GivenGraph::describe) (what
//! [`program`](crate::program) answers for a program), [`nudge`](GivenGraph::nudge) (a
//! leaf moved by `h` and the graph replayed forward, as [`nudge`](crate::nudge) answers),
//! [`back`](GivenGraph::back) (to the values as given) and [`check`](GivenGraph::check)
//! (grads typed by hand, checked and diagnosed).
//!
//! The graph as given is never changed but for its grads, which are backward's: a nudge
//! replays a copy of it, and that copy is what the view shows until `back` (or the next
//! nudge). Values given that their operands no longer produce (a leaf's `data` changed
//! after the values that use it were made, as a learner does by hand) are kept and shown
//! as given, and named in the answer (`stale`); a nudge replays every value from the
//! leaves, so its before and after are both the graph's own.

use crate::program::{describe, draw, hand_json, nudge_on, numbers, Shown};
use crate::{num, ApiError, Description, ErrorKind, Limits, Nudged};
use chainrule::{Graph, Var};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A graph given on a tape, its output, and the replay a nudge made, if the view shows one.
pub struct GivenGraph {
    given: Graph,
    out: usize,
    replay: Option<Replay>,
}

/// The graph replayed with leaf `node` moved by `h`.
struct Replay {
    g: Graph,
    node: usize,
    h: f64,
}

/// Two numbers that are the same value, but for rounding (or both NaN).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
        || (a.is_nan() && b.is_nan())
        || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl GivenGraph {
    /// The graph on `g` whose output is node `out`: every node of `g` up to `out` is
    /// part of it. Backward is run on it at once, so its grads are backward's. Refused
    /// past the page's bound on values ([`Limits::nodes`]), or when `out` is not on `g`.
    ///
    /// ```
    /// use chainrule::Graph;
    /// use chainrule_page::{GivenGraph, Limits};
    /// let g = Graph::new();
    /// let (a, b) = (g.var("a", 2.0), g.var("b", -3.0));
    /// let out = (a * b).named("L").index();
    /// let mut given = GivenGraph::new(g, out, &Limits::default()).unwrap();
    /// let j = given.nudge(1, 0.5, true, &Limits::default()).unwrap().into_value();
    /// assert_eq!((j["before"].as_f64(), j["after"].as_f64()), (Some(-6.0), Some(-5.0)));
    /// assert_eq!(given.shown().get(2).unwrap().data(), -5.0);   // the view shows the replay
    /// given.back();
    /// assert_eq!(given.shown().get(2).unwrap().data(), -6.0);
    /// ```
    pub fn new(g: Graph, out: usize, limits: &Limits) -> Result<GivenGraph, ApiError> {
        if out >= g.len() {
            return Err(ApiError::bad(format!(
                "the output is value {out}, but the graph has {} values",
                g.len()
            )));
        }
        if out >= limits.nodes {
            return Err(ApiError::new(
                ErrorKind::TooLarge,
                format!(
                    "the graph has {} values; the live view shows at most {}: show a smaller \
                     part of it (the loss of one data point, say)",
                    out + 1,
                    limits.nodes
                ),
            ));
        }
        let given = GivenGraph {
            given: g,
            out,
            replay: None,
        };
        given.output(&given.given).backward();
        Ok(given)
    }

    fn output<'g>(&self, g: &'g Graph) -> Var<'g> {
        g.get(self.out).expect("the output is on the tape")
    }

    /// The graph as given (its grads are backward's).
    pub fn given(&self) -> &Graph {
        &self.given
    }

    /// The graph the view shows: the replay of the last nudge, or the graph as given.
    pub fn shown(&self) -> &Graph {
        self.replay.as_ref().map_or(&self.given, |r| &r.g)
    }

    /// The tape index of the output.
    pub fn output_index(&self) -> usize {
        self.out
    }

    /// The leaf and the step of the replay the view shows, if it shows one.
    pub fn replayed(&self) -> Option<(usize, f64)> {
        self.replay.as_ref().map(|r| (r.node, r.h))
    }

    /// Back to the values as given: the view shows no replay.
    pub fn back(&mut self) {
        self.replay = None;
    }

    /// Everything the page shows about the graph as given, as the `program` question
    /// answers it, plus `stale`: how many values are not what their operands give, and
    /// the first of them (`{count, id, name, data, replayed}`), or null.
    pub fn describe(&self, limits: &Limits) -> Result<Description, ApiError> {
        let out = self.output(&self.given);
        let mut answer = describe(&self.given, out, &HashMap::new(), &[], &[], limits)?;
        answer.extra.insert("stale".into(), self.stale());
        Ok(answer)
    }

    /// The values as given that a forward replay from the leaves changes.
    fn stale(&self) -> Value {
        let fresh = self.given.clone();
        fresh.forward();
        let moved: Vec<usize> = (0..=self.out)
            .filter(|&i| {
                !same(
                    self.given.get(i).unwrap().data(),
                    fresh.get(i).unwrap().data(),
                )
            })
            .collect();
        let Some(&first) = moved.first() else {
            return Value::Null;
        };
        let v = self.given.get(first).unwrap();
        json!({
            "count": moved.len(),
            "id": first,
            "name": v.display_name(),
            "data": num(v.data()),
            "replayed": num(fresh.get(first).unwrap().data()),
        })
    }

    /// Leaf `node` moved by `h` from its value as given, every value replayed from the
    /// leaves; the view shows this replay until [`back`](Self::back) or the next nudge.
    /// `svg`: whether the answer carries the replay's drawing and its `texts`, as the
    /// `nudge` question's `svg` (see [`NudgeRequest::svg`](crate::NudgeRequest::svg)): with
    /// false, when the replay is drawn the same shape as the graph as given, only the
    /// `cells` that read otherwise and the `values` that changed, and no drawing.
    pub fn nudge(
        &mut self,
        node: usize,
        h: f64,
        svg: bool,
        limits: &Limits,
    ) -> Result<Nudged, ApiError> {
        // The page shows the graph as given (a stale value as it was given): the replay's
        // texts or cells are said as changes to that drawing.
        let shown = if svg {
            Shown::Drawing(draw(self.output(&self.given), limits)?)
        } else {
            Shown::Numbers(numbers(&self.given, self.out))
        };
        let g = self.given.clone();
        g.forward();
        let answer = nudge_on(&g, self.output(&g), node, h, limits, shown)?;
        self.replay = Some(Replay { g, node, h });
        Ok(answer)
    }

    /// Grads typed by hand, `(node id, grad)`, checked against backward on the graph as
    /// given, each wrong one diagnosed: `{ok, output: {id, name, data}, hand: [...]}`, the
    /// `hand` entries as the `program` question lists them.
    pub fn check(&self, hand: &[(usize, f64)]) -> Result<Value, ApiError> {
        let g = &self.given;
        let out = self.output(g);
        let vars = hand
            .iter()
            .map(|&(id, grad)| {
                g.get(id)
                    .filter(|_| id <= self.out)
                    .map(|v| (v, grad))
                    .ok_or_else(|| ApiError::bad(format!("there is no value with id {id}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({
            "ok": true,
            "output": {"id": self.out, "name": out.display_name(), "data": num(out.data())},
            "hand": hand_json(out, &vars, &[]),
        }))
    }
}

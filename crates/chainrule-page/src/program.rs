//! The program questions: a program in, its graph (the library's SVG), every value, its
//! derivation, its gradient check, the hand grads checked, and the backward schedule out
//! ([`program`]); a leaf nudged and replayed ([`nudge`]).
//!
//! Everything here is synchronous and stateless: each question evaluates the program on a
//! fresh [`Graph`], so any number of pages can ask at once.

use crate::answer::{
    CheckJson, CheckSummary, Description, EdgeJson, NamedJson, NodeJson, Nudged, Num, OutputJson,
    StepEdgeJson, StepJson, ValueJson,
};
use crate::{num, text_changes, ApiError, ErrorKind, Limits};
use chainrule::lang::{EvalOptions, Evaluated, Program};
use chainrule::{CheckOptions, DrawOptions, Graph, Pass, ShowGrads, Var, Verdict};
use serde::Deserialize;
use serde_json::{json, Value};

/// The `program` question (`POST /api/program`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProgramRequest {
    /// The program's text.
    pub source: String,
    /// Grads typed into the page, to check: `(node id, grad)`.
    #[serde(default)]
    pub hand: Vec<(usize, f64)>,
}

/// The hand grads `hand` checked against backward from `out`, as the answers list them
/// (`lines`: the program line of each, if it came from the program).
pub(crate) fn hand_json<'g>(
    out: Var<'g>,
    hand: &[(Var<'g>, f64)],
    lines: &[Option<usize>],
) -> Vec<Value> {
    out.check_hand_grads(hand)
        .iter()
        .enumerate()
        .map(|(k, c)| {
            json!({
                "id": c.index,
                "name": c.name,
                "given": num(c.given),
                "correct": num(c.correct),
                "right": c.right,
                "derivation": c.derivation,
                "line": lines.get(k).copied().flatten(),
                "text": c.to_string(),
                "mistakes": c.diagnosis.ids(),
                "follows_from_yours": c.diagnosis.follows_from_yours,
                "diagnosis": c.diagnosis.text,
            })
        })
        .collect()
}

/// The `nudge` question (`POST /api/nudge`).
#[derive(Clone, Debug, Deserialize)]
pub struct NudgeRequest {
    /// The program's text.
    pub source: String,
    /// The id of the leaf to move.
    pub node: usize,
    /// How far to move it.
    pub h: f64,
    /// Whether the answer carries the replay's drawing (`svg`) and its `texts`: true by
    /// default. False when the page shows the program's drawing and wants only what
    /// changed: then, when the replay is drawn the same shape, the answer's `cells` say
    /// which values' cells read otherwise, `values` lists only the values whose data or
    /// grad changed, and no drawing is made (`svg` and `texts` are null); else `svg` is
    /// the replay's drawing, as by default.
    #[serde(default = "yes")]
    pub svg: bool,
}

/// A field that is true when left out.
pub(crate) fn yes() -> bool {
    true
}

impl Default for NudgeRequest {
    /// No program, leaf 0, `h` 0, the drawing in the answer (as a request that does not
    /// say).
    fn default() -> NudgeRequest {
        NudgeRequest {
            source: String::new(),
            node: 0,
            h: 0.0,
            svg: true,
        }
    }
}

fn parse(source: &str, limits: &Limits) -> Result<Program, ApiError> {
    within_bytes("program", source, limits)?;
    Program::parse(source).map_err(|e| ApiError::lang(&e, source))
}

/// Refuses `text` (a `what`: a program, a lesson) past the page's bound on its bytes,
/// before any of it is read.
pub(crate) fn within_bytes(what: &str, text: &str, limits: &Limits) -> Result<(), ApiError> {
    if text.len() <= limits.program_bytes {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorKind::TooLarge,
        format!(
            "the {what} is {} bytes; the page takes at most {} bytes",
            text.len(),
            limits.program_bytes
        ),
    ))
}

/// Evaluates `p` within the bounds, which stop it as it passes them; its output is the
/// value named `of`, or its last value.
fn eval<'g>(
    p: &Program,
    source: &str,
    g: &'g Graph,
    of: Option<&str>,
    limits: &Limits,
) -> Result<Evaluated<'g>, ApiError> {
    let opts = EvalOptions {
        limits: limits.program(),
        of: of.map(str::to_string),
        ..EvalOptions::default()
    };
    p.eval_checked(g, &opts, &mut crate::check::go_on)
        .map_err(|e| ApiError::lang(&e, source))
}

fn draw_options(limits: &Limits) -> DrawOptions {
    DrawOptions {
        grads: ShowGrads::Always,
        sign_room: true,
        ..limits.program().draw_options()
    }
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Kink => "kink",
        Verdict::NonFinite => "non-finite",
    }
}

/// The `program` question: the program evaluated, backward run, and everything the page
/// shows about it.
pub fn program(req: &ProgramRequest, limits: &Limits) -> Result<Value, ApiError> {
    program_of(req, None, limits)
}

/// The `program` question with its output the value named `of` (its grads are d`of`/dx and
/// its graph is `of`'s), as a lesson's task about another value than the last asks.
///
/// ```
/// use chainrule_page::{program_of, Limits, ProgramRequest};
/// let req = ProgramRequest { source: "x = 3; y = x*x; z = y + 1".into(), hand: vec![] };
/// let a = program_of(&req, Some("y"), &Limits::default()).unwrap();
/// assert_eq!((a["output"]["name"].as_str(), a["output"]["data"].as_f64()), (Some("y"), Some(9.0)));
/// ```
pub fn program_of(
    req: &ProgramRequest,
    of: Option<&str>,
    limits: &Limits,
) -> Result<Value, ApiError> {
    describe_program(req, of, limits).map(Description::into_value)
}

/// [`program_of`]'s answer as the transports write it: typed, so that it goes to JSON
/// text with no `Value` tree in between (the `program` question's own way).
///
/// ```
/// use chainrule_page::{describe_program, Limits, ProgramRequest};
/// let req = ProgramRequest { source: "a = 2; L = a*a".into(), hand: vec![] };
/// let d = describe_program(&req, None, &Limits::default()).unwrap();
/// assert_eq!((d.output.name.as_str(), d.nodes[0].name.as_str(), d.nodes[0].grad.0), ("L", "a", 4.0));
/// ```
pub fn describe_program(
    req: &ProgramRequest,
    of: Option<&str>,
    limits: &Limits,
) -> Result<Description, ApiError> {
    let p = parse(&req.source, limits)?;
    let g = Graph::new();
    let run = eval(&p, &req.source, &g, of, limits)?;
    let out = run.output;
    // The grads the program set by hand (`f.grad = 4`), read before backward replaces them.
    let program_hand: Vec<(Var<'_>, f64, usize)> = run
        .hand_grads
        .iter()
        .map(|h| (h.var, h.value, h.line))
        .collect();
    let names: std::collections::HashMap<usize, &str> = run
        .bindings
        .iter()
        .map(|b| (b.var.index(), b.name.as_str()))
        .collect();
    // Hand grads: the program's own statements, then what the page typed.
    let mut hand: Vec<(Var<'_>, f64)> = program_hand.iter().map(|h| (h.0, h.1)).collect();
    for &(id, value) in &req.hand {
        let v = g
            .get(id)
            .filter(|_| id <= out.index())
            .ok_or_else(|| ApiError::bad(format!("there is no value with id {id}")))?;
        hand.push((v, value));
    }
    let mut lines: Vec<Option<usize>> = program_hand.iter().map(|h| Some(h.2)).collect();
    lines.resize(hand.len(), None);
    describe(&g, out, &names, &hand, &lines, limits)
}

/// Everything the page shows about the graph of `out`: backward run, its values,
/// derivations, checks and schedule, the SVG, and the hand grads `hand` checked (`lines`:
/// the program line of each, if it came from the program). `names`: the name each value
/// is bound to.
pub fn describe<'g>(
    g: &'g Graph,
    out: Var<'g>,
    names: &std::collections::HashMap<usize, &str>,
    hand: &[(Var<'g>, f64)],
    lines: &[Option<usize>],
    limits: &Limits,
) -> Result<Description, ApiError> {
    if out.index() >= limits.nodes {
        return Err(ApiError::new(
            ErrorKind::TooLarge,
            format!(
                "the graph has {} values; the page draws at most {}",
                out.index() + 1,
                limits.nodes
            ),
        ));
    }
    out.backward();
    let ex = out.explain();
    let ids: Vec<usize> = ex.nodes.iter().map(|n| n.index).collect();
    crate::check::between_stages("the gradient checks")?;
    let check = if ids.len() <= limits.check_all_nodes {
        let vars: Vec<Var<'_>> = ids.iter().filter_map(|&i| g.get(i)).collect();
        out.grad_check_of(&vars, CheckOptions::default())
    } else {
        out.grad_check()
    };
    crate::check::between_stages("the drawing")?;
    let rows: std::collections::HashMap<usize, &chainrule::CheckRow> =
        check.rows.iter().map(|r| (r.index, r)).collect();
    let svg = draw(out, limits)?;
    let nodes: Vec<NodeJson> = ex
        .nodes
        .iter()
        .rev()
        .map(|n| {
            let v = g.get(n.index).expect("explained nodes are on the tape");
            NodeJson {
                id: n.index,
                name: n.name.clone(),
                bound: names.get(&n.index).map(|b| b.to_string()),
                leaf: v.is_leaf(),
                op: v.op_label(),
                expr: n.expr.clone(),
                data: Num(n.data),
                grad: Num(n.grad),
                header: n.header(),
                derivation: n.derivation(&ex.output_name),
                check: rows.get(&n.index).map(|r| CheckJson {
                    h: Num(r.h),
                    analytic: Num(r.analytic),
                    numeric: Num(r.numeric),
                    abs_err: Num(r.abs_err),
                    verdict: verdict(r.verdict),
                    note: r.note.clone(),
                }),
            }
        })
        .collect();
    let mut edges = Vec::new();
    for n in &ex.nodes {
        for c in &n.contributions {
            edges.push(EdgeJson {
                from: n.index,
                to: c.parent,
                slot: c.slot,
                local: Num(c.local),
                formula: c.formula.clone(),
            });
        }
    }
    // The backward schedule's steps are the explanation's nodes, in its order (as
    // `Var::backward_schedule` has them; its derivations are the nodes' own, sent once, in
    // `nodes`); each step says what it does in a sentence, as `chainrule steps` narrates it.
    let schedule: Vec<StepJson> = ex
        .nodes
        .iter()
        .map(|s| StepJson {
            node: s.index,
            name: s.name.clone(),
            grad: Num(s.grad),
            edges: s
                .contributions
                .iter()
                .map(|c| StepEdgeJson {
                    from: s.index,
                    to: c.parent,
                    local: Num(c.local),
                    formula: c.formula.clone(),
                })
                .collect(),
            summary: s.summary(),
        })
        .collect();
    let hand = hand_json(out, hand, lines);
    let non_finite = out.first_non_finite().map(|nf| {
        json!({
            "id": nf.node.index(),
            "name": ex.node(nf.node.index()).map(|n| n.name.clone()),
            "pass": match nf.pass { Pass::Forward => "value", Pass::Backward => "grad" },
            "value": num(nf.value),
            "reason": nf.reason,
        })
    });
    Ok(Description {
        ok: true,
        output: OutputJson {
            id: out.index(),
            name: ex.output_name.clone(),
            data: Num(out.data()),
        },
        values: g.len(),
        nodes,
        edges,
        svg,
        schedule,
        schedule_intro: ex.intro(),
        hand,
        check: CheckSummary {
            passed: check.passed(),
            rows: check.rows.len(),
        },
        non_finite,
        extra: serde_json::Map::new(),
    })
}

/// The `nudge` question: the notebook's experiment on one leaf. The leaf moves by `h`, the
/// graph is replayed from it, and the answer holds L before and after, the finite
/// difference (L(a+h) − L(a))/h, dL/da from backward, and the replayed graph's SVG;
/// `name` and `output.name` are the names to write these with (`a` and `L`). When the
/// replay is drawn the same shape as the program's own drawing, `texts` says which of
/// its texts read otherwise ([`text_changes`](crate::text_changes)), so that the page can
/// change them in place; else it is null. With `svg: false` in the request, no drawing is
/// made when the shape is the same: `cells` lists the values whose cells read otherwise,
/// `[id, data, grad]`, and `values` only the values that changed (see [`NudgeRequest`]).
///
/// ```
/// use chainrule_page::{nudge, Limits, NudgeRequest};
/// let source = "a = 2; b = -3; c = 10; L = a*b + c".to_string();
/// let req = NudgeRequest { source, node: 0, h: 0.5, svg: false };
/// let j = nudge(&req, &Limits::default()).unwrap().into_value();
/// assert!(j["svg"].is_null());
/// assert_eq!(j["cells"][0], serde_json::json!([0, "data 2.5000", "grad -3.0000"]));
/// // a's data, b's grad, a*b and L changed; c did not.
/// let ids: Vec<_> = j["values"].as_array().unwrap().iter().map(|v| v["id"].as_u64().unwrap()).collect();
/// assert_eq!(ids, [0, 1, 3, 4]);
/// ```
pub fn nudge(req: &NudgeRequest, limits: &Limits) -> Result<Nudged, ApiError> {
    check_h(req.h)?;
    let p = parse(&req.source, limits)?;
    let g = Graph::new();
    let run = eval(&p, &req.source, &g, None, limits)?;
    nudge_on(
        &g,
        run.output,
        req.node,
        req.h,
        limits,
        Shown::Program { svg: req.svg },
    )
}

/// What the page shows before a nudge, which its answer is said against.
pub(crate) enum Shown {
    /// The drawing of the graph as it is, before the nudge; `svg`: whether the answer
    /// carries the replay's drawing and its texts (else only the changed `cells` when the
    /// shape is the same).
    Program {
        /// See [`NudgeRequest::svg`].
        svg: bool,
    },
    /// This drawing (the graph as given, stale values and all): the answer carries the
    /// replay's drawing and its texts' changes to this one.
    Drawing(String),
    /// The drawing of these numbers, `(data, grad)` by tape index (the graph as given,
    /// stale values and all), which the answer does not need: as `Program { svg: false }`,
    /// only the `cells` that read otherwise when the replay is drawn the same shape.
    Numbers(Vec<(f64, f64)>),
}

/// The `nudge` question on a graph already on a tape: leaf `node` of the graph of `out`
/// moved by `h` and the graph replayed from it (left so: the caller keeps or drops it).
/// `shown`: what the page shows for the graph before the nudge; the answer's `texts` or
/// `cells` are the replay's changes to it.
pub(crate) fn nudge_on<'g>(
    g: &'g Graph,
    out: Var<'g>,
    node: usize,
    h: f64,
    limits: &Limits,
    shown: Shown,
) -> Result<Nudged, ApiError> {
    check_h(h)?;
    let leaf = g
        .get(node)
        .filter(|v| v.index() <= out.index() && v.is_leaf() && v.constant().is_none())
        .ok_or_else(|| ApiError::bad(format!("value {node} is not a leaf")))?;
    out.backward();
    // Before: the drawing shown (the answer says the replay's changes to its texts), or,
    // when the page wants only what changed, the numbers (its boxes are found from them).
    let (shown, old) = match shown {
        Shown::Drawing(svg) => (Some(svg), Vec::new()),
        Shown::Program { svg: true } => (Some(draw(out, limits)?), Vec::new()),
        Shown::Program { svg: false } => (None, numbers(g, out.index())),
        Shown::Numbers(old) => (None, old),
    };
    let before = out.data();
    let grad = leaf.grad();
    let a = leaf.data();
    leaf.set_data(a + h);
    g.forward_after(leaf);
    let after = out.data();
    out.backward();
    let cells = match &shown {
        None => same_shape_changes(g, out, &old, limits)?,
        Some(_) => None,
    };
    let svg = match (&shown, &cells) {
        (None, Some(_)) => None,
        _ => Some(draw(out, limits)?),
    };
    let texts = match (&shown, &svg) {
        (Some(shown), Some(svg)) => text_changes(shown, svg),
        _ => None,
    };
    // Only what changed, when the page asked so; else every value.
    let changed = |v: &Var<'_>| shown.is_some() || moved(&old, *v);
    let values = (0..=out.index())
        .filter_map(|i| g.get(i))
        .filter(changed)
        .map(|v| ValueJson {
            data: Num(v.data()),
            grad: Num(v.grad()),
            id: v.index(),
        })
        .collect();
    Ok(Nudged {
        a: Num(a),
        after: Num(after),
        before: Num(before),
        cells,
        finite_difference: Num((after - before) / h),
        grad: Num(grad),
        h: Num(h),
        name: leaf.display_name(),
        node: leaf.index(),
        ok: true,
        output: NamedJson {
            id: out.index(),
            name: out.display_name(),
        },
        svg,
        texts,
        values,
    })
}

/// Whether value `v` reads otherwise than the numbers `old` (`(data, grad)` by tape index)
/// had it, to the last bit; true for a value `old` does not have.
fn moved(old: &[(f64, f64)], v: Var<'_>) -> bool {
    old.get(v.index()).is_none_or(|&(data, grad)| {
        data.to_bits() != v.data().to_bits() || grad.to_bits() != v.grad().to_bits()
    })
}

/// The `(data, grad)` of every value of `g` up to tape index `out`, by index.
pub(crate) fn numbers(g: &Graph, out: usize) -> Vec<(f64, f64)> {
    (0..=out)
        .filter_map(|i| g.get(i))
        .map(|v| (v.data(), v.grad()))
        .collect()
}

/// When the boxes of the graph of `out` on `g` are drawn the same shape as they were with
/// the numbers `old` (`(data, grad)` by tape index: every cell as wide and flagged alike,
/// so the drawings differ only in their texts), the cells that read otherwise, as
/// `[id, data, grad]` (`grad` null when grads are not drawn); else None. Only the values
/// whose numbers changed are drawn again, before and after, to compare.
fn same_shape_changes(
    g: &Graph,
    out: Var<'_>,
    old: &[(f64, f64)],
    limits: &Limits,
) -> Result<Option<Vec<Value>>, ApiError> {
    let opts = draw_options(limits);
    // A value the page's numbers do not have is kept: compared below, it finds no match.
    let changed = |i: usize| g.get(i).is_none_or(|v| moved(old, v));
    let after = out.drawn_cells_where(&opts, changed).map_err(cannot_draw)?;
    let mut changes = Vec::new();
    for a in after {
        let Some(&(data, grad)) = old.get(a.index) else {
            return Ok(None);
        };
        let b = a.redrawn(data, (a.texts.len() > 2).then_some(grad), &opts);
        if b.widths != a.widths || b.bad != a.bad {
            return Ok(None);
        }
        if b.texts != a.texts {
            changes.push(json!([a.index, a.texts.get(1), a.texts.get(2)]));
        }
    }
    Ok(Some(changes))
}

/// A nudge's step: a finite number other than 0.
fn check_h(h: f64) -> Result<(), ApiError> {
    if !h.is_finite() || h == 0.0 {
        return Err(ApiError::bad("h must be a finite number other than 0"));
    }
    Ok(())
}

/// The graph of `out` drawn as the page shows it, or why it cannot be.
pub(crate) fn draw(out: Var<'_>, limits: &Limits) -> Result<String, ApiError> {
    out.to_svg(&draw_options(limits)).map_err(cannot_draw)
}

/// Why a graph cannot be drawn, as the protocol says it.
fn cannot_draw(e: chainrule::DrawError) -> ApiError {
    ApiError::new(
        ErrorKind::BadProgram,
        format!("cannot draw this graph: {e}"),
    )
}

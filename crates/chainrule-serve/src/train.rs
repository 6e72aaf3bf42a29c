//! Training sessions: each one a thread that owns a [`Trainer`] and obeys Play, Pause,
//! Step and Reset, and publishes frames (step, loss, accuracy, the decision boundary as a
//! grid of scores the engine computed) that the page reads as Server-Sent Events.
//!
//! The number of sessions alive at once and the steps each may take are bounded
//! ([`Limits`]); a session nobody watches is ended when a new one needs its place.

use crate::api::num;
use crate::{json_response, parse_body, ApiError, AppState, Body, Limits};
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chainrule::nn::spec::{field, FIELDS};
use chainrule::nn::{Mlp, Module, StepStats, TrainSpec, Trainer};
use chainrule::{Graph, Var};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What to train: the training spec's settings (`chainrule::nn::spec`), held to the
/// page's bounds ([`Limits::train`]), and how fast Play goes.
#[derive(Clone, Debug)]
pub struct TrainRequest {
    /// The training run.
    pub spec: TrainSpec,
    /// Steps a second while playing, so the eye can follow (0: as fast as the engine goes).
    pub pace: f64,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, msg)
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
    pub fn from_json(body: &Value, limits: &Limits) -> Result<TrainRequest, ApiError> {
        let Some(settings) = body.as_object() else {
            return Err(bad(
                "the request is not the JSON expected: send an object of training settings",
            ));
        };
        let mut req = TrainRequest {
            spec: TrainSpec::with_bounds(limits.train),
            pace: 40.0,
        };
        for (name, v) in settings.iter().filter(|(_, v)| !v.is_null()) {
            if name == "pace" {
                req.pace = v
                    .as_f64()
                    .filter(|p| (0.0..=10_000.0).contains(p))
                    .ok_or_else(|| {
                        bad("pace must be 0 (as fast as possible) to 10000 steps a second")
                    })?;
            } else if field(name).is_none() {
                let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
                return Err(bad(format!(
                    "there is no training setting {name:?}; the settings are {} and pace",
                    names.join(", ")
                )));
            } else {
                req.spec
                    .set(name, &setting_text(name, v))
                    .map_err(|e| bad(e.to_string()))?;
            }
        }
        req.spec.check().map_err(|e| bad(e.to_string()))?;
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

/// The trainer and data the request describes, or why not.
pub fn build(req: &TrainRequest) -> Result<Trainer<Mlp>, ApiError> {
    req.spec.build().map_err(|e| bad(e.to_string()))
}

/// The grid the boundary is drawn from: `n`×`n` scores over the data's range (padded);
/// 32 keeps a frame under 20 ms even in a debug build (`cargo run -- serve`).
pub const GRID: usize = 32;

/// One frame: the step, the last loss and accuracy, the boundary grid.
fn frame(
    t: &Trainer<Mlp>,
    history: &[StepStats],
    c: &TrainRequest,
    playing: bool,
    note: Option<&str>,
) -> Value {
    let last = history.last();
    let data = t.data();
    let model = t.model();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for i in 0..data.len() {
        let r = data.row(i);
        x0 = x0.min(r[0]);
        x1 = x1.max(r[0]);
        y0 = y0.min(r[1]);
        y1 = y1.max(r[1]);
    }
    let (px, py) = ((x1 - x0) * 0.1 + 0.1, (y1 - y0) * 0.1 + 0.1);
    let (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
    let mut scores = Vec::with_capacity(GRID * GRID);
    let mut bad_score = None;
    for j in 0..GRID {
        for i in 0..GRID {
            let x = x0 + (x1 - x0) * (i as f64 + 0.5) / GRID as f64;
            let y = y1 - (y1 - y0) * (j as f64 + 0.5) / GRID as f64;
            let out = model.predict(&[x, y]);
            let s = if out.len() == 1 {
                out[0]
            } else {
                out.iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0.0, |(k, _)| k as f64)
            };
            if !s.is_finite() && bad_score.is_none() {
                bad_score = Some(s);
            }
            scores.push(num(s));
        }
    }
    let params_bad = model.params().iter().position(|p| !p.is_finite());
    let non_finite = match (last, params_bad) {
        (Some(s), _) if !s.loss.is_finite() => Some(format!(
            "the loss is {}: training diverged; try a smaller learning rate",
            s.loss
        )),
        (_, Some(k)) => Some(format!(
            "parameter #{k} is {}: training diverged; try a smaller learning rate",
            model.params()[k]
        )),
        _ => bad_score.map(|s| format!("the model's score is {s} somewhere on the grid")),
    };
    // Name the first node that produced it, on the graph of the first data point.
    let non_finite = non_finite.map(|why| match first_bad_node(t) {
        Some(node) => format!("{why}. On data point 0, {node}"),
        None => why,
    });
    json!({
        "step": t.steps(),
        "of": c.spec.steps,
        "loss": last.map(|s| num(s.loss)),
        "accuracy": last.map(|s| num(s.accuracy)),
        "lr": last.map(|s| num(s.lr)),
        "playing": playing,
        "classes": data.classes,
        "multiclass": model.outputs() > 1,
        "grid": {"n": GRID, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "scores": scores},
        "non_finite": non_finite,
        "note": note,
        "history": history
            .iter()
            .map(|s| json!([s.step + 1, num(s.loss), num(s.accuracy)]))
            .collect::<Vec<_>>(),
    })
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
        chainrule::Pass::Forward => "value",
        chainrule::Pass::Backward => "grad",
    };
    Some(format!(
        "the first non-finite number is the {what} of node #{} ({}): {}",
        nf.node.index(),
        nf.value,
        nf.reason
    ))
}

/// What the page asks a session to do.
enum Cmd {
    Play,
    Pause,
    Step,
    Reset,
    /// The graph of data point `.0` through the current model, answered on `.1`.
    Point(usize, mpsc::Sender<Result<Value, ApiError>>),
}

/// The graph of data point `i` through the model, its loss on that point as the output.
fn point_graph(t: &Trainer<Mlp>, i: usize, limits: &Limits) -> Result<Value, ApiError> {
    let data = t.data();
    if i >= data.len() {
        return Err(bad(format!(
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
    let mut v = crate::api::describe(&g, loss, &names, &[], &[], limits)?;
    v["point"] = json!({"index": i, "x": data.row(i), "class": data.y[i]});
    Ok(v)
}

/// One live session: how to command it and its latest frame.
struct Session {
    cmd: mpsc::Sender<Cmd>,
    frames: Arc<watch::Sender<String>>,
    born: Instant,
}

/// The live sessions, bounded.
pub(crate) struct Sessions {
    max: usize,
    next: Mutex<u64>,
    live: Mutex<HashMap<u64, Session>>,
}

impl Sessions {
    pub fn new(max: usize) -> Sessions {
        Sessions {
            max,
            next: Mutex::new(1),
            live: Mutex::new(HashMap::new()),
        }
    }
}

/// Frames during Play come at most this often (≥ 10 a second, as the issue asks).
const FRAME_EVERY: Duration = Duration::from_millis(50);

fn run_session(
    c: TrainRequest,
    limits: Limits,
    cmds: mpsc::Receiver<Cmd>,
    out: Arc<watch::Sender<String>>,
) {
    let Ok(mut t) = build(&c) else {
        return;
    };
    let mut history: Vec<StepStats> = Vec::new();
    let mut playing = false;
    let mut published = 0u64;
    let mut publish = |t: &Trainer<Mlp>, h: &[StepStats], playing: bool, note: Option<&str>| {
        let mut f = frame(t, h, &c, playing, note);
        f["frame"] = json!(published);
        published += 1;
        out.send_replace(f.to_string());
    };
    publish(&t, &history, playing, None);
    // While playing: when the next step is due (at `pace` steps a second), and when the
    // next frame is due.
    let gap = (c.pace > 0.0).then(|| Duration::from_secs_f64(1.0 / c.pace));
    let mut next_step = Instant::now();
    let mut frame_at = Instant::now();
    loop {
        let cmd = if playing {
            match cmds.recv_timeout(next_step.saturating_duration_since(Instant::now())) {
                Ok(c) => Some(c),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match cmds.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        };
        let mut note = None;
        let mut due = true;
        match cmd {
            Some(Cmd::Play) => {
                playing = t.steps() < c.spec.steps;
                next_step = Instant::now();
            }
            Some(Cmd::Pause) => playing = false,
            Some(Cmd::Point(i, reply)) => {
                let _ = reply.send(point_graph(&t, i, &limits));
                continue;
            }
            Some(Cmd::Reset) => {
                if let Ok(fresh) = build(&c) {
                    t = fresh;
                }
                history.clear();
                playing = false;
            }
            Some(Cmd::Step) | None => {
                let start = Instant::now();
                while t.steps() < c.spec.steps {
                    history.push(t.step());
                    // Paced: one step now, the next after `gap`. Unpaced: steps until a
                    // frame is due.
                    if !playing || gap.is_some() || start.elapsed() >= FRAME_EVERY {
                        break;
                    }
                }
                if let Some(gap) = gap {
                    next_step += gap;
                }
                due = !playing || Instant::now() >= frame_at;
                if t.steps() >= c.spec.steps {
                    if playing {
                        note = Some("done: all the steps ran; Reset to start again");
                    }
                    playing = false;
                    due = true;
                }
            }
        }
        if history.last().is_some_and(|s| !s.loss.is_finite()) {
            playing = false;
            due = true;
        }
        if due {
            publish(&t, &history, playing, note);
            // Frames on a fixed beat, so the time a frame takes does not slow the beat.
            frame_at = (frame_at + FRAME_EVERY).max(Instant::now());
        }
    }
}

/// `POST /api/train`: a new session for the config in the body. Answers its id, the
/// data points and the first frame.
pub(crate) async fn start(State(st): State<Arc<AppState>>, body: Body) -> Response {
    let limits = st.config.limits;
    let c = match parse_body::<Value>(&body, &limits)
        .and_then(|v| TrainRequest::from_json(&v, &limits))
    {
        Ok(c) => c,
        Err(e) => return json_response(e.status, e.body),
    };
    let data = match build(&c) {
        Ok(t) => t.data().clone(),
        Err(e) => return json_response(e.status, e.body),
    };
    let id = {
        let mut live = st.sessions.live.lock().expect("sessions lock");
        if live.len() >= st.sessions.max {
            // Make room: end the oldest session nobody is watching.
            let idle = live
                .iter()
                .filter(|(_, s)| s.frames.receiver_count() == 0)
                .min_by_key(|(_, s)| s.born)
                .map(|(&k, _)| k);
            match idle {
                Some(k) => {
                    live.remove(&k);
                }
                None => {
                    return json_response(
                        429,
                        ApiError::new(
                            429,
                            format!(
                                "{} training sessions are running, the most this server allows; close another tab's training first",
                                st.sessions.max
                            ),
                        )
                        .body,
                    )
                }
            }
        }
        let mut next = st.sessions.next.lock().expect("id lock");
        let id = *next;
        *next += 1;
        let (ctx, crx) = mpsc::channel();
        let (ftx, _) = watch::channel(String::new());
        let ftx = Arc::new(ftx);
        let (cfg, out) = (c.clone(), ftx.clone());
        std::thread::spawn(move || run_session(cfg, limits, crx, out));
        live.insert(
            id,
            Session {
                cmd: ctx,
                frames: ftx,
                born: Instant::now(),
            },
        );
        id
    };
    let points: Vec<Value> = (0..data.len())
        .map(|i| {
            let r = data.row(i);
            json!([r[0], r[1], data.y[i]])
        })
        .collect();
    json_response(
        200,
        json!({"ok": true, "id": id, "points": points, "config": c.echo()}),
    )
}

/// The body of `POST /api/train/{id}/control`.
#[derive(Deserialize)]
struct Control {
    #[serde(default)]
    action: String,
    /// With `{"point": i}`: the graph of data point `i` through the current model.
    point: Option<usize>,
}

/// The graph of one data point through the session's current model.
async fn point(st: &AppState, id: u64, i: usize) -> Response {
    let (tx, rx) = mpsc::channel();
    let sent = {
        let live = st.sessions.live.lock().expect("sessions lock");
        live.get(&id)
            .is_some_and(|s| s.cmd.send(Cmd::Point(i, tx)).is_ok())
    };
    if !sent {
        return json_response(404, no_session(id).body);
    }
    let answer = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .ok()
        .and_then(|r| r.ok());
    match answer {
        Some(Ok(v)) => json_response(200, v),
        Some(Err(e)) => json_response(e.status, e.body),
        None => json_response(
            503,
            ApiError::new(503, "the training session did not answer").body,
        ),
    }
}

/// `POST /api/train/{id}/control`: `{"action": "play" | "pause" | "step" | "reset"}`,
/// or `{"point": i}` for the graph of data point `i` through the current model.
pub(crate) async fn control(
    State(st): State<Arc<AppState>>,
    Path(id): Path<u64>,
    body: Body,
) -> Response {
    let c: Control = match parse_body(&body, &st.config.limits) {
        Ok(c) => c,
        Err(e) => return json_response(e.status, e.body),
    };
    if let Some(i) = c.point {
        return point(&st, id, i).await;
    }
    let cmd = match c.action.as_str() {
        "play" => Cmd::Play,
        "pause" => Cmd::Pause,
        "step" => Cmd::Step,
        "reset" => Cmd::Reset,
        other => {
            return json_response(
                400,
                bad(format!(
                    "not an action: {other} (use play, pause, step or reset)"
                ))
                .body,
            )
        }
    };
    let live = st.sessions.live.lock().expect("sessions lock");
    match live.get(&id) {
        Some(s) if s.cmd.send(cmd).is_ok() => json_response(200, json!({"ok": true})),
        _ => json_response(404, no_session(id).body),
    }
}

fn no_session(id: u64) -> ApiError {
    ApiError::new(
        404,
        format!("there is no training session {id} (it ended); start training again"),
    )
}

/// `GET /api/train/{id}/events`: the session's frames as Server-Sent Events, the latest
/// first; a slow reader skips frames rather than falling behind.
pub(crate) async fn events(State(st): State<Arc<AppState>>, Path(id): Path<u64>) -> Response {
    let stop = st.stop.clone();
    let rx = {
        let live = st.sessions.live.lock().expect("sessions lock");
        match live.get(&id) {
            Some(s) => s.frames.subscribe(),
            None => return json_response(404, no_session(id).body),
        }
    };
    let stream =
        futures_util::stream::unfold((rx, stop, true), |(mut rx, mut stop, first)| async move {
            if *stop.borrow() {
                return None;
            }
            if !first || rx.borrow().is_empty() {
                tokio::select! {
                    changed = rx.changed() => changed.ok()?,
                    // The server is stopping: end the stream.
                    _ = stop.wait_for(|&s| s) => return None,
                }
            }
            let f = rx.borrow_and_update().clone();
            Some((
                Ok::<_, std::convert::Infallible>(Event::default().data(f)),
                (rx, stop, false),
            ))
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

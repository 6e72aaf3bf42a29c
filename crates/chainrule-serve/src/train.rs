//! Training sessions over HTTP: each one a thread that owns a [`Session`] (the page
//! protocol's training stepper) and drives it with its own clock, at the request's pace,
//! obeying Play, Pause, Step and Reset; its frames reach the page as Server-Sent Events.
//!
//! The number of sessions alive at once is bounded ([`Limits::train_sessions`]); a session
//! nobody watches is ended when a new one needs its place, once its tab has left, or,
//! if no tab has subscribed yet, once its grace period has passed
//! ([`ServerBounds::session_grace`]): a new session lives until its tab subscribes. A
//! watcher that stops reading is dropped with its connection (the write timeout), and
//! every session ends after its lifetime ([`ServerBounds::session_lifetime`]).

use crate::{error_response, json_response, parse_body, AppState, Body, ServerBounds};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chainrule_page::{
    control_request, no_session, Action, ApiError, Control, ErrorKind, Limits, Session,
    TrainRequest,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// What the page asks a session's thread to do.
enum Cmd {
    Act(Action),
    /// The graph of data point `.0` through the current model, answered on `.1`.
    Point(usize, oneshot::Sender<Result<Value, ApiError>>),
}

/// One live session: how to command it, its latest frame, when it started and whether a
/// tab has subscribed to it.
struct Live {
    cmd: mpsc::Sender<Cmd>,
    frames: Arc<watch::Sender<String>>,
    born: Instant,
    subscribed: bool,
}

impl Live {
    /// How long until it may be ended to make room: now (`Duration::ZERO`) if its tab
    /// has left, or if none subscribed within the grace period; `None` while watched.
    fn evictable_in(&self, grace: Duration) -> Option<Duration> {
        match (self.frames.receiver_count(), self.subscribed) {
            (0, true) => Some(Duration::ZERO),
            (0, false) => Some(grace.saturating_sub(self.born.elapsed())),
            _ => None,
        }
    }
}

type LiveMap = Arc<Mutex<HashMap<u64, Live>>>;

/// The live sessions, bounded.
pub(crate) struct Sessions {
    max: usize,
    grace: Duration,
    lifetime: Duration,
    next: Mutex<u64>,
    live: LiveMap,
}

impl Sessions {
    pub fn new(max: usize, bounds: &ServerBounds) -> Sessions {
        Sessions {
            max,
            grace: bounds.session_grace,
            lifetime: bounds.session_lifetime,
            next: Mutex::new(1),
            live: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

/// When every session is watched, when to ask again (a tab may leave at any moment).
const ALL_WATCHED_RETRY: Duration = Duration::from_secs(2);

/// Frames during Play come at most this often (≥ 10 a second, as the issue asks).
const FRAME_EVERY: Duration = Duration::from_millis(50);

/// The session's thread: publishes a frame after every command and, while playing,
/// takes steps at the pace (or, unpaced, as many as fit between frames) and publishes a
/// frame on a fixed beat.
fn run_session(
    req: TrainRequest,
    limits: Limits,
    cmds: mpsc::Receiver<Cmd>,
    out: Arc<watch::Sender<String>>,
    until: Instant,
) {
    let Ok(mut s) = Session::new(req, &limits) else {
        return;
    };
    let publish = |s: &mut Session| {
        out.send_replace(s.frame().to_string());
    };
    publish(&mut s);
    // While playing: when the next step is due (at `pace` steps a second), and when the
    // next frame is due.
    let gap = (s.pace() > 0.0).then(|| Duration::from_secs_f64(1.0 / s.pace()));
    let mut next_step = Instant::now();
    let mut frame_at = Instant::now();
    loop {
        // Paused, the next thing due is the session's end.
        let wake = if s.playing() {
            next_step.min(until)
        } else {
            until
        };
        let cmd = match cmds.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(c) => Some(c),
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() >= until => return,
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let mut due = true;
        match cmd {
            Some(Cmd::Point(i, reply)) => {
                let _ = reply.send(s.point(i));
                continue;
            }
            Some(Cmd::Act(a)) => {
                s.act(a);
                next_step = Instant::now();
            }
            None => {
                // Paced: one step now, the next after `gap`. Unpaced: steps until a frame
                // is due.
                let start = Instant::now();
                while s.step(1) == 1
                    && s.playing()
                    && gap.is_none()
                    && start.elapsed() < FRAME_EVERY
                {}
                if let Some(gap) = gap {
                    next_step += gap;
                }
                due = !s.playing() || Instant::now() >= frame_at;
            }
        }
        if due {
            publish(&mut s);
            // Frames on a fixed beat, so the time a frame takes does not slow the beat.
            frame_at = (frame_at + FRAME_EVERY).max(Instant::now());
        }
    }
}

/// `POST /api/train`: a new session for the settings in the body. Answers its id, the
/// data points and the settings; the first frame follows on its event stream.
pub(crate) async fn start(State(st): State<Arc<AppState>>, body: Body) -> Response {
    let limits = st.config.limits;
    let req = match parse_body::<Value>(&body, &limits)
        .and_then(|v| TrainRequest::from_json(&v, &limits))
    {
        Ok(r) => r,
        Err(e) => return error_response(e),
    };
    // Made here too, so that settings that cannot train are refused in the answer.
    let first = match Session::new(req.clone(), &limits) {
        Ok(s) => s,
        Err(e) => return error_response(e),
    };
    match st.sessions.open(req, limits) {
        Ok(id) => json_response(200, first.started(id)),
        Err(retry_after) => {
            let mut resp = error_response(ApiError::new(
                ErrorKind::Busy,
                format!(
                    "{} training sessions are running, the most this server allows; \
                     close another tab's training first",
                    st.sessions.max
                ),
            ));
            let secs = HeaderValue::from(retry_after.as_secs_f64().ceil().max(1.0) as u64);
            resp.headers_mut().insert(header::RETRY_AFTER, secs);
            resp
        }
    }
}

impl Sessions {
    /// A new session for `req` in a thread of its own, making room if a session has had
    /// no watcher for the grace period; its id, or how long until one may have.
    fn open(&self, req: TrainRequest, limits: Limits) -> Result<u64, Duration> {
        let mut live = self.live.lock().expect("sessions lock");
        if live.len() >= self.max {
            self.make_room(&mut live)?;
        }
        let mut next = self.next.lock().expect("id lock");
        let id = *next;
        *next += 1;
        let (ctx, crx) = mpsc::channel();
        let (ftx, _) = watch::channel(String::new());
        let ftx = Arc::new(ftx);
        let out = ftx.clone();
        let until = Instant::now() + self.lifetime;
        let map = self.live.clone();
        std::thread::spawn(move || {
            run_session(req, limits, crx, out, until);
            // Ended (its lifetime, or made room for another): its streams close.
            map.lock().expect("sessions lock").remove(&id);
        });
        live.insert(
            id,
            Live {
                cmd: ctx,
                frames: ftx,
                born: Instant::now(),
                subscribed: false,
            },
        );
        Ok(id)
    }

    /// Ends the oldest session that may be ended; otherwise how long until one may.
    fn make_room(&self, live: &mut HashMap<u64, Live>) -> Result<(), Duration> {
        let soonest = live
            .iter()
            .filter_map(|(&k, s)| Some((s.evictable_in(self.grace)?, s.born, k)))
            .min();
        match soonest {
            Some((wait, _, k)) if wait.is_zero() => {
                live.remove(&k);
                Ok(())
            }
            Some((wait, _, _)) => Err(wait),
            None => Err(ALL_WATCHED_RETRY),
        }
    }
}

/// The graph of one data point through the session's current model.
async fn point(st: &AppState, id: u64, i: usize) -> Response {
    let (tx, rx) = oneshot::channel();
    let sent = {
        let live = st.sessions.live.lock().expect("sessions lock");
        live.get(&id)
            .is_some_and(|s| s.cmd.send(Cmd::Point(i, tx)).is_ok())
    };
    if !sent {
        return error_response(no_session(id));
    }
    let answer = tokio::time::timeout(st.config.server.work_time, rx)
        .await
        .ok()
        .and_then(|r| r.ok());
    match answer {
        Some(Ok(v)) => json_response(200, v),
        Some(Err(e)) => error_response(e),
        None => error_response(ApiError::new(
            ErrorKind::Unavailable,
            "the training session did not answer",
        )),
    }
}

/// `POST /api/train/{id}/control`: `{"action": "play" | "pause" | "step" | "reset"}`,
/// or `{"point": i}` for the graph of data point `i` through the current model.
pub(crate) async fn control(
    State(st): State<Arc<AppState>>,
    Path(id): Path<u64>,
    body: Body,
) -> Response {
    let control = parse_body::<Value>(&body, &st.config.limits).and_then(|v| control_request(&v));
    let action = match control {
        Ok(Control::Point(i)) => return point(&st, id, i).await,
        Ok(Control::Act(a)) => a,
        Err(e) => return error_response(e),
    };
    let live = st.sessions.live.lock().expect("sessions lock");
    match live.get(&id) {
        Some(s) if s.cmd.send(Cmd::Act(action)).is_ok() => json_response(200, json!({"ok": true})),
        _ => error_response(no_session(id)),
    }
}

/// `GET /api/train/{id}/events`: the session's frames as Server-Sent Events, the latest
/// first; a slow reader skips frames rather than falling behind.
pub(crate) async fn events(State(st): State<Arc<AppState>>, Path(id): Path<u64>) -> Response {
    let stop = st.stop.clone();
    let rx = {
        let mut live = st.sessions.live.lock().expect("sessions lock");
        match live.get_mut(&id) {
            Some(s) => {
                s.subscribed = true;
                s.frames.subscribe()
            }
            None => return error_response(no_session(id)),
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

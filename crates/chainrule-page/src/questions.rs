//! The protocol's one entry point: a question's name and its JSON request in, a status
//! and a JSON answer out. Every transport carries questions through here and nowhere
//! else: the HTTP server (`POST /api/NAME`), the WebAssembly module (its one `call`
//! export), the JS engines (`engine.ask(name, request)`) and the Jupyter kernel. A new
//! question is one entry of [`QUESTIONS`] and a function; no transport changes.
//!
//! Questions that need no state ([`ask`]) are answered anywhere. Training questions keep
//! sessions between calls, so they are asked of an [`Engine`], which holds them and is
//! stepped by its caller (a Web Worker, the kernel) at the caller's pace; so are the
//! questions about a graph given to the engine ([`Engine::give`], the kernel's copy of a
//! learner's Values). The HTTP server
//! keeps its sessions in threads of its own (each with its clock, its frames as
//! Server-Sent Events) and routes training apart.
//!
//! ```
//! use chainrule_page::{ask, Engine, Limits};
//! let a = ask("program", br#"{"source": "a = 2; L = a*a"}"#, &Limits::default()).unwrap();
//! assert_eq!(a["output"]["data"], 4.0);
//! let mut e = Engine::new(Limits::default());
//! let started = e.call("train_new", br#"{"steps": 5}"#).unwrap();
//! let frame = e.call("train_step", br#"{"id": 1, "n": 5}"#).unwrap();
//! assert_eq!((started["id"].as_u64(), frame["step"].as_u64()), (Some(1), Some(5)));
//! let (status, body) = e.answer("train_step", br#"{"id": 9}"#);
//! assert_eq!(status, 404);
//! assert!(body.contains("there is no training session 9"));
//! ```

use crate::train::{control_request, no_session, Control, Session, TrainRequest};
use crate::{
    describe_program, lesson, lesson_check, lessons, nudge, parse_request, train_spec, Answer,
    ApiError, CheckRequest, ErrorKind, GivenGraph, Limits, NudgeRequest, ProgramRequest,
    VariantRequest,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A question the protocol answers.
pub struct Question {
    /// Its name, as every transport carries it.
    pub name: &'static str,
    /// What it asks, what the request holds and what the answer is, in a sentence.
    pub about: &'static str,
    /// Whether it is about state kept between questions (a training session, a given
    /// graph), so asked of an [`Engine`].
    pub training: bool,
    run: fn(&mut Engine, &[u8]) -> Result<Answer, ApiError>,
}

/// Every question, by name.
pub const QUESTIONS: &[Question] = &[
    Question {
        name: "program",
        about: "{source, hand?, of?}: the program's graph, values, derivations, checks, hand \
                grads and backward schedule (of: the output, when not the last value)",
        training: false,
        run: |e, r| {
            let req: ProgramOf = parse_request(r)?;
            describe_program(&req.program, req.of.as_deref(), &e.limits).map(Answer::from)
        },
    },
    Question {
        name: "nudge",
        about: "{source, node, h}: leaf `node` moved by h, the graph replayed, the finite \
                difference beside the grad",
        training: false,
        run: |e, r| nudge(&parse_request::<NudgeRequest>(r)?, &e.limits).map(Answer::from),
    },
    Question {
        name: "train_spec",
        about: "{}: every training setting with its default, what it takes within the \
                page's bounds and its choices",
        training: false,
        run: |e, _| Ok(train_spec(&e.limits).into()),
    },
    Question {
        name: "lessons",
        about: "{}: the built-in lessons, each with its number, name, title, summary and \
                tasks' kinds",
        training: false,
        run: |_, _| Ok(lessons().into()),
    },
    Question {
        name: "lesson",
        about: "{lesson | source, name?, seed, with_answers?}: a lesson's variant for the \
                seed (text, program, tasks and what each asks), a built-in one or a lesson \
                file's text, refused at its line and column",
        training: false,
        run: |e, r| lesson(&parse_request::<VariantRequest>(r)?, &e.limits).map(Answer::from),
    },
    Question {
        name: "lesson_check",
        about: "{lesson | source, name?, seed, task, answers, show?, stdout?, stderr?}: a \
                task's answers checked, each wrong grad diagnosed (mistakes, \
                follows_from_yours, text), the right step (reveal)",
        training: false,
        run: |e, r| lesson_check(&parse_request::<CheckRequest>(r)?, &e.limits).map(Answer::from),
    },
    Question {
        name: "train_new",
        about: "the training spec's settings (and pace): a session at step 0, its id, data \
                points and settings",
        training: true,
        run: |e, r| e.start(r).map(Answer::from),
    },
    Question {
        name: "train_step",
        about: "{id, n}: up to n steps of session id (0: none), answered by the frame after them",
        training: true,
        run: |e, r| {
            let req: Step = parse_request(r)?;
            let s = e.session(req.id)?;
            s.step(req.n);
            Ok(s.frame().into())
        },
    },
    Question {
        name: "train_control",
        about: "{id, action: play | pause | step | reset}: the frame after it; {id, point: i}: \
                data point i's graph through the current model",
        training: true,
        run: |e, r| {
            let body: Value = parse_request(r)?;
            let control = control_request(&body)?;
            let s = e.session(session_id(&body)?)?;
            match control {
                Control::Point(i) => s.point(i).map(Answer::from),
                Control::Act(a) => {
                    s.act(a);
                    Ok(s.frame().into())
                }
            }
        },
    },
    Question {
        name: "train_free",
        about: "{id}: ends session id",
        training: true,
        run: |e, r| {
            let id = session_id(&parse_request(r)?)?;
            match e.sessions.remove(&id) {
                Some(_) => Ok(json!({"ok": true}).into()),
                None => Err(no_session(id)),
            }
        },
    },
    Question {
        name: "given_describe",
        about: "{id}: the graph given to the engine as id (Engine::give), as `program` answers \
                a program's, plus the values given that their operands no longer produce",
        training: true,
        run: |e, r| {
            let limits = e.limits;
            e.given(given_id(r)?)?.describe(&limits).map(Answer::from)
        },
    },
    Question {
        name: "given_nudge",
        about: "{id, node, h, svg}: leaf `node` of given graph id moved by h, a copy \
                replayed forward, as `nudge` answers (svg: false, only the cells that \
                changed when the shape is the same); the graph shows the replay until \
                given_back",
        training: true,
        run: |e, r| {
            let (limits, req): (_, GivenNudge) = (e.limits, parse_request(r)?);
            e.given(req.id)?
                .nudge(req.node, req.h, req.svg, &limits)
                .map(Answer::from)
        },
    },
    Question {
        name: "given_back",
        about: "{id}: given graph id shows its values as given again",
        training: true,
        run: |e, r| {
            e.given(given_id(r)?)?.back();
            Ok(json!({"ok": true}).into())
        },
    },
    Question {
        name: "given_check",
        about: "{id, hand}: grads typed by hand ([[node, grad], ...]) checked on given graph \
                id and each wrong one diagnosed: {ok, output, hand}",
        training: true,
        run: |e, r| {
            let req: GivenCheck = parse_request(r)?;
            e.given(req.id)?.check(&req.hand).map(Answer::from)
        },
    },
    Question {
        name: "given_free",
        about: "{id}: the engine lets go of given graph id",
        training: true,
        run: |e, r| {
            let id = given_id(r)?;
            match e.graphs.remove(&id) {
                Some(_) => Ok(json!({"ok": true}).into()),
                None => Err(no_graph(id)),
            }
        },
    },
];

/// `{"id": N, "node": K, "h": H, "svg": B}`: leaf K of given graph N moved by H; `svg`
/// (true when left out) as the `nudge` question's.
#[derive(Deserialize)]
struct GivenNudge {
    id: u64,
    node: usize,
    h: f64,
    #[serde(default = "crate::program::yes")]
    svg: bool,
}

/// `{"id": N, "hand": [[node, grad], ...]}`: hand grads on given graph N.
#[derive(Deserialize)]
struct GivenCheck {
    id: u64,
    #[serde(default)]
    hand: Vec<(usize, f64)>,
}

/// The `id` of a request about a given graph.
fn given_id(request: &[u8]) -> Result<u64, ApiError> {
    parse_request::<Value>(request)?
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ApiError::bad("the request is not the JSON expected: id must be a given graph's id")
        })
}

/// The refusal for a given graph that is not there.
fn no_graph(id: u64) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        format!("there is no given graph {id} (it was let go); give the graph again"),
    )
}

/// The question called `name`.
fn question(name: &str) -> Result<&'static Question, ApiError> {
    QUESTIONS.iter().find(|q| q.name == name).ok_or_else(|| {
        let names: Vec<&str> = QUESTIONS.iter().map(|q| q.name).collect();
        ApiError::new(
            ErrorKind::NotFound,
            format!(
                "there is no question {name:?}; the questions are {}",
                names.join(", ")
            ),
        )
    })
}

/// Asks question `name` with the JSON `request`, a question that keeps no state (a
/// training question is refused: ask it of an [`Engine`]).
pub fn ask(name: &str, request: &[u8], limits: &Limits) -> Result<Value, ApiError> {
    answer(name, request, limits).map(Answer::into_value)
}

/// [`ask`] as a transport writes it: the answer, to be written as JSON text
/// ([`Answer::to_json`]) with no `Value` tree in between for a graph's answer.
///
/// ```
/// let a = chainrule_page::answer("program", br#"{"source": "a = 2; L = a*a"}"#, &Default::default());
/// assert!(a.unwrap().to_json().contains(r#""output":{"data":4.0,"id":1,"name":"L"}"#));
/// ```
pub fn answer(name: &str, request: &[u8], limits: &Limits) -> Result<Answer, ApiError> {
    let q = question(name)?;
    if q.training && name.starts_with("given_") {
        return Err(ApiError::bad(format!(
            "{name} is about a graph given to an engine (the Python package's live view \
             gives one); this transport keeps none"
        )));
    }
    if q.training {
        return Err(ApiError::bad(format!(
            "{name} is about a training session, which this transport keeps elsewhere \
             (over HTTP: POST /api/train and /api/train/ID/control)"
        )));
    }
    (q.run)(&mut Engine::new(*limits), request)
}

/// The `program` question's request: a program, and the value whose graph is asked when
/// it is not the last.
#[derive(Deserialize)]
struct ProgramOf {
    #[serde(flatten)]
    program: ProgramRequest,
    #[serde(default)]
    of: Option<String>,
}

/// `{"id": N, "n": K}`: K steps of session N.
#[derive(Deserialize)]
struct Step {
    id: u64,
    #[serde(default)]
    n: usize,
}

/// The `id` of a request about a session.
fn session_id(body: &Value) -> Result<u64, ApiError> {
    body.get("id").and_then(Value::as_u64).ok_or_else(|| {
        ApiError::bad("the request is not the JSON expected: id must be a training session's id")
    })
}

/// Every question, training included: the stateless ones, and training sessions held
/// here between calls and stepped by the caller, at most [`Limits::train_sessions`] at
/// once. One per Web Worker, per WebAssembly instance, per kernel.
pub struct Engine {
    limits: Limits,
    sessions: BTreeMap<u64, Session>,
    graphs: BTreeMap<u64, GivenGraph>,
    next: u64,
}

impl Engine {
    /// An engine held to `limits`, with no session.
    pub fn new(limits: Limits) -> Engine {
        Engine {
            limits,
            sessions: BTreeMap::new(),
            graphs: BTreeMap::new(),
            next: 1,
        }
    }

    /// Asks question `name` with the JSON `request`.
    pub fn call(&mut self, name: &str, request: &[u8]) -> Result<Value, ApiError> {
        (question(name)?.run)(self, request).map(Answer::into_value)
    }

    /// [`Engine::call`] as a transport sends it: the status (200, or the refusal's, as
    /// [`ErrorKind::http_status`] has it) and the answer's JSON text.
    pub fn answer(&mut self, name: &str, request: &[u8]) -> (u16, String) {
        match self.run(name, request) {
            Ok(v) => (200, v.to_json()),
            Err(e) => (e.kind.http_status(), e.body.to_string()),
        }
    }

    /// [`Engine::answer`] with a graph's drawing apart: the status, the answer's JSON text
    /// with `"svg":""`, and the drawing (`None` when the answer is not a graph's
    /// [`Description`](crate::Description)). With the drawing put back in its `svg` field,
    /// the answer is [`Engine::answer`]'s. The drawing is most of a graph's answer; as a
    /// JSON string it has a backslash before every quote, to write and to read back. The
    /// WebAssembly engine answers so.
    ///
    /// ```
    /// let mut e = chainrule_page::Engine::new(chainrule_page::Limits::default());
    /// let request = br#"{"source": "a = 2\nL = a*a"}"#;
    /// let (status, text, svg) = e.answer_apart("program", request);
    /// let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    /// assert_eq!((status, &v["svg"]), (200, &serde_json::json!("")));
    /// v["svg"] = svg.unwrap().into();
    /// let whole: serde_json::Value = serde_json::from_str(&e.answer("program", request).1).unwrap();
    /// assert_eq!(v, whole);
    /// ```
    pub fn answer_apart(&mut self, name: &str, request: &[u8]) -> (u16, String, Option<String>) {
        match self.run(name, request) {
            Ok(Answer::Graph(mut d)) => {
                let svg = std::mem::take(&mut d.svg);
                (200, Answer::Graph(d).to_json(), Some(svg))
            }
            Ok(v) => (200, v.to_json(), None),
            Err(e) => (e.kind.http_status(), e.body.to_string(), None),
        }
    }

    /// Asks question `name` with the JSON `request`: its answer, or its refusal.
    fn run(&mut self, name: &str, request: &[u8]) -> Result<Answer, ApiError> {
        question(name).and_then(|q| (q.run)(self, request))
    }

    /// Holds `graph` (one that did not come from program text: the Python package's copy
    /// of a learner's Values) for the `given_*` questions; returns its id.
    pub fn give(&mut self, graph: GivenGraph) -> u64 {
        let id = self.next;
        self.next += 1;
        self.graphs.insert(id, graph);
        id
    }

    /// Given graph `id`, to read what it shows.
    pub fn given_graph(&self, id: u64) -> Option<&GivenGraph> {
        self.graphs.get(&id)
    }

    fn given(&mut self, id: u64) -> Result<&mut GivenGraph, ApiError> {
        self.graphs.get_mut(&id).ok_or_else(|| no_graph(id))
    }

    fn session(&mut self, id: u64) -> Result<&mut Session, ApiError> {
        self.sessions.get_mut(&id).ok_or_else(|| no_session(id))
    }

    /// `train_new`: a session for the settings in the request.
    fn start(&mut self, request: &[u8]) -> Result<Value, ApiError> {
        let req = TrainRequest::from_json(&parse_request::<Value>(request)?, &self.limits)?;
        if self.sessions.len() >= self.limits.train_sessions {
            return Err(ApiError::new(
                ErrorKind::Busy,
                format!(
                    "{} training sessions are open, the most the engine keeps; end one first",
                    self.limits.train_sessions
                ),
            ));
        }
        let session = Session::new(req, &self.limits)?;
        let id = self.next;
        self.next += 1;
        let started = session.started(id);
        self.sessions.insert(id, session);
        Ok(started)
    }
}

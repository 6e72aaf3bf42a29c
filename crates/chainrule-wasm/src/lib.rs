//! chainrule's engine as WebAssembly: the page protocol's questions (`chainrule-page`)
//! behind plain C-ABI exports, with no wasm-bindgen. `crates/chainrule-page/web/
//! engine-wasm.js` is the JavaScript side; it answers with the very JSON the HTTP server
//! sends, byte for byte.
//!
//! # The exports
//!
//! A request is JSON text in the module's memory; an answer is JSON text the module
//! keeps until the next call:
//!
//! - `alloc(len) -> ptr`: room for a request of `len` bytes. The question it is handed to
//!   frees it; `dealloc(ptr, len)` frees one that was not handed on.
//! - `program(ptr, len)`, `nudge(ptr, len)`: the page's questions, as `POST /api/program`
//!   and `POST /api/nudge` take them.
//! - `train_new(ptr, len)`: a training session from the spec's settings (as `POST
//!   /api/train`); the answer's `id` is its handle. At most [`Limits::train_sessions`]
//!   live at once: `train_free(id)` ends one.
//! - `train_step(id, n)`: up to `n` steps (0 for none), answered by the frame after them.
//! - `train_control(id, ptr, len)`: `{"action": "play" | "pause" | "step" | "reset"}`,
//!   answered by the frame after it, or `{"point": i}`, answered as `train_point(id, i)`:
//!   the graph of data point `i` through the current model.
//! - `train_pace(id) -> f64`: the steps a second the session asked for (`-1` when there is
//!   no such session): Play's pace is the caller's to keep, with its own clock.
//!
//! Each question returns the HTTP-like status of its answer (200, or the refusal's: 400,
//! 404, 413, 422, 429) and leaves the answer at `out_ptr()`, `out_len()` bytes.
//!
//! # When the engine panics
//!
//! It should not: every request is bounded and checked before the work. Should it anyway,
//! the module is built with `panic = "abort"` (wasm32-unknown-unknown cannot unwind), so
//! the panic is a trap: the call throws a `WebAssembly.RuntimeError` in JavaScript. A
//! panic hook first writes the panic's message where `panic_ptr()`, `panic_len()` say;
//! the glue reads it, answers the question with `{"ok": false, "error": {"message": ...}}`
//! and makes a fresh instance, because a trap can leave the old one's state half
//! changed. Training sessions of the old instance are gone; their handles answer 404.

use chainrule_page::{
    self as page, control_request, no_session, parse_request, ApiError, Control, ErrorKind, Limits,
    NudgeRequest, ProgramRequest, Session, TrainRequest,
};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// What the module keeps between calls.
struct Engine {
    /// The last answer.
    out: Vec<u8>,
    sessions: HashMap<u64, Session>,
    next: u32,
    limits: Limits,
}

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine {
        out: Vec::new(),
        sessions: HashMap::new(),
        next: 1,
        limits: Limits::default(),
    });
    /// The message of the panic that stopped the module, if one did.
    static PANIC: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a panic's message for `panic_ptr`/`panic_len` (installed once).
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The hook before it still runs: natively it prints the panic (tests call these
        // exports natively); on wasm32-unknown-unknown there is nowhere to print.
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let what = (payload.downcast_ref::<&str>().copied())
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic");
            let message = match info.location() {
                Some(at) => format!("{what} at {}:{}", at.file(), at.line()),
                None => what.to_string(),
            }
            .into_bytes();
            PANIC.with(|p| {
                if let Ok(mut p) = p.try_borrow_mut() {
                    *p = message;
                }
            });
            before(info);
        }));
    });
}

/// Runs a question and keeps its answer; returns the answer's status.
fn answer(question: impl FnOnce(&mut Engine) -> Result<Value, ApiError>) -> u32 {
    install_panic_hook();
    ENGINE.with_borrow_mut(|e| {
        let (status, body) = match question(e) {
            Ok(v) => (200, v),
            Err(err) => (err.kind.http_status(), err.body),
        };
        e.out = body.to_string().into_bytes();
        u32::from(status)
    })
}

/// The request a caller wrote into a buffer from [`alloc`], taken back (and freed when
/// dropped).
///
/// # Safety
/// `ptr` and `len` must be a buffer [`alloc`] returned, not yet freed or taken.
unsafe fn take(ptr: *mut u8, len: usize) -> Box<[u8]> {
    // SAFETY: `alloc` made this box of exactly `len` bytes and gave up its ownership.
    unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) }
}

/// Room for a request of `len` bytes (zeroed); hand it to a question, or [`dealloc`] it.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()) as *mut u8
}

/// Frees a buffer from [`alloc`] that was not handed to a question.
///
/// # Safety
/// `ptr` and `len` must be a buffer [`alloc`] returned, not yet freed or handed on.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: as the caller promises.
    drop(unsafe { take(ptr, len) });
}

/// Where the last answer's JSON starts (valid until the next call).
#[no_mangle]
pub extern "C" fn out_ptr() -> *const u8 {
    ENGINE.with_borrow(|e| e.out.as_ptr())
}

/// The last answer's length in bytes.
#[no_mangle]
pub extern "C" fn out_len() -> usize {
    ENGINE.with_borrow(|e| e.out.len())
}

/// Where the message of the panic that stopped the module starts (see the crate's docs).
#[no_mangle]
pub extern "C" fn panic_ptr() -> *const u8 {
    PANIC.with_borrow(|p| p.as_ptr())
}

/// The panic message's length in bytes (0: no panic).
#[no_mangle]
pub extern "C" fn panic_len() -> usize {
    PANIC.with_borrow(|p| p.len())
}

/// The `program` question: a program's graph, values, derivations, checks and schedule.
///
/// # Safety
/// `ptr` and `len` must be a buffer from [`alloc`] holding the request; it is freed.
#[no_mangle]
pub unsafe extern "C" fn program(ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: as the caller promises.
    let body = unsafe { take(ptr, len) };
    answer(|e| page::program(&parse_request::<ProgramRequest>(&body)?, &e.limits))
}

/// The `nudge` question: a leaf moved by `h`, the graph replayed.
///
/// # Safety
/// `ptr` and `len` must be a buffer from [`alloc`] holding the request; it is freed.
#[no_mangle]
pub unsafe extern "C" fn nudge(ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: as the caller promises.
    let body = unsafe { take(ptr, len) };
    answer(|e| page::nudge(&parse_request::<NudgeRequest>(&body)?, &e.limits))
}

/// A new training session from the spec's settings; the answer's `id` is its handle.
///
/// # Safety
/// `ptr` and `len` must be a buffer from [`alloc`] holding the request; it is freed.
#[no_mangle]
pub unsafe extern "C" fn train_new(ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: as the caller promises.
    let body = unsafe { take(ptr, len) };
    answer(|e| {
        let req = TrainRequest::from_json(&parse_request::<Value>(&body)?, &e.limits)?;
        if e.sessions.len() >= e.limits.train_sessions {
            return Err(ApiError::new(
                ErrorKind::Busy,
                format!(
                    "{} training sessions are open, the most the engine keeps; end one first",
                    e.limits.train_sessions
                ),
            ));
        }
        let session = Session::new(req, &e.limits)?;
        let id = u64::from(e.next);
        e.next += 1;
        let started = session.started(id);
        e.sessions.insert(id, session);
        Ok(started)
    })
}

/// Session `id`, or the refusal naming it.
fn session(e: &mut Engine, id: u32) -> Result<&mut Session, ApiError> {
    let id = u64::from(id);
    e.sessions.get_mut(&id).ok_or_else(|| no_session(id))
}

/// Up to `n` steps of session `id`, answered by the frame after them.
#[no_mangle]
pub extern "C" fn train_step(id: u32, n: u32) -> u32 {
    answer(|e| {
        let s = session(e, id)?;
        s.step(n as usize);
        Ok(s.frame())
    })
}

/// Play, Pause, Step or Reset (answered by the frame after it), or one data point's graph.
///
/// # Safety
/// `ptr` and `len` must be a buffer from [`alloc`] holding the request; it is freed.
#[no_mangle]
pub unsafe extern "C" fn train_control(id: u32, ptr: *mut u8, len: usize) -> u32 {
    // SAFETY: as the caller promises.
    let body = unsafe { take(ptr, len) };
    answer(|e| {
        let control = control_request(&parse_request::<Value>(&body)?)?;
        let s = session(e, id)?;
        match control {
            Control::Point(i) => s.point(i),
            Control::Act(a) => {
                s.act(a);
                Ok(s.frame())
            }
        }
    })
}

/// The graph of data point `i` through session `id`'s current model.
#[no_mangle]
pub extern "C" fn train_point(id: u32, i: u32) -> u32 {
    answer(|e| session(e, id)?.point(i as usize))
}

/// The steps a second session `id` asked Play to go at (0: as fast as it can); -1 when
/// there is no such session.
#[no_mangle]
pub extern "C" fn train_pace(id: u32) -> f64 {
    let id = u64::from(id);
    ENGINE.with_borrow(|e| e.sessions.get(&id).map_or(-1.0, Session::pace))
}

/// Ends session `id`.
#[no_mangle]
pub extern "C" fn train_free(id: u32) -> u32 {
    let id = u64::from(id);
    answer(|e| match e.sessions.remove(&id) {
        Some(_) => Ok(json!({"ok": true})),
        None => Err(no_session(id)),
    })
}

/// Panics, for the tests of what a panic does (see the crate's docs): a question that
/// never answers.
#[no_mangle]
pub extern "C" fn panic_for_test() -> u32 {
    answer(|_| panic!("a panic the tests asked for"))
}

//! chainrule's engine as WebAssembly: the page protocol (`chainrule-page`) behind plain
//! C-ABI exports, with no wasm-bindgen. `crates/chainrule-page/web/engine-wasm.js` is the
//! JavaScript side; it answers with the very JSON the HTTP server sends, byte for byte.
//!
//! # The exports
//!
//! One export asks every question of the protocol, by name (`chainrule_page::QUESTIONS`:
//! `program`, `nudge`, `train_spec`, `train_new`, `train_step`, `train_control`,
//! `train_free`), so a new question needs nothing here. A request is text in the module's
//! memory; an answer is JSON text the module keeps until the next call:
//!
//! - `alloc(len) -> ptr`: room for `len` bytes. The call it is handed to frees it;
//!   `dealloc(ptr, len)` frees one that was not handed on.
//! - `call(ptr, len, name_len) -> status`: the buffer holds the question's name
//!   (`name_len` bytes), then its JSON request. Returns the answer's HTTP-like status
//!   (200, or the refusal's: 400, 404, 413, 422, 429) and leaves the answer at
//!   `out_ptr()`, `out_len()` bytes. Training sessions live in the instance between calls
//!   (at most `Limits::train_sessions`); Play's pace is the caller's to keep.
//! - `call_apart(ptr, len, name_len) -> status`: `call`, with a graph's drawing apart
//!   (`Engine::answer_apart`): the answer at `out_ptr()` has `"svg":""`, and the drawing is
//!   at `drawing_ptr()`, `drawing_len()` bytes (0 bytes: the answer is not a graph's). The
//!   page asks so: the drawing is most of a graph's answer, and as a JSON string it has a
//!   backslash before every quote, to write and to read back.
//!
//! # When the engine panics
//!
//! It should not: every request is bounded and checked before the work. Should it anyway,
//! the module is built with `panic = "abort"` (wasm32-unknown-unknown cannot unwind), so
//! the panic is a trap: the call throws a `WebAssembly.RuntimeError` in JavaScript. A
//! panic hook first writes the panic's message where `panic_ptr()`, `panic_len()` say;
//! the glue reads it, answers the question with `{"ok": false, "error": {"message": ...}}`
//! and makes a fresh instance, because a trap can leave the old one's state half
//! changed. Training sessions of the old instance are gone; their ids answer 404.

use chainrule_page::{Engine, Limits};
use std::cell::RefCell;

/// What the module keeps between calls: the engine (its training sessions) and the last
/// answer, with its drawing when it came apart (`call_apart`).
struct State {
    engine: Engine,
    out: Vec<u8>,
    drawing: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State {
        engine: Engine::new(Limits::default()),
        out: Vec::new(),
        drawing: Vec::new(),
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
    STATE.with_borrow(|s| s.out.as_ptr())
}

/// The last answer's length in bytes.
#[no_mangle]
pub extern "C" fn out_len() -> usize {
    STATE.with_borrow(|s| s.out.len())
}

/// Where the last answer's drawing starts, when `call_apart` took it apart (valid until
/// the next call).
#[no_mangle]
pub extern "C" fn drawing_ptr() -> *const u8 {
    STATE.with_borrow(|s| s.drawing.as_ptr())
}

/// The last answer's drawing's length in bytes (0: it had none apart).
#[no_mangle]
pub extern "C" fn drawing_len() -> usize {
    STATE.with_borrow(|s| s.drawing.len())
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

/// Asks question `name` (the buffer's first `name_len` bytes) with the JSON request that
/// follows it; returns the answer's status and keeps the answer for [`out_ptr`].
///
/// # Safety
/// `ptr` and `len` must be a buffer from [`alloc`]; it is freed.
#[no_mangle]
pub unsafe extern "C" fn call(ptr: *mut u8, len: usize, name_len: usize) -> u32 {
    // SAFETY: as the caller promises.
    unsafe {
        ask(ptr, len, name_len, |e, name, request| {
            let (status, body) = e.answer(name, request);
            (status, body, None)
        })
    }
}

/// [`call`], with a graph's drawing apart (see the crate's docs): the answer for
/// [`out_ptr`], the drawing for [`drawing_ptr`].
///
/// # Safety
/// As for [`call`].
#[no_mangle]
pub unsafe extern "C" fn call_apart(ptr: *mut u8, len: usize, name_len: usize) -> u32 {
    // SAFETY: as the caller promises.
    unsafe { ask(ptr, len, name_len, Engine::answer_apart) }
}

/// Takes the question from the buffer, answers it with `answer` (status, JSON, drawing
/// apart) and keeps what it says for the `out_*` and `drawing_*` exports.
///
/// # Safety
/// As for [`call`].
unsafe fn ask(
    ptr: *mut u8,
    len: usize,
    name_len: usize,
    answer: impl FnOnce(&mut Engine, &str, &[u8]) -> (u16, String, Option<String>),
) -> u32 {
    install_panic_hook();
    // SAFETY: as the caller promises.
    let buf = unsafe { take(ptr, len) };
    let (name, request) = buf.split_at(name_len.min(len));
    let name = std::str::from_utf8(name).unwrap_or("");
    STATE.with_borrow_mut(|s| {
        let (status, body, drawing) = answer(&mut s.engine, name, request);
        s.out = body.into_bytes();
        s.drawing = drawing.map(String::into_bytes).unwrap_or_default();
        u32::from(status)
    })
}

/// Panics, for the tests of what a panic does (see the crate's docs): a question that
/// never answers.
#[no_mangle]
pub extern "C" fn panic_for_test() -> u32 {
    install_panic_hook();
    STATE.with_borrow_mut(|_| -> u32 { panic!("a panic the tests asked for") })
}

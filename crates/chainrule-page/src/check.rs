//! The transport's check on long work: a time limit or a cancellation, asked as a
//! question is answered. This crate has no clock (it runs on wasm32, where
//! `Instant::now()` panics); a transport that wants a bound on time gives a check to
//! [`with_check`] around the question, and the work asks it before every statement and
//! every `grad()` of a program (through
//! [`Program::eval_checked`](chainrule::lang::Program::eval_checked)) and between the
//! stages of an answer (backward, the gradient checks, the drawing).
//!
//! The check belongs to the thread that runs the question, so every question (whatever
//! routes it there) is held to it without a parameter of its own.

use crate::{ApiError, ErrorKind};
use std::cell::RefCell;

/// A check: `Ok(())` to go on, `Err(reason)` to stop with `reason` in the answer.
type Check = Box<dyn FnMut() -> Result<(), String>>;

thread_local! {
    static CHECK: RefCell<Option<Check>> = const { RefCell::new(None) };
}

/// Runs `work` (a question) with `check` asked as it goes; the check is removed after,
/// even if `work` panics.
///
/// ```
/// use chainrule_page::{program, with_check, ErrorKind, Limits, ProgramRequest};
/// let req = ProgramRequest { source: "a = 2\nb = a*3\nc = b + 1".into(), hand: vec![] };
/// let mut asked = 0;
/// let stop_at_line_3 = move || {
///     asked += 1;
///     if asked > 2 { Err("the time limit ran out".to_string()) } else { Ok(()) }
/// };
/// let err = with_check(stop_at_line_3, || program(&req, &Limits::default())).unwrap_err();
/// assert_eq!(err.kind, ErrorKind::TooLarge);
/// assert_eq!(err.body["error"]["line"], 3);
/// assert!(err.body["error"]["message"].as_str().unwrap().contains("the time limit ran out"));
/// // Without a check, the same question is answered.
/// assert!(program(&req, &Limits::default()).is_ok());
/// ```
pub fn with_check<R>(
    check: impl FnMut() -> Result<(), String> + 'static,
    work: impl FnOnce() -> R,
) -> R {
    struct Remove(Option<Check>);
    impl Drop for Remove {
        fn drop(&mut self) {
            let previous = self.0.take();
            CHECK.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CHECK.with(|c| c.borrow_mut().replace(Box::new(check)));
    let _restore = Remove(previous);
    work()
}

/// Asks the thread's check, if there is one, whether to go on.
pub(crate) fn go_on() -> Result<(), String> {
    CHECK.with(|c| match c.borrow_mut().as_mut() {
        Some(check) => check(),
        None => Ok(()),
    })
}

/// [`go_on`] between the stages of an answer: a refusal that says what was stopped.
pub(crate) fn between_stages(stage: &str) -> Result<(), ApiError> {
    go_on().map_err(|reason| {
        ApiError::new(
            ErrorKind::TooLarge,
            format!(
                "the answer was stopped before {stage}: {reason}; make the program do less work"
            ),
        )
    })
}

//! A transport's check (a time limit, a cancellation) stops a question where it is asked:
//! before a statement or a `grad()` of the program (at its line and column), or between
//! the stages of the answer; and the same question without a check is answered.

use chainrule_page::{program, with_check, ErrorKind, Limits, ProgramRequest};
use std::cell::Cell;
use std::rc::Rc;

const SOURCE: &str = "x = 0.5\ny = tanh(x*x)\nd = grad(y, x)\nL = d*y\n";

fn request() -> ProgramRequest {
    ProgramRequest {
        source: SOURCE.into(),
        hand: vec![],
    }
}

/// The `program` question with a check that lets `allowed` calls go on and stops the
/// next; the answer, and how many times the check was asked.
fn stopped_after(allowed: usize) -> (Result<serde_json::Value, chainrule_page::ApiError>, usize) {
    let asked = Rc::new(Cell::new(0));
    let count = asked.clone();
    let check = move || {
        count.set(count.get() + 1);
        if count.get() > allowed {
            Err("the test's limit".to_string())
        } else {
            Ok(())
        }
    };
    let answer = with_check(check, || program(&request(), &Limits::default()));
    (answer, asked.get())
}

#[test]
fn a_check_stops_a_question_where_it_is_asked() {
    // Allowed to go on every time, the check changes nothing.
    let (answer, asked) = stopped_after(usize::MAX);
    let plain = program(&request(), &Limits::default()).unwrap();
    assert_eq!(answer.unwrap(), plain);
    // Asked before each of the 4 statements and the 1 grad(), then before 2 stages.
    assert_eq!(asked, 4 + 1 + 2);

    // Stopped at once: the first statement, with its line and column.
    let err = stopped_after(0).0.unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);
    assert_eq!(
        (
            err.body["error"]["line"].as_u64(),
            err.body["error"]["column"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(err.body["error"]["kind"], "Stopped");
    let message = err.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("the test's limit"), "{message}");

    // Stopped before the third statement's grad() (line 3).
    let err = stopped_after(3).0.unwrap_err();
    assert_eq!(err.body["error"]["line"].as_u64(), Some(3));

    // Stopped between the stages of the answer, each named.
    for (allowed, stage) in [(5, "the gradient checks"), (6, "the drawing")] {
        let err = stopped_after(allowed).0.unwrap_err();
        assert_eq!(err.kind, ErrorKind::TooLarge);
        let message = err.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("stopped before {stage}: the test's limit")),
            "{message}"
        );
    }
}

#[test]
fn the_check_is_removed_after_the_question_even_when_it_panics() {
    let caught = std::panic::catch_unwind(|| {
        with_check(|| Err("never".to_string()), || panic!("the work panicked"))
    });
    assert!(caught.is_err());
    assert!(program(&request(), &Limits::default()).is_ok());
}

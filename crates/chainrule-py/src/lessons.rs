//! The lessons for Python (`chainrule.lessons`): the page protocol's lesson questions
//! (`lessons`, `lesson`, `lesson_check`, and `program` for a lesson's graph) asked through
//! the protocol's one dispatch, so that a notebook gets the same lessons, numbers, checks
//! and diagnoses as the page and the terminal. The Python side runs the learner's code and
//! shows the answers.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The questions a lesson asks of the protocol.
const QUESTIONS: [&str; 4] = ["lessons", "lesson", "lesson_check", "program"];

/// Asks question `name` of the page protocol with the JSON `request`, within the page's
/// bounds: `(status, answer as JSON text)`, 200 or the refusal's status (its body says
/// why, with a line and column for a lesson file). Only the lesson questions are asked
/// here.
#[pyfunction]
pub fn lesson_ask(py: Python<'_>, name: &str, request: &str) -> PyResult<(u16, String)> {
    if !QUESTIONS.contains(&name) {
        return Err(PyValueError::new_err(format!(
            "{name:?} is not a lesson question; they are {}",
            QUESTIONS.join(", ")
        )));
    }
    let limits = chainrule_page::Limits::default();
    let answer = py.detach(|| chainrule_page::ask(name, request.as_bytes(), &limits));
    Ok(match answer {
        Ok(v) => (200, v.to_string()),
        Err(e) => (e.kind.http_status(), e.body.to_string()),
    })
}

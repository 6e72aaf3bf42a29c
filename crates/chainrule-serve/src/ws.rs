//! The page's questions over one WebSocket (`GET /api/ws`): the same questions and answers
//! as `POST /api/NAME`, without a request's round of HTTP each time. Chromium spends 4–6
//! ms on a `fetch` to its own server, whatever its size, and about 2 on a message over an
//! open socket; a drag of the nudge slider asks a question every frame.
//!
//! A question is one text message: `ID NAME` on its first line (ID a number the client
//! picks, NAME a question of the protocol: `program`, `nudge`, …), then the request's
//! JSON, exactly the body POST /api/NAME takes. Its answer is one binary message of UTF-8
//! text: `ID STATUS` (the HTTP status POST would answer), a newline, then the answer's
//! JSON, the same text as over HTTP. Binary, because Chromium takes a binary message and
//! decodes it (`TextDecoder`) in well under the time it takes a text message of the same
//! size: a 2 MB answer in 33 ms against 50 (measured in headless Chromium 156, with `fetch`
//! at 47). Questions on one socket are answered one at a time, in order; the next message
//! is read once the answer is sent. Training stays on HTTP (its sessions and event
//! streams).
//!
//! The socket is held to the server's bounds as a connection is: it keeps its
//! connection's slot ([`Slot`]), counted busy from a question to its answer, so an idle
//! socket makes room for a new connection as an idle keep-alive does; a write that makes
//! no progress ends it (the connection's own wrapper, which the upgrade keeps); a message
//! is at most what POST accepts; a socket with no question for
//! [`ServerBounds::socket_idle`](crate::ServerBounds::socket_idle) is closed; on shutdown
//! it closes after the answer in progress. A socket that is closed says why in its close
//! frame; the page then asks over HTTP, which answers the same question with the full
//! error (413 for a message too large).

use crate::conns::Slot;
use crate::timeouts::InProgress;
use crate::{ApiError, AppState};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::sync::Arc;

/// `GET /api/ws`: the upgrade to the page's WebSocket, or a clear refusal for a request
/// that is not one.
pub(crate) async fn socket(
    State(st): State<Arc<AppState>>,
    slot: Option<Extension<Slot>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => {
            let status = e.status();
            let mut resp = crate::error_response(ApiError::bad(format!(
                "/api/ws is the page's WebSocket, and this request is not an upgrade to one \
                 ({}); ask a question over HTTP with POST /api/NAME",
                e.body_text()
            )));
            *resp.status_mut() = status;
            return resp;
        }
    };
    let limit = message_limit(&st.config.limits);
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve_socket(socket, st, slot.map(|Extension(s)| s)))
        .into_response()
}

/// The largest question a socket takes: POST's body limit, and room for the first line.
fn message_limit(limits: &crate::Limits) -> usize {
    crate::body_limit(limits) + 64
}

/// Answers the socket's questions, one at a time, until it closes or is closed.
async fn serve_socket(mut socket: WebSocket, st: Arc<AppState>, slot: Option<Slot>) {
    let idle = st.config.server.socket_idle;
    let mut stop = st.stop.clone();
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(idle, socket.recv()) => Some(next),
            _ = displaced(&slot) => None,
            _ = stop.wait_for(|&s| s) => None,
        };
        let Some(next) = next else {
            let why = match slot.as_ref().is_some_and(|s| s.is_displaced()) {
                true => "the server needed this connection for another",
                false => "the server is stopping",
            };
            return close(socket, close_code::AWAY, why).await;
        };
        let text = match next {
            Err(_) => {
                let why = format!("no question for {} s", idle.as_secs_f64());
                return close(socket, close_code::NORMAL, &why).await;
            }
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) => return,
            Ok(Some(Err(e))) => {
                // A message past the limit, or frames that break the protocol: the
                // socket cannot go on. The page asks again over HTTP.
                let e = e.to_string();
                let code = match e.contains("too long") || e.contains("Space limit") {
                    true => close_code::SIZE,
                    false => close_code::PROTOCOL,
                };
                return close(socket, code, &e).await;
            }
            Ok(Some(Ok(Message::Text(t)))) => t,
            Ok(Some(Ok(Message::Binary(_)))) => {
                let why = "a question over the WebSocket is a text message";
                return close(socket, close_code::UNSUPPORTED, why).await;
            }
            // Pings are answered by the socket itself.
            Ok(Some(Ok(_))) => continue,
        };
        let _busy = slot.as_ref().map(|s| InProgress::new(s.busy().clone()));
        let reply = ask(&st, text.as_str()).await;
        if socket
            .send(Message::binary(reply.into_bytes()))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Resolves when another connection takes this socket's slot (never without one).
async fn displaced(slot: &Option<Slot>) {
    match slot {
        Some(s) => s.displaced().await,
        None => std::future::pending().await,
    }
}

/// Closes the socket, saying why (a close frame's reason has at most 123 bytes).
async fn close(mut socket: WebSocket, code: u16, why: &str) {
    let mut end = why.len().min(123);
    while !why.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code,
        reason: why[..end].into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// One question's message, answered: `ID STATUS`, a newline, the answer's JSON.
async fn ask(st: &AppState, message: &str) -> String {
    let (head, body) = message.split_once('\n').unwrap_or((message, ""));
    let Some((id, name)) = question_head(head) else {
        let e = ApiError::bad(
            "a question over the WebSocket is `ID NAME` on its first line (ID a number, NAME \
             a question such as program), then the request's JSON",
        );
        return reply("0", e.kind.http_status(), &e.body.to_string());
    };
    let limits = st.config.limits;
    let (name, body) = (name.to_owned(), body.as_bytes().to_vec());
    let answer = st
        .pool
        .ask(move || chainrule_page::answer(&name, &body, &limits))
        .await;
    match answer {
        Ok(text) => reply(id, 200, &text),
        Err(e) => reply(id, e.kind.http_status(), &e.body.to_string()),
    }
}

/// The id and the question's name of a message's first line, if it is `ID NAME`.
fn question_head(head: &str) -> Option<(&str, &str)> {
    let (id, name) = head.split_once(' ')?;
    let id_ok = (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
    let name_ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (id_ok && name_ok).then_some((id, name))
}

fn reply(id: &str, status: u16, json: &str) -> String {
    let mut out = String::with_capacity(json.len() + id.len() + 5);
    out.push_str(id);
    out.push(' ');
    out.push_str(&status.to_string());
    out.push('\n');
    out.push_str(json);
    out
}

#[cfg(test)]
mod tests {
    use super::question_head;

    #[test]
    fn a_questions_first_line_is_an_id_and_a_name() {
        assert_eq!(question_head("12 nudge"), Some(("12", "nudge")));
        assert_eq!(question_head("0 given_check"), Some(("0", "given_check")));
        for bad in [
            "",
            "12",
            "nudge",
            "x1 nudge",
            "12 ",
            " nudge",
            "12 nu dge",
            "12 ../x",
        ] {
            assert_eq!(question_head(bad), None, "{bad:?}");
        }
        assert_eq!(question_head(&format!("{} a", "9".repeat(21))), None);
    }
}

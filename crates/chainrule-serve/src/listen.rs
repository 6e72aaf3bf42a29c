//! Accepting connections and serving them with hyper's HTTP/1, each held to the server's
//! bounds ([`ServerBounds`]): a head and a body must arrive within the read timeout, a
//! write that makes no progress ends the connection, and the open connections are
//! bounded ([`Conns`]) below the process's limit on open files. On shutdown, accepting
//! stops, every connection is told to close after its current answer, and after the
//! grace period the rest are dropped.

use crate::conns::{Conns, Slot};
use crate::timeouts::{Answering, Deadline, InProgress, Stalling};
use crate::{ApiError, ErrorKind, ServerBounds};
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Open files the server keeps for itself beyond its connections (the listener, the
/// runtime's, standard streams).
const FILES_KEPT: u64 = 64;

/// Raises this process's soft limit on open files to its hard limit, so that many
/// connections fit; the soft limit after (`None` where there is no such limit).
///
/// ```
/// if let Some(n) = chainrule_serve::raise_open_files_limit() {
///     assert!(n >= 64);
/// }
/// ```
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return None;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                // Refused on some systems (macOS past OPEN_MAX): the soft limit stays.
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim = raised;
                }
            }
        }
        // `rlim_t` is u64 on Linux and macOS, not on every Unix.
        #[allow(clippy::useless_conversion)]
        Some(u64::try_from(lim.rlim_cur).unwrap_or(u64::MAX))
    }
    #[cfg(not(unix))]
    None
}

/// The bound on open connections: the configured one, lowered to fit under the limit on
/// open files.
fn connection_bound(bounds: &ServerBounds) -> usize {
    match raise_open_files_limit() {
        Some(files) => {
            let room = usize::try_from(files.saturating_sub(FILES_KEPT)).unwrap_or(usize::MAX);
            bounds.max_connections.min(room.max(1))
        }
        None => bounds.max_connections,
    }
}

/// Serves `app` on `listener` until `stop` becomes `true`; then waits up to the grace
/// period for the connections to finish. How many were still open then.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    bounds: &ServerBounds,
    mut stop: watch::Receiver<bool>,
) -> usize {
    let conns = Conns::new(connection_bound(bounds));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|&s| s) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of files or memory for a moment, or a connection reset before it was
            // accepted: try again shortly.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        match conns.admit() {
            Some(slot) => {
                let conn =
                    serve_connection(stream, app.clone(), slot, bounds.clone(), stop.clone());
                tokio::spawn(conn);
            }
            None => refuse(&stream, conns.max()),
        }
    }
    drop(listener);
    match tokio::time::timeout(bounds.shutdown_grace, conns.all_closed()).await {
        Ok(()) => 0,
        Err(_) => conns.len(),
    }
}

/// Answers a connection that finds every slot busy: 503 with `Retry-After`, without
/// waiting for the client, then closes it.
fn refuse(stream: &TcpStream, max: usize) {
    let body = ApiError::new(
        ErrorKind::Unavailable,
        format!(
            "the server has {max} connections with a request in progress, the most it \
             allows; try again in a second"
        ),
    )
    .body
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    // A new socket's send buffer is empty: the answer fits, or the client is gone.
    let _ = stream.try_write(answer.as_bytes());
}

/// Serves one connection until it closes, is displaced by a newer one, or the server
/// stops (after its current answer).
async fn serve_connection(
    stream: TcpStream,
    app: Router,
    slot: Slot,
    bounds: ServerBounds,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // An upgraded connection (the page's WebSocket) keeps this wrapper, and with it the
    // write timeout.
    let io = TokioIo::new(Stalling::new(stream, bounds.write_timeout));
    let read_timeout = bounds.read_timeout;
    let app = TowerToHyperService::new(app);
    let held = slot.clone();
    let service = service_fn(move |req| answer(app.clone(), req, held.clone(), read_timeout));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        // Closed, or upgraded: a WebSocket holds the slot from here (`ws.rs`).
        _ = conn.as_mut() => return,
        _ = slot.displaced() => return,
        _ = stop.wait_for(|&s| s) => {}
    }
    // Stopping: a connection with no request in progress (idle, or half-sent) closes now;
    // one with a request finishes its answer first.
    if slot.busy().load(std::sync::atomic::Ordering::Acquire) == 0 {
        return;
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = slot.displaced() => {}
    }
}

/// One request: its body held to the read timeout, its answer counted as in progress
/// until written; a body that came too late is answered 408 and the connection closed.
/// The request carries its connection's slot, for a WebSocket to keep.
async fn answer(
    app: TowerToHyperService<Router>,
    mut req: Request<Incoming>,
    slot: Slot,
    read_timeout: Duration,
) -> Result<Response<Answering>, std::convert::Infallible> {
    let request = InProgress::new(slot.busy().clone());
    req.extensions_mut().insert(slot);
    let late = Arc::new(AtomicBool::new(false));
    let req = req.map(|b| axum::body::Body::new(Deadline::new(b, read_timeout, late.clone())));
    let Ok(mut resp) = app.call(req).await;
    if late.load(std::sync::atomic::Ordering::Acquire) {
        resp = body_too_late(read_timeout);
    }
    Ok(resp.map(|body| Answering {
        body,
        _request: request,
    }))
}

/// 408 for a body that did not arrive within the read timeout; the connection closes.
fn body_too_late(read_timeout: Duration) -> Response<axum::body::Body> {
    let body = ApiError::bad(format!(
        "the request's body did not arrive within {} s; send the whole request at once",
        read_timeout.as_secs()
    ))
    .body
    .to_string();
    let mut resp = Response::new(axum::body::Body::from(body));
    *resp.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

//! `chainrule serve`: the notebook as a live local web page.
//!
//! One page (its ES modules and styles, from `crates/chainrule-page/web/`, are built
//! into the binary with `include_str!`, in the table `chainrule_page::web::FILES`; no CDN,
//! no network) talks to this server, and the
//! server asks the `chainrule` engine: the page never computes a value or lays out the
//! graph itself. The questions and answers are the page protocol's (`chainrule-page`);
//! this crate is their HTTP transport. Every question is a POST answering JSON, and the
//! same questions go over one WebSocket per tab (`GET /api/ws`, which the page uses once
//! it is open: a drag of the nudge slider asks a question a frame); training frames
//! stream as Server-Sent Events from a thread per session that steps it on its own
//! clock; the backward schedule is sent whole, so stepping through it needs no round
//! trip per step.
//!
//! Safety: the server listens on loopback unless told otherwise, refuses any request whose
//! `Host` or `Origin` is not its own (DNS rebinding, cross-site POSTs), serves only its
//! built-in assets, and bounds every request ([`Limits`]). It outlasts its clients
//! ([`ServerBounds`]): slow and idle connections are cut off, the open connections are
//! bounded, questions are worked on by a fixed pool with a bounded queue and a time limit,
//! and Ctrl-C stops it within a short grace period (a second Ctrl-C at once).
//!
//! ```
//! let app = chainrule_serve::router(chainrule_serve::Config::local(8000));
//! # let _ = app;
//! ```

#![warn(missing_docs)]

mod bounds;
pub mod client;
mod conns;
mod guard;
mod listen;
mod pool;
mod timeouts;
mod train;
mod ws;

pub use bounds::ServerBounds;
pub use chainrule_page::{ApiError, ErrorKind, Limits};
pub use listen::raise_open_files_limit;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

/// How the server is set up: who it answers to and how much it does per request.
#[derive(Clone, Debug)]
pub struct Config {
    /// The `Host` values (`host:port`) the server answers to; anything else is refused.
    pub hosts: Vec<String>,
    /// The bounds on each request.
    pub limits: Limits,
    /// The server's own bounds: timeouts, connections, workers, training sessions.
    pub server: ServerBounds,
    /// When set (a server on every interface, `--host 0.0.0.0`), a `Host` that is any IP
    /// address at this port is accepted too: other machines reach it by an address the
    /// server cannot list, and DNS rebinding needs a name, never an address.
    pub ip_hosts_at: Option<u16>,
}

impl Config {
    /// The configuration for a server on loopback at `port`: it answers to
    /// `127.0.0.1:port`, `localhost:port` and `[::1]:port`.
    pub fn local(port: u16) -> Config {
        Config {
            hosts: ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .map(|h| format!("{h}:{port}"))
                .collect(),
            limits: Limits::default(),
            server: ServerBounds::default(),
            ip_hosts_at: None,
        }
    }

    /// The configuration for a server bound to `addr`: loopback's names, plus the address
    /// itself and `extra` (a `--host` name) at its port.
    pub fn for_addr(addr: SocketAddr, extra: Option<&str>) -> Config {
        let mut c = Config::local(addr.port());
        let own = match addr {
            SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        };
        if !c.hosts.contains(&own) {
            c.hosts.push(own);
        }
        if addr.ip().is_unspecified() {
            c.ip_hosts_at = Some(addr.port());
        }
        if let Some(h) = extra {
            let h = format!("{h}:{}", addr.port());
            if !c.hosts.contains(&h) {
                c.hosts.push(h);
            }
        }
        c
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    pub config: Config,
    pub sessions: train::Sessions,
    /// The workers that answer questions.
    pub pool: pool::Pool,
    /// Becomes `true` when the server is stopping: open event streams end, so that the
    /// graceful shutdown does not wait for a tab that is still watching training.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// For a router that is never stopped, the sender of `stop`, kept so it stays open.
    _never: Option<tokio::sync::watch::Sender<bool>>,
}

/// The server's routes: the page and its assets, the API, and the guard on every request.
pub fn router(config: Config) -> Router {
    let (tx, rx) = tokio::sync::watch::channel(false);
    router_with_stop(config, rx, Some(tx))
}

fn router_with_stop(
    config: Config,
    stop: tokio::sync::watch::Receiver<bool>,
    never: Option<tokio::sync::watch::Sender<bool>>,
) -> Router {
    let body_limit = body_limit(&config.limits);
    let state = Arc::new(AppState {
        sessions: train::Sessions::new(config.limits.train_sessions, &config.server),
        pool: pool::Pool::new(&config.server),
        config,
        stop,
        _never: never,
    });
    let mut app = Router::new().route("/", get(index));
    for f in chainrule_page::web::FILES {
        let path = format!("/{}", f.path);
        app = app.route(
            &path,
            get(move || async move { asset(f.text, f.media_type) }),
        );
    }
    // Every question of the protocol at /api/NAME (program, nudge, train_spec, …); training
    // sessions live in threads of their own here, at the routes after it.
    app.route("/api/{question}", post(question))
        // The same questions over one WebSocket, for the page.
        .route("/api/ws", get(ws::socket))
        .route("/api/train", post(train::start))
        .route("/api/train/{id}/control", post(train::control))
        .route("/api/train/{id}/events", get(train::events))
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check,
        ))
        .with_state(state)
}

/// The largest request body the server reads: a program and the hand grads beside it.
pub(crate) fn body_limit(limits: &Limits) -> usize {
    limits.program_bytes * 2 + 4096
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
                ),
            ),
        ],
        body,
    )
        .into_response()
}

/// The page, with the notebook's program in the editor.
fn index_html() -> &'static str {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PAGE.get_or_init(chainrule_page::web::index_html)
}

async fn index() -> Response {
    asset(index_html(), chainrule_page::web::HTML_MEDIA_TYPE)
}

/// 405 for a method a route does not take (`GET /api/program`, `POST /api/ws`), with
/// the protocol's error body saying what each kind of address takes (axum keeps the
/// `Allow` header).
async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    let takes = match path {
        "/api/ws" => "GET, as a WebSocket upgrade (the page's questions over one socket)",
        p if p.ends_with("/events") => "GET (a training session's frames as Server-Sent Events)",
        p if p.starts_with("/api/") => "POST, with the request as JSON",
        _ => "GET (the page and its files)",
    };
    let mut resp = error_response(ApiError::bad(format!(
        "{path} does not take {method}; it takes {takes}"
    )));
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp
}

/// A refusal as an HTTP answer: the protocol's body with its kind's status.
pub(crate) fn error_response(e: ApiError) -> Response {
    json_response(e.kind.http_status(), e.body)
}

/// A JSON answer with a status.
pub(crate) fn json_response(status: u16, body: serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A request body, or why it could not be read (too large, for one).
pub(crate) type Body = Result<Bytes, axum::extract::rejection::BytesRejection>;

/// The request body as `T`, or a clear error.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(
    body: &Body,
    limits: &Limits,
) -> Result<T, ApiError> {
    chainrule_page::parse_request(body_bytes(body, limits)?)
}

/// The request body's bytes, or why they could not be read.
fn body_bytes<'b>(body: &'b Body, limits: &Limits) -> Result<&'b Bytes, ApiError> {
    body.as_ref().map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorKind::TooLarge,
                format!(
                    "the request is larger than this server accepts (a program may have at most {} bytes)",
                    limits.program_bytes
                ),
            )
        } else {
            ApiError::bad(format!("cannot read the request: {e}"))
        }
    })
}

/// Runs `work` on the server's workers (evaluation and drawing are CPU work), held to
/// their queue and time limit.
async fn blocking<F>(st: &AppState, work: F) -> Response
where
    F: FnOnce() -> Result<chainrule_page::Answer, ApiError> + Send + 'static,
{
    st.pool.answer(work).await
}

/// `POST /api/NAME`: question NAME of the protocol (`chainrule_page::answer`), its
/// request the body.
async fn question(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    body: Body,
) -> Response {
    let limits = st.config.limits;
    let body = match body_bytes(&body, &limits) {
        Ok(b) => b.clone(),
        Err(e) => return error_response(e),
    };
    blocking(&st, move || chainrule_page::answer(&name, &body, &limits)).await
}

/// Serves on `listener` until `shutdown` resolves (Ctrl-C, for the command), then lets
/// the connections finish their answers for the grace period
/// ([`ServerBounds::shutdown_grace`]) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_counting(listener, config, shutdown).await.map(|_| ())
}

/// [`serve`], answering how many connections were still open when the grace period ended.
async fn serve_counting(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<usize> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = tx.send(true);
        // Keep the sender until the server is gone, so every watcher sees `true`.
        tx.closed().await;
    });
    let bounds = config.server.clone();
    let app = router_with_stop(config, rx.clone(), None);
    Ok(listen::serve(listener, app, &bounds, rx).await)
}

/// Starts a server on 127.0.0.1 at a free port, in a thread of its own with its own
/// runtime, serving until the process ends; its address. For tests and benchmarks.
///
/// ```
/// let addr = chainrule_serve::spawn_local().unwrap();
/// assert!(addr.ip().is_loopback() && addr.port() != 0);
/// ```
pub fn spawn_local() -> std::io::Result<SocketAddr> {
    spawn_local_with(|_| {})
}

/// [`spawn_local`] with the configuration changed by `configure` (tighter bounds, for a
/// test).
///
/// ```
/// let addr = chainrule_serve::spawn_local_with(|c| c.server.workers = 1).unwrap();
/// assert!(addr.ip().is_loopback());
/// ```
pub fn spawn_local_with(
    configure: impl FnOnce(&mut Config) + Send + 'static,
) -> std::io::Result<SocketAddr> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = runtime().and_then(|rt| {
            let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
            let addr = listener.local_addr()?;
            Ok((rt, listener, addr))
        });
        let (rt, listener, addr) = match started {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        let _ = tx.send(Ok(addr));
        let mut config = Config::for_addr(addr, None);
        configure(&mut config);
        let _ = rt.block_on(serve(listener, config, std::future::pending()));
    });
    rx.recv()
        .unwrap_or_else(|_| Err(std::io::Error::other("the server's thread ended")))
}

/// The server's runtime: two threads for connections (the work is on the pool's), and
/// few for blocking calls, which it does not make.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .enable_all()
        .build()
}

/// Binds `host:port` (port 0: any free port), calls `ready` with the page's URL, and
/// serves until Ctrl-C, with `server` as its bounds. For the `chainrule serve` command.
/// After Ctrl-C, answers in progress have [`ServerBounds::shutdown_grace`] to finish; a
/// second Ctrl-C exits the process at once.
pub fn run(
    host: &str,
    port: u16,
    server: ServerBounds,
    ready: impl FnOnce(&str),
) -> std::io::Result<()> {
    let rt = runtime()?;
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind((host, port)).await?;
        let addr = listener.local_addr()?;
        let loopback = addr.ip().is_loopback();
        let extra = (!loopback || host != addr.ip().to_string()).then_some(host);
        let mut config = Config::for_addr(addr, extra);
        config.server = server;
        let shown = if loopback {
            format!("http://127.0.0.1:{}/", addr.port())
        } else {
            format!(
                "http://{}/",
                config.hosts.last().expect("one host at least")
            )
        };
        let grace = config.server.shutdown_grace;
        let mut interrupts = Interrupts::new()?;
        ready(&shown);
        let left = serve_counting(listener, config, async move {
            interrupts.next().await;
            eprintln!(
                "chainrule serve: stopping: answers in progress have {} s to finish (Ctrl-C again to stop at once)",
                grace.as_secs_f64()
            );
            tokio::spawn(async move {
                interrupts.next().await;
                eprintln!("chainrule serve: stopped at once");
                std::process::exit(130);
            });
        })
        .await?;
        if left > 0 {
            eprintln!(
                "chainrule serve: closed {left} connection(s) still open after {} s",
                grace.as_secs_f64()
            );
        }
        Ok::<_, std::io::Error>(())
    });
    // Do not wait for connections the grace period gave up on.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    served
}

/// Ctrl-C, each time it is pressed (none is missed between two waits).
struct Interrupts {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupts {
    fn new() -> std::io::Result<Interrupts> {
        Ok(Interrupts {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        self.signal.recv().await;
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

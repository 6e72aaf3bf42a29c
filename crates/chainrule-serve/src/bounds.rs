//! The server's own bounds, on time and on how much it holds at once: what keeps it
//! answering when a client is slow, idle, greedy or hostile. The bounds on a question's
//! work (values, program size, training sizes) are the page protocol's [`Limits`]; these
//! are the transport's.
//!
//! [`Limits`]: crate::Limits

use std::time::Duration;

/// How long the server waits for a client, how many connections and requests it holds,
/// and how long training sessions live. Each field says what a client gets at the bound.
///
/// ```
/// let b = chainrule_serve::ServerBounds::default();
/// assert_eq!(b.read_timeout.as_secs(), 10);
/// assert!(b.workers >= 1 && b.queue >= 50);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ServerBounds {
    /// A request's head (its line and headers) must arrive within this, and an idle
    /// connection must start its next request within it; so must a request's body once
    /// its head is in. Past it a half-sent head is cut off (the connection closed); a late
    /// body is answered 408 and the connection closed. `chainrule serve --read-timeout`.
    pub read_timeout: Duration,
    /// A write to a client that makes no progress for this long (a client that stops
    /// reading an answer, or a tab that stays connected to a training stream but never
    /// reads it) ends the connection.
    pub write_timeout: Duration,
    /// The most connections open at once; lowered at start to fit under the process's
    /// limit on open files. A new connection past it takes the place of the oldest one
    /// with no request in progress (a half-sent request, an idle keep-alive), which is
    /// closed; when every connection has a request in progress, the new one is answered
    /// 503 with `Retry-After: 1` and closed. `chainrule serve --max-connections`.
    pub max_connections: usize,
    /// The page's WebSocket (`GET /api/ws`) is closed when no question has come for this
    /// long; the page opens a new one when it next asks. (An idle socket also gives its
    /// slot to a new connection when every slot is taken, as an idle keep-alive does.)
    pub socket_idle: Duration,
    /// How many questions (programs, nudges) are worked on at once: one a core.
    pub workers: usize,
    /// How many questions may wait for a worker; one more is answered 503 with
    /// `Retry-After: 1`.
    pub queue: usize,
    /// A question that waited this long for a worker is answered 503 with
    /// `Retry-After: 1` instead of being worked on.
    pub queue_wait: Duration,
    /// The most time a worker spends on one question: past it, evaluation stops at the
    /// statement it reached (413, with its line and column), or the answer stops between
    /// its stages (413). Also how long the graph of one training data point may take.
    pub work_time: Duration,
    /// After Ctrl-C, how long connections may take to finish what they are doing before
    /// they are closed; a second Ctrl-C exits at once.
    pub shutdown_grace: Duration,
    /// A training session nobody watches is ended to make room for a new one only once it
    /// has had no watcher for this long, so a new session is never ended before its tab
    /// subscribes. When none can be ended, a new session is refused with 429 and
    /// `Retry-After`.
    pub session_grace: Duration,
    /// A training session ends this long after it started: its event stream closes and
    /// its controls answer 404.
    pub session_lifetime: Duration,
}

impl Default for ServerBounds {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ServerBounds {
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 4_096,
            socket_idle: Duration::from_secs(60),
            workers: cores,
            queue: 256,
            queue_wait: Duration::from_secs(10),
            work_time: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(3),
            session_grace: Duration::from_secs(10),
            session_lifetime: Duration::from_secs(30 * 60),
        }
    }
}

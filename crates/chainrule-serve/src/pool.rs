//! The workers that answer the page's questions (evaluation, drawing: CPU work): a fixed
//! number of threads, one a core, behind a bounded queue. A question that finds the queue
//! full, or that waited too long in it, is answered 503 with `Retry-After`; a question a
//! worker takes is held to the work time through the protocol's check
//! ([`chainrule_page::with_check`]), so no question holds a worker for longer. The
//! threads never grow with the load.

use crate::{error_response, ApiError, ErrorKind, ServerBounds};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// An answer as sent: the JSON text, or the refusal.
pub(crate) type Answer = Result<String, ApiError>;

/// A question waiting for a worker.
struct Job {
    work: Box<dyn FnOnce() -> Result<chainrule_page::Answer, ApiError> + Send>,
    reply: oneshot::Sender<Answer>,
    queued: Instant,
}

/// The workers and their queue.
pub(crate) struct Pool {
    queue: SyncSender<Job>,
    workers: usize,
    waiting: usize,
}

/// Past this many bytes, an answer's memory is given back to the system once it is
/// sent ([`give_back_memory`]).
const LARGE_ANSWER: usize = 1 << 20;

impl Pool {
    /// `bounds.workers` threads and a queue of `bounds.queue`; the threads end when the
    /// pool is dropped.
    pub fn new(bounds: &ServerBounds) -> Pool {
        let (queue, jobs) = sync_channel::<Job>(bounds.queue);
        let jobs = Arc::new(Mutex::new(jobs));
        let workers = bounds.workers.max(1);
        for i in 0..workers {
            let jobs = jobs.clone();
            let (wait, work) = (bounds.queue_wait, bounds.work_time);
            let _ = std::thread::Builder::new()
                .name(format!("chainrule-worker-{i}"))
                .spawn(move || worker(&jobs, wait, work));
        }
        Pool {
            queue,
            workers,
            waiting: bounds.queue,
        }
    }

    /// Answers with `work`'s JSON (or its refusal), worked on by a worker.
    pub async fn answer<F>(&self, work: F) -> Response
    where
        F: FnOnce() -> Result<chainrule_page::Answer, ApiError> + Send + 'static,
    {
        match self.ask(work).await {
            Ok(text) => json_text(text),
            Err(e) if e.kind == ErrorKind::Unavailable => with_retry_after(error_response(e)),
            Err(e) => error_response(e),
        }
    }

    /// `work`'s answer as JSON text, worked on by a worker; or why not: the refusal, or
    /// [`ErrorKind::Unavailable`] when the queue is full or the question waited too long
    /// (what HTTP answers 503 with `Retry-After`).
    pub async fn ask<F>(&self, work: F) -> Answer
    where
        F: FnOnce() -> Result<chainrule_page::Answer, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            work: Box::new(work),
            reply,
            queued: Instant::now(),
        };
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ApiError::new(
                    ErrorKind::Unavailable,
                    format!(
                        "the server is busy: {} questions are waiting for its {} workers; \
                         try again in a second",
                        self.waiting, self.workers
                    ),
                ))
            }
            Err(TrySendError::Disconnected(_)) => return Err(failure()),
        }
        answer.await.unwrap_or_else(|_| Err(failure()))
    }
}

/// A worker: takes questions until the pool is dropped.
fn worker(jobs: &Mutex<Receiver<Job>>, wait: Duration, work_time: Duration) {
    loop {
        let job = match jobs.lock().map(|q| q.recv()) {
            Ok(Ok(job)) => job,
            _ => return,
        };
        // The client went away while it waited: nobody needs the answer.
        if job.reply.is_closed() {
            continue;
        }
        if job.queued.elapsed() > wait {
            let why = format!(
                "the server is busy: this question waited {} s for a worker; try again in a second",
                wait.as_secs()
            );
            let _ = job
                .reply
                .send(Err(ApiError::new(ErrorKind::Unavailable, why)));
            continue;
        }
        let answer = catch_unwind(AssertUnwindSafe(|| run(job.work, work_time)));
        let large = matches!(&answer, Ok(Ok(text)) if text.len() > LARGE_ANSWER);
        if let Ok(answer) = answer {
            let _ = job.reply.send(answer);
        }
        if large {
            give_back_memory();
        }
    }
}

/// `work` under the work time, its answer as JSON text (written here, off the server's
/// async threads).
fn run(
    work: Box<dyn FnOnce() -> Result<chainrule_page::Answer, ApiError> + Send>,
    work_time: Duration,
) -> Answer {
    let until = Instant::now() + work_time;
    let over = move || match Instant::now() > until {
        true => Err(format!(
            "it took longer than the {} s this server gives one question",
            work_time.as_secs_f64()
        )),
        false => Ok(()),
    };
    chainrule_page::with_check(over, work).map(|v| v.to_json())
}

/// Memory freed after a large answer goes back to the system, rather than staying in the
/// allocator's free lists for good (glibc keeps it otherwise: 1.6 GB idle after two
/// hundred 5,000-value answers).
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn json_text(text: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

fn with_retry_after(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// A question that ended without an answer (its worker panicked, or the pool is gone).
fn failure() -> ApiError {
    ApiError::new(ErrorKind::Failed, "the request failed")
}

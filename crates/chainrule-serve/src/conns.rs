//! The open connections, bounded: each holds a slot while it is open; a new connection
//! past the bound takes the slot of the oldest connection with no request in progress (a
//! half-sent request, an idle keep-alive), which is closed, so idle and half-sent
//! connections can never keep the page from answering. Only when every slot has a request
//! in progress is a new connection refused. A connection upgraded to a WebSocket keeps its
//! slot (the socket holds a clone of it) until the socket closes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, Notify};

/// The open connections and their bound.
pub(crate) struct Conns {
    max: usize,
    open: Mutex<Open>,
    emptied: Notify,
}

struct Open {
    next: u64,
    /// By age, oldest first: how many requests each has in progress, and how to close it.
    slots: BTreeMap<u64, (Arc<AtomicUsize>, watch::Sender<bool>)>,
}

/// One connection's slot, given back when its last clone is dropped (a connection's, and
/// its WebSocket's once it is upgraded).
#[derive(Clone)]
pub(crate) struct Slot(Arc<Held>);

struct Held {
    id: u64,
    conns: Arc<Conns>,
    /// Requests in progress on this connection (from its head to the end of its answer).
    busy: Arc<AtomicUsize>,
    /// Becomes `true` when another connection took this slot: the connection is to close.
    displaced: watch::Receiver<bool>,
}

impl Conns {
    /// Room for `max` connections (at least 1).
    pub fn new(max: usize) -> Arc<Conns> {
        Arc::new(Conns {
            max: max.max(1),
            open: Mutex::new(Open {
                next: 0,
                slots: BTreeMap::new(),
            }),
            emptied: Notify::new(),
        })
    }

    /// The bound.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A slot for a new connection, closing the oldest idle one if the bound is reached;
    /// `None` when every open connection has a request in progress.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.open.lock().expect("connections lock");
        if open.slots.len() >= self.max {
            let idle = open
                .slots
                .iter()
                .find(|(_, (busy, _))| busy.load(Ordering::Acquire) == 0)
                .map(|(&id, _)| id)?;
            if let Some((_, close)) = open.slots.remove(&idle) {
                let _ = close.send(true);
            }
        }
        let id = open.next;
        open.next += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        let (close, displaced) = watch::channel(false);
        open.slots.insert(id, (busy.clone(), close));
        Some(Slot(Arc::new(Held {
            id,
            conns: self.clone(),
            busy,
            displaced,
        })))
    }

    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.open.lock().expect("connections lock").slots.len()
    }

    /// Resolves when no connection is open.
    pub async fn all_closed(&self) {
        loop {
            let emptied = self.emptied.notified();
            tokio::pin!(emptied);
            emptied.as_mut().enable();
            if self.len() == 0 {
                return;
            }
            emptied.await;
        }
    }
}

impl Slot {
    /// The count of requests in progress on this connection (from a request's head to the
    /// end of its answer; on a WebSocket, from a question to its answer sent).
    pub fn busy(&self) -> &Arc<AtomicUsize> {
        &self.0.busy
    }

    /// Whether another connection took this slot.
    pub fn is_displaced(&self) -> bool {
        *self.0.displaced.borrow()
    }

    /// Resolves when another connection takes this slot: the connection is to close.
    pub async fn displaced(&self) {
        let mut displaced = self.0.displaced.clone();
        // An error is a slot no longer in the table: it was taken.
        let _ = displaced.wait_for(|&d| d).await;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.conns.open.lock().expect("connections lock");
        open.slots.remove(&self.id);
        if open.slots.is_empty() {
            self.conns.emptied.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_connection_takes_the_oldest_idle_slot_and_is_refused_when_all_are_busy() {
        let conns = Conns::new(2);
        let a = conns.admit().unwrap();
        let b = conns.admit().unwrap();
        b.busy().fetch_add(1, Ordering::AcqRel);
        // Full: the third takes a's slot (a has no request in progress), not b's.
        let c = conns.admit().unwrap();
        assert!(a.is_displaced());
        assert_eq!(conns.len(), 2);
        drop(a);
        assert_eq!(conns.len(), 2, "a's slot is c's now");
        // b and c both busy: a fourth is refused.
        c.busy().fetch_add(1, Ordering::AcqRel);
        assert!(conns.admit().is_none());
        // c's request ends: c is idle, so a fifth takes its place.
        c.busy().fetch_sub(1, Ordering::AcqRel);
        let _e = conns.admit().unwrap();
        assert!(c.is_displaced());
        assert!(!b.is_displaced(), "b was busy all along");
    }

    #[test]
    fn a_slot_is_given_back_when_its_last_clone_is_dropped() {
        let conns = Conns::new(1);
        let a = conns.admit().unwrap();
        let upgraded = a.clone();
        drop(a);
        assert_eq!(conns.len(), 1, "the socket's clone holds the slot");
        drop(upgraded);
        assert_eq!(conns.len(), 0);
    }
}

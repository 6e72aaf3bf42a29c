//! The open connections, bounded: each holds a slot while it is open; a new connection
//! past the bound takes the slot of the oldest connection with no request in progress (a
//! half-sent request, an idle keep-alive), which is closed, so idle and half-sent
//! connections can never keep the page from answering. Only when every slot has a request
//! in progress is a new connection refused.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, Notify};

/// The open connections and their bound.
pub(crate) struct Conns {
    max: usize,
    open: Mutex<Open>,
    emptied: Notify,
}

struct Open {
    next: u64,
    /// By age, oldest first: how many requests each has in progress, and how to close it.
    slots: BTreeMap<u64, (Arc<AtomicUsize>, oneshot::Sender<()>)>,
}

/// One connection's slot, given back when it is dropped.
pub(crate) struct Slot {
    id: u64,
    conns: Arc<Conns>,
    /// Requests in progress on this connection (from its head to the end of its answer).
    pub busy: Arc<AtomicUsize>,
    /// Resolves when another connection took this slot: the connection is to close.
    pub displaced: oneshot::Receiver<()>,
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
                let _ = close.send(());
            }
        }
        let id = open.next;
        open.next += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        let (close, displaced) = oneshot::channel();
        open.slots.insert(id, (busy.clone(), close));
        Some(Slot {
            id,
            conns: self.clone(),
            busy,
            displaced,
        })
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

impl Drop for Slot {
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
        let mut a = conns.admit().unwrap();
        let mut b = conns.admit().unwrap();
        b.busy.fetch_add(1, Ordering::AcqRel);
        // Full: the third takes a's slot (a has no request in progress), not b's.
        let mut c = conns.admit().unwrap();
        assert_eq!(a.displaced.try_recv(), Ok(()));
        assert_eq!(conns.len(), 2);
        drop(a);
        assert_eq!(conns.len(), 2, "a's slot is c's now");
        // b and c both busy: a fourth is refused.
        c.busy.fetch_add(1, Ordering::AcqRel);
        assert!(conns.admit().is_none());
        // c's request ends: c is idle, so a fifth takes its place.
        c.busy.fetch_sub(1, Ordering::AcqRel);
        let _e = conns.admit().unwrap();
        assert_eq!(c.displaced.try_recv(), Ok(()));
        assert!(b.displaced.try_recv().is_err(), "b was busy all along");
    }
}

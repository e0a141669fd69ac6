//! The table of requests sent to the native host that still wait for a reply.
//!
//! Plain Rust, tested natively. The service worker numbers each request, remembers who
//! waits for it and on which port it went out, and takes the waiter back when the reply
//! with that id arrives, when the request times out, or when that port disconnects.

use std::collections::BTreeMap;

/// Requests in flight, keyed by their numeric request id.
#[derive(Debug)]
pub struct Pending<T> {
    next_id: u64,
    entries: BTreeMap<u64, Entry<T>>,
}

#[derive(Debug)]
struct Entry<T> {
    /// Which port (connection generation) the request was sent on.
    connection: u64,
    waiter: T,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending {
            next_id: 1,
            entries: BTreeMap::new(),
        }
    }
}

impl<T> Pending<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Give a request sent on `connection` a fresh id and remember who waits for it.
    pub fn register(&mut self, connection: u64, waiter: T) -> u64 {
        let id = self.next_id;
        // Ids are never reused within a worker's life; 2^64 requests will not happen.
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.entries.insert(id, Entry { connection, waiter });
        id
    }

    /// Take the waiter of request `id`, if it still waits.
    pub fn take(&mut self, id: u64) -> Option<T> {
        self.entries.remove(&id).map(|entry| entry.waiter)
    }

    /// Take every waiter of requests sent on `connection` (oldest first).
    pub fn take_connection(&mut self, connection: u64) -> Vec<T> {
        let ids: Vec<u64> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.connection == connection)
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter().filter_map(|id| self.take(id)).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_up_and_replies_take_their_waiter_once() {
        let mut pending = Pending::new();
        let a = pending.register(1, "a");
        let b = pending.register(1, "b");
        assert_eq!((a, b), (1, 2));
        assert_eq!(pending.take(b), Some("b"));
        assert_eq!(
            pending.take(b),
            None,
            "a second reply with the same id is ignored"
        );
        assert_eq!(pending.take(99), None);
        assert_eq!(pending.len(), 1);
    }

    #[test]
    fn a_disconnect_fails_only_that_ports_requests() {
        let mut pending = Pending::new();
        pending.register(1, "old-1");
        pending.register(2, "new-1");
        pending.register(1, "old-2");
        assert_eq!(pending.take_connection(1), vec!["old-1", "old-2"]);
        assert_eq!(pending.take_connection(1), Vec::<&str>::new());
        assert_eq!(pending.len(), 1);
        assert_eq!(pending.take_connection(2), vec!["new-1"]);
        assert!(pending.is_empty());
    }

    #[test]
    fn ids_are_not_reused_after_replies() {
        let mut pending = Pending::new();
        let first = pending.register(1, ());
        pending.take(first);
        assert_ne!(pending.register(1, ()), first);
    }
}

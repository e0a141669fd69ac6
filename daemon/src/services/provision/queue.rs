//! The closure queue: account closures the CloseAccount quota had no room for, journaled
//! in `$STATE_DIR/close-queue.json` (replaced atomically: written beside, synced,
//! renamed) and held in memory. [`super::Jobs::run_close_queue`] closes them when the
//! rolling 30-day window has room; the daemon runs it at start and then when the quota is
//! expected to free (at least hourly), so a queued closure survives a restart.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use switchyard_shared::protocol::provision::{ClosureState, QueuedClosure};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

/// The queued closures, by id (`c` + account id).
#[derive(Debug)]
pub struct CloseQueue {
    path: PathBuf,
    entries: Mutex<BTreeMap<String, QueuedClosure>>,
}

fn internal(e: impl std::fmt::Display) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, e.to_string())
}

/// The queue id of a closure of `account_id`.
pub fn closure_id(account_id: &str) -> String {
    format!("c{account_id}")
}

impl CloseQueue {
    /// The queue under `state_dir`; empty when absent or unreadable (logged).
    pub fn open(state_dir: &Path) -> CloseQueue {
        let path = state_dir.join("close-queue.json");
        let entries = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), "unreadable closure queue: {e}");
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        CloseQueue {
            path,
            entries: Mutex::new(entries),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, QueuedClosure>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write(&self, entries: &BTreeMap<String, QueuedClosure>) -> Result<(), ErrorBody> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(internal)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(entries).map_err(internal)?;
        let mut file = std::fs::File::create(&tmp).map_err(internal)?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| internal(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| internal(format!("{}: {e}", self.path.display())))
    }

    /// Every closure, oldest first.
    pub fn list(&self) -> Vec<QueuedClosure> {
        let mut all: Vec<QueuedClosure> = self.lock().values().cloned().collect();
        all.sort_by(|a, b| a.queued_at.cmp(&b.queued_at).then(a.id.cmp(&b.id)));
        all
    }

    pub fn get(&self, id: &str) -> Option<QueuedClosure> {
        self.lock().get(id).cloned()
    }

    /// Add or replace an entry; on disk when this returns (undone when the write fails).
    pub fn put(&self, entry: QueuedClosure) -> Result<(), ErrorBody> {
        let mut entries = self.lock();
        let before = entries.insert(entry.id.clone(), entry.clone());
        if let Err(e) = self.write(&entries) {
            match before {
                Some(old) => entries.insert(entry.id.clone(), old),
                None => entries.remove(&entry.id),
            };
            return Err(e);
        }
        Ok(())
    }

    /// Remove the ended entries (closed, failed, cancelled) `chosen` picks; written
    /// before this returns (nothing removed when the write fails). The entries removed.
    pub fn remove_ended(
        &self,
        chosen: impl Fn(&QueuedClosure) -> bool,
    ) -> Result<Vec<QueuedClosure>, ErrorBody> {
        let mut entries = self.lock();
        let ended = |e: &QueuedClosure| {
            !matches!(e.state, ClosureState::Queued | ClosureState::Closing) && chosen(e)
        };
        let gone: Vec<QueuedClosure> = entries.values().filter(|e| ended(e)).cloned().collect();
        if gone.is_empty() {
            return Ok(gone);
        }
        let mut kept = entries.clone();
        kept.retain(|_, e| !ended(e));
        self.write(&kept)?;
        *entries = kept;
        Ok(gone)
    }

    /// Change an entry still waiting (queued or closing) and write it; `None` when there
    /// is none.
    pub fn settle(
        &self,
        id: &str,
        f: impl FnOnce(&mut QueuedClosure),
    ) -> Result<Option<QueuedClosure>, ErrorBody> {
        let Some(mut entry) = self.get(id) else {
            return Ok(None);
        };
        if !matches!(entry.state, ClosureState::Queued | ClosureState::Closing) {
            return Ok(None);
        }
        f(&mut entry);
        self.put(entry.clone())?;
        Ok(Some(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(account: &str, at: u64) -> QueuedClosure {
        QueuedClosure {
            id: closure_id(account),
            account_id: account.into(),
            name: "Client Q".into(),
            profile: "default".into(),
            who: "arn:aws:iam::123456789012:user/admin".into(),
            queued_at: at,
            remove_group: false,
            state: ClosureState::Queued,
            not_before: Some(at + 10),
            closed_at: None,
            detail: None,
            error: None,
        }
    }

    #[test]
    fn entries_survive_a_reopen_and_only_waiting_ones_settle() {
        let dir = tempfile::tempdir().unwrap();
        let queue = CloseQueue::open(dir.path());
        queue.put(entry("222222222222", 5)).unwrap();
        queue.put(entry("111111111111", 9)).unwrap();
        let again = CloseQueue::open(dir.path());
        let ids: Vec<String> = again.list().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["c222222222222", "c111111111111"]);
        let settled = again
            .settle("c222222222222", |e| e.state = ClosureState::Closed)
            .unwrap();
        assert_eq!(settled.unwrap().state, ClosureState::Closed);
        // Closed is final: settling it again changes nothing.
        assert!(again
            .settle("c222222222222", |e| e.state = ClosureState::Queued)
            .unwrap()
            .is_none());
        assert!(again.settle("c999", |_| ()).unwrap().is_none());
        assert!(!dir.path().join("close-queue.json.tmp").exists());
        std::fs::write(dir.path().join("close-queue.json"), "{").unwrap();
        assert!(CloseQueue::open(dir.path()).list().is_empty());
    }
}

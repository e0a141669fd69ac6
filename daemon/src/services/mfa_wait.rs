//! The waiting room of `mfa.wait` (answered by `Sessions::wait_for_mfa`) and
//! `mfa.pending`: a command with no terminal to ask at (`credential-process`
//! run by an SDK, `exec` from a script) waits in the daemon for someone to start the
//! profile's MFA session elsewhere — the popup, which lists what waits with
//! `mfa.pending` and asks for the code, or `switchyard mfa` in a terminal. One code serves
//! every command waiting on the profile: `mfa.submit` wakes them all.
//!
//! Each `mfa.wait` is bounded (at most 25 s); the command asks again to wait longer, so a
//! request whose command went away drops out of `mfa.pending` within seconds.

use std::collections::BTreeMap;
use std::sync::Mutex;

use switchyard_shared::protocol::aws::{MfaPendingData, PendingMfa, MAX_MFA_ASKER};

use super::layers::now;

/// A waiting request stays listed this long after its last `mfa.wait` ended, so a command
/// asking again is never seen to drop out between two waits.
const LINGER_SECS: u64 = 5;

#[derive(Debug, Clone)]
struct Waiting {
    since: u64,
    /// `mfa.wait` calls in progress.
    waiting: u32,
    asker: Option<String>,
    /// When the last call ended (while none is in progress).
    left_at: u64,
}

/// The commands waiting for a profile's MFA session, and the signal that one started.
#[derive(Debug, Default)]
pub struct MfaWaiting {
    profiles: Mutex<BTreeMap<String, Waiting>>,
    pub started: tokio::sync::Notify,
}

impl MfaWaiting {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Waiting>> {
        match self.profiles.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A session started for `profile`: every waiter looks again, and the profile is no
    /// longer pending.
    pub fn session_started(&self, profile: &str) {
        self.lock().remove(profile);
        self.started.notify_waiters();
    }

    /// `mfa.pending`: the profiles waited on, oldest first.
    pub fn pending(&self) -> MfaPendingData {
        let now = now();
        let mut profiles = self.lock();
        profiles.retain(|_, w| w.waiting > 0 || now.saturating_sub(w.left_at) <= LINGER_SECS);
        let mut pending: Vec<PendingMfa> = profiles
            .iter()
            .map(|(profile, w)| PendingMfa {
                profile: profile.clone(),
                since: w.since,
                waiting: w.waiting.max(1),
                asker: w.asker.clone(),
            })
            .collect();
        pending.sort_by(|a, b| a.since.cmp(&b.since).then(a.profile.cmp(&b.profile)));
        MfaPendingData { pending }
    }

    pub fn enter(&self, profile: &str, asker: Option<String>) -> Entered<'_> {
        let now = now();
        let mut profiles = self.lock();
        let entry = profiles.entry(profile.to_owned()).or_insert(Waiting {
            since: now,
            waiting: 0,
            asker: None,
            left_at: now,
        });
        entry.waiting += 1;
        if asker.is_some() {
            entry.asker = asker;
        }
        Entered {
            waiting: self,
            profile: profile.to_owned(),
        }
    }
}

/// One `mfa.wait` in progress; leaving (its end, or the connection dropped) is counted.
pub struct Entered<'a> {
    waiting: &'a MfaWaiting,
    profile: String,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        let mut profiles = self.waiting.lock();
        if let Some(entry) = profiles.get_mut(&self.profile) {
            entry.waiting = entry.waiting.saturating_sub(1);
            entry.left_at = now();
        }
    }
}

/// The asker's words, kept short and printable.
pub fn clean_asker(asker: Option<String>) -> Option<String> {
    let text: String = asker?
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_MFA_ASKER)
        .collect();
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn askers_are_kept_short_and_printable() {
        assert_eq!(
            clean_asker(Some(" switchyard credential-process\n".into())).as_deref(),
            Some("switchyard credential-process")
        );
        assert_eq!(
            clean_asker(Some("\u{1b}[31m".into())).as_deref(),
            Some("[31m")
        );
        assert_eq!(
            clean_asker(Some("x".repeat(200))).map(|a| a.len()),
            Some(80)
        );
        assert_eq!(clean_asker(Some("  ".into())), None);
        assert_eq!(clean_asker(None), None);
    }

    #[test]
    fn waiters_are_listed_while_they_wait_and_counted() {
        let waiting = MfaWaiting::default();
        assert!(waiting.pending().pending.is_empty());
        let one = waiting.enter("work", Some("switchyard credential-process".into()));
        let two = waiting.enter("work", None);
        let other = waiting.enter("admin", Some("switchyard exec".into()));
        let pending = waiting.pending().pending;
        assert_eq!(pending.len(), 2);
        let work = pending.iter().find(|p| p.profile == "work").unwrap();
        assert_eq!(work.waiting, 2);
        assert_eq!(work.asker.as_deref(), Some("switchyard credential-process"));
        drop(one);
        drop(two);
        // Between two waits of the same command it stays listed.
        assert_eq!(waiting.pending().pending.len(), 2);
        // A session for the profile ends its entry at once.
        waiting.session_started("work");
        let pending = waiting.pending().pending;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].profile, "admin");
        drop(other);
    }
}

//! The temporary credentials the daemon hands out (`credentials.get`'s layers and the
//! Identity Center role credentials), kept in memory per layer until shortly before they
//! end, with one refresh at a time for every caller (single flight).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use switchyard_shared::protocol::aws::{CredentialSource, TemporaryCredentials};
use switchyard_shared::protocol::ErrorBody;

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A session this close to its end counts as ended (a call must not expire mid-flight).
pub const EXPIRY_MARGIN_SECS: u64 = 60;

/// Refresh a refreshable layer this long before it ends: the AWS CLI (botocore) refreshes
/// credentials from `credential_process` 15 minutes before their end, so a layer with
/// less left would make it ask again at once. Short sessions use a quarter of their life.
const REFRESH_MARGIN_SECS: u64 = 15 * 60;
/// An MFA session cannot be refreshed without a code: it is handed out until this close
/// to its end (the same margin as the daemon's own calls use).
const MFA_MARGIN_SECS: u64 = EXPIRY_MARGIN_SECS;

/// Which cached layer: the profile's session (`role_arn` none) or a role on top of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayerKey {
    pub profile: String,
    pub role_arn: Option<String>,
    pub duration_secs: u32,
}

/// A layer in hand.
#[derive(Clone)]
struct Held {
    credentials: TemporaryCredentials,
    /// When it was made (Unix seconds): a quarter of its life is the refresh margin of
    /// short sessions.
    made_at: u64,
}

impl Held {
    /// Still worth handing out now.
    fn fresh(&self, now: u64) -> bool {
        let margin = match self.credentials.source {
            CredentialSource::MfaSession => MFA_MARGIN_SECS,
            _ => {
                let life = self.credentials.expires_at.saturating_sub(self.made_at);
                REFRESH_MARGIN_SECS.min(life / 4)
            }
        };
        self.credentials.expires_at > now + margin
    }
}

#[derive(Default)]
struct SlotState {
    held: Option<Held>,
    /// What the last refresh failed with, for the callers that waited on it.
    last_error: Option<ErrorBody>,
}

/// One layer's single-flight slot.
#[derive(Default)]
struct Slot {
    state: tokio::sync::Mutex<SlotState>,
    /// Refreshes finished so far: a caller that arrived during a refresh takes its result
    /// (even an error) rather than starting another.
    refreshes: AtomicU64,
}

/// The layers the daemon has handed out, in memory only.
#[derive(Default)]
pub struct Layers {
    slots: Mutex<HashMap<LayerKey, Arc<Slot>>>,
}

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layers")
            .field("slots", &self.lock().len())
            .finish()
    }
}

impl Layers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<LayerKey, Arc<Slot>>> {
        match self.slots.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn slot(&self, key: &LayerKey) -> Arc<Slot> {
        Arc::clone(self.lock().entry(key.clone()).or_default())
    }

    /// Forget every layer of `profile`; whether there was any.
    pub fn forget(&self, profile: &str) -> bool {
        let mut slots = self.lock();
        let before = slots.len();
        slots.retain(|key, _| key.profile != profile);
        slots.len() != before
    }

    /// The profiles that have a layer now.
    pub fn profiles(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock().keys().map(|k| k.profile.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The layer at `key`: the cached one while fresh, else `fetch`ed by one caller while
    /// the others wait for its answer.
    pub async fn get<F, Fut>(
        &self,
        key: &LayerKey,
        fetch: F,
    ) -> Result<TemporaryCredentials, ErrorBody>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<TemporaryCredentials, ErrorBody>>,
    {
        let slot = self.slot(key);
        let arrived_after = slot.refreshes.load(Ordering::Acquire);
        let mut state = slot.state.lock().await;
        if let Some(held) = state.held.as_ref().filter(|h| h.fresh(now())) {
            return Ok(held.credentials.clone());
        }
        if slot.refreshes.load(Ordering::Acquire) > arrived_after {
            if let Some(error) = &state.last_error {
                return Err(error.clone());
            }
        }
        let made_at = now();
        let result = fetch().await;
        match &result {
            Ok(credentials) => {
                state.held = Some(Held {
                    credentials: credentials.clone(),
                    made_at,
                });
                state.last_error = None;
            }
            Err(error) => {
                state.held = None;
                state.last_error = Some(error.clone());
            }
        }
        slot.refreshes.fetch_add(1, Ordering::Release);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_shared::protocol::ErrorCode;

    fn creds(source: CredentialSource, expires_at: u64) -> TemporaryCredentials {
        TemporaryCredentials {
            profile: "p".into(),
            role_arn: None,
            source,
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: "t".into(),
            expires_at,
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn refreshable_layers_are_renewed_fifteen_minutes_early_short_ones_at_three_quarters() {
        let hour = Held {
            credentials: creds(CredentialSource::AssumedRole, 10_000 + 3600),
            made_at: 10_000,
        };
        assert!(hour.fresh(10_000 + 3600 - 15 * 60 - 1));
        assert!(!hour.fresh(10_000 + 3600 - 15 * 60));
        let short = Held {
            credentials: creds(CredentialSource::AssumedRole, 10_000 + 900),
            made_at: 10_000,
        };
        assert!(short.fresh(10_000 + 600));
        assert!(!short.fresh(10_000 + 900 - 225));
        let mfa = Held {
            credentials: creds(CredentialSource::MfaSession, 10_000 + 3600),
            made_at: 0,
        };
        assert!(mfa.fresh(10_000 + 3600 - 61));
        assert!(!mfa.fresh(10_000 + 3600 - 60));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh_and_its_error() {
        let layers = Arc::new(Layers::default());
        let key = LayerKey {
            profile: "p".into(),
            role_arn: None,
            duration_secs: 0,
        };
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (layers, key, calls) = (Arc::clone(&layers), key.clone(), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                layers
                    .get(&key, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(creds(CredentialSource::SessionToken, now() + 3600))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // A failing refresh: the callers that waited for it get its error, not a retry each.
        layers.forget("p");
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (layers, key, calls) = (Arc::clone(&layers), key.clone(), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                layers
                    .get(&key, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        Err(ErrorBody::new(ErrorCode::MfaRequired, "enter a code"))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(
                task.await.unwrap().unwrap_err().code,
                ErrorCode::MfaRequired
            );
        }
        assert!(
            calls.load(Ordering::SeqCst) <= 2,
            "callers that arrived during a refresh took its error"
        );
    }
}

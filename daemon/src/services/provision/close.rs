//! `account.close`: close a member account, with its safeguards. The typed name must match
//! the account's (`confirmation_mismatch`, before any write); the management account is
//! refused; the CloseAccount quota (10% of the member accounts, at least 10, per rolling
//! 30 days) is checked against the accounts pending closure and the closures this daemon
//! journaled; the closure is journaled in `$STATE_DIR/closures.json` before CloseAccount
//! (sent once) and after; the state is followed from PENDING_CLOSURE to SUSPENDED for a
//! while; on request the management-account group and policy a job made for the account
//! are removed. Each action goes to the audit log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchyard_shared::protocol::provision::{CloseAccountData, CloseAccountParams, JobState};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::grants::foreign_policies;
use switchyard_shared::provision::{close_quota, is_account_id};

use super::journal::AuditEntry;
use super::Jobs;
use crate::aws::provision as aws;
use crate::services::session::now;

/// The rolling window of the CloseAccount quota.
const QUOTA_WINDOW_SECS: u64 = 30 * 24 * 3600;
/// How long the reply waits for SUSPENDED before answering PENDING_CLOSURE.
const FOLLOW_FOR: Duration = Duration::from_secs(60);

/// One closure this daemon asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub name: String,
    pub requested_at: u64,
    /// `requested` before CloseAccount, then the state AWS reported.
    pub state: String,
    pub who: String,
}

fn closures_path(state_dir: &Path) -> PathBuf {
    state_dir.join("closures.json")
}

/// The closures journal; empty when absent or unreadable (logged).
pub fn load_closures(state_dir: &Path) -> BTreeMap<String, Closure> {
    let path = closures_path(state_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), "unreadable closures journal: {e}");
            BTreeMap::new()
        }),
        Err(_) => BTreeMap::new(),
    }
}

fn save_closures(state_dir: &Path, closures: &BTreeMap<String, Closure>) -> Result<(), ErrorBody> {
    let path = closures_path(state_dir);
    let tmp = path.with_extension("json.tmp");
    let internal = |e: String| ErrorBody::new(ErrorCode::Internal, e);
    std::fs::create_dir_all(state_dir).map_err(|e| internal(e.to_string()))?;
    let bytes = serde_json::to_vec_pretty(closures).map_err(|e| internal(e.to_string()))?;
    std::fs::write(&tmp, bytes).map_err(|e| internal(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(|e| internal(format!("{}: {e}", path.display())))
}

fn record(state_dir: &Path, account_id: &str, closure: Closure) -> Result<(), ErrorBody> {
    let mut closures = load_closures(state_dir);
    closures.insert(account_id.to_owned(), closure);
    save_closures(state_dir, &closures)
}

impl Jobs {
    fn audit_close(
        &self,
        who: &str,
        profile: &str,
        what: &str,
        target: &str,
        result: &Result<(), ErrorBody>,
    ) {
        self.journal.audit(&AuditEntry {
            at: now(),
            who,
            profile,
            job: "",
            what,
            target,
            result: match result {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!("{}: {}", e.code, e.message),
            },
        });
    }

    /// `account.close`.
    pub async fn close(&self, params: CloseAccountParams) -> Result<CloseAccountData, ErrorBody> {
        let id = params.account_id.trim().to_owned();
        if !is_account_id(&id) {
            return Err(ErrorBody::new(
                ErrorCode::InvalidAccountRequest,
                format!("{id:?} is not an AWS account id (12 digits)"),
            ));
        }
        if params.confirm.trim().is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::ConfirmationMismatch,
                "type the account's name to confirm closing it; nothing was done",
            ));
        }
        let signed = self.sessions.sign_in(params.profile).await?;
        let explain = |e| signed.explain(&self.sessions, e);
        let sdk = &signed.sdk;
        let caller = crate::aws::identity::caller(sdk).await.map_err(explain)?;
        let management = aws::management_account(sdk).await.map_err(explain)?;
        if id == management {
            return Err(ErrorBody::new(
                ErrorCode::CloseNotAllowed,
                format!(
                    "{id} is the organization's management account: it cannot be closed from here"
                ),
            ));
        }
        let (name, state) = aws::account_state(sdk, &id).await.map_err(explain)?;
        if params.confirm.trim() != name {
            return Err(ErrorBody::new(
                ErrorCode::ConfirmationMismatch,
                format!(
                    "to close account {id}, type its name {name:?} exactly (got {:?}); nothing was done",
                    params.confirm
                ),
            ));
        }
        let all = aws::account_states(sdk).await.map_err(explain)?;
        let closures = load_closures(&self.state_dir);
        let since = now().saturating_sub(QUOTA_WINDOW_SECS);
        let mut recent: Vec<&str> = closures
            .iter()
            .filter(|(other, c)| c.requested_at >= since && **other != id)
            .map(|(other, _)| other.as_str())
            .collect();
        for (other, other_state) in &all {
            if other_state == "PENDING_CLOSURE" && *other != id && !recent.contains(&other.as_str())
            {
                recent.push(other);
            }
        }
        let members = all.iter().filter(|(other, _)| *other != management).count();
        let already = matches!(state.as_str(), "PENDING_CLOSURE" | "SUSPENDED");
        let before = close_quota(members, recent.len());
        if !already && before.remaining == 0 {
            return Err(ErrorBody::new(
                ErrorCode::CloseNotAllowed,
                format!(
                    "the CloseAccount quota is used up: {} of {} closures in the last 30 days \
                     (10% of {members} member accounts, at least 10); try again when the oldest \
                     is 30 days old",
                    before.used, before.limit
                ),
            ));
        }
        let who = caller.arn.as_str();
        if !already {
            let closure = Closure {
                name: name.clone(),
                requested_at: now(),
                state: "requested".to_owned(),
                who: who.to_owned(),
            };
            record(&self.state_dir, &id, closure)?;
            let closed = aws::close_account(sdk, &id).await;
            self.audit_close(
                who,
                &signed.profile,
                "organizations:CloseAccount",
                &id,
                &closed,
            );
            if let Err(e) = closed {
                // A lost answer: AWS may have acted; its state says.
                let (_, now_state) = aws::account_state(sdk, &id).await.map_err(explain)?;
                if !matches!(now_state.as_str(), "PENDING_CLOSURE" | "SUSPENDED") {
                    return Err(explain(e));
                }
            }
        }
        let started = std::time::Instant::now();
        let mut wait = Duration::from_secs(1);
        let state = loop {
            let (_, state) = aws::account_state(sdk, &id).await.map_err(explain)?;
            if state == "SUSPENDED" || started.elapsed() >= FOLLOW_FOR {
                break state;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        };
        let requested_at = closures
            .get(&id)
            .map(|c| c.requested_at)
            .unwrap_or_else(now);
        record(
            &self.state_dir,
            &id,
            Closure {
                name: name.clone(),
                requested_at,
                state: state.clone(),
                who: who.to_owned(),
            },
        )?;
        if let Err(e) = crate::services::accounts::forget(&self.state_dir, &signed.profile) {
            tracing::warn!("accounts cache not dropped: {}", e.message);
        }
        let mut removed = Vec::new();
        if params.remove_group {
            for job in self.journal.list() {
                if job.account_id.as_deref() != Some(id.as_str()) || job.state != JobState::Done {
                    continue;
                }
                let target = format!("{}/{}", job.plan.group_name, job.plan.policy_name);
                let own = job.role_arn.clone().unwrap_or_default();
                // A policy that grants another account stays, and its group with it.
                let keep = |document: &str| {
                    let policy = [(job.plan.policy_name.clone(), document.to_owned())];
                    let foreign = foreign_policies(&policy, Some(&own));
                    (!foreign.is_empty()).then(|| {
                        format!(
                            "since the policy grants another account ({})",
                            foreign[0].grants.join(", ")
                        )
                    })
                };
                let result =
                    aws::remove_group(sdk, &job.plan.group_name, &job.plan.policy_name, keep).await;
                let audit = result.as_ref().map(|_| ()).map_err(Clone::clone);
                self.audit_close(who, &signed.profile, "iam:DeleteGroup", &target, &audit);
                removed.extend(result.map_err(explain)?);
            }
        }
        // This closure counts once: made now, or earlier within the window.
        let own = !already
            || closures.get(&id).is_some_and(|c| c.requested_at >= since)
            || state == "PENDING_CLOSURE";
        let used = recent.len() + usize::from(own);
        Ok(CloseAccountData {
            account_id: id,
            name,
            state,
            quota: close_quota(members, used),
            removed,
        })
    }
}

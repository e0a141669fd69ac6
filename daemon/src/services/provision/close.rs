//! `account.close`: close a member account, with its safeguards. The typed name must match
//! the account's (`confirmation_mismatch`, before any write); the management account is
//! refused; the account's `State` decides what can happen (already PENDING_CLOSURE,
//! SUSPENDED or CLOSED: `account_closed`, nothing sent; PENDING_ACTIVATION: not yet); the
//! CloseAccount quota (10% of the member accounts, at least 10, at most 1,000, per rolling
//! 30 days) is checked against the accounts pending closure and the closures this daemon
//! journaled. With no room left the closure is refused with the date the quota frees, or,
//! when asked (`queue`), queued ([`super::queue`]) and made by [`Jobs::run_close_queue`]
//! when the quota allows. The closure is journaled in `$STATE_DIR/closures.json` before
//! CloseAccount (sent once) and after; the state is followed from PENDING_CLOSURE to
//! SUSPENDED for a while; on request the management-account group and policy a job made
//! for the account are removed (never a policy that grants another account). Each action
//! goes to the audit log.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchyard_shared::protocol::provision::{
    CloseAccountData, CloseAccountParams, ClosureState, JobState, QueuedClosure,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::grants::foreign_policies;
use switchyard_shared::provision::{
    closability, close_quota, close_quota_frees_at, is_account_id, Closability, CLOSE_WINDOW_SECS,
};

use super::queue::closure_id;
use super::Jobs;
use crate::aws::provision as aws;
use crate::aws::SdkConfig;
use crate::services::session::SignedIn;

/// How long the reply waits for SUSPENDED before answering PENDING_CLOSURE.
const FOLLOW_FOR: Duration = Duration::from_secs(60);
/// How long a queued closure waits at most before the quota is looked at again.
pub const QUEUE_RECHECK_SECS: u64 = 3600;

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

/// A Unix time as RFC 3339 UTC.
fn date(secs: u64) -> String {
    let time = std::time::UNIX_EPOCH + Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// An error a later attempt may not meet (the session, the network, throttling, a
/// permission fixed meanwhile): a queued closure stays queued on it.
fn may_pass(error: &ErrorBody) -> bool {
    matches!(
        error.code,
        ErrorCode::MfaRequired
            | ErrorCode::AwsAuthFailed
            | ErrorCode::AwsThrottled
            | ErrorCode::AwsUnreachable
            | ErrorCode::AccessDenied
            | ErrorCode::Timeout
            | ErrorCode::CredentialsMissing
            | ErrorCode::KeyringUnavailable
    )
}

/// The quota's inputs now: the member accounts, and when each closure counted in the
/// window was asked for (accounts pending closure that this daemon did not close count
/// as now).
struct QuotaInputs {
    members: usize,
    times: Vec<u64>,
}

impl QuotaInputs {
    fn quota(&self) -> switchyard_shared::protocol::provision::CloseQuota {
        close_quota(self.members, self.times.len())
    }

    fn frees_at(&self) -> Option<u64> {
        close_quota_frees_at(self.quota().limit, &self.times)
    }
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
        self.journal
            .audit_action(who, profile, what, target, result);
    }

    async fn quota_inputs(
        &self,
        sdk: &SdkConfig,
        management: &str,
        id: &str,
    ) -> Result<QuotaInputs, ErrorBody> {
        let all = aws::account_states(sdk).await?;
        let closures = load_closures(&self.state_dir);
        let now = self.now();
        let since = now.saturating_sub(CLOSE_WINDOW_SECS);
        let mut counted = HashSet::new();
        let mut times = Vec::new();
        for (other, closure) in &closures {
            if closure.requested_at >= since && other != id {
                counted.insert(other.as_str());
                times.push(closure.requested_at);
            }
        }
        for (other, state) in &all {
            if state == "PENDING_CLOSURE" && other != id && !counted.contains(other.as_str()) {
                times.push(now);
            }
        }
        let members = all.iter().filter(|(other, _)| other != management).count();
        Ok(QuotaInputs { members, times })
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
        let who = caller.arn.as_str();
        match closability(&state) {
            Closability::Closed => {
                let removed = if params.remove_group {
                    self.remove_groups(sdk, who, &signed.profile, &id)
                        .await
                        .map_err(explain)?
                } else {
                    Vec::new()
                };
                self.queue.settle(&closure_id(&id), |entry| {
                    entry.state = ClosureState::Closed;
                    entry.detail = Some(format!("already {state}"));
                })?;
                let removed = if removed.is_empty() {
                    String::new()
                } else {
                    format!("; removed {}", removed.join(", "))
                };
                return Err(ErrorBody::new(
                    ErrorCode::AccountClosed,
                    format!(
                        "account {id} ({name}) is already {state}: nothing was closed (AWS \
                         keeps a closed account suspended for 90 days, then deletes it){removed}"
                    ),
                ));
            }
            Closability::Activating => {
                return Err(ErrorBody::new(
                    ErrorCode::CloseNotAllowed,
                    format!(
                        "account {id} ({name}) is still being activated (PENDING_ACTIVATION): \
                         it can be closed once it is ACTIVE; try again in a few minutes"
                    ),
                ))
            }
            Closability::Open => {}
        }
        let inputs = self
            .quota_inputs(sdk, &management, &id)
            .await
            .map_err(explain)?;
        let before = inputs.quota();
        if before.remaining == 0 {
            let frees = inputs.frees_at();
            let when = frees
                .map(|t| format!(" it has room again at {}", date(t)))
                .unwrap_or_default();
            if !params.queue {
                return Err(ErrorBody::new(
                    ErrorCode::CloseQuotaReached,
                    format!(
                        "the CloseAccount quota is used up: {} of {} closures in the last 30 \
                         days (10% of {} member accounts, at least 10, at most 1,000);{when}. \
                         Nothing was closed: `switchyard account close {id} --queue` (queue: \
                         true) queues the closure, and the daemon closes the account when the \
                         quota allows",
                        before.used, before.limit, inputs.members
                    ),
                ));
            }
            let entry = QueuedClosure {
                id: closure_id(&id),
                account_id: id.clone(),
                name: name.clone(),
                profile: signed.profile.clone(),
                who: who.to_owned(),
                queued_at: self.now(),
                remove_group: params.remove_group,
                state: ClosureState::Queued,
                not_before: frees,
                closed_at: None,
                detail: Some(format!(
                    "waiting for the quota: {} of {} closures in the last 30 days;{when}",
                    before.used, before.limit
                )),
                error: None,
            };
            self.queue.put(entry.clone())?;
            self.audit_close(who, &signed.profile, "account.close (queued)", &id, &Ok(()));
            return Ok(CloseAccountData {
                account_id: id,
                name,
                state: "QUEUED".to_owned(),
                quota: before,
                removed: Vec::new(),
                queued: Some(entry),
            });
        }
        self.close_now(&signed, who, &id, &name, params.remove_group, &inputs)
            .await
            .map_err(explain)
    }

    /// CloseAccount (journaled before and after), the state followed, the group removed
    /// on request, a queued closure of it settled.
    async fn close_now(
        &self,
        signed: &SignedIn,
        who: &str,
        id: &str,
        name: &str,
        remove_group: bool,
        inputs: &QuotaInputs,
    ) -> Result<CloseAccountData, ErrorBody> {
        let sdk = &signed.sdk;
        let requested_at = self.now();
        let closure = Closure {
            name: name.to_owned(),
            requested_at,
            state: "requested".to_owned(),
            who: who.to_owned(),
        };
        record(&self.state_dir, id, closure)?;
        let closed = aws::close_account(sdk, id).await;
        self.audit_close(
            who,
            &signed.profile,
            "organizations:CloseAccount",
            id,
            &closed,
        );
        if let Err(e) = closed {
            // A lost answer: AWS may have acted; its state says.
            let (_, now_state) = aws::account_state(sdk, id).await?;
            if closability(&now_state) != Closability::Closed {
                return Err(e);
            }
        }
        let started = std::time::Instant::now();
        let mut wait = Duration::from_secs(1);
        let state = loop {
            let (_, state) = aws::account_state(sdk, id).await?;
            if matches!(state.as_str(), "SUSPENDED" | "CLOSED") || started.elapsed() >= FOLLOW_FOR {
                break state;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        };
        record(
            &self.state_dir,
            id,
            Closure {
                name: name.to_owned(),
                requested_at,
                state: state.clone(),
                who: who.to_owned(),
            },
        )?;
        if let Err(e) = crate::services::accounts::forget(&self.state_dir, &signed.profile) {
            tracing::warn!("accounts cache not dropped: {}", e.message);
        }
        let removed = if remove_group {
            self.remove_groups(sdk, who, &signed.profile, id).await?
        } else {
            Vec::new()
        };
        let now = self.now();
        self.queue.settle(&closure_id(id), |entry| {
            entry.state = ClosureState::Closed;
            entry.closed_at = Some(now);
            entry.error = None;
            entry.detail = Some(if removed.is_empty() {
                state.clone()
            } else {
                format!("{state}; removed {}", removed.join(", "))
            });
        })?;
        Ok(CloseAccountData {
            account_id: id.to_owned(),
            name: name.to_owned(),
            state,
            quota: close_quota(inputs.members, inputs.times.len() + 1),
            removed,
            queued: None,
        })
    }

    /// Remove the group and policy of each finished job for the account; a policy that
    /// grants another account stays, and its group with it.
    async fn remove_groups(
        &self,
        sdk: &SdkConfig,
        who: &str,
        profile: &str,
        id: &str,
    ) -> Result<Vec<String>, ErrorBody> {
        let mut removed = Vec::new();
        for job in self.journal.list() {
            if job.account_id.as_deref() != Some(id) || job.state != JobState::Done {
                continue;
            }
            let target = format!("{}/{}", job.plan.group_name, job.plan.policy_name);
            let own = job.role_arn.clone().unwrap_or_default();
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
            if !job.plan.without_iam_group {
                let result =
                    aws::remove_group(sdk, &job.plan.group_name, &job.plan.policy_name, keep).await;
                let audit = result.as_ref().map(|_| ()).map_err(Clone::clone);
                self.audit_close(who, profile, "iam:DeleteGroup", &target, &audit);
                removed.extend(result?);
            }
            if let Some(access) = &job.plan.identity_center {
                let unassigned = crate::aws::identity_center::unassign(sdk, access, id).await;
                let audit = unassigned.as_ref().map(|_| ()).map_err(Clone::clone);
                let target = format!("{id} {} {}", access.permission_set_arn, access.group_id);
                self.audit_close(who, profile, "sso:DeleteAccountAssignment", &target, &audit);
                if unassigned? {
                    removed.push(format!(
                        "Identity Center assignment ({})",
                        super::identity_center::describe(access)
                    ));
                }
            }
        }
        Ok(removed)
    }

    /// Close the queued accounts the quota has room for, oldest first. When to look again
    /// (the earliest time the quota is expected to free for one still waiting).
    pub async fn run_close_queue(&self) -> Option<u64> {
        let mut next: Option<u64> = None;
        for entry in self.queue.list() {
            if !matches!(entry.state, ClosureState::Queued | ClosureState::Closing) {
                continue;
            }
            let again = match self.try_queued(&entry).await {
                Ok(again) => again,
                Err(error) => {
                    let keep = may_pass(&error);
                    tracing::info!(closure = %entry.id, code = %error.code, "queued closure: {}", error.message);
                    let now = self.now();
                    let settled = self.queue.settle(&entry.id, |e| {
                        e.state = if keep {
                            ClosureState::Queued
                        } else {
                            ClosureState::Failed
                        };
                        e.error = Some(error.clone());
                    });
                    if let Err(e) = settled {
                        tracing::warn!("closure queue not written: {}", e.message);
                    }
                    self.audit_close(
                        &entry.who,
                        &entry.profile,
                        "account.close (from the queue)",
                        &entry.account_id,
                        &Err(error),
                    );
                    keep.then_some(now + QUEUE_RECHECK_SECS)
                }
            };
            if let Some(at) = again {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        next
    }

    /// One queued closure: made when the quota has room; when to look again if not.
    async fn try_queued(&self, entry: &QueuedClosure) -> Result<Option<u64>, ErrorBody> {
        let signed = self.sessions.sign_in(Some(entry.profile.clone())).await?;
        let explain = |e| signed.explain(&self.sessions, e);
        let sdk = &signed.sdk;
        let management = aws::management_account(sdk).await.map_err(explain)?;
        let (_, state) = aws::account_state(sdk, &entry.account_id)
            .await
            .map_err(explain)?;
        match closability(&state) {
            Closability::Closed => {
                self.queue.settle(&entry.id, |e| {
                    e.state = ClosureState::Closed;
                    e.detail = Some(format!("already {state} when its turn came"));
                })?;
                return Ok(None);
            }
            Closability::Activating => return Ok(Some(self.now() + QUEUE_RECHECK_SECS)),
            Closability::Open => {}
        }
        let inputs = self
            .quota_inputs(sdk, &management, &entry.account_id)
            .await
            .map_err(explain)?;
        let quota = inputs.quota();
        if quota.remaining == 0 {
            let frees = inputs.frees_at();
            self.queue.settle(&entry.id, |e| {
                e.state = ClosureState::Queued;
                e.not_before = frees;
                e.error = None;
                e.detail = Some(format!(
                    "waiting for the quota: {} of {} closures in the last 30 days",
                    quota.used, quota.limit
                ));
            })?;
            let recheck = self.now() + QUEUE_RECHECK_SECS;
            return Ok(Some(frees.map_or(recheck, |f| f.min(recheck))));
        }
        self.queue
            .settle(&entry.id, |e| e.state = ClosureState::Closing)?;
        tracing::info!(closure = %entry.id, "closing a queued account");
        self.close_now(
            &signed,
            &entry.who,
            &entry.account_id,
            &entry.name,
            entry.remove_group,
            &inputs,
        )
        .await
        .map_err(explain)?;
        Ok(None)
    }

    /// `jobs.cancel` of a queued closure (`c` + account id): it will not be sent.
    pub fn cancel_closure(&self, id: &str) -> Result<QueuedClosure, ErrorBody> {
        let Some(entry) = self.queue.get(id) else {
            return Err(super::journal::not_found(id));
        };
        if entry.state != ClosureState::Queued {
            return Err(ErrorBody::new(
                ErrorCode::JobNotResumable,
                format!(
                    "the closure of {} is {}: it can no longer be cancelled",
                    entry.account_id,
                    entry.state.as_str()
                ),
            ));
        }
        let entry = self
            .queue
            .settle(id, |e| {
                e.state = ClosureState::Cancelled;
                e.detail = Some("cancelled before it was sent".to_owned());
            })?
            .unwrap_or(entry);
        self.audit_close(
            &entry.who,
            &entry.profile,
            "jobs.cancel",
            &entry.account_id,
            &Ok(()),
        );
        Ok(entry)
    }
}

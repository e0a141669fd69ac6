//! `jobs.prune`: the journals of jobs that ended (done, failed, cancelled) longer ago
//! than a given age are removed, and so are the queued closures that ended as long ago.
//! A running or paused job, a job a runner drives, and a closure still queued or closing
//! are never removed. Each removal is an audit line (`jobs.prune`), so the audit log
//! still says the job existed.
//!
//! What a pruned job no longer gives: `account close --remove-group` finds the groups
//! and Identity Center assignments to remove in the jobs' journals, and `users.*` the
//! role Switchyard made for an account (then read from the account's `switchyard-role`
//! tag instead).

use switchyard_shared::protocol::provision::{
    JobsPruneData, JobsPruneParams, PrunedEntry, DEFAULT_PRUNE_SECS,
};
use switchyard_shared::protocol::ErrorBody;

use super::Jobs;

/// Who prunes, for the audit log: the local user (no AWS identity is involved).
fn local_user() -> String {
    format!("local user (uid {})", rustix::process::getuid().as_raw())
}

impl Jobs {
    /// `jobs.prune`.
    pub fn prune(&self, params: &JobsPruneParams) -> Result<JobsPruneData, ErrorBody> {
        let older_than = params.older_than_secs.unwrap_or(DEFAULT_PRUNE_SECS);
        let now = self.now();
        let old = |ended_at: u64| now.saturating_sub(ended_at) >= older_than;
        let who = local_user();
        let mut pruned = Vec::new();
        let mut not_removed = Vec::new();

        let mut jobs: Vec<_> = self
            .journal
            .list()
            .into_iter()
            .filter(|job| job.state.is_final() && old(job.updated_at))
            .collect();
        jobs.sort_by_key(|job| job.updated_at);
        for job in jobs {
            let entry = PrunedEntry {
                id: job.id.clone(),
                state: job.state.as_str().to_owned(),
                name: job.plan.name.clone(),
                ended_at: job.updated_at,
            };
            if params.dry_run {
                pruned.push(entry);
                continue;
            }
            match self.journal.remove(&job.id) {
                Ok(_) => {
                    self.journal.audit_action(
                        &who,
                        &job.profile,
                        "jobs.prune",
                        &format!("{} {}", job.id, job.plan.email),
                        &Ok(()),
                    );
                    pruned.push(entry);
                }
                Err(e) => not_removed.push(format!("{}: {}", job.id, e.message)),
            }
        }

        let ended_at = |c: &switchyard_shared::protocol::provision::QueuedClosure| {
            c.closed_at.unwrap_or(c.queued_at)
        };
        let closures = if params.dry_run {
            self.queue
                .list()
                .into_iter()
                .filter(|c| {
                    !matches!(
                        c.state,
                        switchyard_shared::protocol::provision::ClosureState::Queued
                            | switchyard_shared::protocol::provision::ClosureState::Closing
                    ) && old(ended_at(c))
                })
                .collect()
        } else {
            match self.queue.remove_ended(|c| old(ended_at(c))) {
                Ok(gone) => {
                    for closure in &gone {
                        self.journal.audit_action(
                            &who,
                            &closure.profile,
                            "jobs.prune",
                            &format!("{} {}", closure.id, closure.account_id),
                            &Ok(()),
                        );
                    }
                    gone
                }
                Err(e) => {
                    not_removed.push(format!("the closure queue: {}", e.message));
                    Vec::new()
                }
            }
        };
        let mut closures: Vec<PrunedEntry> = closures
            .iter()
            .map(|c| PrunedEntry {
                id: c.id.clone(),
                state: c.state.as_str().to_owned(),
                name: c.name.clone(),
                ended_at: ended_at(c),
            })
            .collect();
        pruned.append(&mut closures);
        pruned.sort_by(|a, b| a.ended_at.cmp(&b.ended_at).then(a.id.cmp(&b.id)));

        let listed = self.list();
        let total = listed.jobs.len() + listed.closures.len();
        let kept = if params.dry_run {
            total.saturating_sub(pruned.len())
        } else {
            total
        };
        Ok(JobsPruneData {
            dry_run: params.dry_run,
            older_than_secs: older_than,
            pruned,
            kept,
            not_removed,
        })
    }
}

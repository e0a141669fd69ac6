//! The provisioning journal and audit log on disk: `$STATE_DIR/jobs/<id>.json` (one file
//! per job, replaced atomically: written beside, synced, renamed) and
//! `$STATE_DIR/audit.log` (JSON lines, appended: who, what, when, result; no secrets).
//!
//! The jobs are also held in memory; every change goes through [`Journal::update`], which
//! changes the job and writes it before the caller goes on, so a step is journaled as
//! started before it acts and as done before the next one begins. Each change also adds
//! the job's events ([`Job::note_changes`]) and wakes the `job.watch` callers waiting
//! for them ([`Journal::watch`]).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use switchyard_shared::protocol::provision::{Job, JobWatchData};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::{is_job_id, watch_answers_now};

/// The jobs of this daemon, in memory and on disk.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    audit: PathBuf,
    jobs: Mutex<BTreeMap<String, Job>>,
    /// Jobs a runner is driving now (at most one runner per job).
    running: Mutex<HashSet<String>>,
    /// Counts changes to any job; `job.watch` callers wait on it.
    changes: tokio::sync::watch::Sender<u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A journal write that failed: `state_dir_unwritable`, saying what the disk is doing.
fn io_error(what: &str, path: &Path, e: std::io::Error) -> ErrorBody {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk is full",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        ErrorKind::PermissionDenied => "permission denied",
        _ => "the write failed",
    };
    ErrorBody::new(
        ErrorCode::StateDirUnwritable,
        format!("cannot {what} {}: {why} ({e})", path.display()),
    )
}

/// One line of the audit log.
#[derive(Debug, Serialize)]
pub struct AuditEntry<'a> {
    /// Unix seconds.
    pub at: u64,
    /// The caller's ARN.
    pub who: &'a str,
    pub profile: &'a str,
    pub job: &'a str,
    /// The action (`organizations:CreateAccount`, `jobs.cancel`, …).
    pub what: &'a str,
    /// What it acted on (an e-mail, an account id, a group).
    pub target: &'a str,
    /// `ok`, or the error code and message.
    pub result: String,
}

impl Journal {
    /// The journal under `state_dir`, with every readable job file loaded (an unreadable
    /// one is logged and left alone).
    pub fn open(state_dir: &Path) -> Journal {
        let dir = state_dir.join("jobs");
        let mut jobs = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let job = std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| {
                        serde_json::from_slice::<Job>(&bytes).map_err(|e| e.to_string())
                    });
                match job {
                    Ok(job) if is_job_id(&job.id) => {
                        jobs.insert(job.id.clone(), job);
                    }
                    Ok(_) => tracing::warn!(path = %path.display(), "job file with a bad id"),
                    Err(e) => tracing::warn!(path = %path.display(), "unreadable job file: {e}"),
                }
            }
        }
        Journal {
            dir,
            audit: state_dir.join("audit.log"),
            jobs: Mutex::new(jobs),
            running: Mutex::default(),
            changes: tokio::sync::watch::Sender::new(0),
        }
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    fn write(&self, job: &Job) -> Result<(), ErrorBody> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error("create", &self.dir, e))?;
        let path = self.path(&job.id);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(job)
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?;
        let written = std::fs::File::create(&tmp).and_then(|mut file| {
            file.write_all(&bytes)?;
            file.sync_all()
        });
        if let Err(e) = written {
            // Whatever part was written only takes space from the next try.
            let _ = std::fs::remove_file(&tmp);
            return Err(io_error("write", &tmp, e));
        }
        std::fs::rename(&tmp, &path).map_err(|e| io_error("replace", &path, e))
    }

    /// Add a job unless `conflict` finds one it clashes with, and why (checked under the
    /// same lock, so two requests cannot both pass); the job is on disk when this returns.
    pub fn insert(
        &self,
        job: Job,
        conflict: impl Fn(&Job) -> Option<ErrorBody>,
    ) -> Result<Job, ErrorBody> {
        let mut jobs = lock(&self.jobs);
        if let Some(clash) = jobs.values().find_map(&conflict) {
            return Err(clash);
        }
        self.write(&job)?;
        jobs.insert(job.id.clone(), job.clone());
        self.changes.send_modify(|n| *n += 1);
        Ok(job)
    }

    pub fn get(&self, id: &str) -> Option<Job> {
        lock(&self.jobs).get(id).cloned()
    }

    /// Every job, newest first.
    pub fn list(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = lock(&self.jobs).values().cloned().collect();
        jobs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        jobs
    }

    /// Change a job and write it before returning; on a failed write the change is undone.
    pub fn update<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Job) -> T,
    ) -> Result<(T, Job), ErrorBody> {
        let mut jobs = lock(&self.jobs);
        let Some(job) = jobs.get_mut(id) else {
            return Err(not_found(id));
        };
        let before = job.clone();
        let out = f(job);
        job.note_changes(&before, crate::services::session::now());
        if let Err(e) = self.write(job) {
            *job = before;
            return Err(e);
        }
        let job = job.clone();
        drop(jobs);
        self.changes.send_modify(|n| *n += 1);
        Ok((out, job))
    }

    /// Change a job in memory, then try to write it. Unlike [`Journal::update`], the
    /// change stays when the write fails: this is the runner's last word on a job
    /// (paused or failed, with why), which `job.status`, `jobs.list` and `job.watch`
    /// must show even when the disk cannot take it. The file keeps the job's last
    /// written state (running), which a restarted daemon resumes. The third value is the
    /// write's outcome.
    pub fn settle<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Job) -> T,
    ) -> Result<(T, Job, Result<(), ErrorBody>), ErrorBody> {
        let mut jobs = lock(&self.jobs);
        let Some(job) = jobs.get_mut(id) else {
            return Err(not_found(id));
        };
        let before = job.clone();
        let out = f(job);
        job.note_changes(&before, crate::services::session::now());
        let written = self.write(job);
        let job = job.clone();
        drop(jobs);
        self.changes.send_modify(|n| *n += 1);
        Ok((out, job, written))
    }

    /// Remove an ended job's journal, file first (a job that is running, paused or
    /// driven by a runner is never removed: `job_not_resumable`). A file already gone
    /// counts as removed.
    pub fn remove(&self, id: &str) -> Result<Job, ErrorBody> {
        let mut jobs = lock(&self.jobs);
        let Some(job) = jobs.get(id) else {
            return Err(not_found(id));
        };
        if !job.state.is_final() || lock(&self.running).contains(id) {
            return Err(ErrorBody::new(
                ErrorCode::JobNotResumable,
                format!(
                    "job {id} is {}: only ended jobs are removed",
                    job.state.as_str()
                ),
            ));
        }
        let path = self.path(id);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("remove", &path, e)),
        }
        let removed = jobs.remove(id).ok_or_else(|| not_found(id))?;
        drop(jobs);
        self.changes.send_modify(|n| *n += 1);
        Ok(removed)
    }

    /// `job.watch`: the job's events after `after` as soon as there are any (at once when
    /// there are already, or when the job is not running), else after `wait` with none.
    pub async fn watch(
        &self,
        id: &str,
        after: u64,
        wait: std::time::Duration,
    ) -> Result<JobWatchData, ErrorBody> {
        // Subscribed before looking, so a change made in between still wakes us.
        let mut changes = self.changes.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let job = self.get(id).ok_or_else(|| not_found(id))?;
            if watch_answers_now(&job, after) {
                return Ok(JobWatchData::of(job, after));
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                // The wait is over (or the journal is going away): answer what is there.
                Ok(Err(_)) | Err(_) => return Ok(JobWatchData::of(job, after)),
            }
        }
    }

    /// Mark a job as driven by a runner; false when one already drives it.
    pub fn claim(&self, id: &str) -> bool {
        lock(&self.running).insert(id.to_owned())
    }

    pub fn release(&self, id: &str) {
        lock(&self.running).remove(id);
    }

    /// One audit line for an admin action outside a job (`users.create`, `account.close`,
    /// …): who, with which profile, on what, and how it ended.
    pub fn audit_action(
        &self,
        who: &str,
        profile: &str,
        what: &str,
        target: &str,
        result: &Result<(), ErrorBody>,
    ) {
        self.audit(&AuditEntry {
            at: crate::services::session::now(),
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

    /// Append one line to the audit log. A failure is logged, never fatal.
    pub fn audit(&self, entry: &AuditEntry<'_>) {
        let line = match serde_json::to_string(entry) {
            Ok(line) => line + "\n",
            Err(e) => return tracing::warn!("audit entry not encoded: {e}"),
        };
        let result = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.audit)
            .and_then(|mut file| file.write_all(line.as_bytes()));
        if let Err(e) = result {
            tracing::warn!(path = %self.audit.display(), "audit log not written: {e}");
        }
    }
}

/// `job_not_found` for `id`.
pub fn not_found(id: &str) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::JobNotFound,
        format!("no provisioning job {id:?}; `switchyard jobs` lists them"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_shared::protocol::provision::{CreateAccountParams, JobState};
    use switchyard_shared::provision::plan;

    fn job(id: &str, email: &str) -> Job {
        let plan = plan(&CreateAccountParams {
            name: "Client A".into(),
            email: email.into(),
            ..CreateAccountParams::default()
        })
        .unwrap();
        Job::new(id.into(), "default".into(), "arn:me".into(), plan, 1)
    }

    #[test]
    fn jobs_survive_a_reopen_and_conflicts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path());
        journal
            .insert(job("j01", "a@example.com"), |_| None)
            .unwrap();
        let same = |other: &Job| {
            (other.plan.email == "a@example.com")
                .then(|| ErrorBody::new(ErrorCode::EmailInUse, "taken"))
        };
        let refused = journal
            .insert(job("j02", "a@example.com"), same)
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::EmailInUse);
        journal
            .update("j01", |j| j.state = JobState::Paused)
            .unwrap();
        std::fs::write(dir.path().join("jobs/junk.json"), "{").unwrap();
        let again = Journal::open(dir.path());
        assert_eq!(again.list().len(), 1);
        assert_eq!(again.get("j01").unwrap().state, JobState::Paused);
        assert!(!dir.path().join("jobs/j01.json.tmp").exists());
        assert_eq!(
            again.update("j09", |_| ()).unwrap_err().code,
            ErrorCode::JobNotFound
        );
        assert!(again.claim("j01") && !again.claim("j01"));
        again.release("j01");
        assert!(again.claim("j01"));
    }

    #[tokio::test]
    async fn a_watch_wakes_on_the_next_change_and_times_out_without_one() {
        use std::sync::Arc;
        use std::time::{Duration, Instant};
        use switchyard_shared::protocol::provision::Step;
        let dir = tempfile::tempdir().unwrap();
        let journal = Arc::new(Journal::open(dir.path()));
        journal
            .insert(job("j01", "a@example.com"), |_| None)
            .unwrap();
        // The first event is there at once.
        let first = journal
            .watch("j01", 0, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(first.seq, 1);
        // Nothing new: the wait runs out with no events.
        let started = Instant::now();
        let idle = journal
            .watch("j01", 1, Duration::from_millis(200))
            .await
            .unwrap();
        assert!(idle.events.is_empty());
        assert!(started.elapsed() >= Duration::from_millis(200));
        // A change made while waiting ends the wait with it.
        let waiter = {
            let journal = Arc::clone(&journal);
            tokio::spawn(async move { journal.watch("j01", 1, Duration::from_secs(20)).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        journal
            .update("j01", |j| j.start(Step::CheckEmail, 2))
            .unwrap();
        let woke = waiter.await.unwrap().unwrap();
        let latency = started.elapsed();
        println!("job.watch woke {latency:?} after the change");
        assert!(latency < Duration::from_secs(5));
        assert_eq!(woke.seq, 2);
        assert_eq!(woke.events[0].seq, 2);
        // A job that stopped ends the watch at once, with or without news.
        journal
            .update("j01", |j| j.state = JobState::Cancelled)
            .unwrap();
        let done = journal
            .watch("j01", 3, Duration::from_secs(20))
            .await
            .unwrap();
        assert!(done.events.is_empty() && done.job.state == JobState::Cancelled);
        assert_eq!(
            journal
                .watch("j99", 0, Duration::from_secs(1))
                .await
                .unwrap_err()
                .code,
            ErrorCode::JobNotFound
        );
    }

    #[test]
    fn audit_lines_append() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path());
        for result in ["ok", "error"] {
            journal.audit(&AuditEntry {
                at: 5,
                who: "arn:aws:iam::1:user/alice",
                profile: "default",
                job: "j01",
                what: "iam:CreateGroup",
                target: "AccessClientA",
                result: result.into(),
            });
        }
        let text = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["result"], "error");
        assert_eq!(lines[0]["who"], "arn:aws:iam::1:user/alice");
    }
}

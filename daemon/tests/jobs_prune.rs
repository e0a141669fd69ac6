//! `switchyard jobs prune`: the journals of jobs that ended longer ago than
//! `--older-than` (30 days by default) are removed, with `--dry-run` only listed; running
//! and paused jobs, recent ones, and closures still queued are kept; each removal is in
//! the audit log; a bad age is refused before anything is removed. The journals are
//! written as an earlier daemon would have left them, then read by a new one.

mod support;

use std::path::Path;

use support::{json, text, Sandbox};
use switchyard_shared::protocol::provision::{
    ClosureState, CreateAccountParams, Job, JobState, QueuedClosure,
};
use switchyard_shared::provision::plan;

const DAY: u64 = 24 * 60 * 60;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A job as the journal keeps it, `state`, last changed `age` seconds ago.
fn job(id: &str, name: &str, state: JobState, age: u64) -> Job {
    let slug = name.replace(' ', "-").to_lowercase();
    let plan = plan(&CreateAccountParams {
        name: name.into(),
        email: format!("ops+{slug}@example.com"),
        ..CreateAccountParams::default()
    })
    .unwrap();
    let at = now() - age;
    let mut job = Job::new(
        id.into(),
        "default".into(),
        "arn:aws:iam::123456789012:user/alice".into(),
        plan,
        at - 60,
    );
    job.state = state;
    job.updated_at = at;
    job
}

fn closure(account: &str, state: ClosureState, age: u64) -> QueuedClosure {
    QueuedClosure {
        id: format!("c{account}"),
        account_id: account.into(),
        name: format!("Old {account}"),
        profile: "default".into(),
        who: "arn:aws:iam::123456789012:user/alice".into(),
        queued_at: now() - age - DAY,
        remove_group: false,
        state,
        not_before: None,
        closed_at: (state == ClosureState::Closed).then(|| now() - age),
        detail: None,
        error: None,
    }
}

fn write_journals(state: &Path) {
    let jobs = state.join("jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    for job in [
        job("j0001", "Client Done", JobState::Done, 40 * DAY),
        job("j0002", "Client Failed", JobState::Failed, 31 * DAY),
        job("j0003", "Client Cancelled", JobState::Cancelled, 90 * DAY),
        job("j0004", "Client Recent", JobState::Done, 2 * DAY),
        job("j0005", "Client Paused", JobState::Paused, 60 * DAY),
    ] {
        std::fs::write(
            jobs.join(format!("{}.json", job.id)),
            serde_json::to_vec_pretty(&job).unwrap(),
        )
        .unwrap();
    }
    let queue: std::collections::BTreeMap<String, QueuedClosure> = [
        closure("111111111111", ClosureState::Closed, 45 * DAY),
        closure("222222222222", ClosureState::Queued, 45 * DAY),
    ]
    .into_iter()
    .map(|c| (c.id.clone(), c))
    .collect();
    std::fs::write(
        state.join("close-queue.json"),
        serde_json::to_vec_pretty(&queue).unwrap(),
    )
    .unwrap();
}

fn ids(listed: &serde_json::Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = listed["data"][key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn prune_removes_only_old_ended_journals() {
    let sandbox = Sandbox::without_keyring();
    let state = sandbox.home().join("state");
    write_journals(&state);

    // A bad age is refused before anything is sent.
    let out = sandbox.switchyard(&["jobs", "prune", "--older-than", "soon"], None);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("\"soon\"") && text(&out).contains("30d"),
        "{}",
        text(&out)
    );
    assert!(state.join("jobs/j0001.json").exists());

    // A dry run lists the old ended journals, oldest first, and removes nothing.
    let out = sandbox.switchyard(&["jobs", "prune", "--dry-run"], None);
    assert!(out.status.success(), "{}", text(&out));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 5, "{printed}");
    for (line, id) in lines
        .iter()
        .zip(["j0003", "c111111111111", "j0001", "j0002"])
    {
        assert!(
            line.starts_with(&format!("would remove {id} ")),
            "{printed}"
        );
    }
    assert!(lines[0].contains("cancelled") && lines[0].contains("Client Cancelled"));
    assert_eq!(lines[4], "4 journals would be removed; 3 kept", "{printed}");
    for id in ["j0001", "j0002", "j0003"] {
        assert!(state.join(format!("jobs/{id}.json")).exists(), "{id}");
    }
    assert_eq!(
        ids(
            &json(&sandbox.switchyard(&["jobs", "--json"], None)),
            "jobs"
        )
        .len(),
        5
    );

    // The default age (30 days): the old ended jobs and the closed closure go; the
    // paused job, the recent one and the closure still queued stay.
    let out = sandbox.switchyard(&["jobs", "prune", "--json"], None);
    assert!(out.status.success(), "{}", text(&out));
    let reply = json(&out);
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["data"]["older_than_secs"], 30 * DAY);
    assert_eq!(
        ids(&reply, "pruned"),
        ["c111111111111", "j0001", "j0002", "j0003"]
    );
    assert_eq!(reply["data"]["kept"], 3);
    for id in ["j0001", "j0002", "j0003"] {
        assert!(!state.join(format!("jobs/{id}.json")).exists(), "{id}");
    }
    let listed = json(&sandbox.switchyard(&["jobs", "--json"], None));
    assert_eq!(ids(&listed, "jobs"), ["j0004", "j0005"]);
    assert_eq!(ids(&listed, "closures"), ["c222222222222"]);
    let queue = std::fs::read_to_string(state.join("close-queue.json")).unwrap();
    assert!(!queue.contains("111111111111"), "{queue}");
    let audit = std::fs::read_to_string(state.join("audit.log")).unwrap();
    assert_eq!(audit.matches("\"jobs.prune\"").count(), 4, "{audit}");
    assert!(
        audit.contains("j0001 ops+client-done@example.com"),
        "{audit}"
    );

    // Nothing else is old enough; with 0s every ended job goes, never a paused one.
    let out = sandbox.switchyard(&["jobs", "prune"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("nothing ended more than 30days ago"),
        "{}",
        text(&out)
    );
    let out = sandbox.switchyard(&["jobs", "prune", "--older-than", "0s"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("removed j0004 "),
        "{}",
        text(&out)
    );
    let listed = json(&sandbox.switchyard(&["jobs", "--json"], None));
    assert_eq!(ids(&listed, "jobs"), ["j0005"]);
    assert_eq!(ids(&listed, "closures"), ["c222222222222"]);

    // The message itself refuses what it does not know.
    let refused = sandbox.raw(&serde_json::json!({"id": 1, "type": "jobs.prune", "older_than": 5}));
    assert_eq!(refused["error"]["code"], "invalid_params", "{refused}");
}

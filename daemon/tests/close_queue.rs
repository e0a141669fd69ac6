//! Integration: a closure past the CloseAccount quota is refused with an offer to queue
//! it; queued, it waits in `$STATE_DIR/close-queue.json`, survives a restart, and is made
//! (against moto, with a real keyring) once the rolling 30-day window has room. The
//! window is 30 days, so the daemon's library runs in-process here with a clock the test
//! moves (`Jobs::with_clock`); nothing sleeps. Then the CLI (a real daemon, the real
//! clock) shows the closure in `jobs`, queues another, and cancels it.
//!
//! The process's environment points at the sandbox, so this binary holds one test.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_config::SdkConfig;
use serde_json::Value;
use support::{admin, json, text, user, Moto, Sandbox, ALLOW_ALL};
use switchyard_daemon::services::provision::close::QUEUE_RECHECK_SECS;
use switchyard_daemon::services::provision::{Clock, Jobs};
use switchyard_daemon::services::session::Sessions;
use switchyard_shared::protocol::provision::{CloseAccountParams, ClosureState};
use switchyard_shared::protocol::ErrorCode;

const DAY: u64 = 86_400;

async fn member(root: &SdkConfig, name: &str, email: &str) -> String {
    aws_sdk_organizations::Client::new(root)
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap()
}

async fn state_of(root: &SdkConfig, id: &str) -> String {
    aws_sdk_organizations::Client::new(root)
        .describe_account()
        .account_id(id)
        .send()
        .await
        .unwrap()
        .account
        .unwrap()
        .state
        .unwrap()
        .as_str()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closure_past_the_quota_is_queued_and_made_when_the_window_has_room() {
    let moto = Moto::start();
    let root = admin(&moto).await;
    aws_sdk_organizations::Client::new(&root)
        .create_organization()
        .send()
        .await
        .unwrap();
    let key = user(&root, "admin", Some(ALLOW_ALL)).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &key, &moto.endpoint);
    sandbox.stop_daemon();
    let q = member(&root, "Client Q", "ops+q@example.com").await;
    let p = member(&root, "Client P", "ops+p@example.com").await;
    sandbox.enter();
    let state = sandbox.home().join("state");

    // Ten closures 20 days ago: the quota (10 for this small organization) is used up
    // until the oldest is 30 days old, 10 days from now.
    let t0 = switchyard_daemon::services::session::now();
    let oldest = t0 - 20 * DAY;
    let mut closures = serde_json::Map::new();
    for i in 0..10u64 {
        closures.insert(
            format!("99999999999{i}"),
            serde_json::json!({"name": "old", "requested_at": oldest + i * 3600,
                "state": "SUSPENDED", "who": "x"}),
        );
    }
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        state.join("closures.json"),
        serde_json::to_vec(&closures).unwrap(),
    )
    .unwrap();
    let clock = Arc::new(AtomicU64::new(t0));
    let ticking = {
        let clock = Arc::clone(&clock);
        Clock::new(move || clock.load(Ordering::SeqCst))
    };
    let jobs = Jobs::with_clock(&state, Arc::new(Sessions::default()), ticking.clone());
    let params = CloseAccountParams {
        profile: Some("default".into()),
        account_id: q.clone(),
        confirm: "Client Q".into(),
        remove_group: false,
        queue: false,
    };

    // Refused, with the date the quota frees and the offer to queue.
    let refused = jobs.close(params.clone()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::CloseQuotaReached, "{refused}");
    assert!(refused.message.contains("10 of 10"), "{refused}");
    assert!(refused.message.contains("--queue"), "{refused}");
    assert_eq!(state_of(&root, &q).await, "ACTIVE");

    // Queued: journaled with when the window has room, nothing sent.
    let queued = jobs
        .close(CloseAccountParams {
            queue: true,
            ..params.clone()
        })
        .await
        .unwrap();
    assert_eq!(queued.state, "QUEUED");
    let entry = queued.queued.unwrap();
    assert_eq!(entry.id, format!("c{q}"));
    assert_eq!(entry.not_before, Some(oldest + 30 * DAY));
    assert_eq!(jobs.list().closures, std::slice::from_ref(&entry));

    // Nine days on: still no room, nothing sent; looked at again within the hour (the
    // quota frees in a day).
    clock.store(t0 + 9 * DAY, Ordering::SeqCst);
    assert_eq!(
        jobs.run_close_queue().await,
        Some(t0 + 9 * DAY + QUEUE_RECHECK_SECS)
    );
    assert_eq!(state_of(&root, &q).await, "ACTIVE");
    let waiting = jobs.queue.get(&entry.id).unwrap();
    assert_eq!(waiting.state, ClosureState::Queued);
    assert_eq!(waiting.not_before, Some(oldest + 30 * DAY));

    // The daemon restarts (a new Jobs over the same state dir) after the oldest closure
    // left the window: the queued closure is still there, and is made.
    drop(jobs);
    let closed_at = oldest + 30 * DAY + 60;
    clock.store(closed_at, Ordering::SeqCst);
    let jobs = Jobs::with_clock(&state, Arc::new(Sessions::default()), ticking);
    assert_eq!(jobs.list().closures[0].state, ClosureState::Queued);
    assert_eq!(jobs.run_close_queue().await, None);
    assert_eq!(state_of(&root, &q).await, "SUSPENDED");
    let done = jobs.queue.get(&entry.id).unwrap();
    assert_eq!(done.state, ClosureState::Closed, "{done:?}");
    assert_eq!(done.closed_at, Some(closed_at));
    let journal: Value =
        serde_json::from_slice(&std::fs::read(state.join("closures.json")).unwrap()).unwrap();
    assert_eq!(journal[&q]["requested_at"], closed_at);
    assert_eq!(journal[&q]["state"], "SUSPENDED");
    let audit = std::fs::read_to_string(state.join("audit.log")).unwrap();
    assert!(audit.contains("account.close (queued)"), "{audit}");
    assert_eq!(
        audit.matches("organizations:CloseAccount").count(),
        1,
        "{audit}"
    );

    // Closing it again says so, and sends nothing.
    let again = jobs.close(params).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::AccountClosed, "{again}");
    assert!(again.message.contains("already SUSPENDED"), "{again}");
    drop(jobs);

    // Through the CLI and a real daemon (the real clock: the window is full again, with
    // Q counted): `jobs` shows the closure; another is queued, shown, and cancelled.
    let out = sandbox.switchyard(&["jobs"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("c{q}  closed    close Client Q ({q})")),
        "{}",
        text(&out)
    );
    let out = sandbox.switchyard(
        &["account", "close", &p, "--confirm", "Client P", "--queue"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("queued as c{p}")),
        "{}",
        text(&out)
    );
    let listed = json(&sandbox.switchyard(&["jobs", "--json"], None));
    let waiting: Vec<&Value> = listed["data"]["closures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "queued")
        .collect();
    assert_eq!(waiting.len(), 1, "{listed}");
    assert_eq!(waiting[0]["account_id"], p.as_str());
    let out = sandbox.switchyard(&["jobs", "cancel", &format!("c{p}")], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("cancelled"), "{}", text(&out));
    let out = sandbox.switchyard(&["jobs", "cancel", &format!("c{p}")], None);
    assert!(text(&out).contains("job_not_resumable"), "{}", text(&out));
    assert_eq!(state_of(&root, &p).await, "ACTIVE");
}

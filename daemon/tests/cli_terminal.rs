//! Integration: a terminal that helps, through the `switchyard` CLI against moto (the
//! seeded sample organization) and a real gnome-keyring: tables with headers and
//! filters, plain words and plurals, `status` in words, `jobs show|watch`, Ctrl-C while
//! an account is being made, `daemon stop|restart`, `credentials list` with the MFA
//! session, one JSON shape, completions and the man page, and a closed pipe.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};

use support::fault_proxy::{FaultProxy, Rule};
use support::{json, text, Moto, Sandbox};

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Moto with the sample organization (six members; alice in four groups, each allowing
/// one member's OrganizationAccountAccessRole) and alice's key as profile `work`.
fn seeded(endpoint: impl FnOnce(&Moto) -> String) -> (Moto, Sandbox, String) {
    let moto = Moto::start();
    let seeded = moto.seed_with(&switchyard_testkit::moto_python(), 6, false, 4);
    let sandbox = Sandbox::start();
    let endpoint = endpoint(&moto);
    sandbox.add_credentials(
        "work",
        &(
            seeded.access_key_id.clone(),
            seeded.secret_access_key.clone(),
        ),
        &endpoint,
    );
    (moto, sandbox, endpoint)
}

#[test]
fn accounts_and_roles_are_tables_with_headers_filters_and_words() {
    let (_moto, sandbox, _) = seeded(|m| m.endpoint.clone());

    let table = stdout(&sandbox.switchyard(&["accounts"], None));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "NAME", "COLOR", "STATE", "EMAIL"],
        "{table}"
    );
    assert_eq!(lines.len(), 1 + 7, "a header and seven accounts: {table}");
    assert!(table.contains(" active "), "states in plain words: {table}");
    assert!(!table.contains("ACTIVE"), "{table}");
    assert!(!table.contains('\u{1b}'), "no color when piped: {table}");

    let acme = stdout(&sandbox.switchyard(&["accounts", "acme"], None));
    assert_eq!(acme.lines().count(), 1 + 3, "{acme}");
    assert!(acme.lines().skip(1).all(|l| l.contains("Acme")), "{acme}");
    let none = stdout(&sandbox.switchyard(&["accounts", "nothing-like-it"], None));
    assert!(none.contains("no account matches"), "{none}");
    let out = sandbox.switchyard(&["accounts"], None);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("7 accounts"),
        "{}",
        text(&out)
    );

    // Roles: the ARN a later command needs is in the table.
    let roles = stdout(&sandbox.switchyard(&["roles", "--all"], None));
    let header: Vec<&str> = roles.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["ACCOUNT", "ID", "ROLE", "DECISION", "FROM", "ROLE", "ARN"],
        "{roles}"
    );
    assert!(roles.contains(":role/"), "{roles}");
    let globex = stdout(&sandbox.switchyard(&["roles", "--all", "globex"], None));
    assert!(
        globex.lines().skip(1).all(|l| l.contains("Globex")),
        "{globex}"
    );

    // A malformed ARN is named as such.
    let out = sandbox.switchyard(&["roles", "--explain", "arn:aws:iam::1:user/x"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("is not a role ARN"), "{}", text(&out));
    // An empty import: one message, no "imported 0 roles".
    let empty = sandbox.home().join("empty.ini");
    std::fs::write(&empty, "").unwrap();
    let out = sandbox.switchyard(&["roles", "import", empty.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(!text(&out).contains("imported 0"), "{}", text(&out));
    assert!(text(&out).contains("nothing usable"), "{}", text(&out));

    // Closing asks for the account's name, and the question names the account.
    let list = json(&sandbox.switchyard(&["accounts", "--json"], None));
    let globex = list["data"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Globex")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut command = Command::new("script");
    command
        .args(["-qec"])
        .arg(format!(
            "{} account close {globex}",
            env!("CARGO_BIN_EXE_switchyard")
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.env(&mut command);
    let mut child = command.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"Initech\n").unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&format!(
            "Type the name of account {globex} (Globex) to close it"
        )),
        "{shown}"
    );
    assert!(shown.contains("confirmation_mismatch"), "{shown}");

    // `status` in words.
    let status = stdout(&sandbox.switchyard(&["status"], None));
    assert!(status.contains("daemon:      running, pid"), "{status}");
    assert!(!status.contains("{\"kind\""), "{status}");

    // `switchyard accounts | head -1`: the reader goes away after one line.
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("accounts")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.env(&mut command);
    let mut child = command.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 4];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn ctrl_c_while_an_account_is_made_says_the_job_goes_on_and_how_to_follow_it() {
    let proxy_slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = proxy_slot.clone();
    let (_moto, sandbox, _) = seeded(move |m| {
        let proxy = FaultProxy::start(&m.endpoint);
        let endpoint = proxy.endpoint.clone();
        *slot.lock().unwrap() = Some(proxy);
        endpoint
    });
    let proxy = proxy_slot.lock().unwrap().take().unwrap();
    // AWS keeps making the account: the job waits.
    proxy.add(Rule::organizations_json(
        "DescribeCreateAccountStatus",
        serde_json::json!({"CreateAccountStatus": {
            "Id": "car-fault", "AccountName": "Client Z", "State": "IN_PROGRESS"}}),
    ));

    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args([
            "account",
            "create",
            "--name",
            "Client Z",
            "--email",
            "ops+z@example.com",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.env(&mut command);
    let child = command.spawn().unwrap();
    // Wait until the job waits for the account, then press Ctrl-C.
    let mut id = String::new();
    for _ in 0..600 {
        let jobs = json(&sandbox.switchyard(&["jobs", "--json"], None));
        if let Some(job) = jobs["data"]["jobs"].as_array().and_then(|j| j.first()) {
            let waiting = job["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["step"] == "wait_for_account" && s["state"] == "running");
            if waiting {
                id = job["id"].as_str().unwrap().to_owned();
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!id.is_empty(), "the job reached wait_for_account");
    let child_pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(child_pid, rustix::process::Signal::INT).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("it goes on in the daemon"), "{said}");
    assert!(
        said.contains(&format!("switchyard jobs watch {id}")),
        "{said}"
    );
    assert!(
        said.contains(&format!("switchyard jobs cancel {id}")),
        "{said}"
    );

    // The job goes on; `jobs show` has every step, `--json` the envelope.
    let shown = stdout(&sandbox.switchyard(&["jobs", "show", &id], None));
    assert!(shown.contains("running"), "{shown}");
    assert!(shown.contains("wait_for_account"), "{shown}");
    let shown = json(&sandbox.switchyard(&["jobs", "show", &id, "--json"], None));
    assert_eq!(shown["status"], "ok");
    assert_eq!(shown["data"]["state"], "running");

    // Once AWS is done, `jobs watch` follows it to its end.
    proxy.clear();
    let watched = sandbox.switchyard(&["jobs", "watch", &id], None);
    assert!(watched.status.success(), "{}", text(&watched));
    assert!(text(&watched).contains("done: "), "{}", text(&watched));
}

#[test]
fn daemon_stop_and_restart_credentials_list_and_generated_docs() {
    let (_moto, sandbox, _) = seeded(|m| m.endpoint.clone());
    let pid =
        |s: &Sandbox| json(&s.switchyard(&["status", "--json"], None))["data"]["pid"].as_u64();
    let first = pid(&sandbox).unwrap();

    let out = stdout(&sandbox.switchyard(&["daemon", "restart"], None));
    assert!(out.contains("daemon running, pid"), "{out}");
    let second = pid(&sandbox).unwrap();
    assert_ne!(first, second);

    let out = stdout(&sandbox.switchyard(&["daemon", "stop"], None));
    assert_eq!(out, format!("stopped the daemon (pid {second})\n"));
    let out = stdout(&sandbox.switchyard(&["daemon", "stop"], None));
    assert_eq!(out, "the daemon is not running\n");

    // The list: a header, the default marked, no MFA device.
    let list = stdout(&sandbox.switchyard(&["credentials", "list"], None));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["PROFILE", "KEY", "REGION", "MFA"],
        "{list}"
    );
    assert!(lines[1].contains("work (default)"), "{list}");
    assert!(lines[1].trim_end().ends_with("none"), "{list}");

    // Completions and the man page come from the same definitions.
    let bash = stdout(&sandbox.switchyard(&["completions", "bash"], None));
    assert!(bash.contains("credential-process"), "{bash}");
    let zsh = stdout(&sandbox.switchyard(&["completions", "zsh"], None));
    assert!(zsh.starts_with("#compdef switchyard"), "{zsh}");
    let man = stdout(&sandbox.switchyard(&["man"], None));
    assert!(man.contains(".TH switchyard 1"), "{man}");
    let out = sandbox.switchyard(&["completions", "tcsh"], None);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_list_shows_the_open_mfa_session_and_clear_ends_it() {
    let moto = Moto::start();
    let seeded = moto.seed(0, true);
    let sandbox = Sandbox::start();
    sandbox.add_credentials(
        "work",
        &(
            seeded.access_key_id.clone(),
            seeded.secret_access_key.clone(),
        ),
        &moto.endpoint,
    );
    let out = sandbox.switchyard(&["mfa", "--code", "123456", "--json"], None);
    let session = json(&out);
    assert_eq!(session["status"], "ok", "the envelope: {session}");
    let list = stdout(&sandbox.switchyard(&["credentials", "list"], None));
    assert!(list.contains("session until 20"), "{list}");
    let listed = json(&sandbox.switchyard(&["credentials", "list", "--json"], None));
    assert_eq!(
        listed["data"]["profiles"][0]["mfa_session_expires_at"],
        session["data"]["expires_at"]
    );

    let out = stdout(&sandbox.switchyard(&["clear"], None));
    assert!(out.contains("ended the sessions of work"), "{out}");
    let list = stdout(&sandbox.switchyard(&["credentials", "list"], None));
    assert!(list.contains("no session"), "{list}");
    let out = stdout(&sandbox.switchyard(&["sessions", "end", "--all"], None));
    assert_eq!(out, "no session to end\n");
}

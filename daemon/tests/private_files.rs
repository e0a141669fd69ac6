//! Integration: what the daemon keeps in the config folder is the user's alone: a
//! `roles import` through the real daemon leaves `imports/` 0700 and the import 0600, the
//! config folder (0755 from an older version) narrowed to 0700, and no temporary file.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn an_import_is_kept_for_the_user_alone() {
    let dir = tempfile::Builder::new()
        .prefix("sy")
        .tempdir_in("/tmp")
        .unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.path().join("aesr.ini");
    std::fs::write(
        &file,
        "[profile client-b]\naws_account_id = 222222222222\nrole_name = ClientB\n",
    )
    .unwrap();
    let switchyard = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(args)
            .env("SWITCHYARD_CONFIG_DIR", &config)
            .env("SWITCHYARD_RUNTIME_DIR", dir.path().join("run"))
            .env("SWITCHYARD_STATE_DIR", dir.path().join("state"))
            .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
            .env_remove("AWS_ENDPOINT_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = switchyard(&["roles", "import", file.to_str().unwrap()]);
    let status = switchyard(&["status", "--json"]);
    if let Some(pid) = serde_json::from_slice::<serde_json::Value>(&status.stdout)
        .ok()
        .and_then(|reply| reply["data"]["pid"].as_u64())
    {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imports = config.join("imports");
    assert_eq!(mode(&config), 0o700, "the config folder");
    assert_eq!(mode(&imports), 0o700, "imports/");
    assert_eq!(mode(&imports.join("default.aesr")), 0o600, "the import");
    let names: Vec<_> = std::fs::read_dir(&imports)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["default.aesr"], "no temporary file left");
}

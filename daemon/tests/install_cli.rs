//! Integration: `switchyard install` / `uninstall` as a user runs them, into a temporary
//! HOME (every browser and the service) and a staging root (`--system --root`): the exact
//! lines printed and files written, idempotence, and nothing left after uninstall;
//! `--system` refused for a user who is not root (run as `nobody` when the tests run as
//! root).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `switchyard ARGS` with HOME at `home` and no systemctl/launchctl on PATH.
fn run(bin: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env("PATH", "/nonexistent")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("SWITCHYARD_CONFIG_DIR")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn bin() -> PathBuf {
    fs::canonicalize(env!("CARGO_BIN_EXE_switchyard")).unwrap()
}

#[test]
fn every_browser_and_the_service_for_a_user_then_nothing_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir(&home).unwrap();
    let h = home.display().to_string();
    let bin = bin();
    let host = bin.with_file_name("switchyard-host");
    let args = [
        "install",
        "--browser",
        "chrome",
        "--browser",
        "chromium",
        "--browser",
        "brave",
        "--browser",
        "edge",
        "--browser",
        "firefox",
        "--service",
    ];
    let printed = stdout(&run(&bin, &home, &args));
    let expected = format!(
        "wrote {h}/.config/google-chrome/NativeMessagingHosts/com.switchyard.host.json\n\
         wrote {h}/.config/chromium/NativeMessagingHosts/com.switchyard.host.json\n\
         wrote {h}/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json\n\
         wrote {h}/.config/microsoft-edge/NativeMessagingHosts/com.switchyard.host.json\n\
         wrote {h}/.mozilla/native-messaging-hosts/com.switchyard.host.json\n\
         wrote {h}/.config/systemd/user/switchyard.service\n\
         recorded in {h}/.config/switchyard/install-record.json\n\
         could not enable the service (cannot run systemctl: No such file or directory (os error 2)); run:\n\
         \x20 systemctl --user daemon-reload\n\
         \x20 systemctl --user enable --now switchyard.service\n"
    );
    assert_eq!(printed, expected);
    let installed = tree(&home);
    assert_eq!(installed.len(), 22, "{installed:#?}");

    let firefox: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(home.join(".mozilla/native-messaging-hosts/com.switchyard.host.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(firefox["path"], host.display().to_string());
    assert_eq!(
        firefox["allowed_extensions"][0],
        "{b59b782c-3e62-4c41-b9d4-f195cc4615a3}"
    );
    let unit = fs::read_to_string(home.join(".config/systemd/user/switchyard.service")).unwrap();
    assert!(
        unit.contains(&format!("\nExecStart={} daemon\n", bin.display())),
        "{unit}"
    );

    // Idempotent: the same lines, the same files.
    assert_eq!(stdout(&run(&bin, &home, &args)), expected);
    assert_eq!(tree(&home), installed);

    let printed = stdout(&run(&bin, &home, &["uninstall"]));
    assert!(
        printed.starts_with(
            "could not stop the service (cannot run systemctl: No such file or directory (os error 2)); run:\n\
             \x20 systemctl --user disable --now switchyard.service\n"
        ),
        "{printed}"
    );
    assert_eq!(printed.matches("\nremoved ").count(), 6, "{printed}");
    assert_eq!(
        tree(&home),
        Vec::<String>::new(),
        "uninstall leaves nothing"
    );
    assert_eq!(
        stdout(&run(&bin, &home, &["uninstall"])),
        "nothing to remove\n"
    );
}

#[test]
fn system_wide_into_a_staging_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    fs::create_dir_all(root.join("usr/lib/chromium")).unwrap();
    let r = root.display().to_string();
    let bin = bin();
    let root_arg = root.to_str().unwrap();
    let install = ["install", "--system", "--root", root_arg, "--service"];
    let printed = stdout(&run(&bin, tmp.path(), &install));
    assert_eq!(
        printed,
        format!(
            "wrote {r}/etc/chromium/native-messaging-hosts/com.switchyard.host.json\n\
             wrote {r}/etc/systemd/user/switchyard.service\n\
             recorded in {r}/var/lib/switchyard/install-record.json\n\
             could not enable the service (a staging --root); run:\n\
             \x20 systemctl --global enable switchyard.service\n"
        )
    );
    let printed = stdout(&run(
        &bin,
        tmp.path(),
        &["uninstall", "--system", "--root", root_arg],
    ));
    assert!(printed.contains("\nremoved "), "{printed}");
    assert_eq!(tree(&root), ["usr", "usr/lib", "usr/lib/chromium"]);

    // --root only means something with --system.
    let out = run(&bin, tmp.path(), &["install", "--root", root_arg]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--system"));
}

#[test]
fn system_wide_is_refused_for_a_user_who_is_not_root() {
    let dir = tempfile::Builder::new()
        .prefix("sy")
        .tempdir_in("/tmp")
        .unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    // The build dir may sit under /root, which `nobody` cannot enter: run copies.
    let bin = dir.path().join("switchyard");
    fs::copy(bin_path(), &bin).unwrap();
    fs::copy(
        bin_path().with_file_name("switchyard-host"),
        dir.path().join("switchyard-host"),
    )
    .unwrap();
    let args = ["install", "--system", "--browser", "chromium"];
    let out = if rustix::process::geteuid().is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(args)
            .env("HOME", dir.path())
            .output()
            .unwrap()
    } else {
        Command::new(&bin)
            .args(args)
            .env("HOME", dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "run `sudo switchyard install --system`, or install for yourself without --system"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(!Path::new("/etc/chromium/native-messaging-hosts/com.switchyard.host.json").exists());
}

fn bin_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_switchyard"))
}

/// The systemd unit passes `systemd-analyze verify` with no warning (an unknown key or a
/// bad ExecStart would print one), and the launchd agent is a property list Python's
/// `plistlib` reads back with the right program. Each check needs its tool.
#[test]
fn service_files_are_valid_for_their_service_managers() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir(&home).unwrap();
    let bin = bin();
    stdout(&run(&bin, &home, &["install", "--service"]));
    let unit = home.join(".config/systemd/user/switchyard.service");
    match Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
    {
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && stderr.is_empty(), "{stderr}");
        }
        Err(e) => eprintln!("systemd-analyze not run ({e}); unit not verified"),
    }

    let plist = tmp.path().join("agent.plist");
    let program = Path::new("/Applications/Switch & Yard/switchyard");
    fs::write(
        &plist,
        switchyard_daemon::system::install::launchd_plist(program),
    )
    .unwrap();
    let read =
        "import plistlib, sys, json; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))";
    match Command::new("python3")
        .args(["-c", read])
        .arg(&plist)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(parsed["Label"], "com.switchyard.daemon");
            assert_eq!(
                parsed["ProgramArguments"],
                serde_json::json!([program.to_str().unwrap(), "daemon"])
            );
            assert_eq!(parsed["RunAtLoad"], true);
        }
        Err(e) => eprintln!("python3 not run ({e}); plist not parsed"),
    }
}

/// With --system every user's browser runs the registered host (and the `switchyard` it
/// starts): binaries another account could replace are refused, and nothing is written.
/// Making a file or folder of another account needs root; run as another user, only the
/// cases without one run. The registered binaries are never run here, so small files stand
/// for them (the debug binaries are hundreds of megabytes); the `switchyard` that runs is
/// the real one, hard-linked where a case needs it elsewhere.
#[test]
fn system_wide_refuses_binaries_another_account_could_replace() {
    // Under the build's own temporary folder: /tmp is itself writable by everyone.
    let base = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    fs::set_permissions(base.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let stage = base.path().join("stage");
    fs::create_dir_all(stage.join("usr/lib/chromium")).unwrap();
    let stage_arg = stage.to_str().unwrap();
    // A layout like the README's: the pair unpacked side by side.
    let unpack = |name: &str| {
        let dir = base.path().join(name);
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        for file in ["switchyard", "switchyard-host"] {
            fs::write(dir.join(file), b"#!/bin/sh\n").unwrap();
            fs::set_permissions(dir.join(file), fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    };
    let install_with = |switchyard: &Path, dir: &Path, service: bool| {
        let host = dir.join("switchyard-host");
        let mut args = vec![
            "install",
            "--system",
            "--root",
            stage_arg,
            "--browser",
            "chromium",
            "--host-path",
            host.to_str().unwrap(),
        ];
        if service {
            args.push("--service");
        }
        run(switchyard, base.path(), &args)
    };
    let install = |dir: &Path, service: bool| install_with(&bin(), dir, service);
    let refused = |out: Output, why: &str| {
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{why}: {stderr}");
        assert!(
            stderr.contains("could be replaced by another account"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            tree(&stage),
            ["usr", "usr/lib", "usr/lib/chromium"],
            "nothing written"
        );
    };

    // The good case: root-owned (or, staging without root, the installer's own) and
    // writable by no one else, the service's binary the real one in the build folder.
    let good = unpack("good");
    let out = install(&good, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&run(
        &bin(),
        base.path(),
        &["uninstall", "--system", "--root", stage_arg],
    ));

    // Writable by others: a folder, or the binary itself.
    let open_dir = unpack("open");
    fs::set_permissions(&open_dir, fs::Permissions::from_mode(0o777)).unwrap();
    refused(
        install(&open_dir, false),
        "is writable by group or others (mode 777)",
    );
    let group = unpack("group");
    fs::set_permissions(
        group.join("switchyard-host"),
        fs::Permissions::from_mode(0o775),
    )
    .unwrap();
    refused(
        install(&group, false),
        "is writable by group or others (mode 775)",
    );

    if !rustix::process::geteuid().is_root() {
        eprintln!("not root: binaries of another account cannot be made; those cases not run");
        return;
    }
    let chown = |path: &Path| {
        rustix::fs::chown(path, Some(rustix::fs::Uid::from_raw(65534)), None).unwrap();
    };
    // An ordinary account's folder (the README's old ~/.local/opt layout).
    let users = unpack("users");
    chown(&users);
    refused(install(&users, false), "belongs to uid 65534");
    // The daemon the host starts, beside it, is the account's.
    let beside = unpack("beside");
    chown(&beside.join("switchyard"));
    refused(install(&beside, false), "switchyard belongs to uid 65534");
    // The host is fine, but the service's binary (the switchyard run) sits in a folder of
    // the account's.
    let service = unpack("service");
    let theirs = base.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::hard_link(bin(), theirs.join("switchyard")).unwrap();
    chown(&theirs);
    refused(
        install_with(&theirs.join("switchyard"), &service, true),
        "belongs to uid 65534",
    );
}

/// A record listing a file install never writes (here: a file of the user's) makes
/// `uninstall` refuse and remove nothing; a link planted at a manifest's name is not
/// written through; as root, a staging root or a record of another account is refused.
#[test]
fn a_tampered_record_and_a_planted_link_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir(&home).unwrap();
    let bin = bin();
    stdout(&run(&bin, &home, &["install", "--browser", "chromium"]));
    let record = home.join(".config/switchyard/install-record.json");
    let pristine = fs::read_to_string(&record).unwrap();
    let victim = tmp.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();

    let mut tampered: serde_json::Value = serde_json::from_str(&pristine).unwrap();
    tampered["files"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"item": {"browser": "chrome"}, "path": victim}));
    fs::write(&record, tampered.to_string()).unwrap();
    let out = run(&bin, &home, &["uninstall"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "lists {}, which install never writes for a user's install; nothing was removed",
            victim.display()
        )),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    let manifest = home.join(".config/chromium/NativeMessagingHosts/com.switchyard.host.json");
    assert!(manifest.is_file());
    fs::write(&record, &pristine).unwrap();
    stdout(&run(&bin, &home, &["uninstall"]));

    // A link planted at the manifest's name.
    fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&victim, &manifest).unwrap();
    let out = run(&bin, &home, &["install", "--browser", "chromium"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("it is a symbolic link"), "{stderr}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    fs::remove_file(&manifest).unwrap();

    if !rustix::process::geteuid().is_root() {
        eprintln!("not root: another account's staging root and record not checked");
        return;
    }
    let nobody = Some(rustix::fs::Uid::from_raw(65534));
    // A staging root another account controls, with a link to a folder root cares about.
    let stage = tmp.path().join("stage");
    fs::create_dir_all(stage.join("usr/lib/chromium")).unwrap();
    let precious_dir = tmp.path().join("etc-for-real");
    fs::create_dir(&precious_dir).unwrap();
    std::os::unix::fs::symlink(&precious_dir, stage.join("etc")).unwrap();
    for path in [stage.clone(), stage.join("etc")] {
        rustix::fs::chownat(
            rustix::fs::CWD,
            &path,
            nobody,
            None,
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )
        .unwrap();
    }
    let stage_arg = stage.to_str().unwrap();
    let out = run(&bin, &home, &["install", "--system", "--root", stage_arg]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("belongs to uid 65534"), "{stderr}");
    assert!(tree(&precious_dir).is_empty());
    // Their record: refused before anything is read from it.
    stdout(&run(&bin, &home, &["install", "--browser", "chromium"]));
    rustix::fs::chown(&record, nobody, None).unwrap();
    let out = run(&bin, &home, &["uninstall"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("belongs to uid 65534, not to you (uid 0)"),
        "{stderr}"
    );
    assert!(manifest.is_file());
}

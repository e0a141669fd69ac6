//! Tests of install/uninstall against temporary homes and system roots: the exact files
//! written, idempotence, and uninstall leaving the folder as it found it.

use std::fs;
use std::path::{Path, PathBuf};

use expect_test::expect;

use super::*;

/// Every path under `dir` (folders with a trailing `/`), relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                found.push(format!("{rel}/"));
                stack.push(path);
            } else {
                found.push(rel);
            }
        }
    }
    found.sort();
    found
}

struct Setup {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    host: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    fs::create_dir(&base).unwrap();
    let host = tmp.path().join("bin/switchyard-host");
    fs::create_dir_all(host.parent().unwrap()).unwrap();
    fs::write(&host, b"").unwrap();
    Setup {
        base,
        host,
        _tmp: tmp,
    }
}

fn user(os: Os, home: &Path) -> Installer {
    Installer {
        os,
        scope: Scope::User {
            home: home.to_owned(),
            config_home: home.join(".config"),
            switchyard_config: home.join(".config/switchyard"),
        },
    }
}

fn system(os: Os, root: &Path) -> Installer {
    Installer {
        os,
        scope: Scope::System {
            root: root.to_owned(),
        },
    }
}

fn plan(s: &Setup, browsers: &[Browser]) -> Plan {
    Plan {
        browsers: browsers.to_vec(),
        host_path: s.host.clone(),
        ..Plan::default()
    }
}

/// Install twice (same files, same contents), then uninstall: the folder is as before.
fn round_trip(installer: &Installer, dir: &Path, plan: &Plan, removal: &Removal) -> Vec<String> {
    let before = tree(dir);
    let written = installer.install(plan).unwrap();
    let after = tree(dir);
    let contents: Vec<String> = written
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(installer.install(plan).unwrap(), written, "idempotent");
    assert_eq!(tree(dir), after, "a second install changes nothing");
    let again: Vec<String> = written
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(again, contents);
    let removed = installer.uninstall(removal).unwrap();
    assert_eq!(removed, written);
    assert_eq!(tree(dir), before, "uninstall leaves nothing");
    assert!(installer.uninstall(removal).unwrap().is_empty());
    after.into_iter().filter(|p| !before.contains(p)).collect()
}

#[test]
fn manifest_locations_follow_the_table() {
    let home = Path::new("/home/u");
    let root = Path::new("/");
    let shown: Vec<String> = [Os::Linux, Os::MacOs]
        .iter()
        .flat_map(|&os| Browser::ALL.iter().map(move |&b| (os, b)))
        .flat_map(|(os, b)| {
            [
                manifest_path(b, os, home, None).unwrap(),
                system_manifest_path(b, os, root),
            ]
        })
        .map(|p| p.display().to_string())
        .collect();
    expect![[r#"

        /home/u/.config/google-chrome/NativeMessagingHosts/com.switchyard.host.json
        /etc/opt/chrome/native-messaging-hosts/com.switchyard.host.json
        /home/u/.config/chromium/NativeMessagingHosts/com.switchyard.host.json
        /etc/chromium/native-messaging-hosts/com.switchyard.host.json
        /home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json
        /etc/opt/brave/native-messaging-hosts/com.switchyard.host.json
        /home/u/.config/microsoft-edge/NativeMessagingHosts/com.switchyard.host.json
        /etc/opt/edge/native-messaging-hosts/com.switchyard.host.json
        /home/u/.mozilla/native-messaging-hosts/com.switchyard.host.json
        /usr/lib/mozilla/native-messaging-hosts/com.switchyard.host.json
        /home/u/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.switchyard.host.json
        /Library/Google/Chrome/NativeMessagingHosts/com.switchyard.host.json
        /home/u/Library/Application Support/Chromium/NativeMessagingHosts/com.switchyard.host.json
        /Library/Application Support/Chromium/NativeMessagingHosts/com.switchyard.host.json
        /home/u/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json
        /Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json
        /home/u/Library/Application Support/Microsoft Edge/NativeMessagingHosts/com.switchyard.host.json
        /Library/Microsoft/Edge/NativeMessagingHosts/com.switchyard.host.json
        /home/u/Library/Application Support/Mozilla/NativeMessagingHosts/com.switchyard.host.json
        /Library/Application Support/Mozilla/NativeMessagingHosts/com.switchyard.host.json"#]]
    .assert_eq(&format!("\n{}", shown.join("\n")));

    let custom = manifest_path(
        Browser::Chromium,
        Os::Linux,
        home,
        Some(Path::new("/tmp/p")),
    );
    assert_eq!(
        custom.unwrap(),
        Path::new("/tmp/p/NativeMessagingHosts/com.switchyard.host.json")
    );
    assert!(matches!(
        manifest_path(Browser::Firefox, Os::Linux, home, Some(Path::new("/tmp/p"))),
        Err(InstallError::UserDataDirForFirefox)
    ));
    assert!(matches!(
        system(Os::Linux, root).manifest_path(Browser::Chromium, Some(Path::new("/tmp/p"))),
        Err(InstallError::UserDataDirForSystem)
    ));
}

#[test]
fn manifests_name_the_right_extension() {
    let host = Path::new("/opt/switchyard/switchyard-host");
    expect![[r#"{"allowed_origins":["chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/"],"description":"Switchyard native-messaging host","name":"com.switchyard.host","path":"/opt/switchyard/switchyard-host","type":"stdio"}"#]]
        .assert_eq(&manifest_json(Browser::Brave, host).to_string());
    expect![[r#"{"allowed_extensions":["{b59b782c-3e62-4c41-b9d4-f195cc4615a3}"],"description":"Switchyard native-messaging host","name":"com.switchyard.host","path":"/opt/switchyard/switchyard-host","type":"stdio"}"#]]
        .assert_eq(&manifest_json(Browser::Firefox, host).to_string());
}

/// Each browser on each OS, into a home where the browser's profile folder exists.
#[test]
fn each_browser_installs_its_manifest_and_the_record_then_nothing_is_left() {
    for os in [Os::Linux, Os::MacOs] {
        for browser in Browser::ALL {
            let s = setup();
            let home = &s.base;
            let installer = user(os, home);
            let profile = manifest_path(browser, os, home, None).unwrap();
            let profile = profile.parent().unwrap().parent().unwrap();
            fs::create_dir_all(profile).unwrap();
            assert_eq!(installer.choose(&[], false).unwrap(), [browser]);
            let added = round_trip(&installer, home, &plan(&s, &[browser]), &Removal::default());
            let manifest = manifest_path(browser, os, home, None).unwrap();
            let rel = |p: &Path| p.strip_prefix(home).unwrap().display().to_string();
            let hosts_dir = manifest.parent().unwrap();
            let mut expected = vec![
                format!("{}/", rel(hosts_dir)),
                rel(&manifest),
                ".config/switchyard/install-record.json".to_owned(),
                ".config/switchyard/".to_owned(),
            ];
            if !profile.starts_with(home.join(".config")) {
                expected.push(".config/".to_owned());
            }
            expected.sort();
            assert_eq!(added, expected, "{os:?} {browser:?}");
        }
    }
}

#[test]
fn a_named_browser_without_a_profile_folder_gets_its_folders_made_and_removed() {
    let s = setup();
    let installer = user(Os::Linux, &s.base);
    let added = round_trip(
        &installer,
        &s.base,
        &plan(&s, &[Browser::Edge, Browser::Firefox]),
        &Removal::default(),
    );
    expect![[r#"
        [
            ".config/",
            ".config/microsoft-edge/",
            ".config/microsoft-edge/NativeMessagingHosts/",
            ".config/microsoft-edge/NativeMessagingHosts/com.switchyard.host.json",
            ".config/switchyard/",
            ".config/switchyard/install-record.json",
            ".mozilla/",
            ".mozilla/native-messaging-hosts/",
            ".mozilla/native-messaging-hosts/com.switchyard.host.json",
        ]
    "#]]
    .assert_debug_eq(&added);
}

#[test]
fn the_record_lists_what_was_written() {
    let s = setup();
    let installer = user(Os::Linux, &s.base);
    fs::create_dir_all(s.base.join(".config")).unwrap();
    let mut p = plan(&s, &[Browser::Firefox]);
    p.service = Some(PathBuf::from("/opt/sy/switchyard"));
    installer.install(&p).unwrap();
    let text = fs::read_to_string(installer.record_path()).unwrap();
    let text = text.replace(&s.base.display().to_string(), "HOME");
    expect![[r#"
        {
          "files": [
            {
              "item": {
                "browser": "firefox"
              },
              "path": "HOME/.mozilla/native-messaging-hosts/com.switchyard.host.json"
            },
            {
              "item": "service",
              "path": "HOME/.config/systemd/user/switchyard.service"
            }
          ],
          "created_dirs": [
            "HOME/.mozilla",
            "HOME/.mozilla/native-messaging-hosts",
            "HOME/.config/systemd",
            "HOME/.config/systemd/user",
            "HOME/.config/switchyard"
          ]
        }
    "#]]
    .assert_eq(&text);
}

#[test]
fn uninstall_removes_only_what_is_named_and_keeps_other_files() {
    let s = setup();
    let home = &s.base;
    let installer = user(Os::Linux, home);
    let before = tree(home);
    let mut p = plan(&s, &[Browser::Chromium, Browser::Firefox]);
    p.service = Some(PathBuf::from("/opt/sy/switchyard"));
    installer.install(&p).unwrap();
    // Firefox puts its own things beside ours meanwhile.
    fs::write(home.join(".mozilla/profiles.ini"), "[General]\n").unwrap();

    let removed = installer
        .uninstall(&Removal {
            browsers: vec![Browser::Firefox],
            ..Removal::default()
        })
        .unwrap();
    assert_eq!(
        removed,
        [home.join(".mozilla/native-messaging-hosts/com.switchyard.host.json")]
    );
    assert!(home.join(".mozilla/profiles.ini").is_file());
    assert!(!home.join(".mozilla/native-messaging-hosts").exists());
    assert!(home
        .join(".config/systemd/user/switchyard.service")
        .is_file());

    let removed = installer
        .uninstall(&Removal {
            service: true,
            ..Removal::default()
        })
        .unwrap();
    assert_eq!(
        removed,
        [home.join(".config/systemd/user/switchyard.service")]
    );
    assert!(!home.join(".config/systemd").exists());

    // Everything left: chromium's manifest; `.mozilla` stays (not empty, Firefox's now).
    let removed = installer.uninstall(&Removal::default()).unwrap();
    assert_eq!(
        removed,
        [home.join(".config/chromium/NativeMessagingHosts/com.switchyard.host.json")]
    );
    let mut left = before;
    left.extend([".mozilla/".to_owned(), ".mozilla/profiles.ini".to_owned()]);
    left.sort();
    assert_eq!(tree(home), left);
}

#[test]
fn user_data_dir_installs_are_removed_by_their_folder() {
    let s = setup();
    let home = s.base.join("home");
    fs::create_dir(&home).unwrap();
    let profile = s.base.join("profile");
    let installer = user(Os::Linux, &home);
    let mut p = plan(&s, &[Browser::Chromium]);
    p.user_data_dir = Some(profile.clone());
    installer.install(&p).unwrap();
    installer.install(&plan(&s, &[Browser::Chromium])).unwrap();
    let removed = installer
        .uninstall(&Removal {
            user_data_dir: Some(profile.clone()),
            ..Removal::default()
        })
        .unwrap();
    assert_eq!(
        removed,
        [profile.join("NativeMessagingHosts/com.switchyard.host.json")]
    );
    assert!(!profile.exists(), "the profile folder install made is gone");
    assert!(home
        .join(".config/chromium/NativeMessagingHosts/com.switchyard.host.json")
        .is_file());
}

#[test]
fn service_files_for_each_os_are_exact_and_leave_nothing() {
    let switchyard = Path::new("/opt/switch yard/switchyard");
    expect![[r##"
        # Written by `switchyard install --service`; `switchyard uninstall --service` removes it.
        [Unit]
        Description=Switchyard daemon (AWS accounts for the browser extension)

        [Service]
        Type=exec
        ExecStart="/opt/switch yard/switchyard" daemon
        Restart=on-failure
        RestartSec=2
        # 75: a daemon started on demand already serves this user; not a failure.
        SuccessExitStatus=75
        RestartPreventExitStatus=75

        [Install]
        WantedBy=default.target
    "##]]
    .assert_eq(&systemd_unit(switchyard));
    assert!(systemd_unit(Path::new("/a/50%/sy")).contains("ExecStart=\"/a/50%%/sy\" daemon"));
    assert!(systemd_unit(Path::new("/usr/bin/switchyard"))
        .contains("ExecStart=/usr/bin/switchyard daemon"));
    expect![[r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <!-- Written by "switchyard install" (its service option); "switchyard uninstall" removes it. -->
        <plist version="1.0">
        <dict>
          <key>Label</key>
          <string>com.switchyard.daemon</string>
          <key>ProgramArguments</key>
          <array>
            <string>/opt/a&amp;b/switchyard</string>
            <string>daemon</string>
          </array>
          <key>RunAtLoad</key>
          <true/>
          <key>KeepAlive</key>
          <dict>
            <key>SuccessfulExit</key>
            <false/>
          </dict>
          <key>ProcessType</key>
          <string>Background</string>
        </dict>
        </plist>
    "#]]
    .assert_eq(&launchd_plist(Path::new("/opt/a&b/switchyard")));

    for (os, file) in [
        (Os::Linux, ".config/systemd/user/switchyard.service"),
        (
            Os::MacOs,
            "Library/LaunchAgents/com.switchyard.daemon.plist",
        ),
    ] {
        let s = setup();
        let installer = user(os, &s.base);
        let mut p = plan(&s, &[]);
        p.service = Some(PathBuf::from("/opt/sy/switchyard"));
        let added = round_trip(
            &installer,
            &s.base,
            &p,
            &Removal {
                service: true,
                ..Removal::default()
            },
        );
        assert!(added.contains(&file.to_owned()), "{os:?}: {added:?}");
    }

    let plist = Path::new("/Users/u/Library/LaunchAgents/com.switchyard.daemon.plist");
    assert_eq!(
        enable_commands(Os::MacOs, false, plist, 501),
        [[
            "launchctl",
            "bootstrap",
            "gui/501",
            "/Users/u/Library/LaunchAgents/com.switchyard.daemon.plist"
        ]]
    );
    assert_eq!(
        disable_commands(Os::MacOs, false, 501),
        [["launchctl", "bootout", "gui/501/com.switchyard.daemon"]]
    );
    assert_eq!(
        enable_commands(Os::Linux, false, Path::new("/x"), 0),
        [
            vec!["systemctl", "--user", "daemon-reload"],
            vec![
                "systemctl",
                "--user",
                "enable",
                "--now",
                "switchyard.service"
            ]
        ]
    );
}

#[test]
fn system_installs_go_under_the_root_for_installed_browsers() {
    for (os, markers, expected) in [
        (
            Os::Linux,
            ["usr/lib/chromium", "usr/lib/firefox-esr"],
            expect![[r#"
                [
                    "etc/",
                    "etc/chromium/",
                    "etc/chromium/native-messaging-hosts/",
                    "etc/chromium/native-messaging-hosts/com.switchyard.host.json",
                    "etc/systemd/",
                    "etc/systemd/user/",
                    "etc/systemd/user/switchyard.service",
                    "usr/lib/mozilla/",
                    "usr/lib/mozilla/native-messaging-hosts/",
                    "usr/lib/mozilla/native-messaging-hosts/com.switchyard.host.json",
                    "var/",
                    "var/lib/",
                    "var/lib/switchyard/",
                    "var/lib/switchyard/install-record.json",
                ]
            "#]],
        ),
        (
            Os::MacOs,
            ["Applications/Google Chrome.app", "Applications/Firefox.app"],
            expect![[r#"
                [
                    "Library/",
                    "Library/Application Support/",
                    "Library/Application Support/Mozilla/",
                    "Library/Application Support/Mozilla/NativeMessagingHosts/",
                    "Library/Application Support/Mozilla/NativeMessagingHosts/com.switchyard.host.json",
                    "Library/Application Support/Switchyard/",
                    "Library/Application Support/Switchyard/install-record.json",
                    "Library/Google/",
                    "Library/Google/Chrome/",
                    "Library/Google/Chrome/NativeMessagingHosts/",
                    "Library/Google/Chrome/NativeMessagingHosts/com.switchyard.host.json",
                    "Library/LaunchAgents/",
                    "Library/LaunchAgents/com.switchyard.daemon.plist",
                ]
            "#]],
        ),
    ] {
        let s = setup();
        let root = &s.base;
        for m in markers {
            fs::create_dir_all(root.join(m)).unwrap();
        }
        let installer = system(os, root);
        let browsers = installer.choose(&[], false).unwrap();
        let mut p = plan(&s, &browsers);
        p.service = Some(PathBuf::from("/usr/local/bin/switchyard"));
        let added = round_trip(&installer, root, &p, &Removal::default());
        expected.assert_debug_eq(&added);
    }
}

#[test]
fn system_install_needs_root_unless_staged() {
    let staging = Path::new("/tmp/staging");
    assert!(matches!(
        check_system_allowed(false, Path::new("/")),
        Err(InstallError::NeedsRoot)
    ));
    let message = InstallError::NeedsRoot.to_string();
    assert!(
        message.contains("sudo switchyard install --system"),
        "{message}"
    );
    assert!(check_system_allowed(true, Path::new("/")).is_ok());
    assert!(check_system_allowed(false, staging).is_ok());
}

#[test]
fn bad_setups_are_explained() {
    let s = setup();
    assert!(matches!(
        user(Os::Linux, &s.base).choose(&[], false),
        Err(InstallError::NoBrowserFound { .. })
    ));
    assert!(matches!(
        system(Os::Linux, &s.base).choose(&[], false),
        Err(InstallError::NoSystemBrowserFound { .. })
    ));
    // The service alone needs no browser.
    assert!(user(Os::Linux, &s.base)
        .choose(&[], true)
        .unwrap()
        .is_empty());
    let mut p = plan(&s, &[Browser::Chrome]);
    p.host_path = s.base.join("nope");
    let err = user(Os::Linux, &s.base).install(&p).unwrap_err();
    assert!(err.to_string().contains("--host-path"), "{err}");
    assert!(tree(&s.base).is_empty(), "nothing written");

    // A damaged record is named, not overwritten.
    let installer = user(Os::Linux, &s.base);
    fs::create_dir_all(installer.record_path().parent().unwrap()).unwrap();
    fs::write(installer.record_path(), "{not json").unwrap();
    let err = installer
        .install(&plan(&s, &[Browser::Chrome]))
        .unwrap_err();
    assert!(err.to_string().contains("install-record.json"), "{err}");
    let err = installer.uninstall(&Removal::default()).unwrap_err();
    assert!(
        err.to_string().contains("remove the files it lists"),
        "{err}"
    );
}

#[test]
fn installs_from_before_records_are_still_removed() {
    let s = setup();
    let home = &s.base;
    let manifest = manifest_path(Browser::Chromium, Os::Linux, home, None).unwrap();
    fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    // A file of the same name that is not our manifest is kept, and named.
    fs::write(&manifest, "{}").unwrap();
    let err = user(Os::Linux, home)
        .uninstall(&Removal::default())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not hold what switchyard install writes"),
        "{err}"
    );
    assert!(manifest.is_file());
    let ours = manifest_json(Browser::Chromium, Path::new("/opt/sy/switchyard-host"));
    fs::write(&manifest, ours.to_string()).unwrap();
    let removed = user(Os::Linux, home)
        .uninstall(&Removal::default())
        .unwrap();
    assert_eq!(removed, [manifest]);
}

#[test]
fn the_manifest_in_use_is_the_users_own_else_the_system_one() {
    let s = setup();
    let (home, root) = (s.base.join("home"), s.base.join("root"));
    let own = manifest_path(Browser::Firefox, Os::Linux, &home, None).unwrap();
    let system_wide = system_manifest_path(Browser::Firefox, Os::Linux, &root);
    let in_use = || manifest_in_use(Browser::Firefox, Os::Linux, &home, &root);
    assert_eq!(in_use(), own, "neither: where the user's would go");
    let mut p = plan(&s, &[Browser::Firefox]);
    system(Os::Linux, &root).install(&p).unwrap();
    assert_eq!(in_use(), system_wide);
    p.browsers = vec![Browser::Firefox];
    user(Os::Linux, &home).install(&p).unwrap();
    assert_eq!(in_use(), own, "the user's own comes first");
}

#[test]
fn binaries_for_every_user_must_be_out_of_other_accounts_reach() {
    let uid = rustix::process::geteuid().as_raw();
    // A temporary folder sits in /tmp, which everyone may write (sticky or not).
    let s = setup();
    let err = check_binaries_for_system(&[&s.host], uid).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("is writable by group or others (mode 1777)"),
        "{message}"
    );
    assert!(message.contains("sudo tar -xzf"), "{message}");
    assert!(message.contains(&s.host.display().to_string()), "{message}");
    let missing = s.base.join("nope");
    let err = check_binaries_for_system(&[&missing], uid).unwrap_err();
    assert!(err.to_string().contains("cannot be read"), "{err}");
    let err = check_binaries_for_system(&[&s.base], uid).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

/// What a record says is only a list of candidates: an entry install never writes for the
/// scope makes uninstall refuse the whole record; a listed file that is not ours is kept;
/// a listed folder that install could not have made for the files is left.
#[test]
fn a_tampered_record_removes_nothing_it_should_not() {
    let s = setup();
    let home = s.base.join("home");
    fs::create_dir(&home).unwrap();
    let installer = user(Os::Linux, &home);
    installer
        .install(&plan(&s, &[Browser::Chromium, Browser::Firefox]))
        .unwrap();
    let pristine = fs::read_to_string(installer.record_path()).unwrap();
    let victim = s.base.join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let empty = s.base.join("empty");
    fs::create_dir(&empty).unwrap();
    let tamper = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut record: serde_json::Value = serde_json::from_str(&pristine).unwrap();
        edit(&mut record);
        fs::write(installer.record_path(), record.to_string()).unwrap();
    };
    let manifests = [
        manifest_path(Browser::Chromium, Os::Linux, &home, None).unwrap(),
        manifest_path(Browser::Firefox, Os::Linux, &home, None).unwrap(),
    ];

    let foreign = [
        victim.clone(),
        // Our file name, in a place no browser of this scope reads.
        s.base.join("elsewhere/com.switchyard.host.json"),
        home.join(".mozilla/native-messaging-hosts/../../victim.txt"),
        PathBuf::from("relative/NativeMessagingHosts/com.switchyard.host.json"),
    ];
    for path in &foreign {
        tamper(&|r| {
            r["files"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"item": {"browser": "chrome"}, "path": path}))
        });
        let err = installer.uninstall(&Removal::default()).unwrap_err();
        assert!(
            matches!(err, InstallError::RecordTampered { .. }),
            "{path:?}: {err}"
        );
        assert!(err.to_string().contains("nothing was removed"), "{err}");
    }
    // A Firefox manifest is never in a --user-data-dir, and the service file has one place.
    tamper(&|r| {
        r["files"].as_array_mut().unwrap().push(serde_json::json!({
            "item": {"browser": "firefox"},
            "path": s.base.join("p/NativeMessagingHosts/com.switchyard.host.json")
        }))
    });
    assert!(installer.uninstall(&Removal::default()).is_err());
    tamper(&|r| {
        r["files"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"item": "service", "path": victim}))
    });
    assert!(installer.uninstall(&Removal::default()).is_err());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(manifests.iter().all(|m| m.is_file()), "nothing removed");

    // A listed manifest replaced by something else is kept, and named.
    let chromium = &manifests[0];
    let ours = fs::read_to_string(chromium).unwrap();
    fs::write(chromium, "precious").unwrap();
    fs::write(installer.record_path(), &pristine).unwrap();
    let err = installer.uninstall(&Removal::default()).unwrap_err();
    assert!(err.to_string().contains("does not hold"), "{err}");
    assert_eq!(fs::read_to_string(chromium).unwrap(), "precious");
    fs::write(chromium, ours).unwrap();

    // An empty folder listed as made by install, but above none of its files, stays.
    tamper(&|r| {
        r["created_dirs"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(empty))
    });
    let removed = installer.uninstall(&Removal::default()).unwrap();
    assert_eq!(removed, manifests);
    assert!(empty.is_dir(), "not install's to remove");
    assert_eq!(tree(&home), Vec::<String>::new());
}

/// A link planted where install writes is refused and its target left as it was; a link
/// of the user's own on the way (dotfiles kept elsewhere) is followed.
#[test]
fn install_writes_through_no_planted_link() {
    let s = setup();
    let home = s.base.join("home");
    fs::create_dir(&home).unwrap();
    let installer = user(Os::Linux, &home);
    let victim = s.base.join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let manifest = manifest_path(Browser::Chromium, Os::Linux, &home, None).unwrap();
    fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&victim, &manifest).unwrap();
    let err = installer
        .install(&plan(&s, &[Browser::Chromium]))
        .unwrap_err();
    assert!(err.to_string().contains("it is a symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    // Uninstall does not remove (or read through) it either.
    let err = installer.uninstall(&Removal::default()).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(fs::symlink_metadata(&manifest)
        .unwrap()
        .file_type()
        .is_symlink());
    fs::remove_file(&manifest).unwrap();

    // The record's own name, too.
    fs::create_dir_all(installer.record_path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&victim, installer.record_path()).unwrap();
    assert!(installer.install(&plan(&s, &[Browser::Chromium])).is_err());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    fs::remove_file(installer.record_path()).unwrap();

    // ~/.config kept elsewhere behind a link of the user's own: followed.
    let elsewhere = s.base.join("dotfiles");
    fs::rename(home.join(".config"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, home.join(".config")).unwrap();
    installer.install(&plan(&s, &[Browser::Chromium])).unwrap();
    assert!(elsewhere
        .join("chromium/NativeMessagingHosts/com.switchyard.host.json")
        .is_file());
    let removed = installer.uninstall(&Removal::default()).unwrap();
    assert_eq!(removed, [manifest]);
    assert!(!elsewhere
        .join("chromium/NativeMessagingHosts/com.switchyard.host.json")
        .exists());
}

/// Run as root over another account's folders: a record of theirs, a link of theirs on the
/// way, a folder of theirs are each refused, and nothing is written or removed. Needs
/// root to make files of another account.
#[test]
fn root_does_not_act_on_another_accounts_files() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("not root: files of another account cannot be made; check not run");
        return;
    }
    let nobody = Some(rustix::fs::Uid::from_raw(65534));
    let lchown = |path: &Path| {
        rustix::fs::chownat(
            rustix::fs::CWD,
            path,
            nobody,
            None,
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )
        .unwrap()
    };
    let s = setup();
    let home = s.base.join("home");
    fs::create_dir(&home).unwrap();
    let installer = user(Os::Linux, &home);
    installer.install(&plan(&s, &[Browser::Chromium])).unwrap();
    let manifest = manifest_path(Browser::Chromium, Os::Linux, &home, None).unwrap();

    // Their record.
    lchown(&installer.record_path());
    let err = installer.uninstall(&Removal::default()).unwrap_err();
    assert!(
        matches!(err, InstallError::RecordNotYours { uid: 65534, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("without sudo"), "{err}");
    assert!(installer.install(&plan(&s, &[Browser::Chromium])).is_err());
    assert!(manifest.is_file());
    rustix::fs::chown(installer.record_path(), Some(rustix::fs::Uid::ROOT), None).unwrap();

    // A link of theirs on the way: where `.mozilla` leads is not followed.
    let target = s.base.join("target");
    fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, home.join(".mozilla")).unwrap();
    lchown(&home.join(".mozilla"));
    let err = installer
        .install(&plan(&s, &[Browser::Firefox]))
        .unwrap_err();
    assert!(
        err.to_string().contains("symbolic link made by uid 65534"),
        "{err}"
    );
    assert!(tree(&target).is_empty());
    fs::remove_file(home.join(".mozilla")).unwrap();

    // Their folder (a home kept under sudo).
    lchown(&home.join(".config"));
    let err = installer.install(&plan(&s, &[Browser::Edge])).unwrap_err();
    assert!(err.to_string().contains("belongs to uid 65534"), "{err}");
    assert!(!home.join(".config/microsoft-edge").exists());
    let err = installer.uninstall(&Removal::default()).unwrap_err();
    assert!(err.to_string().contains("belongs to uid 65534"), "{err}");
    assert!(manifest.is_file());
}

#[test]
fn service_files_are_recognized_as_ours() {
    let bin = Path::new("/opt/sy/switchyard");
    assert!(holds_ours(Item::Service, &systemd_unit(bin)));
    assert!(holds_ours(Item::Service, &launchd_plist(bin)));
    assert!(!holds_ours(Item::Service, "[Unit]\nDescription=sshd\n"));
    let manifest = manifest_json(Browser::Firefox, bin).to_string();
    assert!(holds_ours(Item::Browser(Browser::Firefox), &manifest));
    assert!(!holds_ours(
        Item::Browser(Browser::Firefox),
        "{\"name\":\"other\"}"
    ));
}

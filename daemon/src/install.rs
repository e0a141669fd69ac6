//! Registering the native-messaging host with browsers: where each browser looks for
//! host manifests (one table, not a copy per browser) and what the manifest says.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use switchyard_shared::extension_ids::{
    chromium_origin, CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME,
};

/// The browsers Switchyard can register with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Browser {
    Chrome,
    Chromium,
    Brave,
    Edge,
    Firefox,
}

/// Operating systems with per-user manifest folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
}

impl Os {
    pub fn current() -> Option<Os> {
        match std::env::consts::OS {
            "linux" => Some(Os::Linux),
            "macos" => Some(Os::MacOs),
            _ => None,
        }
    }
}

struct BrowserInfo {
    browser: Browser,
    /// Profile folder relative to home, on Linux and on macOS.
    linux: &'static str,
    macos: &'static str,
    /// Manifest folder inside that profile folder.
    hosts_dir: &'static str,
    firefox_style: bool,
}

const BROWSERS: &[BrowserInfo] = &[
    BrowserInfo {
        browser: Browser::Chrome,
        linux: ".config/google-chrome",
        macos: "Library/Application Support/Google/Chrome",
        hosts_dir: "NativeMessagingHosts",
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Chromium,
        linux: ".config/chromium",
        macos: "Library/Application Support/Chromium",
        hosts_dir: "NativeMessagingHosts",
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Brave,
        linux: ".config/BraveSoftware/Brave-Browser",
        macos: "Library/Application Support/BraveSoftware/Brave-Browser",
        hosts_dir: "NativeMessagingHosts",
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Edge,
        linux: ".config/microsoft-edge",
        macos: "Library/Application Support/Microsoft Edge",
        hosts_dir: "NativeMessagingHosts",
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Firefox,
        linux: ".mozilla",
        macos: "Library/Application Support/Mozilla",
        hosts_dir: "native-messaging-hosts",
        firefox_style: true,
    },
];

fn info(browser: Browser) -> &'static BrowserInfo {
    BROWSERS
        .iter()
        .find(|i| i.browser == browser)
        .unwrap_or(&BROWSERS[0])
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("this operating system has no per-user native-messaging folders Switchyard knows")]
    UnsupportedOs,
    #[error("no browser profile folder found under {home}; name one with --browser")]
    NoBrowserFound { home: String },
    #[error("--user-data-dir applies to Chromium-family browsers, not Firefox")]
    UserDataDirForFirefox,
    #[error("the host binary {0} does not exist; build it or pass --host-path")]
    HostMissing(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where one browser's host manifest goes.
pub fn manifest_path(
    browser: Browser,
    os: Os,
    home: &Path,
    user_data_dir: Option<&Path>,
) -> Result<PathBuf, InstallError> {
    let info = info(browser);
    let profile = match user_data_dir {
        Some(_) if info.firefox_style => return Err(InstallError::UserDataDirForFirefox),
        Some(dir) => dir.to_owned(),
        None => home.join(match os {
            Os::Linux => info.linux,
            Os::MacOs => info.macos,
        }),
    };
    Ok(profile
        .join(info.hosts_dir)
        .join(format!("{HOST_NAME}.json")))
}

/// Browsers whose profile folder exists under `home`.
pub fn detect(os: Os, home: &Path) -> Vec<Browser> {
    BROWSERS
        .iter()
        .filter(|i| {
            home.join(match os {
                Os::Linux => i.linux,
                Os::MacOs => i.macos,
            })
            .is_dir()
        })
        .map(|i| i.browser)
        .collect()
}

/// The host manifest for `browser`, pointing at `host_path`.
pub fn manifest_json(browser: Browser, host_path: &Path) -> serde_json::Value {
    let mut manifest = json!({
        "name": HOST_NAME,
        "description": "Switchyard native-messaging host",
        "path": host_path.display().to_string(),
        "type": "stdio",
    });
    if info(browser).firefox_style {
        manifest["allowed_extensions"] = json!([FIREFOX_EXTENSION_ID]);
    } else {
        manifest["allowed_origins"] = json!([chromium_origin(CHROMIUM_EXTENSION_ID)]);
    }
    manifest
}

/// Write the manifest for each browser; returns the files written.
pub fn install(
    browsers: &[Browser],
    os: Os,
    home: &Path,
    user_data_dir: Option<&Path>,
    host_path: &Path,
) -> Result<Vec<PathBuf>, InstallError> {
    if !host_path.is_file() {
        return Err(InstallError::HostMissing(host_path.display().to_string()));
    }
    let mut written = Vec::new();
    for &browser in browsers {
        let path = manifest_path(browser, os, home, user_data_dir)?;
        let write_err = |source| InstallError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(write_err)?;
        }
        let text =
            serde_json::to_string_pretty(&manifest_json(browser, host_path)).unwrap_or_default();
        fs::write(&path, text + "\n").map_err(write_err)?;
        written.push(path);
    }
    Ok(written)
}

/// Remove the manifest for each browser; returns the files removed.
pub fn uninstall(
    browsers: &[Browser],
    os: Os,
    home: &Path,
    user_data_dir: Option<&Path>,
) -> Result<Vec<PathBuf>, InstallError> {
    let mut removed = Vec::new();
    for &browser in browsers {
        let path = manifest_path(browser, os, home, user_data_dir)?;
        match fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(InstallError::Remove { path, source }),
        }
    }
    Ok(removed)
}

/// Which browsers a command applies to: the ones named, else the ones detected.
pub fn choose(named: &[Browser], os: Os, home: &Path) -> Result<Vec<Browser>, InstallError> {
    if !named.is_empty() {
        return Ok(named.to_vec());
    }
    let found = detect(os, home);
    if found.is_empty() {
        return Err(InstallError::NoBrowserFound {
            home: home.display().to_string(),
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn manifest_locations_follow_the_table() {
        let home = Path::new("/home/u");
        let all = [
            Browser::Chrome,
            Browser::Chromium,
            Browser::Brave,
            Browser::Edge,
            Browser::Firefox,
        ];
        let shown: Vec<String> = [Os::Linux, Os::MacOs]
            .iter()
            .flat_map(|&os| all.iter().map(move |&b| (os, b)))
            .map(|(os, b)| {
                manifest_path(b, os, home, None)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        expect![[r#"

            /home/u/.config/google-chrome/NativeMessagingHosts/com.switchyard.host.json
            /home/u/.config/chromium/NativeMessagingHosts/com.switchyard.host.json
            /home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json
            /home/u/.config/microsoft-edge/NativeMessagingHosts/com.switchyard.host.json
            /home/u/.mozilla/native-messaging-hosts/com.switchyard.host.json
            /home/u/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.switchyard.host.json
            /home/u/Library/Application Support/Chromium/NativeMessagingHosts/com.switchyard.host.json
            /home/u/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.switchyard.host.json
            /home/u/Library/Application Support/Microsoft Edge/NativeMessagingHosts/com.switchyard.host.json
            /home/u/Library/Application Support/Mozilla/native-messaging-hosts/com.switchyard.host.json"#]]
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
    }

    #[test]
    fn manifests_name_the_right_extension() {
        let host = Path::new("/opt/switchyard/switchyard-host");
        expect![[r#"{"allowed_origins":["chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/"],"description":"Switchyard native-messaging host","name":"com.switchyard.host","path":"/opt/switchyard/switchyard-host","type":"stdio"}"#]]
            .assert_eq(&manifest_json(Browser::Brave, host).to_string());
        expect![[r#"{"allowed_extensions":["switchyard@switchyard.dev"],"description":"Switchyard native-messaging host","name":"com.switchyard.host","path":"/opt/switchyard/switchyard-host","type":"stdio"}"#]]
            .assert_eq(&manifest_json(Browser::Firefox, host).to_string());
    }

    #[test]
    fn install_then_uninstall_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let host = tmp.path().join("switchyard-host");
        fs::write(&host, b"").unwrap();
        fs::create_dir_all(home.join(".config/chromium")).unwrap();
        fs::create_dir_all(home.join(".mozilla")).unwrap();

        let browsers = choose(&[], Os::Linux, &home).unwrap();
        assert_eq!(browsers, [Browser::Chromium, Browser::Firefox]);
        let written = install(&browsers, Os::Linux, &home, None, &host).unwrap();
        assert_eq!(written.len(), 2);
        // Idempotent.
        assert_eq!(
            install(&browsers, Os::Linux, &home, None, &host).unwrap(),
            written
        );
        let removed = uninstall(&browsers, Os::Linux, &home, None).unwrap();
        assert_eq!(removed, written);
        assert!(written.iter().all(|p| !p.exists()));
        assert!(uninstall(&browsers, Os::Linux, &home, None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn bad_setups_are_explained() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            choose(&[], Os::Linux, tmp.path()),
            Err(InstallError::NoBrowserFound { .. })
        ));
        let missing = tmp.path().join("nope");
        let err = install(&[Browser::Chrome], Os::Linux, tmp.path(), None, &missing).unwrap_err();
        assert!(err.to_string().contains("--host-path"), "{err}");
    }
}

//! Registering the native-messaging host with browsers and the daemon as a service: where
//! each browser looks for host manifests (one table, not a copy per browser), for one user
//! or system-wide, on Linux and macOS; what the manifests and service files say; and
//! install/uninstall through an install record, so uninstall removes exactly what install
//! wrote (files, and the folders it had to create). Both are safe to run as root over
//! folders another account controls: nothing is written through a link or into another
//! account's folder, and uninstall removes only files install itself would write for that
//! scope, holding what it writes (`files.rs`).
//!
//! Windows is not a build target: its registry keys are not written.

mod files;
mod record;
mod service;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Component, Path, PathBuf};

use serde_json::json;
use switchyard_shared::extension_ids::{
    chromium_origin, CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME,
};

pub use record::{Item, Record, RECORD_FILE};
pub use service::{
    disable_commands, enable_commands, launchd_plist, systemd_unit, SERVICE_LABEL, SYSTEMD_UNIT,
};

/// The browsers Switchyard can register with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Browser {
    Chrome,
    Chromium,
    Brave,
    Edge,
    Firefox,
}

impl Browser {
    pub const ALL: [Browser; 5] = [
        Browser::Chrome,
        Browser::Chromium,
        Browser::Brave,
        Browser::Edge,
        Browser::Firefox,
    ];

    /// The name as the CLI spells it (`--browser chromium`).
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Chromium => "chromium",
            Browser::Brave => "brave",
            Browser::Edge => "edge",
            Browser::Firefox => "firefox",
        }
    }
}

/// Operating systems with native-messaging folders Switchyard knows.
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
    /// Manifest folder inside that profile folder, on Linux and on macOS.
    hosts_dir_linux: &'static str,
    hosts_dir_macos: &'static str,
    /// System-wide manifest folder (relative to `/`), on Linux and on macOS.
    system_linux: &'static str,
    system_macos: &'static str,
    /// Paths (relative to `/`) whose presence means the browser is installed system-wide.
    installed_linux: &'static [&'static str],
    installed_macos: &'static [&'static str],
    firefox_style: bool,
}

const BROWSERS: &[BrowserInfo] = &[
    BrowserInfo {
        browser: Browser::Chrome,
        linux: ".config/google-chrome",
        macos: "Library/Application Support/Google/Chrome",
        hosts_dir_linux: "NativeMessagingHosts",
        hosts_dir_macos: "NativeMessagingHosts",
        system_linux: "etc/opt/chrome/native-messaging-hosts",
        system_macos: "Library/Google/Chrome/NativeMessagingHosts",
        installed_linux: &["opt/google/chrome"],
        installed_macos: &["Applications/Google Chrome.app"],
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Chromium,
        linux: ".config/chromium",
        macos: "Library/Application Support/Chromium",
        hosts_dir_linux: "NativeMessagingHosts",
        hosts_dir_macos: "NativeMessagingHosts",
        system_linux: "etc/chromium/native-messaging-hosts",
        system_macos: "Library/Application Support/Chromium/NativeMessagingHosts",
        installed_linux: &["usr/lib/chromium", "usr/lib64/chromium", "usr/bin/chromium"],
        installed_macos: &["Applications/Chromium.app"],
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Brave,
        linux: ".config/BraveSoftware/Brave-Browser",
        macos: "Library/Application Support/BraveSoftware/Brave-Browser",
        hosts_dir_linux: "NativeMessagingHosts",
        hosts_dir_macos: "NativeMessagingHosts",
        // Brave does not document its system folders; these are the ones password
        // managers' installers use. The per-user install is the reliable one.
        system_linux: "etc/opt/brave/native-messaging-hosts",
        system_macos:
            "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
        installed_linux: &["opt/brave.com/brave"],
        installed_macos: &["Applications/Brave Browser.app"],
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Edge,
        linux: ".config/microsoft-edge",
        macos: "Library/Application Support/Microsoft Edge",
        hosts_dir_linux: "NativeMessagingHosts",
        hosts_dir_macos: "NativeMessagingHosts",
        system_linux: "etc/opt/edge/native-messaging-hosts",
        system_macos: "Library/Microsoft/Edge/NativeMessagingHosts",
        installed_linux: &["opt/microsoft/msedge"],
        installed_macos: &["Applications/Microsoft Edge.app"],
        firefox_style: false,
    },
    BrowserInfo {
        browser: Browser::Firefox,
        linux: ".mozilla",
        macos: "Library/Application Support/Mozilla",
        hosts_dir_linux: "native-messaging-hosts",
        hosts_dir_macos: "NativeMessagingHosts",
        system_linux: "usr/lib/mozilla/native-messaging-hosts",
        system_macos: "Library/Application Support/Mozilla/NativeMessagingHosts",
        installed_linux: &[
            "usr/lib/firefox",
            "usr/lib/firefox-esr",
            "usr/lib64/firefox",
        ],
        installed_macos: &["Applications/Firefox.app"],
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
    #[error("this operating system has no native-messaging folders Switchyard knows (Linux and macOS only; Windows is not a build target)")]
    UnsupportedOs,
    #[error("no browser profile folder found under {home}; name one with --browser")]
    NoBrowserFound { home: String },
    #[error("no browser found installed under {root}; name one with --browser")]
    NoSystemBrowserFound { root: String },
    #[error("--user-data-dir applies to Chromium-family browsers, not Firefox")]
    UserDataDirForFirefox,
    #[error("--user-data-dir is a user's profile folder; it cannot be combined with --system")]
    UserDataDirForSystem,
    #[error("the host binary {0} does not exist; build it or pass --host-path")]
    HostMissing(String),
    #[error(
        "--system writes to folders only root may change: run `sudo switchyard install --system`, \
         or install for yourself without --system"
    )]
    NeedsRoot,
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
    #[error("the install record {path} is unreadable ({message}); remove the files it lists by hand, then the record")]
    Record { path: PathBuf, message: String },
    #[error(
        "{binary} could be replaced by another account ({why}), and with --system every \
         user's browser would run it. Put the binaries where only root can change them, e.g. \
         `sudo tar -xzf switchyard-VERSION-OS-ARCH.tar.gz -C /usr/local/lib`, then run \
         `sudo /usr/local/lib/switchyard-VERSION/switchyard install --system`"
    )]
    ReplaceableBinary { binary: PathBuf, why: String },
    #[error("{path} is not safe to use: {why}")]
    UnsafePath { path: PathBuf, why: String },
    #[error(
        "the install record {path} belongs to uid {uid}, not to you (uid {euid}); it is not \
         yours to act on: run the command as that account (without sudo)"
    )]
    RecordNotYours { path: PathBuf, uid: u32, euid: u32 },
    #[error(
        "the install record {record} lists {path}, which install never writes for {scope}; \
         nothing was removed. Remove the record if you did not write this entry yourself"
    )]
    RecordTampered {
        record: PathBuf,
        path: PathBuf,
        scope: &'static str,
    },
}

/// Where one browser's per-user host manifest goes.
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
    let hosts_dir = match os {
        Os::Linux => info.hosts_dir_linux,
        Os::MacOs => info.hosts_dir_macos,
    };
    Ok(profile.join(hosts_dir).join(format!("{HOST_NAME}.json")))
}

/// Where one browser's system-wide host manifest goes, under `root` (normally `/`).
pub fn system_manifest_path(browser: Browser, os: Os, root: &Path) -> PathBuf {
    let info = info(browser);
    root.join(match os {
        Os::Linux => info.system_linux,
        Os::MacOs => info.system_macos,
    })
    .join(format!("{HOST_NAME}.json"))
}

/// The host manifest a browser reads for this user: their own, else a system-wide one
/// (`install --system`), else (neither exists) where their own would go.
pub fn manifest_in_use(browser: Browser, os: Os, home: &Path, root: &Path) -> PathBuf {
    let own = manifest_path(browser, os, home, None)
        .unwrap_or_else(|_| home.join(format!("{HOST_NAME}.json")));
    let system = system_manifest_path(browser, os, root);
    if !own.exists() && system.exists() {
        system
    } else {
        own
    }
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

/// Browsers installed system-wide under `root`.
pub fn detect_system(os: Os, root: &Path) -> Vec<Browser> {
    BROWSERS
        .iter()
        .filter(|i| {
            let markers = match os {
                Os::Linux => i.installed_linux,
                Os::MacOs => i.installed_macos,
            };
            markers.iter().any(|m| root.join(m).exists())
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

/// `--system` is allowed: as root, or when `root` is a staging folder standing for `/`
/// (packagers, tests), which needs no privilege.
pub fn check_system_allowed(is_root: bool, root: &Path) -> Result<(), InstallError> {
    if is_root || root != Path::new("/") {
        Ok(())
    } else {
        Err(InstallError::NeedsRoot)
    }
}

/// Check that the binaries a `--system` install registers can be changed by no one but
/// root (and `trusted_uid`, the user running the install: root itself, or whoever stages a
/// `--root`, which registers nothing on this machine): each must be a regular file owned
/// by one of them and writable by neither group nor others, and so must every folder
/// above it up to `/` (a world-writable folder, sticky or not, is refused: OpenSSH's
/// rule for `authorized_keys`). The paths are taken as given; the CLI passes them
/// canonical, so no symlink is left to follow.
///
/// Why refuse instead of copying them somewhere safe: a copy would go stale at the next
/// upgrade of the unpacked tree (the browser would go on running the old host), and the
/// host starts the `switchyard` beside it, so the pair would have to travel together;
/// refusing keeps one copy, where the person put it, and says where it must go.
pub fn check_binaries_for_system(binaries: &[&Path], trusted_uid: u32) -> Result<(), InstallError> {
    use std::os::unix::fs::MetadataExt;
    for &binary in binaries {
        let refuse = |why: String| InstallError::ReplaceableBinary {
            binary: binary.to_owned(),
            why,
        };
        for (i, path) in binary.ancestors().enumerate() {
            if path.as_os_str().is_empty() {
                continue;
            }
            let meta = fs::symlink_metadata(path)
                .map_err(|e| refuse(format!("{} cannot be read: {e}", path.display())))?;
            let kind = if i == 0 { "it" } else { "its folder" };
            if i == 0 && !meta.file_type().is_file() {
                return Err(refuse("it is not a regular file".to_owned()));
            }
            if i > 0 && !meta.is_dir() {
                return Err(refuse(format!("{} is not a folder", path.display())));
            }
            if meta.uid() != 0 && meta.uid() != trusted_uid {
                return Err(refuse(format!(
                    "{kind} {} belongs to uid {}",
                    path.display(),
                    meta.uid()
                )));
            }
            let mode = meta.mode() & 0o7777;
            if mode & 0o022 != 0 {
                return Err(refuse(format!(
                    "{kind} {} is writable by group or others (mode {mode:o})",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Where install writes: one user's folders, or the system's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    User {
        home: PathBuf,
        /// `$XDG_CONFIG_HOME` (else `~/.config`): systemd user units live under it.
        config_home: PathBuf,
        /// Switchyard's config folder: the install record lives in it.
        switchyard_config: PathBuf,
    },
    /// System-wide folders under `root`: `/`, or a staging folder standing for it.
    System { root: PathBuf },
}

/// One install location: the operating system's layout applied to a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installer {
    pub os: Os,
    pub scope: Scope,
}

/// What to install.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub browsers: Vec<Browser>,
    /// A Chromium-family profile folder instead of the default one (user scope only).
    pub user_data_dir: Option<PathBuf>,
    pub host_path: PathBuf,
    /// The daemon as a service: this `switchyard` binary, run as `switchyard daemon`.
    pub service: Option<PathBuf>,
}

/// What to uninstall: nothing named means everything the record lists.
#[derive(Debug, Clone, Default)]
pub struct Removal {
    pub browsers: Vec<Browser>,
    pub user_data_dir: Option<PathBuf>,
    pub service: bool,
}

impl Removal {
    fn everything(&self) -> bool {
        self.browsers.is_empty() && !self.service && self.user_data_dir.is_none()
    }
}

impl Installer {
    /// The host manifest's path for `browser`.
    pub fn manifest_path(
        &self,
        browser: Browser,
        user_data_dir: Option<&Path>,
    ) -> Result<PathBuf, InstallError> {
        match &self.scope {
            Scope::User { home, .. } => manifest_path(browser, self.os, home, user_data_dir),
            Scope::System { .. } if user_data_dir.is_some() => {
                Err(InstallError::UserDataDirForSystem)
            }
            Scope::System { root } => Ok(system_manifest_path(browser, self.os, root)),
        }
    }

    /// The service file's path (systemd user unit, launchd agent).
    pub fn service_path(&self) -> PathBuf {
        service::path(self.os, &self.scope)
    }

    /// The install record's path.
    pub fn record_path(&self) -> PathBuf {
        match &self.scope {
            Scope::User {
                switchyard_config, ..
            } => switchyard_config.join(RECORD_FILE),
            Scope::System { root } => root
                .join(match self.os {
                    Os::Linux => "var/lib/switchyard",
                    Os::MacOs => "Library/Application Support/Switchyard",
                })
                .join(RECORD_FILE),
        }
    }

    /// Browsers found: profile folders (user) or installed browsers (system).
    pub fn detect(&self) -> Vec<Browser> {
        match &self.scope {
            Scope::User { home, .. } => detect(self.os, home),
            Scope::System { root } => detect_system(self.os, root),
        }
    }

    /// The browsers named, else the ones detected; none found is an error unless the
    /// service alone is asked for.
    pub fn choose(&self, named: &[Browser], service: bool) -> Result<Vec<Browser>, InstallError> {
        if !named.is_empty() {
            return Ok(named.to_vec());
        }
        let found = self.detect();
        if found.is_empty() && !service {
            return Err(match &self.scope {
                Scope::User { home, .. } => InstallError::NoBrowserFound {
                    home: home.display().to_string(),
                },
                Scope::System { root } => InstallError::NoSystemBrowserFound {
                    root: root.display().to_string(),
                },
            });
        }
        Ok(found)
    }

    /// Write the plan's files (idempotent) and record them; returns the files written.
    pub fn install(&self, plan: &Plan) -> Result<Vec<PathBuf>, InstallError> {
        if !plan.host_path.is_file() {
            return Err(InstallError::HostMissing(
                plan.host_path.display().to_string(),
            ));
        }
        let mut files: Vec<(Item, PathBuf, String)> = Vec::new();
        for &browser in &plan.browsers {
            let path = self.manifest_path(browser, plan.user_data_dir.as_deref())?;
            let text = serde_json::to_string_pretty(&manifest_json(browser, &plan.host_path))
                .unwrap_or_default()
                + "\n";
            files.push((Item::Browser(browser), path, text));
        }
        if let Some(switchyard) = &plan.service {
            let text = match self.os {
                Os::Linux => systemd_unit(switchyard),
                Os::MacOs => launchd_plist(switchyard),
            };
            files.push((Item::Service, self.service_path(), text));
        }

        let record_path = self.record_path();
        let mut record = Record::load(&record_path)?;
        let mut written = Vec::new();
        for (item, path, text) in files {
            // Browsers of every user read system-wide manifests.
            let made = files::write(&path, &text, 0o755);
            // Folders made before a failure are recorded all the same.
            if let Ok(dirs) = &made {
                record.note_created_dirs(dirs.clone());
            }
            made?;
            record.add_file(item, &path);
            written.push(path);
        }
        let made = record.save(&record_path, self.record_folder_mode())?;
        if !made.is_empty() {
            record.note_created_dirs(made);
            record.save(&record_path, self.record_folder_mode())?;
        }
        Ok(written)
    }

    /// Whether `path` is where install writes `item` for this scope: the computed path, or
    /// for a Chromium-family browser of a user, a `--user-data-dir`'s manifest path.
    fn writes(&self, item: Item, path: &Path) -> bool {
        let plain = path.is_absolute()
            && path
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        plain
            && match item {
                Item::Service => path == self.service_path(),
                Item::Browser(browser) => {
                    let computed = self.manifest_path(browser, None).ok();
                    let in_profile = matches!(self.scope, Scope::User { .. })
                        && !info(browser).firefox_style
                        && path.parent().and_then(Path::parent).is_some_and(|profile| {
                            self.manifest_path(browser, Some(profile)).ok().as_deref() == Some(path)
                        });
                    computed.as_deref() == Some(path) || in_profile
                }
            }
    }

    /// A user's record lives in their config folder, which is theirs alone (0700).
    fn record_folder_mode(&self) -> u32 {
        match self.scope {
            Scope::User { .. } => 0o700,
            Scope::System { .. } => 0o755,
        }
    }

    fn scope_name(&self) -> &'static str {
        match self.scope {
            Scope::User { .. } => "a user's install",
            Scope::System { .. } => "a system-wide install",
        }
    }

    /// Remove what install wrote (as its record says) and the folders it created once
    /// they are empty; returns the files removed. Without a record (an install from
    /// before records), the named or detected browsers' manifests are removed.
    pub fn uninstall(&self, removal: &Removal) -> Result<Vec<PathBuf>, InstallError> {
        let record_path = self.record_path();
        if !record_path.exists() {
            return self.uninstall_unrecorded(removal);
        }
        let mut record = Record::load(&record_path)?;
        let only_under = match &removal.user_data_dir {
            Some(dir) => Some(self.manifest_path(Browser::Chromium, Some(dir))?),
            None => None,
        };
        let only_under = only_under.as_deref().and_then(Path::parent);
        let chosen = |item: Item, path: &Path| {
            let named = removal.everything()
                || match item {
                    Item::Service => removal.service,
                    Item::Browser(b) => {
                        removal.browsers.contains(&b)
                            || (removal.browsers.is_empty() && removal.user_data_dir.is_some())
                    }
                };
            named && only_under.is_none_or(|dir| path.parent() == Some(dir))
        };
        // Every entry is checked before anything is removed: a record listing a path
        // install never writes is refused whole.
        let listed: Vec<(Item, PathBuf)> = record
            .files()
            .map(|(item, path)| (item, path.to_owned()))
            .collect();
        if let Some((_, path)) = listed.iter().find(|(item, path)| !self.writes(*item, path)) {
            return Err(InstallError::RecordTampered {
                record: record_path,
                path: path.clone(),
                scope: self.scope_name(),
            });
        }
        // The folders install may have made: those above the files it writes and the record.
        let mut above: Vec<PathBuf> = listed
            .iter()
            .map(|(_, path)| path.clone())
            .chain([record_path.clone()])
            .collect();
        above.sort();
        above.dedup();
        let made_for_us = |dir: &Path| above.iter().any(|p| p.starts_with(dir) && p != dir);
        let items: Vec<(Item, PathBuf)> = listed
            .into_iter()
            .filter(|(item, path)| chosen(*item, path))
            .collect();
        let mut removed = Vec::new();
        for (item, path) in &items {
            if files::remove(path, |text| holds_ours(*item, text))? {
                removed.push(path.clone());
            }
        }
        record.take_files(|item, path| items.iter().any(|(i, p)| *i == item && p == path));
        if record.is_empty_of_files() {
            files::remove(&record_path, |text| {
                serde_json::from_str::<Record>(text).is_ok()
            })?;
            record.remove_empty_dirs(made_for_us);
        } else {
            record.remove_empty_dirs(made_for_us);
            record.save(&record_path, self.record_folder_mode())?;
        }
        Ok(removed)
    }

    fn uninstall_unrecorded(&self, removal: &Removal) -> Result<Vec<PathBuf>, InstallError> {
        let browsers = if removal.browsers.is_empty() {
            if removal.user_data_dir.is_some() {
                vec![Browser::Chromium]
            } else {
                self.detect()
            }
        } else {
            removal.browsers.clone()
        };
        let mut removed = Vec::new();
        for browser in browsers {
            let path = self.manifest_path(browser, removal.user_data_dir.as_deref())?;
            if files::remove(&path, |text| holds_ours(Item::Browser(browser), text))? {
                removed.push(path);
            }
        }
        Ok(removed)
    }
}

/// Whether `text` is what install writes for `item`: a host manifest naming our host, or
/// our service file (by the line install writes at its top).
fn holds_ours(item: Item, text: &str) -> bool {
    match item {
        Item::Browser(_) => serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|m| m["name"] == HOST_NAME && m["type"] == "stdio" && m["path"].is_string()),
        Item::Service => {
            text.starts_with(service::SYSTEMD_MARK)
                || (text.contains(service::LAUNCHD_MARK)
                    && text.contains(&format!("<string>{SERVICE_LABEL}</string>")))
        }
    }
}

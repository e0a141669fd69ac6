//! The daemon as a service: a systemd user unit on Linux, a launchd agent on macOS; where
//! each goes, what it says, and the commands that enable and disable it (run by the CLI
//! when the service manager is reachable, printed otherwise).

use std::path::{Path, PathBuf};

use super::{Os, Scope};

/// The systemd unit's file name.
pub const SYSTEMD_UNIT: &str = "switchyard.service";
/// The launchd agent's label (its file is `LABEL.plist`).
pub const SERVICE_LABEL: &str = "com.switchyard.daemon";

/// Where the service file goes: the user's systemd/LaunchAgents folder, or the
/// system-wide one that applies to every user.
pub fn path(os: Os, scope: &Scope) -> PathBuf {
    match (os, scope) {
        (Os::Linux, Scope::User { config_home, .. }) => {
            config_home.join("systemd/user").join(SYSTEMD_UNIT)
        }
        (Os::Linux, Scope::System { root }) => root.join("etc/systemd/user").join(SYSTEMD_UNIT),
        (Os::MacOs, Scope::User { home, .. }) => home
            .join("Library/LaunchAgents")
            .join(format!("{SERVICE_LABEL}.plist")),
        (Os::MacOs, Scope::System { root }) => root
            .join("Library/LaunchAgents")
            .join(format!("{SERVICE_LABEL}.plist")),
    }
}

/// The first line of the systemd unit: uninstall removes a unit only when it starts so.
pub(super) const SYSTEMD_MARK: &str =
    "# Written by `switchyard install --service`; `switchyard uninstall --service` removes it.\n";
/// The comment in the launchd agent: uninstall removes an agent only when it holds it.
pub(super) const LAUNCHD_MARK: &str =
    "<!-- Written by \"switchyard install\" (its service option); \"switchyard uninstall\" removes it. -->";

/// The systemd unit running `switchyard daemon`.
pub fn systemd_unit(switchyard: &Path) -> String {
    format!(
        "{SYSTEMD_MARK}\
         [Unit]\n\
         Description=Switchyard daemon (AWS accounts for the browser extension)\n\
         \n\
         [Service]\n\
         Type=exec\n\
         ExecStart={} daemon\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         # {code}: a daemon started on demand already serves this user; not a failure.\n\
         SuccessExitStatus={code}\n\
         RestartPreventExitStatus={code}\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        systemd_quote(&switchyard.display().to_string()),
        code = crate::system::paths::EXIT_ALREADY_RUNNING,
    )
}

/// A path as one word of a systemd command line (quoted when it has spaces, `\` and `"`
/// escaped, `%` doubled as systemd's specifiers require).
fn systemd_quote(path: &str) -> String {
    let escaped = path
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%");
    if escaped.contains(char::is_whitespace) || escaped != path {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// The launchd agent running `switchyard daemon` at login, restarted if it fails.
pub fn launchd_plist(switchyard: &Path) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by "switchyard install" (its service option); "switchyard uninstall" removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{SERVICE_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
    <string>{}</string>
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
"#,
        xml_escape(&switchyard.display().to_string())
    )
}

/// Text for an XML element (a comment could not hold `--`, so paths only go in elements).
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The commands that enable and start the service just written at `path` (for the
/// user `uid` on macOS).
pub fn enable_commands(os: Os, system: bool, path: &Path, uid: u32) -> Vec<Vec<String>> {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match (os, system) {
        (Os::Linux, false) => vec![
            words(&["systemctl", "--user", "daemon-reload"]),
            words(&["systemctl", "--user", "enable", "--now", SYSTEMD_UNIT]),
        ],
        // For every user, from their next login.
        (Os::Linux, true) => vec![words(&["systemctl", "--global", "enable", SYSTEMD_UNIT])],
        (Os::MacOs, false) => vec![vec![
            "launchctl".to_owned(),
            "bootstrap".to_owned(),
            format!("gui/{uid}"),
            path.display().to_string(),
        ]],
        // launchd loads /Library/LaunchAgents for every user at login.
        (Os::MacOs, true) => Vec::new(),
    }
}

/// The commands that stop and disable the service before its file is removed.
pub fn disable_commands(os: Os, system: bool, uid: u32) -> Vec<Vec<String>> {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match (os, system) {
        (Os::Linux, false) => vec![words(&[
            "systemctl",
            "--user",
            "disable",
            "--now",
            SYSTEMD_UNIT,
        ])],
        (Os::Linux, true) => vec![words(&["systemctl", "--global", "disable", SYSTEMD_UNIT])],
        (Os::MacOs, false) => vec![vec![
            "launchctl".to_owned(),
            "bootout".to_owned(),
            format!("gui/{uid}/{SERVICE_LABEL}"),
        ]],
        (Os::MacOs, true) => Vec::new(),
    }
}

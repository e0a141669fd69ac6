//! `switchyard doctor`: each link from the browser to AWS checked and explained, one
//! [`Check`] per link, with the exact fix for anything not ok.
//!
//! The checks are small functions that either look at one thing on disk
//! ([`install`]: binaries and host manifests; [`socket_folder`]) or judge one answer
//! (the daemon's `status`, the keyring probe, a profile's `identity`, the clock); the
//! CLI (`daemon/src/cli/doctor.rs`) gathers the answers and prints the report. Nothing here puts a
//! secret into a check: details name files, versions, ARNs and masked key ids only, so
//! the report can be pasted into a bug report.

pub mod clock;
pub mod install;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use switchyard_shared::protocol::aws::IdentityData;
use switchyard_shared::protocol::{ErrorBody, ErrorCode, StatusData};

use crate::system::keyring::{Backend, Credentials, KeyringError};

/// How a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
    /// Not checked, because a link it needs is broken (that link's check says why).
    Skip,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "fail",
            Level::Skip => "skip",
        }
    }
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub level: Level,
    /// What was found.
    pub detail: String,
    /// What to do, for anything not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            level: Level::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn warn(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            name: name.into(),
            level: Level::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            name: name.into(),
            level: Level::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn skip(name: impl Into<String>, why: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            level: Level::Skip,
            detail: why.into(),
            fix: None,
        }
    }
}

/// Every check, in the order of the chain.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub version: String,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn new() -> Report {
        Report {
            version: switchyard_shared::APP_VERSION.to_owned(),
            checks: Vec::new(),
        }
    }

    pub fn count(&self, level: Level) -> usize {
        self.checks.iter().filter(|c| c.level == level).count()
    }

    /// One line per check (`ok    name    detail`), the fix on the next line, and a
    /// count at the end.
    pub fn render(&self) -> String {
        let width = self
            .checks
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "switchyard doctor {} ({} {})\n",
            self.version,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        for check in &self.checks {
            out.push_str(&format!(
                "{:<4}  {:<width$}  {}\n",
                check.level.label(),
                check.name,
                check.detail
            ));
            if let Some(fix) = &check.fix {
                out.push_str(&format!("      {:<width$}  fix: {fix}\n", ""));
            }
        }
        out.push_str(&format!(
            "{} ok, {} warn, {} fail, {} skipped\n",
            self.count(Level::Ok),
            self.count(Level::Warn),
            self.count(Level::Fail),
            self.count(Level::Skip)
        ));
        out
    }
}

/// The socket's folder: ours, and closed to others (the daemon refuses to use it
/// otherwise, but an older daemon may still be listening in it).
pub fn socket_folder(dir: &Path) -> Check {
    const NAME: &str = "socket folder";
    match crate::system::paths::check_private_dir(dir) {
        Ok(()) => Check::ok(NAME, format!("{} is yours, mode 700", dir.display())),
        Err(why) if !dir.exists() => Check::warn(
            NAME,
            format!("{} does not exist yet ({why})", dir.display()),
            "none needed: it is made when the daemon starts",
        ),
        Err(why) => Check::fail(
            NAME,
            format!("{}: {why}", dir.display()),
            format!(
                "chmod 700 {0} (or remove it if it is not yours) and restart the daemon",
                dir.display()
            ),
        ),
    }
}

/// The socket itself: a socket of ours that only we can open.
pub fn socket_file(path: &Path) -> Check {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    const NAME: &str = "socket";
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            return Check::fail(
                NAME,
                format!("{}: {e}", path.display()),
                "restart the daemon (`switchyard status` starts it)",
            )
        }
    };
    let mode = meta.permissions().mode() & 0o777;
    let uid = rustix::process::getuid().as_raw();
    if !meta.file_type().is_socket() || meta.uid() != uid || mode & 0o077 != 0 {
        return Check::fail(
            NAME,
            format!(
                "{} is not a private socket of yours (uid {}, mode {mode:o})",
                path.display(),
                meta.uid()
            ),
            format!("remove {} and restart the daemon", path.display()),
        );
    }
    Check::ok(NAME, format!("{}, mode {mode:o}", path.display()))
}

/// The daemon's `status` answer (or why none came).
pub fn daemon(status: Result<StatusData, String>, cli_version: &str, stderr_log: &Path) -> Check {
    const NAME: &str = "daemon";
    match status {
        Ok(status) if status.daemon_version != cli_version => Check::warn(
            NAME,
            format!(
                "pid {} runs version {}, this switchyard is {cli_version}",
                status.pid, status.daemon_version
            ),
            format!(
                "restart it with the new version: kill {} (it starts again on demand)",
                status.pid
            ),
        ),
        Ok(status) => Check::ok(
            NAME,
            format!(
                "pid {}, version {}, protocol v{}, up {}",
                status.pid,
                status.daemon_version,
                status.protocol_version,
                switchyard_shared::connection::uptime(status.uptime_secs)
            ),
        ),
        Err(why) => Check::fail(
            NAME,
            format!("not reachable: {why}"),
            format!(
                "run `switchyard daemon` in a terminal to see why it does not start; its \
                 earlier start-up errors are in {} and its log in `switchyard logs`",
                stderr_log.display()
            ),
        ),
    }
}

/// A profile name no one uses: reading it is harmless and tells a working keyring
/// (no such entry) from a locked or absent one.
pub const PROBE_PROFILE: &str = "switchyard-doctor-probe";

/// The keyring probe's answer: reading [`PROBE_PROFILE`] from the configured store, whose
/// trade-off the check states.
pub fn keyring(backend: Backend, probe: Result<Credentials, KeyringError>) -> Check {
    const NAME: &str = "keyring";
    match (probe, backend) {
        (Err(KeyringError::NotFound(_)) | Ok(_), _) => Check::ok(
            NAME,
            format!("reachable and unlocked: {}", backend.trade_off()),
        ),
        (Err(KeyringError::Unavailable(why)), Backend::Os) => Check::fail(
            NAME,
            format!("locked or not running ({why})"),
            "unlock your login keyring (log in to the desktop, or `gnome-keyring-daemon \
             --unlock` on a headless machine); without one, install gnome-keyring \
             (Secret Service) or KWallet, or keep the keys in the kernel instead with \
             `switchyard config set keyring keyutils` (then `switchyard daemon restart`)",
        ),
        (Err(KeyringError::Unavailable(why)), Backend::Keyutils) => Check::fail(
            NAME,
            format!("the kernel's keyutils refused ({why})"),
            "a container may block keyctl: allow it, or `switchyard config set keyring os` \
             with a Secret Service running",
        ),
        (Err(other), _) => Check::fail(
            NAME,
            other.to_string(),
            "check the keyring service; `switchyard logs` may say more",
        ),
    }
}

/// Two checks for one profile: its credentials (GetCallerIdentity through the daemon's
/// `identity`) and its MFA session.
pub fn profile(
    name: &str,
    identity: Result<IdentityData, ErrorBody>,
    now: SystemTime,
) -> [Check; 2] {
    let creds = format!("credentials [{name}]");
    let mfa = format!("mfa [{name}]");
    let mfa_fix = format!("switchyard mfa --profile {name}");
    let add_fix = format!("switchyard credentials add --profile {name}");
    match identity {
        Ok(me) => {
            let alias = me
                .account_alias
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            let creds = Check::ok(creds, format!("{} in {}{alias}", me.arn, me.account_id));
            let mfa = match (me.mfa.serial, me.mfa.session_expires_at) {
                (None, _) => Check::ok(mfa, "no MFA device"),
                (Some(serial), Some(until)) => {
                    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                    let left = until.saturating_sub(now);
                    let when = humantime::format_rfc3339_seconds(
                        UNIX_EPOCH + std::time::Duration::from_secs(until),
                    );
                    if left < 10 * 60 {
                        Check::warn(
                            mfa,
                            format!("{serial}: session ends {when} (in {} min)", left / 60),
                            mfa_fix,
                        )
                    } else {
                        Check::ok(mfa, format!("{serial}: session until {when}"))
                    }
                }
                (Some(serial), None) => Check::warn(mfa, format!("{serial}: no session"), mfa_fix),
            };
            [creds, mfa]
        }
        Err(e) if e.code == ErrorCode::MfaRequired => [
            Check::warn(
                creds,
                "stored; AWS is asked once an MFA session is started",
                mfa_fix.clone(),
            ),
            Check::warn(mfa, "the profile has an MFA device and no session", mfa_fix),
        ],
        Err(e) => {
            let fix = match e.code {
                ErrorCode::CredentialsMissing => add_fix,
                ErrorCode::AwsAuthFailed => format!(
                    "the key is unknown, deleted or inactive, or this machine's clock is off \
                     (see the clock check): store a working key with `{add_fix}`"
                ),
                ErrorCode::KeyringUnavailable => "see the keyring check".to_owned(),
                ErrorCode::AwsUnreachable => {
                    "check the network, a proxy, or the profile's endpoint_url (`switchyard config`)"
                        .to_owned()
                }
                ErrorCode::AccessDenied => {
                    "the key works but IAM denies sts:GetCallerIdentity; ask an admin".to_owned()
                }
                _ => "see `switchyard logs`".to_owned(),
            };
            [
                Check::fail(creds, format!("{}: {}", e.code, e.message), fix),
                Check::skip(mfa, "needs working credentials"),
            ]
        }
    }
}

/// The local clock against a server's `Date`: AWS refuses signed requests more than a
/// few minutes off.
pub fn clock(source: &str, local: SystemTime, remote: Result<SystemTime, String>) -> Check {
    const NAME: &str = "clock";
    const WARN_SECS: u64 = 5 * 60;
    const FAIL_SECS: u64 = 15 * 60;
    let remote = match remote {
        Ok(remote) => remote,
        Err(why) => {
            return Check::warn(
                NAME,
                format!("could not ask {source} the time: {why}"),
                "check the network; compare `date -u` with a time server",
            )
        }
    };
    let (skew, direction) = match local.duration_since(remote) {
        Ok(ahead) => (ahead.as_secs(), "ahead of"),
        Err(behind) => (behind.duration().as_secs(), "behind"),
    };
    let detail = format!("{skew} s {direction} {source}");
    let fix = "turn on time synchronization (`timedatectl set-ntp true`, or the system \
               settings' automatic date and time)";
    if skew > FAIL_SECS {
        Check::fail(
            NAME,
            format!("{detail}: AWS refuses requests signed this far off"),
            fix,
        )
    } else if skew > WARN_SECS {
        Check::warn(NAME, format!("{detail}: near the limit AWS accepts"), fix)
    } else {
        Check::ok(NAME, format!("within {skew} s of {source}"))
    }
}

#[cfg(test)]
mod tests;

//! Where the daemon keeps its socket, locks and logs.
//!
//! The runtime dir holds the socket and the single-instance lock; it is created with
//! mode 0700 and refused if another user owns it or others can enter it, so the socket
//! cannot be hijacked through a pre-created folder in `/tmp`.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Environment variable that overrides the runtime dir (tests use it to isolate runs).
pub const RUNTIME_DIR_ENV: &str = "SWITCHYARD_RUNTIME_DIR";
/// Environment variable that overrides the state dir (logs, caches).
pub const STATE_DIR_ENV: &str = "SWITCHYARD_STATE_DIR";

/// Where a background daemon's stderr goes.
pub const STDERR_FILE: &str = "stderr.log";

/// `switchyard daemon`'s exit status when another daemon already serves this user (holds
/// the single-instance lock; EX_TEMPFAIL): the service units treat it as "nothing to do",
/// not as a failure to restart from.
pub const EXIT_ALREADY_RUNNING: u8 = 75;

/// The files the daemon and its clients agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub runtime_dir: PathBuf,
    pub state_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not safe for the daemon's socket: {why}; remove it or set {RUNTIME_DIR_ENV}"
    )]
    Unsafe { path: PathBuf, why: String },
}

impl Paths {
    /// The paths for the current user, from the environment.
    pub fn from_env() -> Paths {
        let uid = rustix::process::getuid().as_raw();
        let runtime_dir = std::env::var_os(RUNTIME_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| dirs::runtime_dir().map(|d| d.join("switchyard")))
            .unwrap_or_else(|| std::env::temp_dir().join(format!("switchyard-{uid}")));
        let state_dir = std::env::var_os(STATE_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| dirs::state_dir().map(|d| d.join("switchyard")))
            .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/switchyard")))
            .unwrap_or_else(|| runtime_dir.join("state"));
        Paths {
            runtime_dir,
            state_dir,
        }
    }

    /// Paths rooted in one folder (tests).
    pub fn in_dir(dir: &Path) -> Paths {
        Paths {
            runtime_dir: dir.join("run"),
            state_dir: dir.join("state"),
        }
    }

    pub fn socket(&self) -> PathBuf {
        self.runtime_dir.join("daemon.sock")
    }

    /// Held (flock) by the running daemon for its whole life.
    pub fn daemon_lock(&self) -> PathBuf {
        self.runtime_dir.join("daemon.lock")
    }

    /// Held by a client while it starts the daemon, so two hosts never start two.
    pub fn start_lock(&self) -> PathBuf {
        self.runtime_dir.join("start.lock")
    }

    /// The daemon's rotating log files (see [`crate::system::logs`]).
    pub fn logs_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }

    /// Where a daemon started in the background writes its stderr: what fails before its
    /// log is set up, and panics.
    pub fn daemon_stderr_log(&self) -> PathBuf {
        self.logs_dir().join(STDERR_FILE)
    }

    /// Create the runtime dir (0700) and check that it is ours and private.
    pub fn ensure_runtime_dir(&self) -> Result<(), PathsError> {
        ensure_private_dir(&self.runtime_dir)
    }

    pub fn ensure_state_dir(&self) -> Result<(), PathsError> {
        ensure_private_dir(&self.state_dir)
    }

    pub fn ensure_logs_dir(&self) -> Result<(), PathsError> {
        self.ensure_state_dir()?;
        ensure_private_dir(&self.logs_dir())
    }
}

/// Check, without changing anything, that `path` is a folder of ours that others cannot
/// enter (what [`Paths::ensure_runtime_dir`] makes sure of); the reason when it is not.
pub fn check_private_dir(path: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_dir() {
        return Err("it is not a folder".to_owned());
    }
    let uid = rustix::process::getuid().as_raw();
    if meta.uid() != uid {
        return Err(format!(
            "it belongs to uid {}, not to you (uid {uid})",
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!("others may enter it (mode {mode:o}, not 700)"));
    }
    Ok(())
}

fn ensure_private_dir(path: &Path) -> Result<(), PathsError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|source| PathsError::Create {
            path: path.to_owned(),
            source,
        })?;
    let meta = fs::symlink_metadata(path).map_err(|source| PathsError::Create {
        path: path.to_owned(),
        source,
    })?;
    let unsafe_because = |why: String| PathsError::Unsafe {
        path: path.to_owned(),
        why,
    };
    if !meta.is_dir() {
        return Err(unsafe_because("it is not a folder".to_owned()));
    }
    let uid = rustix::process::getuid().as_raw();
    if meta.uid() != uid {
        return Err(unsafe_because(format!(
            "it belongs to uid {}, not to you (uid {uid})",
            meta.uid()
        )));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))
            .map_err(|e| unsafe_because(format!("others may enter it and chmod failed: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_dir_is_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(tmp.path());
        paths.ensure_runtime_dir().unwrap();
        let mode = fs::metadata(&paths.runtime_dir)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);

        fs::set_permissions(&paths.runtime_dir, fs::Permissions::from_mode(0o777)).unwrap();
        paths.ensure_runtime_dir().unwrap();
        let mode = fs::metadata(&paths.runtime_dir)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_file_in_place_of_the_runtime_dir_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(tmp.path());
        fs::write(&paths.runtime_dir, b"not a dir").unwrap();
        let err = paths.ensure_runtime_dir().unwrap_err();
        assert!(err.to_string().contains("cannot create"), "{err}");
        assert!(check_private_dir(&paths.runtime_dir)
            .unwrap_err()
            .contains("not a folder"));
    }

    #[test]
    fn checking_a_folder_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(tmp.path());
        assert!(check_private_dir(&paths.runtime_dir)
            .unwrap_err()
            .contains("cannot read"));
        paths.ensure_logs_dir().unwrap();
        check_private_dir(&paths.logs_dir()).unwrap();
        fs::set_permissions(&paths.state_dir, fs::Permissions::from_mode(0o755)).unwrap();
        let why = check_private_dir(&paths.state_dir).unwrap_err();
        assert!(why.contains("mode 755"), "{why}");
        let mode = fs::metadata(&paths.state_dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "left as it was");
    }
}

//! Where the daemon keeps its socket, locks and logs.
//!
//! The runtime dir holds the socket and the single-instance lock; it is created with
//! mode 0700 and refused if another user owns it or it is not a folder, so the socket
//! cannot be hijacked through a pre-created folder in `/tmp`. Without `XDG_RUNTIME_DIR`
//! it is `$TMPDIR/switchyard-UID`, which in a shared `/tmp` another user can create
//! first: then the runtime dir moves to `run/` in the user's own state dir. The daemon,
//! the host and the CLI check the folder before they bind or connect
//! ([`Paths::ensure_runtime_dir`]), and the clients check the listening process's uid
//! too (`transport::client`).

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
        "{path} is not safe for the daemon's socket: {why}; nothing was sent there. Remove \
         it (ask an administrator if it is not yours), or set XDG_RUNTIME_DIR or \
         {RUNTIME_DIR_ENV} to a folder of your own"
    )]
    Unsafe { path: PathBuf, why: String },
}

/// The longest socket path the system's Unix socket address holds (`sun_path` is 108
/// bytes on Linux, 104 on macOS, with the closing NUL).
pub const MAX_SOCKET_PATH: usize = if cfg!(target_os = "macos") { 103 } else { 107 };

/// The socket's file name in the runtime dir.
const SOCKET_FILE: &str = "daemon.sock";

impl Paths {
    /// The paths for the current user, from the environment.
    pub fn from_env() -> Paths {
        let uid = rustix::process::getuid().as_raw();
        let state_dir = std::env::var_os(STATE_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| dirs::state_dir().map(|d| d.join("switchyard")))
            .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/switchyard")));
        let runtime_dir = std::env::var_os(RUNTIME_DIR_ENV)
            .map(PathBuf::from)
            .or_else(|| dirs::runtime_dir().map(|d| d.join("switchyard")))
            .unwrap_or_else(|| {
                let fallback = state_dir.as_ref().map(|d| d.join("run"));
                runtime_dir_in_tmp(&std::env::temp_dir(), uid, fallback)
            });
        let state_dir = state_dir.unwrap_or_else(|| runtime_dir.join("state"));
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
        self.runtime_dir.join(SOCKET_FILE)
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

/// The runtime dir when the system names none: `$TMPDIR/switchyard-UID`, unless what sits
/// there is not a folder of ours (another user's folder made first in a shared `/tmp`, a
/// symlink, a file); then `fallback` (`run/` in the user's state dir) when its socket path
/// fits in a socket address. Without a usable fallback the shared path is kept, and
/// [`Paths::ensure_runtime_dir`] refuses it with the fix.
pub fn runtime_dir_in_tmp(tmp: &Path, uid: u32, fallback: Option<PathBuf>) -> PathBuf {
    let shared = tmp.join(format!("switchyard-{uid}"));
    let ours = match fs::symlink_metadata(&shared) {
        Ok(meta) => meta.is_dir() && meta.uid() == uid,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    match fallback {
        Some(dir) if !ours && fits_a_socket(&dir) => dir,
        _ => shared,
    }
}

/// Whether the socket in `runtime_dir` has a path a socket address can hold.
pub fn fits_a_socket(runtime_dir: &Path) -> bool {
    runtime_dir.join(SOCKET_FILE).as_os_str().len() <= MAX_SOCKET_PATH
}

/// Check, without changing anything, that `path` is a folder of ours that others cannot
/// enter (what [`Paths::ensure_runtime_dir`] makes sure of); the reason when it is not.
pub fn check_private_dir(path: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("it is a symbolic link".to_owned());
    }
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
    if meta.file_type().is_symlink() {
        return Err(unsafe_because("it is a symbolic link".to_owned()));
    }
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

    /// The uid the tests may give a folder to, when they run as root.
    const NOBODY: u32 = 65534;

    #[test]
    fn a_shared_tmp_folder_that_is_not_ours_moves_the_runtime_dir_home() {
        let tmp = tempfile::tempdir().unwrap();
        let uid = rustix::process::getuid().as_raw();
        let shared = tmp.path().join(format!("switchyard-{uid}"));
        let fallback = tmp.path().join("state/run");
        let pick = || runtime_dir_in_tmp(tmp.path(), uid, Some(fallback.clone()));

        // Nothing there yet, or a folder of ours: the usual place.
        assert_eq!(pick(), shared);
        fs::create_dir(&shared).unwrap();
        assert_eq!(pick(), shared);
        fs::remove_dir(&shared).unwrap();

        // A symlink (to a folder of ours, even) or a file: somewhere else.
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &shared).unwrap();
        assert_eq!(pick(), fallback);
        let paths = Paths {
            runtime_dir: shared.clone(),
            state_dir: tmp.path().join("state"),
        };
        let refused = paths.ensure_runtime_dir().unwrap_err().to_string();
        assert!(refused.contains("symbolic link"), "{refused}");
        assert!(refused.contains("XDG_RUNTIME_DIR"), "{refused}");
        fs::remove_file(&shared).unwrap();
        fs::write(&shared, b"").unwrap();
        assert_eq!(pick(), fallback);

        // No fallback, or one whose socket path is too long: the shared path, which the
        // checks then refuse with the fix.
        assert_eq!(runtime_dir_in_tmp(tmp.path(), uid, None), shared);
        let long = tmp.path().join("x".repeat(MAX_SOCKET_PATH));
        assert!(!fits_a_socket(&long));
        assert_eq!(runtime_dir_in_tmp(tmp.path(), uid, Some(long)), shared);
        fs::remove_file(&shared).unwrap();

        // Another user's folder (needs root to make one).
        if rustix::process::getuid().is_root() {
            fs::create_dir(&shared).unwrap();
            fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
            rustix::fs::chown(&shared, Some(rustix::fs::Uid::from_raw(NOBODY)), None).unwrap();
            assert_eq!(pick(), fallback);
            let paths = Paths {
                runtime_dir: shared.clone(),
                state_dir: tmp.path().join("state"),
            };
            let refused = paths.ensure_runtime_dir().unwrap_err().to_string();
            assert!(refused.contains("belongs to uid 65534"), "{refused}");
        } else {
            eprintln!("not root: the check of another user's folder did not run");
        }
    }
}

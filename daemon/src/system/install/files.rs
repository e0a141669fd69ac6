//! Install's file operations, safe when root runs them over a tree another account
//! controls (`--system --root` into a user's folder, a user install under a `sudo` that
//! keeps `HOME`). Folders are walked one name at a time from `/`: a folder or a symbolic
//! link that belongs to another account (neither the effective user nor root) is refused,
//! and so is a folder others may write without the sticky bit, so nothing can be swapped
//! in while install works. A file is written under a new temporary name in its (walked)
//! folder and renamed into place, so a link planted at its name is never written through;
//! one found there is refused. A file is removed only when it is a regular file holding
//! what install writes.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::InstallError;

/// How many symbolic links one walk may follow (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The largest file install reads back to see whether it is its own.
const MAX_OWN_FILE: u64 = 64 * 1024;

/// A folder opened by [`walk`].
pub(super) struct Dir {
    fd: OwnedFd,
}

fn unsafe_path(path: &Path, why: impl Into<String>) -> InstallError {
    InstallError::UnsafePath {
        path: path.to_owned(),
        why: why.into(),
    }
}

fn io_error(path: &Path, e: Errno) -> InstallError {
    InstallError::Write {
        path: path.to_owned(),
        source: e.into(),
    }
}

/// Flags to open a folder to work in: `O_PATH` on Linux (no read permission needed),
/// never following a link.
fn dir_flags() -> OFlags {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let access = OFlags::PATH;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let access = OFlags::RDONLY;
    access | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Whether a file of owner `uid` may be trusted: the effective user's or root's.
fn trusted(uid: u32) -> bool {
    uid == 0 || uid == rustix::process::geteuid().as_raw()
}

/// Open the folder `path` (absolute) the safe way, creating what is missing with the mode
/// `create` gives (none: nothing is created); returns it and the folders made, outermost
/// first.
pub(super) fn walk(path: &Path, create: Option<u32>) -> Result<(Dir, Vec<PathBuf>), InstallError> {
    if !path.is_absolute() {
        return Err(unsafe_path(path, "it is not an absolute path"));
    }
    let root =
        |at: &Path| rustix::fs::open("/", dir_flags(), Mode::empty()).map_err(|e| io_error(at, e));
    let mut fd = root(path)?;
    let mut at = PathBuf::from("/");
    let mut created = Vec::new();
    let mut links = 0;
    // The names still to walk, next first.
    let mut todo: Vec<OsString> = names(path);
    todo.reverse();
    while let Some(name) = todo.pop() {
        if name == ".." {
            let parent = rustix::fs::openat(&fd, "..", dir_flags(), Mode::empty())
                .map_err(|e| io_error(&at, e))?;
            fd = parent;
            at.pop();
            continue;
        }
        let here = at.join(&name);
        match rustix::fs::openat(&fd, name.as_os_str(), dir_flags(), Mode::empty()) {
            Ok(next) => {
                let stat = rustix::fs::fstat(&next).map_err(|e| io_error(&here, e))?;
                check_folder(&here, stat.st_uid, stat.st_mode as u32)?;
                fd = next;
                at = here;
            }
            Err(Errno::NOENT) if create.is_some() => {
                let mode = Mode::from_raw_mode(create.unwrap_or(0o700) as _);
                match rustix::fs::mkdirat(&fd, name.as_os_str(), mode) {
                    Ok(()) => created.push(here),
                    // Made meanwhile by someone else: checked as any folder, not ours to
                    // remove.
                    Err(Errno::EXIST) => {}
                    Err(e) => return Err(io_error(&here, e)),
                }
                todo.push(name);
            }
            Err(Errno::LOOP | Errno::NOTDIR) => {
                let stat = rustix::fs::statat(&fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
                    .map_err(|e| io_error(&here, e))?;
                if FileType::from_raw_mode(stat.st_mode as _) != FileType::Symlink {
                    return Err(unsafe_path(&here, "it is not a folder"));
                }
                if !trusted(stat.st_uid) {
                    return Err(unsafe_path(
                        &here,
                        format!(
                            "it is a symbolic link made by uid {}; install follows only links of \
                             yours or root's",
                            stat.st_uid
                        ),
                    ));
                }
                links += 1;
                if links > MAX_LINKS {
                    return Err(unsafe_path(&here, "too many symbolic links"));
                }
                let target = rustix::fs::readlinkat(&fd, name.as_os_str(), Vec::new())
                    .map_err(|e| io_error(&here, e))?;
                let target = PathBuf::from(OsStr::from_bytes(target.as_bytes()));
                if target.is_absolute() {
                    fd = root(&here)?;
                    at = PathBuf::from("/");
                }
                let mut more = names(&target);
                more.reverse();
                todo.extend(more);
            }
            Err(e) => return Err(io_error(&here, e)),
        }
    }
    Ok((Dir { fd }, created))
}

/// The names of a path, `..` kept, `.` and the root left out.
fn names(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// A folder install may work in: the effective user's or root's, and not open to others'
/// writes unless sticky (as `/tmp` is: others may add names there, not replace ours).
fn check_folder(path: &Path, uid: u32, mode: u32) -> Result<(), InstallError> {
    if !trusted(uid) {
        let euid = rustix::process::geteuid().as_raw();
        return Err(unsafe_path(
            path,
            format!(
                "it belongs to uid {uid}, not to you (uid {euid}) or root; install does not \
                 work in another account's folders: run it as that account (without sudo)"
            ),
        ));
    }
    let sticky = mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !sticky {
        return Err(unsafe_path(
            path,
            format!(
                "group or others may write to it (mode {:o}) and it is not sticky",
                mode & 0o7777
            ),
        ));
    }
    Ok(())
}

/// The parent folder and file name of `path`.
fn split(path: &Path) -> Result<(&Path, &OsStr), InstallError> {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => Ok((parent, name)),
        _ => Err(unsafe_path(path, "it names no file")),
    }
}

/// Write `text` to `path` (mode 0644): to a new temporary name in the walked folder, then
/// renamed over the old file; missing folders are made with `folder_mode`. Returns the
/// folders made for it, outermost first. A link or anything else but a regular file at
/// `path` is refused, not replaced.
pub(super) fn write(
    path: &Path,
    text: &str,
    folder_mode: u32,
) -> Result<Vec<PathBuf>, InstallError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (parent, name) = split(path)?;
    let (dir, created) = walk(parent, Some(folder_mode))?;
    match rustix::fs::statat(&dir.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) if FileType::from_raw_mode(stat.st_mode as _) == FileType::RegularFile => {}
        Ok(stat) => {
            let what = match FileType::from_raw_mode(stat.st_mode as _) {
                FileType::Symlink => "a symbolic link",
                FileType::Directory => "a folder",
                _ => "not a regular file",
            };
            return Err(unsafe_path(
                path,
                format!("it is {what}; install writes no file through it: remove it, then run install again"),
            ));
        }
        Err(Errno::NOENT) => {}
        Err(e) => return Err(io_error(path, e)),
    }
    let temporary = format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let fd = rustix::fs::openat(
        &dir.fd,
        temporary.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )
    .map_err(|e| io_error(path, e))?;
    let written = (|| {
        // The mode asked for, whatever the umask.
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o644))?;
        let mut file = std::fs::File::from(fd);
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        rustix::fs::renameat(&dir.fd, temporary.as_str(), &dir.fd, name)?;
        Ok::<(), std::io::Error>(())
    })();
    if let Err(source) = written {
        let _ = rustix::fs::unlinkat(&dir.fd, temporary.as_str(), AtFlags::empty());
        return Err(InstallError::Write {
            path: path.to_owned(),
            source,
        });
    }
    Ok(created)
}

/// The text of the regular file at `path`, read without following a link; `None` when
/// there is nothing there.
pub(super) fn read(path: &Path) -> Result<Option<String>, InstallError> {
    let (parent, name) = split(path)?;
    let dir = match walk(parent, None) {
        Ok((dir, _)) => dir,
        Err(InstallError::Write { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    read_in(&dir, name, path)
}

fn read_in(dir: &Dir, name: &OsStr, path: &Path) -> Result<Option<String>, InstallError> {
    let fd = match rustix::fs::openat(
        &dir.fd,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP) => return Err(unsafe_path(path, "it is a symbolic link")),
        Err(e) => return Err(io_error(path, e)),
    };
    let stat = rustix::fs::fstat(&fd).map_err(|e| io_error(path, e))?;
    if FileType::from_raw_mode(stat.st_mode as _) != FileType::RegularFile {
        return Err(unsafe_path(path, "it is not a regular file"));
    }
    let mut text = String::new();
    std::fs::File::from(fd)
        .take(MAX_OWN_FILE)
        .read_to_string(&mut text)
        .map_err(|source| InstallError::Write {
            path: path.to_owned(),
            source,
        })?;
    Ok(Some(text))
}

/// Remove the regular file at `path` when `ours` says its text is what install writes;
/// `false` when there was nothing to remove. Anything else there is refused and kept.
pub(super) fn remove(path: &Path, ours: impl Fn(&str) -> bool) -> Result<bool, InstallError> {
    let (parent, name) = split(path)?;
    let dir = match walk(parent, None) {
        Ok((dir, _)) => dir,
        Err(InstallError::Write { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(false)
        }
        Err(e) => return Err(e),
    };
    let Some(text) = read_in(&dir, name, path)? else {
        return Ok(false);
    };
    if !ours(&text) {
        return Err(unsafe_path(
            path,
            "it does not hold what switchyard install writes; it was left alone (remove it by \
             hand if it is to go)",
        ));
    }
    rustix::fs::unlinkat(&dir.fd, name, AtFlags::empty()).map_err(|e| InstallError::Remove {
        path: path.to_owned(),
        source: e.into(),
    })?;
    Ok(true)
}

/// Remove the folder at `path` if it is empty, a real folder (not a link) and the
/// effective user's; whether it is gone.
pub(super) fn remove_empty_dir(path: &Path) -> bool {
    let Ok((parent, name)) = split(path) else {
        return false;
    };
    let Ok((dir, _)) = walk(parent, None) else {
        return false;
    };
    let own = rustix::process::geteuid().as_raw();
    match rustix::fs::statat(&dir.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat)
            if FileType::from_raw_mode(stat.st_mode as _) == FileType::Directory
                && stat.st_uid == own =>
        {
            rustix::fs::unlinkat(&dir.fd, name, AtFlags::REMOVEDIR).is_ok()
        }
        Ok(_) => false,
        Err(e) => e == Errno::NOENT,
    }
}

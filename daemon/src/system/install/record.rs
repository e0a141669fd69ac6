//! The install record: which files `switchyard install` wrote (and for what), and which
//! folders it had to create, so `switchyard uninstall` removes exactly those. Kept as
//! JSON beside the config (per user) or in `/var/lib/switchyard` (system-wide).
//!
//! The record is only a list of candidates: a record that is not the effective user's is
//! refused, and uninstall removes a listed file only where install itself would write it
//! for that scope, and only when it holds what install writes (`Installer::uninstall`).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{files, Browser, InstallError};

/// The record's file name.
pub const RECORD_FILE: &str = "install-record.json";

/// What a written file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// A browser's host manifest.
    Browser(Browser),
    /// The systemd unit or launchd agent.
    Service,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RecordedFile {
    item: Item,
    path: PathBuf,
}

/// Files written and folders created, in the order install made them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    files: Vec<RecordedFile>,
    /// Folders install created, outermost first; removed again once empty.
    created_dirs: Vec<PathBuf>,
}

impl Record {
    /// The record at `path`; none yet is an empty record.
    /// The record at `path`; none yet is an empty record. A record that is not a regular
    /// file of the effective user's is refused: another account could have written it.
    pub fn load(path: &Path) -> Result<Record, InstallError> {
        let refused = |message: String| InstallError::Record {
            path: path.to_owned(),
            message,
        };
        match fs::symlink_metadata(path) {
            Ok(meta) => {
                let euid = rustix::process::geteuid().as_raw();
                if !meta.file_type().is_file() {
                    return Err(refused("it is not a regular file".to_owned()));
                }
                if meta.uid() != euid {
                    return Err(InstallError::RecordNotYours {
                        path: path.to_owned(),
                        uid: meta.uid(),
                        euid,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
            Err(e) => return Err(refused(e.to_string())),
        }
        let text = match files::read(path) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(Record::default()),
            Err(e) => return Err(refused(e.to_string())),
        };
        serde_json::from_str(&text).map_err(|e| refused(e.to_string()))
    }

    /// Write the record (without following a link at its path), making missing folders
    /// with `folder_mode`; the folders made for it.
    pub fn save(&self, path: &Path, folder_mode: u32) -> Result<Vec<PathBuf>, InstallError> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        files::write(path, &text, folder_mode)
    }

    /// The created folders, as recorded.
    pub fn created_dirs(&self) -> &[PathBuf] {
        &self.created_dirs
    }

    /// The files recorded, with what each is for.
    pub fn files(&self) -> impl Iterator<Item = (Item, &Path)> {
        self.files.iter().map(|f| (f.item, f.path.as_path()))
    }

    pub fn add_file(&mut self, item: Item, path: &Path) {
        if !self.files.iter().any(|f| f.path == path) {
            self.files.push(RecordedFile {
                item,
                path: path.to_owned(),
            });
        }
    }

    pub fn note_created_dirs(&mut self, dirs: Vec<PathBuf>) {
        for dir in dirs {
            if !self.created_dirs.contains(&dir) {
                self.created_dirs.push(dir);
            }
        }
    }

    /// Take the files `chosen` out of the record; returns their paths.
    pub fn take_files(&mut self, mut chosen: impl FnMut(Item, &Path) -> bool) -> Vec<PathBuf> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| chosen(f.item, &f.path));
        self.files = kept;
        taken.into_iter().map(|f: RecordedFile| f.path).collect()
    }

    pub fn is_empty_of_files(&self) -> bool {
        self.files.is_empty()
    }

    /// Remove the created folders that are empty now and that `allowed` accepts (install
    /// could have made them), innermost first, and forget them (and the ones already
    /// gone); the others stay recorded.
    pub fn remove_empty_dirs(&mut self, allowed: impl Fn(&Path) -> bool) {
        let mut dirs = std::mem::take(&mut self.created_dirs);
        // Deeper paths first, so a parent is tried after its children.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        let mut kept: Vec<PathBuf> = dirs
            .into_iter()
            // Only an empty folder is removed.
            .filter(|d| !(allowed(d) && files::remove_empty_dir(d)))
            .collect();
        kept.reverse();
        self.created_dirs = kept;
    }
}

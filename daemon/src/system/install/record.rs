//! The install record: which files `switchyard install` wrote (and for what), and which
//! folders it had to create, so `switchyard uninstall` removes exactly those. Kept as
//! JSON beside the config (per user) or in `/var/lib/switchyard` (system-wide).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Browser, InstallError};

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
    pub fn load(path: &Path) -> Result<Record, InstallError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
            Err(e) => {
                return Err(InstallError::Record {
                    path: path.to_owned(),
                    message: e.to_string(),
                })
            }
        };
        serde_json::from_str(&text).map_err(|e| InstallError::Record {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), InstallError> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        fs::write(path, text).map_err(|source| InstallError::Write {
            path: path.to_owned(),
            source,
        })
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

    /// Remove the created folders that are empty now, innermost first, and forget them
    /// (and the ones already gone); the others stay recorded.
    pub fn remove_empty_dirs(&mut self) {
        let mut dirs = std::mem::take(&mut self.created_dirs);
        // Deeper paths first, so a parent is tried after its children.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        let mut kept: Vec<PathBuf> = dirs
            .into_iter()
            // `remove_dir` only removes an empty folder.
            .filter(|d| d.exists() && fs::remove_dir(d).is_err())
            .collect();
        kept.reverse();
        self.created_dirs = kept;
    }
}

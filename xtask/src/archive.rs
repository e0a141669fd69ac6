//! The archives a release is made of: a zip of an extension folder (the Chromium zip, the
//! Firefox `.xpi`) and a gzip'd tarball of the binaries, each with fixed timestamps and
//! modes so that the same inputs give the same bytes. Used by `build` (the `.xpi` the
//! Firefox tests install) and by `dist`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// Every file under `dir`, as (path relative to `dir` with `/`, full path), sorted.
fn files_under(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in
            fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir)?;
                let name: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push((name.join("/"), path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Zip the files of `dir` (the extension's root is the zip's root, as the stores and
/// Firefox expect).
pub fn zip_dir(dir: &Path, to: &Path, timestamp: u64) -> anyhow::Result<()> {
    let files = files_under(dir)?;
    if !files.iter().any(|(name, _)| name == "manifest.json") {
        bail!("{} has no manifest.json", dir.display());
    }
    let stamp = zip_time(timestamp);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(fs::File::create(to)?);
    for (name, path) in files {
        zip.start_file(name, options)?;
        zip.write_all(&fs::read(&path).with_context(|| format!("reading {}", path.display()))?)?;
    }
    zip.finish()?;
    Ok(())
}

/// A zip timestamp (local time without zone, 1980 to 2107) for seconds since 1970, taken
/// in UTC, to 2 s (the format's resolution); before 1980 it is 1980-01-01.
fn zip_time(seconds: u64) -> zip::DateTime {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            zip::DateTime::try_from(time::PrimitiveDateTime::new(t.date(), t.time())).ok()
        })
        .unwrap_or_default()
}

/// A gzip'd tarball of `(name in the archive, file, mode)`.
pub fn tar_gz(entries: &[(String, PathBuf, u32)], to: &Path, timestamp: u64) -> anyhow::Result<()> {
    let gz = flate2::write::GzEncoder::new(fs::File::create(to)?, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    for (name, path, mode) in entries {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(timestamp);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_times_are_utc_calendar_dates() {
        assert_eq!(zip_time(0).to_string(), "1980-01-01 00:00:00");
        assert_eq!(zip_time(951_782_400).to_string(), "2000-02-29 00:00:00");
        assert_eq!(zip_time(1_764_590_646).to_string(), "2025-12-01 12:04:06");
    }
}

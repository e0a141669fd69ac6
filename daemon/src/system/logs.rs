//! The daemon's log: `tracing` events to a file in `$STATE_DIR/logs/` that rotates daily
//! (`daemon.YYYY-MM-DD.log`, the newest [`KEPT_FILES`] kept, `daemon.log` a link to the
//! current one), and to stderr as well when a person runs `switchyard daemon` on a
//! terminal. What a daemon started in the background writes to stderr before logging is
//! set up (or a panic) goes to `stderr.log` beside them (see [`crate::transport::client`]).
//!
//! [`tail`] and [`current_file`] are what `switchyard logs` shows. No secret is ever
//! logged: credentials types print masked, and the AWS SDK's and HTTP stack's own
//! debug output is capped (see [`filter`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tracing::Metadata;
use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::layer::Filter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::system::paths::{Paths, PathsError};

/// Environment variable with the log filter (`info` when absent), in `tracing`'s
/// `EnvFilter` syntax: `debug`, `switchyard_daemon=trace`, ….
pub const LOG_FILTER_ENV: &str = "SWITCHYARD_LOG";
/// How many daily files are kept.
pub const KEPT_FILES: usize = 14;
/// Rotated files are `PREFIX.YYYY-MM-DD.SUFFIX`.
const PREFIX: &str = "daemon";
const SUFFIX: &str = "log";
/// The link to the current file.
pub const CURRENT_LINK: &str = "daemon.log";

/// Crates whose detail below `info` could show request or response contents (bodies of
/// STS answers carry temporary credentials): capped whatever `SWITCHYARD_LOG` says. A
/// directive's target matches every target it begins (`aws_smithy` covers
/// `aws_smithy_runtime`, `hyper` covers `hyper_util` and `hyper_rustls`).
const CAPPED: &[&str] = &[
    "aws_smithy",
    "aws_sdk",
    "aws_sigv4",
    "aws_config",
    "aws_runtime",
    "aws_credential_types",
    "hyper",
    "h2",
    "rustls",
    "keyring",
    "secret_service",
    "zbus",
];

#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error(transparent)]
    Dir(#[from] PathsError),
    #[error("cannot open the log in {dir}: {why}")]
    Open { dir: PathBuf, why: String },
    #[error("the log filter in {LOG_FILTER_ENV} is not valid: {0}")]
    Filter(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The filter: `SWITCHYARD_LOG` (or `info`), and nothing below `info` from [`CAPPED`]
/// crates whatever it says (a separate test, so no directive can be more specific).
pub fn filter<S>(directives: Option<&str>) -> Result<impl Filter<S> + Send + Sync, LogsError>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let text = directives.map(str::trim).filter(|t| !t.is_empty());
    let env =
        EnvFilter::try_new(text.unwrap_or("info")).map_err(|e| LogsError::Filter(e.to_string()))?;
    let cap = filter_fn(|meta: &Metadata<'_>| {
        *meta.level() <= tracing::Level::INFO
            || !CAPPED.iter().any(|name| meta.target().starts_with(name))
    });
    Ok(env.and(cap))
}

/// Log to stderr only (when the log folder cannot be used).
pub fn init_stderr() -> Result<(), LogsError> {
    let directives = std::env::var(LOG_FILTER_ENV).ok();
    let filter = filter(directives.as_deref()).or_else(|_| filter(None))?;
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .try_init()
        .map_err(|e| LogsError::Filter(e.to_string()))
}

/// Route `tracing` to the rotating file (and to stderr when `to_stderr`). Call once.
pub fn init(paths: &Paths, to_stderr: bool) -> Result<(), LogsError> {
    paths.ensure_logs_dir()?;
    let directives = std::env::var(LOG_FILTER_ENV).ok();
    let dir = paths.logs_dir();
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEPT_FILES)
        .latest_symlink(CURRENT_LINK)
        .build(&dir)
        .map_err(|e| LogsError::Open {
            dir: dir.clone(),
            why: e.to_string(),
        })?;
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(appender)
        .with_filter(filter(directives.as_deref())?);
    let stderr = if to_stderr {
        Some(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter(directives.as_deref())?),
        )
    } else {
        None
    };
    tracing_subscriber::registry()
        .with(file)
        .with(stderr)
        .try_init()
        .map_err(|e| LogsError::Open {
            dir,
            why: e.to_string(),
        })
}

/// Is `name` one of the rotated files (`daemon.YYYY-MM-DD.log`)?
fn is_rotated(name: &str) -> bool {
    let Some(date) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .and_then(|rest| rest.strip_suffix('.'))
    else {
        return false;
    };
    date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Every rotated log file in `dir`, oldest first.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_str().is_some_and(is_rotated))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    // The date in the name sorts like the date.
    found.sort();
    found
}

/// The file being written now: the newest rotated file.
pub fn current_file(dir: &Path) -> Option<PathBuf> {
    files(dir).pop()
}

/// The last `lines` lines of `path` (all of it when shorter), read from the end so a
/// large file costs only what is shown.
pub fn tail(path: &Path, lines: usize) -> Result<String, LogsError> {
    let read_err = |source| LogsError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.seek(SeekFrom::End(0)).map_err(read_err)?;
    if lines == 0 {
        return Ok(String::new());
    }
    const CHUNK: u64 = 16 * 1024;
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // A trailing newline ends the last line; it does not start another.
        let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let newlines = body.iter().filter(|&&b| b == b'\n').count();
        if newlines >= lines || start == 0 {
            break;
        }
        let step = CHUNK.min(start);
        start -= step;
        file.seek(SeekFrom::Start(start)).map_err(read_err)?;
        let mut chunk = vec![0; usize::try_from(step).unwrap_or(0)];
        file.read_exact(&mut chunk).map_err(read_err)?;
        chunk.extend_from_slice(&buf);
        buf = chunk;
    }
    let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
    let mut cut = 0;
    let mut seen = 0;
    for (i, &b) in body.iter().enumerate().rev() {
        if b == b'\n' {
            seen += 1;
            if seen == lines {
                cut = i + 1;
                break;
            }
        }
    }
    Ok(String::from_utf8_lossy(&buf[cut..]).into_owned())
}

/// Read what was appended to `path` since `offset`; the new offset. A file that shrank
/// (truncated or replaced) is read again from its start.
pub fn read_from(path: &Path, offset: u64) -> Result<(String, u64), LogsError> {
    let read_err = |source| LogsError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.seek(SeekFrom::End(0)).map_err(read_err)?;
    let from = if len < offset { 0 } else { offset };
    file.seek(SeekFrom::Start(from)).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_err)?;
    let end = from + bytes.len() as u64;
    Ok((String::from_utf8_lossy(&bytes).into_owned(), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rotated_names_count_and_the_newest_is_current() {
        let tmp = tempfile::tempdir().unwrap();
        for name in [
            "daemon.2026-01-02.log",
            "daemon.2025-12-31.log",
            "daemon.2026-01-10.log",
            "stderr.log",
            "daemon.log",
            "daemon.2026-1-1.log",
            "daemon.2026-01-11.log.bak",
        ] {
            std::fs::write(tmp.path().join(name), b"x\n").unwrap();
        }
        let names: Vec<String> = files(tmp.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "daemon.2025-12-31.log",
                "daemon.2026-01-02.log",
                "daemon.2026-01-10.log"
            ]
        );
        assert_eq!(
            current_file(tmp.path()).unwrap(),
            tmp.path().join("daemon.2026-01-10.log")
        );
        assert!(current_file(&tmp.path().join("none")).is_none());
    }

    #[test]
    fn tail_gives_the_last_lines_across_chunks() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f.log");
        let text: String = (0..5000)
            .map(|i| format!("line {i} {}\n", "x".repeat(20)))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let last = tail(&path, 3).unwrap();
        assert_eq!(
            last,
            format!(
                "line 4997 {x}\nline 4998 {x}\nline 4999 {x}\n",
                x = "x".repeat(20)
            )
        );
        assert_eq!(tail(&path, 10_000).unwrap(), text);
        assert_eq!(tail(&path, 0).unwrap(), "");
        // No final newline: the last line still counts as one.
        std::fs::write(&path, "a\nb\nc").unwrap();
        assert_eq!(tail(&path, 2).unwrap(), "b\nc");
        std::fs::write(&path, "").unwrap();
        assert_eq!(tail(&path, 5).unwrap(), "");
        assert!(matches!(
            tail(&tmp.path().join("missing"), 1),
            Err(LogsError::Read { .. })
        ));
    }

    #[test]
    fn follow_reads_what_was_appended_and_restarts_after_a_truncation() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f.log");
        std::fs::write(&path, "one\n").unwrap();
        let (text, at) = read_from(&path, 0).unwrap();
        assert_eq!((text.as_str(), at), ("one\n", 4));
        std::fs::write(&path, "one\ntwo\n").unwrap();
        assert_eq!(read_from(&path, at).unwrap(), ("two\n".to_owned(), 8));
        std::fs::write(&path, "new\n").unwrap();
        assert_eq!(read_from(&path, 8).unwrap(), ("new\n".to_owned(), 4));
    }

    #[test]
    fn the_filter_caps_the_chatty_crates() {
        use tracing::Level;
        let enabled = |directives: Option<&str>| {
            let subscriber = tracing_subscriber::registry().with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::sink)
                    .with_filter(filter(directives).unwrap()),
            );
            tracing::subscriber::with_default(subscriber, || {
                [
                    tracing::enabled!(target: "switchyard_daemon::services::session", Level::TRACE),
                    tracing::enabled!(target: "switchyard_daemon::services::session", Level::INFO),
                    tracing::enabled!(target: "aws_smithy_runtime::client::orchestrator", Level::DEBUG),
                    tracing::enabled!(target: "hyper_util::client", Level::TRACE),
                    tracing::enabled!(target: "aws_smithy_runtime::client", Level::INFO),
                ]
            })
        };
        assert_eq!(enabled(Some("trace")), [true, true, false, false, true]);
        assert_eq!(
            enabled(Some("aws_smithy_runtime=trace,debug")),
            [false, true, false, false, true]
        );
        assert_eq!(enabled(None), [false, true, false, false, true]);
        assert_eq!(enabled(Some("  ")), [false, true, false, false, true]);
        assert!(matches!(
            filter::<tracing_subscriber::Registry>(Some("=[=")),
            Err(LogsError::Filter(_))
        ));
    }
}

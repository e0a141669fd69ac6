//! `switchyard logs [-n N] [--follow]`: the end of the daemon's current log file (see
//! [`switchyard_daemon::system::logs`]); with `--follow`, what is added to it, polled, across the
//! daily rotation.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use switchyard_daemon::system::logs;
use switchyard_daemon::system::paths::Paths;

/// How often `--follow` looks for new lines.
const POLL: Duration = Duration::from_millis(500);

#[derive(clap::Args)]
pub struct Args {
    /// How many lines to show.
    #[arg(short = 'n', long = "lines", default_value_t = 50)]
    lines: usize,
    /// Keep printing lines as the daemon writes them (Ctrl-C to stop).
    #[arg(short, long)]
    follow: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let paths = Paths::from_env();
    let dir = paths.logs_dir();
    let stderr_log = paths.daemon_stderr_log();
    let Some(current) = logs::current_file(&dir) else {
        if !args.follow {
            let mut hint = String::new();
            if std::fs::metadata(&stderr_log).is_ok_and(|m| m.len() > 0) {
                hint = format!(
                    "; the daemon's start-up errors are in {}",
                    stderr_log.display()
                );
            }
            bail!(
                "no daemon log in {} yet (the daemon writes one once it has started){hint}",
                dir.display()
            );
        }
        return follow(&dir, None, 0);
    };
    let text = logs::tail(&current, args.lines)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if std::fs::metadata(&stderr_log)
        .and_then(|m| m.modified())
        .ok()
        .zip(std::fs::metadata(&current).and_then(|m| m.modified()).ok())
        .is_some_and(|(errors, log)| errors > log)
    {
        eprintln!(
            "(the daemon's last start-up errors are in {})",
            stderr_log.display()
        );
    }
    if !args.follow {
        return Ok(());
    }
    let offset = std::fs::metadata(&current).map(|m| m.len()).unwrap_or(0);
    follow(&dir, Some(current), offset)
}

/// Print what is appended to the current file, moving to the next day's file when the
/// daemon rotates; never returns unless printing fails.
fn follow(
    dir: &std::path::Path,
    mut current: Option<PathBuf>,
    mut offset: u64,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    loop {
        if let Some(path) = &current {
            if let Ok((text, end)) = logs::read_from(path, offset) {
                out.write_all(text.as_bytes())?;
                out.flush()?;
                offset = end;
            }
        }
        let newest = logs::current_file(dir);
        if newest.is_some() && newest != current {
            // Rotated (or first written): the rest of the old file was printed above.
            current = newest;
            offset = 0;
            continue;
        }
        std::thread::sleep(POLL);
    }
}

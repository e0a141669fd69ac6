//! Questions the CLI asks (an access key, a password, an MFA code): a prompt on a
//! terminal, hidden for secrets, else one line of standard input.
//!
//! Every prompt reads through the process's one buffered stdin (`Stdin::lock`), never a
//! reader of its own: a reader of its own fills its buffer past the first line, and the
//! next prompt finds the second line gone (`printf 'AKIA…\nSECRET\n' | switchyard
//! credentials add` must read both).

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::{bail, Context};

/// The longest line read from stdin.
const MAX_LINE: u64 = 4096;

/// Read a line: a prompt on a terminal (hidden for secrets), else one line of stdin.
pub fn prompt(question: &str, hidden: bool) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        if hidden {
            return rpassword::prompt_password(question).context("reading the secret");
        }
        eprint!("{question}");
        return Ok(read_stdin_line()?.trim().to_owned());
    }
    let line = read_stdin_line()?;
    if line.trim().is_empty() {
        bail!(
            "expected {} on standard input",
            question.trim_end_matches([':', ' '])
        );
    }
    Ok(line.trim().to_owned())
}

/// One line of stdin, trimmed; `None` when there is none (end of input, an empty line).
pub fn stdin_line() -> anyhow::Result<Option<String>> {
    let line = read_stdin_line()?;
    let line = line.trim();
    Ok((!line.is_empty()).then(|| line.to_owned()))
}

/// Whether the process has a controlling terminal to ask at.
pub fn has_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// One line of stdin (at most [`MAX_LINE`] bytes), through the shared buffer.
fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_LINE)
        .read_line(&mut line)
        .context("reading standard input")?;
    Ok(line)
}

/// Ask at the controlling terminal (`/dev/tty`), whatever stdin and stderr are: for
/// `credential-process`, whose stdout and stderr the AWS CLI captures. `None` when the
/// process has no terminal.
pub fn prompt_terminal(question: &str) -> anyhow::Result<Option<String>> {
    let Ok(mut tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return Ok(None);
    };
    tty.write_all(question.as_bytes())?;
    tty.flush()?;
    let mut line = String::new();
    std::io::BufReader::new(tty.take(MAX_LINE))
        .read_line(&mut line)
        .context("reading the terminal")?;
    Ok(Some(line.trim().to_owned()))
}

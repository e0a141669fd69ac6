//! Questions the CLI asks at the terminal (an access key, a password, an MFA code): a
//! prompt on a terminal, hidden for secrets, else one line of standard input.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{bail, Context};

/// Read a line: a hidden prompt on a terminal, else one line of stdin.
pub fn prompt(question: &str, hidden: bool) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        if hidden {
            return rpassword::prompt_password(question).context("reading the secret");
        }
        eprint!("{question}");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim().to_owned());
    }
    let mut line = String::new();
    std::io::BufReader::new(std::io::stdin().take(4096))
        .read_line(&mut line)
        .context("reading standard input")?;
    if line.trim().is_empty() {
        bail!(
            "expected {} on standard input",
            question.trim_end_matches([':', ' '])
        );
    }
    Ok(line.trim().to_owned())
}

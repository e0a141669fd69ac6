//! What the CLI prints and how: every stdout write returns its error (so a closed pipe,
//! `switchyard accounts | head`, ends the command quietly with success, as ripgrep does,
//! instead of a panic), one JSON shape for every `--json` (the protocol's reply
//! envelope), tables with headers, colors only on a terminal without `NO_COLOR`, and
//! plain words for counts and states.

use std::io::{IsTerminal, Write};

use comfy_table::{presets, Cell, ContentArrangement, Table};
use switchyard_shared::protocol::{Reply, RequestId};

/// `println!` that returns the write's error instead of panicking (in a function that
/// returns a `Result`).
macro_rules! outln {
    () => {
        $crate::cli::output::line("")?
    };
    ($($arg:tt)*) => {
        $crate::cli::output::line(&format!($($arg)*))?
    };
}

/// Write one line to stdout.
pub fn line(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Write text as it is to stdout.
pub fn text(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Whether the error is stdout closed under us (the reader went away): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An exit code chosen by the command after it printed its answer (e.g. `policy check`:
/// 2 when the decision is not `allowed`); `main` exits with it and prints nothing more.
#[derive(Debug)]
pub struct ExitWith(pub u8);

impl std::fmt::Display for ExitWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for ExitWith {}

/// Print `data` as a successful reply envelope, the shape every `--json` prints (also
/// for answers made by the CLI itself, without the daemon).
pub fn print_json_ok<T: serde::Serialize>(data: &T) -> std::io::Result<()> {
    let reply = Reply::ok(RequestId::number(1), data);
    line(&String::from_utf8_lossy(&reply.to_bytes()))
}

/// Whether to color stdout: a terminal, and no `NO_COLOR` (https://no-color.org).
pub fn colors() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A table with a header row, as wide as the terminal allows (unbounded when piped).
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(match std::io::stdout().is_terminal() {
            true => ContentArrangement::Dynamic,
            false => ContentArrangement::Disabled,
        })
        .set_header(header.iter().map(|h| Cell::new(h.to_uppercase())));
    if !colors() {
        table.force_no_tty();
    }
    table
}

/// Print a table (each line without trailing spaces).
pub fn print_table(table: &Table) -> std::io::Result<()> {
    for row in table.lines() {
        line(row.trim_end())?;
    }
    Ok(())
}

/// A cell colored `#rrggbb` on a terminal, plain otherwise.
pub fn colored(text: &str, hex: Option<&str>) -> Cell {
    let cell = Cell::new(text);
    match (colors(), hex.and_then(rgb)) {
        (true, Some((r, g, b))) => cell.fg(comfy_table::Color::Rgb { r, g, b }),
        _ => cell,
    }
}

fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// `1 account`, `3 accounts`: a count with its noun (`plural` when it is not just `s`).
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    match n {
        1 => format!("1 {singular}"),
        n => format!("{n} {plural}"),
    }
}

/// A state as a plain lowercase word (`ACTIVE` → `active`, `PENDING_CLOSURE` → `pending
/// closure`, `Paused` → `paused`).
pub fn word(state: &str) -> String {
    state.to_lowercase().replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_states_and_colors_in_words() {
        assert_eq!(count(1, "account", "accounts"), "1 account");
        assert_eq!(count(0, "account", "accounts"), "0 accounts");
        assert_eq!(count(2, "policy", "policies"), "2 policies");
        assert_eq!(word("PENDING_CLOSURE"), "pending closure");
        assert_eq!(word("Paused"), "paused");
        assert_eq!(rgb("#ff8000"), Some((255, 128, 0)));
        assert_eq!(rgb("red"), None);
    }

    #[test]
    fn a_piped_table_has_a_header_and_no_color() {
        let mut table = table(&["id", "name"]);
        table.add_row(vec![
            Cell::new("123456789012"),
            colored("Client A", Some("#ff0000")),
        ]);
        let lines: Vec<String> = table.lines().map(|l| l.trim_end().to_owned()).collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["ID", "NAME"]
        );
        assert!(
            lines[1].contains("Client A") && !lines[1].contains('\u{1b}'),
            "{lines:?}"
        );
    }
}

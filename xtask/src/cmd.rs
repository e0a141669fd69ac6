//! Running commands and finding the folders xtask works in.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Caches kept outside the clone: `$SWITCHYARD_CACHE`, else `~/.cache/switchyard`.
/// Everything in it can be rebuilt from nothing.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("SWITCHYARD_CACHE")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("switchyard")))
        .unwrap_or_else(|| root().join("target/cache"))
}

/// The cargo target dir for native builds: `$CARGO_TARGET_DIR`, else one in the cache so
/// fresh clones reuse a warm build.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_dir().join("target"))
}

/// The cargo target dir for the wasm build: its own, because the wasm build may use
/// another compiler than the host build. Beside `$CARGO_TARGET_DIR` when that is set (so
/// two checkouts with their own target dirs never share an extension build), else in the
/// cache.
pub fn wasm_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| PathBuf::from(dir).join("wasm-target"))
        .unwrap_or_else(|| cache_dir().join("target-wasm"))
}

/// `cargo` (the one that runs xtask) in the repository, with the shared target dir.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(root())
        .env("CARGO_TARGET_DIR", target_dir());
    command
}

/// Run a command, failing with its command line if it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("xtask: $ {}", show(command));
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", show(command)))?;
    if !status.success() {
        bail!("{} failed with {status}", show(command));
    }
    Ok(())
}

/// Run a command and return its stdout, or None if it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn show(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

//! `cargo xtask demo`: the extension in Chromium, talking to the daemon, with the daemon
//! pointed at the local AWS stand-in (moto) unless AWS credentials are configured.

use std::path::PathBuf;
use std::process::Command;

use crate::build::{self, Profile};
use crate::cmd::{self, target_dir};
use crate::setup;

/// `screenshots`: where the tour saves its pictures; `<target dir>/screenshots` when none
/// is given, so a demo never changes the work tree unless asked to.
pub fn run(headless: bool, screenshots: Option<PathBuf>) -> anyhow::Result<()> {
    let tools = setup::run()?;
    let built = build::build(&tools, Profile::Release)?;
    let mut node = Command::new("node");
    node.arg("tour.mjs");
    build::browser_env(&mut node, &tools, &built);
    let screenshots = match screenshots {
        Some(dir) => std::path::absolute(dir)?,
        None => target_dir().join("screenshots"),
    };
    std::fs::create_dir_all(&screenshots)?;
    node.env("SWITCHYARD_SCREENSHOTS", &screenshots);
    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    node.env(
        "SWITCHYARD_HEADED",
        if display && !headless { "1" } else { "0" },
    );
    cmd::run(&mut node)
}

//! `cargo xtask demo`: the extension in Chromium, talking to the daemon, with the daemon
//! pointed at the local AWS stand-in (moto) unless AWS credentials are configured.

use std::process::Command;

use crate::build::{self, Profile};
use crate::cmd::{self, root};
use crate::setup;

pub fn run(headless: bool) -> anyhow::Result<()> {
    let tools = setup::run()?;
    let built = build::build(&tools, Profile::Release)?;
    let mut node = Command::new("node");
    node.arg("tour.mjs");
    build::browser_env(&mut node, &tools, &built);
    node.env("SWITCHYARD_SCREENSHOTS", root().join("docs/screenshots"));
    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    node.env(
        "SWITCHYARD_HEADED",
        if display && !headless { "1" } else { "0" },
    );
    cmd::run(&mut node)
}

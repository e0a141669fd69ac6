//! `cargo xtask bench --only popup`: the popup with 10,000 imported targets, in headless
//! Chromium: the first open ever (nothing cached) to its first rows, and the filter per
//! keystroke (with what an exact name such as `client-1001` lists). The browser test
//! `tests/e2e/search.test.mjs` measures them with `performance` marks in the popup page;
//! this runs it against the release build and repeats its `FIGURE` lines.

use std::process::{Command, Stdio};

use anyhow::{bail, Context};

use crate::build::{self, Built};
use crate::setup::Tools;

pub fn run(tools: &Tools, built: &Built) -> anyhow::Result<()> {
    let mut node = Command::new("node");
    node.args(["--test", "--test-concurrency=1", "search.test.mjs"]);
    build::browser_env(&mut node, tools, built);
    let out = node
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .context("running node (tests/e2e/search.test.mjs)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        eprintln!("{text}");
        bail!("the popup's browser test failed, so its figures are not printed");
    }
    println!("popup figures (headless Chromium, 10,000 imported targets, release build)");
    for line in text.lines() {
        if let Some(at) = line.find("FIGURE ") {
            println!("{}", &line[at + "FIGURE ".len()..]);
        }
    }
    Ok(())
}

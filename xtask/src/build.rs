//! Building the binaries and the packaged extension, and running the browser tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::cmd::{self, root, target_dir};
use crate::setup::{Tools, WasmToolchain};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

/// Where the build put things.
#[derive(Debug, Clone)]
pub struct Built {
    /// Folder holding `switchyard` and `switchyard-host`.
    pub bin_dir: PathBuf,
    /// The unpacked Chromium extension.
    pub extension_dir: PathBuf,
    /// The unpacked Firefox extension (the same files, the manifest from
    /// [`crate::firefox::firefox_manifest`]).
    pub firefox_dir: PathBuf,
}

pub fn build(tools: &Tools, profile: Profile) -> anyhow::Result<Built> {
    let bin_dir = build_bins(profile)?;
    let extension_dir = build_extension(tools)?;
    let firefox_dir = build_firefox(&extension_dir)?;
    Ok(Built {
        bin_dir,
        extension_dir,
        firefox_dir,
    })
}

/// Build `switchyard` and `switchyard-host` (and, for the browser tests of a debug build,
/// the testkit's `identity-center-standin`); returns their folder.
pub fn build_bins(profile: Profile) -> anyhow::Result<PathBuf> {
    let mut cargo = cmd::cargo();
    cargo.args(["build", "-p", "switchyard-daemon", "--bins"]);
    match profile {
        Profile::Release => {
            cargo.arg("--release");
        }
        Profile::Debug => {
            cargo.args(["-p", "switchyard-testkit"]);
        }
    }
    cmd::run(&mut cargo)?;
    Ok(target_dir().join(match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    }))
}

/// Build the wasm crate, bind it, optimize it and lay out the unpacked extension: the
/// whole crate in `pkg/` (the service worker and every page but the popup), and the popup
/// alone (`--no-default-features`) in `pkg-popup/`, so the popup loads only its own code.
pub fn build_extension(tools: &Tools) -> anyhow::Result<PathBuf> {
    let out = target_dir().join("extension/chromium");
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("cleaning {}", out.display()))?;
    }
    // Each build overwrites the same .wasm file: bind it before the next build.
    for (features, dir) in [
        (&[][..], "pkg"),
        (&["--no-default-features"][..], "pkg-popup"),
    ] {
        let wasm = build_wasm(tools, features)?;
        bind_wasm(tools, &wasm, &out.join(dir))?;
    }
    copy_dir(&root().join("manifest/chromium"), &out)?;
    copy_dir(&root().join("manifest/icons"), &out.join("icons"))?;
    copy_dir(&root().join("extension/static"), &out)?;
    if !out.join("manifest.json").is_file() {
        bail!("the extension has no manifest.json at {}", out.display());
    }
    eprintln!("xtask: extension built at {}", out.display());
    Ok(out)
}

/// Build the wasm crate with `features` (extra cargo arguments); the `.wasm` file.
fn build_wasm(tools: &Tools, features: &[&str]) -> anyhow::Result<PathBuf> {
    let wasm_target = cmd::wasm_target_dir();
    let mut cargo = match &tools.wasm {
        WasmToolchain::Rustup => {
            let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            c.args(["build"]);
            c
        }
        WasmToolchain::DebianBuildStd { cargo } => {
            let mut c = Command::new(cargo);
            c.env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld")
                // rustup's environment would otherwise pick rustup's rustc.
                .env_remove("RUSTC")
                .env_remove("RUSTUP_TOOLCHAIN")
                .env("RUSTC", "/usr/bin/rustc")
                .args(["build", "-Zbuild-std=std,panic_abort"]);
            c
        }
    };
    cargo
        .current_dir(root())
        .env("CARGO_TARGET_DIR", &wasm_target)
        .args([
            "-p",
            "switchyard-extension",
            "--lib",
            "--profile",
            "wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(features);
    cmd::run(&mut cargo)?;
    Ok(wasm_target.join("wasm32-unknown-unknown/wasm/switchyard_extension.wasm"))
}

/// `wasm-bindgen` the module into `pkg`, then `wasm-opt` it.
fn bind_wasm(tools: &Tools, wasm: &Path, pkg: &Path) -> anyhow::Result<()> {
    cmd::run(
        Command::new(&tools.wasm_bindgen)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(pkg)
            .arg(wasm),
    )?;
    let bg = pkg.join("switchyard_extension_bg.wasm");
    cmd::run(
        Command::new("wasm-opt")
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                "-o",
            ])
            .arg(&bg)
            .arg(&bg),
    )
}

/// The Firefox extension beside the built Chromium one: its files, with the manifest
/// derived from the Chromium manifest.
pub fn build_firefox(chromium_dir: &Path) -> anyhow::Result<PathBuf> {
    let out = chromium_dir.with_file_name("firefox");
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("cleaning {}", out.display()))?;
    }
    copy_dir(chromium_dir, &out)?;
    let manifest_path = chromium_dir.join("manifest.json");
    let chromium: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?,
    )
    .with_context(|| format!("parsing {}", manifest_path.display()))?;
    let firefox = crate::firefox::firefox_manifest(&chromium)?;
    fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&firefox)? + "\n",
    )?;
    eprintln!("xtask: Firefox extension built at {}", out.display());
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Environment the browser scripts read to find what was built.
pub fn browser_env(command: &mut Command, tools: &Tools, built: &Built) {
    command
        .current_dir(root().join("tests/e2e"))
        .env("SWITCHYARD_EXTENSION_DIR", &built.extension_dir)
        .env("SWITCHYARD_FIREFOX_EXTENSION_DIR", &built.firefox_dir)
        .env("SWITCHYARD_BIN_DIR", &built.bin_dir)
        .env("SWITCHYARD_MOTO_PYTHON", &tools.moto_python)
        .env("CHROMIUM", "/usr/bin/chromium")
        .env("FIREFOX", "/usr/bin/firefox-esr");
}

/// The browser end-to-end tests (node's test runner driving Chromium and Firefox).
pub fn e2e(tools: &Tools, built: &Built, files: &[String]) -> anyhow::Result<()> {
    // The Firefox package as `dist` zips it, for the test that Firefox accepts it.
    let xpi = built.firefox_dir.with_file_name("switchyard-firefox.xpi");
    crate::archive::zip_dir(&built.firefox_dir, &xpi, 0)?;
    let mut node = Command::new("node");
    node.args(["--test", "--test-concurrency=1"]).args(files);
    browser_env(&mut node, tools, built);
    node.env("SWITCHYARD_FIREFOX_XPI", &xpi);
    cmd::run(&mut node)
}

//! `cargo xtask`: everything beyond `cargo build`, in Rust rather than shell scripts.
//!
//! - `setup`: install what the other commands need (idempotent)
//! - `build`: the binaries and the packaged extension
//! - `dist`: the release artifacts (extension zips, binaries tarball, checksums)
//! - `test`: every test, including the browser end-to-end tests
//! - `demo`: the extension in Chromium against the local AWS stand-in
//! - `bench`: the figures recorded in docs/benchmarks.md

mod archive;
mod bench;
mod build;
mod cmd;
mod demo;
mod dist;
mod firefox;
mod setup;
#[cfg(test)]
mod tidy;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install missing system packages, wasm-bindgen-cli, the moto venv and playwright-core.
    Setup,
    /// Build the binaries and the packaged extension.
    Build {
        /// Build release binaries (the extension is always optimized).
        #[arg(long)]
        release: bool,
    },
    /// Build the release artifacts into <target dir>/dist/: the Chromium-family zip, the
    /// Firefox .xpi, the release binaries as a tarball, and SHA256SUMS.
    Dist,
    /// Run every test: unit, integration and browser end-to-end.
    Test,
    /// Build, then run only the browser end-to-end tests (optionally some files of
    /// tests/e2e, e.g. `popup.test.mjs`).
    E2e { files: Vec<String> },
    /// Open the extension in Chromium against the local AWS stand-in (headless with
    /// screenshots when there is no display).
    Demo {
        /// Run headless and save screenshots even when a display is available.
        #[arg(long)]
        headless: bool,
        /// Where the screenshots go (default: `<target dir>/screenshots`, outside the work
        /// tree); `--screenshots docs/screenshots` refreshes the README's pictures.
        #[arg(long, value_name = "DIR")]
        screenshots: Option<std::path::PathBuf>,
    },
    /// Measure the figures in docs/benchmarks.md and print them.
    Bench {
        /// Only this group of figures (default: all).
        #[arg(long, value_enum)]
        only: Option<bench::Group>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup => setup::run().map(|_| ()),
        Command::Build { release } => setup::run().and_then(|tools| {
            build::build(
                &tools,
                if release {
                    build::Profile::Release
                } else {
                    build::Profile::Debug
                },
            )
            .map(|_| ())
        }),
        Command::Dist => setup::run().and_then(|tools| dist::run(&tools)),
        Command::Test => test(),
        Command::E2e { files } => setup::run().and_then(|tools| {
            let built = build::build(&tools, build::Profile::Debug)?;
            build::e2e(&tools, &built, &files)
        }),
        Command::Demo {
            headless,
            screenshots,
        } => demo::run(headless, screenshots),
        Command::Bench { only } => bench::run(only),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn test() -> anyhow::Result<()> {
    let tools = setup::run()?;
    let built = build::build(&tools, build::Profile::Debug)?;
    cmd::run(
        cmd::cargo()
            .args(["test", "--workspace", "--all-targets"])
            .env("SWITCHYARD_MOTO_PYTHON", &tools.moto_python)
            .env("SWITCHYARD_AWSCLI", &tools.aws_cli),
    )?;
    build::e2e(&tools, &built, &[])
}

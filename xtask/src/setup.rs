//! Installing what the build and the tests need, idempotently: Debian packages (when
//! root with apt), wasm-bindgen-cli at exactly the Cargo.lock version, a moto venv, an
//! AWS CLI venv and playwright-core. Where it cannot install, it says exactly what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::cmd::{self, cache_dir, output, root};

/// moto version the stand-in runs (see DESIGN.md for what it does and lacks).
pub const MOTO_VERSION: &str = "5.2.5";
/// The AWS CLI release the benchmark compares against.
pub const AWSCLI_VERSION: &str = "1.46.3";

/// Packages every machine needs.
const PACKAGES: &[&str] = &[
    "lld",
    "binaryen",
    "chromium",
    "firefox-esr",
    "gnome-keyring",
    "libsecret-tools",
    "dbus",
    "python3-venv",
    "nodejs",
    "npm",
];
/// Debian's wasm-capable Rust, needed only where rustup has no wasm32 target.
const DEBIAN_WASM_RUST: &[&str] = &["rustc-web", "cargo-web", "rust-web-src"];

/// How the wasm build is done on this machine.
#[derive(Debug, Clone)]
pub enum WasmToolchain {
    /// rustup's wasm32-unknown-unknown target is installed: an ordinary build.
    Rustup,
    /// Debian's rustc-web with `-Zbuild-std` and wasm-ld.
    DebianBuildStd { cargo: PathBuf },
}

/// What setup found or installed.
#[derive(Debug, Clone)]
pub struct Tools {
    pub wasm: WasmToolchain,
    pub wasm_bindgen: PathBuf,
    pub moto_python: PathBuf,
    /// The AWS CLI (`aws`), for the `credential_process` test and the benchmarks.
    pub aws_cli: PathBuf,
}

pub fn run() -> anyhow::Result<Tools> {
    let wasm = if rustup_has_wasm_target() {
        WasmToolchain::Rustup
    } else {
        WasmToolchain::DebianBuildStd {
            cargo: PathBuf::from("/usr/bin/cargo"),
        }
    };
    let mut wanted: Vec<&str> = PACKAGES.to_vec();
    if matches!(wasm, WasmToolchain::DebianBuildStd { .. }) {
        wanted.extend_from_slice(DEBIAN_WASM_RUST);
    }
    // Node and npm may come from elsewhere than Debian; only ask for them when missing.
    wanted.retain(|p| {
        !(matches!(*p, "nodejs" | "npm") && on_path(if *p == "nodejs" { "node" } else { "npm" }))
    });
    ensure_packages(&wanted)?;
    let wasm_bindgen = ensure_wasm_bindgen()?;
    let moto_python = ensure_moto()?;
    let aws_cli = ensure_awscli()?;
    ensure_node_modules()?;
    Ok(Tools {
        wasm,
        wasm_bindgen,
        moto_python,
        aws_cli,
    })
}

fn on_path(program: &str) -> bool {
    output(Command::new("sh").args(["-c", &format!("command -v {program}")])).is_some()
}

fn rustup_has_wasm_target() -> bool {
    output(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
}

fn ensure_packages(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|status| !status.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !is_root || !on_path("apt-get") {
        bail!(
            "missing system packages: {}. Install them with:\n  sudo apt-get install -y {}\n\
             (on other systems: Chromium, Firefox ESR, lld, binaryen, gnome-keyring, python3-venv, node and npm)",
            missing.join(" "),
            missing.join(" ")
        );
    }
    cmd::run(Command::new("apt-get").args(["update", "-q"]))?;
    cmd::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing),
    )
}

/// The wasm-bindgen version pinned in Cargo.lock.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn ensure_wasm_bindgen() -> anyhow::Result<PathBuf> {
    let version = locked_wasm_bindgen_version()?;
    let root_dir = cache_dir().join(format!("wasm-bindgen-{version}"));
    let bin = root_dir.join("bin/wasm-bindgen");
    let matches = |bin: &Path| {
        output(Command::new(bin).arg("--version"))
            .is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str()))
    };
    if matches(&bin) {
        return Ok(bin);
    }
    install_wasm_bindgen(&version, &root_dir, cmd::run)?;
    if !matches(&bin) {
        bail!(
            "installed {} but it does not report version {version}",
            bin.display()
        );
    }
    Ok(bin)
}

/// `cargo install wasm-bindgen-cli --version VERSION --locked` into `root_dir`, run by
/// `run`. Only `--locked`: the CLI writes the JavaScript glue that ships in the extension,
/// so it is built from the dependencies its release was tested with or not at all (no
/// retry that resolves them afresh).
fn install_wasm_bindgen(
    version: &str,
    root_dir: &Path,
    mut run: impl FnMut(&mut Command) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            version,
            "--locked",
            "--root",
        ])
        .arg(root_dir)
        .env_remove("CARGO_TARGET_DIR");
    run(&mut command).with_context(|| {
        format!(
            "cargo install wasm-bindgen-cli {version} --locked failed; it is not retried \
             without --locked (the glue it writes ships in the extension): fix what cargo \
             says above (network, a yanked dependency: update wasm-bindgen in Cargo.lock)"
        )
    })
}

fn ensure_moto() -> anyhow::Result<PathBuf> {
    let venv = cache_dir().join(format!("moto-{MOTO_VERSION}"));
    let check = "import moto, flask, boto3; print(moto.__version__)";
    python_venv(
        &venv,
        &format!("moto[server]=={MOTO_VERSION}"),
        check,
        MOTO_VERSION,
    )?;
    Ok(venv.join("bin/python"))
}

/// The AWS CLI (v1, from PyPI) in its own venv, for the side-by-side benchmarks and the
/// `credential_process` integration test (`$SWITCHYARD_AWSCLI`); returns the `aws`
/// executable.
pub fn ensure_awscli() -> anyhow::Result<PathBuf> {
    let venv = cache_dir().join(format!("awscli-{AWSCLI_VERSION}"));
    let check = "import awscli; print(awscli.__version__)";
    python_venv(
        &venv,
        &format!("awscli=={AWSCLI_VERSION}"),
        check,
        AWSCLI_VERSION,
    )?;
    Ok(venv.join("bin/aws"))
}

/// A venv at `venv` with `requirement` installed, unless `check` (python code) already
/// prints `version` there.
fn python_venv(venv: &Path, requirement: &str, check: &str, version: &str) -> anyhow::Result<()> {
    let python = venv.join("bin/python");
    let installed = |python: &Path| {
        output(Command::new(python).args(["-c", check])).is_some_and(|v| v.trim() == version)
    };
    if installed(&python) {
        return Ok(());
    }
    let system_python = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| output(Command::new(p).args(["-c", "import venv, ensurepip"])).is_some())
        .context("no python3 with venv and ensurepip; install python3-venv")?;
    cmd::run(
        Command::new(system_python)
            .args(["-m", "venv", "--clear"])
            .arg(venv),
    )?;
    cmd::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "-q"])
            .arg(requirement),
    )?;
    if !installed(&python) {
        bail!("{requirement} did not install into {}", venv.display());
    }
    Ok(())
}

fn ensure_node_modules() -> anyhow::Result<()> {
    let dir = root().join("tests/e2e");
    let modules = dir.join("node_modules");
    // Every package of tests/e2e/package.json (jsqr reads the Users page's QR code;
    // aesr-config is AWS Extend Switch Roles' own parser, for the differential test).
    let missing = ["playwright-core", "jsqr", "aesr-config"]
        .iter()
        .any(|name| !modules.join(name).join("package.json").is_file());
    if missing {
        cmd::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed `--locked` install is an error, not a second install resolving afresh.
    #[test]
    fn wasm_bindgen_is_installed_locked_or_not_at_all() {
        let mut seen = Vec::new();
        let err = install_wasm_bindgen("0.2.100", Path::new("/nonexistent"), |command| {
            seen.push(
                command
                    .get_args()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            bail!("the registry said no")
        })
        .unwrap_err();
        assert_eq!(
            seen,
            ["install wasm-bindgen-cli --version 0.2.100 --locked --root /nonexistent"]
        );
        let text = format!("{err:#}");
        assert!(text.contains("not retried without --locked"), "{text}");
        assert!(text.contains("the registry said no"), "{text}");

        let mut runs = 0;
        install_wasm_bindgen("0.2.100", Path::new("/x"), |_| {
            runs += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(runs, 1);
    }
}

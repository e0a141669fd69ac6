//! `cargo xtask dist`: the release artifacts under `<target dir>/dist/`: the Chromium-family
//! extension zip (Chrome, Chromium, Brave, Edge), the Firefox package (`.xpi`), the
//! release binaries in a tarball (with shell completions and the man page), and
//! `SHA256SUMS` (`sha256sum -c` reads it).
//!
//! The archives are reproducible: entries sorted, fixed permissions, and one timestamp
//! (`SOURCE_DATE_EPOCH`, else the last commit's time), so the same inputs give the same
//! checksums.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::archive::{tar_gz, zip_dir};
use crate::build::{self, Profile};
use crate::cmd::{self, root, target_dir};
use crate::setup::Tools;

/// What goes into the artifacts.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub version: String,
    /// Folder holding the release `switchyard` and `switchyard-host`.
    pub bin_dir: PathBuf,
    /// The unpacked Chromium and Firefox extensions.
    pub chromium_dir: PathBuf,
    pub firefox_dir: PathBuf,
    /// Files put beside the binaries in the tarball (README).
    pub docs: Vec<PathBuf>,
    /// Files generated from the CLI put in the tarball under their relative path: shell
    /// completions and the man page.
    pub generated: Vec<(String, PathBuf)>,
    /// `os-arch` of the binaries, e.g. `linux-x86_64`.
    pub platform: String,
    /// Seconds since 1970 stamped on every archive entry.
    pub timestamp: u64,
}

/// The binaries the tarball holds.
pub const BINARIES: &[&str] = &["switchyard", "switchyard-host"];

/// The checksums file's name.
pub const CHECKSUMS: &str = "SHA256SUMS";

pub fn run(tools: &Tools) -> anyhow::Result<()> {
    let bin_dir = build::build_bins(Profile::Release)?;
    let chromium_dir = build::build_extension(tools)?;
    let firefox_dir = build::build_firefox(&chromium_dir)?;
    let generated = generate(
        &bin_dir.join("switchyard"),
        &target_dir().join("dist-generated"),
    )?;
    let inputs = Inputs {
        version: switchyard_shared::APP_VERSION.to_owned(),
        bin_dir,
        chromium_dir,
        firefox_dir,
        docs: vec![root().join("README.md")],
        generated,
        platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        timestamp: timestamp(),
    };
    let out = target_dir().join("dist");
    for path in package(&inputs, &out)? {
        println!("{}", path.display());
    }
    Ok(())
}

/// The shell completions and the man page, made by the built CLI from its clap
/// definitions (`switchyard completions SHELL`, `switchyard man`), as (path in the
/// tarball, file).
fn generate(switchyard: &Path, dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    fs::create_dir_all(dir)?;
    let mut generated = Vec::new();
    for (args, name) in [
        (&["completions", "bash"][..], "completions/switchyard.bash"),
        (&["completions", "zsh"], "completions/_switchyard"),
        (&["completions", "fish"], "completions/switchyard.fish"),
        (&["man"], "man/switchyard.1"),
    ] {
        let out = std::process::Command::new(switchyard).args(args).output()?;
        if !out.status.success() || out.stdout.is_empty() {
            anyhow::bail!(
                "switchyard {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let path = dir.join(name.replace('/', "-"));
        fs::write(&path, &out.stdout)?;
        generated.push((name.to_owned(), path));
    }
    Ok(generated)
}

/// `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the last commit's time,
/// else 0.
fn timestamp() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .or_else(|| {
            cmd::output(
                Command::new("git")
                    .args(["log", "-1", "--format=%ct"])
                    .current_dir(root()),
            )
        })
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Write the artifacts into `out` (emptied first); returns their paths, checksums last.
pub fn package(inputs: &Inputs, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("cleaning {}", out.display()))?;
    }
    fs::create_dir_all(out)?;
    let v = &inputs.version;
    let mut artifacts = Vec::new();

    let chromium = out.join(format!("switchyard-{v}-chromium.zip"));
    zip_dir(&inputs.chromium_dir, &chromium, inputs.timestamp)?;
    artifacts.push(chromium);

    let firefox = out.join(format!("switchyard-{v}-firefox.xpi"));
    zip_dir(&inputs.firefox_dir, &firefox, inputs.timestamp)?;
    artifacts.push(firefox);

    let tarball = out.join(format!("switchyard-{v}-{}.tar.gz", inputs.platform));
    let top = format!("switchyard-{v}");
    let mut entries: Vec<(String, PathBuf, u32)> = BINARIES
        .iter()
        .map(|b| (format!("{top}/{b}"), inputs.bin_dir.join(b), 0o755))
        .collect();
    for doc in &inputs.docs {
        let name = doc
            .file_name()
            .context("a doc without a file name")?
            .to_string_lossy();
        entries.push((format!("{top}/{name}"), doc.clone(), 0o644));
    }
    for (name, path) in &inputs.generated {
        entries.push((format!("{top}/{name}"), path.clone(), 0o644));
    }
    tar_gz(&entries, &tarball, inputs.timestamp)?;
    artifacts.push(tarball);

    let mut sums = String::new();
    for artifact in &artifacts {
        let bytes = fs::read(artifact)?;
        let name = artifact
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        sums.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(&bytes))));
    }
    let checksums = out.join(CHECKSUMS);
    fs::write(&checksums, sums)?;
    artifacts.push(checksums);
    Ok(artifacts)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn inputs(dir: &Path) -> Inputs {
        let bin_dir = dir.join("bin");
        write(&bin_dir.join("switchyard"), "cli");
        write(&bin_dir.join("switchyard-host"), "host");
        let chromium_dir = dir.join("ext/chromium");
        write(&chromium_dir.join("manifest.json"), r#"{"key":"k"}"#);
        write(&chromium_dir.join("pkg/x.wasm"), "wasm");
        write(&chromium_dir.join("icons/i.png"), "png");
        let firefox_dir = dir.join("ext/firefox");
        write(
            &firefox_dir.join("manifest.json"),
            r#"{"browser_specific_settings":{}}"#,
        );
        write(&firefox_dir.join("pkg/x.wasm"), "wasm");
        write(&dir.join("README.md"), "read me");
        write(&dir.join("switchyard.1"), "man page");
        Inputs {
            version: "1.2.3".to_owned(),
            bin_dir,
            chromium_dir,
            firefox_dir,
            docs: vec![dir.join("README.md")],
            generated: vec![("man/switchyard.1".into(), dir.join("switchyard.1"))],
            platform: "linux-x86_64".to_owned(),
            timestamp: 1_764_547_200, // 2025-12-01T00:00:00Z
        }
    }

    fn zip_entries(path: &Path) -> Vec<(String, String)> {
        let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut file = zip.by_index(i).unwrap();
                let mut text = String::new();
                file.read_to_string(&mut text).unwrap();
                assert_eq!(
                    file.last_modified().unwrap().to_string(),
                    "2025-12-01 00:00:00"
                );
                (file.name().unwrap().into_owned(), text)
            })
            .collect()
    }

    #[test]
    fn artifacts_hold_exactly_the_built_files() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs = inputs(tmp.path());
        let out = tmp.path().join("dist");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("switchyard-0.0.1-chromium.zip"), "stale").unwrap();
        let artifacts = package(&inputs, &out).unwrap();
        let names: Vec<_> = artifacts
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "switchyard-1.2.3-chromium.zip",
                "switchyard-1.2.3-firefox.xpi",
                "switchyard-1.2.3-linux-x86_64.tar.gz",
                "SHA256SUMS"
            ]
        );
        // The stale artifact of another version is gone.
        assert_eq!(fs::read_dir(&out).unwrap().count(), 4);

        assert_eq!(
            zip_entries(&artifacts[0]),
            [
                ("icons/i.png".to_owned(), "png".to_owned()),
                ("manifest.json".to_owned(), r#"{"key":"k"}"#.to_owned()),
                ("pkg/x.wasm".to_owned(), "wasm".to_owned()),
            ]
        );
        assert_eq!(
            zip_entries(&artifacts[1]),
            [
                (
                    "manifest.json".to_owned(),
                    r#"{"browser_specific_settings":{}}"#.to_owned()
                ),
                ("pkg/x.wasm".to_owned(), "wasm".to_owned()),
            ]
        );

        let gz = flate2::read::GzDecoder::new(fs::File::open(&artifacts[2]).unwrap());
        let mut tar = tar::Archive::new(gz);
        let listed: Vec<(String, u32, u64, String)> = tar
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut text = String::new();
                e.read_to_string(&mut text).unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    text,
                )
            })
            .collect();
        let t = inputs.timestamp;
        assert_eq!(
            listed,
            [
                ("switchyard-1.2.3/switchyard".into(), 0o755, t, "cli".into()),
                (
                    "switchyard-1.2.3/switchyard-host".into(),
                    0o755,
                    t,
                    "host".into()
                ),
                (
                    "switchyard-1.2.3/README.md".into(),
                    0o644,
                    t,
                    "read me".into()
                ),
                (
                    "switchyard-1.2.3/man/switchyard.1".into(),
                    0o644,
                    t,
                    "man page".into()
                ),
            ]
        );

        // The checksums are those of the files, in `sha256sum -c` format.
        let sums = fs::read_to_string(&artifacts[3]).unwrap();
        let lines: Vec<&str> = sums.lines().collect();
        assert_eq!(lines.len(), 3);
        for (line, artifact) in lines.iter().zip(&artifacts) {
            let digest = hex(&Sha256::digest(fs::read(artifact).unwrap()));
            let name = artifact.file_name().unwrap().to_str().unwrap();
            assert_eq!(*line, format!("{digest}  {name}"));
        }
    }

    #[test]
    fn same_inputs_give_the_same_checksums() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs = inputs(tmp.path());
        let first = package(&inputs, &tmp.path().join("a")).unwrap();
        let second = package(&inputs, &tmp.path().join("b")).unwrap();
        assert_eq!(fs::read(&first[3]).unwrap(), fs::read(&second[3]).unwrap());
        // A changed file changes its artifact's checksum, and only that one.
        write(&inputs.firefox_dir.join("pkg/x.wasm"), "other");
        let third = package(&inputs, &tmp.path().join("c")).unwrap();
        let (a, c) = (
            fs::read_to_string(&first[3]).unwrap(),
            fs::read_to_string(&third[3]).unwrap(),
        );
        let differs: Vec<bool> = a.lines().zip(c.lines()).map(|(x, y)| x != y).collect();
        assert_eq!(differs, [false, true, false]);
    }

    #[test]
    fn bad_inputs_fail_with_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let mut no_manifest = inputs(tmp.path());
        fs::remove_file(no_manifest.chromium_dir.join("manifest.json")).unwrap();
        let err = package(&no_manifest, &tmp.path().join("d")).unwrap_err();
        assert!(err.to_string().contains("has no manifest.json"), "{err:#}");

        no_manifest = inputs(tmp.path());
        fs::remove_file(no_manifest.bin_dir.join("switchyard-host")).unwrap();
        let err = package(&no_manifest, &tmp.path().join("e")).unwrap_err();
        assert!(format!("{err:#}").contains("switchyard-host"), "{err:#}");
    }
}

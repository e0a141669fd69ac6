//! The world the AWS benchmarks run in: moto seeded with the sample organization, a
//! private gnome-keyring holding alice's key, and the release `switchyard` binaries with
//! their own runtime, state and config dirs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};
use switchyard_testkit::{Moto, SecretService, Seeded};

use crate::setup::Tools;

pub struct BenchSandbox {
    pub moto: Moto,
    pub seeded: Seeded,
    // Kept alive for the daemon's keyring reads.
    _keyring: SecretService,
    pub switchyard: PathBuf,
    pub host: PathBuf,
    pub envs: Vec<(&'static str, PathBuf)>,
}

impl BenchSandbox {
    /// Moto with `members` member accounts (and alice in `groups` groups), alice's key in
    /// the keyring as the default profile.
    pub fn start(
        tools: &Tools,
        bin_dir: &Path,
        members: usize,
        groups: usize,
    ) -> anyhow::Result<BenchSandbox> {
        let moto = Moto::start_with(&tools.moto_python);
        let seeded = moto.seed_with(&tools.moto_python, members, false, groups);
        let keyring = SecretService::start();
        let home = keyring.home().to_owned();
        let switchyard = bin_dir.join("switchyard");
        let envs = vec![
            ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(keyring.address())),
            ("HOME", home.clone()),
            ("SWITCHYARD_RUNTIME_DIR", home.join("run")),
            ("SWITCHYARD_STATE_DIR", home.join("state")),
            ("SWITCHYARD_CONFIG_DIR", home.join("config")),
            ("SWITCHYARD_DAEMON_BIN", switchyard.clone()),
        ];
        let sandbox = BenchSandbox {
            moto,
            seeded,
            _keyring: keyring,
            host: bin_dir.join("switchyard-host"),
            switchyard,
            envs,
        };
        let mut add = sandbox
            .cli(&[
                "credentials",
                "add",
                "--access-key-id",
                &sandbox.seeded.access_key_id,
                "--endpoint-url",
                &sandbox.moto.endpoint,
            ])
            .spawn()?;
        add.stdin
            .take()
            .context("stdin")?
            .write_all(format!("{}\n", sandbox.seeded.secret_access_key).as_bytes())?;
        let added = add.wait_with_output()?;
        if !added.status.success() {
            bail!(
                "credentials add failed: {}",
                String::from_utf8_lossy(&added.stderr)
            );
        }
        Ok(sandbox)
    }

    /// `switchyard ARGS` in the sandbox.
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.switchyard);
        command
            .args(args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .env_remove("AWS_ENDPOINT_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// The environment that makes the AWS CLI act as alice against the sandbox's moto.
    pub fn aws_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", self.seeded.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                self.seeded.secret_access_key.clone(),
            ),
            ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
            ("AWS_ENDPOINT_URL", self.moto.endpoint.clone()),
            ("AWS_CONFIG_FILE", "/nonexistent".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".to_owned()),
        ]
    }

    /// The AWS CLI as alice, against the sandbox's moto.
    pub fn aws(&self, aws: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(aws);
        command
            .args(args)
            .args(["--output", "json"])
            .envs(self.aws_env());
        command
    }
}

impl Drop for BenchSandbox {
    fn drop(&mut self) {
        if let Ok(pid) = super::status_pid(&self.switchyard, &self.envs) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

//! Which AWS the daemon will talk to and whether credentials are available, read from
//! the standard AWS environment (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_PROFILE`,
//! the shared credentials file).
//!
//! This is what `status` reports until credentials move into the OS keyring.

use std::path::{Path, PathBuf};

use switchyard_shared::protocol::{AwsTarget, CredentialsState};

/// The environment the daemon reads, captured once so it can be tested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsEnv {
    pub endpoint_url: Option<String>,
    pub access_key_id: Option<String>,
    pub profile: Option<String>,
    pub credentials_file: Option<PathBuf>,
}

impl AwsEnv {
    pub fn from_process() -> AwsEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let credentials_file = var("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| dirs::home_dir().map(|h| h.join(".aws").join("credentials")));
        AwsEnv {
            endpoint_url: var("AWS_ENDPOINT_URL"),
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            profile: var("AWS_PROFILE"),
            credentials_file,
        }
    }

    /// Real AWS, the local stand-in (an endpoint on a loopback address), or another
    /// endpoint override.
    pub fn target(&self) -> AwsTarget {
        match &self.endpoint_url {
            None => AwsTarget::Aws,
            Some(endpoint) if is_loopback_url(endpoint) => AwsTarget::LocalStandIn {
                endpoint: endpoint.clone(),
            },
            Some(endpoint) => AwsTarget::CustomEndpoint {
                endpoint: endpoint.clone(),
            },
        }
    }

    /// Whether credentials are configured, and where they come from: profiles stored
    /// with `switchyard credentials add` (listed in `keyring_profiles`) first, then the
    /// standard AWS environment and shared credentials file.
    pub fn credentials(&self, keyring_profiles: &[String]) -> CredentialsState {
        let found = |source: &str| CredentialsState {
            configured: true,
            source: Some(source.to_owned()),
        };
        if !keyring_profiles.is_empty() {
            return found(&format!(
                "keyring, profiles {}",
                keyring_profiles.join(", ")
            ));
        }
        if self.access_key_id.is_some() {
            return found("environment");
        }
        if let Some(file) = &self.credentials_file {
            let profile = self.profile.as_deref().unwrap_or("default");
            if file_has_profile(file, profile) {
                return found(&format!("shared credentials file, profile {profile}"));
            }
        }
        CredentialsState {
            configured: false,
            source: None,
        }
    }
}

fn file_has_profile(file: &Path, profile: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let header = format!("[{profile}]");
    text.lines().any(|line| line.trim() == header)
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_classified() {
        let env = |url: Option<&str>| AwsEnv {
            endpoint_url: url.map(str::to_owned),
            ..AwsEnv::default()
        };
        assert_eq!(env(None).target(), AwsTarget::Aws);
        for local in [
            "http://127.0.0.1:5000",
            "http://localhost:5000/",
            "http://[::1]:5000",
            "http://127.3.4.5",
        ] {
            assert!(
                matches!(env(Some(local)).target(), AwsTarget::LocalStandIn { .. }),
                "{local}"
            );
        }
        for custom in [
            "https://vpce-1.sts.us-east-1.vpce.amazonaws.com",
            "http://10.0.0.1:80",
        ] {
            assert!(
                matches!(env(Some(custom)).target(), AwsTarget::CustomEndpoint { .. }),
                "{custom}"
            );
        }
    }

    #[test]
    fn credentials_come_from_env_or_the_shared_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("credentials");
        let mut env = AwsEnv {
            credentials_file: Some(file.clone()),
            ..AwsEnv::default()
        };
        assert!(!env.credentials(&[]).configured, "no file yet");

        std::fs::write(&file, "[work]\naws_access_key_id = AKIAEXAMPLE\n").unwrap();
        assert!(!env.credentials(&[]).configured, "default profile absent");
        env.profile = Some("work".into());
        assert_eq!(
            env.credentials(&[]).source.as_deref(),
            Some("shared credentials file, profile work")
        );

        env.access_key_id = Some("AKIAEXAMPLE".into());
        assert_eq!(env.credentials(&[]).source.as_deref(), Some("environment"));
        assert_eq!(
            env.credentials(&["a".into(), "b".into()]).source.as_deref(),
            Some("keyring, profiles a, b")
        );
    }
}

//! The IAM Identity Center stand-in ([`switchyard_testkit::identity_center`]) as a process,
//! for the browser tests (Node): started with a JSON description of what it grants,
//! `{"grants": [["ACCOUNT", "NAME", ["ROLE", …]], …], "credentials": {"ACCOUNT/ROLE":
//! ["ACCESS_KEY_ID", "SECRET", "SESSION_TOKEN"]}}`, it prints `{"endpoint": "http://…"}`
//! on one line and serves until its standard input closes.

use std::io::Read;

use switchyard_testkit::identity_center::{IdentityCenter, RoleCredentials};

fn main() {
    let spec: serde_json::Value = std::env::args()
        .nth(1)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let ic = IdentityCenter::start();
    for grant in spec["grants"].as_array().into_iter().flatten() {
        let roles: Vec<&str> = grant[2]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
            .collect();
        ic.grant(
            grant[0].as_str().unwrap_or_default(),
            grant[1].as_str().unwrap_or_default(),
            &roles,
        );
    }
    for (key, value) in spec["credentials"].as_object().into_iter().flatten() {
        let Some((account, role)) = key.split_once('/') else {
            continue;
        };
        let part = |i: usize| value[i].as_str().unwrap_or_default().to_owned();
        ic.set_role_credentials(
            account,
            role,
            RoleCredentials {
                access_key_id: part(0),
                secret_access_key: part(1),
                session_token: part(2),
            },
        );
    }
    println!("{}", serde_json::json!({ "endpoint": ic.endpoint }));
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

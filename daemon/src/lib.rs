//! The Switchyard daemon, its CLI and the native-messaging host, as one library with
//! three thin binaries.
//!
//! The daemon is the only part that will hold credentials and call AWS; the host
//! ([`host`]) only frames, checks the caller and relays, so it can start in a few
//! milliseconds for every browser connection. Both speak [`switchyard_shared::protocol`].

pub mod accounts;
pub mod aws;
pub mod aws_env;
pub mod client;
pub mod config;
pub mod credentials;
pub mod dispatch;
pub mod doctor;
pub mod framing;
pub mod host;
pub mod https;
pub mod install;
pub mod logs;
pub mod paths;
pub mod profiles;
pub mod provision;
pub mod roles;
pub mod rotate;
pub mod server;
pub mod session;
pub mod switch;
pub mod users;

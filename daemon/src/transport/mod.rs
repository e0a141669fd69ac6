//! How messages arrive and leave: native-messaging framing on the host's stdio
//! ([`framing`]), the host that relays them ([`host`]), the daemon's HTTP/1.1 server on a
//! Unix socket ([`server`]) and its client ([`client`], used by the host and the CLI),
//! and [`dispatch`], which hands each message type to its service; [`loopback`] receives
//! the browser's redirect at the end of an IAM Identity Center sign-in.
//!
//! **Architecture invariant:** only this folder knows HTTP on the local socket (axum,
//! hyper's server and client); services see a request and return a reply.

pub mod client;
pub mod dispatch;
pub mod framing;
pub mod host;
pub mod loopback;
pub mod server;

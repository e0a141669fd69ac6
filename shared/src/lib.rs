//! Switchyard's API boundary: the wire protocol and the pure logic that both sides of it
//! need.
//!
//! This crate does no I/O, starts no runtime and knows nothing of wasm-bindgen, so it
//! builds for the host and for `wasm32-unknown-unknown` alike and is tested natively.
//! Only [`protocol`] types travel on the wire; everything else here is logic the daemon
//! and the extension share so that it exists exactly once.

pub mod account_panel;
pub mod aws_messages;
pub mod connection;
pub mod console_session;
pub mod extension_ids;
pub mod imports;
pub mod json_depth;
pub mod options;
pub mod policy;
pub mod popup;
pub mod popup_list;
pub mod protocol;
pub mod provision;
pub mod provision_form;
pub mod roles;
pub mod search;
pub mod settings;
pub mod switch;
pub mod targets;
pub mod users;
pub mod users_page;

/// The version of this build of Switchyard (all crates share one version).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

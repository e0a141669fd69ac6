//! Switchyard's API boundary: the wire protocol, and the domain rules that both sides of
//! it need so that they exist exactly once.
//!
//! - [`protocol`]: every message on the wire (envelope, error codes, one module per
//!   message family). It depends on nothing else here.
//! - [`policy`]: the IAM policy engine (documents, conditions, evaluation).
//! - The domain rules: [`switch`] (switch targets, sign-in and console hosts, the switch
//!   requests; with [`settings`] and [`console_session`]), [`targets`] and [`imports`]
//!   (who may switch where, and hand-written lists), [`sso`] (IAM Identity Center sign-ins
//!   and `~/.aws/config`'s `sso_*` settings), [`scope`] (which targets a console
//!   session reaches), [`multi_session`] (the identities signed in now and how a switch
//!   respects them), [`provision`] (plans, checks and the
//!   job journal's rules), [`users`] (IAM user rules), [`team`] (the names, colors and role hints a
//!   whole team sees, from account tags), [`connection`] (a broken link to
//!   the daemon and its fix) and [`extension_ids`] (who may talk to the host).
//!
//! This crate does no I/O, starts no runtime and knows nothing of wasm-bindgen or the
//! DOM, so it builds for the host and for `wasm32-unknown-unknown` alike and is tested
//! natively. What only the extension shows (its view models) lives in
//! `extension/src/view`; what only the daemon does lives in the daemon.

pub mod connection;
pub mod console_session;
pub mod extension_ids;
pub mod imports;
pub mod multi_session;
pub mod policy;
pub mod protocol;
pub mod provision;
pub mod scope;
pub mod settings;
pub mod sso;
pub mod switch;
pub mod targets;
pub mod team;
pub mod users;

/// The version of this build of Switchyard (all crates share one version).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

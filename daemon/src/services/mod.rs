//! What each message does, one module per capability: [`accounts`] (`accounts.list`),
//! [`roles`] (`roles.list`, `roles.import`), [`switch`] (`switch.federate`), [`users`]
//! (`users.*`, `mfa.setup`, `mfa.enable`), [`provision`] (`account.create`, jobs,
//! `account.close`), [`rotate`] (`credentials.rotate`), [`session`] (which credentials a
//! call uses, and the MFA sessions held in memory), [`sso`] (IAM Identity Center sign-ins:
//! `sso.*`, the token every caller shares, the portal's roles), [`credentials`]
//! (`credentials.get`: the provider stack; `sessions.end`), [`layers`] (the
//! temporary credentials handed out, cached with one refresh at a time),
//! [`mfa_wait`] (`mfa.wait`, `mfa.pending`: commands without a terminal waiting for an MFA
//! code entered elsewhere) and [`profiles`] (`profiles.list`).
//!
//! Services call AWS only through [`crate::aws`] and reach the disk and the keyring only
//! through [`crate::system`]; the transport calls them through
//! [`crate::transport::dispatch`].

pub mod accounts;
pub mod credentials;
pub mod layers;
pub mod mfa_wait;
pub mod profiles;
pub mod provision;
pub mod roles;
pub mod rotate;
pub mod session;
pub mod sso;
pub mod switch;
pub mod users;

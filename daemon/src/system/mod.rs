//! The machine the daemon runs on: where it keeps things ([`paths`]), its log ([`logs`]),
//! the non-secret settings file ([`config`]), the OS keyring that holds the secrets
//! ([`keyring`]), registering the host with browsers and the daemon as a service
//! ([`install`]), and `switchyard doctor`'s checks ([`doctor`]).

pub mod config;
pub mod doctor;
pub mod install;
pub mod keyring;
pub mod logs;
pub mod paths;

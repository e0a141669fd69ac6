//! The Switchyard daemon, its CLI and the native-messaging host, as one library with
//! thin binaries (`src/main.rs` for `switchyard`, `src/bin/switchyard-host.rs`).
//!
//! The daemon is the only part that holds credentials and calls AWS; the host
//! ([`transport::host`]) only frames, checks the caller and relays, so it can start in a
//! few milliseconds for every browser connection. Both speak
//! [`switchyard_shared::protocol`]. The library is in four layers, one folder each:
//!
//! - [`transport`]: how messages arrive and leave (native-messaging framing, the host, the
//!   daemon's HTTP-over-Unix-socket server and its client, and the dispatch of each
//!   message type to its service). Only this layer knows the local HTTP.
//! - [`services`]: what each message does (accounts, roles, switch, users, provisioning
//!   jobs, key rotation, MFA sessions, profiles), in terms of the two layers below.
//! - [`aws`]: the thin AWS layer: SDK clients, each AWS call and its errors, the bare
//!   HTTPS GET of the sign-in endpoint, and the standard AWS environment. Only this layer
//!   knows the AWS SDK.
//! - [`system`]: the machine: paths, logs, the config file, the keyring, installing the
//!   host and the service, and `doctor`'s checks.
//!
//! The command line (`src/cli/`, one file per command family) belongs to the `switchyard`
//! binary, not to this library.

pub mod aws;
pub mod services;
pub mod system;
pub mod transport;

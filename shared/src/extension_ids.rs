//! Which browser extensions may talk to the native host, and what it relays for them.
//!
//! The Chromium id is fixed by the public `key` in `manifest/chromium/manifest.json`
//! (the id is derived from that key, so the two must change together; `xtask/src/tidy.rs`
//! checks it). The Firefox id is the `browser_specific_settings.gecko.id`.

/// Name under which the native-messaging host is registered with browsers.
pub const HOST_NAME: &str = "com.switchyard.host";

/// Chromium-family extension id (Chrome, Chromium, Brave, Edge) of the development build.
pub const CHROMIUM_EXTENSION_ID: &str = "fckpphpaflmmcocfemjogfaiblilmlih";

/// Firefox add-on id. A GUID in braces, the form Mozilla accepts besides `name@domain`:
/// an id of that other form claims a domain, and the project holds none (whoever held
/// `switchyard.dev` could publish an add-on of that id on addons.mozilla.org first).
pub const FIREFOX_EXTENSION_ID: &str = "{b59b782c-3e62-4c41-b9d4-f195cc4615a3}";

/// The message types the native-messaging host relays: those the extension sends (its
/// worker, pages and the create-account page's own ports; a test in the extension crate
/// reads its sources to keep this list whole). The rest (`ping`, `jobs.*`,
/// `credentials.rotate`, …) are the `switchyard` CLI's, on the daemon's socket only: a
/// page that got hold of the extension could not reach them.
pub const RELAYED_TYPES: &[&str] = &[
    "hello",
    "status",
    "identity",
    "accounts.list",
    "accounts.set",
    "mfa.submit",
    "roles.list",
    "roles.import",
    "roles.sources",
    "profiles.list",
    "switch.federate",
    "users.list",
    "users.create",
    "users.remove",
    "mfa.setup",
    "mfa.enable",
    "account.create",
    "account.close",
    "account.check_email",
    "job.watch",
    "provision.allowed",
    "sso.status",
    "sso.login",
    "identity_center.options",
    "account.root",
    "mfa.pending",
    "closures.list",
];

/// Whether the host relays a request of this `type`.
pub fn is_relayed(kind: &str) -> bool {
    RELAYED_TYPES.contains(&kind)
}

/// The origin Chromium passes to the host as its first argument.
pub fn chromium_origin(extension_id: &str) -> String {
    format!("chrome-extension://{extension_id}/")
}

/// Whether the caller the browser names may use the host.
///
/// Chromium passes `chrome-extension://ID/`; Firefox passes the manifest path first and
/// the add-on id second, so the host checks every argument it is given.
pub fn is_allowed_caller(arg: &str) -> bool {
    arg == chromium_origin(CHROMIUM_EXTENSION_ID) || arg == FIREFOX_EXTENSION_ID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_known_callers() {
        assert!(is_allowed_caller(
            "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/"
        ));
        assert!(is_allowed_caller("{b59b782c-3e62-4c41-b9d4-f195cc4615a3}"));
        assert!(!is_allowed_caller("switchyard@switchyard.dev"));
        assert!(!is_allowed_caller(
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
        ));
        assert!(!is_allowed_caller(
            "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih"
        ));
        assert!(!is_allowed_caller(""));
    }

    /// The Firefox id claims no domain: `{8-4-4-4-12 hex digits}`, as Mozilla's GUID form.
    #[test]
    fn the_firefox_id_is_a_guid() {
        let id = FIREFOX_EXTENSION_ID;
        let inner = id
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .unwrap_or_else(|| panic!("{id} is not in braces"));
        let groups: Vec<usize> = inner.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            inner.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
            "{id}"
        );
        assert!(!id.contains('@'), "{id} claims a domain");
    }

    #[test]
    fn every_relayed_type_is_a_message() {
        for kind in RELAYED_TYPES {
            assert!(crate::protocol::Request::TYPES.contains(kind), "{kind}");
        }
        assert!(is_relayed("hello") && is_relayed("switch.federate"));
        for cli_only in [
            "ping",
            "jobs.list",
            "jobs.cancel",
            "jobs.prune",
            "mfa.wait",
            "credentials.rotate",
            "nope",
        ] {
            assert!(!is_relayed(cli_only), "{cli_only}");
        }
    }
}

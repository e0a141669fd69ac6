//! Which browser extensions may talk to the native host.
//!
//! The Chromium id is fixed by the public `key` in `manifest/chromium/manifest.json`
//! (the id is derived from that key, so the two must change together; `xtask/src/tidy.rs`
//! checks it). The Firefox id is the `browser_specific_settings.gecko.id`.

/// Name under which the native-messaging host is registered with browsers.
pub const HOST_NAME: &str = "com.switchyard.host";

/// Chromium-family extension id (Chrome, Chromium, Brave, Edge) of the development build.
pub const CHROMIUM_EXTENSION_ID: &str = "fckpphpaflmmcocfemjogfaiblilmlih";

/// Firefox add-on id.
pub const FIREFOX_EXTENSION_ID: &str = "switchyard@switchyard.dev";

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
        assert!(is_allowed_caller("switchyard@switchyard.dev"));
        assert!(!is_allowed_caller(
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
        ));
        assert!(!is_allowed_caller(
            "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih"
        ));
        assert!(!is_allowed_caller(""));
    }
}

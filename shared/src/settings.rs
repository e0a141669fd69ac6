//! The extension's preferences, set on the options page and read by the popup and the
//! service worker.
//!
//! They live in `chrome.storage.local` under [`STORAGE_KEY`] as the JSON of [`Settings`].
//! Reading is lenient on purpose: a missing field takes its default and a stored value
//! this version cannot read gives the defaults, so an older or newer extension never
//! leaves the popup blank over a preference.

use serde::{Deserialize, Serialize};

/// The `chrome.storage.local` key holding the settings.
pub const STORAGE_KEY: &str = "settings";

/// Everything the options page can set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct Settings {
    /// Show account ids in the popup (off: names and aliases only).
    pub hide_account_ids: bool,
    /// Show each target's color chip.
    pub show_colors: bool,
    /// Where a plain click (or Enter) opens the console.
    pub open_mode: OpenMode,
    /// How the service worker switches (automatic: the best the active tab allows).
    pub switch_method: SwitchMethod,
    /// The daemon profile whose credentials the extension uses (`None`: the default).
    pub profile: Option<String>,
    /// List only the targets reachable from the console tab's session (an import's
    /// targets under their base account, as AWS Extend Switch Roles lists them; see
    /// [`crate::scope`]). Off: every target, those of other bases marked.
    pub only_reachable: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hide_account_ids: false,
            show_colors: true,
            open_mode: OpenMode::ThisTab,
            switch_method: SwitchMethod::Auto,
            profile: None,
            only_reachable: false,
        }
    }
}

/// Where a switch opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenMode {
    #[default]
    ThisTab,
    NewTab,
}

impl OpenMode {
    /// Whether a click opens a new tab: Ctrl/Cmd-click and middle click always do; a
    /// plain click follows the setting.
    pub fn new_tab(self, modifier_or_middle: bool) -> bool {
        modifier_or_middle || self == OpenMode::NewTab
    }
}

/// The way to switch the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchMethod {
    /// Through the console session when the active tab is a console page (its
    /// multi-session request, else its classic switch-role form, sent hidden), else
    /// federated sign-in.
    #[default]
    Auto,
    /// Only through a console session, never with the daemon's keys: from another page
    /// the console is opened first and the switch made in it.
    Console,
    /// Always federated sign-in through the daemon (no console session needed).
    Federation,
}

impl SwitchMethod {
    pub const ALL: [SwitchMethod; 3] = [
        SwitchMethod::Auto,
        SwitchMethod::Console,
        SwitchMethod::Federation,
    ];

    /// The stored name (`auto`, `console`, `federation`).
    pub fn name(self) -> &'static str {
        match self {
            SwitchMethod::Auto => "auto",
            SwitchMethod::Console => "console",
            SwitchMethod::Federation => "federation",
        }
    }

    pub fn from_name(name: &str) -> Option<SwitchMethod> {
        SwitchMethod::ALL.into_iter().find(|m| m.name() == name)
    }

    /// What the options page shows for it.
    pub fn label(self) -> &'static str {
        match self {
            SwitchMethod::Auto => {
                "Automatic: the console session on a console tab, else federated sign-in"
            }
            SwitchMethod::Console => {
                "Console session only (opens the console first from other pages)"
            }
            SwitchMethod::Federation => "Federated sign-in through the daemon, always",
        }
    }
}

impl Settings {
    /// The settings in a stored JSON text; the defaults when it is absent or unreadable.
    pub fn from_stored(json: Option<&str>) -> Settings {
        json.and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// The JSON text to store.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_unreadable_gives_defaults() {
        assert_eq!(Settings::from_stored(None), Settings::default());
        assert_eq!(Settings::from_stored(Some("not json")), Settings::default());
        assert_eq!(Settings::from_stored(Some("[1]")), Settings::default());
        assert_eq!(
            Settings::from_stored(Some(r#"{"open_mode":"sideways"}"#)),
            Settings::default()
        );
    }

    #[test]
    fn a_partial_record_keeps_the_other_defaults() {
        let settings = Settings::from_stored(Some(r#"{"hide_account_ids":true}"#));
        assert!(settings.hide_account_ids);
        assert!(settings.show_colors);
        assert_eq!(settings.switch_method, SwitchMethod::Auto);
    }

    #[test]
    fn round_trips() {
        let settings = Settings {
            hide_account_ids: true,
            show_colors: false,
            open_mode: OpenMode::NewTab,
            switch_method: SwitchMethod::Federation,
            profile: Some("work".into()),
            only_reachable: true,
        };
        assert_eq!(Settings::from_stored(Some(&settings.to_stored())), settings);
        assert!(settings
            .to_stored()
            .contains(r#""switch_method":"federation""#));
    }

    #[test]
    fn open_mode_and_clicks() {
        assert!(!OpenMode::ThisTab.new_tab(false));
        assert!(OpenMode::ThisTab.new_tab(true));
        assert!(OpenMode::NewTab.new_tab(false));
        assert!(OpenMode::NewTab.new_tab(true));
    }

    #[test]
    fn method_names() {
        for method in SwitchMethod::ALL {
            assert_eq!(SwitchMethod::from_name(method.name()), Some(method));
        }
        assert_eq!(SwitchMethod::from_name("teleport"), None);
    }
}

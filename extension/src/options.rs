//! The options page: connection and versions, the profile the extension uses, display
//! and switching preferences (stored as [`Settings`] in `chrome.storage.local`, saved on
//! every change), the popup's keyboard shortcut, importing an AWS Extend Switch Roles
//! configuration and what each hand-written list gives.
//!
//! What to show is decided by `crate::view::options` and `popup::view`; this module
//! renders and wires events.

use crate::view::options::{
    import_report, profile_choices, shortcut_line, sources_view, team_view, ImportReport, RoleLine,
};
use crate::view::popup::{view, Tone};
use crate::view::sso_panel;
use switchyard_shared::protocol::roles::{ProfilesData, RolesImportData, RolesSourcesData};
use switchyard_shared::protocol::sso::{SsoLoginData, SsoStatusData};
use switchyard_shared::settings::{OpenMode, Settings, SwitchMethod};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::chrome;
use crate::messages::{self, PageRequest};
use crate::page::{self, append_text, ask, by_id, on, property, set_flag, set_property};
use crate::storage;

#[wasm_bindgen]
extern "C" {
    /// `chrome.commands.getAll()`: the extension's commands and their shortcuts.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "commands"], js_name = getAll)]
    async fn commands_get_all() -> Result<JsValue, JsValue>;
}

/// Called by `options.js` once the module loaded.
#[wasm_bindgen]
pub fn options_start() {
    if let Some(version) = by_id("extension-version") {
        version.set_text_content(Some(switchyard_shared::APP_VERSION));
    }
    build_switch_methods();
    wire_events();
    wasm_bindgen_futures::spawn_local(async {
        let settings = storage::settings().await;
        show_settings(&settings);
        show_connection().await;
        show_profiles(&settings).await;
        show_shortcut().await;
        show_sso().await;
        show_sources().await;
    });
}

async fn show_connection() {
    let state =
        messages::decode_connection_state(page::ask_worker(&PageRequest::ConnectionState).await);
    let shown = view(&state);
    if let Some(line) = by_id("connection") {
        line.set_class_name(match shown.tone {
            Tone::Busy => "tone-busy",
            Tone::Good => "tone-good",
            Tone::Bad => "tone-bad",
        });
        line.set_text_content(Some(&shown.headline));
    }
    if let Some(action) = by_id("connection-action") {
        action.set_text_content(shown.action.as_deref());
        set_flag(&action, "hidden", shown.action.is_none());
    }
    if let Some(facts) = by_id("connection-facts") {
        facts.set_text_content(None);
        for (label, value) in &shown.facts {
            append_text(&facts, "dt", label);
            append_text(&facts, "dd", value);
        }
        if let Some(code) = &shown.code {
            append_text(&facts, "dt", "Error code");
            append_text(&facts, "dd", code);
        }
    }
}

fn build_switch_methods() {
    let Some(fieldset) = by_id("switch-methods") else {
        return;
    };
    for method in SwitchMethod::ALL {
        let Some(label) = append_text(&fieldset, "label", "") else {
            continue;
        };
        label.set_class_name("check");
        let Some(input) = page::document().and_then(|d| d.create_element("input").ok()) else {
            continue;
        };
        let _ = input.set_attribute("type", "radio");
        let _ = input.set_attribute("name", "switch_method");
        let _ = input.set_attribute("value", method.name());
        let _ = input.set_attribute("id", &format!("switch-{}", method.name()));
        let _ = label.append_child(&input);
        let _ = label.append_with_str_1(&format!(" {}", method.label()));
    }
}

fn checkbox(id: &str) -> Option<Element> {
    by_id(id)
}

fn show_settings(settings: &Settings) {
    let set_checked = |id: &str, on: bool| {
        if let Some(input) = checkbox(id) {
            set_property(&input, "checked", &JsValue::from_bool(on));
        }
    };
    set_checked("hide-account-ids", settings.hide_account_ids);
    set_checked("show-colors", settings.show_colors);
    set_checked("only-reachable", settings.only_reachable);
    set_checked("open-this-tab", settings.open_mode == OpenMode::ThisTab);
    set_checked("open-new-tab", settings.open_mode == OpenMode::NewTab);
    for method in SwitchMethod::ALL {
        set_checked(
            &format!("switch-{}", method.name()),
            settings.switch_method == method,
        );
    }
}

/// The settings as the form shows them now (the profile from the selector).
fn read_form(previous: &Settings) -> Settings {
    let checked = |id: &str| {
        checkbox(id)
            .map(|e| property(&e, "checked").as_bool().unwrap_or(false))
            .unwrap_or(false)
    };
    let switch_method = SwitchMethod::ALL
        .into_iter()
        .find(|m| checked(&format!("switch-{}", m.name())))
        .unwrap_or(previous.switch_method);
    let profile = by_id("profile")
        .and_then(|select| property(&select, "value").as_string())
        .filter(|value| !value.is_empty());
    Settings {
        hide_account_ids: checked("hide-account-ids"),
        show_colors: checked("show-colors"),
        open_mode: if checked("open-new-tab") {
            OpenMode::NewTab
        } else {
            OpenMode::ThisTab
        },
        switch_method,
        profile,
        only_reachable: checked("only-reachable"),
    }
}

async fn show_profiles(settings: &Settings) {
    let (Some(select), Some(note)) = (by_id("profile"), by_id("profile-note")) else {
        return;
    };
    match ask::<ProfilesData>(PageRequest::ProfilesList).await {
        Ok(data) => {
            select.set_text_content(None);
            for choice in profile_choices(&data, settings.profile.as_deref()) {
                if let Some(option) = append_text(&select, "option", &choice.label) {
                    let _ = option.set_attribute("value", choice.value.as_deref().unwrap_or(""));
                    set_flag(&option, "selected", choice.selected);
                }
            }
            note.set_text_content(Some(if data.profiles.is_empty() {
                "No profiles yet: add one with `switchyard credentials add --profile NAME`."
            } else {
                "Role lists, switching and the admin pages use this profile."
            }));
        }
        Err(error) => {
            note.set_text_content(Some(&format!(
                "The profiles could not be read: {} ({})",
                error.message, error.code
            )));
        }
    }
}

async fn show_shortcut() {
    let Some(line) = by_id("shortcut") else {
        return;
    };
    let shortcut = commands_get_all()
        .await
        .ok()
        .and_then(|all| chrome::to_json_text(&all))
        .and_then(|text| serde_json::from_str::<Vec<serde_json::Value>>(&text).ok())
        .and_then(|commands| {
            commands
                .into_iter()
                .find(|c| c.get("name").and_then(|n| n.as_str()) == Some("_execute_action"))
        })
        .and_then(|c| {
            c.get("shortcut")
                .and_then(|s| s.as_str())
                .map(str::to_owned)
        });
    line.set_text_content(Some(&shortcut_line(shortcut.as_deref())));
}

async fn show_sources() {
    let Some(container) = by_id("sources") else {
        return;
    };
    container.set_text_content(None);
    match ask::<RolesSourcesData>(PageRequest::RolesSources).await {
        Ok(data) => {
            for source in sources_view(&data) {
                let Some(block) = append_text(&container, "div", "") else {
                    continue;
                };
                block.set_class_name("source");
                append_text(&block, "h3", &source.title);
                append_text(&block, "p", &source.status);
                role_list(&block, &source.roles);
                list(&block, "Skipped", &source.skipped);
            }
            show_team(&data);
        }
        Err(error) => {
            append_text(
                &container,
                "p",
                &format!(
                    "The lists could not be read: {} ({})",
                    error.message, error.code
                ),
            );
        }
    }
}

/// A list's roles, each with the color the popup shows (a chip) and what the team set
/// for its account.
fn role_list(parent: &Element, roles: &[RoleLine]) {
    if roles.is_empty() {
        return;
    }
    let Some(list) = append_text(parent, "ul", "") else {
        return;
    };
    let _ = list.set_attribute("aria-label", "Roles");
    for role in roles {
        let Some(item) = append_text(&list, "li", "") else {
            continue;
        };
        chip(&item, role.color.as_deref());
        let _ = item.insert_adjacent_text("beforeend", &role.text);
        if let Some(team) = &role.team {
            if let Some(note) = append_text(&item, "span", team) {
                note.set_class_name("team-look muted");
            }
        }
    }
}

/// A small color swatch (only six hex digits reach the style attribute).
fn chip(parent: &Element, color: Option<&str>) {
    let Some(color) = color.filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return;
    };
    if let Some(swatch) = append_text(parent, "span", "") {
        swatch.set_class_name("chip");
        let _ = swatch.set_attribute("style", &format!("background: #{color}"));
        let _ = swatch.set_attribute("aria-hidden", "true");
    }
}

/// The names and colors the team set on the organization's accounts.
fn show_team(data: &RolesSourcesData) {
    let Some(container) = by_id("team") else {
        return;
    };
    container.set_text_content(None);
    let (rows, none) = team_view(data);
    if let Some(none) = none {
        if let Some(line) = append_text(&container, "p", "") {
            line.set_class_name("muted");
            crate::page::set_code_text(&line, &none);
        }
        return;
    }
    let Some(list) = append_text(&container, "ul", "") else {
        return;
    };
    let _ = list.set_attribute("aria-label", "Accounts the team named or colored");
    for row in rows {
        let Some(item) = append_text(&list, "li", "") else {
            continue;
        };
        chip(&item, row.color.as_deref());
        if let Some(name) = append_text(&item, "strong", &row.name) {
            name.set_class_name("team-name");
        }
        if let Some(detail) = append_text(&item, "span", &row.detail) {
            detail.set_class_name("muted");
        }
    }
}

fn list(parent: &Element, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let Some(list) = append_text(parent, "ul", "") else {
        return;
    };
    let _ = list.set_attribute("aria-label", title);
    for item in items {
        append_text(&list, "li", item);
    }
}

fn show_import(report: &ImportReport) {
    if let Some(headline) = by_id("import-headline") {
        headline.set_text_content(Some(&report.headline));
        headline.set_class_name(if report.kept { "tone-good" } else { "tone-bad" });
    }
    if let Some(skipped) = by_id("import-skipped") {
        skipped.set_text_content(None);
        for line in &report.skipped {
            append_text(&skipped, "li", line);
        }
    }
}

async fn import() {
    let text = by_id("import-text")
        .and_then(|area| property(&area, "value").as_string())
        .unwrap_or_default();
    if text.trim().is_empty() {
        show_import(&ImportReport {
            headline: "Paste a configuration first.".to_owned(),
            skipped: Vec::new(),
            kept: false,
        });
        return;
    }
    match ask::<RolesImportData>(PageRequest::RolesImport { text }).await {
        Ok(data) => {
            show_import(&import_report(&data));
            show_sources().await;
        }
        Err(error) => show_import(&ImportReport {
            headline: format!("Not imported: {} ({})", error.message, error.code),
            skipped: Vec::new(),
            kept: false,
        }),
    }
}

async fn save() {
    let previous = storage::settings().await;
    let settings = read_form(&previous);
    let said = match storage::save_settings(&settings).await {
        Ok(()) => "Saved.".to_owned(),
        Err(e) => format!("Not saved: {e}"),
    };
    if let Some(saved) = by_id("saved") {
        saved.set_text_content(Some(&said));
    }
    if settings.profile != previous.profile {
        show_sources().await;
    }
}

/// Seconds since the Unix epoch, now.
fn now_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// List the Identity Center sessions the daemon knows (`sso.status`); the answer, if any.
async fn show_sso() -> Option<SsoStatusData> {
    let data = ask::<SsoStatusData>(PageRequest::SsoStatus).await.ok()?;
    if let Some(list) = by_id("sso-sessions") {
        list.set_text_content(None);
        for row in sso_panel::rows(&data, now_secs()) {
            if let Some(item) = append_text(&list, "li", &format!("{}: {}", row.title, row.state)) {
                item.set_class_name(if row.problem { "problem" } else { "" });
            }
        }
    }
    Some(data)
}

fn say_sso(id: &str, text: Option<&str>) {
    if let Some(element) = by_id(id) {
        element.set_text_content(text);
    }
}

/// The start-URL form: checked here as the daemon checks it, then `sso.login`; the page
/// it answers opens in a tab, and the outcome is said once the sign-in ends.
async fn sign_in_sso() {
    let field = |id: &str| {
        by_id(id)
            .and_then(|input| property(&input, "value").as_string())
            .unwrap_or_default()
    };
    let checked = sso_panel::check_form(&field("sso-start-url"), &field("sso-region"));
    let problems = checked.as_ref().err().cloned().unwrap_or_default();
    say_sso("sso-start-url-error", problems.start_url.as_deref());
    say_sso("sso-region-error", problems.region.as_deref());
    let Ok((start_url, region)) = checked else {
        say_sso("sso-outcome", None);
        return;
    };
    let request = PageRequest::SsoLoginUrl { start_url, region };
    let data = match ask::<SsoLoginData>(request).await {
        Ok(data) => data,
        Err(error) => {
            say_sso(
                "sso-outcome",
                Some(&format!(
                    "Not signed in: {} ({})",
                    error.message, error.code
                )),
            );
            return;
        }
    };
    say_sso(
        "sso-outcome",
        Some("Approve the sign-in in the tab that opened (your access portal's page)."),
    );
    if data.started {
        crate::page::open_sign_in_page(&data.url).await;
    }
    while now_secs() <= data.expires_at + 2 {
        crate::switching::sleep(1000).await;
        let Some(now) = show_sso().await else {
            continue;
        };
        if !sso_panel::waiting(&now, &data.session) {
            say_sso(
                "sso-outcome",
                Some(&sso_panel::outcome(&now, &data.session)),
            );
            return;
        }
    }
    say_sso(
        "sso-outcome",
        Some("Not signed in: nobody approved the sign-in in time."),
    );
}

fn wire_events() {
    on("settings", "change", |_| {
        wasm_bindgen_futures::spawn_local(save())
    });
    on("settings", "submit", |event| event.prevent_default());
    on("sso-form", "submit", |event| {
        event.prevent_default();
        wasm_bindgen_futures::spawn_local(sign_in_sso())
    });
    on("import", "click", |_| {
        wasm_bindgen_futures::spawn_local(import())
    });
    on("sources-refresh", "click", |_| {
        wasm_bindgen_futures::spawn_local(show_sources())
    });
    on("shortcut-change", "click", |_| {
        wasm_bindgen_futures::spawn_local(async {
            let url = chrome::from_json_text(r#"{"url":"chrome://extensions/shortcuts"}"#);
            let _ = chrome::tabs_create(&url).await;
        })
    });
}

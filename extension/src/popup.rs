//! The popup: shows "Connecting…" at once, asks the service worker for the connection
//! state and renders the [`PopupView`] that `switchyard_shared::popup::view` makes of it;
//! once connected, runs the account panel (`switchyard_shared::account_panel`): who is
//! signed in, the MFA code form, the organization's accounts.
//!
//! Once signed in, it lists the targets of `roles.list`: a click switches the console
//! (the service worker makes the switch, [`crate::switching`]), Ctrl/Cmd+click or a middle
//! click opens it in a new tab, and "Copy link" copies the switch link.
//!
//! Every decision is the shared crate's; this module sends the [`Command`]s the panel
//! asks for through the service worker, feeds the answers back as [`Event`]s, and
//! renders. Elements missing from the page are skipped.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use switchyard_shared::account_panel::{self, Command, Event, Panel, PanelView};
use switchyard_shared::popup::{view, ConnectionState, PopupView, Tone};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::roles::{RolesData, Target};
use switchyard_shared::switch::{switch_link, SwitchTarget};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlInputElement};

use crate::chrome;
use crate::messages::{self, PageRequest, SwitchDone, SwitchMethod, SwitchRequest};

thread_local! {
    static PANEL: RefCell<Panel> = RefCell::new(Panel::default());
    static ROLES: RefCell<Roles> = RefCell::new(Roles::default());
}

/// The switch list: asked for once, when the panel first shows a signed-in user.
#[derive(Default)]
struct Roles {
    requested: bool,
    targets: Vec<Target>,
}

/// Called by `popup.js` once the module loaded.
#[wasm_bindgen]
pub fn popup_start() {
    render(&view(&ConnectionState::Connecting));
    wire_events();
    wasm_bindgen_futures::spawn_local(async {
        let answer = ask_worker(&PageRequest::ConnectionState).await;
        let state = messages::decode_connection_state(answer);
        render(&view(&state));
        if matches!(state, ConnectionState::Connected { .. }) {
            dispatch(Event::Connected);
        }
    });
}

/// Send `request` to the service worker; the JSON text of its answer.
async fn ask_worker(request: &PageRequest) -> Result<Option<String>, String> {
    let question = serde_json::to_string(request)
        .map(|text| chrome::from_json_text(&text))
        .unwrap_or(JsValue::UNDEFINED);
    chrome::send_message(&question)
        .await
        .map(|answer| chrome::to_json_text(&answer))
        .map_err(|e| chrome::error_text(&e))
}

/// Relay `request` to the daemon through the service worker.
async fn ask<T: DeserializeOwned>(request: PageRequest) -> Result<T, ErrorBody> {
    messages::decode_page_answer(ask_worker(&request).await)
}

/// Apply `event` to the panel, render it, and start the command it asks for.
fn dispatch(event: Event) {
    let command = PANEL.with(|panel| panel.borrow_mut().update(event));
    render_panel();
    if let Some(command) = command {
        wasm_bindgen_futures::spawn_local(run(command));
    }
}

async fn run(command: Command) {
    let event = match command {
        Command::AskIdentity => Event::Identity(ask(PageRequest::Identity).await),
        Command::AskAccounts => Event::Accounts(ask(PageRequest::AccountsList).await),
        Command::SubmitMfa(code) => Event::MfaAnswer(ask(PageRequest::MfaSubmit { code }).await),
    };
    dispatch(event);
}

fn page() -> Option<Document> {
    web_sys::window().and_then(|window| window.document())
}

/// Listen to the MFA form's submit (Enter in the field, or the button) and "Try again".
fn wire_events() {
    let Some(document) = page() else { return };
    if let Some(form) = document.get_element_by_id("mfa-form") {
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            event.prevent_default();
            let code = page()
                .and_then(|d| d.get_element_by_id("mfa-code"))
                .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                .map(|input| input.value())
                .unwrap_or_default();
            dispatch(Event::MfaEntered(code));
        })
        .into_js_value();
        let _ = form.add_event_listener_with_callback("submit", on_submit.unchecked_ref());
    }
    if let Some(list) = document.get_element_by_id("roles-list") {
        for (name, auxiliary) in [("click", false), ("auxclick", true)] {
            let on_click =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    on_list_click(event, auxiliary);
                })
                .into_js_value();
            let _ = list.add_event_listener_with_callback(name, on_click.unchecked_ref());
        }
    }
    if let Some(retry) = document.get_element_by_id("retry") {
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(|_event: web_sys::Event| {
            dispatch(Event::Retry);
        })
        .into_js_value();
        let _ = retry.add_event_listener_with_callback("click", on_click.unchecked_ref());
    }
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Busy => "tone-busy",
        Tone::Good => "tone-good",
        Tone::Bad => "tone-bad",
    }
}

fn set_hidden(element: &Element, hidden: bool) {
    set_flag(element, "hidden", hidden);
}

/// Set or remove a boolean attribute (`hidden`, `disabled`, `readonly`).
fn set_flag(element: &Element, name: &str, on: bool) {
    // Setting or removing a plain attribute cannot fail.
    let _ = if on {
        element.set_attribute(name, "")
    } else {
        element.remove_attribute(name)
    };
}

/// Replace the connection summary with `shown`.
fn render(shown: &PopupView) {
    let Some(document) = page() else { return };
    let by_id = |id: &str| document.get_element_by_id(id);

    if let Some(summary) = by_id("summary") {
        let busy = if shown.tone == Tone::Busy {
            "true"
        } else {
            "false"
        };
        let _ = summary.set_attribute("aria-busy", busy);
    }
    if let Some(headline) = by_id("headline") {
        headline.set_class_name(tone_class(shown.tone));
        headline.set_text_content(Some(&shown.headline));
    }
    if let Some(facts) = by_id("facts") {
        facts.set_text_content(None);
        for (label, value) in &shown.facts {
            let _ = append_text(&document, &facts, "dt", label);
            let _ = append_text(&document, &facts, "dd", value);
        }
    }
    if let Some(connection) = by_id("connection") {
        set_hidden(&connection, shown.facts.is_empty());
    }
    if let Some(action) = by_id("action") {
        set_rich_text(
            &document,
            &action,
            shown.action.as_deref().unwrap_or_default(),
        );
        set_hidden(&action, shown.action.is_none());
    }
    if let Some(code) = by_id("code") {
        code.set_text_content(shown.code.as_deref());
    }
    if let Some(code_line) = by_id("code-line") {
        set_hidden(&code_line, shown.code.is_none());
    }
}

/// Render the account panel's current state.
fn render_panel() {
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let shown = PANEL.with(|panel| account_panel::view(&panel.borrow(), now));
    if let Some(document) = page() {
        render_account(&document, &shown);
    }
    if shown.identity.is_some() {
        let first = ROLES.with(|roles| !std::mem::replace(&mut roles.borrow_mut().requested, true));
        if first {
            wasm_bindgen_futures::spawn_local(load_roles());
        }
    }
}

async fn load_roles() {
    let Some(document) = page() else { return };
    show(&document, "roles", true);
    show(&document, "roles-busy", true);
    let answer = ask::<RolesData>(PageRequest::RolesList).await;
    show(&document, "roles-busy", false);
    match answer {
        Ok(roles) => {
            ROLES.with(|r| r.borrow_mut().targets = roles.targets);
            render_roles(&document);
        }
        Err(error) => status(
            &document,
            Status::Bad,
            &error.message,
            None,
            Some(error.code),
        ),
    }
}

fn show(document: &Document, id: &str, visible: bool) {
    if let Some(element) = document.get_element_by_id(id) {
        set_hidden(&element, !visible);
    }
}

fn render_roles(document: &Document) {
    let Some(list) = document.get_element_by_id("roles-list") else {
        return;
    };
    list.set_text_content(None);
    let targets = ROLES.with(|r| r.borrow().targets.clone());
    show(document, "roles-hint", !targets.is_empty());
    if targets.is_empty() {
        status(
            document,
            Status::Info,
            "Your IAM policies allow no role to assume. Import a list with `switchyard roles import`.",
            None,
            None,
        );
    }
    for (index, target) in targets.iter().enumerate() {
        let Ok(item) = document.create_element("li") else {
            continue;
        };
        let _ = item.set_attribute("style", &format!("--swatch: #{}", css_color(&target.color)));
        if let Some(button) = append_text(document, &item, "button", &target.display_name) {
            button.set_class_name("switch");
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-index", &index.to_string());
            let _ = button.set_attribute("title", &target.role_arn);
        }
        if let Some(id) = append_text(document, &item, "code", &target.account_id) {
            id.set_class_name("id");
        }
        if let Some(copy) = append_text(document, &item, "button", "Copy link") {
            copy.set_class_name("copy-link");
            let _ = copy.set_attribute("type", "button");
            let _ = copy.set_attribute("data-index", &index.to_string());
            let _ = copy.set_attribute(
                "aria-label",
                &format!("Copy the switch link for {}", target.display_name),
            );
        }
        let _ = list.append_child(&item);
    }
}

/// Six hex digits, else a neutral grey (the color comes from a list the user imported).
fn css_color(color: &str) -> &str {
    if color.len() == 6 && color.bytes().all(|b| b.is_ascii_hexdigit()) {
        color
    } else {
        "888888"
    }
}

#[derive(Clone, Copy)]
enum Status {
    Busy,
    Good,
    Bad,
    Info,
}

/// Show what the last click did: a sentence, maybe a link to copy, maybe an error code.
fn status(
    document: &Document,
    tone: Status,
    text: &str,
    link: Option<&str>,
    code: Option<ErrorCode>,
) {
    let Some(element) = document.get_element_by_id("switch-status") else {
        return;
    };
    element.set_class_name(match tone {
        Status::Busy => "tone-busy",
        Status::Good => "tone-good",
        Status::Bad => "tone-bad",
        Status::Info => "muted",
    });
    set_rich_text(document, &element, text);
    if let Some(link) = link {
        if let Some(code) = append_text(document, &element, "code", link) {
            code.set_id("switch-link");
        }
    }
    match code {
        Some(code) => {
            let _ = element.set_attribute("data-code", code.as_str());
            if let Some(line) = append_text(document, &element, "small", "Error code ") {
                line.set_class_name("code-line");
                let _ = append_text(document, &line, "code", code.as_str());
            }
        }
        None => {
            let _ = element.remove_attribute("data-code");
        }
    }
    set_hidden(&element, false);
}

/// A click (or middle click) in the switch list.
fn on_list_click(event: web_sys::Event, auxiliary: bool) {
    let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>() else {
        return;
    };
    if auxiliary && mouse.button() != 1 {
        return;
    }
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.closest("button").ok().flatten())
    else {
        return;
    };
    let Some(index) = button
        .get_attribute("data-index")
        .and_then(|i| i.parse::<usize>().ok())
    else {
        return;
    };
    let Some(target) = ROLES.with(|r| r.borrow().targets.get(index).cloned()) else {
        return;
    };
    event.prevent_default();
    let Some(document) = page() else { return };
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-clicked-at", &js_sys::Date::now().to_string());
    }
    let new_tab = auxiliary || mouse.ctrl_key() || mouse.meta_key();
    if button.class_name() == "copy-link" {
        wasm_bindgen_futures::spawn_local(copy_link(target));
    } else {
        wasm_bindgen_futures::spawn_local(switch_to(target, new_tab));
    }
}

async fn copy_link(target: Target) {
    let Some(document) = page() else { return };
    let link = match SwitchTarget::from_target(&target) {
        Ok(checked) => switch_link(&checked),
        Err(e) => {
            let text = format!("No link for this role: {e}");
            return status(
                &document,
                Status::Bad,
                &text,
                None,
                Some(ErrorCode::InvalidTarget),
            );
        }
    };
    match chrome::clipboard_write_text(&link).await {
        Ok(_) => status(
            &document,
            Status::Good,
            "Copied the switch link: ",
            Some(&link),
            None,
        ),
        Err(_) => status(
            &document,
            Status::Info,
            "Copy this switch link: ",
            Some(&link),
            None,
        ),
    }
}

async fn switch_to(target: Target, new_tab: bool) {
    let Some(document) = page() else { return };
    // Checked here too, so a bad target never leaves the popup.
    if let Err(e) = SwitchTarget::from_target(&target) {
        let text = format!("Cannot switch to this role: {e}");
        return status(
            &document,
            Status::Bad,
            &text,
            None,
            Some(ErrorCode::InvalidTarget),
        );
    }
    let text = format!("Switching to {}…", target.display_name);
    status(&document, Status::Busy, &text, None, None);
    let request = SwitchRequest {
        role_arn: target.role_arn.clone(),
        display_name: target.display_name.clone(),
        color: target.color.clone(),
        new_tab,
    };
    match ask::<SwitchDone>(PageRequest::Switch(request)).await {
        Ok(done) => {
            let how = match done.method {
                SwitchMethod::Classic => "console switch",
                SwitchMethod::MultiSession => "multi-session console",
                SwitchMethod::Federation => "federated sign-in",
            };
            let text = format!("Switched to {} ({how}).", target.display_name);
            status(&document, Status::Good, &text, None, None);
        }
        Err(error) => status(
            &document,
            Status::Bad,
            &error.message,
            None,
            Some(error.code),
        ),
    }
}

fn render_account(document: &Document, shown: &PanelView) {
    let by_id = |id: &str| document.get_element_by_id(id);
    let text = |id: &str, value: Option<&str>| {
        if let Some(element) = by_id(id) {
            element.set_text_content(value);
        }
    };
    let show = |id: &str, visible: bool| {
        if let Some(element) = by_id(id) {
            set_hidden(&element, !visible);
        }
    };

    show("account", shown != &PanelView::default());
    text("account-busy", shown.busy.as_deref());

    show("account-error", shown.error.is_some());
    if let Some(error) = &shown.error {
        text("account-error-title", Some(&error.title));
        if let Some(message) = by_id("account-error-message") {
            set_rich_text(document, &message, &error.message);
        }
        text("account-error-code", Some(&error.code));
        show("retry", error.retry);
    }

    show("mfa-form", shown.mfa.is_some());
    if let Some(mfa) = &shown.mfa {
        text("mfa-intro", Some(&mfa.intro));
        text("mfa-error", mfa.error.as_deref());
        if let Some(button) = by_id("mfa-submit") {
            set_flag(&button, "disabled", mfa.submitting);
        }
        if let Some(input) = by_id("mfa-code") {
            let _ = input.set_attribute(
                "aria-invalid",
                if mfa.error.is_some() { "true" } else { "false" },
            );
            // Read-only rather than disabled, so the field keeps its focus.
            set_flag(&input, "readonly", mfa.submitting);
            if !mfa.submitting {
                if let Ok(field) = input.dyn_into::<HtmlInputElement>() {
                    let _ = field.focus();
                    if mfa.error.is_some() {
                        // Typing the next code replaces the refused one.
                        field.select();
                    }
                }
            }
        }
    } else {
        text("mfa-error", None);
    }

    show("identity", shown.identity.is_some());
    if let Some(identity) = &shown.identity {
        text("identity-name", Some(&identity.name));
        text("identity-arn", Some(&identity.arn));
        text("identity-account", Some(&identity.account));
        text("identity-mfa", identity.mfa.as_deref());
        show("identity-mfa-label", identity.mfa.is_some());
        show("identity-mfa", identity.mfa.is_some());
    }

    show("accounts", shown.accounts.is_some());
    if let Some(accounts) = &shown.accounts {
        text("accounts-summary", Some(&accounts.summary));
        text("accounts-freshness", accounts.freshness.as_deref());
        show("accounts-freshness", accounts.freshness.is_some());
        text("accounts-notice", accounts.notice.as_deref());
        show("accounts-notice", accounts.notice.is_some());
        if let Some(list) = by_id("accounts-list") {
            list.set_text_content(None);
            for row in &accounts.rows {
                let Ok(item) = document.create_element("li") else {
                    continue;
                };
                if row.current {
                    let _ = item.set_attribute("aria-current", "true");
                }
                let state_class = if row.unusual {
                    "state unusual"
                } else {
                    "state"
                };
                for (tag, class, value) in [
                    ("span", "name", &row.name),
                    ("code", "id", &row.id),
                    ("span", state_class, &row.state),
                ] {
                    if let Some(cell) = append_text(document, &item, tag, value) {
                        cell.set_class_name(class);
                    }
                }
                let _ = list.append_child(&item);
            }
        }
    }
}

/// Replace `element`'s content with `text`, showing `backticked` commands as code.
fn set_rich_text(document: &Document, element: &Element, text: &str) {
    element.set_text_content(None);
    for span in messages::code_spans(text) {
        if span.code {
            let _ = append_text(document, element, "code", span.text);
        } else {
            let _ = element.insert_adjacent_text("beforeend", span.text);
        }
    }
}

/// Append a `<tag>text</tag>` to `parent`; the new element, unless creating it failed.
fn append_text(document: &Document, parent: &Element, tag: &str, text: &str) -> Option<Element> {
    let child = document.create_element(tag).ok()?;
    child.set_text_content(Some(text));
    parent.append_child(&child).ok()?;
    Some(child)
}

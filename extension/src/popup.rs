//! The popup: shows "Connecting…" at once, asks the service worker for the connection
//! state and renders the [`PopupView`] that `switchyard_shared::popup::view` makes of it;
//! once connected, runs the account panel (`switchyard_shared::account_panel`): who is
//! signed in, the MFA code form, the organization's accounts.
//!
//! Every decision is the shared crate's; this module sends the [`Command`]s the panel
//! asks for through the service worker, feeds the answers back as [`Event`]s, and
//! renders. Elements missing from the page are skipped.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use switchyard_shared::account_panel::{self, Command, Event, Panel, PanelView};
use switchyard_shared::popup::{view, ConnectionState, PopupView, Tone};
use switchyard_shared::protocol::ErrorBody;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlInputElement};

use crate::chrome;
use crate::messages::{self, PageRequest};

thread_local! {
    static PANEL: RefCell<Panel> = RefCell::new(Panel::default());
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

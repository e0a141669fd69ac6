//! What waits on the daemon that the popup shows once connected: a command waiting for an
//! MFA code (`mfa.pending`: `credential-process` or `exec` with no terminal to ask at),
//! asked for here and sent with `mfa.submit` for that command's profile; and the account
//! closures queued past the CloseAccount quota (`closures.list`), each with when it runs.
//! What each shows is `crate::view::pending_mfa`'s and `crate::view::closures`'.

use std::cell::RefCell;

use switchyard_shared::protocol::aws::{MfaPendingData, MfaSessionData};
use switchyard_shared::protocol::provision::ClosuresData;
use wasm_bindgen::JsCast;

use crate::messages::PageRequest;
use crate::page::{append_text, ask, by_id, on, property, set_flag};
use crate::view::{closures, pending_mfa};

thread_local! {
    /// The profile the shown MFA form is for.
    static PROFILE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn show(id: &str, shown: bool) {
    if let Some(element) = by_id(id) {
        set_flag(&element, "hidden", !shown);
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
    }
}

/// Wire the MFA form, then ask what waits. `then` runs after a code was accepted (the
/// account panel reloads: it may have needed the same session).
pub fn start(then: fn()) {
    on("pending-mfa-form", "submit", move |event| {
        event.prevent_default();
        wasm_bindgen_futures::spawn_local(submit(then));
    });
    wasm_bindgen_futures::spawn_local(load_pending());
    wasm_bindgen_futures::spawn_local(load_closures());
}

/// Whether the popup shows a waiting command's MFA form now.
pub fn asking() -> bool {
    by_id("pending-mfa-form").is_some_and(|form| !form.has_attribute("hidden"))
}

async fn load_pending() {
    // An older daemon without the message, or none waiting: nothing is shown.
    let Ok(data) = ask::<MfaPendingData>(PageRequest::MfaPending).await else {
        return;
    };
    let Some(view) = pending_mfa::view(&data) else {
        return;
    };
    set_text("pending-mfa-intro", &view.intro);
    PROFILE.with(|p| *p.borrow_mut() = Some(view.profile));
    show("pending-mfa-done", false);
    show("pending-mfa-form", true);
    // The account panel's own code form (for the same or another profile) waits.
    show("mfa-form", false);
    if let Some(input) =
        by_id("pending-mfa-code").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = input.focus();
    }
}

async fn submit(then: fn()) {
    let Some(input) = by_id("pending-mfa-code") else {
        return;
    };
    let typed = property(&input, "value").as_string().unwrap_or_default();
    let refused = |why: &str| {
        set_text("pending-mfa-error", why);
        let _ = input.set_attribute("aria-invalid", "true");
    };
    let code = match pending_mfa::entered(&typed) {
        Ok(code) => code,
        Err(why) => return refused(&why),
    };
    let profile = PROFILE.with(|p| p.borrow().clone());
    if let Some(button) = by_id("pending-mfa-submit") {
        set_flag(&button, "disabled", true);
    }
    let answer = ask::<MfaSessionData>(PageRequest::MfaSubmit { code, profile })
        .await
        .map(|_| ());
    if let Some(button) = by_id("pending-mfa-submit") {
        set_flag(&button, "disabled", false);
    }
    match pending_mfa::answered(&answer) {
        Ok(done) => {
            set_text("pending-mfa-error", "");
            show("pending-mfa-form", false);
            set_text("pending-mfa-done", done);
            show("pending-mfa-done", true);
            then();
            // Another profile may be waited on too.
            load_pending().await;
        }
        Err(why) => refused(&why),
    }
}

async fn load_closures() {
    let Ok(data) = ask::<ClosuresData>(PageRequest::ClosuresList).await else {
        return;
    };
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let shown: Vec<_> = data
        .closures
        .iter()
        .filter(|c| closures::worth_showing(c))
        .collect();
    let Some(list) = by_id("closures-list") else {
        return;
    };
    list.set_text_content(None);
    for closure in &shown {
        if let Some(item) = append_text(&list, "li", &closures::closure_line(closure, now)) {
            let _ = item.set_attribute("data-state", closure.state.as_str());
        }
    }
    set_text("closures-summary", &format!("({})", shown.len()));
    show("closures", !shown.is_empty());
}

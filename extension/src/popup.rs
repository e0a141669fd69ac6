//! The popup: shows "Connecting…" at once, asks the service worker for the connection
//! state, and renders the [`PopupView`] that `switchyard_shared::popup::view` makes of it.

use switchyard_shared::popup::{view, ConnectionState, PopupView, Tone};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use crate::chrome;
use crate::messages::{self, PageRequest};

/// Called by `popup.js` once the module loaded.
#[wasm_bindgen]
pub fn popup_start() {
    render(&view(&ConnectionState::Connecting));
    wasm_bindgen_futures::spawn_local(async {
        let state = ask_worker().await;
        render(&view(&state));
    });
}

async fn ask_worker() -> ConnectionState {
    let question = serde_json::to_string(&PageRequest::ConnectionState)
        .map(|text| chrome::from_json_text(&text))
        .unwrap_or(JsValue::UNDEFINED);
    let answer = chrome::send_message(&question)
        .await
        .map(|answer| chrome::to_json_text(&answer))
        .map_err(|e| chrome::error_text(&e));
    messages::decode_connection_state(answer)
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Busy => "tone-busy",
        Tone::Good => "tone-good",
        Tone::Bad => "tone-bad",
    }
}

fn set_hidden(element: &Element, hidden: bool) {
    // Setting or removing a plain attribute cannot fail.
    let _ = if hidden {
        element.set_attribute("hidden", "")
    } else {
        element.remove_attribute("hidden")
    };
}

/// Replace the popup's content with `shown`. Elements missing from the page are skipped.
fn render(shown: &PopupView) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let by_id = |id: &str| document.get_element_by_id(id);

    if let Some(summary) = by_id("summary") {
        let _ = summary.set_attribute(
            "aria-busy",
            if shown.tone == Tone::Busy {
                "true"
            } else {
                "false"
            },
        );
    }
    if let Some(headline) = by_id("headline") {
        headline.set_class_name(tone_class(shown.tone));
        headline.set_text_content(Some(&shown.headline));
    }
    if let Some(facts) = by_id("facts") {
        facts.set_text_content(None);
        for (label, value) in &shown.facts {
            append_text(&document, &facts, "dt", label);
            append_text(&document, &facts, "dd", value);
        }
        set_hidden(&facts, shown.facts.is_empty());
    }
    if let Some(action) = by_id("action") {
        action.set_text_content(None);
        for span in messages::code_spans(shown.action.as_deref().unwrap_or_default()) {
            if span.code {
                append_text(&document, &action, "code", span.text);
            } else {
                let _ = action.insert_adjacent_text("beforeend", span.text);
            }
        }
        set_hidden(&action, shown.action.is_none());
    }
    if let Some(code) = by_id("code") {
        code.set_text_content(shown.code.as_deref());
    }
    if let Some(code_line) = by_id("code-line") {
        set_hidden(&code_line, shown.code.is_none());
    }
}

fn append_text(document: &Document, parent: &Element, tag: &str, text: &str) {
    if let Ok(child) = document.create_element(tag) {
        child.set_text_content(Some(text));
        let _ = parent.append_child(&child);
    }
}

//! What every extension page (popup, options, admin pages) needs: asking the service
//! worker, and a few DOM helpers that skip elements missing from the page.

use serde::de::DeserializeOwned;
use switchyard_shared::protocol::ErrorBody;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use crate::chrome;
use crate::messages::{self, PageRequest};

/// Send `request` to the service worker; the JSON text of its answer.
pub async fn ask_worker(request: &PageRequest) -> Result<Option<String>, String> {
    let question = serde_json::to_string(request)
        .map(|text| chrome::from_json_text(&text))
        .unwrap_or(JsValue::UNDEFINED);
    chrome::send_message(&question)
        .await
        .map(|answer| chrome::to_json_text(&answer))
        .map_err(|e| chrome::error_text(&e))
}

/// Relay `request` to the daemon through the service worker.
pub async fn ask<T: DeserializeOwned>(request: PageRequest) -> Result<T, ErrorBody> {
    messages::decode_page_answer(ask_worker(&request).await)
}

pub fn document() -> Option<Document> {
    web_sys::window().and_then(|window| window.document())
}

pub fn by_id(id: &str) -> Option<Element> {
    document()?.get_element_by_id(id)
}

/// Set or remove a boolean attribute (`hidden`, `disabled`).
pub fn set_flag(element: &Element, name: &str, on: bool) {
    let _ = if on {
        element.set_attribute(name, "")
    } else {
        element.remove_attribute(name)
    };
}

/// Append `<tag>text</tag>` to `parent`; the new element.
pub fn append_text(parent: &Element, tag: &str, text: &str) -> Option<Element> {
    let child = document()?.create_element(tag).ok()?;
    child.set_text_content(Some(text));
    parent.append_child(&child).ok()?;
    Some(child)
}

/// Replace `element`'s content with `text`, showing `backticked` commands as code.
pub fn set_code_text(element: &Element, text: &str) {
    element.set_text_content(None);
    for span in crate::messages::code_spans(text) {
        if span.code {
            let _ = append_text(element, "code", span.text);
        } else {
            let _ = element.insert_adjacent_text("beforeend", span.text);
        }
    }
}

/// A property of an element (`value`, `checked`), read without a web-sys type per kind
/// of element.
pub fn property(element: &Element, name: &str) -> JsValue {
    js_sys::Reflect::get(element, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub fn set_property(element: &Element, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(element, &JsValue::from_str(name), value);
}

/// Call `handler` on each `event` of element `id`.
pub fn on(id: &str, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    let Some(element) = by_id(id) else { return };
    let callback = Closure::<dyn FnMut(web_sys::Event)>::new(handler).into_js_value();
    let _ = element.add_event_listener_with_callback(event, callback.unchecked_ref());
}

/// Open an IAM Identity Center sign-in page (the `url` `sso.login` answered) in a new,
/// active tab; a failure is logged (the page's status line still says what to do).
pub async fn open_sign_in_page(url: &str) {
    let properties = serde_json::json!({ "url": url, "active": true });
    if let Err(e) =
        crate::chrome::tabs_create(&crate::chrome::from_json_text(&properties.to_string())).await
    {
        crate::chrome::warn(&format!(
            "switchyard: cannot open the sign-in page: {}",
            crate::chrome::error_text(&e)
        ));
    }
}

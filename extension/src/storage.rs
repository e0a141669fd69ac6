//! `chrome.storage.local` bindings and the preferences kept there
//! ([`switchyard_shared::settings::Settings`], stored as JSON text under
//! [`STORAGE_KEY`]). Read by the options page, the popup and the service worker alike.
//! Values are read and written as text so the shared crate decides what they mean.

use std::collections::HashMap;

use switchyard_shared::settings::{Settings, STORAGE_KEY};
use wasm_bindgen::prelude::*;

use crate::chrome;

#[wasm_bindgen]
extern "C" {
    /// `chrome.storage.local.get(keys)`: an object of the stored values.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    async fn local_get(keys: &JsValue) -> Result<JsValue, JsValue>;

    /// `chrome.storage.local.set(items)`.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    async fn local_set(items: &JsValue) -> Result<JsValue, JsValue>;
}

/// The string stored under `key`, if any.
pub async fn get_text(key: &str) -> Option<String> {
    let stored = local_get(&JsValue::from_str(key)).await.ok()?;
    js_sys::Reflect::get(&stored, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// Store `text` under `key`; the browser's message when it cannot.
pub async fn set_text(key: &str, text: &str) -> Result<(), String> {
    let items = js_sys::Object::new();
    js_sys::Reflect::set(&items, &JsValue::from_str(key), &JsValue::from_str(text))
        .map_err(|e| chrome::error_text(&e))?;
    local_set(&items)
        .await
        .map(|_| ())
        .map_err(|e| chrome::error_text(&e))
}

/// The preferences (the defaults when none are stored or they cannot be read).
pub async fn settings() -> Settings {
    Settings::from_stored(get_text(STORAGE_KEY).await.as_deref())
}

pub async fn save_settings(settings: &Settings) -> Result<(), String> {
    set_text(STORAGE_KEY, &settings.to_stored()).await
}

/// The stored values of `keys` that exist, each as text: a stored string as it is,
/// anything else as its JSON. Nothing when storage cannot be read.
pub async fn read(keys: &[&str]) -> HashMap<String, String> {
    let list = js_sys::Array::new();
    for key in keys {
        list.push(&JsValue::from_str(key));
    }
    match local_get(&list).await {
        Ok(found) => texts(&found, keys),
        Err(_) => HashMap::new(),
    }
}

/// The values of `keys` in `found` (what `chrome.storage.local.get` resolved to), as in
/// [`read`].
pub fn texts(found: &JsValue, keys: &[&str]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for key in keys {
        let Ok(value) = js_sys::Reflect::get(found, &JsValue::from_str(key)) else {
            continue;
        };
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let text = value.as_string().or_else(|| chrome::to_json_text(&value));
        if let Some(text) = text {
            out.insert((*key).to_owned(), text);
        }
    }
    out
}

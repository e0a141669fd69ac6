//! Hand-written bindings to the few `chrome.runtime` and `chrome.tabs` APIs the extension uses (web-sys
//! covers only web standards), plus the global `setTimeout` and `console.warn`, which
//! exist in both the service worker and the popup.
//!
//! Everything here is a direct binding; logic lives elsewhere.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `chrome.runtime`.
    pub type Runtime;

    #[wasm_bindgen(thread_local_v2, js_namespace = chrome, js_name = runtime)]
    static RUNTIME: Runtime;

    /// `chrome.runtime.lastError`: set only while a callback about a failure runs.
    #[wasm_bindgen(method, getter, js_name = lastError)]
    fn last_error(this: &Runtime) -> Option<LastError>;

    /// The object in `chrome.runtime.lastError`.
    pub type LastError;

    #[wasm_bindgen(method, getter)]
    fn message(this: &LastError) -> Option<String>;

    /// `chrome.runtime.connectNative(application)`: opens a port to a native host.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = connectNative)]
    pub fn connect_native(application: &str) -> Result<Port, JsValue>;

    /// `chrome.runtime.sendMessage(message)`: resolves to the listener's response.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    pub async fn send_message(message: &JsValue) -> Result<JsValue, JsValue>;

    /// `runtime.Port`.
    pub type Port;

    /// `port.postMessage(message)`; throws once the port is disconnected.
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub fn post_message(this: &Port, message: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    pub fn disconnect(this: &Port);

    #[wasm_bindgen(method, getter, js_name = onMessage)]
    pub fn on_message(this: &Port) -> Event;

    #[wasm_bindgen(method, getter, js_name = onDisconnect)]
    pub fn on_disconnect(this: &Port) -> Event;

    /// `port.error`: Firefox's reason for a disconnect (it leaves `lastError` unset).
    #[wasm_bindgen(method, getter)]
    fn error(this: &Port) -> Option<LastError>;

    /// An `events.Event` (`port.onMessage`, `port.onDisconnect`, …).
    pub type Event;

    #[wasm_bindgen(method, js_name = addListener)]
    pub fn add_listener(this: &Event, callback: &Function);

    /// The global `setTimeout(handler, ms)` of windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &Function, ms: u32) -> JsValue;

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub fn warn(message: &str);

    /// `chrome.tabs.query(queryInfo)`: the matching tabs.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = query)]
    pub async fn tabs_query(query: &JsValue) -> Result<JsValue, JsValue>;

    /// `chrome.tabs.get(tabId)`.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = get)]
    pub async fn tabs_get(tab_id: i32) -> Result<JsValue, JsValue>;

    /// `chrome.tabs.create(createProperties)`: the new tab.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = create)]
    pub async fn tabs_create(properties: &JsValue) -> Result<JsValue, JsValue>;

    /// `chrome.tabs.update(tabId, updateProperties)`.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = update)]
    pub async fn tabs_update(tab_id: i32, properties: &JsValue) -> Result<JsValue, JsValue>;

    /// `navigator.clipboard.writeText(text)` (the popup's "Copy switch link").
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    pub async fn clipboard_write_text(text: &str) -> Result<JsValue, JsValue>;

    /// `switchyardRunInTab(tabId, name, args)` from `background.js`: runs one of
    /// `page_functions.js` in the tab's page; its result.
    #[wasm_bindgen(catch, js_name = switchyardRunInTab)]
    pub async fn run_in_tab(tab_id: i32, name: &str, args: &JsValue) -> Result<JsValue, JsValue>;
}

/// The message of `chrome.runtime.lastError`, if one is set right now.
///
/// Reading it inside a failure callback also tells Chromium the error was handled.
pub fn last_error_message() -> Option<String> {
    RUNTIME.with(|runtime| runtime.last_error().and_then(|error| error.message()))
}

/// Why `port` disconnected, inside its `onDisconnect` listener: Chromium sets
/// `runtime.lastError`, Firefox sets `port.error` instead.
pub fn disconnect_reason(port: &JsValue) -> Option<String> {
    last_error_message().or_else(|| {
        if !port.is_object() {
            return None;
        }
        port.unchecked_ref::<Port>()
            .error()
            .and_then(|error| error.message())
    })
}

/// A readable sentence from a thrown JavaScript value (an `Error`, a string, or other).
pub fn error_text(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        String::from(error.message())
    } else if let Some(text) = error.as_string() {
        text
    } else {
        "unknown error".to_owned()
    }
}

/// JSON text of a JavaScript value, or `None` for `undefined`, functions and cycles.
pub fn to_json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
}

/// A JavaScript value from JSON text made by serde_json (so it always parses).
pub fn from_json_text(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

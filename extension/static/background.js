// Switchyard service worker shim: loads the wasm module and forwards page messages to it.
// MV3 wakes the worker for an event and requires its listeners to be registered during
// the first, synchronous evaluation (module workers also forbid top-level await), so the
// listener is added here at once and waits for the module inside.
import init, {
  background_start,
  handle_message,
  context_menu_register,
  menu_clicked,
} from "./pkg/switchyard_extension.js";
import { readPage, submitForm, postJson, getJson } from "./page_functions.js";

const PAGE_FUNCTIONS = { readPage, submitForm, postJson, getJson };

// Run one of PAGE_FUNCTIONS in a tab's page (called from wasm: switching.rs); its result.
globalThis.switchyardRunInTab = async (tabId, name, args) => {
  const results = await chrome.scripting.executeScript({
    target: { tabId },
    world: "MAIN",
    func: PAGE_FUNCTIONS[name],
    args,
  });
  return results?.[0]?.result ?? null;
};

// Exported for the Firefox end-to-end test's self-check (tests/e2e/firefox-selfcheck/).
export const ready = init().then(() => background_start());
ready.catch((error) => console.error("switchyard: the wasm module failed to load", error));

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  ready
    .then(() => handle_message(message))
    .then(sendResponse, (error) =>
      sendResponse({ error: { code: "internal", message: `The service worker failed: ${error}` } }),
    );
  return true; // sendResponse is called asynchronously
});

// "Create client account…" on any page (create_account.rs): registered when the extension
// is installed or updated; a click opens the form with the selection as the name. Tests
// call switchyardMenuClicked directly (a real right-click cannot be made headless).
chrome.runtime.onInstalled.addListener(() => {
  ready.then(() => context_menu_register());
});
globalThis.switchyardMenuClicked = (info) => ready.then(() => menu_clicked(info));
chrome.contextMenus.onClicked.addListener((info) => {
  globalThis.switchyardMenuClicked(info).catch((error) =>
    console.error("switchyard: the create-account page did not open", error),
  );
});

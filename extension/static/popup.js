// Switchyard popup shim: loads the wasm module and hands the page to Rust (popup_start).
import init, { popup_start } from "./pkg/switchyard_extension.js";
import { readPage } from "./page_functions.js";

const PAGE_FUNCTIONS = { readPage };

// Run one of PAGE_FUNCTIONS in a tab's page (called from wasm: the popup reads which
// account the console tab is signed in to); its result.
globalThis.switchyardRunInTab = async (tabId, name, args) => {
  const results = await chrome.scripting.executeScript({
    target: { tabId },
    world: "MAIN",
    func: PAGE_FUNCTIONS[name],
    args,
  });
  return results?.[0]?.result ?? null;
};

// The stored settings, marks and last list are read while the wasm module compiles (the
// keys are those of switchyard_shared::popup_list and ::settings).
const stored = chrome.storage.local.get(["settings", "favorites", "recent", "roles_cache"]);

init()
  .then(() => popup_start(stored))
  .catch((error) => {
    const headline = document.getElementById("headline");
    headline.className = "tone-bad";
    headline.textContent = `The extension failed to load: ${error}`;
  });

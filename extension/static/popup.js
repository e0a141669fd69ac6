// Switchyard popup shim: loads the popup's own wasm module (the crate built without the
// other pages) and hands the page to Rust (popup_start).
import init, { popup_start } from "./pkg-popup/switchyard_extension.js";
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

// Storage is read while the wasm module compiles: the first screen of the last list, as
// the popup drew it (popup.rs's snapshot; small, so asked for first), is shown until the
// module draws the live one (extension pages run no inline script, so the stored HTML is
// inert); the settings, marks and last list (the keys of switchyard_extension::view::popup_list
// and ::settings) go to popup_start.
const firstScreen = chrome.storage.local.get("roles_snapshot");
const stored = chrome.storage.local.get(["settings", "favorites", "recent", "roles_cache"]);
let started = false;

firstScreen.then((items) => {
  if (started || typeof items.roles_snapshot !== "string") return;
  let snapshot;
  try {
    snapshot = JSON.parse(items.roles_snapshot);
  } catch {
    return;
  }
  const byId = (id) => document.getElementById(id);
  byId("roles").hidden = false;
  byId("roles-scroll").hidden = false;
  byId("roles-count").textContent = String(snapshot.count ?? "");
  byId("roles-spacer").style.height = `${Number(snapshot.height) || 0}px`;
  byId("roles-list").innerHTML = String(snapshot.rows ?? "");
  byId("filter").focus();
  requestAnimationFrame(() => performance.mark("snapshot-painted"));
});

init()
  .then(() => {
    started = true;
    popup_start(stored);
  })
  .catch((error) => {
    const headline = document.getElementById("headline");
    headline.className = "tone-bad";
    headline.textContent = `The extension failed to load: ${error}`;
  });

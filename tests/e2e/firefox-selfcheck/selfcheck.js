// Test-only self-check of the Firefox package, run in its background page. It is never in a
// package users get: tests/e2e/firefox.test.mjs copies the built Firefox extension, adds this
// file, menus-probe.js and selfcheck.json (where to report), and lists the two scripts around
// background.js in its manifest. Extension pages cannot be scripted from a test in Firefox,
// so the background page checks itself and POSTs what it found to the test's HTTP server:
// the wasm module instantiated, native messaging `hello` (+ `status`) answered through
// switchyard-host by the daemon, and each context menu the extension created.
import { ready } from "./background.js";
import { handle_message } from "./pkg/switchyard_extension.js";
import { createdMenus } from "./menus-probe.js";

const config = await (await fetch(chrome.runtime.getURL("selfcheck.json"))).json();
const manifest = chrome.runtime.getManifest();
const report = { userAgent: navigator.userAgent, extensionId: chrome.runtime.id };

try {
  await ready;
  report.wasm = { ok: true };
} catch (error) {
  report.wasm = { ok: false, error: String(error) };
}

if (report.wasm.ok) {
  // The same path the popup takes: wasm background → native port → host → daemon.
  report.connection = await handle_message({ type: "connection_state" });
}

const permissions = manifest.permissions ?? [];
if (permissions.includes("contextMenus") || permissions.includes("menus")) {
  // Menus may be created once the module ran or on runtime.onInstalled: wait up to 5 s.
  for (let i = 0; i < 50 && createdMenus.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  report.menus = [];
  for (const id of createdMenus) {
    try {
      await chrome.contextMenus.update(id, {}); // fails for a menu that does not exist
      report.menus.push({ id, exists: true });
    } catch (error) {
      report.menus.push({ id, exists: false, error: String(error) });
    }
  }
} else {
  report.menus = null; // the manifest asks for no menus
}

await fetch(config.report, { method: "POST", body: JSON.stringify(report) });

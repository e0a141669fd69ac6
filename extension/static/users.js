// Switchyard Users page shim: loads the wasm module and hands the page to Rust
// (users_page_start).
import init, { users_page_start } from "./pkg/switchyard_extension.js";

init()
  .then(() => users_page_start())
  .catch((error) => {
    const busy = document.getElementById("busy");
    busy.hidden = false;
    busy.className = "problem";
    busy.textContent = `The extension failed to load: ${error}`;
  });

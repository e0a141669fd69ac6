// Switchyard create-account page shim: loads the wasm module and hands the page to Rust.
import init, { create_account_start } from "./pkg/switchyard_extension.js";

init()
  .then(() => create_account_start())
  .catch((error) => {
    const busy = document.getElementById("gate-busy");
    busy.className = "problem";
    busy.textContent = `The extension failed to load: ${error}`;
  });

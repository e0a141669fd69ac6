// Switchyard popup shim: loads the wasm module and hands the page to Rust (popup_start).
import init, { popup_start } from "./pkg/switchyard_extension.js";

init()
  .then(() => popup_start())
  .catch((error) => {
    const headline = document.getElementById("headline");
    headline.className = "tone-bad";
    headline.textContent = `The extension failed to load: ${error}`;
  });

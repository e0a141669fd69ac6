// Switchyard options shim: loads the wasm module and hands the page to Rust (options_start).
import init, { options_start } from "./pkg/switchyard_extension.js";

init()
  .then(() => options_start())
  .catch((error) => {
    const line = document.getElementById("connection");
    line.className = "tone-bad";
    line.textContent = `The extension failed to load: ${error}`;
  });

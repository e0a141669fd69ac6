// Helpers for the create-account page, shared by provision.test.mjs and the demo tour.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MENU_ID = 'switchyard-create-client-account';

/** tests/moto/provisioner.py: alice may create accounts, bob (returned key) may not. */
export function makeProvisioners(moto) {
  const script = fileURLToPath(new URL('../moto/provisioner.py', import.meta.url));
  return JSON.parse(
    execFileSync(process.env.SWITCHYARD_MOTO_PYTHON, [script, '--endpoint', moto.endpoint], {
      encoding: 'utf8',
    }),
  );
}

/** Give the default profile an e-mail template (as `config.toml` would hold it). */
export function setEmailTemplate(box, template) {
  const path = join(box.dir, 'config', 'config.toml');
  const config = readFileSync(path, 'utf8');
  assert.match(config, /\[profiles\.default\]\n/);
  writeFileSync(path, config.replace('[profiles.default]\n', `[profiles.default]\nemail_template = "${template}"\n`));
}

/** Open the form as the browser does for a click on the entry; the new page. */
export async function openForm(browser, selectionText) {
  const worker =
    browser.serviceWorkers().find((w) => w.url().includes('background.js')) ??
    (await browser.waitForEvent('serviceworker', (w) => w.url().includes('background.js')));
  const opened = browser.waitForEvent('page', (p) => p.url().includes('create-account.html'));
  await worker.evaluate(
    ([menuItemId, selectionText]) => globalThis.switchyardMenuClicked({ menuItemId, selectionText }),
    [MENU_ID, selectionText],
  );
  const page = await opened;
  await page.setViewportSize({ width: 760, height: 1100 });
  return page;
}


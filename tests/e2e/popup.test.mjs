// End to end: the built extension in headless Chromium, the real host and daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POPUP_URL, sandbox, launch, installHost, cleanup, cspViolations } from './harness.mjs';

test('popup explains how to register the host, then connects once it is', async () => {
  const box = sandbox({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
  const browser = await launch(box);
  const violations = cspViolations(browser);
  try {
    const page = await browser.newPage();
    await page.goto(POPUP_URL);
    const headline = page.locator('#headline');
    await headline.filter({ hasText: 'Not connected' }).waitFor({ timeout: 20000 });
    assert.match(await page.locator('#action').innerText(), /switchyard install/);
    assert.equal(await page.locator('#code').innerText(), 'host_not_registered');

    const written = installHost(box);
    assert.match(written, /NativeMessagingHosts\/com\.switchyard\.host\.json/);
    await page.reload();
    await headline.filter({ hasText: 'Connected to switchyard 0.1.0' }).waitFor({ timeout: 20000 });
    // The facts sit in a closed <details>: read their text, not what is drawn.
    const facts = await page.locator('#facts').textContent();
    assert.match(facts, /local stand-in at http:\/\/127\.0\.0\.1:9/);
    assert.match(facts, /pid \d+/);
    assert.match(facts, /v1/);
    // No key stored: a neutral note with the commands, never a red error (issue 15).
    await page.locator('#account-note').waitFor({ timeout: 20000 });
    assert.match(await page.locator('#account-note-title').innerText(), /^No AWS key stored/);
    assert.match(await page.locator('#account-note-message code').first().textContent(), /^switchyard credentials add/);
    assert.equal(await page.locator('#account-error').isVisible(), false);
    assert.deepEqual(violations, [], 'the popup breaks no rule of its policy');
  } finally {
    await browser.close();
    cleanup(box);
  }
});

test('popup says so when the host cannot start the daemon', async () => {
  const box = sandbox({ SWITCHYARD_DAEMON_BIN: '/nonexistent/switchyard' });
  installHost(box);
  const browser = await launch(box);
  try {
    const page = await browser.newPage();
    await page.goto(POPUP_URL);
    await page.locator('#headline').filter({ hasText: 'Not connected' }).waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#code').innerText(), 'daemon_unavailable');
    assert.match(await page.locator('#action').innerText(), /\/nonexistent\/switchyard/);
  } finally {
    await browser.close();
    cleanup(box);
  }
});

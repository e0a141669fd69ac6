// End to end: the popup's account panel against moto and a private gnome-keyring, through
// the built extension in headless Chromium and the real host and daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import {
  POPUP_URL,
  sandbox,
  launch,
  installHost,
  cleanup,
  startMoto,
  seedMoto,
  startSecretService,
  addCredentials,
  allowAssumeAnyRole,
  switchyard,
  close,
  binDir,
} from './harness.mjs';

const ALICE = 'arn:aws:iam::123456789012:user/alice';

/** A sandbox with moto (seeded), a keyring, the host registered and Chromium open. */
async function open({ mfa = false, credentials = true } = {}) {
  const moto = await startMoto();
  const box = sandbox({ AWS_ENDPOINT_URL: moto.endpoint });
  box.stops.push(() => moto.stop());
  let browser;
  try {
    const seeded = seedMoto(moto, { mfa });
    await startSecretService(box);
    if (credentials) addCredentials(box, seeded, moto.endpoint);
    installHost(box);
    browser = await launch(box);
    const page = await browser.newPage();
    await page.goto(POPUP_URL);
    return { box, browser, page, moto, seeded };
  } catch (e) {
    await browser?.close();
    cleanup(box);
    throw e;
  }
}

async function expectAccounts(page) {
  await page.locator('#accounts').waitFor({ timeout: 60000 });
  assert.match(await page.locator('#accounts-summary').innerText(), /^25 accounts in o-/);
  // The organization's accounts sit in a <details> below the switch list.
  await page.locator('#accounts summary').click();
  const rows = page.locator('#accounts-list li');
  assert.equal(await rows.count(), 25);
  const production = rows.filter({ hasText: 'Acme Production' }).first();
  assert.match(await production.innerText(), /Acme Production\s+\d{12}\s+Active/);
  const mine = page.locator('#accounts-list li[aria-current="true"]');
  assert.equal(await mine.count(), 1);
  assert.match(await mine.innerText(), /123456789012/);
}

test('an MFA user enters a code in the popup, then sees who they are and the accounts', async () => {
  const ctx = await open({ mfa: true });
  const { page } = ctx;
  try {
    const field = page.getByLabel('6-digit MFA code');
    await field.waitFor({ timeout: 30000 });
    assert.equal(await field.getAttribute('inputmode'), 'numeric');
    assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await field.getAttribute('maxlength'), '6');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'mfa-code');
    assert.equal(await page.locator('#identity').isVisible(), false);

    // A malformed code: the message beside the field, focus stays.
    await field.fill('12ab');
    await field.press('Enter');
    const fieldError = page.locator('#mfa-error');
    await fieldError.filter({ hasText: '6 digits' }).waitFor({ timeout: 5000 });
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'mfa-code');

    // moto accepts any six digits.
    await field.fill('123456');
    await field.press('Enter');
    await page.locator('#identity').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#mfa-form').isVisible(), false);
    assert.equal(await page.locator('#identity-account').innerText(), '123456789012 (acme-main)');
    // moto reports MFA-session callers as a generic user, so only the shape is checked.
    assert.match(await page.locator('#identity-arn').innerText(), /^arn:aws:(iam|sts)::123456789012:/);
    assert.match(
      await page.locator('#identity-mfa').innerText(),
      /^until \d\d:\d\d UTC \(\d+ h \d+ min left\)$/,
    );
    await expectAccounts(page);
  } finally {
    await close(ctx);
  }
});

test('a user without MFA sees their ARN and the accounts at once', async () => {
  const ctx = await open();
  const { page } = ctx;
  try {
    await page.locator('#identity').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#identity-arn').innerText(), ALICE);
    assert.equal(await page.locator('#identity-name').innerText(), 'alice');
    assert.equal(await page.locator('#identity-account').innerText(), '123456789012 (acme-main)');
    assert.equal(await page.locator('#identity-mfa').isVisible(), false);
    assert.equal(await page.locator('#mfa-form').isVisible(), false);
    await expectAccounts(page);
  } finally {
    await close(ctx);
  }
});

test('without stored credentials the popup notes (not as an error) the commands, and "Check again" works after it', async () => {
  const ctx = await open({ credentials: false });
  const { page, box, seeded, moto } = ctx;
  try {
    // No key is normal (switching needs none): a neutral note, not an error.
    const note = page.locator('#account-note');
    await note.waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#account-note-title').innerText(), 'No AWS key stored: none is needed to switch');
    assert.equal(await page.locator('#account-error').isVisible(), false);
    // One line, closed: the list stays in view; opened, the commands.
    assert.equal(await note.getAttribute('open'), null);
    await note.locator('summary').click();
    const commands = await page.locator('#account-note-message code').allInnerTexts();
    assert.ok(commands.length >= 1, 'the note names the commands');
    for (const command of commands) assert.match(command, /^switchyard credentials add/);

    addCredentials(box, seeded, moto.endpoint);
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.locator('#identity').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#identity-arn').innerText(), ALICE);
    assert.equal(await note.isVisible(), false);
  } finally {
    await close(ctx);
  }
});

test("an admin sets an account's name and color for the team from the popup's account row", async () => {
  const ctx = await open();
  const { page, box, moto } = ctx;
  try {
    // alice may assume every role: each account of the organization gets a row.
    allowAssumeAnyRole(moto);
    await page.reload();
    await page.locator('#identity').waitFor({ timeout: 30000 });
    await page.waitForFunction(() => performance.getEntriesByName('roles-refreshed').length > 0, null, { timeout: 60000 });
    const accounts = JSON.parse(switchyard(box, ['accounts', '--json'])).data.accounts;
    const production = accounts.find((a) => a.name === 'Acme Production');
    await page.locator('#filter').fill(production.id);
    const row = page.locator('#roles-list li.account', { hasText: production.id }).first();
    await row.waitFor({ timeout: 30000 });
    assert.match(await row.getAttribute('title'), /Name: the organization's account name/);
    const edit = row.getByRole('button', { name: /Edit name and color for the team/ });
    await edit.click();
    const form = page.locator('#team-form');
    await form.waitFor({ timeout: 5000 });
    assert.match(await page.locator('#team-heading').innerText(), new RegExp(`Acme Production \\(${production.id}\\)`));

    // Bad input: named beside the field, nothing sent.
    await page.locator('#team-name').fill('<img src=x onerror=alert(1)>');
    await page.locator('#team-color').fill('chartreuse');
    assert.match(await page.locator('#team-name-error').innerText(), /markup/);
    assert.match(await page.locator('#team-color-error').innerText(), /not a color/);
    await page.locator('#team-save').click();
    assert.equal(await page.locator('#team-done').isVisible(), false);
    assert.equal(JSON.parse(switchyard(box, ['accounts', '--json'])).data.accounts.find((a) => a.id === production.id).tags?.['switchyard:name'], undefined);

    await page.locator('#team-name').fill('Client A (team)');
    await page.locator('#team-color').fill('#1B998B');
    assert.equal(await page.locator('#team-swatch').isVisible(), true);
    await page.locator('#team-save').click();
    await page.locator('#team-done').filter({ hasText: 'Saved for the team: “Client A (team)”, #1b998b.' }).waitFor({ timeout: 30000 });
    if (process.env.SWITCHYARD_SCREENSHOTS) await page.screenshot({ path: join(process.env.SWITCHYARD_SCREENSHOTS, 'popup-team-look-saved.png'), fullPage: true });

    // Written to AWS (the daemon's list shows the tags at once), and the popup shows the
    // team's name and says where it came from.
    const tagged = JSON.parse(switchyard(box, ['accounts', '--json'])).data.accounts.find((a) => a.id === production.id);
    assert.equal(tagged.tags['switchyard:name'], 'Client A (team)');
    assert.equal(tagged.tags['switchyard:color'], '1b998b');
    const renamed = page.locator('#roles-list li.account', { hasText: 'Client A (team)' }).first();
    await renamed.waitFor({ timeout: 60000 });
    assert.equal(await renamed.locator('.look').innerText(), 'team');
    assert.match(await renamed.getAttribute('title'), /Name: the team's: the account's tags in AWS/);
    const chip = page.locator('#roles-list li.target .chip').first();
    assert.match(await chip.getAttribute('title'), /Color: the team's/);
    await page.locator('#accounts summary').click();
    const listed = page.locator('#accounts-list li', { hasText: 'Client A (team)' });
    await listed.waitFor({ timeout: 30000 });
    assert.match(await listed.innerText(), /team name \(organization: Acme Production\) · team color/);
    if (process.env.SWITCHYARD_SCREENSHOTS) await page.screenshot({ path: join(process.env.SWITCHYARD_SCREENSHOTS, 'popup-team-look.png'), fullPage: true });
  } finally {
    await close(ctx);
  }
});

/** One request on the daemon's socket (as the CLI sends it); the reply. */
function daemonRequest(box, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: join(box.dir, 'run', 'daemon.sock'), path: '/v1/message', method: 'POST' },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('commands with no terminal wait for an MFA code; the popup asks for it once for all of them', async () => {
  const ctx = await open({ mfa: true });
  const { page, box } = ctx;
  try {
    // The panel asks for its own code first (the popup opened before anything waited).
    await page.getByLabel('6-digit MFA code').waitFor({ timeout: 30000 });
    // Two AWS tools calling credential-process, in sessions without a terminal (as an
    // SDK or a service runs them), stdin empty.
    const run = () => {
      const child = spawn(join(binDir(), 'switchyard'), ['credential-process'], {
        env: { ...box.env, SWITCHYARD_MFA_WAIT: '90' },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
    };
    const waiting = [run(), run()];
    let pending = [];
    for (let i = 0; i < 200 && !(pending[0]?.waiting === 2); i++) {
      await new Promise((r) => setTimeout(r, 100));
      pending = (await daemonRequest(box, { id: 1, type: 'mfa.pending' })).data.pending;
    }
    assert.equal(pending.length, 1, JSON.stringify(pending));
    assert.equal(pending[0].profile, 'default');

    // Opened again, the popup asks for the waiting commands' code, above its own form.
    await page.reload();
    const form = page.locator('#pending-mfa-form');
    await form.waitFor({ timeout: 30000 });
    assert.match(
      await page.locator('#pending-mfa-intro').innerText(),
      /^switchyard credential-process is waiting for an MFA code for profile "default" \(1 more wait with it\)\./,
    );
    assert.equal(await page.locator('#mfa-form').isVisible(), false);
    const code = page.getByLabel('MFA code for the waiting command');
    await code.fill('12ab');
    await code.press('Enter');
    await page.locator('#pending-mfa-error').filter({ hasText: '6 digits' }).waitFor({ timeout: 5000 });
    // moto accepts any six digits.
    await code.fill('123456');
    await code.press('Enter');
    await page.locator('#pending-mfa-done').filter({ hasText: 'the waiting command goes on' }).waitFor({ timeout: 30000 });
    for (const done of await Promise.all(waiting)) {
      assert.equal(done.code, 0, done.stderr);
      assert.equal(JSON.parse(done.stdout).Version, 1);
      assert.match(done.stderr, /Switchyard popup/);
    }
    // The same session serves the popup's own panel.
    await page.locator('#identity').waitFor({ timeout: 30000 });
    assert.equal(await form.isVisible(), false);
    assert.deepEqual((await daemonRequest(box, { id: 2, type: 'mfa.pending' })).data.pending, []);
  } finally {
    await close(ctx);
  }
});

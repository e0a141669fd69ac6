// `cargo xtask demo`: the extension in Chromium against the local AWS stand-in. With a
// display and SWITCHYARD_HEADED=1 the browser stays open; otherwise it runs headless and
// saves screenshots, printing their paths.
//
// Without AWS credentials in the environment the tour seeds moto with the sample
// organization (alice has an MFA device), imports a small list of client roles, stores
// alice's key in a private keyring, shows the MFA prompt, enters a code (moto accepts any
// six digits), shows who is signed in, the accounts and the switch list (a favorite
// starred, then filtered, then in dark), what the popup says when the host is not
// registered (the last known list stays); then opens "Create client account…" and
// creates Client Q.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXTENSION_ID,
  POPUP_URL,
  sandbox,
  launch,
  installHost,
  cleanup,
  startMoto,
  seedMoto,
  startSecretService,
  addCredentials,
  switchyard,
  allowAssumeAnyRole,
} from './harness.mjs';
import { makeProvisioners, setEmailTemplate, openForm } from './provision_helpers.mjs';

/** A client list as people keep it for AWS Extend Switch Roles: a section per role. */
function clientList() {
  const clients = ['Blue Harbor', 'Cedar Labs', 'Delta Freight', 'Evergreen Health', 'Fjord Media', 'Granite Bank'];
  const colors = ['1f6feb', '2da44e', 'bf8700', 'cf222e', '8250df', '0a7e8c'];
  return clients.flatMap((client, i) => ['Admin', 'ReadOnly', 'Billing'].map((role) => [
    `[${client} (${role})]`,
    `aws_account_id = ${String(210000000000 + i * 1111)}`,
    `role_name = ${role}`,
    `color = ${colors[i]}`,
    '',
  ].join('\n'))).join('\n');
}

const headed = process.env.SWITCHYARD_HEADED === '1';
const shots = process.env.SWITCHYARD_SCREENSHOTS || 'screenshots';
const realAws = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE);

const moto = realAws ? null : await startMoto();
const box = sandbox(moto ? { AWS_ENDPOINT_URL: moto.endpoint } : {});
let browser;
try {
  if (moto) {
    console.log(`local AWS stand-in (moto) at ${moto.endpoint}`);
    const seeded = seedMoto(moto, { mfa: true, groups: 4 });
    allowAssumeAnyRole(moto);
    await startSecretService(box);
    console.log(addCredentials(box, seeded, moto.endpoint).trim());
    const list = join(box.dir, 'clients.aesr');
    writeFileSync(list, clientList());
    console.log(switchyard(box, ['roles', 'import', list]).trim());
  } else {
    console.log('using your AWS credentials and keyring');
  }
  console.log(installHost(box).trim());
  browser = await launch(box, { headed });
  const page = await browser.newPage();
  await page.setViewportSize({ width: 432, height: 900 });
  await page.goto(POPUP_URL);
  await page.locator('#headline').filter({ hasText: 'Connected to switchyard' }).waitFor({ timeout: 30000 });
  console.log(`popup: ${await page.locator('#headline').innerText()}`);
  mkdirSync(shots, { recursive: true });
  const screenshot = async (name) => {
    const path = join(shots, name);
    await page.locator('main').screenshot({ path });
    console.log(`screenshot: ${path}`);
  };

  const mfa = page.locator('#mfa-form');
  const problem = page.locator('#account-error');
  const shown = (...ids) => page.locator(ids.map((id) => `${id}:visible`).join(', ')).first();
  await shown('#mfa-form', '#identity', '#account-error').waitFor({ timeout: 30000 });
  if (moto && (await mfa.isVisible())) {
    await screenshot('popup-mfa.png');
    await page.getByLabel('6-digit MFA code').fill('123456');
    await page.getByLabel('6-digit MFA code').press('Enter');
    console.log('entered MFA code 123456');
  }
  if (!headed) {
    await shown('#accounts', '#account-error').waitFor({ timeout: 60000 });
    if (await problem.isVisible()) {
      console.log(`popup: ${(await problem.innerText()).replace(/\n+/g, ' | ')}`);
    } else {
      console.log(`signed in: ${await page.locator('#identity-arn').innerText()} in ${await page.locator('#identity-account').innerText()}`);
      console.log(`accounts: ${await page.locator('#accounts-summary').innerText()}`);
      if (moto) await screenshot('popup-signed-in.png');
    }
    if (moto) await popupTour();
    if (moto) await usersTour();
    if (moto) await optionsTour();
  }
  // The options page: the connection, the profile, the preferences, what the lists give.
  async function optionsTour() {
    const options = await browser.newPage();
    await options.setViewportSize({ width: 900, height: 1500 });
    await options.goto(`chrome-extension://${EXTENSION_ID}/options.html`);
    await options.locator('#connection.tone-good').waitFor({ timeout: 30000 });
    await options.locator('#profile option[value="default"]').waitFor({ state: 'attached', timeout: 30000 });
    await options.locator('#sources .source').first().waitFor({ timeout: 30000 });
    const path = join(shots, 'options.png');
    await options.locator('main').screenshot({ path });
    console.log(`screenshot: ${path}`);
    await options.close();
  }
  // The switch list: a favorite, then a filter, then the dark scheme; then a browser
  // whose host is not registered, with the same list kept in its storage.
  async function popupTour() {
    await page.waitForFunction(() => performance.getEntriesByName('roles-refreshed').length > 0, null, { timeout: 60000 });
    console.log(`roles: ${await page.locator('#roles-count').innerText()}`);
    await page.locator('#filter').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Control+d');
    await page.keyboard.press('Control+Home');
    await screenshot('popup-roles.png');
    await page.keyboard.type('granite adm');
    await screenshot('popup-filtered.png');
    console.log(`filtered: ${await page.locator('#roles-count').innerText()}`);
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('popup-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    const kept = await page.evaluate(() => chrome.storage.local.get(['roles_cache', 'favorites']));
    const bare = sandbox({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    const other = await launch(bare);
    try {
      const lost = await other.newPage();
      await lost.setViewportSize({ width: 432, height: 900 });
      await lost.goto(POPUP_URL);
      await lost.evaluate((items) => chrome.storage.local.set(items), kept);
      await lost.reload();
      await lost.locator('#headline').filter({ hasText: 'Not connected' }).waitFor({ timeout: 30000 });
      await lost.locator('#roles-list [role=option]').first().waitFor();
      const path = join(shots, 'popup-not-connected.png');
      await lost.locator('main').screenshot({ path });
      console.log(`screenshot: ${path}`);
    } finally {
      await other.close();
      cleanup(bare);
    }
  }
  // The Users page of the management account: two users made through the page (the
  // second API-only), the hand-over of the second, then a throwaway MFA device's QR code
  // (moto's seed, never enabled).
  async function usersTour() {
    const users = await browser.newPage();
    await users.setViewportSize({ width: 1100, height: 760 });
    await users.goto(`chrome-extension://${EXTENSION_ID}/users.html`);
    await users.locator('#users-rows tr[data-user="alice"]').waitFor({ timeout: 60000 });
    for (const [name, apiOnly] of [['dana', false], ['deploy-bot', true]]) {
      await users.getByRole('button', { name: apiOnly ? 'API-only user' : 'New user', exact: true }).click();
      await users.getByLabel('User name', { exact: true }).fill(name);
      if (!apiOnly) await users.locator('#groups label').filter({ hasText: 'Team00' }).locator('input').check();
      await users.getByLabel('Tags (KEY=VALUE, one per line)').fill('team=blue');
      await users.getByRole('button', { name: 'Create user' }).click();
      await users.locator(`#users-rows tr[data-user="${name}"]`).waitFor({ timeout: 60000 });
    }
    console.log(`users: ${await users.locator('#users-summary').innerText()} in ${await users.locator('#title').innerText()}`);
    const shot = async (name, what) => {
      const path = join(shots, name);
      await what.screenshot({ path });
      console.log(`screenshot: ${path}`);
    };
    await shot('users.png', users.locator('main'));
    await users.locator('#handover-done').click();
    await users.getByLabel('MFA device name').fill('alice-laptop');
    await users.getByRole('button', { name: 'Set up a virtual MFA device' }).click();
    await users.locator('#mfa-qr svg').waitFor({ timeout: 60000 });
    await shot('users-mfa-qr.png', users.locator('#mfa-section'));
    await users.close();
  }

  if (moto && !headed && !(await problem.isVisible())) {
    // Right-click → "Create client account…" on a page where "Client Q" is selected (the
    // menu handler is called as the browser would), the form, then its progress.
    makeProvisioners(moto);
    setEmailTemplate(box, 'ops+{slug}@example.com');
    const form = await openForm(browser, 'Client Q');
    await form.locator('#create-form').waitFor({ timeout: 30000 });
    await form.locator('#users-list input[data-user="alice"]').waitFor({ timeout: 60000 });
    await form.locator('#email-status.free').waitFor({ timeout: 30000 });
    await form.locator('#optional').evaluate((d) => { d.open = true; });
    await form.locator('#tags').fill('team=blue');
    const formShot = join(shots, 'create-account-form.png');
    await form.locator('main').screenshot({ path: formShot });
    console.log(`screenshot: ${formShot}`);
    await form.locator('#create-submit').click();
    await form.locator('#progress-headline[data-state="done"]').waitFor({ timeout: 120000 });
    console.log(`create account: ${await form.locator('#progress-headline').innerText()}`);
    const progressShot = join(shots, 'create-account-progress.png');
    await form.locator('main').screenshot({ path: progressShot });
    console.log(`screenshot: ${progressShot}`);
  }
  if (headed) {
    console.log('The browser stays open; close it to end the demo.');
    await new Promise((resolve) => browser.on('close', resolve));
  }
} finally {
  await browser?.close().catch(() => {});
  cleanup(box);
  moto?.stop();
}

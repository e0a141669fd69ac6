// End to end: the Users page (users.html) against moto and a private gnome-keyring, through
// the built extension in headless Chromium and the real host and daemon: the list in the
// management account and in a member account (through OrganizationAccountAccessRole),
// console and API-only users with the hand-over shown once, bad input refused in the page,
// removal with the typed name, and MFA set up from the QR code's seed with TOTP codes
// computed here. At the end no one-time secret is in any file of the sandbox (daemon
// state, logs, config, keyring home, Chromium profile).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import {
  EXTENSION_ID,
  sandbox,
  launch,
  installHost,
  cleanup,
  startMoto,
  seedMoto,
  startSecretService,
  addCredentials,
  switchyard,
} from './harness.mjs';

const USERS_URL = `chrome-extension://${EXTENSION_ID}/users.html`;
const MANAGEMENT = '123456789012';

/** Run boto3 against moto as the management account (tests/moto's venv). */
function boto(moto, code) {
  const script = [
    'import boto3',
    `iam = boto3.client("iam", endpoint_url="${moto.endpoint}", region_name="us-east-1",`,
    '    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")',
    `org = boto3.client("organizations", endpoint_url="${moto.endpoint}", region_name="us-east-1",`,
    '    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")',
    code,
  ].join('\n');
  return execFileSync(process.env.SWITCHYARD_MOTO_PYTHON, ['-c', script], { encoding: 'utf8' });
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    assert.ok(index >= 0, `the seed is not base32: ${JSON.stringify(c)}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of `seed` at Unix time `at`. */
function totp(seed, at) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac('sha1', base32(seed)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

test('TOTP matches RFC 6238 (SHA-1 test vectors)', () => {
  // The RFC's key "12345678901234567890" in base32, 8-digit values cut to their last 6.
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(seed, 59), '287082');
  assert.equal(totp(seed, 1111111109), '081804');
  assert.equal(totp(seed, 2000000000), '279037');
});

/** Every regular file under `dir`, read as bytes. */
function filesUnder(dir) {
  const found = [];
  const walk = (path) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile() && !/\.(sock|lock)$/.test(path)) {
      try {
        found.push([path, readFileSync(path)]);
      } catch {
        // A socket or a file that went away.
      }
    }
  };
  walk(dir);
  return found;
}

/** Record the page's messages to the service worker (their types), from now on. */
async function recordMessages(page) {
  await page.evaluate(() => {
    window.__sent = [];
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = (message, ...rest) => {
      window.__sent.push(message?.type);
      return send(message, ...rest);
    };
  });
}
const sent = (page) => page.evaluate(() => window.__sent);

describe('the Users page', () => {
  let moto;
  let box;
  let browser;
  let page;
  let member;
  let seeded;
  const secrets = [];

  before(async () => {
    moto = await startMoto();
    box = sandbox({ AWS_ENDPOINT_URL: moto.endpoint });
    box.stops.push(() => moto.stop());
    seeded = seedMoto(moto);
    boto(
      moto,
      [
        'iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,',
        '    RequireNumbers=True, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True)',
        'iam.create_group(GroupName="Developers")',
        'iam.create_group(GroupName="Auditors")',
        'import json',
        'iam.create_policy(PolicyName="Deploy", PolicyDocument=json.dumps({"Version": "2012-10-17",',
        '    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}))',
      ].join('\n'),
    );
    member = boto(
      moto,
      'print([a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Acme Production"][0])',
    ).trim();
    assert.match(member, /^\d{12}$/);
    await startSecretService(box);
    addCredentials(box, seeded, moto.endpoint);
    installHost(box);
    browser = await launch(box);
    page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  after(async () => {
    await browser?.close();
    if (box) cleanup(box);
  });

  const row = (name) => page.locator(`#users-rows tr[data-user="${name}"]`);

  test('lists the management account with groups, masked keys and the account picker', async () => {
    const started = Date.now();
    await page.goto(USERS_URL);
    await row('alice').waitFor({ timeout: 60000 });
    console.log(`users list (management account) shown in ${Date.now() - started} ms`);
    assert.match(await page.locator('#title').innerText(), new RegExp(`Users in .*${MANAGEMENT}`));
    assert.equal(await row('alice').locator('.console').innerText(), 'no');
    const keys = await row('alice').locator('.keys').innerText();
    const id = seeded.access_key_id;
    assert.ok(keys.startsWith(`${id.slice(0, 4)}…${id.slice(-4)} · Active`), keys);
    assert.match(keys, /created (just now|\d+ min ago)/);
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes(id), 'the full key id is never shown');
    assert.ok(!text.includes(seeded.secret_access_key));
    // The picker: the own account first, then the members.
    await page.locator('#picker').waitFor({ timeout: 60000 });
    const options = await page.locator('#account-picker option').allInnerTexts();
    assert.match(options[0], new RegExp(`\\(${MANAGEMENT}\\), management account \\(yours\\)$`));
    assert.ok(options.some((o) => o === `Acme Production (${member})`), options.join(' | '));
    assert.match(await page.locator('#title').innerText(), /management account/);
  });

  test('a malformed account in the address is refused before any request', async () => {
    await page.goto(`${USERS_URL}?account=1234`);
    await page.locator('#problem').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#problem-title').innerText(), "This page's address is not valid");
    assert.match(await page.locator('#problem-message').innerText(), /"1234" is not an AWS account id/);
    assert.equal(await page.locator('#users').isVisible(), false);
    await page.goto(USERS_URL);
    await page.locator('#picker').waitFor({ timeout: 60000 });
  });

  test('an invalid name is refused in the page before any request', async () => {
    await recordMessages(page);
    await page.getByRole('button', { name: 'New user', exact: true }).click();
    const name = page.getByLabel('User name', { exact: true });
    await name.fill('bob smith');
    // Live, while typing.
    assert.match(
      await page.locator('#user-name-error').innerText(),
      /"bob smith" is not an IAM user name: ' ' is not allowed/,
    );
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Create user' }).click();
    await name.fill('x'.repeat(65));
    assert.match(await page.locator('#user-name-error').innerText(), /65 characters long; IAM allows at most 64/);
    await page.getByRole('button', { name: 'Create user' }).click();
    assert.deepEqual(await sent(page), [], 'nothing was sent');
    await name.fill('bob');
    assert.equal(await page.locator('#user-name-error').innerText(), '');
  });

  test('a typed password that breaks the policy is refused with the rule named', async () => {
    await page.getByLabel('Type a password').check();
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('short1a');
    const error = page.locator('#password-error');
    assert.match(await error.innerText(), /at least 14 characters long/);
    assert.match(await error.innerText(), /must contain a symbol/);
    assert.match(await error.innerText(), /must contain an upper-case letter/);
    assert.match(await page.locator('#password-rules').innerText(), /at least 14 characters/);
    await page.getByRole('button', { name: 'Create user' }).click();
    assert.deepEqual(await sent(page), [], 'nothing was sent');
    await password.fill('Long-enough-pw-42');
    assert.equal(await error.innerText(), '');
    await page.getByRole('button', { name: 'Cancel' }).first().click();
    assert.equal(await page.locator('#create-form').isVisible(), false);
  });

  test('an existing user is refused with a clear message', async () => {
    await page.getByRole('button', { name: 'API-only user' }).click();
    assert.equal(await page.locator('#console').isVisible(), false, 'no console access offered');
    await page.getByLabel('User name', { exact: true }).fill('alice');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#user-name-error').filter({ hasText: 'already exists' }).waitFor({ timeout: 30000 });
    assert.match(
      await page.locator('#user-name-error').innerText(),
      new RegExp(`a user named "alice" already exists in account ${MANAGEMENT}`),
    );
    assert.deepEqual(await sent(page), ['users_create']);
    await page.locator('#create-cancel').click();
  });

  test('a console user with a group and a policy; an API user whose key goes into the keyring', async () => {
    await page.getByRole('button', { name: 'New user', exact: true }).click();
    await page.getByLabel('User name', { exact: true }).fill('erin');
    await page.locator('#groups label').filter({ hasText: 'Developers' }).locator('input').check();
    await page
      .getByLabel('Managed policy ARNs (one per line)')
      .fill(`arn:aws:iam::${MANAGEMENT}:policy/Deploy`);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#handover-title').filter({ hasText: 'erin' }).waitFor({ timeout: 60000 });
    assert.equal(
      await page.locator('#handover-signin_url').innerText(),
      'https://acme-main.signin.aws.amazon.com/console',
    );
    const password = await page.locator('#handover-password').innerText();
    // Generated to meet the account's policy (14 characters at least, all four kinds).
    assert.equal(password.length, 20);
    assert.match(password, /[!@#$%^&*()_+\-=[\]{}|']/);
    secrets.push(password);
    await row('erin').waitFor({ timeout: 60000 });
    assert.equal(await row('erin').locator('.groups').innerText(), 'Developers');
    assert.equal(await row('erin').locator('.policies').innerText(), 'Deploy');
    assert.equal(await row('erin').locator('.console').innerText(), 'yes (never signed in)');

    await page.getByRole('button', { name: 'API-only user' }).click();
    await page.getByLabel('User name', { exact: true }).fill('ci-bot');
    const store = page.getByLabel('Or store the key in your keyring as profile (optional)');
    await store.fill('ci bot');
    assert.match(await page.locator('#store-profile-error').innerText(), /not a profile name/);
    await store.fill('ci-bot');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#handover-title').filter({ hasText: 'ci-bot' }).waitFor({ timeout: 60000 });
    assert.equal(await page.locator('#handover .secret').count(), 0, 'no secret shown');
    assert.match(
      await page.locator('#handover-notes').innerText(),
      /stored in your keyring as profile "ci-bot"/,
    );
    await row('ci-bot').waitFor({ timeout: 60000 });
    const masked = (await row('ci-bot').locator('.keys').innerText()).split(' · ')[0];
    const profiles = JSON.parse(switchyard(box, ['credentials', 'list', '--json'])).data.profiles;
    const stored = profiles.find((p) => p.profile === 'ci-bot');
    assert.equal(stored?.access_key_id, masked);
    await page.locator('#handover-done').click();
    assert.equal(await page.locator('#handover').isVisible(), false);
    assert.equal(await page.locator('#handover-fields').innerHTML(), '');
  });

  test('a member account, through its role: a console user and an API-only user, handed over once', async () => {
    await page.locator('#account-picker').selectOption({ label: `Acme Production (${member})` });
    await page.waitForURL(`${USERS_URL}?account=${member}`);
    await page.locator('#users').waitFor({ timeout: 60000 });
    assert.match(await page.locator('#via').innerText(), /role OrganizationAccountAccessRole/);
    await page.locator('#title').filter({ hasText: `Acme Production (${member})` }).waitFor({ timeout: 60000 });
    assert.equal(await row('alice').count(), 0, "the management account's users are not listed");
    assert.equal(await page.locator('#mfa-section').isVisible(), false, 'your MFA is on your own page');

    // A console user with a generated password and a tag.
    await page.getByRole('button', { name: 'New user', exact: true }).click();
    await page.getByLabel('User name', { exact: true }).fill('carol');
    await page.getByLabel('Tags (KEY=VALUE, one per line)').fill('team=blue');
    const started = Date.now();
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#handover').waitFor({ timeout: 60000 });
    console.log(`console user created in the member account in ${Date.now() - started} ms`);
    assert.equal(
      await page.locator('#handover-title').innerText(),
      `carol was created in account ${member}`,
    );
    assert.equal(
      await page.locator('#handover-signin_url').innerText(),
      `https://${member}.signin.aws.amazon.com/console`,
    );
    assert.equal(await page.locator('#handover-user_name').innerText(), 'carol');
    const password = await page.locator('#handover-password').innerText();
    assert.equal(password.length, 20);
    assert.match(password, /[A-Z]/);
    assert.match(password, /[a-z]/);
    assert.match(password, /[0-9]/);
    secrets.push(password);
    assert.match(await page.locator('#handover-notes').innerText(), /must choose a new password/);
    // Copy hands exactly the password to the clipboard (seen here as the page's call).
    await page.evaluate(() => {
      window.__copied = [];
      navigator.clipboard.writeText = async (text) => {
        window.__copied.push(text);
      };
    });
    await page.getByRole('button', { name: 'Copy Password' }).click();
    await page
      .locator('button[data-copy="handover-password"]')
      .filter({ hasText: 'Copied' })
      .waitFor({ timeout: 5000 });
    assert.deepEqual(await page.evaluate(() => window.__copied), [password]);
    await row('carol').waitFor({ timeout: 60000 });
    assert.equal(await row('carol').locator('.console').innerText(), 'yes (never signed in)');

    // "API-only user": programmatic access only, in the member account.
    await page.getByRole('button', { name: 'API-only user' }).click();
    await page.getByLabel('User name', { exact: true }).fill('client-bot');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#handover-title').filter({ hasText: 'client-bot' }).waitFor({ timeout: 60000 });
    assert.equal(await page.locator('#handover-password').count(), 0);
    assert.equal(await page.locator('#handover-signin_url').count(), 0);
    const keyId = await page.locator('#handover-access_key_id').innerText();
    const secret = await page.locator('#handover-secret_access_key').innerText();
    assert.match(keyId, /^AKIA[A-Z0-9]{16}$/);
    assert.ok(secret.length >= 40, 'a secret access key');
    secrets.push(secret);
    await row('client-bot').waitFor({ timeout: 60000 });
    const bot = row('client-bot');
    assert.equal(await bot.locator('.console').innerText(), 'no');
    assert.match(
      await bot.locator('.keys').innerText(),
      new RegExp(`^${keyId.slice(0, 4)}…${keyId.slice(-4)} · Active · created`),
    );

    // Checked from AWS's side: both users in the member account only.
    const listed = JSON.parse(
      boto(
        moto,
        [
          'import json',
          'sts = boto3.client("sts", endpoint_url=iam.meta.endpoint_url, region_name="us-east-1",',
          '    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")',
          `c = sts.assume_role(RoleArn="arn:aws:iam::${member}:role/OrganizationAccountAccessRole", RoleSessionName="e2e-check")["Credentials"]`,
          'm = boto3.client("iam", endpoint_url=iam.meta.endpoint_url, region_name="us-east-1",',
          '    aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])',
          'print(json.dumps({"member": sorted(u["UserName"] for u in m.list_users()["Users"]),',
          '    "management": sorted(u["UserName"] for u in iam.list_users()["Users"]),',
          '    "tags": m.list_user_tags(UserName="carol")["Tags"]}))',
        ].join('\n'),
      ),
    );
    assert.deepEqual(listed.member, ['carol', 'client-bot']);
    assert.deepEqual(listed.management, ['alice', 'ci-bot', 'erin']);
    assert.deepEqual(listed.tags, [{ Key: 'team', Value: 'blue' }]);

    // Shown once: gone after a reload, and never in the extension's storage.
    await page.reload();
    await row('client-bot').waitFor({ timeout: 60000 });
    // The picker comes last: the page has asked all it asks on loading.
    await page.locator('#picker').waitFor({ timeout: 60000 });
    assert.equal(await page.locator('#handover').isVisible(), false);
    const text = await page.content();
    for (const s of secrets) assert.ok(!text.includes(s), 'a secret is still in the page');
    const stored = await page.evaluate(async () => {
      const areas = [chrome.storage?.local, chrome.storage?.session, chrome.storage?.sync];
      const all = await Promise.all(areas.filter(Boolean).map((area) => area.get(null)));
      return JSON.stringify(all);
    });
    for (const s of secrets) assert.ok(!stored.includes(s), 'a secret is in chrome.storage');
  });

  test('removal needs the typed user name; a wrong one is refused in the page', async () => {
    await recordMessages(page);
    await row('carol').getByRole('button', { name: 'Remove carol' }).click();
    const confirm = page.getByLabel('Type the user name to confirm');
    await confirm.fill('carl');
    await page.getByRole('button', { name: 'Remove user' }).click();
    assert.equal(
      await page.locator('#remove-confirm-error').innerText(),
      'type the user name "carol" exactly to remove this user',
    );
    assert.deepEqual(await sent(page), [], 'nothing was sent');
    await confirm.fill('carol');
    await page.getByRole('button', { name: 'Remove user' }).click();
    await page.locator('#notice').filter({ hasText: 'Removed carol' }).waitFor({ timeout: 60000 });
    await row('client-bot').waitFor({ timeout: 60000 });
    await page.waitForFunction(() => !document.querySelector('#users-rows tr[data-user="carol"]'));
    assert.equal(await page.locator('#remove-form').isVisible(), false);
    assert.ok((await sent(page)).includes('users_remove'));
  });

  test('MFA for the signed-in user: QR code, two TOTP codes, then the profile needs MFA', async () => {
    await page.goto(USERS_URL);
    await page.locator('#mfa-section').waitFor({ timeout: 60000 });
    assert.match(await page.locator('#mfa-status').innerText(), /You sign in as alice \(profile default\) without MFA/);
    await page.getByRole('button', { name: 'Set up a virtual MFA device' }).click();
    const qr = page.locator('#mfa-qr svg');
    await qr.waitFor({ timeout: 60000 });
    assert.equal(await qr.getAttribute('width'), '240');
    assert.match(await qr.locator('path').getAttribute('d'), /^M4 4h7v1h-7z/);
    // Read the QR code as a camera would: the page's SVG drawn on a canvas, decoded here.
    // It is drawn in a blank page of the test's: the extension's own pages may load no
    // `data:` image (their content security policy).
    const svg = await qr.evaluate((element) => element.outerHTML);
    const canvasPage = await browser.newPage();
    const image = await canvasPage.evaluate(async (svg) => {
      const picture = new Image();
      picture.src = `data:image/svg+xml;base64,${btoa(svg)}`;
      await picture.decode();
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 720;
      const context = canvas.getContext('2d');
      context.drawImage(picture, 0, 0, 720, 720);
      const pixels = context.getImageData(0, 0, 720, 720);
      return { width: pixels.width, height: pixels.height, data: Array.from(pixels.data) };
    }, svg);
    await canvasPage.close();
    const decoded = jsQR(Uint8ClampedArray.from(image.data), image.width, image.height);
    assert.ok(decoded, 'the QR code can be read');
    const uri = new URL(decoded.data);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(
      decodeURIComponent(uri.pathname.replace(/^\/\/totp\//, '').replace(/^\//, '')),
      'Amazon Web Services:alice@acme-main',
    );
    assert.equal(uri.searchParams.get('issuer'), 'Amazon Web Services');
    const seed = uri.searchParams.get('secret');
    assert.match(seed, /^[A-Z2-7]{16,}=*$/);
    secrets.push(seed);
    // The same key as text, for who cannot scan.
    await page.getByText('Cannot scan it? Show the key as text').click();
    assert.equal((await page.locator('#mfa-seed').innerText()).replace(/\s/g, ''), seed);
    const now = Math.floor(Date.now() / 1000);
    const [code1, code2] = [totp(seed, now), totp(seed, now + 30)];
    // Two equal codes are refused in the page.
    await page.getByLabel('First code').fill(code1);
    await page.getByLabel('Next code').fill(code1);
    await page.getByRole('button', { name: 'Enable MFA' }).click();
    assert.match(await page.locator('#mfa-enable-error').innerText(), /the two codes are the same/);
    await page.getByLabel('Next code').fill(code2);
    await page.getByRole('button', { name: 'Enable MFA' }).click();
    await page.locator('#mfa-done').waitFor({ timeout: 60000 });
    assert.match(await page.locator('#mfa-done').innerText(), /MFA is on: profile default now signs in with alice/);
    assert.equal(await page.locator('#mfa-qr svg').count(), 0, 'the QR code is gone');
    assert.equal(await page.locator('#mfa-seed').innerText(), '');
    const config = readFileSync(join(box.dir, 'config', 'config.toml'), 'utf8');
    assert.match(config, new RegExp(`mfa_serial = "arn:aws:iam::${MANAGEMENT}:mfa/alice"`));
    // The profile now needs a code: the page asks for one, and lists again with it.
    const field = page.getByLabel('6-digit MFA code');
    await field.waitFor({ timeout: 60000 });
    assert.equal(await page.locator('#users').isVisible(), false, 'no list without a session');
    await field.fill(totp(seed, Math.floor(Date.now() / 1000) + 60));
    await field.press('Enter');
    await page.locator('#mfa-form').waitFor({ state: 'hidden', timeout: 60000 });
    await row('alice').waitFor({ timeout: 60000 });
    await page.locator('#mfa-status').filter({ hasText: 'MFA is on' }).waitFor({ timeout: 60000 });
    assert.match(await row('alice').locator('.mfa').innerText(), /alice/);
  });

  test('no one-time secret is in any file of the sandbox (state, logs, config, keyring, profile)', async () => {
    assert.equal(secrets.length, 4);
    await browser.close();
    browser = null;
    const files = filesUnder(box.dir);
    assert.ok(files.some(([path]) => path.includes(join('state', 'logs'))), 'the daemon wrote logs');
    assert.ok(files.some(([path]) => path.startsWith(box.profile)), 'Chromium wrote its profile');
    console.log(`searched ${files.length} files for ${secrets.length} one-time secrets`);
    // The search reads what the daemon logged: the new users' names are there.
    assert.ok(
      files.some(([path, bytes]) => path.includes('logs') && bytes.includes('client-bot')),
      'the log names the users made',
    );
    for (const [path, bytes] of files) {
      for (const s of secrets) {
        assert.equal(bytes.indexOf(s), -1, `a one-time secret is in ${path}`);
      }
    }
  });
});

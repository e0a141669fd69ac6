// End to end: the "Create client account…" menu entry and its page, against moto and a
// private gnome-keyring, through the built extension in headless Chromium and the real
// host and daemon. A real right-click cannot be made headless: the test calls the menu
// handler the service worker registers (switchyardMenuClicked), as the browser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  sandbox,
  launch,
  installHost,
  cleanup,
  startMoto,
  seedMoto,
  startSecretService,
  addCredentials,
  switchyard,
  close,
} from './harness.mjs';
import { makeProvisioners, setEmailTemplate, openForm } from './provision_helpers.mjs';

async function open({ as = 'alice', mfa = false } = {}) {
  const moto = await startMoto();
  const box = sandbox({ AWS_ENDPOINT_URL: moto.endpoint });
  box.stops.push(() => moto.stop());
  let browser;
  try {
    const seeded = seedMoto(moto, { mfa });
    const bob = makeProvisioners(moto);
    await startSecretService(box);
    addCredentials(box, as === 'alice' ? seeded : bob, moto.endpoint);
    setEmailTemplate(box, 'ops+{slug}@example.com');
    installHost(box);
    browser = await launch(box);
    return { box, browser, moto };
  } catch (e) {
    await browser?.close();
    cleanup(box);
    throw e;
  }
}

const jobs = (box) => JSON.parse(switchyard(box, ['jobs', '--json'])).data.jobs;

test('the menu opens the form with the selection; bad input stays in the page; the account is made step by step', async () => {
  const ctx = await open();
  const { browser, box } = ctx;
  try {
    const page = await openForm(browser, '  Client\n  Q  ');
    // The page's module fills the name in once it has started.
    await page.waitForFunction(() => document.getElementById('name')?.value !== '', null, { timeout: 30000 });
    assert.equal(await page.locator('#name').inputValue(), 'Client Q');
    await page.locator('#create-form').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#caller-arn').innerText(), 'arn:aws:iam::123456789012:user/alice');
    // Defaults from the name and the profile's e-mail template.
    assert.equal(await page.locator('#role-name').inputValue(), 'ClientQ');
    assert.equal(await page.locator('#group-name').inputValue(), 'AccessClientQ');
    assert.equal(await page.locator('#policy-name').inputValue(), 'SwitchToClientQ');
    assert.equal(await page.locator('#email').inputValue(), 'ops+client-q@example.com');
    assert.match(await page.locator('#email-warning').innerText(), /never be used for another AWS account again/);
    await page.locator('#email-status.free').waitFor({ timeout: 30000 });
    // The current user is preselected.
    const alice = page.locator('#users-list input[data-user="alice"]');
    await alice.waitFor({ timeout: 60000 });
    assert.equal(await alice.isChecked(), true);
    // The defaults follow the name while untouched.
    await page.locator('#name').fill('Client R');
    assert.equal(await page.locator('#role-name').inputValue(), 'ClientR');
    assert.equal(await page.locator('#email').inputValue(), 'ops+client-r@example.com');

    // The live check flags an address an account of the organization already uses.
    await page.locator('#email').fill('ops+acme-production@example.com');
    await page.locator('#email-status.used').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#email-status').innerText(), /Already used by account \d{12} \(Acme Production\)/);
    assert.match(await page.locator('#email-error').innerText(), /already uses this address/);
    assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');

    // Invalid name, e-mail, role and the team's name and color: refused in the page,
    // before any request.
    await page.locator('#name').fill('');
    await page.locator('#email').fill('not-an-email');
    await page.locator('#role-name').fill('bad role');
    await page.locator('#display-name').fill('<b>Client Q</b>');
    await page.locator('#color').fill('chartreuse');
    await page.locator('#create-submit').click();
    assert.match(await page.locator('#name-error').innerText(), /account name must be 1 to 50/);
    assert.match(await page.locator('#email-error').innerText(), /not an e-mail address AWS accepts/);
    assert.match(await page.locator('#role-name-error').innerText(), /not an IAM role name/);
    assert.match(await page.locator('#display-name-error').innerText(), /markup/);
    assert.match(await page.locator('#color-error').innerText(), /not a color/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
    assert.equal(await page.locator('#progress').isVisible(), false);
    await page.locator('#role-name').fill('ClientQ');
    await page.locator('#email').fill('ops+client-q@example.com');
    // The name and color the whole team sees: written as the account's tags by a step.
    await page.locator('#display-name').fill('Client Q (prod)');
    await page.locator('#color').fill('#1B998B');
    await page.locator('#create-submit').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
    assert.deepEqual(jobs(box), [], 'no job was started');

    // A good form: the account is made, each step shown as it happens.
    await page.locator('#name').fill('Client Q');
    await page.locator('#email-status.free').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#role-name').inputValue(), 'ClientQ', 'a typed role stays');
    await page.evaluate(() => {
      window.seen = [];
      const log = document.getElementById('progress-log');
      new MutationObserver((records) => {
        const at = performance.now();
        for (const r of records) for (const n of r.addedNodes) window.seen.push({ at, seq: Number(n.dataset.seq), text: n.textContent });
      }).observe(log, { childList: true });
    });
    await page.locator('#create-submit').click();
    await page.locator('#progress').waitFor({ timeout: 30000 });
    await page.locator('#progress-headline[data-state="done"]').waitFor({ timeout: 120000 });
    assert.match(await page.locator('#progress-headline').innerText(), /^Client Q is ready: account \d{12}$/);
    const steps = await page.locator('#progress-steps li').evaluateAll((lis) =>
      lis.map((li) => `${li.dataset.state} ${li.childNodes[1].textContent}`),
    );
    assert.deepEqual(steps, [
      'done Check the e-mail and users',
      'done Send CreateAccount',
      'done Wait for the account',
      "done Set the team's name and color",
      'done Assume and tag the role',
      'done Create the group',
      "done Put the group's policy",
      'done Add the users',
      'done Make the switch link',
    ]);
    const seen = await page.evaluate(() => window.seen);
    assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => i + 1), 'every event once, in order');
    assert.equal(seen[0].text, 'job running');
    assert.equal(seen.at(-1).text, 'job done');
    const batches = new Set(seen.map((e) => e.at)).size;
    console.log(`progress: ${seen.length} events in ${batches} watch answers over ${Math.round(seen.at(-1).at - seen[0].at)} ms`);
    assert.ok(batches >= 2, 'events arrive as they happen, not in one answer at the end');
    const link = page.locator('#switch-link');
    assert.match(await link.getAttribute('href'), /^https:\/\/signin\.aws\.amazon\.com\/switchrole\?.*roleName=ClientQ/);

    const [job] = jobs(box);
    assert.equal(job.state, 'done');
    assert.deepEqual(job.plan.users, ['alice']);
    assert.equal(job.plan.email, 'ops+client-q@example.com');
    assert.equal(job.plan.display_name, 'Client Q (prod)');
    assert.equal(job.plan.color, '1b998b');
    // AWS holds them: the account's tags, as every colleague's daemon reads them.
    const tags = spawnSync(process.env.SWITCHYARD_MOTO_PYTHON, ['-c', `
import boto3, json, sys
org = boto3.client('organizations', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='x')
print(json.dumps({t['Key']: t['Value'] for t in org.list_tags_for_resource(ResourceId=sys.argv[2])['Tags']}))
`, ctx.moto.endpoint, job.account_id], { encoding: 'utf8' });
    assert.equal(tags.status, 0, tags.stderr);
    const written = JSON.parse(tags.stdout);
    assert.equal(written['switchyard:name'], 'Client Q (prod)');
    assert.equal(written['switchyard:color'], '1b998b');

    // Close it: the name must be typed exactly.
    const section = page.locator('#close-section');
    await section.locator('summary').click();
    assert.equal(await page.locator('#close-account').inputValue(), job.account_id);
    const closeButton = page.locator('#close-submit');
    assert.equal(await closeButton.isDisabled(), true);
    await page.locator('#close-confirm').fill('client q');
    assert.equal(await closeButton.isDisabled(), true);
    await page.locator('#close-confirm').fill('Client Q');
    assert.equal(await closeButton.isDisabled(), false);
    await closeButton.click();
    await page.locator('#close-result').filter({ hasText: /is (SUSPENDED|PENDING_CLOSURE)/ }).waitFor({ timeout: 90000 });
    assert.match(await page.locator('#close-result').innerText(), new RegExp(`^Client Q \\(${job.account_id}\\) is`));
  } finally {
    await close(ctx);
  }
});

test('a user whose policies do not allow organizations:CreateAccount sees why the form is unavailable', async () => {
  const ctx = await open({ as: 'bob' });
  try {
    // From now on moto enforces IAM policies, as AWS does: bob may read his policies
    // and the organization, and AWS itself refuses him CreateAccount (checked below).
    const enforced = await fetch(`${ctx.moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    assert.equal(enforced.status, 200);
    const page = await openForm(ctx.browser, undefined);
    await page.locator('#unavailable').waitFor({ timeout: 30000 });
    assert.equal(
      await page.locator('#unavailable-why').innerText(),
      'arn:aws:iam::123456789012:user/bob may not create accounts: no identity policy of yours allows ' +
        'organizations:CreateAccount: ask an administrator of the management account for it',
    );
    assert.equal(await page.locator('#create-form').isVisible(), false);
    assert.equal(await page.locator('#name').inputValue(), '');
    // The page's verdict is AWS's: the same request through the CLI is refused.
    const refused = spawnSync(
      join(process.env.SWITCHYARD_BIN_DIR, 'switchyard'),
      ['account', 'create', '--name', 'Client B', '--email', 'ops+client-b@example.com'],
      { env: ctx.box.env, encoding: 'utf8' },
    );
    assert.notEqual(refused.status, 0);
    const said = refused.stdout + refused.stderr;
    console.log(`bob's CreateAccount through the CLI: ${said.trim().split('\n').at(-1)}`);
    assert.match(said, /access_denied/);
    assert.match(said, /organizations:CreateAccount/);
  } finally {
    await close(ctx);
  }
});

test('an MFA user enters a code in the page, then gets the form', async () => {
  const ctx = await open({ mfa: true });
  try {
    const page = await openForm(ctx.browser, 'Client M');
    const code = page.getByLabel('6-digit MFA code');
    await code.waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#create-form').isVisible(), false);
    // A malformed code is refused in the page.
    await code.fill('12ab');
    await code.press('Enter');
    await page.locator('#mfa-error').filter({ hasText: '6 digits' }).waitFor({ timeout: 5000 });
    // moto accepts any six digits.
    await code.fill('123456');
    await code.press('Enter');
    await page.locator('#create-form').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#mfa-form').isVisible(), false);
    assert.equal(await page.locator('#caller-arn').innerText(), 'arn:aws:iam::123456789012:user/alice');
    assert.equal(await page.locator('#name').inputValue(), 'Client M');
    await page.locator('#users-list input[data-user="alice"]').waitFor({ timeout: 60000 });
  } finally {
    await close(ctx);
  }
});

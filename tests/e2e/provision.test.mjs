// End to end: the "Create client account…" menu entry and its page, against moto and a
// private gnome-keyring, through the built extension in headless Chromium and the real
// host and daemon. A real right-click cannot be made headless: the test calls the menu
// handler the service worker registers (switchyardMenuClicked), as the browser would.
// Identity Center runs on moto's sso-admin and identitystore; centralized root access
// (which moto lacks) on the recording stand-in of aws_standin.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
  switchyard,
  close,
} from './harness.mjs';
import { makeProvisioners, setEmailTemplate, openForm } from './provision_helpers.mjs';
import { startAwsStandIn, centralizedRootAccess, jsonOk, ROOT_KEY } from './aws_standin.mjs';

/**
 * moto seeded, a keyring, the host registered and Chromium open; with `standIn`, the
 * daemon reaches moto through the recording stand-in (aws_standin.mjs), whose canned
 * answers the test adds.
 */
async function open({ as = 'alice', mfa = false, standIn = false } = {}) {
  const moto = await startMoto();
  const proxy = standIn ? await startAwsStandIn(moto.endpoint) : undefined;
  const endpoint = proxy?.endpoint ?? moto.endpoint;
  const box = sandbox({ AWS_ENDPOINT_URL: endpoint });
  box.stops.push(() => moto.stop());
  if (proxy) box.stops.push(() => proxy.stop());
  let browser;
  try {
    const seeded = seedMoto(moto, { mfa });
    const bob = makeProvisioners(moto);
    await startSecretService(box);
    addCredentials(box, as === 'alice' ? seeded : bob, endpoint);
    setEmailTemplate(box, 'ops+{slug}@example.com');
    installHost(box);
    browser = await launch(box);
    return { box, browser, moto, proxy };
  } catch (e) {
    await browser?.close();
    cleanup(box);
    throw e;
  }
}

/** Run Python (moto's venv, boto3) against moto; its stdout parsed as JSON. */
function boto(moto, code) {
  const out = spawnSync(process.env.SWITCHYARD_MOTO_PYTHON, ['-c', code, moto.endpoint], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

const BOTO = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1',
          aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='x')
sso = boto3.client('sso-admin', **kw)
store = boto3.client('identitystore', **kw)
instance = sso.list_instances()['Instances'][0]
`;

/** An administrator's Identity Center set-up: a permission set and a group (moto has an
 * instance per account and region). */
function identityCenter(moto) {
  return boto(
    moto,
    BOTO +
      `
ps = sso.create_permission_set(InstanceArn=instance['InstanceArn'], Name='AdminAccess',
                               Description='full access', SessionDuration='PT1H')
sso.create_permission_set(InstanceArn=instance['InstanceArn'], Name='ReadOnly', SessionDuration='PT1H')
group = store.create_group(IdentityStoreId=instance['IdentityStoreId'], DisplayName='Ops')
store.create_group(IdentityStoreId=instance['IdentityStoreId'], DisplayName='Auditors')
print(json.dumps({'instance': instance['InstanceArn'], 'set': ps['PermissionSet']['PermissionSetArn'],
                  'group': group['GroupId']}))
`,
  );
}

/** The principals that have `set` on `account`, from moto. */
function assigned(moto, set, account) {
  return boto(
    moto,
    BOTO +
      `
found = sso.list_account_assignments(InstanceArn=instance['InstanceArn'], AccountId='${account}',
                                     PermissionSetArn='${set}')['AccountAssignments']
print(json.dumps([a['PrincipalId'] for a in found]))
`,
  );
}

/** The form's job followed to its end; the progress list as `STATE TITLE` lines. */
async function madeStepByStep(page) {
  await page.locator('#progress').waitFor({ timeout: 30000 });
  await page.locator('#progress-headline[data-state="done"]').waitFor({ timeout: 120000 });
  return page.locator('#progress-steps li').evaluateAll((lis) =>
    lis.map((li) => `${li.dataset.state} ${li.childNodes[1].textContent}`),
  );
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

test('Identity Center: the choice is offered from the lists and the account gets the assignment; the root tasks where centralized root access is on', async () => {
  const ctx = await open({ standIn: true });
  const { browser, box, moto, proxy } = ctx;
  try {
    const ic = identityCenter(moto);
    proxy.add(...centralizedRootAccess());
    const page = await openForm(browser, 'Client IC');
    await page.locator('#create-form').waitFor({ timeout: 30000 });
    // The organization has an instance: the choice, with its lists sorted by name.
    const access = page.locator('#access-field');
    await access.waitFor({ timeout: 30000 });
    assert.equal(await page.locator('input[name="access"][value="iam"]').isChecked(), true);
    assert.equal(await page.locator('#ic-fields').isVisible(), false);
    await page.locator('input[name="access"][value="identity-center"]').check();
    assert.equal(await page.locator('#ic-fields').isVisible(), true);
    assert.equal(await page.locator('#group-fields').isVisible(), false, 'no IAM group');
    assert.equal(await page.locator('#users-field').isVisible(), false, 'no users to add');
    const sets = await page.locator('#permission-set option').allInnerTexts();
    assert.deepEqual(sets, ['Choose a permission set…', 'AdminAccess — full access', 'ReadOnly']);
    const groups = await page.locator('#sso-group option').allInnerTexts();
    assert.deepEqual(groups, ['Choose a group…', 'Auditors', 'Ops']);

    // Nothing chosen: named beside the lists, no job.
    await page.locator('#email-status.free').waitFor({ timeout: 30000 });
    await page.locator('#create-submit').click();
    assert.match(await page.locator('#permission-set-error').innerText(), /choose the permission set/);
    assert.match(await page.locator('#sso-group-error').innerText(), /choose the Identity Center group/);
    assert.deepEqual(jobs(box), [], 'no job was started');

    await page.locator('#permission-set').selectOption({ label: 'AdminAccess — full access' });
    await page.locator('#sso-group').selectOption({ label: 'Ops' });
    assert.equal(await page.locator('#permission-set-error').innerText(), '');
    await page.locator('#create-submit').click();
    assert.deepEqual(await madeStepByStep(page), [
      'done Check the e-mail and users',
      'done Send CreateAccount',
      'done Wait for the account',
      'done Assume and tag the role',
      'done Assign Identity Center access',
      'done Make the switch link',
    ]);
    const [job] = jobs(box);
    assert.equal(job.plan.without_iam_group, true);
    assert.equal(job.plan.identity_center.permission_set_arn, ic.set);
    assert.equal(job.plan.identity_center.group_name, 'Ops');
    assert.deepEqual(job.plan.users, []);
    // AWS's side: the group has the permission set on the new account.
    assert.deepEqual(assigned(moto, ic.set, job.account_id), [ic.group]);

    // The runbook's last step, the root user: centralized root access is on, so its two
    // tasks are offered for the new account.
    const panel = page.locator('#root-panel[data-centralized="true"]');
    await panel.waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#root-account').inputValue(), job.account_id);
    assert.match(await page.locator('#root-headline').innerText(), /Centralized root access is on/);
    assert.equal(await page.locator('#root-steps').isVisible(), false);
    const allow = page.getByRole('button', { name: 'Allow root password recovery' });
    await allow.click();
    await page.locator('#root-done li').filter({ hasText: 'password recovery allowed' }).waitFor({ timeout: 30000 });
    const [assumed] = proxy.requests('Action=AssumeRoot&');
    assert.ok(assumed.includes(`TargetPrincipal=${job.account_id}`), assumed);
    assert.ok(assumed.includes('root-task%2FIAMCreateRootUserPassword'), assumed);
    assert.equal(proxy.requests(`Credential=${ROOT_KEY}/`).filter((r) => r.includes('Action=CreateLoginProfile&')).length, 1);
    // Deleting the root credentials needs the account's name typed.
    const remove = page.getByRole('button', { name: 'Delete root credentials' });
    assert.equal(await remove.isDisabled(), true);
    await page.locator('#root-confirm').fill('client ic');
    assert.equal(await remove.isDisabled(), true);
    await page.locator('#root-confirm').fill('Client IC');
    await remove.click();
    await page.locator('#root-done li').filter({ hasText: 'removed root access key AKIA' }).waitFor({ timeout: 30000 });
    assert.ok(proxy.requests('Action=AssumeRoot&')[1].includes('IAMDeleteRootUserCredentials'));
    assert.equal(proxy.requests('Action=DeleteAccessKey&').length, 1);
  } finally {
    await close(ctx);
  }
});

test('without an Identity Center instance the choice is not offered; with centralized root access off the manual steps are shown; a closure past the quota is queued and shown in the popup', async () => {
  const ctx = await open({ standIn: true });
  const { browser, box, proxy } = ctx;
  try {
    // An organization without Identity Center (moto makes one for every account).
    proxy.add(jsonOk('SWBExternalService.ListInstances', { Instances: [] }));
    const page = await openForm(browser, 'Client N');
    await page.locator('#create-form').waitFor({ timeout: 30000 });
    await page.locator('#access-busy').waitFor({ state: 'hidden', timeout: 30000 });
    assert.ok(proxy.requests('SWBExternalService.ListInstances').length >= 1);
    assert.equal(await page.locator('#access-field').isVisible(), false);
    assert.equal(await page.locator('#group-fields').isVisible(), true);
    assert.equal(await page.locator('#users-field').isVisible(), true);

    // Root user of an existing account, centralized root access off (moto's answer):
    // what the manual reset involves, step by step, and no task.
    const rootSection = page.locator('#root-section');
    await rootSection.waitFor({ timeout: 60000 });
    await rootSection.locator('summary').click();
    const production = await page
      .locator('#root-account option', { hasText: 'Acme Production' })
      .first()
      .getAttribute('value');
    await page.locator('#root-account').selectOption(production);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#root-panel[data-centralized="false"]').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#root-headline').innerText(), /Centralized root access is off/);
    const steps = await page.locator('#root-steps li').allInnerTexts();
    assert.equal(steps.length, 5);
    assert.match(steps[1], /ops\+acme-production@example\.com/);
    assert.match(steps[2], /Forgot password\?.*CAPTCHA/);
    assert.equal(await page.locator('#root-tasks').isVisible(), false);
    assert.deepEqual(proxy.requests('Action=AssumeRoot&'), []);

    // Ten closures in the last 30 days: the quota is used up; closing offers the queue.
    const now = Math.floor(Date.now() / 1000);
    const closures = {};
    for (let i = 0; i < 10; i++) {
      closures[`99999999999${i}`] = { name: 'x', requested_at: now - 86400, state: 'SUSPENDED', who: 'x' };
    }
    writeFileSync(join(box.dir, 'state', 'closures.json'), JSON.stringify(closures));
    const closeSection = page.locator('#close-section');
    await closeSection.locator('summary').click();
    const staging = await page
      .locator('#close-account option', { hasText: 'Acme Staging' })
      .first()
      .getAttribute('value');
    await page.locator('#close-account').selectOption(staging);
    await page.locator('#close-confirm').fill('Acme Staging');
    await page.locator('#close-submit').click();
    const offer = page.locator('#close-queue-offer');
    await offer.waitFor({ timeout: 60000 });
    assert.match(await page.locator('#close-queue-why').innerText(), /quota is used up: 10 of 10/);
    await page.getByRole('button', { name: 'Queue the closure' }).click();
    await page.locator('#close-result').filter({ hasText: 'queued, closes from' }).waitFor({ timeout: 60000 });
    assert.match(
      await page.locator('#close-result').innerText(),
      new RegExp(`^Acme Staging \\(${staging}\\): queued, closes from \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC`),
    );
    assert.deepEqual(proxy.requests('CloseAccount'), [], 'nothing closed');
    const listed = JSON.parse(switchyard(box, ['jobs', '--json'])).data.closures;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].state, 'queued');

    // The popup lists it with when it runs.
    const popup = await browser.newPage();
    await popup.goto(POPUP_URL);
    const queued = popup.locator('#closures');
    await queued.waitFor({ timeout: 30000 });
    await queued.locator('summary').click();
    assert.equal(await popup.locator('#closures-summary').innerText(), '(1)');
    assert.match(
      await popup.locator('#closures-list li').innerText(),
      new RegExp(`^Acme Staging \\(${staging}\\): queued, closes from \\d{4}-`),
    );
  } finally {
    await close(ctx);
  }
});

// End to end: the options page (connection, profile, display and switching preferences,
// the keyboard shortcut, importing an AWS Extend Switch Roles list, the lists read) and
// the preferences at work in the service worker: the preferred switch method, the
// classic switch into a new tab, and the chosen profile. Headless Chromium, moto, a real
// gnome-keyring and the local HTTPS stand-in for AWS's console and sign-in hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, EXTENSION_ID, switchyard } from './harness.mjs';
import { CSRF, CLASSIC_PAGE, OTHER_PAGE, waitFor, consoleSandbox } from './standin.mjs';

const OPTIONS_URL = `chrome-extension://${EXTENSION_ID}/options.html`;

const AWS_CONFIG = `[default]
region = us-east-1

[profile prod-admin]
role_arn = arn:aws:iam::111111111111:role/Admin
source_profile = default

[profile broken]
role_arn = not-an-arn
source_profile = default
`;

const AESR = `[Prod]
aws_account_id = 222222222222
role_name = Ops
color = ff0000

[ShortId]
aws_account_id = 3333
role_name = Ops
`;

test('the options page shows, stores and applies the preferences', async () => {
  const { box, seeded, standIn, browser } = await consoleSandbox({ awsConfig: AWS_CONFIG });
  try {
    const consoleTab = browser.pages()[0] ?? (await browser.newPage());
    await consoleTab.goto(CLASSIC_PAGE);

    const options = await browser.newPage();
    await options.goto(OPTIONS_URL);

    // Connection and versions.
    await options.locator('#connection.tone-good').waitFor({ timeout: 30000 });
    assert.match(await options.locator('#connection').innerText(), /Connected to switchyard 0\.1\.0/);
    assert.equal(await options.locator('#extension-version').innerText(), '0.1.0');

    // Profiles: the daemon's default first, then the stored profile with its masked key.
    await options.locator('#profile option[value="default"]').waitFor({ state: 'attached' });
    const labels = await options.locator('#profile option').allInnerTexts();
    assert.equal(labels[0], "The daemon's default (default)");
    assert.match(labels[1], /^default \(us-east-1, AKIA…[A-Z0-9]{4}\)$/);
    assert.ok(!labels.join(' ').includes(seeded.secret_access_key), 'no secret on the page');

    // The admin pages are one click away.
    assert.equal(await options.locator('#admin-users').getAttribute('href'), 'users.html');
    assert.equal(await options.locator('#admin-create-account').getAttribute('href'), 'create-account.html');

    // The shortcut line names the suggested key (or why there is none).
    assert.match(await options.locator('#shortcut').innerText(), /Alt\+Shift\+S opens the Switchyard popup|No shortcut is set/);

    // The lists read: ~/.aws/config's good role, its bad one skipped with the reason; no import yet.
    await options.locator('#sources .source').first().waitFor();
    const sources = await options.locator('#sources').innerText();
    assert.match(sources, /AWS CLI profiles/);
    assert.match(sources, /prod-admin: arn:aws:iam::111111111111:role\/Admin/);
    assert.match(sources, /broken/);
    assert.match(sources, /default\.aesr: not there/);

    // The names and colors the team set: an admin sets one (the account's tags in AWS);
    // the page lists it, as the daemon last read the accounts.
    const orgAccounts = JSON.parse(switchyard(box, ['accounts', '--json'])).data.accounts;
    const named = orgAccounts.find((a) => a.name === 'Acme Production') ?? orgAccounts[0];
    switchyard(box, ['accounts', 'set', named.id, '--name', 'Client A (team)', '--color', '1b998b']);
    await options.locator('#sources-refresh').click();
    const teamRow = options.locator('#team li', { hasText: 'Client A (team)' });
    await teamRow.waitFor({ timeout: 30000 });
    assert.match(await teamRow.innerText(), new RegExp(`${named.id} · organization: ${named.name} · the team's color`));
    assert.match(await teamRow.locator('.chip').getAttribute('style'), /#1b998b/);

    // Import: one role kept, one entry skipped with why; the sources show it.
    await options.locator('#import').click();
    await options.locator('#import-headline:text("Paste a configuration first.")').waitFor();
    await options.locator('#import-text').fill(AESR);
    await options.locator('#import').click();
    await options.locator('#import-headline.tone-good').waitFor();
    assert.equal(
      await options.locator('#import-headline').innerText(),
      'Imported 1 role for profile default; 1 entry was skipped.',
    );
    assert.match(await options.locator('#import-skipped').innerText(), /ShortId/);
    await options.locator('#sources:has-text("Prod: arn:aws:iam::222222222222:role/Ops")').waitFor();
    // Nothing usable: refused, the previous import kept.
    await options.locator('#import-text').fill('[Only]\naws_account_id = 12\nrole_name = Ops\n');
    await options.locator('#import').click();
    await options.locator('#import-headline.tone-bad').waitFor();
    assert.match(await options.locator('#import-headline').innerText(), /Nothing imported: 1 entry was skipped\. The previous import is kept\./);

    // Display and switching preferences are saved on change, and survive a reload.
    const stored = () => options.evaluate(async () => {
      const { settings } = await chrome.storage.local.get('settings');
      return settings ? JSON.parse(settings) : null;
    });
    assert.equal(await stored(), null, 'nothing stored before a change');
    await options.locator('#hide-account-ids').check();
    await options.locator('#open-new-tab').check();
    await options.locator('#switch-federation').check();
    await options.locator('#saved:text("Saved.")').waitFor();
    assert.deepEqual(await stored(), {
      hide_account_ids: true,
      show_colors: true,
      open_mode: 'new_tab',
      switch_method: 'federation',
      profile: null,
      only_reachable: false,
    });
    await options.reload();
    await options.locator('#profile option[value="default"]').waitFor({ state: 'attached' });
    assert.equal(await options.locator('#hide-account-ids').isChecked(), true);
    assert.equal(await options.locator('#open-new-tab').isChecked(), true);
    assert.equal(await options.locator('#switch-federation').isChecked(), true);

    const target = await options.evaluate(async () => {
      const answer = await chrome.runtime.sendMessage({ type: 'roles_list' });
      return answer?.data?.targets?.[0] ?? null;
    });
    assert.ok(target, 'a target to switch to');
    const switchTo = (newTab) => options.evaluate(
      ({ t, newTab }) => chrome.runtime.sendMessage({
        type: 'switch', role_arn: t.role_arn, display_name: t.display_name, color: t.color, new_tab: newTab,
      }),
      { t: target, newTab },
    );
    const activate = async (page) => {
      await page.bringToFront();
      await options.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    };

    // "Federated sign-in, always": even on a console tab that could switch by its form.
    await activate(consoleTab);
    let seen = standIn.state.requests.length;
    let answer = await switchTo(false);
    assert.equal(answer?.data?.method, 'federation', JSON.stringify(answer));
    await waitFor('the federation login', () => standIn.state.requests.slice(seen)
      .find((r) => r.path === '/federation' && r.query.get('Action') === 'login'));
    assert.equal(standIn.state.requests.slice(seen).filter((r) => r.path === '/switchrole').length, 0);

    // "Console session only" from a page that is not the console: the console opens in
    // the tab first, then its hidden classic form is sent there. No federation.
    await options.locator('#switch-console').check();
    await options.locator('#saved:text("Saved.")').waitFor();
    await consoleTab.goto(OTHER_PAGE);
    await activate(consoleTab);
    seen = standIn.state.requests.length;
    answer = await switchTo(false);
    assert.equal(answer?.data?.method, 'classic', JSON.stringify(answer));
    const viaConsole = await waitFor('the classic POST', () => standIn.state.requests.slice(seen)
      .find((r) => r.method === 'POST' && r.path === '/switchrole'));
    assert.equal(new URLSearchParams(viaConsole.body).get('csrf'), CSRF);
    assert.equal(new URLSearchParams(viaConsole.body).get('account'), target.account_id);
    assert.ok(standIn.state.requests.slice(seen).some((r) => r.host === 'console.aws.amazon.com' && r.path === '/console/home'),
      'the console home was opened first');
    assert.equal(standIn.state.requests.slice(seen).filter((r) => r.path === '/federation').length, 0, 'no federation');

    // "Automatic" with a new tab from a classic console page: the page is copied into a
    // new tab and the form sent from there; the original tab stays where it was.
    await options.locator('#switch-auto').check();
    await options.locator('#saved:text("Saved.")').waitFor();
    await consoleTab.goto(CLASSIC_PAGE);
    await activate(consoleTab);
    seen = standIn.state.requests.length;
    const opened = browser.waitForEvent('page', (p) => p.url().startsWith('https://eu-west-1.console'));
    answer = await switchTo(true);
    assert.equal(answer?.data?.method, 'classic', JSON.stringify(answer));
    const newTabPost = await waitFor('the classic POST from the new tab', () => standIn.state.requests.slice(seen)
      .find((r) => r.method === 'POST' && r.path === '/switchrole'));
    assert.equal(new URLSearchParams(newTabPost.body).get('redirect_uri'),
      encodeURIComponent('https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1'));
    const copy = await opened;
    await copy.waitForURL('https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1');
    assert.equal(consoleTab.url(), CLASSIC_PAGE, 'the current tab stays');
    await copy.close();

    // A chosen profile the daemon does not know is what every relayed request uses, and
    // the daemon says how to add it.
    await options.evaluate(() => chrome.storage.local.set({
      settings: JSON.stringify({ profile: 'nobody-here' }),
    }));
    const refused = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'identity' }));
    assert.equal(refused?.error?.code, 'credentials_missing', JSON.stringify(refused));
    assert.match(refused.error.message, /nobody-here/);
    await options.reload();
    await options.locator('#profile option[value="nobody-here"]').waitFor({ state: 'attached' });
    assert.match(
      await options.locator('#profile option[value="nobody-here"]').innerText(),
      /unknown to the daemon/,
    );
    assert.equal(await options.locator('#profile').inputValue(), 'nobody-here');
    // Back to the default: requests work again.
    await options.locator('#profile').selectOption('');
    await options.locator('#saved:text("Saved.")').waitFor();
    const identity = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'identity' }));
    assert.equal(identity?.data?.profile, 'default', JSON.stringify(identity));
  } finally {
    await browser.close();
    cleanup(box);
  }
});

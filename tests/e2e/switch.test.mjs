// End to end: switching the console from the popup in the three ways (classic form,
// multi-session JSON, federated sign-in), in headless Chromium, with a second extension
// that behaves like an aggressive password-manager autofill. AWS's console and sign-in
// hosts are a local HTTPS stand-in written here, reached under the real host names with
// --host-resolver-rules; it serves console-like pages (CSRF token, session meta tag) and
// records every request. The daemon's token exchange goes to the same stand-in over
// loopback HTTP (its `signin_endpoint`), with credentials from moto's AssumeRole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cleanup, cspViolations } from './harness.mjs';
import {
  CSRF,
  SESSION,
  AUTOFILL,
  CLASSIC_PAGE,
  MULTI_PAGE,
  MULTI_DESTINATION,
  OTHER_PAGE,
  NO_CSRF_PAGE,
  USER_INFO,
  waitFor,
  consoleSandbox,
} from './standin.mjs';

function timing(label, popup, request) {
  return popup.evaluate(() => Number(document.body.dataset.clickedAt)).then((clicked) => {
    console.log(`click to request sent (${label}): ${request.at - clicked} ms`);
  });
}

test('a click switches the console three ways, exactly, despite an aggressive autofill', async () => {
  const { moto, box, seeded, standIn, browser } = await consoleSandbox();
  const violations = cspViolations(browser);
  try {

    // The console tab, then the popup in a window of its own (the console tab stays the
    // active tab of the normal window, as when the real popup opens over it).
    const consoleTab = browser.pages()[0] ?? (await browser.newPage());
    await consoleTab.goto(CLASSIC_PAGE);
    assert.equal(await consoleTab.locator('input[name=account]').inputValue(), AUTOFILL, 'the autofill works');
    const worker = browser.serviceWorkers().find((w) => w.url().includes('background.js'))
      ?? (await browser.waitForEvent('serviceworker', (w) => w.url().includes('background.js')));
    const popupOpened = browser.waitForEvent('page', (p) => p.url().includes('popup.html'));
    await worker.evaluate(() => chrome.windows.create({ url: chrome.runtime.getURL('popup.html'), type: 'popup', focused: false }));
    const popup = await popupOpened;
    // The first role of the list (an option of the listbox; the row above it is its
    // account's heading).
    const switchButton = popup.locator('#roles-list [role=option]').first();
    await switchButton.waitFor({ timeout: 60000 });
    const arn = await switchButton.getAttribute('data-arn');
    const [, account, role] = arn.match(/^arn:aws:iam::(\d{12}):role\/(.+)$/);
    const displayName = await switchButton.getAttribute('data-display-name');
    assert.equal(displayName, `${role} @ Acme Production`);
    const color = (await switchButton.getAttribute('style')).match(/#([0-9a-f]{6})/)[1];
    assert.equal(await switchButton.getAttribute('data-color'), color);

    // 1. Classic: exactly the console's fields, the page's CSRF token, no autofill value.
    let seen = standIn.state.requests.length;
    await switchButton.click();
    const classic = await waitFor('the classic POST', () =>
      standIn.state.requests.slice(seen).find((r) => r.method === 'POST' && r.path === '/switchrole'));
    await timing('classic', popup, classic);
    assert.equal(classic.host, 'eu-west-1.signin.aws.amazon.com');
    assert.deepEqual([...new URLSearchParams(classic.body)], [
      ['action', 'switchFromBasis'],
      ['src', 'nav'],
      ['roleName', role],
      ['account', account],
      ['displayName', displayName],
      ['color', color],
      ['redirect_uri', encodeURIComponent('https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1')],
      ['mfaNeeded', '0'],
      ['csrf', CSRF],
    ]);
    await popup.locator('#switch-status.tone-good').waitFor();
    await consoleTab.waitForURL('https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1');

    // The popup said which account and role the console tab was signed in to (its
    // session meta tag and aws-userInfo cookie).
    assert.equal(await popup.locator('#tab-session-text').innerText(), 'Admin @ acme-main (123456789012)');

    // The keyboard: the filter has the focus; typing finds the role, Enter switches.
    assert.equal(await popup.evaluate(() => document.activeElement?.id), 'filter');
    await popup.keyboard.type(role.slice(0, 5));
    assert.equal(await popup.locator('#roles-list [role=option][aria-selected=true]').getAttribute('data-arn'), arn);
    seen = standIn.state.requests.length;
    const pageBefore = await consoleTab.evaluate(() => performance.timeOrigin);
    await popup.keyboard.press('Enter');
    const byKey = await waitFor('the classic POST sent with Enter', () =>
      standIn.state.requests.slice(seen).find((r) => r.method === 'POST' && r.path === '/switchrole'));
    assert.equal(new URLSearchParams(byKey.body).get('roleName'), role);
    await popup.keyboard.press('Escape');
    assert.equal(await popup.locator('#filter').inputValue(), '');
    // The tab already shows the address the switch returns to: wait for the new page
    // itself to have loaded, else the next navigation races it.
    for (let loaded = false, start = Date.now(); !loaded;) {
      assert.ok(Date.now() - start < 30000, 'the console page after the switch did not load');
      loaded = await consoleTab.evaluate((before) =>
        performance.timeOrigin !== before && document.readyState === 'complete', pageBefore).catch(() => false);
      if (!loaded) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(consoleTab.url(), 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1');

    // 2. Multi-session: the JSON body with the CSRF header and the page's cookie; the tab
    // lands on the destination AWS returned.
    await consoleTab.goto(MULTI_PAGE);
    seen = standIn.state.requests.length;
    await switchButton.click();
    const multi = await waitFor('the multi-session POST', () =>
      standIn.state.requests.slice(seen).find((r) => r.method === 'POST' && r.path.startsWith('/sessions/')));
    await timing('multi-session', popup, multi);
    assert.equal(multi.host, 'eu-west-1.signin.aws.amazon.com');
    assert.equal(multi.path, `/sessions/${SESSION}/v1/switchrole`);
    assert.equal(multi.headers['x-csrf-protection'], '1');
    assert.ok((multi.headers.cookie ?? '').includes(`aws-userInfo=${USER_INFO}`), multi.headers.cookie);
    assert.deepEqual(JSON.parse(multi.body), {
      account,
      roleName: role,
      displayName,
      color,
      redirectUri: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    });
    await consoleTab.waitForURL(MULTI_DESTINATION);

    // Ctrl+click, and Ctrl+Enter: the same switch, the destination in a new tab.
    for (const how of ['click', 'key']) {
      await consoleTab.goto(MULTI_PAGE);
      const newTab = browser.waitForEvent('page', (p) => !p.url().includes('popup.html'));
      if (how === 'click') await switchButton.click({ modifiers: ['Control'] });
      else await popup.keyboard.press('Control+Enter');
      const opened = await newTab;
      await opened.waitForURL(MULTI_DESTINATION);
      assert.equal(consoleTab.url(), MULTI_PAGE, `the current tab stays (${how})`);
      await opened.close();
    }

    // An expired console session: the sign-in host refuses; the popup says what to do.
    standIn.state.multiStatus = 403;
    await switchButton.click();
    await popup.locator('#switch-status[data-code="signin_failed"]').waitFor();
    assert.match(await popup.locator('#switch-status').innerText(), /Sign in to the console again/);
    standIn.state.multiStatus = 200;

    // 3. Federation from a tab that is not the console: the daemon assumes the role in
    // moto and exchanges its credentials; the tab logs in with the token issued.
    await consoleTab.goto(OTHER_PAGE);
    seen = standIn.state.requests.length;
    await switchButton.click();
    const login = await waitFor('the federation login', () =>
      standIn.state.requests.slice(seen).find((r) => r.path === '/federation' && r.query.get('Action') === 'login'));
    const exchange = standIn.state.requests.slice(seen).find((r) => r.query.get('Action') === 'getSigninToken');
    await timing('federation (token exchange)', popup, exchange);
    await timing('federation (login)', popup, login);
    assert.deepEqual([...exchange.query.keys()], ['Action', 'SessionDuration', 'Session']);
    assert.equal(exchange.query.get('SessionDuration'), '3600');
    const session = JSON.parse(exchange.query.get('Session'));
    assert.deepEqual(Object.keys(session), ['sessionId', 'sessionKey', 'sessionToken']);
    assert.notEqual(session.sessionId, seeded.access_key_id);
    const caller = execFileSync(process.env.SWITCHYARD_MOTO_PYTHON, ['-c', `
import boto3, sys
sts = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], aws_session_token=sys.argv[4])
print(sts.get_caller_identity()['Arn'])
`, moto.endpoint, session.sessionId, session.sessionKey, session.sessionToken], { encoding: 'utf8' }).trim();
    assert.equal(caller, `arn:aws:sts::${account}:assumed-role/${role}/switchyard-default`);
    assert.equal(login.host, 'signin.aws.amazon.com');
    assert.deepEqual([...login.query.keys()], ['Action', 'Issuer', 'Destination', 'SigninToken']);
    assert.equal(login.query.get('SigninToken'), standIn.state.tokens.at(-1));
    assert.equal(login.query.get('Destination'), 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');
    await consoleTab.waitForURL('https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');
    await popup.locator('#switch-status.tone-good').waitFor();

    // Middle click: federation into a new tab.
    await consoleTab.goto(OTHER_PAGE);
    const middleTab = browser.waitForEvent('page', (p) => !p.url().includes('popup.html'));
    await switchButton.click({ button: 'middle' });
    const middle = await middleTab;
    await middle.waitForURL('https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');
    assert.equal(consoleTab.url(), OTHER_PAGE);
    await middle.close();

    // A console page without a CSRF token: federation, signing out of the live console
    // session first (sign-out returns to the one-time login URL).
    await consoleTab.goto(NO_CSRF_PAGE);
    seen = standIn.state.requests.length;
    await switchButton.click();
    const relogin = await waitFor('the login after sign-out', () =>
      standIn.state.requests.slice(seen).find((r) => r.path === '/federation' && r.query.get('Action') === 'login'));
    const signOut = standIn.state.requests.slice(seen).find((r) => r.path === '/oauth');
    assert.ok(signOut && signOut.at <= relogin.at, 'sign-out came first');
    assert.equal(signOut.host, 'signin.aws.amazon.com');
    assert.equal(signOut.query.get('Action'), 'logout');
    const signOutNext = new URL(signOut.query.get('redirect_uri'));
    assert.equal(signOutNext.searchParams.get('SigninToken'), standIn.state.tokens.at(-1));
    assert.equal(relogin.query.get('SigninToken'), standIn.state.tokens.at(-1));
    assert.equal(relogin.query.get('Destination'), 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1');
    await consoleTab.waitForURL('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1');
    assert.equal(
      standIn.state.requests.slice(seen).filter((r) => r.method === 'POST').length, 0,
      'no form or multi-session POST without a CSRF token',
    );

    // The role switched to is kept as recently used, for the next popup.
    const recent = await popup.evaluate(async () => JSON.parse((await chrome.storage.local.get('recent')).recent));
    assert.deepEqual(recent, [arn]);

    // Invalid targets are refused by the service worker before any request.
    const switches = () => standIn.state.requests.filter((r) =>
      r.method === 'POST' || r.path === '/federation' || r.path === '/oauth').length;
    seen = switches();
    for (const bad of [
      { role_arn: 'arn:aws:iam::12345:role/Admin', display_name: '', color: '' },
      { role_arn: `arn:aws:iam::${account}:role/Ad min`, display_name: '', color: '' },
      { role_arn: arn, display_name: 'x'.repeat(65), color: '' },
      { role_arn: arn, display_name: '', color: 'red' },
    ]) {
      const answer = await popup.evaluate((m) => chrome.runtime.sendMessage({ type: 'switch', new_tab: false, ...m }), bad);
      assert.equal(answer?.error?.code, 'invalid_target', JSON.stringify(bad));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(switches(), seen, 'no request for an invalid target');

    // No autofill value reached any switch request.
    for (const r of standIn.state.requests) {
      assert.ok(!r.body.includes(AUTOFILL) && !r.query.toString().includes(AUTOFILL), `${r.method} ${r.path}`);
    }

    // "Copy switch link": the link AWS gives admins, encoded.
    await popup.locator('#roles-list button.copy-link').first().click();
    const link = popup.locator('#switch-link');
    await link.waitFor();
    const expected = `https://signin.aws.amazon.com/switchrole?${new URLSearchParams({ roleName: role, account, displayName, color })}`;
    assert.equal(await link.innerText(), expected);
    assert.deepEqual(violations, [], 'the extension pages break no rule of their policy');
  } finally {
    await browser.close();
    cleanup(box);
  }
});

// End to end: IAM Identity Center from the popup, with no AWS key stored anywhere. The
// popup shows the session of ~/.aws/config as signed out with "Sign in with IAM Identity
// Center"; the click opens the OIDC authorize page in a tab (the daemon opens nothing
// itself), "Allow access" there sends the browser back to the daemon's loopback port, and
// the popup then lists the roles the portal grants, named as Identity Center names the
// accounts, and switches to one by federation (GetRoleCredentials, the sign-in token
// exchange, the console login). A second click while the first sign-in waits opens no
// second tab, and a refused sign-in says so.
//
// moto has no Identity Center OIDC or portal API: the stand-in (testkit's
// identity-center-standin, the same one the daemon's Rust tests use) answers them on
// loopback HTTP, reached through the SDK's standard endpoint settings
// (AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO). The sign-in host's token exchange is
// the HTTPS stand-in of standin.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cleanup, binDir, EXTENSION_ID } from './harness.mjs';
import { waitFor, noKeySandbox, openPopupWindow as openPopup } from './standin.mjs';

const AWS_CONFIG = `[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`;

/** The Identity Center stand-in as a process; its endpoint and a stop function. */
async function startIdentityCenter(spec) {
  const child = spawn(join(binDir(), 'identity-center-standin'), [JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('error', reject);
  });
  return { endpoint: JSON.parse(line).endpoint, stop: () => child.stdin.end() };
}

test('IAM Identity Center: sign in from the popup, see the granted roles, switch to one', async () => {
  const ic = await startIdentityCenter({
    grants: [
      ['111111111111', 'Acme Production', ['AdministratorAccess', 'ReadOnly']],
      ['222222222222', 'Acme Sandbox', ['ReadOnly']],
    ],
    credentials: {
      '111111111111/AdministratorAccess': ['ASIAIDENTITYCENTER01', 'stand-in-secret', 'stand-in-session-token'],
    },
  });
  const env = { AWS_ENDPOINT_URL_SSO_OIDC: ic.endpoint, AWS_ENDPOINT_URL_SSO: ic.endpoint };
  const { box, standIn, browser } = await noKeySandbox({ awsConfig: AWS_CONFIG, env })
    .catch((e) => { ic.stop(); throw e; });
  box.stops.push(ic.stop);
  // The token exchange at the sign-in stand-in's loopback address.
  mkdirSync(join(box.dir, 'config'), { recursive: true });
  writeFileSync(join(box.dir, 'config', 'config.toml'),
    `[profiles.default]\nsignin_endpoint = "http://127.0.0.1:${standIn.httpPort}"\n`);
  try {
    // The daemon starts with this environment (the host starts it on the first message).
    const popup = await openPopup(browser);
    const line = popup.locator('#sso li');
    await line.waitFor({ timeout: 30000 });
    assert.match(await line.innerText(), /acme \(https:\/\/acme\.awsapps\.com\/start\)[\s\S]*Signed out/);

    // "Sign in": the authorize page opens in a tab; a second click opens no second tab.
    const authorizeTab = browser.waitForEvent('page', (p) => p.url().includes('/authorize?'));
    await popup.getByRole('button', { name: 'Sign in with IAM Identity Center' }).click();
    const tab = await authorizeTab;
    await tab.waitForLoadState();
    const url = new URL(tab.url());
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('scopes'), 'sso:account:access');
    assert.match(url.searchParams.get('redirect_uri'), /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    await popup.locator('#sso li', { hasText: 'Waiting for your approval' }).waitFor({ timeout: 10000 });

    // "Allow access": back at the daemon's loopback port, signed in.
    await tab.getByRole('button', { name: 'Allow access' }).click();
    await tab.getByText('You can close this tab').waitFor({ timeout: 20000 });
    await popup.locator('#sso li', { hasText: 'Signed in' }).waitFor({ timeout: 20000 });

    // The granted roles, named as Identity Center names the accounts.
    const admin = popup.locator('#roles-list [role=option][data-display-name="AdministratorAccess @ Acme Production"]').last();
    await admin.waitFor({ timeout: 30000 });
    await popup.locator('#roles-list [role=option][data-display-name="ReadOnly @ Acme Sandbox"]').last().waitFor();
    assert.match(await admin.innerText(), /Identity Center/);

    // Switch: federation with the role's credentials from GetRoleCredentials.
    const seen = standIn.state.requests.length;
    await admin.click();
    const exchange = await waitFor('the token exchange', () =>
      standIn.state.requests.slice(seen).find((r) => r.query.get('Action') === 'getSigninToken'));
    const session = JSON.parse(exchange.query.get('Session'));
    assert.equal(session.sessionId, 'ASIAIDENTITYCENTER01');
    await waitFor('the console login', () =>
      standIn.state.requests.slice(seen).find((r) => r.path === '/federation' && r.query.get('Action') === 'login'));
    await tab.close();
    await popup.close();
  } finally {
    await browser.close();
    cleanup(box);
  }
});

test('IAM Identity Center from the options page: a start URL no ~/.aws/config names, checked, then signed in', async () => {
  const ic = await startIdentityCenter({
    grants: [['333333333333', 'Globex Prod', ['ReadOnly']]],
    credentials: {},
  });
  const env = { AWS_ENDPOINT_URL_SSO_OIDC: ic.endpoint, AWS_ENDPOINT_URL_SSO: ic.endpoint };
  // An empty ~/.aws/config: no session is known until the options page names one.
  const { box, browser } = await noKeySandbox({ awsConfig: '', env })
    .catch((e) => { ic.stop(); throw e; });
  box.stops.push(ic.stop);
  try {
    const options = await browser.newPage();
    await options.goto(`chrome-extension://${EXTENSION_ID}/options.html`);
    const signIn = options.getByRole('button', { name: 'Sign in with IAM Identity Center' });

    // Bad input is named at its field, and nothing is sent.
    await signIn.click();
    assert.match(await options.locator('#sso-region-error').innerText(), /give the Region/);
    await options.getByLabel('AWS access portal URL (start URL)').fill('acme.awsapps.com/start');
    await options.getByLabel('Region of your IAM Identity Center').fill('europe');
    await signIn.click();
    assert.match(await options.locator('#sso-start-url-error').innerText(), /not an https:\/\/ URL/);
    assert.match(await options.locator('#sso-region-error').innerText(), /not an AWS Region/);
    assert.equal(await options.locator('#sso-outcome').innerText(), '');

    // A good start URL and Region: the authorize page opens in a tab; approved, signed in.
    await options.getByLabel('AWS access portal URL (start URL)').fill('https://acme.awsapps.com/start');
    await options.getByLabel('Region of your IAM Identity Center').fill('eu-west-1');
    const authorizeTab = browser.waitForEvent('page', (p) => p.url().includes('/authorize?'));
    await signIn.click();
    const tab = await authorizeTab;
    await tab.waitForLoadState();
    assert.equal(await options.locator('#sso-start-url-error').innerText(), '');
    await tab.getByRole('button', { name: 'Allow access' }).click();
    await tab.getByText('You can close this tab').waitFor({ timeout: 20000 });
    await options.locator('#sso-outcome', { hasText: 'Signed in' }).waitFor({ timeout: 20000 });
    assert.match(await options.locator('#sso-outcome').innerText(), /^Signed in: \S+ \(https:\/\/acme\.awsapps\.com\/start\)/);
    assert.match(await options.locator('#sso-sessions').innerText(), /https:\/\/acme\.awsapps\.com\/start\)[\s\S]*Signed in/);

    // The popup lists the role it grants.
    const popup = await openPopup(browser);
    await popup.locator('#roles-list [role=option][data-display-name="ReadOnly @ Globex Prod"]').last().waitFor({ timeout: 30000 });
    await tab.close();
    await popup.close();
  } finally {
    await browser.close();
    cleanup(box);
  }
});

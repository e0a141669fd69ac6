// End to end, with no AWS key stored anywhere (no profile settings; the keyring runs and
// is checked to stay empty): the popup lists an imported AWS Extend Switch Roles
// configuration and ~/.aws/config, scopes them to the console tab's identity as AESR
// does (an IAM user and an IAM Identity Center session, told by the stand-in's page),
// switches through the console session (classic form; multi-session with the live
// sessions respected: a live identity opened, never signed in twice, a sixth refused, a
// switch made from the base session), in the European Sovereign Cloud and from a console
// page without its meta tag (the sign-in host from partition and region); and bad input:
// garbage session data, a malformed import, a hostile name and color, nothing lost.
// The console and sign-in hosts are the HTTPS stand-in (standin.mjs) under AWS's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, binDir } from './harness.mjs';
import { CSRF, SESSION, waitFor, noKeySandbox, openPopupWindow as openPopup } from './standin.mjs';

const AESR = `[corp]
aws_account_id = 111111111111
aws_account_alias = acme-corp
role_name = AdministratorAccess
target_role_name = OrganizationAccountAccessRole

[Acme Prod Admin]
aws_account_id = 222222222222
source_profile = corp
color = ffaaee; pink
region = us-west-2
image = "https://console.aws.amazon.com/acme.png"

[Acme Stage]
aws_account_id = 777777777777
source_profile = corp

[partner]
aws_account_id = 888888888888

[Partner Audit]
aws_account_id = 333333333333
role_name = Audit
source_profile = partner

[Sandbox Dev]
aws_account_id = 444444444444
role_name = Developer

[Sovereign Admin]
role_arn = arn:aws-eusc:iam::555555555555:role/Admin

[broken header
role_name = Nothing
`;
const AWS_CONFIG = '[profile cli-ops]\nrole_arn = arn:aws:iam::666666666666:role/Ops\nregion = eu-central-1\n';

const cookie = (arn, alias) => encodeURIComponent(JSON.stringify({ arn, alias }));
const IAM_USER = cookie('arn:aws:iam::888888888888:user/alice', 'partner-login');
const IDENTITY_CENTER = cookie('arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_5f3a9c/alice', 'acme-corp');
const classicMeta = (account) => JSON.stringify({ prismModeEnabled: false, signInEndpoint: 'eu-west-1.signin.aws.amazon.com', accountId: account });
const PAGE = 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1';

// Each target once (a recently used one is listed again on top).
const names = (popup) => popup.locator('#roles-list [role=option]').evaluateAll((rows) => [...new Set(rows.map((r) => r.dataset.displayName))]);
// A target's row in its account's group (the last of its rows).
const row = (popup, name) => popup.locator(`#roles-list [role=option][data-display-name="${name}"]`).last();

/** Wait until the tab shows a new document (a switch's landing page has loaded). */
async function landed(tab, before) {
  for (const start = Date.now(); ;) {
    assert.ok(Date.now() - start < 30000, 'the console page after the switch did not load');
    const done = await tab.evaluate((t) => performance.timeOrigin !== t && document.readyState === 'complete', before).catch(() => false);
    if (done) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const origin = (tab) => tab.evaluate(() => performance.timeOrigin);

async function setOnlyReachable(browser, on) {
  const worker = browser.serviceWorkers().find((w) => w.url().includes('background.js'));
  await worker.evaluate(async (value) => {
    const stored = (await chrome.storage.local.get('settings')).settings;
    const settings = stored ? JSON.parse(stored) : {};
    settings.only_reachable = value;
    await chrome.storage.local.set({ settings: JSON.stringify(settings) });
  }, on);
}

test('no key anywhere: listed, scoped, switched through the console session, bad input told', async () => {
  const { box, standIn, browser } = await noKeySandbox({ aesr: AESR, awsConfig: AWS_CONFIG });
  const posts = (from, path = '/switchrole') => standIn.state.requests.slice(from).filter((r) => r.method === 'POST' && r.path.startsWith(path));
  try {
    const consoleTab = browser.pages()[0] ?? (await browser.newPage());

    // An IAM user signed in to the partner account.
    standIn.state.page = { meta: classicMeta('888888888888'), userInfo: IAM_USER };
    await consoleTab.goto(PAGE);
    let popup = await openPopup(browser);
    // Every imported and configured target, under the names the lists give them.
    assert.deepEqual((await names(popup)).sort(), ['Acme Prod Admin', 'Acme Stage', 'Ops @ cli-ops', 'Partner Audit', 'Sandbox Dev', 'Sovereign Admin']);
    assert.match(await popup.locator('#tab-session-text').innerText(), /^alice @ .*888888888888/);
    // No key is the normal case here: a neutral note naming the commands, no error.
    await popup.locator('#account-note').waitFor({ timeout: 30000 });
    assert.match(await popup.locator('#account-note-title').innerText(), /none is needed to switch/);
    const commands = await popup.locator('#account-note-message code').allTextContents();
    assert.ok(commands.length >= 1, 'the note names the commands');
    for (const command of commands) assert.match(command, /^switchyard /);
    assert.equal(await popup.locator('#account-error').isVisible(), false);
    // Not reachable from here: marked with its base.
    assert.match(await row(popup, 'Acme Prod Admin').innerText(), /from corp/);
    assert.doesNotMatch(await row(popup, 'Partner Audit').innerText(), /from /);
    // A picture for a person to look at, when asked (kept under the target dir).
    if (process.env.SWITCHYARD_SCREENSHOTS) await popup.screenshot({ path: join(process.env.SWITCHYARD_SCREENSHOTS, 'popup-no-key.png') });
    // The import's image, sent no referrer.
    assert.equal(await row(popup, 'Acme Prod Admin').locator('img.image').getAttribute('src'), 'https://console.aws.amazon.com/acme.png');
    assert.equal(await row(popup, 'Acme Prod Admin').locator('img.image').getAttribute('referrerpolicy'), 'no-referrer');
    await popup.close();

    // "Only reachable": the IAM user in the partner account sees partner's target and the
    // ones with no base; an Identity Center session in corp (permission set
    // AdministratorAccess) sees corp's.
    await setOnlyReachable(browser, true);
    popup = await openPopup(browser);
    assert.deepEqual((await names(popup)).sort(), ['Ops @ cli-ops', 'Partner Audit', 'Sandbox Dev', 'Sovereign Admin']);
    assert.match(await popup.locator('#roles-count').innerText(), /2 out of this session's reach hidden/);
    await popup.close();
    standIn.state.page = { meta: classicMeta('111111111111'), userInfo: IDENTITY_CENTER };
    await consoleTab.goto(PAGE);
    popup = await openPopup(browser);
    assert.deepEqual((await names(popup)).sort(), ['Acme Prod Admin', 'Acme Stage', 'Ops @ cli-ops', 'Sandbox Dev', 'Sovereign Admin']);
    assert.match(await popup.locator('#tab-session-text').innerText(), /AWSReservedSSO_AdministratorAccess_5f3a9c @ acme-corp/);

    // The classic switch through the console session: the section's name and color, and
    // the target's region is where the console lands.
    let seen = standIn.state.requests.length;
    await row(popup, 'Acme Prod Admin').click();
    const classic = await waitFor('the classic POST', () => posts(seen)[0]);
    assert.equal(classic.host, 'eu-west-1.signin.aws.amazon.com');
    const fields = new URLSearchParams(classic.body);
    assert.equal(fields.get('displayName'), 'Acme Prod Admin');
    assert.equal(fields.get('roleName'), 'OrganizationAccountAccessRole');
    assert.equal(fields.get('account'), '222222222222');
    assert.equal(fields.get('color'), 'ffaaee');
    assert.equal(fields.get('csrf'), CSRF);
    assert.equal(decodeURIComponent(fields.get('redirect_uri')), 'https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2');
    await consoleTab.waitForURL('https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2');
    await popup.close();

    // A console page without its meta tag still switches, to its region's sign-in host.
    await setOnlyReachable(browser, false);
    standIn.state.page = { meta: null, userInfo: IDENTITY_CENTER };
    await consoleTab.goto('https://ap-northeast-1.console.aws.amazon.com/ec2/home?region=ap-northeast-1');
    popup = await openPopup(browser);
    seen = standIn.state.requests.length;
    let before = await origin(consoleTab);
    await row(popup, 'Sandbox Dev').click();
    assert.equal((await waitFor('the classic POST', () => posts(seen)[0])).host, 'ap-northeast-1.signin.aws.amazon.com');
    await landed(consoleTab, before);
    await popup.close();

    // The European Sovereign Cloud: its console, its regional sign-in host.
    standIn.state.page = { meta: null, userInfo: cookie('arn:aws-eusc:iam::555555555555:user/alice', '') };
    await consoleTab.goto('https://eusc-de-east-1.console.amazonaws-eusc.eu/s3/home?region=eusc-de-east-1');
    popup = await openPopup(browser);
    seen = standIn.state.requests.length;
    before = await origin(consoleTab);
    await row(popup, 'Sovereign Admin').click();
    const sovereign = await waitFor('the sovereign POST', () => posts(seen)[0]);
    assert.equal(sovereign.host, 'eusc-de-east-1.signin.amazonaws-eusc.eu');
    assert.equal(new URLSearchParams(sovereign.body).get('account'), '555555555555');
    await landed(consoleTab, before);
    await popup.close();

    // Multi-session: five identities live; the popup says so.
    const live = (differentiator, arn) => ({ differentiator, principal_arn: arn, expiry: Date.now() + 3600e3, auth_time: Date.now(), account_alias: '' });
    standIn.state.page = null; // the stand-in's multi-session page for SESSION (123456789012)
    standIn.state.live = [
      live(SESSION, 'arn:aws:sts::123456789012:assumed-role/Admin/alice'),
      live('222222222222-prod', 'arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/alice'),
      live('111111111111-corp', 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_5f3a9c/alice'),
      live('101010101010-a', 'arn:aws:sts::101010101010:assumed-role/Ops/alice'),
      live('202020202020-b', 'arn:aws:sts::202020202020:assumed-role/Ops/alice'),
    ];
    await consoleTab.goto(`https://${SESSION}.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1`);
    popup = await openPopup(browser);
    await popup.waitForFunction(() => /5 of 5 sessions signed in \(the console's limit/.test(document.getElementById('tab-session-text')?.innerText ?? ''), null, { timeout: 30000 });
    assert.match(await popup.locator('#tab-session-text').getAttribute('title'), /OrganizationAccountAccessRole @ 222222222222/);
    if (process.env.SWITCHYARD_SCREENSHOTS) await popup.screenshot({ path: join(process.env.SWITCHYARD_SCREENSHOTS, 'popup-multi-session.png') });
    // A live identity is opened, not signed in to again (that would sign its tabs out).
    seen = standIn.state.requests.length;
    await row(popup, 'Acme Prod Admin').click();
    await consoleTab.waitForURL('https://222222222222-prod.us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2');
    assert.deepEqual(posts(seen, '/sessions/'), [], 'no switch request for a live identity');
    // A sixth identity: refused, saying why and what to do.
    await consoleTab.goto(`https://${SESSION}.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1`);
    seen = standIn.state.requests.length;
    await row(popup, 'Sandbox Dev').click();
    await popup.locator('#switch-status').filter({ hasText: 'Five identities are signed in' }).waitFor();
    assert.match(await popup.locator('#switch-status').innerText(), /Sign out of one/);
    assert.deepEqual(posts(seen, '/sessions/'), []);
    // Four live: a target of corp is switched from corp's session, though the tab is on
    // another one; a target of no live base is chained from the tab's own session.
    standIn.state.live.pop();
    seen = standIn.state.requests.length;
    await row(popup, 'Acme Stage').click();
    const fromBase = await waitFor('the multi-session POST', () => posts(seen, '/sessions/')[0]);
    assert.equal(fromBase.path, '/sessions/111111111111-corp/v1/switchrole');
    await consoleTab.waitForURL(/999999999999-sess2/);
    await consoleTab.goto(`https://${SESSION}.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1`);
    seen = standIn.state.requests.length;
    await row(popup, 'Partner Audit').click();
    const chained = await waitFor('the chained POST', () => posts(seen, '/sessions/')[0]);
    assert.equal(chained.path, `/sessions/${SESSION}/v1/switchrole`);
    await consoleTab.waitForURL(/999999999999-sess2/);
    await popup.close();

    // Garbage session data: said plainly, and every role is listed.
    standIn.state.live = [];
    standIn.state.page = { meta: '<<not json at all', userInfo: 'garbage%%' };
    await setOnlyReachable(browser, true);
    await consoleTab.goto(PAGE);
    popup = await openPopup(browser);
    await popup.waitForFunction(() => /could not be read/.test(document.getElementById('tab-session-text')?.innerText ?? ''), null, { timeout: 30000 });
    assert.match(await popup.locator('#tab-session-text').innerText(), /meta tag is not JSON\); every role is listed/);
    assert.equal((await names(popup)).length, 6);
    await popup.close();

    // A hostile name and color in an import: shown as text, the color dropped with a
    // note; then a malformed import: refused, and the previous one is kept.
    const run = (args) => {
      try {
        return { ok: true, out: execFileSync(join(binDir(), 'switchyard'), args, { env: box.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
      } catch (e) {
        return { ok: false, out: `${e.stdout}${e.stderr}` };
      }
    };
    const hostile = join(box.dir, 'hostile.aesr');
    writeFileSync(hostile, '[<img src=x onerror="document.title=1">]\naws_account_id = 999999999999\nrole_name = X\ncolor = red;background:url(x)\n');
    const imported = run(['roles', 'import', hostile]);
    assert.ok(imported.ok, imported.out);
    assert.match(imported.out, /imported 1 role\b/);
    const malformed = join(box.dir, 'malformed.aesr');
    writeFileSync(malformed, 'role_arn = arn:aws:iam::1:role/x\n[unclosed\nnot a key line\n');
    const refused = run(['roles', 'import', malformed]);
    assert.equal(refused.ok, false);
    assert.match(refused.out, /previous import is kept/);
    assert.match(refused.out, /not a section header|before any \[section\]/);
    standIn.state.page = { meta: classicMeta('888888888888'), userInfo: IAM_USER };
    await consoleTab.goto(PAGE);
    popup = await openPopup(browser);
    const name = '<img src=x onerror="document.title=1">';
    assert.deepEqual((await names(popup)).sort(), ['Ops @ cli-ops', name].sort());
    assert.equal(await popup.locator('#roles-list img').count(), 0, 'the name is text');
    assert.equal(await popup.evaluate(() => document.title === '1'), false);
    const styles = await popup.locator('#roles-list [role=option]').evaluateAll((rows) => rows.map((r) => r.getAttribute('style') ?? ''));
    assert.ok(styles.every((style) => !/url\(|background/.test(style)), styles.join(' | '));
    await popup.close();

    // Nothing of this needed or left a key.
    let found = '';
    try {
      found = execFileSync('secret-tool', ['search', '--all', 'service', 'switchyard'], { env: box.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      found = `${e.stdout ?? ''}`; // secret-tool exits 1 when it finds nothing
    }
    assert.equal(found.trim(), '', 'the keyring holds no Switchyard entry');
  } finally {
    await browser.close();
    cleanup(box);
  }
});

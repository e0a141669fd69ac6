// The local HTTPS stand-in for AWS's console and sign-in hosts (reached by Chromium under
// the real host names with --host-resolver-rules), and an extension that behaves like an
// aggressive password-manager autofill. Used by the switching and options tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { createServer as createHttp } from 'node:http';
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
  freePort,
  binDir,
} from './harness.mjs';

export const CSRF = 'csrf-classic-7f3a';
export const SESSION = '123456789012-sess1';
export const NEXT_SESSION = '999999999999-sess2';
export const AUTOFILL = 'autofill-WRONG';
/** The console's aws-userInfo cookie: alice in the Admin role of the stand-in's account. */
export const USER_INFO = encodeURIComponent(JSON.stringify({
  alias: 'acme-main',
  arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
  username: 'assumed-role%2FAdmin%2Falice',
}));
export const CLASSIC_PAGE = 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:instanceId=i-0abc';
export const MULTI_PAGE = `https://${SESSION}.eu-west-1.console.aws.amazon.com/s3/buckets/logs?region=eu-west-1&tab=objects`;
export const MULTI_DESTINATION = `https://${NEXT_SESSION}.eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1`;
export const OTHER_PAGE = 'https://signin.aws.amazon.com/not-the-console';
// A console page that offers no CSRF token (the stand-in leaves AWSC out).
export const NO_CSRF_PAGE = 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1&nocsrf=1';

/** A self-signed certificate (Chromium runs with --ignore-certificate-errors). */
function certificate(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', key, '-out', cert, '-subj', '/CN=switchyard-stand-in',
  ], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** HTML attribute text: what a page's `content='…'` may hold. */
const attribute = (text) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;');

function consolePage(host, url, override) {
  const csrf = url.searchParams.has('nocsrf')
    ? ''
    : `<script>window.AWSC = { Auth: { getMbtc: () => ${JSON.stringify(CSRF)} } };</script>`;
  const multi = host.startsWith(`${SESSION}.`);
  const session = multi
    ? { prismModeEnabled: true, signInEndpoint: 'eu-west-1.signin.aws.amazon.com', sessionDifferentiator: SESSION, accountId: '123456789012' }
    : { prismModeEnabled: false, signInEndpoint: 'eu-west-1.signin.aws.amazon.com', accountId: '123456789012' };
  // A test may set the page's session data (`meta`: the meta tag's content as text, or
  // null for a page without the tag, as regional pages were for a day in October 2025).
  const meta = override && 'meta' in override ? override.meta : JSON.stringify(session);
  const tag = meta === null ? '' : `<meta name="awsc-session-data" content='${attribute(meta)}'>`;
  // The console's own visible "Switch Role" fields are what password managers fill.
  return `<!doctype html><html><head><meta charset="utf-8">
${tag}
<title>Console stand-in</title>
${csrf}
</head><body><h1>console ${host}</h1>
<form id="nav-switch"><input name="account" autocomplete="username"><input name="roleName"><input name="displayName"><input type="password" name="password"></form>
</body></html>`;
}

/** The stand-in: one handler behind HTTPS (the browser) and loopback HTTP (the daemon). */
export async function startStandIn(dir) {
  // `page`: overrides of the console page (see consolePage) and of its aws-userInfo
  // cookie (`userInfo`); `live`: the console's signed-in sessions, as
  // /sessions/v1/list answers them.
  const state = { requests: [], tokens: [], multiStatus: 200, page: null, live: [] };
  const handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const host = (req.headers.host || '').replace(/:\d+$/, '');
      const url = new URL(req.url, `https://${host}`);
      const record = { at: Date.now(), method: req.method, host, path: url.pathname, query: url.searchParams, headers: req.headers, body };
      state.requests.push(record);
      const origin = req.headers.origin;
      if (origin) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        res.setHeader('Access-Control-Allow-Headers', 'content-type, x-csrf-protection');
        res.setHeader('Access-Control-Allow-Methods', 'POST');
      }
      if (req.method === 'OPTIONS') return res.writeHead(204).end();
      if (host.endsWith('console.aws.amazon.com') || host.endsWith('console.amazonaws-eusc.eu')) {
        // Who is signed in, as the console keeps it: URL-encoded JSON (the popup shows it).
        const domain = host.endsWith('.eu') ? '.amazonaws-eusc.eu' : '.aws.amazon.com';
        const userInfo = state.page?.userInfo ?? USER_INFO;
        res.setHeader('Set-Cookie', `aws-userInfo=${userInfo}; Domain=${domain}; Path=/; Secure; SameSite=None`);
        return res.writeHead(200, { 'Content-Type': 'text/html' }).end(consolePage(host, url, state.page));
      }
      // The console's list of its signed-in sessions (multi-session mode). A stand-in:
      // AWS does not document this endpoint; the shape is the one the console's pages
      // read (differentiator, principal_arn, expiry, auth_time, account_alias), as other
      // extensions have recorded it.
      if (req.method === 'GET' && url.pathname === '/sessions/v1/list') {
        return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sessions: state.live }));
      }
      if (req.method === 'POST' && url.pathname === '/switchrole') {
        const redirect = decodeURIComponent(new URLSearchParams(body).get('redirect_uri') || '');
        return res.writeHead(302, { Location: redirect || 'https://console.aws.amazon.com/console/home' }).end();
      }
      if (req.method === 'POST' && /^\/sessions\/[^/]+\/v1\/switchrole$/.test(url.pathname)) {
        if (state.multiStatus !== 200) return res.writeHead(state.multiStatus).end('{"message":"Forbidden"}');
        return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ destination: MULTI_DESTINATION }));
      }
      if (url.pathname === '/federation' && url.searchParams.get('Action') === 'getSigninToken') {
        const token = `signin-token-${state.tokens.length + 1}`;
        state.tokens.push(token);
        return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ SigninToken: token }));
      }
      if (url.pathname === '/oauth' && url.searchParams.get('Action') === 'logout') {
        res.setHeader('Set-Cookie', 'aws-userInfo=; Domain=.aws.amazon.com; Path=/; Secure; SameSite=None; Max-Age=0');
        return res.writeHead(302, { Location: url.searchParams.get('redirect_uri') }).end();
      }
      if (url.pathname === '/federation' && url.searchParams.get('Action') === 'login') {
        return res.writeHead(302, { Location: url.searchParams.get('Destination') }).end();
      }
      // Any other sign-in page: a form for the autofill extension to attack.
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(
        '<!doctype html><title>sign-in stand-in</title><form><input name="account"><input name="roleName"></form>',
      );
    });
  };
  const https = createHttps(certificate(dir), handler);
  const http = createHttp(handler);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  await new Promise((r) => https.listen(httpsPort, '127.0.0.1', r));
  await new Promise((r) => http.listen(httpPort, '127.0.0.1', r));
  const stop = () => { https.close(); http.close(); };
  return { state, httpsPort, httpPort, stop };
}

/** An extension that acts like an aggressive password manager on AWS's hosts. */
export function autofillExtension(dir) {
  const ext = join(dir, 'autofill');
  mkdirSync(ext, { recursive: true });
  writeFileSync(join(ext, 'manifest.json'), JSON.stringify({
    manifest_version: 3,
    name: 'Aggressive autofill (test)',
    version: '1.0',
    content_scripts: [{
      matches: ['https://*.aws.amazon.com/*', 'https://*.amazon.com/*'],
      js: ['fill.js'],
      run_at: 'document_start',
      all_frames: true,
    }],
  }));
  writeFileSync(join(ext, 'fill.js'), `
    const WRONG = ${JSON.stringify(AUTOFILL)};
    function fill() {
      for (const input of document.querySelectorAll('input, textarea')) {
        if (input.value !== WRONG) {
          input.value = WRONG;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          input.dispatchEvent(new Event('change', { bubbles: true }));
        }
      }
    }
    fill();
    document.addEventListener('DOMContentLoaded', fill);
    window.addEventListener('load', fill);
    document.addEventListener('input', fill, true);
    document.addEventListener('focusin', fill, true);
    document.addEventListener('submit', fill, true);
    new MutationObserver(fill).observe(document, { childList: true, subtree: true });
    setInterval(fill, 10);
  `);
  return ext;
}

export async function waitFor(what, check, timeout = 30000) {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Host resolver rules sending AWS's sign-in and console hosts to the stand-in. */
export function resolverRules(standIn) {
  const to = `127.0.0.1:${standIn.httpsPort}`;
  return ['signin.aws.amazon.com', '*.signin.aws.amazon.com', 'console.aws.amazon.com', '*.console.aws.amazon.com',
    'signin.amazonaws-eusc.eu', '*.signin.amazonaws-eusc.eu', 'console.amazonaws-eusc.eu', '*.console.amazonaws-eusc.eu']
    .map((host) => `MAP ${host} ${to}`).join(', ');
}

/** Point the sandbox's default profile's token exchange at the stand-in's HTTP side. */
export function useStandInSignin(box, standIn) {
  const configPath = join(box.env.SWITCHYARD_CONFIG_DIR, 'config.toml');
  const config = readFileSync(configPath, 'utf8');
  if (!config.includes('[profiles.default]\n')) throw new Error('no default profile in config.toml');
  writeFileSync(configPath, config.replace('[profiles.default]\n',
    `[profiles.default]\nsignin_endpoint = "http://127.0.0.1:${standIn.httpPort}"\n`));
}

/**
 * A switching sandbox with no key stored anywhere: no moto, no profile settings, a
 * running but empty keyring (so a test can assert it stayed empty), the stand-in, the
 * host installed, Chromium with the extension. `aesr`: an AWS Extend Switch Roles
 * configuration imported with `switchyard roles import`; `awsConfig`: the
 * `~/.aws/config` the daemon reads.
 */
export async function noKeySandbox({ aesr, awsConfig, env = {} } = {}) {
  const box = sandbox(env);
  try {
    box.env.HOME = box.dir;
    if (awsConfig !== undefined) {
      box.env.AWS_CONFIG_FILE = join(box.dir, 'aws-config');
      writeFileSync(box.env.AWS_CONFIG_FILE, awsConfig);
    }
    const standIn = await startStandIn(box.dir);
    box.stops.push(standIn.stop);
    await startSecretService(box);
    if (aesr !== undefined) {
      const file = join(box.dir, 'import.aesr');
      writeFileSync(file, aesr);
      execFileSync(join(binDir(), 'switchyard'), ['roles', 'import', file], { env: box.env, stdio: 'ignore' });
    }
    installHost(box);
    const browser = await launch(box, {
      args: [`--host-resolver-rules=${resolverRules(standIn)}`, '--ignore-certificate-errors'],
    });
    return { box, standIn, browser };
  } catch (error) {
    cleanup(box);
    throw error;
  }
}

/**
 * Everything a switching test needs: moto seeded with the sample organization (alice in
 * one team), alice's key in a private keyring, the stand-in (its token exchange used by
 * the daemon), the host installed, and Chromium with the extension and the autofill
 * extension, reaching the stand-in under AWS's host names. `awsConfig`: the text of an
 * `~/.aws/config` for the daemon to read. The caller closes the browser and cleans up.
 */
export async function consoleSandbox({ awsConfig } = {}) {
  const moto = await startMoto();
  const box = sandbox({ AWS_ENDPOINT_URL: moto.endpoint });
  box.stops.push(() => moto.stop());
  try {
    if (awsConfig !== undefined) {
      box.env.AWS_CONFIG_FILE = join(box.dir, 'aws-config');
      writeFileSync(box.env.AWS_CONFIG_FILE, awsConfig);
    }
    const seeded = seedMoto(moto, { groups: 1 });
    const standIn = await startStandIn(box.dir);
    box.stops.push(standIn.stop);
    await startSecretService(box);
    addCredentials(box, seeded, moto.endpoint);
    useStandInSignin(box, standIn);
    installHost(box);
    const browser = await launch(box, {
      args: [`--host-resolver-rules=${resolverRules(standIn)}`, '--ignore-certificate-errors'],
      extensions: [autofillExtension(box.dir)],
    });
    return { moto, box, seeded, standIn, browser };
  } catch (error) {
    cleanup(box);
    throw error;
  }
}

/**
 * The popup in a window of its own (over the active tab, as a click on the toolbar icon
 * opens it), once it has read the roles; closed by the caller.
 */
export async function openPopupWindow(browser) {
  const worker = browser.serviceWorkers().find((w) => w.url().includes('background.js'))
    ?? (await browser.waitForEvent('serviceworker', (w) => w.url().includes('background.js')));
  const opened = browser.waitForEvent('page', (p) => p.url().includes('popup.html'));
  await worker.evaluate(() => chrome.windows.create({ url: chrome.runtime.getURL('popup.html'), type: 'popup', focused: false }));
  const popup = await opened;
  await popup.waitForFunction(() => performance.getEntriesByName('roles-refreshed').length > 0, null, { timeout: 60000 });
  return popup;
}

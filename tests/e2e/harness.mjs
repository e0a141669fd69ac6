// Shared setup for the browser tests and the demo tour: Debian Chromium with the built
// extension loaded, a private profile, an isolated daemon runtime dir, and optionally a
// private Secret Service (gnome-keyring) and a seeded moto.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const EXTENSION_ID = 'fckpphpaflmmcocfemjogfaiblilmlih';
export const POPUP_URL = `chrome-extension://${EXTENSION_ID}/popup.html`;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through cargo xtask`);
  return value;
}

export const extensionDir = () => required('SWITCHYARD_EXTENSION_DIR');
export const binDir = () => required('SWITCHYARD_BIN_DIR');

/** A sandbox: profile dir, daemon runtime/state dirs and the environment for them. */
export function sandbox(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sy-e2e-'));
  const env = {
    ...process.env,
    SWITCHYARD_RUNTIME_DIR: join(dir, 'run'),
    SWITCHYARD_STATE_DIR: join(dir, 'state'),
    SWITCHYARD_CONFIG_DIR: join(dir, 'config'),
  };
  delete env.SWITCHYARD_DAEMON_BIN;
  Object.assign(env, extraEnv);
  // `stops`: what cleanup() ends after the daemon, newest first.
  return { dir, profile: join(dir, 'profile'), env, stops: [] };
}

/** `switchyard ARGS` with the sandbox's environment; returns stdout. */
export function switchyard(box, args) {
  return execFileSync(join(binDir(), 'switchyard'), args, { env: box.env, encoding: 'utf8' });
}

/** Register the host in the sandbox's Chromium profile, as a user would. */
export function installHost(box) {
  return switchyard(box, ['install', '--browser', 'chromium', '--user-data-dir', box.profile]);
}

/**
 * Chromium with the built extension (and `extensions`, more unpacked extension folders)
 * loaded; `args` are added to its command line.
 */
export async function launch(box, { headed = false, args = [], extensions = [] } = {}) {
  const loaded = [extensionDir(), ...extensions].join(',');
  return chromium.launchPersistentContext(box.profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !headed,
    env: box.env,
    viewport: { width: 420, height: 360 },
    args: [
      `--disable-extensions-except=${loaded}`,
      `--load-extension=${loaded}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Chromium's own passwords stay out of the sandbox's keyring.
      '--password-store=basic',
      ...args,
    ],
  });
}

/**
 * Content-Security-Policy violations the extension's own pages report in `context` from now
 * on (the manifest's policy must block nothing they do). The array fills as they come.
 */
export function cspViolations(context) {
  const seen = [];
  context.on('console', (message) => {
    const where = message.location()?.url ?? '';
    if (where.startsWith(`chrome-extension://${EXTENSION_ID}/`) && /Content Security Policy/i.test(message.text())) {
      seen.push(`${where}: ${message.text()}`);
    }
  });
  return seen;
}

/** Stop the sandbox's daemon (if one started), then its helpers, and remove its files. */
/** Close the browser, then clean the sandbox up (see cleanup). */
export async function close({ browser, box }) {
  await browser.close();
  cleanup(box);
}

export function cleanup(box) {
  try {
    const status = JSON.parse(
      execFileSync(join(binDir(), 'switchyard'), ['status', '--json'], {
        env: { ...box.env, SWITCHYARD_DAEMON_BIN: '/nonexistent' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    process.kill(status.data.pid, 'SIGTERM');
  } catch {
    // No daemon was running.
  }
  for (const stop of box.stops.splice(0).reverse()) stop();
  rmSync(box.dir, { recursive: true, force: true });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Start moto (the local AWS stand-in) and wait until it answers. */
export async function startMoto() {
  const python = required('SWITCHYARD_MOTO_PYTHON');
  const port = await freePort();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return { endpoint, stop: () => child.kill() };
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`moto did not start on ${endpoint}`);
}

/** The first line a child process writes to stdout. */
function firstLine(child, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end).trim());
    });
    child.on('error', (e) => reject(new Error(`${what} did not start: ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before printing`)));
  });
}

/**
 * A private Secret Service for the sandbox: a D-Bus session bus with an unlocked
 * gnome-keyring on it, and a HOME inside the sandbox. Its address and HOME go into
 * `box.env`, so Chromium → host → daemon and the CLI all use it; cleanup() stops both.
 */
export async function startSecretService(box) {
  const home = join(box.dir, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  box.stops.push(() => bus.kill());
  const address = await firstLine(bus, 'dbus-daemon (Debian package dbus)');
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: address,
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: home,
    },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  box.stops.push(() => keyring.kill());
  keyring.on('error', () => {}); // reported below as "did not come up"
  // The new login keyring's password; closing stdin lets the daemon go on.
  keyring.stdin.end('sandbox-password');
  Object.assign(box.env, { DBUS_SESSION_BUS_ADDRESS: address, HOME: home });
  // Up once the keyring owns the Secret Service's name (`switchyard credentials list`
  // alone proves nothing: without profiles it never opens the keyring).
  for (let i = 0; i < 400; i++) {
    if (secretServiceIsUp(address)) {
      switchyard(box, ['credentials', 'list']);
      return { address, home };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gnome-keyring did not come up on ${address}`);
}

function secretServiceIsUp(address) {
  try {
    const reply = execFileSync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return reply.includes('boolean true');
  } catch {
    return false;
  }
}

/**
 * Seed moto with the sample organization (tests/moto/seed.py): 24 members + the
 * management account 123456789012 (alias acme-main), user alice with a key and, with
 * `mfa`, a virtual MFA device. Returns { access_key_id, secret_access_key, mfa_serial, … }.
 */
export function seedMoto(moto, { mfa = false, groups = 0 } = {}) {
  const script = fileURLToPath(new URL('../moto/seed.py', import.meta.url));
  const args = [script, '--endpoint', moto.endpoint, ...(mfa ? ['--mfa'] : [])];
  if (groups > 0) args.push('--groups', String(groups));
  return JSON.parse(execFileSync(required('SWITCHYARD_MOTO_PYTHON'), args, { encoding: 'utf8' }));
}

/** `switchyard credentials add` for the default profile, the secret on stdin. */
export function addCredentials(box, seeded, endpoint) {
  const args = ['credentials', 'add', '--profile', 'default', '--access-key-id', seeded.access_key_id];
  if (endpoint) args.push('--endpoint-url', endpoint);
  return execFileSync(join(binDir(), 'switchyard'), args, {
    env: box.env,
    encoding: 'utf8',
    input: `${seeded.secret_access_key}\n`,
  });
}

/**
 * Let alice assume any role (an inline policy allowing sts:AssumeRole on every role), so
 * the roles of an imported list are `allowed`.
 */
export function allowAssumeAnyRole(moto) {
  execFileSync(required('SWITCHYARD_MOTO_PYTHON'), ['-c', `
import boto3, json, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='x')
iam.put_user_policy(UserName='alice', PolicyName='AssumeAny', PolicyDocument=json.dumps({
    'Version': '2012-10-17',
    'Statement': [{'Sid': 'Any', 'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': 'arn:aws:iam::*:role/*'}]}))
`, moto.endpoint], { stdio: 'inherit' });
}

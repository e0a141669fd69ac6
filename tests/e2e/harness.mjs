// Shared setup for the browser tests and the demo tour: Debian Chromium with the built
// extension loaded, a private profile, and an isolated daemon runtime dir.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  return { dir, profile: join(dir, 'profile'), env };
}

/** `switchyard ARGS` with the sandbox's environment; returns stdout. */
export function switchyard(box, args) {
  return execFileSync(join(binDir(), 'switchyard'), args, { env: box.env, encoding: 'utf8' });
}

/** Register the host in the sandbox's Chromium profile, as a user would. */
export function installHost(box) {
  return switchyard(box, ['install', '--browser', 'chromium', '--user-data-dir', box.profile]);
}

export async function launch(box, { headed = false } = {}) {
  return chromium.launchPersistentContext(box.profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !headed,
    env: box.env,
    viewport: { width: 420, height: 360 },
    args: [
      `--disable-extensions-except=${extensionDir()}`,
      `--load-extension=${extensionDir()}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Stop the sandbox's daemon (if one started) and remove its files. */
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

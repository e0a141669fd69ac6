// Firefox ESR (Debian's firefox-esr) headless with the Firefox package loaded as a temporary
// add-on through Marionette, native messaging registered by `switchyard install --browser
// firefox` into the sandbox's HOME. Extension pages cannot be scripted from a test in
// Firefox, so a test-only self-check (tests/e2e/firefox-selfcheck/, added to a copy of the
// package, never to the package users get) runs in the background page and reports to an
// HTTP server here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox, cleanup, switchyard, freePort, binDir } from './harness.mjs';
import { Marionette } from './marionette.mjs';

const FIREFOX_ID = '{b59b782c-3e62-4c41-b9d4-f195cc4615a3}';
const firefoxDir = () => {
  const dir = process.env.SWITCHYARD_FIREFOX_EXTENSION_DIR;
  if (!dir) throw new Error('SWITCHYARD_FIREFOX_EXTENSION_DIR is not set: run this through cargo xtask');
  return dir;
};

/** A sandbox whose HOME (where Firefox looks for host manifests) is inside it. */
function firefoxSandbox() {
  const box = sandbox();
  const home = join(box.dir, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  box.env.HOME = home;
  box.home = home;
  return box;
}

/** The HTTP server the self-check reports to; `next()` resolves with the next report. */
async function reportServer() {
  const reports = [];
  const waiting = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(204, { 'access-control-allow-origin': '*' });
      res.end();
      const report = JSON.parse(body);
      const waiter = waiting.shift();
      if (waiter) waiter(report);
      else reports.push(report);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/report`,
    next: (ms = 90_000) =>
      reports.length
        ? Promise.resolve(reports.shift())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no self-check report in ${ms} ms`)), ms);
            waiting.push((r) => {
              clearTimeout(timer);
              resolve(r);
            });
          }),
    close: () => server.close(),
  };
}

/** A copy of the built Firefox package with the self-check added (see selfcheck.js). */
function packageWithSelfCheck(box, reportUrl) {
  const dir = join(box.dir, 'addon');
  cpSync(firefoxDir(), dir, { recursive: true });
  const probes = fileURLToPath(new URL('./firefox-selfcheck/', import.meta.url));
  for (const file of ['selfcheck.js', 'menus-probe.js']) cpSync(join(probes, file), join(dir, file));
  writeFileSync(join(dir, 'selfcheck.json'), JSON.stringify({ report: reportUrl }));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.background.scripts = ['menus-probe.js', ...manifest.background.scripts, 'selfcheck.js'];
  // The self-check reports to the test's HTTP server: this copy (never the package) lets
  // the background page reach it.
  const pages = manifest.content_security_policy.extension_pages;
  manifest.content_security_policy.extension_pages = pages.replace(
    /connect-src ([^;]*)/, (_, sources) => `connect-src ${sources} ${new URL(reportUrl).origin}`);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Firefox ESR headless on a fresh profile, the add-on at `addon` installed temporarily. */
async function startFirefox(box, addon) {
  const profile = join(box.dir, 'firefox-profile');
  mkdirSync(profile, { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(profile, 'user.js'),
    [
      `user_pref("marionette.port", ${port});`,
      'user_pref("browser.shell.checkDefaultBrowser", false);',
      'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
      'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
      'user_pref("app.update.disabledForTesting", true);',
      '',
    ].join('\n'),
  );
  const started = Date.now();
  const firefox = spawn(
    process.env.FIREFOX || 'firefox-esr',
    ['--headless', '--marionette', '--no-remote', '--profile', profile],
    { env: box.env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  firefox.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise((resolve) => firefox.on('exit', resolve));
  box.stops.push(() => firefox.kill('SIGKILL'));
  const stop = async () => {
    firefox.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  try {
    const marionette = await Marionette.connect(port);
    await marionette.command('WebDriver:NewSession', {});
    const installed = await marionette.command('Addon:Install', { path: addon, temporary: true });
    console.log(`# Firefox up and the add-on installed in ${Date.now() - started} ms`);
    return { marionette, installed, stop, started, stderr: () => stderr };
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\nFirefox stderr:\n${stderr}`);
  }
}

test('the built Firefox manifest is the Firefox variant', () => {
  const manifest = JSON.parse(readFileSync(join(firefoxDir(), 'manifest.json'), 'utf8'));
  assert.equal(manifest.browser_specific_settings.gecko.id, FIREFOX_ID);
  assert.equal(manifest.key, undefined);
  assert.equal(manifest.background.service_worker, undefined);
  assert.deepEqual(manifest.background.scripts, ['background.js']);
  assert.match(manifest.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
  // The self-check is not in the package users get.
  assert.ok(!existsSync(join(firefoxDir(), 'selfcheck.js')));
  assert.ok(!existsSync(join(firefoxDir(), 'selfcheck.json')));
});

test('Firefox ESR accepts the .xpi as dist packages it', async () => {
  const xpi = process.env.SWITCHYARD_FIREFOX_XPI;
  assert.ok(xpi, 'SWITCHYARD_FIREFOX_XPI is not set: run this through cargo xtask');
  const box = firefoxSandbox();
  try {
    const firefox = await startFirefox(box, xpi);
    try {
      assert.equal(firefox.installed.value, FIREFOX_ID);
    } finally {
      firefox.marionette.close();
      await firefox.stop();
    }
  } finally {
    cleanup(box);
  }
});

test('Firefox ESR: the background page loads the wasm, reaches the daemon and creates its menus', async () => {
  const box = firefoxSandbox();
  const reports = await reportServer();
  try {
    const wrote = switchyard(box, ['install', '--browser', 'firefox']);
    const hostManifest = join(box.home, '.mozilla/native-messaging-hosts/com.switchyard.host.json');
    assert.match(wrote, new RegExp(`wrote ${hostManifest}`));
    assert.deepEqual(JSON.parse(readFileSync(hostManifest, 'utf8')).allowed_extensions, [FIREFOX_ID]);

    const firefox = await startFirefox(box, packageWithSelfCheck(box, reports.url));
    try {
      assert.equal(firefox.installed.value, FIREFOX_ID);
      const report = await reports.next();
      console.log(`# self-check reported ${Date.now() - firefox.started} ms after Firefox started`);
      console.log(`# ${report.userAgent}`);
      assert.equal(report.extensionId, FIREFOX_ID);
      assert.deepEqual(report.wasm, { ok: true });
      const connected = report.connection;
      assert.equal(connected?.state, 'connected', `not connected: ${JSON.stringify(connected)}`);
      const version = execFileSync(join(binDir(), 'switchyard'), ['--version'], { encoding: 'utf8' });
      assert.equal(`switchyard ${connected.hello.app_version}`, version.trim());
      assert.equal(`switchyard ${connected.status.daemon_version}`, version.trim());
      // The daemon that answered is the sandbox's, started by the host Firefox ran.
      const status = JSON.parse(switchyard(box, ['status', '--json']));
      assert.equal(connected.status.pid, status.data.pid);
      if (report.menus === null) {
        console.log('# the manifest asks for no context menus yet: menu check skipped');
      } else {
        assert.ok(report.menus.length > 0, 'contextMenus permission but no menu was created');
        for (const menu of report.menus) assert.ok(menu.exists, JSON.stringify(menu));
        console.log(`# context menus created: ${report.menus.map((m) => m.id).join(', ')}`);
      }
    } finally {
      firefox.marionette.close();
      await firefox.stop();
    }
  } finally {
    reports.close();
    cleanup(box);
  }
});

test('Firefox ESR without `switchyard install`: the self-check reports host_not_registered', async () => {
  const box = firefoxSandbox();
  const reports = await reportServer();
  try {
    const firefox = await startFirefox(box, packageWithSelfCheck(box, reports.url));
    try {
      const report = await reports.next();
      assert.deepEqual(report.wasm, { ok: true });
      assert.equal(report.connection?.state, 'failed', JSON.stringify(report.connection));
      const error = report.connection.error;
      assert.equal(error?.code, 'host_not_registered', JSON.stringify(report.connection));
      assert.match(error.message, /switchyard install/);
    } finally {
      firefox.marionette.close();
      await firefox.stop();
    }
  } finally {
    reports.close();
    cleanup(box);
  }
});

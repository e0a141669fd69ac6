// `cargo xtask demo`: the extension in Chromium against the local AWS stand-in. With a
// display and SWITCHYARD_HEADED=1 the browser stays open; otherwise it runs headless and
// saves screenshots, printing their paths.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { POPUP_URL, sandbox, launch, installHost, cleanup, startMoto } from './harness.mjs';

const headed = process.env.SWITCHYARD_HEADED === '1';
const shots = process.env.SWITCHYARD_SCREENSHOTS || 'screenshots';
const realAws = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE);

const moto = realAws ? null : await startMoto();
const box = sandbox(moto ? { AWS_ENDPOINT_URL: moto.endpoint } : {});
console.log(moto ? `local AWS stand-in (moto) at ${moto.endpoint}` : 'using your AWS credentials');
console.log(installHost(box).trim());
const browser = await launch(box, { headed });
try {
  const page = await browser.newPage();
  await page.goto(POPUP_URL);
  await page.locator('#headline').filter({ hasText: 'Connected to switchyard' }).waitFor({ timeout: 30000 });
  console.log(`popup: ${await page.locator('#headline').innerText()}`);
  console.log((await page.locator('#facts').innerText()).replace(/\n/g, ' | '));
  mkdirSync(shots, { recursive: true });
  const shot = join(shots, 'popup-connected.png');
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  if (headed) {
    console.log('The browser stays open; close it to end the demo.');
    await new Promise((resolve) => browser.on('close', resolve));
  }
} finally {
  await browser.close().catch(() => {});
  cleanup(box);
  moto?.stop();
}

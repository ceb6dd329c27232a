// The console's sign-in form when the server throttles password guessing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

test('the sign-in form says how long to wait once guessing is throttled', async () => {
  const tenant = await createTenant(server.url, 'contoso');
  const page = await browser.newPage();
  try {
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Gatehouse' }).waitFor();
    await page.getByLabel('E-mail').fill(tenant.admin.email);
    const button = page.getByRole('button', { name: 'Sign in', exact: true });
    for (let n = 0; n < 5; n++) {
      await page.getByLabel('Password').fill(`wrong password ${n}`);
      await button.click();
      await page.getByRole('alert').filter({ hasText: 'wrong e-mail or password' }).waitFor();
    }
    await page.getByLabel('Password').fill(tenant.admin.password);
    await button.click();
    const banner = page.getByRole('alert').filter({ hasText: 'Too many sign-in attempts' });
    await banner.waitFor();
    assert.match(await banner.innerText(), /wait (a second|\d+ seconds) and try again/);
    await screenshot(page, 'throttle-sign-in-refused');
  } finally {
    await page.close();
  }
});

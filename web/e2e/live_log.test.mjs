// The live sign-in log (issue 15): with the Sign-in log page open, a sign-in made elsewhere
// appears at the top without a reload, the current filter is respected, a "Live" indicator
// says the page is watching, and when the server goes away the page says it is
// reconnecting instead of failing. In Chromium against the real server; screenshots are
// checked by axe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

let server;
let browser;
let tenant;
let admin;

/** A password sign-in of the tenant's admin made outside the browser (another client). */
async function passwordSignIn(password) {
  const gql = apiClient(server.url);
  await gql('mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { id } } }', {
    e: tenant.admin.email,
    p: password,
  }).catch(() => undefined);
}

before(async () => {
  server = await startServer({ GATEHOUSE_LIVE_POLL_INTERVAL_MS: '100' });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'fabrikam');
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  try {
    await admin?.close();
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

describe('the live sign-in log', () => {
  test('new attempts appear at the top while the page is open, within the filter', async () => {
    await admin.goto(`${server.url}/sign-in-log`);
    await admin.getByRole('heading', { name: 'Sign-in log', exact: true }).waitFor();
    const indicator = admin.locator('.live-indicator');
    await indicator.getByText('Live', { exact: true }).waitFor();
    const entries = admin.locator('.event-list > li');
    // Counted by what they say, not against a count taken before: the admin's own sign-in
    // can still be arriving when the page first shows "Live".
    const wrongPassword = entries.filter({ hasText: /wrong password|password was wrong/i });
    assert.equal(await wrongPassword.count(), 0, 'no failed attempt before this one');

    await passwordSignIn('not the password');
    await admin.locator('.event-list > li').first().getByText('Failed').waitFor();
    assert.match(await entries.first().innerText(), /wrong password|password was wrong/i);
    assert.equal(await wrongPassword.count(), 1, 'one new entry, at the top');
    await screenshot(admin, '90-sign-in-log-live');

    // Only successes: a new failure stays out, a new success comes in.
    await admin.getByLabel('Outcome').selectOption('succeeded');
    await indicator.getByText('Live', { exact: true }).waitFor();
    await admin.locator('.event-list > li').first().waitFor();
    const successes = await entries.count();
    await passwordSignIn('still not the password');
    await passwordSignIn(tenant.admin.password);
    await admin.waitForFunction((n) => document.querySelectorAll('.event-list > li').length === n + 1, successes);
    assert.doesNotMatch(await admin.locator('.event-list').innerText(), /Failed/);
    await admin.getByLabel('Outcome').selectOption('all');
  });

  test('when the server goes away the page says it is reconnecting', async () => {
    await admin.locator('.live-indicator').getByText('Live', { exact: true }).waitFor();
    await server.stop();
    server = null;
    await admin.locator('.live-indicator').getByText('Reconnecting…').waitFor();
    await screenshot(admin, '91-sign-in-log-reconnecting');
  });
});

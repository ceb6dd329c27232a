// SSO through the project's test IdP, seen from the console: metadata import, Test SSO,
// and the sign-in log with a failed and a successful SP-initiated sign-in.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, signIn, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/5c3e1f0a-8b7d-4e2a-9f61-3d2c1b0a9e87/';

let server;
let idp;
let browser;
let tenant;
let admin;

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'woodgrove');
  await tenant.asOperator('mutation { setTenantDevMode(slug: "woodgrove", enabled: true) { devMode } }');
  await tenant.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { email: 'b.simon@woodgrove.com', displayName: 'B.Simon', active: true },
  });
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  try {
    await admin?.close();
    await browser?.close();
  } finally {
    await idp?.stop();
    await server?.stop();
  }
});

/** An end user's sign-in from the console's sign-in page, "Sign in with SSO". */
async function ssoSignIn(email) {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  await page.getByLabel('Organisation ID').fill('woodgrove');
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  return page;
}

describe('SSO through the test IdP', { concurrency: false }, () => {
  test('the federation metadata fills the form, and saving turns SSO on', async () => {
    const xml = await (await fetch(`${idp.url}/metadata`)).text();
    const file = join(server.dir, 'federationmetadata.xml');
    writeFileSync(file, xml);
    await admin.getByLabel('Single Sign On (SSO)').check();
    await admin.getByRole('radio', { name: 'Microsoft Entra ID' }).check();
    await admin.getByLabel('Import federation metadata').setInputFiles(file);
    await admin.getByText(/Filled in from the metadata/).waitFor();
    assert.equal(await admin.getByLabel('IDP Issuer URL/URN').inputValue(), ISSUER);
    assert.equal(await admin.getByLabel('IDP Login URL').inputValue(), `${idp.url}/saml2/sso`);
    await admin.getByText('Not saved yet').waitFor();
    await screenshot(admin, '14-metadata-imported');
    await admin.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
    await admin.getByText('Saved and published. SSO is on.').waitFor();
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { enabled issuer certificates { id } } }');
    assert.equal(ssoConnection.enabled, true);
    assert.equal(ssoConnection.issuer, ISSUER);
    assert.equal(ssoConnection.certificates.length, 1);
  });

  test('Test SSO runs a sign-in in a new tab and shows the outcome in words', async () => {
    const [popup] = await Promise.all([
      admin.waitForEvent('popup'),
      admin.getByRole('button', { name: 'Test SSO' }).click(),
    ]);
    await popup.getByLabel('E-mail address').fill('b.simon@woodgrove.com');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await admin.getByText('The test sign-in worked.').waitFor({ timeout: 30_000 });
    await screenshot(popup, '15-test-sso-report');
    await popup.close();
    await screenshot(admin, '16-test-sso-outcome');
  });

  test('the sign-in log shows a failed and a successful SSO sign-in', async () => {
    const stranger = await ssoSignIn('nobody@woodgrove.com');
    // The refusal is logged before the browser is answered; wait until it is there.
    for (let i = 0; ; i++) {
      const { signInEvents } = await tenant.asOperator('{ signInEvents(filter: { success: false }) { nodes { nameId } } }');
      if (signInEvents.nodes.some((e) => e.nameId === 'nobody@woodgrove.com')) break;
      assert.ok(i < 100, 'the failed sign-in never reached the log');
      await new Promise((r) => setTimeout(r, 100));
    }
    await stranger.getByRole('heading', { name: /sign-in failed/i }).waitFor();
    await screenshot(stranger, '18-sso-refused-page');
    await stranger.close();

    const user = await ssoSignIn('b.simon@woodgrove.com');
    // Signed in, not an admin: a page of their own (who, which organisation, sign out), no console navigation.
    await user.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await user.getByText('b.simon@woodgrove.com').waitFor();
    await user.getByText('Woodgrove Ltd').first().waitFor();
    assert.equal(await user.getByRole('navigation').count(), 0, 'no admin navigation for a user');
    assert.equal(await user.getByRole('link', { name: 'Users' }).count(), 0);
    await screenshot(user, '60-sso-user-own-page');
    await user.getByRole('button', { name: 'Sign out' }).click();
    await user.getByRole('heading', { name: 'You are signed out of Woodgrove Ltd' }).waitFor();
    await screenshot(user, '61-sso-user-signed-out');
    await user.close();

    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Sign-in log' }).click();
    await admin.getByRole('heading', { name: 'Sign-in log', exact: true }).waitFor();
    const failed = admin.getByRole('listitem').filter({ hasText: 'nobody@woodgrove.com' });
    await failed.getByText('Failed').waitFor();
    const succeeded = admin
      .getByRole('listitem')
      .filter({ hasText: 'b.simon@woodgrove.com' })
      .filter({ hasText: 'Started here (SP-initiated)' });
    await succeeded.getByText('Succeeded').waitFor();
    await screenshot(admin, '17-sign-in-log');
    await admin.setViewportSize({ width: 390, height: 844 });
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the sign-in log scrolls sideways by ${overflow}px at phone width`);
    await screenshot(admin, '19-sign-in-log-phone');
    await admin.setViewportSize({ width: 1280, height: 900 });

    await admin.getByLabel('Outcome').selectOption('failed');
    await admin.getByText('b.simon@woodgrove.com').first().waitFor({ state: 'detached' });
    assert.equal(await admin.getByRole('listitem').filter({ hasText: 'Succeeded' }).count(), 0);
    await failed.waitFor();
  });
});

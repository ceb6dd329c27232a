// Issue 14 in Chromium against the real server and the test IdP: a new admin's guided
// set-up, Test SSO that never leaves them waiting (fresh link, create the unknown user,
// plain-words result page), the status card, finding a reference in the sign-in log, the
// audit log in words, CSV exports, and the confirmations before risky actions.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OPERATOR, createTenant, launchBrowser, screenshot, signIn, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6/';

let server;
let idp;
let browser;
let tenant;
let admin;
let failedReference;

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'northwind');
  await tenant.asOperator('mutation { setTenantDevMode(slug: "northwind", enabled: true) { devMode } }');
  admin = await browser.newPage({ acceptDownloads: true });
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

/** Runs Test SSO (or "Open it again") and signs in at the test IdP as `email`; returns the result tab. */
async function testAs(button, email) {
  const [popup] = await Promise.all([admin.waitForEvent('popup'), button.click()]);
  await popup.getByLabel('E-mail address').fill(email);
  await popup.getByRole('button', { name: 'Continue' }).click();
  await popup.getByRole('heading', { name: 'SSO test result' }).waitFor();
  return popup;
}

async function downloadCsv(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  return readFileSync(await download.path(), 'utf8');
}

describe('a new admin sets up SSO without reading docs', { concurrency: false }, () => {
  test('the guided set-up shows the steps and the values to paste at once', async () => {
    const steps = admin.getByRole('region', { name: 'Set up single sign-on' });
    await steps.getByText('0 of 5 steps done').waitFor();
    // Step 1's values are there before SSO is ticked.
    await admin.getByRole('button', { name: 'Copy Identifier (Entity ID)' }).waitFor();
    await screenshot(admin, '40-guided-setup-new-tenant');

    await admin.getByRole('button', { name: /Prepare the settings/ }).click();
    await admin.getByText('Step by step in Microsoft Entra ID').click();
    await admin.getByText('Basic SAML Configuration → Edit').waitFor();
    await screenshot(admin, '41-entra-guide');

    const xml = await (await fetch(`${idp.url}/metadata`)).text();
    const file = join(server.dir, 'federationmetadata.xml');
    writeFileSync(file, xml);
    await admin.getByLabel('Import federation metadata').setInputFiles(file);
    await admin.getByText(/Filled in from the metadata/).waitFor();
    await admin.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
    await admin.getByText('Saved and published. SSO is off.').waitFor();
    await steps.getByText('2 of 5 steps done').waitFor();
  });

  test('a test as an unknown user reads in words, offers to create the user, and a fresh link then works', async () => {
    const popup = await testAs(admin.getByRole('button', { name: 'Test SSO' }), 'carol@northwind.example');
    await popup.getByText('The test sign-in failed.').waitFor();
    const text = await popup.locator('main').textContent();
    assert.ok(text.indexOf('No user with this federation ID exists') < text.indexOf('unknown_user'), text);
    assert.equal(await popup.getByRole('link', { name: 'Back to Identity Management' }).getAttribute('href'), '/identity');
    assert.equal(await popup.locator('a[href="/login"]').count(), 0);
    const claim = popup.locator('abbr[title$="/claims/emailaddress"]');
    if (await claim.count()) assert.equal(await claim.first().textContent(), 'emailaddress');
    await screenshot(popup, '42-test-result-unknown-user');
    await popup.close();

    const create = admin.getByRole('button', { name: 'Create user carol@northwind.example' });
    await create.waitFor({ timeout: 30_000 });
    await screenshot(admin, '43-offer-to-create-user');
    await create.click();
    await admin.getByText(/Created carol@northwind.example \(active\)/).waitFor();

    // "Test SSO again" asks for a fresh one-time link (a used one always fails).
    const again = await testAs(admin.getByRole('button', { name: 'Test SSO again' }), 'carol@northwind.example');
    await again.getByText('The test sign-in worked.').waitFor();
    await again.close();
    await admin.getByText('The test sign-in worked.').waitFor({ timeout: 30_000 });

    const { signInEvents } = await tenant.asOperator('{ signInEvents(filter: { reasonCode: "unknown_user" }) { nodes { id } } }');
    failedReference = signInEvents.nodes[0].id;
  });

  test('"Open it again" gets a fresh link that works', async () => {
    const [first] = await Promise.all([admin.waitForEvent('popup'), admin.getByRole('button', { name: 'Test SSO again' }).click()]);
    const firstUrl = first.url();
    await first.close();
    await admin.getByRole('button', { name: 'Open it again' }).waitFor();
    const popup = await testAs(admin.getByRole('button', { name: 'Open it again' }), 'carol@northwind.example');
    await popup.getByText('The test sign-in worked.').waitFor();
    await popup.close();
    assert.notEqual(firstUrl, popup.url());
  });

  test('turning SSO on shows the connection status card; SSO only asks first', async () => {
    await admin.getByLabel('Single Sign On (SSO)').check();
    await admin.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
    await admin.getByText('Saved and published. SSO is on.').waitFor();
    await admin.reload();
    const card = admin.getByRole('region', { name: 'Connection status' });
    await card.getByText('Last successful sign-in').waitFor();
    await card.getByText(/carol@northwind.example/).waitFor();
    assert.equal(await admin.getByRole('region', { name: 'Set up single sign-on' }).count(), 0, 'a working tenant keeps the compact form');
    await screenshot(admin, '44-status-card');

    await admin.getByLabel('Login policy').selectOption('SSO');
    await admin.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
    const dialog = admin.getByRole('dialog', { name: 'Switch to SSO only?' });
    await dialog.getByText(/Only the break-glass accounts named under Domains & SSO enforcement keep password sign-in/).waitFor();
    await dialog.getByText(/The last Test SSO passed/).waitFor();
    await screenshot(admin, '45-confirm-sso-only');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await admin.getByLabel('Login policy').selectOption('PASSWORD_OR_SSO');
  });

  test('the sign-in log finds a reference, filters by reason from a list, and exports what is filtered', async () => {
    await admin.goto(`${server.url}/sign-in-log?reference=${failedReference}`);
    const entries = admin.locator('.event-list > li');
    await entries.first().getByText(failedReference).waitFor();
    assert.equal(await entries.count(), 1);
    await screenshot(admin, '46-sign-in-log-reference');

    await admin.getByLabel('Reference').fill('');
    await admin.getByLabel('Reason').selectOption('unknown_user');
    await admin.getByLabel('User').fill('CAROL');
    await admin.waitForFunction(() => document.querySelectorAll('.event-list > li').length === 1);
    const csv = await downloadCsv(admin);
    const lines = csv.trim().split('\r\n');
    assert.match(lines[0], /^Time \(UTC\),Outcome,User \(NameID\),Reason code/);
    assert.equal(lines.length, 2, csv);
    assert.match(lines[1], /carol@northwind.example,unknown_user/);
    await screenshot(admin, '47-sign-in-log-filtered');
  });

  test('the audit log speaks plain words, names targets, filters by category and exports', async () => {
    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    const created = admin.getByRole('listitem').filter({ hasText: 'Created a user' });
    await created.locator('.event-who').getByText('carol@northwind.example').waitFor();
    await admin.getByLabel('Category').selectOption('sso_connection');
    const change = admin.getByRole('listitem').filter({ hasText: 'Changed the SSO settings' }).first();
    await change.getByText('Show the change').click();
    await change.getByRole('button', { name: /Show \d+ unchanged fields?/ }).waitFor();
    await screenshot(admin, '48-audit-log-words');
    const csv = await downloadCsv(admin);
    assert.match(csv, /Changed the SSO settings,sso_connection\.update/);
    assert.doesNotMatch(csv, /Created a user/);
  });

  test("your own account offers no suspend or delete; suspending someone asks first", async () => {
    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('button', { name: 'Suspend carol@northwind.example' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Suspend carol@northwind.example?' });
    await dialog.getByText(/Their sessions end at once/).waitFor();
    await screenshot(admin, '49-confirm-suspend');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await admin.getByText('carol@northwind.example is now suspended.').waitFor();
    assert.equal(await admin.getByRole('button', { name: `Suspend ${tenant.admin.email}` }).count(), 0);
    assert.equal(await admin.getByRole('button', { name: `Delete ${tenant.admin.email}` }).count(), 0);
  });
});

describe('operators', { concurrency: false }, () => {
  test('see attempts tied to no tenant, and confirm before allowing http IdP URLs', async () => {
    const garbage = await fetch(`${server.url}/saml2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=bm90IHhtbA%3D%3D',
    });
    const page = await garbage.text();
    const reference = /<code>([0-9a-f-]{36})<\/code>/.exec(page)?.[1];
    assert.ok(reference, `the error page shows a reference: ${page}`);
    await createTenant(server.url, 'tailspin');
    const ops = await browser.newPage();
    await signIn(ops, server.url, OPERATOR);
    const nav = ops.getByRole('navigation', { name: 'Console' });
    await nav.getByRole('link', { name: 'Sign-ins without a tenant' }).click();
    await ops.getByRole('heading', { name: 'Sign-ins without a tenant' }).waitFor();
    await ops.locator('.event-list > li').first().waitFor();
    await ops.getByLabel('Reference').fill(reference);
    await ops.waitForFunction(() => document.querySelectorAll('.event-list > li').length === 1);
    await ops.locator('.event-list > li').getByText(reference).waitFor();
    await screenshot(ops, '50-operator-unattributed');

    await nav.getByRole('link', { name: 'Tenants' }).click();
    await ops.getByLabel('Allow http IdP URLs for tailspin').click();
    const dialog = ops.getByRole('dialog', { name: 'Allow http IdP URLs for tailspin?' });
    await dialog.getByText(/requests travel unencrypted/).waitFor();
    await screenshot(ops, '51-confirm-allow-http');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await ops.getByLabel('Allow http IdP URLs for tailspin').isChecked(), false, 'nothing changed');
    await ops.getByLabel('Allow http IdP URLs for tailspin').click();
    await ops.getByRole('dialog').getByRole('button', { name: 'Allow http IdP URLs' }).click();
    await ops.waitForFunction(() => document.querySelector('[aria-label="Allow http IdP URLs for tailspin"]')?.checked === true);
    await ops.close();
  });
});

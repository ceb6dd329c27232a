// Issue 12, SP side, in the console: Gatehouse's own signing and encryption certificates on
// Identity Management (with role, rollover state, dates and a download that matches
// /saml2/metadata), a next key the operator generated shown as "Next", and the two per-tenant
// switches saved through the one Save.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

let server;
let browser;
let tenant;
let admin;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'fabrikam');
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  await admin?.close();
  await browser?.close();
  await server?.stop();
});

function certificateBody(pem) {
  return pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
}

describe('SP certificates in the console', { concurrency: false }, () => {
  test('development start: a private key file next to the database seals the generated keys', async () => {
    const kek = join(server.dir, 'gatehouse-kek.key');
    assert.ok(existsSync(kek), 'the dev key-encryption key file exists');
    assert.equal(statSync(kek).mode & 0o777, 0o600);
    assert.match(server.log(), /DEVELOPMENT: SP private keys are sealed/);
  });

  test('the signing and encryption certificates are shown with their role, state and dates, and download as in the metadata', async () => {
    await tenant.asOperator('mutation { generateNextSpKey(role: ENCRYPTION, overlapHours: 48) { id } }');
    await admin.goto(server.url + '/identity');
    await admin.getByRole('button', { name: 'Prepare the settings without turning SSO on' }).click();
    const panel = admin.getByRole('region', { name: 'Gatehouse certificates' });
    await panel.waitFor();
    const rows = panel.getByRole('row');
    assert.equal(await rows.count(), 4, 'a header and three certificates (signing, encryption, next encryption)');
    await panel.getByText('Entra: Verification certificates (signed requests)').waitFor();
    assert.equal(await panel.getByText('Entra: Token encryption').count(), 2);
    await panel.getByText('Next (published ahead of a rollover)').waitFor();
    await panel.getByText(/active from/).waitFor();

    const metadata = await (await fetch(server.url + '/saml2/metadata')).text();
    const links = panel.getByRole('link', { name: /Download the .* certificate/ });
    assert.equal(await links.count(), 3);
    for (let i = 0; i < 3; i++) {
      const href = await links.nth(i).getAttribute('href');
      const pem = decodeURIComponent(href.split(',')[1]);
      assert.ok(metadata.includes(certificateBody(pem)), 'the downloaded certificate is the published one');
      assert.ok(!pem.includes('PRIVATE'));
    }
    const { serviceProvider } = await tenant.asOperator('{ serviceProvider { certificates { certificatePem } } }');
    assert.ok(!JSON.stringify(serviceProvider).includes('PRIVATE'));
    await panel.scrollIntoViewIfNeeded();
    await screenshot(admin, '50-sp-certificates-panel');
  });

  test('sign AuthnRequests and require encrypted assertions are saved with the other settings', async () => {
    await admin.getByLabel('Sign AuthnRequests').check();
    await admin.getByLabel('Require encrypted assertions').check();
    await admin.getByRole('button', { name: 'Save and publish', exact: true }).click();
    await admin.getByText('Saved and published. SSO is off.').waitFor();
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { signAuthnRequests requireEncryptedAssertions } }');
    assert.deepEqual(ssoConnection, { signAuthnRequests: true, requireEncryptedAssertions: true });
    const metadata = await (await fetch(server.url + '/saml2/metadata?tenant=fabrikam')).text();
    assert.match(metadata, /AuthnRequestsSigned="true"/);
    await screenshot(admin, '51-sp-key-settings-saved');
  });
});

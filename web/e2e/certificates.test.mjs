// Issue 12 in the console: the IdP metadata URL served by a local HTTP server (allowed with
// GATEHOUSE_OUTBOUND_ALLOWED_HOSTS), a new certificate staged and promoted, the certificate
// usage table ("safe to remove"), a failed refresh that changes nothing, and the expiry
// banner shown on every page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/0d9b2c4e-7a61-4f3b-9e28-5c1a7b3d8e90/';

let server;
let browser;
let tenant;
let admin;
let metadataServer;
let answer = { status: 404, body: '' };
let metadataUrl;
const certs = {};

function makeCert(dir, name, days, subject) {
  const pem = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days), '-subj', subject,
    '-keyout', join(dir, `${name}.key`), '-out', pem], { stdio: 'ignore' });
  return readFileSync(pem, 'utf8');
}

function metadata(pems) {
  const keys = pems
    .map((pem) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join(''))
    .map((body) => `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${body}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${ISSUER}"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/0d9b2c4e/saml2"/><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/0d9b2c4e/saml2"/></IDPSSODescriptor></EntityDescriptor>`;
}

before(async () => {
  server = await startServer({ GATEHOUSE_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' });
  const dir = join(server.dir, 'rollover-certs');
  mkdirSync(dir, { recursive: true });
  certs.old = makeCert(dir, 'old', 20, '/CN=Microsoft Azure Federated SSO Certificate (2023)');
  certs.new = makeCert(dir, 'new', 1095, '/CN=Microsoft Azure Federated SSO Certificate (2026)');
  metadataServer = createServer((req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/samlmetadata+xml' });
    res.end(answer.body);
  });
  await new Promise((r) => metadataServer.listen(0, '127.0.0.1', r));
  metadataUrl = `http://127.0.0.1:${metadataServer.address().port}/federationmetadata/2007-06/federationmetadata.xml`;
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'northwind');
  await tenant.asOperator('mutation { setTenantDevMode(slug: "northwind", enabled: true) { devMode } }');
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  try {
    await admin?.close();
    await browser?.close();
  } finally {
    metadataServer?.close();
    await server?.stop();
  }
});

describe('certificate rollover in the console', { concurrency: false }, () => {
  test('a failing metadata URL is refused and nothing is saved', async () => {
    answer = { status: 500, body: '' };
    await admin.goto(server.url + '/identity');
    await admin.getByLabel('Federation metadata URL').fill(metadataUrl);
    await admin.getByRole('button', { name: 'Save metadata URL' }).click();
    await admin.getByText(/the server answered HTTP 500/).waitFor();
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { metadataUrl certificates { id } } }');
    assert.equal(ssoConnection.metadataUrl, null);
    assert.equal(ssoConnection.certificates.length, 0);
  });

  test('the metadata URL is fetched on save; the expiring certificate raises the banner on every page', async () => {
    answer = { status: 200, body: metadata([certs.old]) };
    await admin.getByRole('button', { name: 'Save metadata URL' }).click();
    await admin.getByText('Metadata fetched and saved.').waitFor();
    await admin.getByRole('cell', { name: 'CN=Microsoft Azure Federated SSO Certificate (2023)', exact: true }).waitFor();
    await admin.getByText(/expires in 19 days|expires in 20 days/).first().waitFor();
    await screenshot(admin, '40-metadata-url-saved-expiry-banner');
    await admin.getByRole('link', { name: 'Users' }).first().click();
    await admin.getByText(/no other trusted certificate takes over/).waitFor();
  });

  test('a new certificate in the metadata is staged, promoted with one action, and the old one shows as unused', async () => {
    answer = { status: 200, body: metadata([certs.old, certs.new]) };
    await admin.goto(server.url + '/identity');
    await admin.getByRole('button', { name: 'Refresh now' }).click();
    await admin.getByText('Staged', { exact: true }).waitFor();
    await admin.getByText(/The IdP has not signed with it yet/).waitFor();
    await screenshot(admin, '41-certificate-staged');
    let data = await tenant.asOperator('{ ssoConnection { version certificates { id } stagedCertificates { id } } }');
    assert.equal(data.ssoConnection.certificates.length, 1, 'a staged certificate is not trusted');
    const version = data.ssoConnection.version;

    await admin.getByRole('button', { name: /Promote CN=Microsoft Azure Federated SSO Certificate \(2026\)/ }).click();
    await admin.getByText(/is now trusted/).waitFor();
    data = await tenant.asOperator('{ ssoConnection { version certificates { id } stagedCertificates { id } } }');
    assert.equal(data.ssoConnection.certificates.length, 2);
    assert.equal(data.ssoConnection.stagedCertificates.length, 0);
    assert.ok(data.ssoConnection.version > version, 'promotion counts the version up');
    // Immediate, but never silent: the promotion is a published version in the history.
    const { ssoSettingsHistory } = await tenant.asOperator('{ ssoSettingsHistory { version action } }');
    assert.deepEqual(ssoSettingsHistory[0], { version: data.ssoConnection.version, action: 'PROMOTE_CERTIFICATE' });
    await admin.getByText('Staged certificate promoted').first().waitFor();
    await admin.getByText('0 — not used in 30 days').first().waitFor();
    // The new certificate covers the old one's end: no banner any more.
    assert.equal(await admin.getByText(/no other trusted certificate takes over/).count(), 0);
    await screenshot(admin, '42-certificate-promoted-usage');
  });

  test('a refresh that fails is shown and leaves the settings as they were', async () => {
    answer = { status: 503, body: '' };
    await admin.getByRole('button', { name: 'Refresh now' }).click();
    await admin.getByText(/the server answered HTTP 503/).waitFor();
    await admin.getByText(/Your settings were left as they were/).waitFor();
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { certificates { id } metadataStatus { failures lastError } } }');
    assert.equal(ssoConnection.certificates.length, 2);
    assert.equal(ssoConnection.metadataStatus.failures, 1);
    await screenshot(admin, '43-metadata-refresh-failed');
  });

  test('removing a certificate asks for confirmation first', async () => {
    await admin
      .getByRole('table', { name: 'Sign-ins per trusted certificate' })
      .getByRole('button', { name: 'Remove CN=Microsoft Azure Federated SSO Certificate (2023) now' })
      .click();
    await admin.getByText('No sign-in used this certificate in the last 30 days.').waitFor();
    await screenshot(admin, '44-remove-certificate-confirm');
    await admin.getByRole('button', { name: 'Remove certificate', exact: true }).click();
    await admin.getByText('Certificate removed.').waitFor();
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { certificates { subject } } }');
    assert.deepEqual(ssoConnection.certificates.map((c) => c.subject), ['CN=Microsoft Azure Federated SSO Certificate (2026)']);
  });
});

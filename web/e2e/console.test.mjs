// The console in a real browser against the real server: the end-to-end list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createTenant,
  launchBrowser,
  makeCertificates,
  screenshot,
  signIn,
  startServer,
  OPERATOR,
} from './support.mjs';

const ENTRA = {
  loginUrl: 'https://login.microsoftonline.com/2f0c1a9e-5d3b-4c59-9d7e-0a7b1c2d3e4f/saml2',
  issuer: 'https://sts.windows.net/2f0c1a9e-5d3b-4c59-9d7e-0a7b1c2d3e4f/',
  logoutUrl: 'https://login.microsoftonline.com/2f0c1a9e-5d3b-4c59-9d7e-0a7b1c2d3e4f/saml2',
};

const SSO_QUERY = `{ ssoConnection { enabled provider loginUrl issuer logoutUrl certificates { subject fingerprintSha256 } } }`;

let server;
let browser;
let certs;

before(async () => {
  server = await startServer();
  certs = makeCertificates(server.dir);
  browser = await launchBrowser();
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

describe('tenant admin', { concurrency: false }, () => {
  let tenant;
  let page;

  before(async () => {
    tenant = await createTenant(server.url, 'contoso');
    page = await browser.newPage();
  });
  after(async () => page?.close());

  test('signs in with e-mail and password', async () => {
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Gatehouse' }).waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByLabel('E-mail').fill(tenant.admin.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(tenant.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Identity Management' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/identity');
  });

  test('enables SSO for Microsoft Entra ID with a certificate file, saves, and sees it saved after a reload', async () => {
    await page.getByLabel('Single Sign On (SSO)').check();
    await page.getByRole('radio', { name: 'Microsoft Entra ID' }).check();
    // The hints follow the IdP choice.
    assert.equal(
      await page.getByLabel('IDP Login URL').getAttribute('placeholder'),
      'https://login.microsoftonline.com/<tenant-id>/saml2',
    );
    await page.getByRole('heading', { name: 'Microsoft Entra SAML Settings' }).waitFor();
    // The values to paste into Entra, each with a copy button.
    for (const label of ['Identifier (Entity ID)', 'Reply URL (Assertion Consumer Service URL)', 'Sign on URL', 'SP metadata URL']) {
      await page.getByRole('button', { name: `Copy ${label}` }).waitFor();
    }
    await page.getByText(`${server.url}/saml2`, { exact: true }).first().waitFor();

    await page.getByLabel('IDP Login URL').fill(ENTRA.loginUrl);
    await page.getByLabel('IDP Issuer URL/URN').fill(ENTRA.issuer);
    await page.getByLabel('IDP Logout URL').fill(ENTRA.logoutUrl);
    await page.getByLabel('Upload a certificate').setInputFiles(certs.entraCer);
    // The preview: subject, fingerprint, validity.
    await page.getByText('CN=Microsoft Azure Federated SSO Certificate', { exact: true }).waitFor();
    await page.getByText(certs.fingerprint).waitFor();
    await page.getByText('Not saved yet').waitFor();
    await screenshot(page, '02-identity-management-filled');

    await page.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
    await page.getByText('Saved and published. SSO is on.').waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Microsoft Entra SAML Settings' }).waitFor();
    assert.equal(await page.getByLabel('Single Sign On (SSO)').isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: 'Microsoft Entra ID' }).isChecked(), true);
    assert.equal(await page.getByLabel('IDP Login URL').inputValue(), ENTRA.loginUrl);
    assert.equal(await page.getByLabel('IDP Issuer URL/URN').inputValue(), ENTRA.issuer);
    assert.equal(await page.getByLabel('IDP Logout URL').inputValue(), ENTRA.logoutUrl);
    await page.getByText(certs.fingerprint).waitFor();
    await page.getByText('In use').waitFor();
    await screenshot(page, '03-identity-management-saved');

    const { ssoConnection } = await tenant.asOperator(SSO_QUERY);
    assert.equal(ssoConnection.enabled, true);
    assert.equal(ssoConnection.provider, 'ENTRA_ID');
    assert.equal(ssoConnection.loginUrl, ENTRA.loginUrl);
    assert.deepEqual(ssoConnection.certificates.map((c) => c.fingerprintSha256), [certs.fingerprint]);
  });

  test('a certificate that expires soon is flagged; the unsaved-changes guard asks before leaving', async () => {
    await page.getByLabel('Upload a certificate').setInputFiles(certs.soonDer);
    await page.getByText('CN=Next Certificate, O=Contoso', { exact: true }).waitFor();
    await page.getByText(/Expires in (29|30) days/).waitFor();
    await screenshot(page, '04-identity-management-rollover');
    await page.getByRole('link', { name: 'Users' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Stay on this page' }).click();
    assert.equal(new URL(page.url()).pathname, '/identity');
    await page.getByRole('button', { name: /Discard certificate/ }).click();
    await page.getByText('CN=Next Certificate, O=Contoso', { exact: true }).waitFor({ state: 'detached' });
  });

  test('a user is created and activated', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('E-mail').fill('b.simon@contoso.com');
    await dialog.getByLabel('Display name').fill('B.Simon');
    await dialog.getByLabel('Federation ID').fill('B.Simon@contoso.com');
    await dialog.getByLabel('Active').uncheck();
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: /b\.simon@contoso\.com/ });
    await row.getByText('Pending').waitFor();
    await row.getByRole('button', { name: 'Activate b.simon@contoso.com' }).click();
    await row.getByText('Active', { exact: true }).waitFor();
    await page.getByText('b.simon@contoso.com is now active.').waitFor();
    await screenshot(page, '05-users');
    const { users } = await tenant.asOperator('{ users(search: "b.simon") { nodes { email status federationId } } }');
    assert.deepEqual(users.nodes, [{ email: 'b.simon@contoso.com', status: 'ACTIVE', federationId: 'B.Simon@contoso.com' }]);

    // Edit the federation ID and the role; search finds the user by the new ID.
    await row.getByRole('button', { name: 'Edit b.simon@contoso.com' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit b.simon@contoso.com' });
    await edit.getByLabel('Federation ID').fill('bsimon@contoso.onmicrosoft.com');
    await edit.getByLabel('Role').selectOption('TENANT_ADMIN');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByLabel('Search users').fill('onmicrosoft');
    await page.getByRole('row', { name: /bsimon@contoso\.onmicrosoft\.com/ }).getByText('Admin').waitFor();
    await page.getByRole('row', { name: /admin@contoso\.example\.com/ }).waitFor({ state: 'detached' });
    await page.getByLabel('Search users').fill('');
    await page.getByRole('row', { name: /admin@contoso\.example\.com/ }).waitFor();
  });

  test('an API token is created (shown once) and revoked', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens', exact: true }).waitFor();
    await page.getByText('No API tokens yet').waitFor();
    await page.getByLabel('Token name').fill('provisioning script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByLabel('New API token', { exact: true }).textContent()).trim();
    assert.ok(token.length >= 20, `token looks too short: ${token}`);
    await screenshot(page, '06-api-token-created');
    // Nothing secret is kept in the browser: the session is an HttpOnly cookie, the token only on screen.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(token), 'the API token was stored in the browser');
    assert.ok(!stored.includes('gatehouse_session'), 'the session cookie is readable from scripts');
    // The token works as a bearer token…
    const r = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ tenant { slug } }' }),
    });
    assert.equal((await r.json()).data?.tenant?.slug, 'contoso');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByLabel('New API token', { exact: true }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Revoke provisioning script' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText(/^Revoked /).waitFor();
    await screenshot(page, '07-api-token-revoked');
    // …and no longer after revocation.
    const r2 = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ tenant { slug } }' }),
    });
    assert.equal(r2.status, 401);
  });

  test('the audit log shows the SSO change with before and after', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    const entry = page.getByRole('listitem').filter({ hasText: 'Changed the SSO settings' });
    await entry.getByText('Show the change').click();
    await entry.getByRole('row', { name: /enabled/ }).waitFor();
    const row = entry.getByRole('row', { name: /loginUrl|login_url/ });
    assert.match(await row.textContent(), /login\.microsoftonline\.com/);
    await screenshot(page, '08-audit-log');
  });

  test('the pages are usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Identity Management' }).click();
    await page.getByRole('heading', { name: 'Microsoft Entra SAML Settings' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await screenshot(page, '09-identity-management-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText('b.simon@contoso.com').first().waitFor();
    await screenshot(page, '10-users-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

describe('an invalid certificate', { concurrency: false }, () => {
  test('shows a clear error and nothing is saved', async () => {
    const tenant = await createTenant(server.url, 'fabrikam');
    const page = await browser.newPage();
    try {
      await signIn(page, server.url, tenant.admin);
      await page.getByLabel('Single Sign On (SSO)').check();
      await page.getByRole('radio', { name: 'Microsoft Entra ID' }).check();
      await page.getByLabel('IDP Login URL').fill(ENTRA.loginUrl);
      await page.getByLabel('IDP Issuer URL/URN').fill('https://sts.windows.net/fabrikam/');

      await page.getByLabel('Upload a certificate').setInputFiles(certs.notACert);
      await page.getByText(/This is not a certificate/).waitFor();
      await page.getByLabel('Upload a certificate').setInputFiles(certs.privateKey);
      await page.getByText(/This is a private key, not a certificate/).waitFor();
      await screenshot(page, '11-invalid-certificate');

      // Saving without a valid certificate is refused, next to the certificate list,
      // and everything typed stays on the page.
      await page.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
      await page.getByText(/SSO cannot be enabled without an IdP signing certificate/).waitFor();
      await page.getByText('Nothing was saved').waitFor();
      assert.equal(await page.getByLabel('IDP Login URL').inputValue(), ENTRA.loginUrl);
      await screenshot(page, '12-save-refused');

      const { ssoConnection } = await tenant.asOperator(SSO_QUERY);
      assert.equal(ssoConnection.enabled, false);
      assert.equal(ssoConnection.loginUrl, null);
      assert.deepEqual(ssoConnection.certificates, []);

      page.once('dialog', (d) => d.accept());
      await page.reload();
      await page.getByRole('heading', { name: 'Identity Management' }).waitFor();
      assert.equal(await page.getByLabel('Single Sign On (SSO)').isChecked(), false);
    } finally {
      await page.close();
    }
  });

  test('an http URL is refused next to its field', async () => {
    const page = await browser.newPage();
    try {
      await signIn(page, server.url, { email: 'admin@fabrikam.example.com', password: 'admin-password-fabrikam-e2e' });
      await page.getByRole('button', { name: /Prepare the settings/ }).click();
      await page.getByLabel('IDP Login URL').fill('http://idp.fabrikam.test/sso');
      await page.getByRole('button', { name: /^Save( and publish| draft)?$/ }).click();
      await page.getByText(/IDP Login URL must use https/).waitFor();
    } finally {
      await page.close();
    }
  });
});

describe('platform operator', { concurrency: false }, () => {
  test('lists and creates tenants, then acts on one', async () => {
    const page = await browser.newPage();
    try {
      await signIn(page, server.url, OPERATOR);
      await page.getByRole('heading', { name: 'Tenants', exact: true }).waitFor();
      await page.getByRole('cell', { name: /contoso/i }).first().waitFor();
      await page.getByLabel('Short name (slug)').fill('northwind');
      await page.getByLabel('Name', { exact: true }).fill('Northwind Traders');
      await page.getByLabel("First admin's e-mail").fill('admin@northwind.example.com');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await page.getByText('Created tenant').waitFor();
      const password = (await page.getByLabel('Generated admin password', { exact: true }).textContent()).trim();
      assert.ok(password.length >= 12);
      await page.getByRole('cell', { name: /northwind/i }).first().waitFor();
      await screenshot(page, '13-tenants');
      // The one-time password is guarded until dismissed.
      await page.getByRole('button', { name: 'Manage northwind' }).click();
      await page.getByRole('dialog', { name: 'Leave without saving?' }).getByRole('button', { name: 'Stay on this page' }).click();
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByRole('button', { name: 'Manage northwind' }).click();
      await page.getByRole('heading', { name: 'Identity Management' }).waitFor();
      await page.getByText('SSO').first().waitFor();
    } finally {
      await page.close();
    }
  });
});

describe('server', () => {
  test('serves the console for its routes, never for server paths', async () => {
    for (const path of ['/', '/users', '/identity']) {
      const r = await fetch(server.url + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), /text\/html/);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
    }
    for (const path of ['/scim/v2/contoso/Nope', '/saml2/nope', '/assets/missing.js']) {
      assert.equal((await fetch(server.url + path)).status, 404, path);
    }
    const html = await (await fetch(server.url + '/')).text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    const r = await fetch(server.url + asset);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/javascript/);
    assert.match(r.headers.get('cache-control'), /immutable/);
  });
});

// The IdP's POST to the ACS is a cross-site request: Gatehouse on http://127.0.0.1:<port>,
// the test IdP addressed as http://localhost:<port> (another site). A SameSite=Lax cookie is
// not sent with that POST, so this proves SP-initiated sign-in completes in a real browser
// without depending on one — and that another browser cannot finish it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b/';

let server;
let idp;
let idpSite;
let browser;

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  idpSite = idp.url.replace('127.0.0.1', 'localhost');
  assert.notEqual(new URL(idpSite).hostname, new URL(server.url).hostname, 'IdP and Gatehouse are on different sites');
  browser = await launchBrowser();
  const t = await createTenant(server.url, 'crosssite');
  await t.asOperator('mutation { setTenantDevMode(slug: "crosssite", enabled: true) { devMode } }');
  await t.asOperator('mutation($c: String!) { addIdpCertificate(certificate: $c) { id } }', {
    c: readFileSync(idp.certificate, 'utf8'),
  });
  await t.asOperator(
    'mutation($i: SsoConnectionInput!) { updateSsoConnection(input: $i) { enabled } }',
    {
      i: {
        enabled: true,
        provider: 'ENTRA_ID',
        loginUrl: `${idpSite}/saml2/sso`,
        issuer: ISSUER,
        loginPolicy: 'PASSWORD_OR_SSO',
        allowIdpInitiated: true,
      },
    },
  );
  await t.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { email: 'b.simon@crosssite.example', displayName: 'B.Simon', active: true },
  });
});

after(async () => {
  await browser?.close();
  await idp?.stop();
  await server?.stop();
});

async function me(page) {
  return page.evaluate(async () => {
    const r = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { email tenant { slug } } }' }),
    });
    return (await r.json()).data.me;
  });
}

describe('SP-initiated SSO across sites in Chromium', { concurrency: false }, () => {
  test('the sign-in completes although the IdP posts cross-site', async () => {
    const page = await browser.newPage();
    const context = page.context();
    await page.goto(`${server.url}/saml2/login?tenant=crosssite&RelayState=/users`);
    assert.equal(new URL(page.url()).hostname, 'localhost', 'the browser is at the IdP');
    await page.getByLabel('E-mail address').fill('b.simon@crosssite.example');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${server.url}/users`);
    const who = await me(page);
    assert.equal(who.email, 'b.simon@crosssite.example');
    assert.equal(who.tenant.slug, 'crosssite');
    const cookies = await context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'gatehouse_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax', JSON.stringify(cookies));
    await screenshot(page, '30-cross-site-sso-signed-in');
    await page.close();
  });

  test('a browser that did not start the sign-in cannot finish it', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/saml2/login?tenant=crosssite`);
    await page.getByLabel('E-mail address').fill('b.simon@crosssite.example');
    // Take the IdP's signed answer without letting this browser post it.
    const form = await page.evaluate(async () => {
      const u = new URL(location.href);
      u.searchParams.set('user', 'b.simon@crosssite.example');
      u.searchParams.set('autosubmit', '0');
      const html = await (await fetch(u)).text();
      const doc = new DOMParser().parseFromString(html, 'text/html');
      return { action: doc.querySelector('form').action, saml: doc.querySelector('input[name=SAMLResponse]').value };
    });
    const thief = await browser.newPage();
    await thief.setContent(
      `<form method="post" action="${form.action}"><input type="hidden" name="SAMLResponse" value="${form.saml}"><button>go</button></form>`,
    );
    await thief.getByRole('button', { name: 'go' }).click();
    await thief.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    assert.match(await thief.content(), /started in another browser/);
    await screenshot(thief, '31-cross-site-foreign-browser-refused');
    await page.close();
    await thief.close();
  });
});

// The end-user sign-in and sign-out pages in a real browser, driven as a person would
// (no hand-set headers): password sign-in through /login, the SSO route of /login
// (home-realm discovery to the IdP and back), sign-out through /logout — and forged posts
// from a page on another site (http://localhost:<port> against Gatehouse on
// http://127.0.0.1:<port>) to /login, /logout and /graphql, which must change nothing.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/7b1c9e2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e/';

let server;
let idp;
let browser;
let attacker;
let attackerSite;
let pw;

/** A page on another site that auto-submits `form` (HTML) as soon as it loads. */
function startAttacker() {
  const pages = new Map();
  const srv = createServer((req, res) => {
    const html = pages.get(new URL(req.url, 'http://x').pathname);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      resolve({
        url: `http://localhost:${port}`,
        page(path, form) {
          pages.set(path, `<!doctype html><title>Win a prize</title><h1>Win a prize</h1>${form}<script>document.forms[0].submit()</script>`);
        },
        close: () => new Promise((r) => srv.close(r)),
      });
    });
  });
}

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  browser = await launchBrowser();
  attacker = await startAttacker();
  attackerSite = attacker.url;
  assert.notEqual(new URL(attackerSite).hostname, new URL(server.url).hostname, 'the attacker is another site');
  pw = await createTenant(server.url, 'pwcorp');
  const sso = await createTenant(server.url, 'ssocorp');
  await sso.asOperator('mutation { setTenantDevMode(slug: "ssocorp", enabled: true) { devMode } }');
  await sso.asOperator('mutation($c: String!) { addIdpCertificate(certificate: $c) { id } }', {
    c: readFileSync(idp.certificate, 'utf8'),
  });
  await sso.asOperator('mutation($i: SsoConnectionInput!) { updateSsoConnection(input: $i) { enabled } }', {
    i: { enabled: true, provider: 'ENTRA_ID', loginUrl: `${idp.url}/saml2/sso`, issuer: ISSUER, loginPolicy: 'SSO', allowIdpInitiated: false },
  });
  await sso.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { email: 'b.simon@ssocorp.example', displayName: 'B.Simon', active: true },
  });
});

after(async () => {
  await browser?.close();
  await attacker?.close();
  await idp?.stop();
  await server?.stop();
});

/** Who the page's browser is signed in as, asked from Gatehouse's own origin. */
async function me(page) {
  await page.goto(`${server.url}/graphql`); // a page of ours whose policy allows fetch
  return page.evaluate(async () => {
    const r = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { email } }' }),
    });
    return (await r.json()).data.me;
  });
}

async function sessionCookie(page) {
  return (await page.context().cookies(server.url)).find((c) => c.name === 'gatehouse_session');
}

/** Password sign-in through /login, as a person does it. */
async function passwordSignIn(page, { email, password }) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.url}/`);
}

describe('the sign-in and sign-out pages in Chromium', { concurrency: false }, () => {
  test('password sign-in through /login', async () => {
    const page = await browser.newPage();
    const origins = [];
    page.on('request', (r) => r.method() === 'POST' && origins.push(r.headers().origin));
    await passwordSignIn(page, pw.admin);
    assert.ok(origins.includes(server.url), `Chromium sent the real Origin: ${JSON.stringify(origins)}`);
    assert.ok(await sessionCookie(page));
    assert.equal((await me(page)).email, pw.admin.email);
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await screenshot(page, '40-login-page-password-signed-in');
    await page.close();
  });

  test('the SSO route of /login goes to the IdP and back', async () => {
    const page = await browser.newPage();
    const visited = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && visited.push(f.url()));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('E-mail').fill('b.simon@ssocorp.example');
    await screenshot(page, '41-login-page-sso-user');
    // SSO only: home-realm discovery sends the browser to the IdP (which signs the hinted
    // user in at once), back to the ACS, through the hand-over and home.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(`${server.url}/`, { timeout: 30_000 });
    assert.ok(visited.some((u) => new URL(u).origin === idp.url), `went through the IdP: ${visited.join(' → ')}`);
    assert.equal((await me(page)).email, 'b.simon@ssocorp.example');
    await page.goto(`${server.url}/`);
    // Not an admin: their own page, not the console.
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await screenshot(page, '42-login-page-sso-signed-in');
    await page.close();
  });

  test('sign-out through /logout', async () => {
    const page = await browser.newPage();
    await passwordSignIn(page, pw.admin);
    await page.goto(`${server.url}/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await screenshot(page, '43-logout-page-signed-out');
    assert.equal(await sessionCookie(page), undefined);
    assert.equal(await me(page), null);
    await page.close();
  });

  test('a page on another site cannot sign a browser in through /login', async () => {
    attacker.page('/login', `<form method="post" action="${server.url}/login">
      <input name="email" value="${pw.admin.email}"><input name="password" value="${pw.admin.password}"></form>`);
    const page = await browser.newPage();
    await page.goto(`${attackerSite}/login`);
    await page.getByRole('heading', { name: 'Form from another site' }).waitFor();
    await screenshot(page, '44-cross-site-login-refused');
    assert.equal(await sessionCookie(page), undefined, 'no session cookie');
    assert.equal(await me(page), null);
    await page.close();
  });

  test('a page on another site cannot sign a browser out through /logout', async () => {
    attacker.page('/logout', `<form method="post" action="${server.url}/logout"><input name="x" value="1"></form>`);
    const page = await browser.newPage();
    await passwordSignIn(page, pw.admin);
    await page.goto(`${attackerSite}/logout`);
    await page.getByRole('heading', { name: 'Form from another site' }).waitFor();
    await screenshot(page, '45-cross-site-logout-refused');
    assert.ok(await sessionCookie(page), 'the session cookie is still there');
    assert.equal((await me(page)).email, pw.admin.email, 'still signed in');
    await page.close();
  });

  test('a text/plain form from another site cannot sign in through /graphql', async () => {
    const mutation = `mutation { signIn(email: \\"${pw.admin.email}\\", password: \\"${pw.admin.password}\\") { me { email } } }`;
    // The classic JSON-in-text/plain trick: name + "=" + value is a JSON document.
    attacker.page('/graphql', `<form method="post" enctype="text/plain" action="${server.url}/graphql">
      <input name='{"query":"${mutation}","x":"' value='"}'></form>`);
    const page = await browser.newPage();
    const answer = page.waitForResponse((r) => r.url() === `${server.url}/graphql`);
    await page.goto(`${attackerSite}/graphql`);
    const r = await answer;
    assert.equal(r.status(), 403);
    assert.equal(r.headers()['set-cookie'], undefined);
    await page.waitForLoadState();
    await screenshot(page, '46-cross-site-graphql-text-plain-refused');
    assert.equal(await sessionCookie(page), undefined, 'no session cookie');
    assert.equal(await me(page), null);
    await page.close();
  });

  test('the GraphQL explorer works from the binary alone, under its CSP', async () => {
    const page = await browser.newPage();
    await passwordSignIn(page, pw.admin);
    const hosts = new Set();
    page.on('request', (r) => hosts.add(new URL(r.url()).origin));
    const violations = [];
    page.on('console', (m) => /Content Security Policy|Refused/.test(m.text()) && violations.push(m.text()));
    await page.goto(`${server.url}/graphql`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByText(`"email": "${pw.admin.email}"`).waitFor();
    await screenshot(page, '47-graphql-explorer');
    await page.getByRole('button', { name: 'Show schema' }).click();
    await page.getByText(/type Query \{/).waitFor();
    assert.deepEqual([...hosts], [server.url], 'every request went to Gatehouse itself');
    assert.deepEqual(violations, []);
    await page.close();
  });
});

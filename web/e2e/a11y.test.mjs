// axe-core over every console page and every server-rendered end-user page, in Chromium
// against the real server and the test IdP; any violation fails the test. (Every other
// test's screenshots are checked too: see `screenshot` in support.mjs.) The end-user pages
// are also checked for the product's look: the organisation's name once known, a <main>
// landmark, and the next step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATOR, assertAccessible, createTenant, launchBrowser, screenshot, signIn, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/7a1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6/';
const CONSOLE_PAGES = ['/identity', '/provisioning', '/users', '/groups', '/sign-in-log', '/audit-log', '/api-tokens'];
const OPERATOR_PAGES = ['/tenants', '/sign-ins-without-tenant'];

let server;
let idp;
let browser;
let tenant;

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'fourthcoffee');
  await tenant.asOperator('mutation { setTenantDevMode(slug: "fourthcoffee", enabled: true) { devMode } }');
  await tenant.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { email: 'pat@fourthcoffee.com', displayName: 'Pat Doe', active: true },
  });
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await idp?.stop();
    await server?.stop();
  }
});

async function visit(page, path, heading) {
  await page.goto(server.url + path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.getByText(/^Loading /).first().waitFor({ state: 'detached' }).catch(() => undefined);
}

/** Turns SSO on with the test IdP's metadata (password or SSO), over the API. */
async function connectIdp() {
  const xml = await (await fetch(`${idp.url}/metadata`)).text();
  await tenant.asOperator('mutation($x: String!) { importIdpMetadata(xml: $x, apply: true) { issuer } }', { x: xml });
  await tenant.asOperator(
    'mutation($i: SsoConnectionInput!) { updateSsoConnection(input: $i) { enabled } }',
    { i: { enabled: true, provider: 'ENTRA_ID', loginUrl: `${idp.url}/saml2/sso`, issuer: ISSUER, loginPolicy: 'PASSWORD_OR_SSO', allowIdpInitiated: true } },
  );
}

describe('axe-core finds nothing on any page', { concurrency: false }, () => {
  test('the console signed out, and every page of a tenant admin', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    await page.getByLabel('Password').waitFor();
    await assertAccessible(page, 'console sign-in');
    await signIn(page, server.url, tenant.admin);
    for (const path of CONSOLE_PAGES) {
      const title = await page.evaluate(
        (p) => document.querySelector(`nav a[href="${p}"]`)?.textContent ?? '',
        path,
      );
      await visit(page, path, title);
      await assertAccessible(page, `console ${path}`);
    }
    await page.goto(server.url + '/no-such-page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await assertAccessible(page, 'console not found');
    await page.close();
  });

  test('every operator page, with and without a tenant picked', async () => {
    const page = await browser.newPage();
    await signIn(page, server.url, OPERATOR);
    for (const path of OPERATOR_PAGES) {
      const title = await page.evaluate((p) => document.querySelector(`nav a[href="${p}"]`)?.textContent ?? '', path);
      await visit(page, path, title);
      await assertAccessible(page, `operator ${path}`);
    }
    await visit(page, '/users', 'Users');
    await page.getByText('Choose a tenant first').waitFor();
    await assertAccessible(page, 'operator without a tenant');
    await page.getByLabel('Acting on tenant').selectOption('fourthcoffee');
    for (const path of CONSOLE_PAGES) {
      const title = await page.evaluate((p) => document.querySelector(`nav a[href="${p}"]`)?.textContent ?? '', path);
      await visit(page, path, title);
      await assertAccessible(page, `operator on a tenant ${path}`);
    }
    await page.close();
  });

  test('the server-rendered sign-in, error and sign-out pages look like the product and name the organisation', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/login');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.locator('main').count(), 1);
    await screenshot(page, '62-server-login');

    await page.goto(server.url + '/login?tenant=fourthcoffee');
    await page.getByRole('heading', { name: 'Sign in to Fourthcoffee Ltd' }).waitFor();
    await page.getByRole('banner').getByText('Fourthcoffee Ltd').waitFor();
    await page.getByLabel('Password').waitFor();
    await screenshot(page, '63-server-login-organisation');

    // A wrong password, the refusal in the product's look (its wording is the sign-in's own).
    await page.getByLabel('E-mail').fill(tenant.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, '64-server-login-refused');

    await page.goto(server.url + '/saml2/login');
    await page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    await page.getByRole('link', { name: 'Back to sign-in' }).waitFor();
    await screenshot(page, '65-server-error-no-organisation');

    // SSO is off at fourthcoffee: the refusal names it and offers the password, not SSO again.
    await page.goto(server.url + '/saml2/login?tenant=fourthcoffee');
    await page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    await page.getByRole('banner').getByText('Fourthcoffee Ltd').waitFor();
    await page.getByRole('link', { name: 'Sign in with a password' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Try single sign-on again' }).count(), 0);
    await screenshot(page, '66-server-error-organisation');
    await page.getByRole('link', { name: 'Sign in with a password' }).click();
    await page.getByRole('heading', { name: 'Sign in to Fourthcoffee Ltd' }).waitFor();

    await page.getByLabel('E-mail').fill(tenant.admin.email);
    await page.getByLabel('Password').fill(tenant.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(server.url + '/logout');
    await page.getByRole('heading', { name: 'Sign out' }).waitFor();
    await page.getByRole('banner').getByText('Fourthcoffee Ltd').waitFor();
    await screenshot(page, '67-server-logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out of Fourthcoffee Ltd' }).waitFor();
    await screenshot(page, '68-server-signed-out');
    await page.close();
  });

  test('the SSO hand-over page, a refused SSO sign-in with its next steps, and the user page', async () => {
    await connectIdp();
    const page = await browser.newPage();
    // Keep the hand-over page on screen: its automatic post to /saml2/complete is answered
    // 204 (the browser stays where it is) and never reaches the server; then the person's
    // own press of Continue goes through.
    await page.route('**/saml2/complete', (route) => route.fulfill({ status: 204 }));
    await page.goto(`${server.url}/saml2/login?tenant=fourthcoffee`);
    await page.getByLabel('E-mail address').fill('pat@fourthcoffee.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Signing you in…' }).waitFor();
    await page.getByRole('banner').getByText('Fourthcoffee Ltd').waitFor();
    await assertAccessible(page, 'hand-over page');
    await screenshot(page, '69-server-handover');
    await page.unroute('**/saml2/complete');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await assertAccessible(page, 'user page');
    await page.close();

    const stranger = await browser.newPage();
    await stranger.goto(`${server.url}/saml2/login?tenant=fourthcoffee`);
    await stranger.getByLabel('E-mail address').fill('nobody@fourthcoffee.com');
    await stranger.getByRole('button', { name: 'Continue' }).click();
    await stranger.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    await stranger.getByRole('banner').getByText('Fourthcoffee Ltd').waitFor();
    await stranger.getByRole('link', { name: 'Try single sign-on again' }).waitFor();
    await stranger.getByRole('link', { name: 'Sign in with a password' }).waitFor();
    await screenshot(stranger, '70-server-sso-refused-next-steps');
    await stranger.close();
  });
});

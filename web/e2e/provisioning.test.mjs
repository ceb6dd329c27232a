// SCIM provisioning seen from the console: a tenant admin creates the Secret Token, an IdP
// (played here the way Microsoft Entra ID sends it) provisions a user and a group with it over
// the real SCIM API, and the console shows the group, its member and the user's groups.
// Rotating the token and revoking it end the old secrets at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

const SCIM = 'application/scim+json';

let server;
let browser;
let tenant;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'contoso');
  page = await browser.newPage();
  await signIn(page, server.url, tenant.admin);
});

after(async () => {
  try {
    await page?.close();
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

/** A SCIM request as Entra's provisioning service makes it. */
async function scim(tenantUrl, token, method, path, body) {
  const r = await fetch(`${tenantUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: SCIM, ...(body ? { 'content-type': SCIM } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const nav = () => page.getByRole('navigation', { name: 'Console' });

async function assertNoSidewaysScroll() {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

describe('SCIM provisioning', { concurrency: false }, () => {
  let tenantUrl;
  let token;
  let userId;
  let groupId;

  test('the admin creates a Secret Token, shown once next to the Tenant URL', async () => {
    await nav().getByRole('link', { name: 'Provisioning (SCIM)' }).click();
    await page.getByRole('heading', { name: 'Provisioning (SCIM)', level: 1 }).waitFor();
    tenantUrl = `${server.url}/scim/v2/contoso`;
    const credentials = page.getByRole('region', { name: 'Admin Credentials' });
    await credentials.getByText(tenantUrl, { exact: true }).waitFor();
    await credentials.getByRole('button', { name: 'Copy Tenant URL' }).waitFor();
    await page.getByText('No Secret Tokens yet').waitFor();

    await page.getByRole('button', { name: 'Create a Secret Token' }).click();
    token = (await page.getByLabel('New Secret Token', { exact: true }).textContent()).trim();
    assert.match(token, /^gh_scim_\S{20,}$/);
    await page.getByRole('button', { name: 'Copy the new Secret Token' }).waitFor();
    await page.getByRole('row', { name: new RegExp(`${token.slice(0, 12)}.*Active`) }).waitFor();
    await screenshot(page, '40-provisioning');

    // Nothing secret is kept in the browser.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(token), 'the SCIM token was stored in the browser');

    // Leaving while the token is on screen asks first.
    await nav().getByRole('link', { name: 'Groups' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.getByText(/Your new Secret Token is shown only on this page/).waitFor();
    await leave.getByRole('button', { name: 'Stay on this page' }).click();
    assert.equal(new URL(page.url()).pathname, '/provisioning');
  });

  test("Entra's Test Connection and provisioning of a user and a group work with that token", async () => {
    // Test Connection: a filter on a random value answers an empty list.
    const probe = await scim(tenantUrl, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "6a1e0f7c-test"')}`);
    assert.equal(probe.status, 200);
    assert.equal(probe.body.totalResults, 0);

    const user = await scim(tenantUrl, token, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: 'alice.wong',
      userName: 'Alice.Wong@contoso.com',
      active: true,
      displayName: 'Alice Wong',
      emails: [{ primary: true, type: 'work', value: 'Alice.Wong@contoso.com' }],
      name: { givenName: 'Alice', familyName: 'Wong', formatted: 'Alice Wong' },
      title: 'Account Executive',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    userId = user.body.id;

    // Entra creates the group first, then adds its members with a PATCH.
    const group = await scim(tenantUrl, token, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      externalId: '5d2c7b1e-9a0f-4c3d-8e6f-1a2b3c4d5e6f',
      displayName: 'Sales',
      members: [],
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    groupId = group.body.id;
    const add = await scim(tenantUrl, token, 'PATCH', `/Groups/${groupId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'members', value: [{ value: userId }] }],
    });
    assert.ok([200, 204].includes(add.status), `PATCH answered ${add.status}: ${JSON.stringify(add.body)}`);
    const empty = await scim(tenantUrl, token, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Contractors',
    });
    assert.equal(empty.status, 201, JSON.stringify(empty.body));
  });

  test('the console shows the group with its member, and the user with their group', async () => {
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByLabel('New Secret Token', { exact: true }).waitFor({ state: 'detached' });

    await nav().getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
    const sales = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Sales', exact: true }) });
    await sales.getByText('1 member', { exact: true }).waitFor();
    await sales.getByText('5d2c7b1e-9a0f-4c3d-8e6f-1a2b3c4d5e6f').waitFor();
    const contractors = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Contractors', exact: true }) });
    await contractors.getByText('0 members', { exact: true }).waitFor();
    await sales.getByRole('button', { name: 'Show members of Sales' }).click();
    const members = page.getByRole('list', { name: 'Members of Sales' });
    await members.getByText('Alice Wong').waitFor();
    await members.getByText('alice.wong@contoso.com').waitFor();
    assert.equal(await members.getByRole('listitem').count(), 1);
    await screenshot(page, '41-groups');

    await nav().getByRole('link', { name: 'Users' }).click();
    const row = page.getByRole('row', { name: /alice\.wong@contoso\.com/ });
    await row.getByRole('list', { name: 'Groups of alice.wong@contoso.com' }).getByText('Sales', { exact: true }).waitFor();
    await page.getByRole('row', { name: /admin@contoso\.example\.com/ }).getByText('None').waitFor();
    await screenshot(page, '42-users-groups');
    await row.getByRole('button', { name: 'Edit alice.wong@contoso.com' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit alice.wong@contoso.com' });
    await edit.getByRole('list', { name: 'Groups of alice.wong@contoso.com' }).getByText('Sales', { exact: true }).waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'detached' });

    // The same through GraphQL, as the console reads it.
    const { user } = await tenant.asOperator('query($id: ID!) { user(id: $id) { email groups { nodes { displayName } } } }', {
      id: userId,
    });
    assert.deepEqual(user, { email: 'alice.wong@contoso.com', groups: { nodes: [{ displayName: 'Sales' }] } });
  });

  test('rotating makes the old token fail (401) and the new one work; revoking makes it fail', async () => {
    await nav().getByRole('link', { name: 'Provisioning (SCIM)' }).click();
    const prefix = token.slice(0, 12);
    const oldRow = page.getByRole('row', { name: new RegExp(prefix) });
    // The token has been used since.
    await oldRow.getByRole('cell', { name: 'Never' }).waitFor({ state: 'detached' });

    await oldRow.getByRole('button', { name: /^Rotate / }).click();
    const dialog = page.getByRole('dialog', { name: /^Rotate gh_scim_/ });
    await dialog.getByText(/stops working at once/).waitFor();
    await dialog.getByRole('button', { name: 'Rotate token' }).click();
    const fresh = (await page.getByLabel('New Secret Token', { exact: true }).textContent()).trim();
    assert.match(fresh, /^gh_scim_\S{20,}$/);
    assert.notEqual(fresh, token);
    await page.getByRole('region', { name: /^The new Secret Token replacing gh_scim_/ }).waitFor();
    await oldRow.getByText(/^Revoked /).waitFor();
    await screenshot(page, '43-provisioning-rotated');

    const old = await scim(tenantUrl, token, 'GET', '/Users');
    assert.equal(old.status, 401);
    const now = await scim(tenantUrl, fresh, 'GET', `/Users?filter=${encodeURIComponent('userName eq "Alice.Wong@contoso.com"')}`);
    assert.equal(now.status, 200);
    assert.equal(now.body.totalResults, 1);
    assert.equal(now.body.Resources[0].id, userId);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    const freshRow = page.getByRole('row', { name: new RegExp(`${fresh.slice(0, 12)}.*Active`) });
    await freshRow.getByRole('button', { name: /^Revoke / }).click();
    const revoke = page.getByRole('dialog', { name: /^Revoke gh_scim_/ });
    await revoke.getByRole('button', { name: 'Revoke token' }).click();
    await revoke.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: new RegExp(`${fresh.slice(0, 12)}.*Revoked`) }).waitFor();
    await page.getByText('No token is live yet: create one and paste it into your IdP.').waitFor();
    const gone = await scim(tenantUrl, fresh, 'GET', '/Users');
    assert.equal(gone.status, 401);

    // Every SCIM change is in the audit log with the token as the actor.
    await nav().getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('listitem').filter({ hasText: 'SCIM provisioning' }).first().waitFor();
  });

  test('the provisioning and groups pages are usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByRole('button', { name: 'Menu' }).click();
      await nav().getByRole('link', { name: 'Provisioning (SCIM)' }).click();
      await page.getByRole('region', { name: 'Admin Credentials' }).getByText(tenantUrl, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Create a Secret Token' }).click();
      await page.getByLabel('New Secret Token', { exact: true }).waitFor();
      await assertNoSidewaysScroll();
      await screenshot(page, '44-provisioning-phone');
      await page.getByRole('button', { name: 'I have copied it' }).click();

      await page.getByRole('button', { name: 'Menu' }).click();
      await nav().getByRole('link', { name: 'Groups' }).click();
      await page.getByRole('button', { name: 'Show members of Sales' }).click();
      await page.getByRole('list', { name: 'Members of Sales' }).getByText('Alice Wong').waitFor();
      await assertNoSidewaysScroll();
      await screenshot(page, '45-groups-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});

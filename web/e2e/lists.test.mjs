// The console's lists (issue 14): Users with their source, last sign-in and a status
// filter, the federation ID column only when it says something; Groups with a search and
// members that link to their user; the operators' Tenants list with a search, SSO status
// and user counts. In Chromium against the real server; every screenshot is checked by axe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATOR, createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

const SCIM = 'application/scim+json';

let server;
let browser;
let tenant;
let admin;

async function scim(token, method, path, body) {
  const r = await fetch(`${server.url}/scim/v2/adatum${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: SCIM, 'content-type': SCIM },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'adatum');
  const create = (i) => tenant.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i });
  await create({ email: 'erin@adatum.example', displayName: 'Erin Console', active: true });
  await create({ email: 'okta.user@adatum.example', federationId: '00u1abcdEFGH', displayName: 'Okta Person', active: true });
  const { createUser: pending } = await create({ email: 'pending@adatum.example', displayName: 'Pat Pending' });
  assert.ok(pending.id);
  const { createScimToken } = await tenant.asOperator('mutation { createScimToken { token } }');
  const provisioned = await scim(createScimToken.token, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'sam.scim@adatum.example',
    displayName: 'Sam From Entra',
    active: true,
  });
  for (const name of ['Engineering', 'Sales EMEA']) {
    await scim(createScimToken.token, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: name,
      members: name === 'Engineering' ? [{ value: provisioned.id }] : [],
    });
  }
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

const nav = () => admin.getByRole('navigation', { name: 'Console' });

describe('the console lists', { concurrency: false }, () => {
  test('Users: source, last sign-in with its zone, status filter, federation ID only where it differs', async () => {
    await nav().getByRole('link', { name: 'Users' }).click();
    const table = admin.getByRole('table', { name: 'Users' });
    await table.waitFor();
    const row = (text) => table.getByRole('row').filter({ hasText: text });
    await row('sam.scim@adatum.example').getByRole('cell', { name: 'SCIM', exact: true }).waitFor();
    await row('erin@adatum.example').getByRole('cell', { name: 'Console', exact: true }).waitFor();
    // The admin signed in a moment ago; the others never did.
    const adminLast = await row(tenant.admin.email).getByRole('cell').nth(4).textContent();
    assert.match(adminLast, /UTC/, adminLast);
    await row('erin@adatum.example').getByText('Never').waitFor();
    // One user's federation ID is not their e-mail: the column is there, and says so only for them.
    await table.getByRole('columnheader', { name: 'Federation ID' }).waitFor();
    await row('okta.user@adatum.example').getByText('00u1abcdEFGH').waitFor();
    await row('erin@adatum.example').getByText('Same as e-mail').waitFor();
    await screenshot(admin, '73-users-source-last-sign-in');
    // At the usual 1280 px window the table fits beside the navigation: every row's actions
    // are on screen, not behind a sideways scroll.
    const overflow = await admin.locator('.users .table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 0, `the users table scrolls sideways by ${overflow}px at 1280px`);
    await row(tenant.admin.email).getByRole('button', { name: `Edit ${tenant.admin.email}` }).waitFor();
    assert.ok(await row(tenant.admin.email).getByRole('button', { name: `Edit ${tenant.admin.email}` }).isVisible());

    await admin.getByLabel('Status').selectOption('PENDING');
    await row('erin@adatum.example').waitFor({ state: 'detached' });
    assert.equal(await table.getByRole('row').count(), 2, 'the header and Pat Pending');
    await row('pending@adatum.example').waitFor();
    // Among pending users nobody's federation ID differs: no column for it.
    assert.equal(await table.getByRole('columnheader', { name: 'Federation ID' }).count(), 0);
    await screenshot(admin, '74-users-status-filter');
    await admin.getByLabel('Status').selectOption('');
  });

  test('Groups: a search, and a member leads to their user', async () => {
    await nav().getByRole('link', { name: 'Groups' }).click();
    await admin.getByRole('heading', { name: 'Sales EMEA' }).waitFor();
    await admin.getByLabel('Search groups').fill('engin');
    await admin.getByRole('heading', { name: 'Sales EMEA' }).waitFor({ state: 'detached' });
    await admin.getByRole('button', { name: 'Show members of Engineering' }).click();
    const member = admin.getByRole('list', { name: 'Members of Engineering' }).getByRole('link', { name: 'Sam From Entra' });
    await member.waitFor();
    await screenshot(admin, '75-groups-search');
    await member.click();
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    assert.equal(await admin.getByLabel('Search users').inputValue(), 'sam.scim@adatum.example');
    const rows = admin.getByRole('table', { name: 'Users' }).getByRole('row');
    await rows.filter({ hasText: 'sam.scim@adatum.example' }).waitFor();
    assert.equal(await rows.count(), 2, 'the header and Sam');
  });

  test('Tenants: a search, SSO status and user counts', async () => {
    const operator = await browser.newPage();
    await signIn(operator, server.url, OPERATOR);
    await createTenant(server.url, 'contoso');
    await operator.reload();
    const table = operator.getByRole('table', { name: 'Tenants' });
    await table.getByRole('row').filter({ hasText: 'contoso' }).waitFor();
    await operator.getByLabel('Search tenants').fill('ADAT');
    await table.getByRole('row').filter({ hasText: 'contoso' }).waitFor({ state: 'detached' });
    const row = table.getByRole('row').filter({ hasText: 'adatum' });
    await row.getByRole('cell', { name: 'Off' }).waitFor();
    // The admin, Erin, the Okta person, Pat and Sam.
    await row.getByRole('cell', { name: '5', exact: true }).waitFor();
    await screenshot(operator, '76-tenants-search');
    await operator.close();
  });
});

// Change SSO without fear (issue 13), in the console against the real server and the test
// IdP: a live tenant's edit becomes a draft (banner: unpublished changes, Test / Publish /
// Discard), its Test SSO fails on a wrong issuer while users keep signing in, publishing it
// asks first and says the test failed, History shows the versions and their difference,
// and "Roll back to this" restores the working settings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { createTenant, launchBrowser, screenshot, signIn, startIdp, startServer } from './support.mjs';

const ISSUER = 'https://sts.windows.net/6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/';
const TYPO = 'https://sts.windows.net/6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e/';

let server;
let idp;
let browser;
let tenant;
let admin;

before(async () => {
  server = await startServer();
  idp = await startIdp(server.dir, { issuer: ISSUER, spSlo: `${server.url}/saml2/logout` });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'litware');
  await tenant.asOperator('mutation { setTenantDevMode(slug: "litware", enabled: true) { devMode } }');
  await tenant.asOperator('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { email: 'megan@litware.com', displayName: 'Megan', active: true },
  });
  // SSO is live already (first-time set-up: save and publish in one step).
  await tenant.asOperator('mutation($i: SaveSsoSettingsInput!) { saveSsoSettings(input: $i) { version } }', {
    i: {
      enabled: true,
      provider: 'ENTRA_ID',
      loginUrl: `${idp.url}/saml2/sso`,
      issuer: ISSUER,
      loginPolicy: 'PASSWORD_OR_SSO',
      allowIdpInitiated: true,
      addCertificates: [readFileSync(idp.certificate, 'utf8')],
    },
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

/** An end user's SP-initiated sign-in from the sign-in page; true when it worked. */
async function userSignsIn() {
  const page = await browser.newPage();
  try {
    await page.goto(server.url + '/');
    await page.getByLabel('Organisation ID').fill('litware');
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await page.getByLabel('E-mail address').fill('megan@litware.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    const outcome = await Promise.race([
      page.getByRole('button', { name: 'Sign out' }).waitFor().then(() => true),
      page.getByRole('heading', { name: /sign-in failed/i }).waitFor().then(() => false),
    ]);
    return outcome;
  } finally {
    await page.close();
  }
}

describe('SSO drafts in the console', { concurrency: false }, () => {
  test('an edit of live SSO is a draft whose failed test is shown while users keep signing in', async () => {
    await admin.getByRole('heading', { name: 'Microsoft Entra SAML Settings' }).waitFor();
    await admin.getByLabel('IDP Issuer URL/URN').fill(TYPO);
    await admin.getByRole('button', { name: 'Save draft' }).click();
    await admin.getByRole('heading', { name: 'You have unpublished changes' }).waitFor();
    await admin.getByText('Not tested yet').waitFor();
    const banner = admin.getByRole('region', { name: 'You have unpublished changes' });
    await banner.getByRole('table', { name: 'What publishing changes' }).getByText(TYPO).waitFor();
    await screenshot(admin, '60-sso-draft-banner');

    const [popup] = await Promise.all([
      admin.waitForEvent('popup'),
      admin.getByRole('button', { name: 'Test SSO' }).click(),
    ]);
    await popup.getByLabel('E-mail address').fill('megan@litware.com');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.getByText('The test sign-in failed.').waitFor();
    assert.match(await popup.content(), /Tested the draft \(revision \d+\)/);
    await screenshot(popup, '61-sso-draft-test-failed-report');
    await popup.close();
    await banner.getByText('Last test failed').waitFor({ timeout: 30_000 });
    await screenshot(admin, '62-sso-draft-test-failed');

    assert.equal(await userSignsIn(), true, 'users sign in with the published settings meanwhile');
    const { ssoConnection } = await tenant.asOperator('{ ssoConnection { issuer } }');
    assert.equal(ssoConnection.issuer, ISSUER);
  });

  test('publishing a failed draft asks first, then History shows the diff and rolls back', async () => {
    const banner = admin.getByRole('region', { name: 'You have unpublished changes' });
    await banner.getByRole('button', { name: 'Publish' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Publish untested changes?' });
    await dialog.getByText(/last Test SSO of these changes failed/).waitFor();
    await screenshot(admin, '63-sso-publish-confirm');
    await dialog.getByRole('button', { name: 'Publish anyway' }).click();
    await admin.getByRole('heading', { name: 'You have unpublished changes' }).waitFor({ state: 'detached' });
    assert.equal(await userSignsIn(), false, 'the typo is live: SSO sign-ins fail');

    const history = admin.getByRole('region', { name: 'History' });
    await history.getByText('Draft published').waitFor();
    await history.getByText('Saved and published').waitFor();
    await history.getByRole('table', { name: /Changes from version \d+ to version \d+/ }).getByText(TYPO).waitFor();
    await screenshot(admin, '64-sso-history-diff');

    await history.getByRole('button', { name: 'Roll back to this' }).first().click();
    const confirm = admin.getByRole('dialog', { name: /Roll back to version \d+\?/ });
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await history.getByText(/Rolled back \(version \d+\)/).waitFor();
    assert.equal(await admin.getByLabel('IDP Issuer URL/URN').inputValue(), ISSUER);
    await screenshot(admin, '65-sso-rolled-back');
    assert.equal(await userSignsIn(), true, 'the rollback restored SSO sign-ins');

    const audit = await tenant.asOperator('{ auditEvents(first: 50) { nodes { action } } }');
    const actions = audit.auditEvents.nodes.map((e) => e.action);
    for (const a of ['sso_draft.save', 'sso_settings.publish', 'sso_settings.rollback']) assert.ok(actions.includes(a), a);
  });

  test('a draft can be discarded', async () => {
    await admin.getByLabel('IDP Logout URL').fill(`${idp.url}/saml2/logout`);
    await admin.getByRole('button', { name: 'Save draft' }).click();
    const banner = admin.getByRole('region', { name: 'You have unpublished changes' });
    await banner.getByRole('button', { name: 'Discard draft' }).click();
    await admin.getByRole('dialog', { name: 'Discard the draft?' }).getByRole('button', { name: 'Discard draft' }).click();
    await banner.waitFor({ state: 'detached' });
    assert.equal(await admin.getByLabel('IDP Logout URL').inputValue(), '');
    const { ssoDraft } = await tenant.asOperator('{ ssoDraft { revision } }');
    assert.equal(ssoDraft, null);
  });
});

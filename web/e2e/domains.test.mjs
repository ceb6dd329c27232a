// Issue 13 in the console: a domain added and verified against a real DNS server (a small
// UDP responder in this test, named by GATEHOUSE_DNS_SERVERS), the TXT record to copy,
// the record lost (flagged), break-glass accounts with their warnings, and the sign-on page
// sending a verified domain to the IdP and refusing a password with "use SSO".
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, makeCertificates, screenshot, signIn, startServer } from './support.mjs';

const DOMAIN = 'contoso-e2e.test';
const records = new Map();
let dns;
let server;
let browser;
let tenant;
let admin;

/** Answers TXT questions from `records`; NXDOMAIN for other names. */
function startDns() {
  const socket = createSocket('udp4');
  socket.on('message', (q, peer) => {
    let i = 12;
    const labels = [];
    while (q[i] !== 0) {
      labels.push(q.subarray(i + 1, i + 1 + q[i]).toString('latin1').toLowerCase());
      i += q[i] + 1;
    }
    const end = i + 5;
    const values = records.get(labels.join('.')) ?? null;
    const answers = values ?? [];
    const header = Buffer.from([q[0], q[1], 0x84 | (q[2] & 1), values ? 0x80 : 0x83, 0, 1, 0, answers.length, 0, 0, 0, 0]);
    const parts = [header, q.subarray(12, end)];
    for (const v of answers) {
      const data = Buffer.concat([Buffer.from([Buffer.byteLength(v)]), Buffer.from(v)]);
      const rr = Buffer.from([0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, data.length]);
      parts.push(rr, data);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)));
}

before(async () => {
  dns = await startDns();
  server = await startServer({ GATEHOUSE_DNS_SERVERS: `127.0.0.1:${dns.address().port}`, GATEHOUSE_DNS_TIMEOUT_SECONDS: '2' });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'contoso');
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  try {
    await admin?.close();
    await browser?.close();
  } finally {
    dns?.close();
    await server?.stop();
  }
});

describe('domains and SSO enforcement in the console', { concurrency: false }, () => {
  test('a domain is added and shows the TXT record to create, with copy buttons', async () => {
    await admin.goto(server.url + '/domains');
    await admin.getByRole('heading', { name: 'Domains & SSO enforcement' }).waitFor();
    await admin.getByLabel('Domain', { exact: true }).fill('*.contoso.test');
    await admin.getByRole('button', { name: 'Add domain' }).click();
    await admin.getByText(/Wildcards are not allowed/i).waitFor();
    await admin.getByLabel('Domain', { exact: true }).fill(' Contoso-E2E.test ');
    await admin.getByRole('button', { name: 'Add domain' }).click();
    await admin.getByRole('heading', { name: DOMAIN }).waitFor();
    await admin.getByText('Waiting for the TXT record').waitFor();
    await admin.getByText(`_gatehouse.${DOMAIN}`).waitFor();
    await admin.getByRole('button', { name: `Copy the record value for ${DOMAIN}` }).waitFor();
    await admin.getByRole('button', { name: `Copy the record name for ${DOMAIN}` }).waitFor();
    await admin.getByRole('button', { name: 'Verify now' }).click();
    await admin.getByText(/no TXT record found/i).waitFor();
    await screenshot(admin, '50-domain-pending-txt-record');
  });

  test('the record is found: verified; with SSO on and no break-glass account, a warning', async () => {
    const { domains } = await tenant.asOperator('{ domains { recordName recordValue } }');
    records.set(domains[0].recordName, ['v=spf1 -all', domains[0].recordValue]);
    await admin.getByRole('button', { name: 'Verify now' }).click();
    await admin.getByText('Verified', { exact: true }).first().waitFor();
    const certs = makeCertificates(server.dir);
    await tenant.asOperator('mutation($c:String!){ addIdpCertificate(certificate:$c){ id } }', { c: readFileSync(certs.entraCer, 'utf8') });
    await tenant.asOperator(
      'mutation { updateSsoConnection(input:{enabled:true, provider:GENERIC_SAML, loginUrl:"https://idp.example/saml/sso", issuer:"urn:e2e:idp", loginPolicy:PASSWORD_OR_SSO, allowIdpInitiated:false, jitProvisioning:true}){ version } }',
    );
    await tenant.asOperator(
      'mutation { createUser(input:{email:"ann@contoso-e2e.test", displayName:"Ann", password:"ann-password-e2e-1", active:true}){ id } }',
    );
    await tenant.asOperator(
      'mutation { createUser(input:{email:"it@contoso-e2e.test", displayName:"IT", password:"it-password-e2e-12", active:true}){ id } }',
    );
    await admin.reload();
    await admin.getByText(/no break-glass account can sign in with a password/).waitFor();
    await screenshot(admin, '51-domain-verified-break-glass-empty-warning');
    await admin.getByLabel("User's e-mail").fill('it@contoso-e2e.test');
    await admin.getByRole('button', { name: 'Add break-glass account' }).click();
    await admin.getByRole('cell', { name: 'it@contoso-e2e.test', exact: true }).waitFor();
    assert.equal(await admin.getByText(/no break-glass account can sign in/).count(), 0);
  });

  test('the sign-on page sends the domain to the IdP and refuses a password with "use SSO"', async () => {
    const user = await browser.newPage();
    await user.route('https://idp.example/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Test IdP sign-in</h1>' }),
    );
    await user.goto(server.url + '/login');
    await user.getByLabel('E-mail').fill('new.hire@contoso-e2e.test');
    await user.getByRole('button', { name: 'Next' }).click();
    await user.getByRole('heading', { name: 'Test IdP sign-in' }).waitFor({ timeout: 5000 }).catch(async (e) => {
      throw new Error(`${e.message}\nat ${user.url()}: ${(await user.content()).slice(0, 2000)}`);
    });
    assert.ok(user.url().startsWith('https://idp.example/saml/sso?SAMLRequest='), user.url());
    assert.ok(!user.url().includes('tenant='), user.url());

    await user.goto(server.url + '/login?method=password');
    await user.getByLabel('E-mail').fill('ann@contoso-e2e.test');
    await user.getByLabel('Password').fill('ann-password-e2e-1');
    await user.getByRole('button', { name: 'Sign in' }).click();
    await user.getByText(/signs in with single sign-on/).waitFor();
    await screenshot(user, '52-login-password-refused-use-sso');

    // The break-glass account gets in, and the console shows the use.
    await user.goto(server.url + '/login?method=password');
    await user.getByLabel('E-mail').fill('it@contoso-e2e.test');
    await user.getByLabel('Password').fill('it-password-e2e-12');
    await user.getByRole('button', { name: 'Sign in' }).click();
    await user.waitForURL((u) => !u.pathname.startsWith('/login'));
    await user.close();
    await admin.reload();
    await admin.getByText(/Break-glass sign-in used in the last 7 days by it@contoso-e2e.test/).waitFor();
    const { auditEvents } = await tenant.asOperator('{ auditEvents(first: 50) { edges { node { action } } } }');
    assert.ok(auditEvents.edges.some((e) => e.node.action === 'break_glass.sign_in'));
  });

  test('the record is lost: the domain is flagged, still routing until the grace period ends', async () => {
    records.clear();
    await admin.getByRole('button', { name: 'Verify now' }).click();
    await admin.getByText('Record missing', { exact: true }).waitFor();
    await admin.getByText(/still go to your identity provider/).waitFor();
    await screenshot(admin, '53-domain-flagged-record-missing');
  });
});

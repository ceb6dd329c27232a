// Issue 15 in the console: an admin adds a webhook endpoint pointing at a receiver this test
// runs, sees the signing secret once, sees the delivery of an event appear (the receiver
// checks its Standard Webhooks signature with Node's own HMAC), and resends it.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createTenant, launchBrowser, screenshot, signIn, startServer } from './support.mjs';

const received = [];
let receiver;
let server;
let browser;
let tenant;
let admin;

/** Records every POST and answers 204. */
function startReceiver() {
  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

/** The Standard Webhooks check, by hand. */
function verifies(secret, { headers, body }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
  return headers['webhook-signature'].split(' ').some((s) => Buffer.from(s).length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

async function until(check, what) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  receiver = await startReceiver();
  server = await startServer({ GATEHOUSE_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1', GATEHOUSE_WEBHOOK_POLL_INTERVAL_MS: '200' });
  browser = await launchBrowser();
  tenant = await createTenant(server.url, 'contoso');
  await tenant.asOperator('mutation { setTenantDevMode(slug:"contoso", enabled:true){ devMode } }');
  admin = await browser.newPage();
  await signIn(admin, server.url, tenant.admin);
});

after(async () => {
  try {
    await admin?.close();
    await browser?.close();
  } finally {
    receiver?.close();
    await server?.stop();
  }
});

describe('webhooks in the console', { concurrency: false }, () => {
  let secret;

  test('an endpoint is added and its signing secret is shown once', async () => {
    await admin.goto(server.url + '/webhooks');
    await admin.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await admin.getByLabel('Endpoint URL').fill(`http://127.0.0.1:${receiver.address().port}/gatehouse`);
    await admin.getByLabel('Description').fill('HR system sync');
    await admin.getByLabel('SCIM token created').check();
    await admin.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = admin.getByLabel('Signing secret', { exact: true });
    await shown.waitFor();
    secret = await shown.textContent();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    await admin.getByText('Enabled', { exact: true }).waitFor();
    await screenshot(admin, '60-webhook-endpoint-secret-once');
    await admin.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await admin.getByText(secret).count(), 0, 'the secret is gone once dismissed');
  });

  test('an event is delivered, signed, shows in the list and can be resent', async () => {
    await tenant.asOperator('mutation { createUser(input:{email:"ann@contoso.example.com", displayName:"Ann"}){ id } }');
    await until(() => received.length === 1, 'the first delivery');
    const first = received[0];
    assert.ok(verifies(secret, first), JSON.stringify(first.headers));
    const event = JSON.parse(first.body);
    assert.equal(event.type, 'user.created');
    assert.equal(event.data.object_after.email, 'ann@contoso.example.com');

    await admin.getByRole('button', { name: 'Refresh deliveries' }).click();
    await admin.getByRole('cell', { name: /user\.created/ }).first().waitFor();
    await admin.getByText('Delivered', { exact: true }).waitFor();
    await admin.getByText('HTTP 204').waitFor();
    await admin.getByRole('button', { name: `Resend user.created ${event.id}` }).click();
    await until(() => received.length === 2, 'the resent delivery');
    assert.equal(received[1].headers['webhook-id'], event.id, 'the same event again');
    assert.ok(verifies(secret, received[1]));
    await admin.getByRole('button', { name: 'Refresh deliveries' }).click();
    await until(async () => (await admin.getByText('Delivered', { exact: true }).count()) === 1, 'the list after the resend');
    await screenshot(admin, '61-webhook-delivery-resent');
  });
});

// Test support for the end-to-end tests: the real `gatehouse` binary on a fresh SQLite
// database and a free port, Debian's Chromium driven by playwright-core, and test
// certificates made with openssl.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots');
export const OPERATOR = { email: 'admin@gatehouse.local', password: 'operator-password-e2e' };

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitReady(url, child, log, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gatehouse exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gatehouse did not become ready in ${timeoutMs} ms:\n${log()}`);
}

/** A server must not outlive the test run, even when a test or a hook throws. */
function killOnExit(child) {
  const kill = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}

/** Starts gatehouse on a fresh database (`extraEnv` adds settings); `stop()` ends it and removes the folder. */
export async function startServer(extraEnv = {}) {
  const bin = process.env.GATEHOUSE_BIN ?? join(repoRoot, 'target', 'debug', 'gatehouse');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'gh.sqlite')}?mode=rwc`,
      GATEHOUSE_LISTEN: `127.0.0.1:${port}`,
      GATEHOUSE_PUBLIC_URL: url,
      GATEHOUSE_BOOTSTRAP_EMAIL: OPERATOR.email,
      GATEHOUSE_BOOTSTRAP_PASSWORD: OPERATOR.password,
      GATEHOUSE_LOG_FORMAT: 'text',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.on('error', (e) => (output += `\nspawn error: ${e.message}`));
  killOnExit(child);
  await waitReady(url, child, () => output);
  return {
    url,
    dir,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GraphQL client with its own cookie jar (no Origin header: not a browser). */
export function apiClient(url) {
  let cookie = '';
  return async function gql(query, variables = {}, headers = {}) {
    const r = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const set = r.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    const body = await r.json();
    if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

/** Signs in as the platform operator and creates a tenant with a known admin password. */
export async function createTenant(url, slug) {
  const gql = apiClient(url);
  await gql('mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { id } } }', {
    e: OPERATOR.email,
    p: OPERATOR.password,
  });
  const admin = { email: `admin@${slug}.example.com`, password: `admin-password-${slug}-e2e` };
  await gql(
    'mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }',
    { i: { slug, name: `${slug[0].toUpperCase()}${slug.slice(1)} Ltd`, adminEmail: admin.email, adminPassword: admin.password } },
  );
  /** Reads as the operator acting on this tenant. */
  const asOperator = (query, variables) => gql(query, variables, { 'x-gatehouse-tenant': slug });
  return { slug, admin, asOperator };
}

/** Test certificates, made fresh so they never expire under the tests. */
export function makeCertificates(dir) {
  const out = join(dir, 'certs');
  mkdirSync(out, { recursive: true });
  const make = (name, days, subject) => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days), '-subj', subject,
      '-keyout', join(out, `${name}.key`), '-out', join(out, `${name}.pem`),
    ], { stdio: 'ignore' });
    return join(out, `${name}.pem`);
  };
  const entraPem = make('entra', 1095, '/CN=Microsoft Azure Federated SSO Certificate');
  // Entra's "Certificate (Base64)" download is a .cer holding PEM text.
  const entraCer = join(out, 'Gatehouse.cer');
  writeFileSync(entraCer, readFileSync(entraPem));
  const fingerprint = execFileSync('openssl', ['x509', '-in', entraPem, '-noout', '-fingerprint', '-sha256'])
    .toString()
    .trim()
    .split('=')[1];
  const soonPem = make('soon', 30, '/O=Contoso/CN=Next Certificate');
  const soonDer = join(out, 'soon.der');
  execFileSync('openssl', ['x509', '-in', soonPem, '-outform', 'DER', '-out', soonDer]);
  const notACert = join(out, 'not-a-certificate.cer');
  writeFileSync(notACert, 'This is the federation metadata you asked for, not a certificate.\n');
  return { entraCer, fingerprint, soonDer, notACert, privateKey: join(out, 'entra.key') };
}

/** Debian's Chromium; each `newPage()` is a fresh context (own cookies), like a new browser profile. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    async newPage() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'en-GB',
        timezoneId: 'UTC',
      });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      // The context goes with its page; when the browser closes first, there is nothing left to close.
      page.on('close', () => void context.close().catch(() => undefined));
      return page;
    },
    close: () => browser.close(),
  };
}

const axeSource = readFileSync(join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core (every WCAG A/AA rule and axe's best practices) over the page as it is
 * now and fails on any violation, naming the rule and the elements. axe is evaluated
 * through the DevTools protocol, so the pages' CSP stays as strict as it is.
 */
export async function assertAccessible(page, name) {
  // A raw answer (JSON, plain text) shown by the browser is not one of our pages.
  if ((await page.evaluate(() => document.contentType)) !== 'text/html') return;
  await page.evaluate(`${axeSource}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`),
    }));
  });
  if (violations.length > 0) {
    const text = violations.map((v) => `${v.id} (${v.help}):\n  ${v.nodes.join('\n  ')}`).join('\n');
    throw new Error(`axe-core found ${violations.length} violation(s) on ${name} (${page.url()}):\n${text}`);
  }
}

/**
 * The whole page as laid out in a window tall enough to show it all, so sticky bars sit
 * where a reader expects them (a stitched full-page capture leaves them mid-page).
 * Every screenshot is also an accessibility check: axe-core must find nothing.
 */
export async function screenshot(page, name) {
  await assertAccessible(page, name);
  mkdirSync(screenshotDir, { recursive: true });
  const viewport = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  try {
    await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Signs in through the console's sign-in page. */
export async function signIn(page, url, { email, password }) {
  await page.goto(url + '/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The project's independent test IdP (tests/idp), with fresh keys, on a free port. */
export async function startIdp(dir, { issuer, spSlo }) {
  const keys = join(dir, 'idp-keys');
  execFileSync(join(repoRoot, 'tests', 'idp', 'make_keys.sh'), [keys], { stdio: 'ignore' });
  const child = spawn(
    'python3',
    [
      join(repoRoot, 'tests', 'idp', 'test_idp.py'),
      '--port', '0',
      '--issuer', issuer,
      '--key', join(keys, 'idp.key'),
      '--cert', join(keys, 'idp.crt'),
      '--alt-key', join(keys, 'alt.key'),
      '--alt-cert', join(keys, 'alt.crt'),
      '--sp-slo', spSlo,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  killOnExit(child);
  const url = await new Promise((res, rej) => {
    let out = '';
    const t = setTimeout(() => rej(new Error(`test IdP did not start:\n${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (\S+)/);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    });
    child.on('exit', (code) => rej(new Error(`test IdP exited with ${code}:\n${err}`)));
  });
  return {
    url,
    certificate: join(keys, 'idp.crt'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { daysUntil, parseCertificateBytes, parseCertificateText } from '../src/lib/certificate';
import { fingerprint, sha256 } from '../src/lib/sha256';

const fixture = (name: string) => new Uint8Array(readFileSync(join(__dirname, 'fixtures', name)));
const text = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
// The fixtures are valid 2026-11-26 … 2036-11-23; parse them as of a fixed day.
const NOW = new Date('2027-01-01T00:00:00Z');
const ENTRA_FINGERPRINT =
  'DE:CE:7D:22:FE:00:6D:FA:DD:AA:2B:E1:DC:AF:15:B5:6B:0C:D2:87:75:5A:AD:1C:DC:06:88:4E:44:61:A3:8B';

describe('sha256', () => {
  test('matches the FIPS 180-4 examples', () => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});

describe('parsing an uploaded certificate', () => {
  test.each([
    ['PEM (.pem)', 'entra.pem'],
    ['binary DER (.der)', 'entra.der'],
    ["bare Base64 (Entra's Certificate (Base64) .cer)", 'entra-base64.cer'],
  ])('reads %s', (_, file) => {
    const result = parseCertificateBytes(fixture(file), NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.certificate.subject).toBe('CN=Microsoft Azure Federated SSO Certificate');
    expect(result.certificate.fingerprintSha256).toBe(ENTRA_FINGERPRINT);
    expect(result.certificate.notBefore.toISOString()).toBe('2026-11-26T18:30:16.000Z');
    expect(result.certificate.notAfter.toISOString()).toBe('2036-11-23T18:30:16.000Z');
    expect(result.certificate.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  });

  test('renders names like the server (most specific first, escaped, UTF-8)', () => {
    const result = parseCertificateText(text('utf8.pem'), NOW);
    expect(result).toMatchObject({ ok: true, certificate: { subject: 'CN=idp.example.ch, O=Grüezi AG\\, Test, L=Zürich, C=CH' } });
    if (result.ok) {
      expect(result.certificate.fingerprintSha256).toBe(
        'FF:4F:D4:29:B3:77:06:31:5F:7B:70:8A:8C:37:ED:4C:F2:F8:85:42:8F:25:43:BC:70:5D:1E:11:B7:BE:1A:76',
      );
    }
  });

  test('the PEM we send is the same certificate', () => {
    const result = parseCertificateBytes(fixture('entra.der'), NOW);
    if (!result.ok) throw new Error(result.error);
    const again = parseCertificateText(result.certificate.pem, NOW);
    expect(again.ok && again.certificate.fingerprintSha256).toBe(ENTRA_FINGERPRINT);
  });

  test.each([
    ['a private key', 'test-private-key.pem', /private key, not a certificate/],
    ['a certificate signing request', 'request.csr', /certificate signing request/],
    ['two certificates at once', 'two.pem', /holds 2 certificates; upload exactly one/],
  ])('refuses %s with a clear reason', (_, file, message) => {
    const result = parseCertificateBytes(fixture(file), NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  test('refuses text that is not a certificate', () => {
    for (const input of ['hello world', '<EntityDescriptor/>', '   ']) {
      const result = parseCertificateText(input, NOW);
      expect(result.ok).toBe(false);
    }
    expect(parseCertificateText('hello world', NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/not a certificate/) });
    expect(parseCertificateText('', NOW)).toMatchObject({ ok: false, error: 'The certificate is empty.' });
  });

  test('refuses a damaged certificate', () => {
    const der = fixture('entra.der');
    const truncated = der.subarray(0, der.length - 40);
    expect(parseCertificateBytes(truncated, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/damaged/) });
    const pem = text('entra.pem').replace('-----\nMII', '-----\nAAA');
    expect(parseCertificateText(pem, NOW).ok).toBe(false);
  });

  test('refuses trailing data after the certificate', () => {
    const der = fixture('entra.der');
    const padded = new Uint8Array([...der, 0x00, 0x01]);
    expect(parseCertificateBytes(padded, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/extra data/) });
  });

  test('refuses an expired certificate, saying when it expired', () => {
    const result = parseCertificateText(text('entra.pem'), new Date('2037-01-01T00:00:00Z'));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/expired on 2036-11-23/) });
  });

  test('days until expiry', () => {
    expect(daysUntil('2027-01-31T00:00:00Z', NOW)).toBe(30);
    expect(daysUntil('2026-12-31T00:00:00Z', NOW)).toBe(-1);
  });

  test('fingerprint format', () => {
    expect(fingerprint(new Uint8Array([1, 2, 3]))).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

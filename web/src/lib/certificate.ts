// Reads an IdP signing certificate in the browser, the way the server will: PEM, the bare
// Base64 of Entra's "Certificate (Base64)" download, or a binary DER file. The preview
// (subject, fingerprint, validity) lets the admin check it before saving; the server
// parses it again and has the last word.
import { fingerprint } from './sha256';

export interface ParsedCertificate {
  /** What is sent to `addIdpCertificate`: the certificate as PEM. */
  pem: string;
  subject: string;
  issuer: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

export type CertificateResult = { ok: true; certificate: ParsedCertificate } | { ok: false; error: string };

const MESSAGES = {
  empty: 'The certificate is empty.',
  notCertificate:
    'This is not a certificate. Upload the signing certificate from your IdP: PEM text (-----BEGIN CERTIFICATE-----), the Base64 certificate download, or a binary .der/.cer file.',
  malformed: 'The certificate is damaged and cannot be read. Download it from your IdP again.',
  privateKey:
    'This is a private key, not a certificate. A private key must never be uploaded (treat it as compromised if it left the identity provider). Upload the IdP\u2019s public signing certificate instead.',
  request: 'This is a certificate signing request (CSR), not a certificate. Upload the IdP\u2019s signing certificate.',
  trailing: 'The certificate is followed by unexpected extra data.',
};

class CertificateError extends Error {}

// --- DER -------------------------------------------------------------------------------

interface Tlv {
  tag: number;
  /** Offset of the value. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new CertificateError(MESSAGES.malformed);
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new CertificateError(MESSAGES.malformed);
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new CertificateError(MESSAGES.malformed);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new CertificateError(MESSAGES.malformed);
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const child = readTlv(der, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

function oid(der: Uint8Array, t: Tlv): string {
  const bytes = der.subarray(t.start, t.end);
  if (bytes.length === 0) throw new CertificateError(MESSAGES.malformed);
  const parts = [Math.min(2, Math.floor(bytes[0] / 40)), bytes[0] - Math.min(2, Math.floor(bytes[0] / 40)) * 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.9': 'street',
  '2.5.4.17': 'postalCode',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function decodeString(der: Uint8Array, t: Tlv): string {
  const bytes = der.subarray(t.start, t.end);
  switch (t.tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8').decode(bytes);
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return s;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        s += String.fromCodePoint(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
      }
      return s;
    }
    default: // PrintableString, IA5String, T61String, …
      return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
  }
}

function escapeDnValue(value: string): string {
  let out = '';
  Array.from(value).forEach((c, i) => {
    if ((i === 0 && (c === ' ' || c === '#')) || ',+"\\<>;='.includes(c)) out += '\\';
    out += c;
  });
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

/** RFC 4514 style, most specific first (`CN=…, O=…, C=…`), as the server shows it. */
function distinguishedName(der: Uint8Array, name: Tlv): string {
  if (name.tag !== 0x30) throw new CertificateError(MESSAGES.malformed);
  const parts: string[] = [];
  for (const rdn of children(der, name)) {
    if (rdn.tag !== 0x31) throw new CertificateError(MESSAGES.malformed);
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (!type || !value || type.tag !== 0x06) throw new CertificateError(MESSAGES.malformed);
      const key = oid(der, type);
      parts.push(`${NAMES[key] ?? key}=${escapeDnValue(decodeString(der, value))}`);
    }
  }
  return parts.reverse().join(', ');
}

function time(der: Uint8Array, t: Tlv): Date {
  const s = new TextDecoder('ascii').decode(der.subarray(t.start, t.end));
  let m: RegExpMatchArray | null;
  let year: number;
  if (t.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/))) {
    year = Number(m[1]);
  } else {
    throw new CertificateError(MESSAGES.malformed);
  }
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

function parseDer(der: Uint8Array): Omit<ParsedCertificate, 'pem'> {
  if (der[0] !== 0x30) throw new CertificateError(MESSAGES.notCertificate);
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new CertificateError(MESSAGES.notCertificate);
  const parts = children(der, outer);
  // PKCS#1 and PKCS#8 private keys both start with a version INTEGER.
  if (parts[0]?.tag === 0x02) throw new CertificateError(MESSAGES.privateKey);
  if (parts.length !== 3 || parts[0].tag !== 0x30 || parts[1].tag !== 0x30 || parts[2].tag !== 0x03) {
    throw new CertificateError(MESSAGES.malformed);
  }
  const tbs = children(der, parts[0]);
  // A CSR's info is version, subject, key, [0] attributes — no validity.
  if (tbs.length === 4 && tbs[0].tag === 0x02 && tbs[3].tag === 0xa0) throw new CertificateError(MESSAGES.request);
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
  const [serial, , issuer, validity, subject] = fields;
  if (!serial || serial.tag !== 0x02 || !validity || validity.tag !== 0x30 || !subject) {
    throw new CertificateError(MESSAGES.malformed);
  }
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new CertificateError(MESSAGES.malformed);
  if (outer.end !== der.length) throw new CertificateError(MESSAGES.trailing);
  return {
    subject: distinguishedName(der, subject),
    issuer: distinguishedName(der, issuer),
    fingerprintSha256: fingerprint(der),
    notBefore: time(der, notBefore),
    notAfter: time(der, notAfter),
  };
}

// --- Text forms ------------------------------------------------------------------------

function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  try {
    const binary = atob(compact);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function toPem(der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function decodePem(text: string): Uint8Array {
  const certificates: Uint8Array[] = [];
  const block = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END \1-----/g;
  let found = false;
  for (const m of text.matchAll(block)) {
    found = true;
    const label = m[1].trim();
    if (label.includes('PRIVATE KEY')) throw new CertificateError(MESSAGES.privateKey);
    if (label === 'CERTIFICATE REQUEST' || label === 'NEW CERTIFICATE REQUEST') throw new CertificateError(MESSAGES.request);
    if (!['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'].includes(label)) {
      throw new CertificateError(`This holds a PEM \u201c${label}\u201d block, not a certificate.`);
    }
    const der = decodeBase64(m[2]);
    if (!der) throw new CertificateError(MESSAGES.malformed);
    certificates.push(der);
  }
  if (!found) throw new CertificateError(/-----BEGIN /.test(text) ? MESSAGES.malformed : MESSAGES.notCertificate);
  if (certificates.length > 1) {
    throw new CertificateError(
      `This holds ${certificates.length} certificates; upload exactly one signing certificate at a time (add each one separately during a rollover).`,
    );
  }
  return certificates[0];
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Parses an upload's bytes (a file) — DER, PEM or Base64. */
export function parseCertificateBytes(input: Uint8Array, now = new Date()): CertificateResult {
  try {
    let bytes = input;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.length > 0 && bytes[0] === 0x30 && !isUtf8(bytes)) return finish(bytes, now);
    if (!isUtf8(bytes)) throw new CertificateError(MESSAGES.notCertificate);
    return parseCertificateText(new TextDecoder('utf-8').decode(bytes), now);
  } catch (e) {
    return failure(e);
  }
}

/** Parses pasted text — PEM or Base64. */
export function parseCertificateText(input: string, now = new Date()): CertificateResult {
  try {
    const text = input.replace(/^\uFEFF/, '').trim();
    if (!text) throw new CertificateError(MESSAGES.empty);
    if (text.includes('-----BEGIN ')) return finish(decodePem(text), now);
    const der = decodeBase64(text);
    if (!der) throw new CertificateError(MESSAGES.notCertificate);
    return finish(der, now);
  } catch (e) {
    return failure(e);
  }
}

function finish(der: Uint8Array, now: Date): CertificateResult {
  if (der.length === 0) throw new CertificateError(MESSAGES.empty);
  const parsed = parseDer(der);
  if (parsed.notAfter <= now) {
    throw new CertificateError(
      `This certificate expired on ${parsed.notAfter.toISOString().slice(0, 10)}; download the current one from your IdP.`,
    );
  }
  return { ok: true, certificate: { ...parsed, pem: toPem(der) } };
}

function failure(e: unknown): CertificateResult {
  if (e instanceof CertificateError) return { ok: false, error: e.message };
  return { ok: false, error: MESSAGES.malformed };
}

export async function readCertificateFile(file: File, now = new Date()): Promise<CertificateResult> {
  if (file.size > 64 * 1024) {
    return { ok: false, error: 'This file is too large to be a certificate (more than 64 KB).' };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  return parseCertificateBytes(bytes, now);
}

const DAY = 24 * 60 * 60 * 1000;

/** Whole days until `notAfter` (negative once expired). */
export function daysUntil(notAfter: Date | string, now = new Date()): number {
  return Math.floor((new Date(notAfter).getTime() - now.getTime()) / DAY);
}

/** The threshold the server uses for `expiresSoon`. */
export const EXPIRY_WARNING_DAYS = 60;

// Uploading, previewing and listing IdP signing certificates.
import { useId, useRef, useState } from 'react';
import {
  EXPIRY_WARNING_DAYS,
  daysUntil,
  parseCertificateText,
  readCertificateFile,
  type ParsedCertificate,
} from '../lib/certificate';
import { formatDate } from '../lib/format';

export const CERTIFICATE_ACCEPT = '.cer,.pem,.crt,.der,application/x-x509-ca-cert,application/pkix-cert';

/** File picker (or pasted text) → parsed certificate, or a plain-words error. */
export function CertificateUpload({
  onParsed,
  error,
  hint,
}: {
  /** Takes the certificate, or answers why not (shown as the upload's error). */
  onParsed: (certificate: ParsedCertificate) => string | void;
  /** An error from the server about the upload, shown like our own. */
  error?: string;
  hint?: string;
}) {
  const id = useId();
  const [mode, setMode] = useState<'file' | 'paste'>('file');
  const [text, setText] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const shownError = localError ?? error;
  const errorId = `${id}-error`;

  const accept = (result: Awaited<ReturnType<typeof readCertificateFile>>) => {
    if (result.ok) {
      const problem = onParsed(result.certificate);
      setLocalError(problem || null);
      if (!problem) setText('');
    } else {
      setLocalError(result.error);
    }
  };

  return (
    <div className={shownError ? 'field certificate-upload has-error' : 'field certificate-upload'}>
      {mode === 'file' ? (
        <>
          <label htmlFor={`${id}-file`}>Upload a certificate</label>
          <input
            ref={fileInput}
            id={`${id}-file`}
            type="file"
            accept={CERTIFICATE_ACCEPT}
            aria-invalid={shownError ? true : undefined}
            aria-describedby={shownError ? errorId : `${id}-hint`}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              accept(await readCertificateFile(file));
              // Let the same file be picked again after a fix.
              if (fileInput.current) fileInput.current.value = '';
            }}
          />
        </>
      ) : (
        <>
          <label htmlFor={`${id}-text`}>Paste a certificate (PEM or Base64)</label>
          <textarea
            id={`${id}-text`}
            rows={6}
            spellCheck={false}
            value={text}
            placeholder={'-----BEGIN CERTIFICATE-----\nMIIC8DCCAdigAwIBAgIQ…\n-----END CERTIFICATE-----'}
            aria-invalid={shownError ? true : undefined}
            aria-describedby={shownError ? errorId : `${id}-hint`}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="button" onClick={() => accept(parseCertificateText(text))} disabled={!text.trim()}>
            Add pasted certificate
          </button>
        </>
      )}
      {shownError && (
        <p id={errorId} className="field-error" role="alert">
          {shownError}
        </p>
      )}
      <p id={`${id}-hint`} className="hint">
        {hint ? `${hint} ` : ''}Accepted: .cer, .pem, .crt (Base64/PEM) or .der (binary).{' '}
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === 'file' ? 'paste' : 'file');
            setLocalError(null);
          }}
        >
          {mode === 'file' ? 'Paste the certificate text instead' : 'Choose a file instead'}
        </button>
      </p>
    </div>
  );
}

export interface CertificateView {
  subject: string;
  issuer: string;
  fingerprintSha256: string;
  notBefore: string | Date;
  notAfter: string | Date;
}

/** Subject, fingerprint and validity, with the rollover warning. */
export function CertificateDetails({ certificate, now = new Date() }: { certificate: CertificateView; now?: Date }) {
  const days = daysUntil(certificate.notAfter, now);
  const notYetValid = new Date(certificate.notBefore) > now;
  return (
    <>
      <dl className="cert-details">
        <div>
          <dt>Subject</dt>
          <dd>{certificate.subject || '(empty)'}</dd>
        </div>
        {certificate.issuer !== certificate.subject && (
          <div>
            <dt>Issuer</dt>
            <dd>{certificate.issuer}</dd>
          </div>
        )}
        <div>
          <dt>SHA-256 fingerprint</dt>
          <dd className="fingerprint">{certificate.fingerprintSha256}</dd>
        </div>
        <div>
          <dt>Valid</dt>
          <dd>
            {formatDate(certificate.notBefore)} – {formatDate(certificate.notAfter)}
          </dd>
        </div>
      </dl>
      {days < 0 ? (
        <p className="cert-warning expired">Expired on {formatDate(certificate.notAfter)}: sign-ins signed with it are refused.</p>
      ) : days < EXPIRY_WARNING_DAYS ? (
        <p className="cert-warning">
          Expires in {days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`}: upload your IdP&rsquo;s next
          certificate now, keep both until the IdP has switched, then remove this one.
        </p>
      ) : null}
      {notYetValid && (
        <p className="cert-warning">Not valid until {formatDate(certificate.notBefore)}: it is used from then on.</p>
      )}
    </>
  );
}

// The certificate section of Identity Management (issue 12): the IdP metadata URL and its
// refreshes, certificates staged from new metadata (promote with one action), what the
// sign-in log says about each trusted certificate ("safe to remove"), and the
// "refuse expired certificates" setting. Plus the expiry banner the shell shows on every page.
import { useEffect, useState } from 'react';
import { asApiError, useQuery } from '../api/hooks';
import { gql, type ApiError } from '../api/client';
import {
  CertificateRolloverQuery,
  CertificateWarningsQuery,
  DismissStagedCertificateMutation,
  PromoteStagedCertificateMutation,
  RefreshIdpMetadataMutation,
  RemoveTrustedCertificateMutation,
  SetIdpMetadataUrlMutation,
  SetRefuseExpiredCertificatesMutation,
} from '../api/certificates';
import { formatDate, formatDateTime } from '../lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { CheckboxField, TextField } from './Field';
import { Banner, ErrorBanner, Loading } from './States';
import { Link } from '../router';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Told to this section and the expiry banner whenever the certificates changed. */
const CHANGED = 'gatehouse:certificates-changed';

/** Call after saving anything that changes the IdP certificates (the SSO page's Save). */
export function notifyCertificatesChanged() {
  window.dispatchEvent(new Event(CHANGED));
}

/** Reloads `reload` whenever the certificates changed elsewhere on the page. */
function useReloadOnChange(reload: () => Promise<void>) {
  useEffect(() => {
    const again = () => void reload();
    window.addEventListener(CHANGED, again);
    return () => window.removeEventListener(CHANGED, again);
  }, [reload]);
}

export function CertificateRollover({ onChanged }: { onChanged?: () => Promise<void> | void }) {
  const query = useQuery(CertificateRolloverQuery, {});
  useReloadOnChange(query.reload);
  const conn = query.data?.ssoConnection;
  const [url, setUrl] = useState<string | null>(null);
  const [autoPromote, setAutoPromote] = useState<boolean | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<{ id: string; subject: string; recent: number } | null>(null);

  if (!conn) {
    return query.error ? <ErrorBanner error={query.error} onRetry={() => void query.reload()} /> : <Loading what="certificates" />;
  }
  const status = conn.metadataStatus;
  const shownUrl = url ?? status.url ?? '';
  const shownAuto = autoPromote ?? status.autoPromote;
  const urlError = error?.fieldMessage('metadataUrl');

  const run = async (what: string, action: () => Promise<unknown>, done?: string) => {
    setBusy(what);
    setError(undefined);
    setNotice(null);
    try {
      await action();
      notifyCertificatesChanged();
      await onChanged?.();
      if (done) setNotice(done);
      return true;
    } catch (e) {
      setError(asApiError(e));
      return false;
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card cert-rollover" aria-labelledby="rollover-heading">
      <h2 id="rollover-heading">Certificate rollover</h2>
      <p className="hint">
        Give Gatehouse your IdP&rsquo;s federation metadata URL (Entra: <em>App Federation Metadata Url</em>) and it
        checks it regularly: when the IdP publishes a new signing certificate, it appears below before the IdP starts
        using it, so a rollover never locks anyone out.
      </p>
      <p className="hint">
        Promoting a certificate, the metadata URL and the expired-certificate rule take effect at once (they are what
        keeps a rollover from becoming an outage) and each is kept in the history as a new published version. Removing
        a certificate while SSO is on changes the draft, like any other edit.
      </p>
      {notice && <Banner kind="success">{notice}</Banner>}
      {error && !urlError && <ErrorBanner error={error} />}
      <TextField
        label="Federation metadata URL"
        optional
        type="url"
        inputMode="url"
        spellCheck={false}
        value={shownUrl}
        placeholder="https://login.microsoftonline.com/<tenant-id>/federationmetadata/2007-06/federationmetadata.xml?appid=<app-id>"
        onChange={(e) => setUrl(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.preventDefault();
        }}
        error={urlError}
        hint="Fetched when you save it, then about every 12 hours (sooner if the metadata asks). A fetch that fails never changes your settings."
      />
      <CheckboxField
        label="Trust new certificates from this URL automatically"
        checked={shownAuto}
        onChange={(e) => setAutoPromote(e.target.checked)}
        hint="Off: a new certificate is staged until you promote it here. On: it is trusted as soon as the metadata lists it."
      />
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() =>
            void run(
              'save',
              () => gql(SetIdpMetadataUrlMutation, { url: shownUrl.trim() || null, autoPromote: shownAuto }),
              shownUrl.trim() ? 'Metadata fetched and saved.' : 'Metadata URL removed.',
            ).then((ok) => ok && (setUrl(null), setAutoPromote(null)))
          }
        >
          {busy === 'save' ? 'Fetching…' : 'Save metadata URL'}
        </button>
        {status.url && (
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void run('refresh', () => gql(RefreshIdpMetadataMutation, {}))}
          >
            {busy === 'refresh' ? 'Fetching…' : 'Refresh now'}
          </button>
        )}
      </div>
      {status.url && (
        <dl className="metadata-status">
          <div>
            <dt>Last fetched</dt>
            <dd>{status.lastSuccessAt ? formatDateTime(status.lastSuccessAt) : 'never'}</dd>
          </div>
          <div>
            <dt>Next check</dt>
            <dd>{status.nextFetchAt ? formatDateTime(status.nextFetchAt) : '—'}</dd>
          </div>
          {status.lastError && (
            <div className="metadata-error">
              <dt>Last attempt failed</dt>
              <dd>
                <span role="alert">
                  {status.lastError} ({formatDateTime(status.lastAttemptAt)}; {plural(status.failures, 'failure', 'failures')}{' '}
                  in a row, retried with back-off). Your settings were left as they were.
                </span>
              </dd>
            </div>
          )}
        </dl>
      )}

      <h3 id="staged-heading">New certificates from the IdP</h3>
      {conn.stagedCertificates.length === 0 ? (
        <p className="hint">None staged.</p>
      ) : (
        <ul className="cert-list" aria-labelledby="staged-heading">
          {conn.stagedCertificates.map((s) => (
            <li key={s.id} className="cert staged">
              <div className="cert-head">
                <span className="badge badge-info">Staged</span>
                <strong>{s.subject}</strong>
              </div>
              <p className="fingerprint">{s.fingerprintSha256}</p>
              <p>
                Valid {formatDate(s.notBefore)} – {formatDate(s.notAfter)}; found in the metadata {formatDateTime(s.firstSeenAt)}.
              </p>
              {s.signInsSeen > 0 ? (
                <p className="cert-warning" role="status">
                  Your IdP has started signing with this certificate: {plural(s.signInsSeen, 'sign-in was', 'sign-ins were')}{' '}
                  refused because it is not trusted yet (last {formatDateTime(s.lastSeenAt)}). Promote it now.
                </p>
              ) : (
                <p className="hint">The IdP has not signed with it yet. Promote it before the IdP switches.</p>
              )}
              <div className="button-row">
                <button
                  type="button"
                  className="primary"
                  disabled={busy !== null}
                  onClick={() => void run(`promote-${s.id}`, () => gql(PromoteStagedCertificateMutation, { id: s.id }), `Promoted: ${s.subject} is now trusted.`)}
                >
                  Promote {s.subject}
                </button>
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => void run(`dismiss-${s.id}`, () => gql(DismissStagedCertificateMutation, { id: s.id }))}
                >
                  Dismiss
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <h3 id="usage-heading">Sign-ins per trusted certificate</h3>
      <div className="cert-usage-scroll">
        <table className="cert-usage" aria-labelledby="usage-heading">
          <thead>
            <tr>
              <th scope="col">Certificate</th>
              <th scope="col">Expires</th>
              <th scope="col">Last verified sign-in</th>
              <th scope="col">Sign-ins, last 30 days</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {conn.certificates.map((c) => (
              <tr key={c.id}>
                <td>
                  {c.subject}
                  {c.usage.expiredSignIns > 0 && (
                    <span className="badge badge-warning">
                      {plural(c.usage.expiredSignIns, 'sign-in', 'sign-ins')} after it expired
                    </span>
                  )}
                </td>
                <td>{formatDate(c.notAfter)}</td>
                <td>{c.usage.lastVerifiedAt ? formatDateTime(c.usage.lastVerifiedAt) : 'never'}</td>
                <td>
                  {c.usage.signInsLast30Days === 0 && conn.certificates.length > 1 ? (
                    <span className="badge badge-info">0 — not used in 30 days</span>
                  ) : (
                    c.usage.signInsLast30Days
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    disabled={busy !== null}
                    aria-label={`Remove ${c.subject} now`}
                    onClick={() => setConfirmRemove({ id: c.id, subject: c.subject, recent: c.usage.signInsLast30Days })}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {conn.certificates.length === 0 && (
              <tr>
                <td colSpan={5}>No trusted certificate yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <CheckboxField
        label="Refuse sign-ins signed with an expired certificate"
        checked={conn.refuseExpiredCertificates}
        disabled={busy !== null}
        onChange={(e) =>
          void run('refuse', () => gql(SetRefuseExpiredCertificatesMutation, { refuse: e.target.checked }))
        }
        hint="Off (the default): such sign-ins go through and are marked in the sign-in log, because Entra keeps signing with its old key until its admin switches."
      />

      {confirmRemove && (
        <ConfirmDialog
          title={`Remove ${confirmRemove.subject}?`}
          confirmLabel="Remove certificate"
          danger
          busy={busy === 'remove'}
          error={error?.message}
          onCancel={() => {
            setConfirmRemove(null);
            setError(undefined);
          }}
          onConfirm={() =>
            void run(
              'remove',
              () => gql(RemoveTrustedCertificateMutation, { id: confirmRemove.id }),
              conn.enabled
                ? 'Certificate removed from the draft: test and publish the draft to stop trusting it.'
                : 'Certificate removed.',
            ).then(
              (ok) => ok && setConfirmRemove(null),
            )
          }
        >
          {confirmRemove.recent > 0 ? (
            <p>
              This certificate verified {plural(confirmRemove.recent, 'sign-in', 'sign-ins')} in the last 30 days. If your
              IdP still signs with it, those users will be refused.
            </p>
          ) : (
            <p>No sign-in used this certificate in the last 30 days.</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The shell's banner for admins: IdP certificates at 60, 30 and 7 days before their end. */
export function CertificateExpiryBanner() {
  const query = useQuery(CertificateWarningsQuery, {});
  useReloadOnChange(query.reload);
  const warnings = (query.data?.certificateWarnings ?? []).filter((w) => !w.covered);
  if (warnings.length === 0) return null;
  const w = warnings[0];
  const when =
    w.daysLeft < 0
      ? `expired on ${formatDate(w.notAfter)}`
      : `expires in ${plural(Math.max(w.daysLeft, 0), 'day', 'days')} (${formatDate(w.notAfter)})`;
  return (
    <div className="expiry-banner">
      <Banner kind={w.thresholdDays <= 7 ? 'error' : 'warning'}>
        <span>
          Your IdP signing certificate {w.subject} {when}, and no other trusted certificate takes over.{' '}
          <Link to="/identity">Add the IdP&rsquo;s new certificate</Link> before then, or SSO sign-ins will fail.
        </span>
      </Banner>
    </div>
  );
}

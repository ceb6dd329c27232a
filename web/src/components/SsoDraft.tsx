// The draft of the SSO settings (issue 13): the banner that says there are unpublished
// changes, what they change, whether they were tested, and Publish / Discard. Publishing
// an untested draft, or one whose last test failed, asks first and says which.
import { useState } from 'react';
import { gql } from '../api/client';
import { asApiError } from '../api/hooks';
import { DiscardSsoDraftMutation, PublishSsoDraftMutation } from '../api/operations';
import type { SsoDraftFieldsFragment } from '../gql/graphql';
import { formatDateTime } from '../lib/format';
import { ConfirmDialog } from './ConfirmDialog';

/** Setting names as the console labels them. */
export const SETTING_LABELS: Record<string, string> = {
  enabled: 'Single Sign On (SSO)',
  provider: 'Identity provider',
  loginUrl: 'IDP Login URL',
  issuer: 'IDP Issuer URL/URN',
  logoutUrl: 'IDP Logout URL',
  loginPolicy: 'Login policy',
  allowIdpInitiated: 'Allow IdP-initiated sign-in',
  jitProvisioning: 'Create users at their first SSO sign-in',
  metadataUrl: 'Metadata URL',
  metadataAutoPromote: 'Trust new metadata certificates at once',
  refuseExpiredCertificates: 'Refuse expired certificates',
  certificates: 'Certificates',
};

export interface SettingChange {
  field: string;
  before?: string | null;
  after?: string | null;
}

/** A before/after table of changed settings. */
export function ChangesTable({ changes, caption }: { changes: SettingChange[]; caption: string }) {
  if (changes.length === 0) return <p className="hint">No differences.</p>;
  return (
    <table className="diff-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field}>
            <th scope="row">{SETTING_LABELS[c.field] ?? c.field}</th>
            <td className="diff-before">{c.before ?? <em>(empty)</em>}</td>
            <td className="diff-after">{c.after ?? <em>(empty)</em>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Why publishing needs a confirmation, or null when the draft's last test passed. */
export function untestedFact(draft: SsoDraftFieldsFragment): string | null {
  const t = draft.lastTest;
  if (!t) return 'These changes have not been tested with Test SSO.';
  if (!t.success) return `The last Test SSO of these changes failed (${formatDateTime(t.at)}, by ${t.by}): ${t.detail}`;
  return null;
}

export function DraftBanner({
  draft,
  onChanged,
  onTest,
}: {
  draft: SsoDraftFieldsFragment;
  onChanged: () => void;
  onTest: () => void;
}) {
  const [confirm, setConfirm] = useState<'publish' | 'discard' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const fact = untestedFact(draft);

  const act = async (what: 'publish' | 'discard', confirmUntested: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (what === 'publish') {
        await gql(PublishSsoDraftMutation, { expectedRevision: draft.revision, confirmUntested });
      } else {
        await gql(DiscardSsoDraftMutation, { expectedRevision: draft.revision });
      }
      setConfirm(null);
      onChanged();
    } catch (e) {
      const err = asApiError(e);
      setError(err.fields[0]?.message ?? err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card draft-banner" aria-labelledby="draft-heading">
      <h2 id="draft-heading">You have unpublished changes</h2>
      <p>
        Users still sign in with the published settings. Saved as a draft by {draft.updatedBy} on{' '}
        {formatDateTime(draft.updatedAt)} (revision {draft.revision}).
      </p>
      {draft.lastTest ? (
        <p className={draft.lastTest.success ? 'test-ok' : 'test-failed'} role="status">
          {draft.lastTest.success ? 'Last test passed' : 'Last test failed'} — {formatDateTime(draft.lastTest.at)} by{' '}
          {draft.lastTest.by}. {draft.lastTest.success ? '' : draft.lastTest.detail}
        </p>
      ) : (
        <p className="test-none" role="status">
          Not tested yet: run Test SSO to try these changes before users get them.
        </p>
      )}
      <ChangesTable changes={draft.changes} caption="What publishing changes" />
      {error && !confirm && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="button" onClick={onTest}>
          Test draft
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => (fact ? setConfirm('publish') : void act('publish', false))}
        >
          Publish
        </button>
        <button type="button" disabled={busy} onClick={() => setConfirm('discard')}>
          Discard draft
        </button>
      </div>
      {confirm === 'publish' && fact && (
        <ConfirmDialog
          title="Publish untested changes?"
          confirmLabel="Publish anyway"
          danger
          busy={busy}
          error={error}
          onCancel={() => setConfirm(null)}
          onConfirm={() => void act('publish', true)}
        >
          <p>{fact}</p>
          <p>Once published, every sign-in uses these settings. If they are wrong, your users cannot sign in with SSO.</p>
        </ConfirmDialog>
      )}
      {confirm === 'discard' && (
        <ConfirmDialog
          title="Discard the draft?"
          confirmLabel="Discard draft"
          danger
          busy={busy}
          error={error}
          onCancel={() => setConfirm(null)}
          onConfirm={() => void act('discard', false)}
        >
          <p>The unpublished changes are thrown away. The published settings stay as they are.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

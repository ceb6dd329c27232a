// The history of the published SSO settings (issue 13): each version with who published it
// and when, the difference between any two, and "Roll back to this" (which publishes the old
// version again as a new one, certificates included).
import { useState } from 'react';
import { gql } from '../api/client';
import { asApiError, useQuery } from '../api/hooks';
import { RollbackSsoSettingsMutation, SsoSettingsDiffQuery, SsoSettingsHistoryQuery } from '../api/operations';
import type { SsoPublishAction } from '../gql/graphql';
import { formatDateTime } from '../lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { ChangesTable } from './SsoDraft';
import { ErrorBanner, Loading } from './States';

const ACTIONS: Record<SsoPublishAction, string> = {
  PUBLISH: 'Draft published',
  ROLLBACK: 'Rolled back',
  SAVE: 'Saved and published',
  BASELINE: 'Before the history',
  PROMOTE_CERTIFICATE: 'Staged certificate promoted',
  METADATA: 'Metadata URL applied',
  REFUSE_EXPIRED: 'Expired-certificate rule changed',
};

/** Remount it (a new `key`) to read the history again after a publish. */
export function SsoHistory({ onChanged }: { onChanged: () => void }) {
  const history = useQuery(SsoSettingsHistoryQuery, {});
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [rollback, setRollback] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const versions = history.data?.ssoSettingsHistory ?? [];
  const current = history.data?.ssoConnection.version;
  const a = from ?? versions[1]?.version ?? null;
  const b = to ?? versions[0]?.version ?? null;
  const diff = useQuery(
    SsoSettingsDiffQuery,
    { from: { kind: 'VERSION', version: a }, to: { kind: 'VERSION', version: b } },
    { skip: a === null || b === null },
  );

  const roll = async (version: number) => {
    setBusy(true);
    setError(undefined);
    try {
      await gql(RollbackSsoSettingsMutation, { version, expectedVersion: current });
      setRollback(null);
      setFrom(null);
      setTo(null);
      onChanged();
    } catch (e) {
      const err = asApiError(e);
      setError(err.fields[0]?.message ?? err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <p className="hint">Every published version of these settings (the last 50). Pick two to compare them.</p>
      {history.error && <ErrorBanner error={history.error} onRetry={() => void history.reload()} />}
      {!history.data && !history.error && <Loading what="the history" />}
      {history.data && versions.length === 0 && <p className="hint">Nothing published yet.</p>}
      {versions.length > 0 && (
        <table className="history-table">
          <caption className="visually-hidden">Published versions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">What</th>
              <th scope="col">By</th>
              <th scope="col">When</th>
              <th scope="col">Compare from</th>
              <th scope="col">Compare to</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>
                  {v.version}
                  {v.version === current && <span className="badge badge-ok">Live</span>}
                </td>
                <td>
                  {ACTIONS[v.action]}
                  {v.restoredFrom != null && ` (version ${v.restoredFrom})`}
                </td>
                <td>{v.publishedBy}</td>
                <td>{formatDateTime(v.publishedAt)}</td>
                <td>
                  <input
                    type="radio"
                    name="diff-from"
                    aria-label={`Compare from version ${v.version}`}
                    checked={a === v.version}
                    onChange={() => setFrom(v.version)}
                  />
                </td>
                <td>
                  <input
                    type="radio"
                    name="diff-to"
                    aria-label={`Compare to version ${v.version}`}
                    checked={b === v.version}
                    onChange={() => setTo(v.version)}
                  />
                </td>
                <td>
                  {v.version !== current && (
                    <button type="button" onClick={() => setRollback(v.version)}>
                      Roll back to this
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {a !== null && b !== null && diff.data && (
        <ChangesTable changes={diff.data.ssoSettingsDiff} caption={`Changes from version ${a} to version ${b}`} />
      )}
      {rollback !== null && (
        <ConfirmDialog
          title={`Roll back to version ${rollback}?`}
          confirmLabel="Roll back"
          danger
          busy={busy}
          error={error}
          onCancel={() => setRollback(null)}
          onConfirm={() => void roll(rollback)}
        >
          <p>
            Version {rollback}&rsquo;s settings and certificates are published again as a new version, and every sign-in
            uses them from now on. A draft, if you have one, stays as it is.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

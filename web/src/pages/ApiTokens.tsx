import { useState } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation } from '../api/operations';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { TextField } from '../components/Field';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { Pager, useCursors } from '../components/Pager';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { ApiTokensQuery as Data } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

type Token = Data['apiTokens']['nodes'][number];

const PAGE_SIZE = 50;

export function ApiTokensPage() {
  const cursors = useCursors();
  const query = useQuery(ApiTokensQuery, { first: PAGE_SIZE, after: cursors.after });
  const [name, setName] = useState('');
  const create = useMutation(CreateApiTokenMutation);
  const revoke = useMutation(RevokeApiTokenMutation);
  // The secret lives only in this component's memory, and only until dismissed.
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const tokens = query.data?.apiTokens.nodes;

  return (
    <div className="page tokens">
      <div className="page-head">
        <h1>API tokens</h1>
      </div>
      <p className="lede">
        Tokens let scripts call the GraphQL API as this tenant&rsquo;s admin: send <code>Authorization: Bearer &lt;token&gt;</code>{' '}
        to <code>/graphql</code>.
      </p>

      {created && (
        <OneTimeSecret
          title={`Your new token \u201c${created.name}\u201d`}
          label="New API token"
          value={created.token}
          guardMessage="Your new API token is shown only on this page. If you leave before copying it, it cannot be shown again."
          onDismiss={() => setCreated(null)}
        />
      )}

      <section className="card" aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">Create a token</h2>
        <form
          className="inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const { createApiToken } = await create.run({ name: name.trim() });
              setCreated({ name: createApiToken.apiToken.name, token: createApiToken.token });
              setName('');
              query.setData((d) => d && { apiTokens: { ...d.apiTokens, nodes: [createApiToken.apiToken, ...d.apiTokens.nodes] } });
            } catch {
              // Shown next to the field.
            }
          }}
        >
          <TextField
            label="Token name"
            value={name}
            placeholder="e.g. provisioning script"
            hint="Say what uses it, so you know what breaks when you revoke it."
            error={create.error?.fieldMessage('name') ?? (create.error && !create.error.fields.length ? create.error.message : undefined)}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={create.running}>
            {create.running ? 'Creating…' : 'Create token'}
          </button>
        </form>
      </section>

      <h2>Tokens</h2>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!tokens && !query.error && <Loading what="tokens" />}
      {tokens && tokens.length === 0 && <Empty title="No API tokens yet" />}
      {tokens && tokens.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className={t.revokedAt ? 'revoked' : undefined}>
                  <td data-label="Name" className="strong">
                    {t.name}
                  </td>
                  <td data-label="Starts with" className="mono">
                    {t.prefix}…
                  </td>
                  <td data-label="Created">
                    {formatDateTime(t.createdAt)}
                    <div className="muted">by {t.createdBy}</div>
                  </td>
                  <td data-label="Last used">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
                  <td data-label="Status">
                    {t.revokedAt ? (
                      <span className="badge status-suspended">Revoked {formatDateTime(t.revokedAt)}</span>
                    ) : (
                      <span className="badge status-active">Active</span>
                    )}
                  </td>
                  <td className="row-actions">
                    {!t.revokedAt && (
                      <button type="button" className="danger-text" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.data && <Pager label="Pages of API tokens" cursors={cursors} pageInfo={query.data.apiTokens.pageInfo} />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke \u201c${revoking.name}\u201d?`}
          confirmLabel="Revoke token"
          danger
          busy={revoke.running}
          error={revoke.error?.message}
          onCancel={() => {
            revoke.reset();
            setRevoking(null);
          }}
          onConfirm={async () => {
            try {
              const { revokeApiToken } = await revoke.run({ id: revoking.id });
              query.setData(
                (d) =>
                  d && {
                    apiTokens: {
                      ...d.apiTokens,
                      nodes: d.apiTokens.nodes.map((t) => (t.id === revokeApiToken.id ? { ...t, revokedAt: revokeApiToken.revokedAt } : t)),
                    },
                  },
              );
              setRevoking(null);
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>Anything using this token stops working at once. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

// SCIM 2.0 provisioning: the two values Entra's provisioning blade asks for ("Tenant URL" and
// "Secret Token"), and the tenant's SCIM tokens.
import { useState } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  CreateScimTokenMutation,
  ProvisioningQuery,
  RevokeScimTokenMutation,
  RotateScimTokenMutation,
  SetScimManagesAdminsMutation,
} from '../api/operations';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyValue } from '../components/CopyButton';
import { CheckboxField } from '../components/Field';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { Pager, useCursors } from '../components/Pager';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { ScimTokenFieldsFragment as ScimToken } from '../gql/graphql';
import { formatDateTime } from '../lib/format';
import { Link } from '../router';

const GUARD =
  'Your new Secret Token is shown only on this page. If you leave before copying it into your IdP, it cannot be shown again.';

/** How a token is named on screen: it has no name, only its first characters. */
export const tokenLabel = (t: Pick<ScimToken, 'prefix'>) => `${t.prefix}…`;

const PAGE_SIZE = 50;

export function ProvisioningPage() {
  const cursors = useCursors();
  const query = useQuery(ProvisioningQuery, { first: PAGE_SIZE, after: cursors.after });
  const create = useMutation(CreateScimTokenMutation);
  const rotate = useMutation(RotateScimTokenMutation);
  const revoke = useMutation(RevokeScimTokenMutation);
  const setManagesAdmins = useMutation(SetScimManagesAdminsMutation);
  // The secret lives only in this component's memory, and only until dismissed.
  const [created, setCreated] = useState<{ token: string; rotatedFrom: string | null } | null>(null);
  const [rotating, setRotating] = useState<ScimToken | null>(null);
  const [revoking, setRevoking] = useState<ScimToken | null>(null);
  // Newest first (within the page: pages go from the oldest tokens to the newest).
  const tokens = query.data && [...query.data.scimTokens.nodes].reverse();
  const live = tokens?.filter((t) => !t.revokedAt).length ?? 0;

  const addToken = (t: ScimToken) =>
    query.setData((d) => d && { ...d, scimTokens: { ...d.scimTokens, nodes: [...d.scimTokens.nodes, t] } });
  const markRevoked = (id: string, revokedAt: string | null | undefined) =>
    query.setData(
      (d) =>
        d && {
          ...d,
          scimTokens: {
            ...d.scimTokens,
            nodes: d.scimTokens.nodes.map((t) => (t.id === id ? { ...t, revokedAt: revokedAt ?? t.revokedAt } : t)),
          },
        },
    );

  return (
    <div className="page provisioning">
      <div className="page-head">
        <h1>Provisioning (SCIM)</h1>
      </div>
      <p className="lede">
        Let Microsoft Entra ID (or any SCIM 2.0 client) create, update and deactivate this tenant&rsquo;s users and groups
        automatically. Disabling or unassigning a user in the IdP suspends them here and ends their sessions at once.
      </p>

      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!query.data && !query.error && <Loading what="the provisioning settings" />}
      {query.data && (
        <>
          <section className="card sp-box" aria-labelledby="admin-credentials-heading">
            <h2 id="admin-credentials-heading">Admin Credentials</h2>
            <p className="muted">The two values your IdP&rsquo;s provisioning page asks for.</p>
            <dl>
              <CopyValue
                label="Tenant URL"
                value={query.data.serviceProvider.scimTenantUrl}
                hint="The SCIM endpoint of this tenant; a token works only here."
              />
              <div className="copy-value">
                <dt>Secret Token</dt>
                <dd>
                  {created ? (
                    <span>Shown below, this once.</span>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      disabled={create.running}
                      onClick={async () => {
                        try {
                          const { createScimToken } = await create.run({});
                          setCreated({ token: createScimToken.token, rotatedFrom: null });
                          addToken(createScimToken.scimToken);
                        } catch {
                          // Shown under the button.
                        }
                      }}
                    >
                      {create.running ? 'Creating…' : 'Create a Secret Token'}
                    </button>
                  )}
                  <p className="hint">
                    {live === 0
                      ? 'No token is live yet: create one and paste it into your IdP.'
                      : `${live} live token${live === 1 ? '' : 's'}. Tokens are shown only when created; create a new one if you need it again.`}
                  </p>
                  {create.error && (
                    <p className="field-error" role="alert">
                      {create.error.message}
                    </p>
                  )}
                </dd>
              </div>
            </dl>
            {created && (
              <OneTimeSecret
                title={created.rotatedFrom ? `The new Secret Token replacing ${created.rotatedFrom}` : 'Your new Secret Token'}
                label="New Secret Token"
                value={created.token}
                guardMessage={GUARD}
                onDismiss={() => setCreated(null)}
              >
                <p>
                  Paste it into your IdP as the <strong>Secret Token</strong>
                  {created.rotatedFrom ? <>; the old token {created.rotatedFrom} has stopped working.</> : '.'}
                </p>
              </OneTimeSecret>
            )}
          </section>

          <section className="card" aria-labelledby="scim-admins-heading">
            <h2 id="scim-admins-heading">Tenant admins</h2>
            <p className="muted">
              By default your IdP cannot rename, deactivate or delete a tenant admin here: such requests are refused with an
              error your IdP shows in its provisioning log, and an admin changes admins on the Users page. Allow it only if your
              IdP is where you manage who administers Gatehouse. The last active tenant admin can never be removed, by anyone.
            </p>
            <CheckboxField
              label="Allow SCIM to manage tenant admins"
              hint="Lets the IdP rename, deactivate and delete tenant admins, which can change who signs in as an admin."
              checked={query.data.tenant.scimManagesAdmins}
              disabled={setManagesAdmins.running}
              error={setManagesAdmins.error?.message}
              onChange={async (e) => {
                const enabled = e.currentTarget.checked;
                try {
                  const { setScimManagesAdmins } = await setManagesAdmins.run({ enabled });
                  query.setData((d) => d && { ...d, tenant: { ...d.tenant, ...setScimManagesAdmins } });
                } catch {
                  // Shown under the checkbox.
                }
              }}
            />
          </section>

          <section className="card help" aria-labelledby="entra-help-heading">
            <h2 id="entra-help-heading">In Microsoft Entra ID</h2>
            <ol>
              <li>
                <em>Enterprise applications</em> → your Gatehouse app → <em>Provisioning</em> → <em>Get started</em>.
              </li>
              <li>
                <em>Provisioning Mode</em>: <strong>Automatic</strong>.
              </li>
              <li>
                Under <em>Admin Credentials</em>, paste the <strong>Tenant URL</strong> and the <strong>Secret Token</strong> from
                above, then <strong>Test Connection</strong>.
              </li>
              <li>
                Save, assign users and groups to the app, and <em>Start provisioning</em>. The default attribute mappings work as
                they are.
              </li>
            </ol>
            <p className="muted">
              Provisioned users appear under <Link to="/users">Users</Link>, groups under <Link to="/groups">Groups</Link>; every
              change is in the <Link to="/audit-log">Audit log</Link> with the token as the actor.
            </p>
          </section>

          <h2>Secret tokens</h2>
          <p className="muted">
            To switch tokens without a gap, create a new one, paste it into your IdP, then revoke the old one. <em>Rotate</em>{' '}
            does both in one step: the old token stops working at once.
          </p>
          {tokens && tokens.length === 0 && <Empty title="No Secret Tokens yet" />}
          {tokens && tokens.length > 0 && (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Secret tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Token</th>
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
                      <td data-label="Token" className="mono strong">
                        {tokenLabel(t)}
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
                          <>
                            <button type="button" onClick={() => setRotating(t)} aria-label={`Rotate ${tokenLabel(t)}`}>
                              Rotate
                            </button>
                            <button
                              type="button"
                              className="danger-text"
                              onClick={() => setRevoking(t)}
                              aria-label={`Revoke ${tokenLabel(t)}`}
                            >
                              Revoke
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {query.data && <Pager label="Pages of Secret tokens" cursors={cursors} pageInfo={query.data.scimTokens.pageInfo} />}
        </>
      )}

      {rotating && (
        <ConfirmDialog
          title={`Rotate ${tokenLabel(rotating)}?`}
          confirmLabel="Rotate token"
          danger
          busy={rotate.running}
          error={rotate.error?.message}
          onCancel={() => {
            rotate.reset();
            setRotating(null);
          }}
          onConfirm={async () => {
            try {
              const { rotateScimToken } = await rotate.run({ id: rotating.id });
              setCreated({ token: rotateScimToken.token, rotatedFrom: tokenLabel(rotating) });
              addToken(rotateScimToken.scimToken);
              setRotating(null);
              // The old token's revocation time, as the server recorded it.
              void query.reload();
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>
            A new Secret Token replaces this one, which stops working at once: provisioning fails until you paste the new token
            into your IdP.
          </p>
        </ConfirmDialog>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${tokenLabel(revoking)}?`}
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
              const { revokeScimToken } = await revoke.run({ id: revoking.id });
              markRevoked(revokeScimToken.id, revokeScimToken.revokedAt);
              setRevoking(null);
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>
            Your IdP can no longer provision with this token: its requests are refused at once. Users and groups already
            provisioned stay as they are. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

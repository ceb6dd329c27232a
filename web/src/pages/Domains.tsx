// Domains and SSO enforcement (issue 13): the tenant's e-mail domains with the DNS TXT
// record that proves each one, their check status, and the break-glass accounts that keep
// password sign-in when SSO is required. Every change is audited by the server.
import { useState } from 'react';
import {
  AddBreakGlassMutation,
  AddDomainMutation,
  DomainsQuery,
  FindUserQuery,
  RemoveBreakGlassMutation,
  RemoveDomainMutation,
  VerifyDomainMutation,
} from '../api/domains';
import { gql } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { TextField } from '../components/Field';
import { Banner, Empty, ErrorBanner, Loading } from '../components/States';
import type { DomainsQuery as Data } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

type Domain = Data['domains'][number];

const STATUS_TEXT: Record<Domain['status'], { label: string; badge: string }> = {
  PENDING: { label: 'Waiting for the TXT record', badge: 'status-pending' },
  VERIFIED: { label: 'Verified', badge: 'status-active' },
  FLAGGED: { label: 'Record missing', badge: 'status-suspended' },
  LAPSED: { label: 'Lapsed', badge: 'status-suspended' },
};

export function DomainsPage() {
  const query = useQuery(DomainsQuery, {});
  const add = useMutation(AddDomainMutation);
  const verify = useMutation(VerifyDomainMutation);
  const remove = useMutation(RemoveDomainMutation);
  const addBg = useMutation(AddBreakGlassMutation);
  const removeBg = useMutation(RemoveBreakGlassMutation);
  const [name, setName] = useState('');
  const [bgEmail, setBgEmail] = useState('');
  const [bgError, setBgError] = useState<string | undefined>();
  const [removing, setRemoving] = useState<Domain | null>(null);
  const [checked, setChecked] = useState<string | null>(null);
  const domains = query.data?.domains;
  const breakGlass = query.data?.breakGlassAccounts;

  return (
    <div className="page domains">
      <div className="page-head">
        <h1>Domains &amp; SSO enforcement</h1>
      </div>
      <p className="lede">
        Prove your organisation owns its e-mail domains. Everyone with an address at a verified domain is sent to your
        identity provider from the sign-in page, and cannot use a password while SSO is on — except the break-glass
        accounts you name below.
      </p>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {breakGlass?.warnings.map((w) => (
        <Banner key={w.kind} kind="warning">
          {w.message}
        </Banner>
      ))}

      <section className="card" aria-labelledby="add-domain-heading">
        <h2 id="add-domain-heading">Add a domain</h2>
        <form
          className="inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await add.run({ name: name.trim() });
              setName('');
              await query.reload();
            } catch {
              // Shown next to the field.
            }
          }}
        >
          <TextField
            label="Domain"
            value={name}
            placeholder="contoso.com"
            hint="The part after the @ in your users' e-mail addresses."
            error={add.error?.fieldMessage('name') ?? (add.error && !add.error.fields.length ? add.error.message : undefined)}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={add.running}>
            {add.running ? 'Adding…' : 'Add domain'}
          </button>
        </form>
      </section>

      <h2>Domains</h2>
      {!domains && !query.error && <Loading what="domains" />}
      {domains && domains.length === 0 && <Empty title="No domains yet" />}
      {domains?.map((d) => {
        const status = STATUS_TEXT[d.status];
        return (
          <section key={d.id} className="card domain" aria-labelledby={`domain-${d.id}`}>
            <div className="page-head">
              <h3 id={`domain-${d.id}`}>{d.name}</h3>
              <span className={`badge ${status.badge}`}>{status.label}</span>
            </div>
            {d.status === 'FLAGGED' && (
              <Banner kind="warning">
                The TXT record was not found at the last check. Sign-ins of {d.name} still go to your identity provider
                until {formatDateTime(d.graceEndsAt)}; put the record back before then.
              </Banner>
            )}
            {d.status === 'LAPSED' && (
              <Banner kind="error">
                The record stayed missing: {d.name} no longer routes sign-ins or requires SSO. Put the record back and
                verify again.
              </Banner>
            )}
            {d.status !== 'VERIFIED' && (
              <p>Create this TXT record with your DNS provider, then choose Verify now:</p>
            )}
            <dl className="kv">
              <dt>Record type</dt>
              <dd className="mono">TXT</dd>
              <dt>Name (host)</dt>
              <dd className="mono">
                {d.recordName} <CopyButton value={d.recordName} what={`the record name for ${d.name}`} />
              </dd>
              <dt>Value</dt>
              <dd className="mono">
                {d.recordValue} <CopyButton value={d.recordValue} what={`the record value for ${d.name}`} />
              </dd>
              <dt>Last checked</dt>
              <dd>{d.lastCheckedAt ? formatDateTime(d.lastCheckedAt) : 'Never'}</dd>
              {d.verifiedAt && (
                <>
                  <dt>Verified</dt>
                  <dd>{formatDateTime(d.verifiedAt)}</dd>
                </>
              )}
            </dl>
            {d.lastCheckError && (
              <p className="field-error" role={checked === d.id ? 'alert' : undefined}>
                Last check: {d.lastCheckError}
              </p>
            )}
            {verify.error && checked === d.id && <p className="field-error" role="alert">{verify.error.message}</p>}
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={verify.running}
                onClick={async () => {
                  setChecked(d.id);
                  try {
                    await verify.run({ id: d.id });
                  } catch {
                    // Shown above.
                  }
                  await query.reload();
                }}
              >
                {verify.running && checked === d.id ? 'Checking…' : 'Verify now'}
              </button>
              <button type="button" className="danger-text" onClick={() => setRemoving(d)} aria-label={`Remove ${d.name}`}>
                Remove
              </button>
            </div>
          </section>
        );
      })}

      <section className="card" aria-labelledby="break-glass-heading">
        <h2 id="break-glass-heading">Break-glass accounts</h2>
        <p>
          {breakGlass?.ssoRequired
            ? 'SSO is required for some of your users. These accounts keep password sign-in (at /login → “Sign in with a password instead”), so someone can get in if your identity provider fails. Each use is recorded in the audit log.'
            : 'SSO is not required for anyone yet. When it is, only these accounts keep password sign-in.'}
        </p>
        {breakGlass && breakGlass.accounts.length > 0 && (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">Break-glass accounts</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Added</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {breakGlass.accounts.map((a) => (
                  <tr key={a.user.id}>
                    <td data-label="User" className="strong">
                      {a.user.email}
                    </td>
                    <td data-label="Added">
                      {formatDateTime(a.addedAt)}
                      <div className="muted">by {a.addedBy}</div>
                    </td>
                    <td data-label="Last used">{a.lastUsedAt ? formatDateTime(a.lastUsedAt) : 'Never'}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="danger-text"
                        aria-label={`Remove ${a.user.email} from the break-glass accounts`}
                        onClick={async () => {
                          try {
                            await removeBg.run({ userId: a.user.id });
                            await query.reload();
                          } catch {
                            // Shown below.
                          }
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {removeBg.error && <p className="field-error">{removeBg.error.message}</p>}
        <form
          className="inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            setBgError(undefined);
            const email = bgEmail.trim().toLowerCase();
            try {
              const { users } = await gql(FindUserQuery, { search: email });
              const user = users.nodes.find((u) => u.email === email);
              if (!user) {
                setBgError('no user of this organisation has this e-mail');
                return;
              }
              await addBg.run({ userId: user.id });
              setBgEmail('');
              await query.reload();
            } catch (err) {
              setBgError(err instanceof Error ? err.message : String(err));
            }
          }}
        >
          <TextField
            label="User's e-mail"
            type="email"
            value={bgEmail}
            placeholder="it-admin@contoso.com"
            error={bgError}
            onChange={(e) => setBgEmail(e.target.value)}
          />
          <button type="submit" disabled={addBg.running}>
            Add break-glass account
          </button>
        </form>
      </section>

      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove domain"
          danger
          busy={remove.running}
          error={remove.error?.message}
          onCancel={() => {
            remove.reset();
            setRemoving(null);
          }}
          onConfirm={async () => {
            try {
              await remove.run({ id: removing.id });
              setRemoving(null);
              await query.reload();
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>Its addresses stop going to your identity provider from the sign-in page, and SSO is no longer required for them.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

// Webhooks (issue 15): the tenant admin registers endpoints, picks event types, sees each
// endpoint's recent deliveries, resends one, rotates the signing secret (shown once),
// disables, enables and deletes. The rules (https, bounds, ordering, retries) live in the
// identity services; this page only shows and asks.
import { useState } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  CreateWebhookEndpointMutation,
  DeleteWebhookEndpointMutation,
  ResendWebhookDeliveryMutation,
  RotateWebhookSecretMutation,
  UpdateWebhookEndpointMutation,
  WebhookDeliveriesQuery,
  WebhookEndpointsQuery,
} from '../api/webhooks';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CheckboxField, TextField } from '../components/Field';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { WebhookDeliveryState, WebhookEventType, WebhookEndpointsQuery as Data } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

type Endpoint = Data['webhookEndpoints'][number];

/** Every event type with the words the admin sees (the README lists each one's data). */
const EVENT_TYPES: [WebhookEventType, string][] = [
  ['SIGN_IN_SUCCEEDED', 'Sign-in succeeded'],
  ['SIGN_IN_FAILED', 'Sign-in failed (with the reason)'],
  ['USER_CREATED', 'User created'],
  ['USER_UPDATED', 'User updated'],
  ['USER_SUSPENDED', 'User suspended'],
  ['USER_DELETED', 'User deleted'],
  ['GROUP_MEMBERSHIP_CHANGED', 'Group membership changed'],
  ['SSO_PUBLISHED', 'SSO settings published'],
  ['CERTIFICATE_STAGED', 'IdP certificate staged'],
  ['CERTIFICATE_PROMOTED', 'IdP certificate promoted'],
  ['CERTIFICATE_EXPIRING', 'IdP certificate expiring'],
  ['CERTIFICATE_EXPIRED', 'IdP certificate expired'],
  ['SCIM_TOKEN_CREATED', 'SCIM token created'],
  ['SCIM_TOKEN_REVOKED', 'SCIM token revoked'],
];

const STATE_BADGE: Record<WebhookDeliveryState, [string, string]> = {
  PENDING: ['badge-warning', 'Pending'],
  DELIVERED: ['badge-ok', 'Delivered'],
  FAILED: ['badge-error', 'Failed'],
};

export function WebhooksPage() {
  const query = useQuery(WebhookEndpointsQuery, {});
  const create = useMutation(CreateWebhookEndpointMutation);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<WebhookEventType[]>(['USER_CREATED', 'USER_DELETED']);
  // The secret lives only in this component's memory, and only until dismissed.
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const endpoints = query.data?.webhookEndpoints;

  return (
    <div className="page webhooks">
      <div className="page-head">
        <h1>Webhooks</h1>
      </div>
      <p className="lede">
        Gatehouse posts a signed JSON event to your endpoints when users, groups, SSO settings, certificates, SCIM tokens or sign-ins
        change. Signatures follow Standard Webhooks: verify them with the endpoint&rsquo;s secret.
      </p>

      {secret && (
        <OneTimeSecret
          title={secret.title}
          label="Signing secret"
          value={secret.value}
          guardMessage="The signing secret is shown only on this page. If you leave before copying it, it cannot be shown again."
          onDismiss={() => setSecret(null)}
        />
      )}

      <section className="card" aria-labelledby="new-endpoint-heading">
        <h2 id="new-endpoint-heading">Add an endpoint</h2>
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const { createWebhookEndpoint } = await create.run({
                input: { url: url.trim(), description: description.trim(), eventTypes: types },
              });
              setSecret({ title: `Signing secret of ${createWebhookEndpoint.endpoint.url}`, value: createWebhookEndpoint.secret });
              setUrl('');
              setDescription('');
              query.setData((d) => d && { webhookEndpoints: [...d.webhookEndpoints, createWebhookEndpoint.endpoint] });
            } catch {
              // Shown next to the fields.
            }
          }}
        >
          <TextField
            label="Endpoint URL"
            value={url}
            placeholder="https://example.com/gatehouse-events"
            hint="https only (http while the tenant is in dev mode)."
            error={create.error?.fieldMessage('url') ?? (create.error && !create.error.fields.length ? create.error.message : undefined)}
            onChange={(e) => setUrl(e.target.value)}
          />
          <TextField
            label="Description"
            optional
            value={description}
            placeholder="e.g. HR system sync"
            error={create.error?.fieldMessage('description')}
            onChange={(e) => setDescription(e.target.value)}
          />
          <fieldset className="event-types">
            <legend>Events to send</legend>
            {create.error?.fieldMessage('eventTypes') && <p className="field-error">{create.error.fieldMessage('eventTypes')}</p>}
            {EVENT_TYPES.map(([t, label]) => (
              <CheckboxField
                key={t}
                label={label}
                checked={types.includes(t)}
                onChange={(e) => setTypes((now) => (e.target.checked ? [...now, t] : now.filter((x) => x !== t)))}
              />
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={create.running}>
            {create.running ? 'Adding…' : 'Add endpoint'}
          </button>
        </form>
      </section>

      <h2>Endpoints</h2>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!endpoints && !query.error && <Loading what="endpoints" />}
      {endpoints && endpoints.length === 0 && <Empty title="No webhook endpoints yet" />}
      {endpoints?.map((e) => (
        <EndpointCard
          key={e.id}
          endpoint={e}
          onSecret={(value) => setSecret({ title: `New signing secret of ${e.url}`, value })}
          onChange={(changed) =>
            query.setData((d) => d && { webhookEndpoints: d.webhookEndpoints.map((x) => (x.id === e.id ? { ...x, ...changed } : x)) })
          }
          onDeleted={() => query.setData((d) => d && { webhookEndpoints: d.webhookEndpoints.filter((x) => x.id !== e.id) })}
        />
      ))}
    </div>
  );
}

function EndpointCard({
  endpoint,
  onSecret,
  onChange,
  onDeleted,
}: {
  endpoint: Endpoint;
  onSecret: (secret: string) => void;
  onChange: (changed: Partial<Endpoint>) => void;
  onDeleted: () => void;
}) {
  const deliveries = useQuery(WebhookDeliveriesQuery, { endpointId: endpoint.id, first: 20 });
  const update = useMutation(UpdateWebhookEndpointMutation);
  const rotate = useMutation(RotateWebhookSecretMutation);
  const remove = useMutation(DeleteWebhookEndpointMutation);
  const resend = useMutation(ResendWebhookDeliveryMutation);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const rows = deliveries.data?.webhookDeliveries.nodes;
  const labels = new Map(EVENT_TYPES);

  return (
    <section className="card webhook-endpoint" aria-label={`Endpoint ${endpoint.url}`}>
      <div className="card-head">
        <h3 className="mono">{endpoint.url}</h3>
        {endpoint.failing ? (
          <span className="badge badge-error">Failing since {formatDateTime(endpoint.failingSince)}</span>
        ) : endpoint.enabled ? (
          <span className="badge badge-ok">Enabled</span>
        ) : (
          <span className="badge badge-warning">Disabled</span>
        )}
      </div>
      {endpoint.description && <p>{endpoint.description}</p>}
      <p className="muted">Events: {endpoint.eventTypes.map((t) => labels.get(t) ?? t).join(', ')}</p>
      {endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt) > new Date() && (
        <p className="muted">The previous secret also signs until {formatDateTime(endpoint.previousSecretExpiresAt)}.</p>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={update.running}
          onClick={async () => {
            try {
              const { updateWebhookEndpoint } = await update.run({ id: endpoint.id, input: { enabled: !endpoint.enabled } });
              onChange(updateWebhookEndpoint);
            } catch {
              // Shown below.
            }
          }}
        >
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" onClick={() => setConfirm('rotate')}>
          Rotate secret
        </button>
        <button type="button" onClick={() => void deliveries.reload()}>
          Refresh deliveries
        </button>
        <button type="button" className="danger-text" onClick={() => setConfirm('delete')}>
          Delete
        </button>
      </div>
      {update.error && <p className="field-error">{update.error.message}</p>}

      <h4>Recent deliveries</h4>
      <ErrorBanner error={deliveries.error} onRetry={() => void deliveries.reload()} />
      {resend.error && <p className="field-error">{resend.error.message}</p>}
      {!rows && !deliveries.error && <Loading what="deliveries" />}
      {rows && rows.length === 0 && <p className="muted">No events sent yet.</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Deliveries to {endpoint.url}</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Response</th>
                <th scope="col">Attempts</th>
                <th scope="col">Time</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const [badge, word] = STATE_BADGE[d.state];
                return (
                  <tr key={d.id}>
                    <td data-label="Event">
                      <span className="strong">{d.eventType}</span>
                      <div className="muted mono">{d.eventId}</div>
                    </td>
                    <td data-label="Status">
                      <span className={`badge ${badge}`}>{word}</span>
                      {d.state === 'PENDING' && d.nextAttemptAt && d.attempts > 0 && (
                        <div className="muted">next try {formatDateTime(d.nextAttemptAt)}</div>
                      )}
                    </td>
                    <td data-label="Response">
                      {d.responseStatus ? `HTTP ${d.responseStatus}` : '—'}
                      {d.lastError && <div className="muted">{d.lastError}</div>}
                    </td>
                    <td data-label="Attempts">{d.attempts}</td>
                    <td data-label="Time">{formatDateTime(d.deliveredAt ?? d.lastAttemptAt ?? d.createdAt)}</td>
                    <td className="row-actions">
                      {d.state !== 'PENDING' && (
                        <button
                          type="button"
                          aria-label={`Resend ${d.eventType} ${d.eventId}`}
                          disabled={resend.running}
                          onClick={async () => {
                            try {
                              await resend.run({ id: d.id });
                              await deliveries.reload();
                            } catch {
                              // Shown above the table.
                            }
                          }}
                        >
                          Resend
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {confirm === 'rotate' && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          busy={rotate.running}
          error={rotate.error?.message}
          onCancel={() => {
            rotate.reset();
            setConfirm(null);
          }}
          onConfirm={async () => {
            try {
              const { rotateWebhookSecret } = await rotate.run({ id: endpoint.id });
              onChange({ previousSecretExpiresAt: rotateWebhookSecret.endpoint.previousSecretExpiresAt });
              onSecret(rotateWebhookSecret.secret);
              setConfirm(null);
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>A new secret signs from now on; the current one keeps signing beside it for a day, so you can update your receiver.</p>
        </ConfirmDialog>
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title={`Delete ${endpoint.url}?`}
          confirmLabel="Delete endpoint"
          danger
          busy={remove.running}
          error={remove.error?.message}
          onCancel={() => {
            remove.reset();
            setConfirm(null);
          }}
          onConfirm={async () => {
            try {
              await remove.run({ id: endpoint.id });
              onDeleted();
            } catch {
              // Shown in the dialog.
            }
          }}
        >
          <p>Events not yet sent to it are dropped with it. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

import { useState } from 'react';
import { useDebounced, useQuery } from '../api/hooks';
import { AuditEventsQuery } from '../api/operations';
import { TextField } from '../components/Field';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { AuditEventsQuery as Data } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

type Event = Data['auditEvents']['nodes'][number];
const PAGE_SIZE = 25;

/** `2026-11-26` from a date input → the start of that day (local time) as RFC 3339. */
function dayStart(value: string, addDays = 0): string | null {
  if (!value) return null;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

export function AuditLogPage() {
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const settledAction = useDebounced(action.trim());
  const filter = { action: settledAction || null, since: dayStart(since), until: dayStart(until, 1) };
  const query = useQuery(AuditEventsQuery, { first: PAGE_SIZE, after: cursors[cursors.length - 1], filter });
  const events = query.data?.auditEvents;
  const filtered = !!(filter.action || filter.since || filter.until);

  return (
    <div className="page audit">
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      <p className="lede">Who changed what, and when — newest first.</p>
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <TextField
          label="Action"
          value={action}
          placeholder="e.g. sso_connection.update"
          onChange={(e) => {
            setAction(e.target.value);
            setCursors([null]);
          }}
        />
        <TextField label="From" type="date" value={since} onChange={(e) => (setSince(e.target.value), setCursors([null]))} />
        <TextField label="To" type="date" value={until} onChange={(e) => (setUntil(e.target.value), setCursors([null]))} />
      </form>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!events && !query.error && <Loading what="the audit log" />}
      {events && events.nodes.length === 0 && (
        <Empty title={filtered ? 'No entries match these filters' : 'Nothing has been changed yet'} />
      )}
      {events && events.nodes.length > 0 && (
        <ol className="event-list" aria-busy={query.loading}>
          {events.nodes.map((e) => (
            <AuditEntry key={e.id} event={e} />
          ))}
        </ol>
      )}
      {events && (cursors.length > 1 || events.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label="Pages of the audit log">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            disabled={!events.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, events.pageInfo.endCursor ?? null])}
          >
            Older
          </button>
        </nav>
      )}
    </div>
  );
}

const ACTOR_KIND: Record<string, string> = { user: 'admin', operator: 'platform operator', api_token: 'API token', scim_token: 'SCIM provisioning', system: 'system' };

function AuditEntry({ event }: { event: Event }) {
  const hasChange = event.before != null || event.after != null;
  return (
    <li className="event">
      <div className="event-head">
        <span className="event-action mono">{event.action}</span>
        <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>
      </div>
      <p className="event-who">
        <span className="strong">{event.actor}</span> <span className="muted">({ACTOR_KIND[event.actorKind] ?? event.actorKind})</span> ·{' '}
        {event.targetType.replace(/_/g, ' ')}
        {event.targetId && <span className="muted mono"> {event.targetId}</span>}
      </p>
      {hasChange && (
        <details>
          <summary>Show the change</summary>
          <ChangeTable before={event.before} after={event.after} />
        </details>
      )}
    </li>
  );
}

function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Before/after side by side, changed values marked. */
export function ChangeTable({ before, after }: { before: unknown; after: unknown }) {
  const b = flatten(before);
  const a = flatten(after);
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)]));
  if (keys.length === 0) return <p className="muted">No details recorded.</p>;
  return (
    <div className="table-wrap">
      <table className="change-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const changed = b[k] !== a[k];
            return (
              <tr key={k} className={changed ? 'changed' : undefined}>
                <th scope="row" className="mono">
                  {k}
                  {changed && <span className="visually-hidden"> (changed)</span>}
                </th>
                <td className="mono">{before == null ? <em className="muted">(none)</em> : (b[k] ?? '—')}</td>
                <td className="mono">{after == null ? <em className="muted">(none)</em> : (a[k] ?? '—')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { useState } from 'react';
import { gql } from '../api/client';
import { asApiError, useDebounced, useQuery } from '../api/hooks';
import { AuditEventsQuery } from '../api/operations';
import { SelectField, TextField } from '../components/Field';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { AuditEventsQuery as Data } from '../gql/graphql';
import { CATEGORIES, actionName, changeRows, targetName } from '../lib/audit';
import { EXPORT_MAX_ROWS, collectPages, download, toCsv } from '../lib/csv';
import { formatDateTime } from '../lib/format';

type Event = Data['auditEvents']['nodes'][number];
const PAGE_SIZE = 25;

/** `2026-11-26` from a date input → the start of that day (local time) as RFC 3339. */
function dayStart(value: string, addDays = 0): string | null {
  if (!value) return null;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

const CSV_HEADER = ['Time (UTC)', 'Action', 'Action code', 'Actor', 'Actor kind', 'Category', 'Target', 'Target ID', 'Changed fields'];

export function auditCsvRow(e: Event): (string | null)[] {
  const changed = changeRows(e.before, e.after)
    .filter((r) => r.changed)
    .map((r) => `${r.field}: ${r.before ?? '(none)'} → ${r.after ?? '(none)'}`)
    .join('; ');
  return [e.createdAt, actionName(e.action), e.action, e.actor, e.actorKind, e.targetType, targetName(e.before, e.after), e.targetId ?? null, changed];
}

export function AuditLogPage() {
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [exporting, setExporting] = useState<string | null>(null);
  const settledSearch = useDebounced(search.trim());
  const filter = { search: settledSearch || null, targetType: category || null, since: dayStart(since), until: dayStart(until, 1) };
  const query = useQuery(AuditEventsQuery, { first: PAGE_SIZE, after: cursors[cursors.length - 1], filter });
  const events = query.data?.auditEvents;
  const filtered = !!(filter.search || filter.targetType || filter.since || filter.until);

  const exportCsv = async () => {
    setExporting('Exporting…');
    try {
      const { rows, truncated } = await collectPages(
        async (after) => (await gql(AuditEventsQuery, { first: 200, after, filter })).auditEvents,
        EXPORT_MAX_ROWS,
      );
      download(`audit-log-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(CSV_HEADER, rows.map(auditCsvRow)));
      setExporting(truncated ? `Exported the newest ${EXPORT_MAX_ROWS} entries; narrow the filters for older ones.` : `Exported ${rows.length} ${rows.length === 1 ? 'entry' : 'entries'}.`);
    } catch (e) {
      setExporting(`The export failed: ${asApiError(e).message}`);
    }
  };

  return (
    <div className="page audit">
      <div className="page-head">
        <h1>Audit log</h1>
        <button type="button" onClick={() => void exportCsv()} disabled={!events || events.nodes.length === 0 || exporting === 'Exporting…'}>
          Export CSV
        </button>
      </div>
      <p className="lede">Who changed what, and when — newest first.</p>
      {exporting && <p className="hint" role="status">{exporting}</p>}
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <TextField
          label="Search"
          value={search}
          placeholder="Action, who, or an ID"
          onChange={(e) => {
            setSearch(e.target.value);
            setCursors([null]);
          }}
        />
        <SelectField
          label="Category"
          value={category}
          onChange={(e) => {
            setCategory(e.target.value);
            setCursors([null]);
          }}
        >
          <option value="">Everything</option>
          {CATEGORIES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </SelectField>
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
        <span className="event-action" title={event.action}>
          {actionName(event.action)}
        </span>
        <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>
      </div>
      <p className="event-who">
        <span className="strong">{event.actor}</span> <span className="muted">({ACTOR_KIND[event.actorKind] ?? event.actorKind})</span> ·{' '}
        {event.targetType.replace(/_/g, ' ')}
        {targetName(event.before, event.after) ? (
          <span className="strong" title={event.targetId ?? undefined}>
            {' '}
            {targetName(event.before, event.after)}
          </span>
        ) : (
          // A tenant has one SSO connection: its ID says nothing more.
          event.targetId && event.targetType !== 'sso_connection' && <span className="muted mono"> {event.targetId}</span>
        )}
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

/** Before/after side by side: changed fields, with unchanged ones collapsed behind a button. */
export function ChangeTable({ before, after }: { before: unknown; after: unknown }) {
  const [showAll, setShowAll] = useState(false);
  const rows = changeRows(before, after);
  if (rows.length === 0) return <p className="muted">No details recorded.</p>;
  const unchanged = rows.filter((r) => !r.changed).length;
  const shown = showAll ? rows : rows.filter((r) => r.changed);
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
          {shown.map((r) => (
            <tr key={r.field} className={r.changed ? 'changed' : undefined}>
              <th scope="row" className="mono">
                {r.field}
                {r.changed && <span className="visually-hidden"> (changed)</span>}
              </th>
              <td className="mono">{r.before === null ? <em className="muted">(none)</em> : r.before}</td>
              <td className="mono">{r.after === null ? <em className="muted">(none)</em> : r.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unchanged > 0 && (
        <button type="button" className="link" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Hide unchanged fields' : `Show ${unchanged} unchanged field${unchanged === 1 ? '' : 's'}`}
        </button>
      )}
    </div>
  );
}

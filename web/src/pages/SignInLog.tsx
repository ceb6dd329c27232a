// The SSO sign-in log: every attempt, with the reason in words and what was expected
// versus what the IdP sent, so an admin can fix the configuration.
import { useEffect, useState } from 'react';
import { gql } from '../api/client';
import { asApiError, useDebounced, useQuery } from '../api/hooks';
import { type LiveState, subscribeLive } from '../api/live';
import { SignInEventAddedSubscription, SignInEventsQuery, SignInReasonsQuery, UnattributedSignInEventsQuery } from '../api/operations';
import { SelectField, TextField } from '../components/Field';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { SignInEventFieldsFragment as SignInEvent, SignInEventFilter } from '../gql/graphql';
import { EXPORT_MAX_ROWS, collectPages, download, toCsv } from '../lib/csv';
import { formatDateTime } from '../lib/format';
import { useRouter } from '../router';

interface Events {
  nodes: SignInEvent[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

const PAGE_SIZE = 25;
/** New entries kept above the first page while the page is open. */
const LIVE_MAX = 200;

const FLOW_LABEL: Record<string, string> = {
  sp_initiated: 'Started here (SP-initiated)',
  idp_initiated: 'Started at the IdP (IdP-initiated)',
  test: 'Test sign-in',
  password: 'Password (console)',
};

/** The export's columns, in order. */
const CSV_HEADER = ['Time (UTC)', 'Outcome', 'User (NameID)', 'Reason code', 'Reason', 'Detail', 'Flow', 'Reference', 'IP address', 'User agent'];

export function signInCsvRow(e: SignInEvent): (string | null)[] {
  return [e.createdAt, e.success ? 'succeeded' : 'failed', e.nameId ?? null, e.reasonCode, e.reason, e.detail, e.flow, e.id, e.ip ?? null, e.userAgent ?? null];
}

function initialReference(path: string): string {
  const q = path.split('?')[1];
  return q ? (new URLSearchParams(q).get('reference') ?? '') : '';
}

/**
 * The sign-in log. `unattributed`: the operators' view of attempts that could not be tied
 * to any tenant (garbage posts, unknown issuers, unknown organisations).
 */
export function SignInLogPage({ unattributed = false }: { unattributed?: boolean }) {
  const { path } = useRouter();
  const [outcome, setOutcome] = useState<'all' | 'failed' | 'succeeded'>('all');
  const [reasonCode, setReasonCode] = useState('');
  const [user, setUser] = useState('');
  const [reference, setReference] = useState(() => initialReference(path));
  const [since, setSince] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [exporting, setExporting] = useState<string | null>(null);
  const settledUser = useDebounced(user.trim());
  const settledReference = useDebounced(reference.trim());
  const reasons = useQuery(SignInReasonsQuery, {});
  const filter = {
    success: outcome === 'all' ? null : outcome === 'succeeded',
    reasonCode: reasonCode || null,
    user: settledUser || null,
    reference: settledReference || null,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : null,
  };
  const vars = { first: PAGE_SIZE, after: cursors[cursors.length - 1], filter };
  const tenantLog = useQuery(SignInEventsQuery, vars, { skip: unattributed });
  const looseLog = useQuery(UnattributedSignInEventsQuery, vars, { skip: !unattributed });
  const query = unattributed ? looseLog : tenantLog;
  const events: Events | undefined = unattributed ? looseLog.data?.unattributedSignInEvents : tenantLog.data?.signInEvents;
  const loadPage = async (after: string | null): Promise<Events> =>
    unattributed
      ? (await gql(UnattributedSignInEventsQuery, { first: 200, after, filter })).unattributedSignInEvents
      : (await gql(SignInEventsQuery, { first: 200, after, filter })).signInEvents;
  const filtered = outcome !== 'all' || !!filter.reasonCode || !!filter.since || !!filter.user || !!filter.reference;
  const live = useLiveSignIns(!unattributed && cursors.length === 1 ? JSON.stringify(filter) : null);
  const shown = events ? mergeLive(live.events, events.nodes) : undefined;
  const restart = () => setCursors([null]);
  const title = unattributed ? 'Sign-ins without a tenant' : 'Sign-in log';

  const exportCsv = async () => {
    setExporting('Exporting…');
    try {
      const { rows, truncated } = await collectPages(loadPage, EXPORT_MAX_ROWS);
      download(`${unattributed ? 'sign-ins-without-tenant' : 'sign-in-log'}-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(CSV_HEADER, rows.map(signInCsvRow)));
      setExporting(truncated ? `Exported the newest ${EXPORT_MAX_ROWS} entries; narrow the filters for older ones.` : `Exported ${rows.length} ${rows.length === 1 ? 'entry' : 'entries'}.`);
    } catch (e) {
      setExporting(`The export failed: ${asApiError(e).message}`);
    }
  };

  return (
    <div className="page signin-log">
      <div className="page-head">
        <h1>{title}</h1>
        <span className="tools">
          {!unattributed && <LiveIndicator state={live.state} why={live.why} />}
          <button type="button" onClick={() => void exportCsv()} disabled={!events || events.nodes.length === 0 || exporting === 'Exporting…'}>
            Export CSV
          </button>
          <button type="button" onClick={() => void query.reload()} disabled={query.loading}>
            Refresh
          </button>
        </span>
      </div>
      <p className="lede">
        {unattributed
          ? 'Attempts Gatehouse could not tie to any organisation: no organisation named, an IdP issuer nobody has, or a post that could not be read. A reference from such an error page is found here.'
          : 'Every SSO and password sign-in attempt, newest first, with the reason when it failed. A reference from an error page finds its attempt.'}
      </p>
      {exporting && <p className="hint" role="status">{exporting}</p>}
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label={`Filter the ${title.toLowerCase()}`}>
        <TextField
          label="Reference"
          value={reference}
          placeholder="From the error page"
          spellCheck={false}
          onChange={(e) => {
            setReference(e.target.value);
            restart();
          }}
        />
        <TextField
          label="User"
          value={user}
          placeholder="Part of the e-mail"
          spellCheck={false}
          onChange={(e) => {
            setUser(e.target.value);
            restart();
          }}
        />
        <SelectField
          label="Outcome"
          value={outcome}
          onChange={(e) => {
            setOutcome(e.target.value as typeof outcome);
            restart();
          }}
        >
          <option value="all">All</option>
          <option value="failed">Failed</option>
          <option value="succeeded">Succeeded</option>
        </SelectField>
        <SelectField
          label="Reason"
          value={reasonCode}
          onChange={(e) => {
            setReasonCode(e.target.value);
            restart();
          }}
        >
          <option value="">Any reason</option>
          {(reasons.data?.signInReasons ?? []).map((r) => (
            <option key={r.code} value={r.code} title={r.description}>
              {reasonLabel(r.code)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Since"
          type="date"
          value={since}
          onChange={(e) => {
            setSince(e.target.value);
            restart();
          }}
        />
      </form>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!events && !query.error && <Loading what={`the ${title.toLowerCase()}`} />}
      {shown && shown.length === 0 && (
        <Empty title={filtered ? 'No sign-ins match these filters' : unattributed ? 'No attempts without a tenant' : 'No SSO sign-ins yet'}>
          {!filtered && !unattributed && <p>Attempts appear here as soon as users sign in through your identity provider, or you run Test SSO.</p>}
        </Empty>
      )}
      {shown && shown.length > 0 && (
        <ol className="event-list" aria-busy={query.loading}>
          {shown.map((e) => (
            <SignInEntry
              key={e.id}
              event={e}
              onReason={(code) => {
                setReasonCode(code);
                restart();
              }}
            />
          ))}
        </ol>
      )}
      {events && (cursors.length > 1 || events.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label={`Pages of the ${title.toLowerCase()}`}>
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

/**
 * New sign-ins of the tenant while the first page is open (`filterKey`: the filter as
 * JSON, or null when not watching). A new filter starts over; the page's own rows come
 * from the query, so only what arrived since is kept here.
 */
function useLiveSignIns(filterKey: string | null): { events: SignInEvent[]; state: LiveState; why?: string } {
  const [live, setLive] = useState<{ key: string | null; events: SignInEvent[]; state: LiveState; why?: string }>({
    key: filterKey,
    events: [],
    state: 'stopped',
  });
  if (live.key !== filterKey) setLive({ key: filterKey, events: [], state: filterKey ? 'connecting' : 'stopped' });
  useEffect(() => {
    if (filterKey === null) return;
    const filter = JSON.parse(filterKey) as SignInEventFilter;
    return subscribeLive(SignInEventAddedSubscription, { filter }, {
      next: (data) =>
        setLive((l) =>
          l.key !== filterKey || l.events.some((e) => e.id === data.signInEventAdded.id)
            ? l
            : { ...l, events: [data.signInEventAdded, ...l.events].slice(0, LIVE_MAX) },
        ),
      state: (state, why) => setLive((l) => (l.key === filterKey ? { ...l, state, why } : l)),
    });
  }, [filterKey]);
  return live;
}

/** Live rows above the page's rows, each once, newest first. */
export function mergeLive(live: SignInEvent[], page: SignInEvent[]): SignInEvent[] {
  const onPage = new Set(page.map((e) => e.id));
  const fresh = live.filter((e) => !onPage.has(e.id));
  return [...fresh, ...page].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

function LiveIndicator({ state, why }: { state: LiveState; why?: string }) {
  const label =
    state === 'live'
      ? 'Live'
      : state === 'connecting'
        ? 'Connecting…'
        : state === 'reconnecting'
          ? 'Reconnecting…'
          : why
            ? `Live updates off: ${why}`
            : 'Live updates off';
  return (
    <span className={`live-indicator live-${state}`} role="status" title="New sign-ins appear at the top while this page is open">
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** `unknown_user` → "Unknown user": the list reads as words, the code is in the entry. */
export function reasonLabel(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function SignInEntry({ event, onReason }: { event: SignInEvent; onReason?: (code: string) => void }) {
  return (
    <li className={event.success ? 'event signin ok' : 'event signin failed'}>
      <div className="event-head">
        <span>
          {event.success ? <span className="badge badge-ok">Succeeded</span> : <span className="badge badge-error">Failed</span>}{' '}
          <span className="strong">{event.nameId ?? (event.reasonCode === 'unknown_user' ? 'Unknown user' : 'No user named')}</span>
          {!event.userId && event.nameId && event.reasonCode === 'unknown_user' && <span className="muted"> (no matching user)</span>}
        </span>
        <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>
      </div>
      <p className="event-reason">{event.reason}</p>
      {event.detail && !event.success && <p className="event-detail">{event.detail}</p>}
      <dl className="event-meta">
        <div>
          <dt>Flow</dt>
          <dd>{FLOW_LABEL[event.flow] ?? event.flow}</dd>
        </div>
        {!event.success && (
          <div>
            <dt>Reason code</dt>
            <dd>
              {onReason ? (
                <button type="button" className="link mono" onClick={() => onReason(event.reasonCode)} title="Show only this reason">
                  {event.reasonCode}
                </button>
              ) : (
                <span className="mono">{event.reasonCode}</span>
              )}
            </dd>
          </div>
        )}
        {event.certificateFingerprint && (
          <div>
            <dt>Certificate</dt>
            <dd className="fingerprint">{event.certificateFingerprint}</dd>
          </div>
        )}
        {event.clockOffsetSeconds != null && Math.abs(event.clockOffsetSeconds) >= 1 && (
          <div>
            <dt>IdP clock</dt>
            <dd>
              {Math.abs(event.clockOffsetSeconds)} s {event.clockOffsetSeconds > 0 ? 'ahead of' : 'behind'} ours
            </dd>
          </div>
        )}
        {!event.success && (
          <div>
            <dt>Reference</dt>
            <dd className="mono">{event.id}</dd>
          </div>
        )}
        {event.ip && (
          <div>
            <dt>From</dt>
            <dd>
              {event.ip}
              {event.userAgent && <span className="muted"> · {shortAgent(event.userAgent)}</span>}
            </dd>
          </div>
        )}
      </dl>
    </li>
  );
}

/** "Chrome 131 on Windows"-ish, from a user-agent string; the raw string is too long to show. */
function shortAgent(ua: string): string {
  const browser = /Edg\/(\d+)/.exec(ua)
    ? `Edge ${/Edg\/(\d+)/.exec(ua)?.[1]}`
    : /Chrome\/(\d+)/.exec(ua)
      ? `Chrome ${/Chrome\/(\d+)/.exec(ua)?.[1]}`
      : /Firefox\/(\d+)/.exec(ua)
        ? `Firefox ${/Firefox\/(\d+)/.exec(ua)?.[1]}`
        : /Safari\//.test(ua)
          ? 'Safari'
          : ua.slice(0, 40);
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

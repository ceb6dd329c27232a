// The SSO sign-in log: every attempt, with the reason in words and what was expected
// versus what the IdP sent, so an admin can fix the configuration.
import { useState } from 'react';
import { useDebounced, useQuery } from '../api/hooks';
import { SignInEventsQuery } from '../api/operations';
import { SelectField, TextField } from '../components/Field';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { SignInEventFieldsFragment as SignInEvent } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

const PAGE_SIZE = 25;

const FLOW_LABEL: Record<string, string> = {
  sp_initiated: 'Started here (SP-initiated)',
  idp_initiated: 'Started at the IdP (IdP-initiated)',
  test: 'Test sign-in',
  password: 'Password (console)',
};

export function SignInLogPage() {
  const [outcome, setOutcome] = useState<'all' | 'failed' | 'succeeded'>('all');
  const [reasonCode, setReasonCode] = useState('');
  const [since, setSince] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const settledReason = useDebounced(reasonCode.trim());
  const filter = {
    success: outcome === 'all' ? null : outcome === 'succeeded',
    reasonCode: settledReason || null,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : null,
  };
  const query = useQuery(SignInEventsQuery, { first: PAGE_SIZE, after: cursors[cursors.length - 1], filter });
  const events = query.data?.signInEvents;
  const filtered = outcome !== 'all' || !!filter.reasonCode || !!filter.since;
  const restart = () => setCursors([null]);

  return (
    <div className="page signin-log">
      <div className="page-head">
        <h1>Sign-in log</h1>
        <button type="button" onClick={() => void query.reload()} disabled={query.loading}>
          Refresh
        </button>
      </div>
      <p className="lede">Every SSO and password sign-in attempt, newest first, with the reason when it failed.</p>
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the sign-in log">
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
        <TextField
          label="Reason code"
          value={reasonCode}
          placeholder="e.g. unknown_user"
          spellCheck={false}
          onChange={(e) => {
            setReasonCode(e.target.value);
            restart();
          }}
        />
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
      {!events && !query.error && <Loading what="the sign-in log" />}
      {events && events.nodes.length === 0 && (
        <Empty title={filtered ? 'No sign-ins match these filters' : 'No SSO sign-ins yet'}>
          {!filtered && <p>Attempts appear here as soon as users sign in through your identity provider, or you run Test SSO.</p>}
        </Empty>
      )}
      {events && events.nodes.length > 0 && (
        <ol className="event-list" aria-busy={query.loading}>
          {events.nodes.map((e) => (
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
        <nav className="pager" aria-label="Pages of the sign-in log">
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

export function SignInEntry({ event, onReason }: { event: SignInEvent; onReason?: (code: string) => void }) {
  return (
    <li className={event.success ? 'event signin ok' : 'event signin failed'}>
      <div className="event-head">
        <span>
          {event.success ? <span className="badge badge-ok">Succeeded</span> : <span className="badge badge-error">Failed</span>}{' '}
          <span className="strong">{event.nameId ?? 'unknown user'}</span>
          {!event.userId && event.nameId && <span className="muted"> (no matching user)</span>}
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

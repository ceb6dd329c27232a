// The top of Identity Management: the connection status card, the guided set-up for a
// tenant whose SSO is not on yet, and the chosen IdP's step-by-step guide (its words come
// from src/lib/guides/, one file per IdP).
import { useId, useMemo, useState } from 'react';
import type { IdentityManagementQuery, IdpProvider } from '../gql/graphql';
import { GUIDES, type SpValue } from '../lib/guides';
import { formatDateTime } from '../lib/format';
import { PROVIDERS } from '../lib/providers';
import type { ConnectionStatusData, SetupStep } from '../lib/setup';
import { Link } from '../router';
import { CopyValue } from './CopyButton';
import { MyIdpIdentity } from './MyIdpIdentity';

const HEALTH: Record<ConnectionStatusData['health'], { label: string; badge: string }> = {
  ACTIVE: { label: 'Active', badge: 'badge-ok' },
  NEEDS_ATTENTION: { label: 'Needs attention', badge: 'badge-warning' },
  OFF: { label: 'Off', badge: 'badge-info' },
};

export function StatusCard({ status }: { status: ConnectionStatusData }) {
  const h = HEALTH[status.health];
  return (
    <section className="card status-card" aria-labelledby="status-heading">
      <div className="status-head">
        <h2 id="status-heading">Connection status</h2>
        <span className={`badge ${h.badge}`}>{h.label}</span>
      </div>
      {status.attention.length > 0 && (
        <ul className="attention">
          {status.attention.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <dl className="status-facts">
        <div>
          <dt>Last successful sign-in</dt>
          <dd>
            {status.lastSuccess ? (
              <>
                {formatDateTime(status.lastSuccess.createdAt)}
                {status.lastSuccess.nameId && <span className="muted"> · {status.lastSuccess.nameId}</span>}
              </>
            ) : (
              'None yet'
            )}
          </dd>
        </div>
        <div>
          <dt>Last failure</dt>
          <dd>
            {status.lastFailure ? (
              <>
                {formatDateTime(status.lastFailure.createdAt)}: {status.lastFailure.reason}{' '}
                <Link to={`/sign-in-log?reference=${status.lastFailure.id}`}>Details</Link>
              </>
            ) : (
              'None'
            )}
          </dd>
        </div>
        <div>
          <dt>Certificate expires</dt>
          <dd>{status.certificateExpiresAt ? formatDateTime(status.certificateExpiresAt) : 'No valid certificate'}</dd>
        </div>
        <div>
          <dt>SCIM last activity</dt>
          <dd>{status.scimLastActivityAt ? formatDateTime(status.scimLastActivityAt) : 'No provisioning yet'}</dd>
        </div>
      </dl>
    </section>
  );
}

export function SetupSteps({ steps }: { steps: SetupStep[] }) {
  const done = steps.filter((s) => s.done).length;
  return (
    <section className="card setup-steps" aria-labelledby="setup-heading">
      <h2 id="setup-heading">Set up single sign-on</h2>
      <p className="hint">
        {done} of {steps.length} steps done. Nothing reaches your users until the last one.
      </p>
      <ol>
        {steps.map((s) => (
          <li key={s.id} className={s.done ? 'step done' : 'step'}>
            <span className={s.done ? 'badge badge-ok' : 'badge badge-info'}>{s.done ? 'Done' : 'To do'}</span>{' '}
            <span className="strong">{s.title}</span>
            <p className="hint">{s.note}</p>
            {s.id === 'user' && !s.done && <MyIdpIdentity />}
          </li>
        ))}
      </ol>
    </section>
  );
}

const VALUE_LABEL: Record<SpValue, string> = {
  entityId: 'Entity ID',
  acsUrl: 'Reply (ACS) URL',
  signOnUrl: 'Sign-on URL',
  metadataUrl: 'SP metadata URL',
  scimUrl: 'SCIM Tenant URL',
};

export function IdpGuide({ provider, sp }: { provider: IdpProvider; sp: IdentityManagementQuery['serviceProvider'] }) {
  const guide = GUIDES[provider];
  const id = useId();
  // Rendered once opened: a closed guide costs the form nothing while the admin types.
  const [open, setOpen] = useState(false);
  const value = (v: SpValue) => (v === 'scimUrl' ? sp.scimTenantUrl : sp[v]);
  const steps = (list: typeof guide.sso) => (
    <ol className="guide-steps">
      {list.map((s, i) => {
        const v = s.paste ? value(s.paste) : undefined;
        return (
          <li key={i}>
            <span className="strong">{s.where}</span>
            <p>{s.what}</p>
            {v && (
              <dl>
                <CopyValue label={`${VALUE_LABEL[s.paste ?? 'entityId']} (step ${i + 1})`} value={v} />
              </dl>
            )}
          </li>
        );
      })}
    </ol>
  );
  return (
    <details className="card idp-guide" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary id={id}>Step by step in {guide.title}</summary>
      {open && (
        <>
          <h3>Single sign-on</h3>
          {steps(guide.sso)}
          <h3>Provisioning (SCIM)</h3>
          {steps(guide.scim)}
        </>
      )}
    </details>
  );
}

/** The values to paste into the IdP, under the IdP's own names for them; visible from the start. */
export function ServiceProviderBox({ sp, provider }: { sp: IdentityManagementQuery['serviceProvider']; provider: IdpProvider }) {
  const info = PROVIDERS[provider];
  const headingId = useId();
  const labels = useMemo(() => info.spLabels, [info]);
  return (
    <section className="card sp-box" aria-labelledby={headingId}>
      <h2 id={headingId}>{info.spHeading}</h2>
      <dl>
        <CopyValue label={labels.entityId} value={sp.entityId} />
        <CopyValue label={labels.acsUrl} value={sp.acsUrl} />
        <CopyValue label={labels.signOnUrl} value={sp.signOnUrl} />
        <CopyValue label={labels.metadataUrl} value={sp.metadataUrl} hint="For IdPs that import SP metadata." />
      </dl>
    </section>
  );
}

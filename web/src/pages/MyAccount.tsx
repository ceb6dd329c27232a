// The page a signed-in user who is not an administrator lands on (after SSO, typically):
// who they are, their organisation, and signing out. No console navigation: there is
// nothing here for them to administer.
import { useEffect } from 'react';
import type { Me } from '../auth';

export function MyAccountPage({ me }: { me: Me }) {
  const organisation = me.tenant?.name ?? 'your organisation';
  useEffect(() => {
    document.title = `Your account · ${organisation} · Gatehouse`;
  }, [organisation]);
  return (
    <div className="account-page">
      <header className="topbar">
        <span className="brand">Gatehouse</span>
        {me.tenant && <span className="topbar-tenant">{me.tenant.name}</span>}
      </header>
      <main id="main" className="signin-page account-main">
        <div className="signin-card">
          <h1>You are signed in</h1>
          <p className="lede">
            Hello{me.displayName ? `, ${me.displayName}` : ''}. You can close this tab and go back to the application you
            were using.
          </p>
          <dl className="account-facts">
            <dt>Name</dt>
            <dd>{me.displayName || '—'}</dd>
            <dt>E-mail</dt>
            <dd>{me.email}</dd>
            <dt>Organisation</dt>
            <dd>
              {organisation}
              {me.tenant && <span className="muted"> ({me.tenant.slug})</span>}
            </dd>
          </dl>
          <p className="muted">
            Your account is managed by your organisation&apos;s administrators. Ask them if your name or e-mail is wrong.
          </p>
          {/* The server's sign-out ends the session here and, where the organisation has one, at its IdP. */}
          <form method="post" action="/logout">
            <button type="submit" className="primary wide">
              Sign out
            </button>
          </form>
        </div>
      </main>
    </div>
  );
}

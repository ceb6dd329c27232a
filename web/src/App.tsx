import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, gql, getOperatorTenant, onUnauthenticated, setOperatorTenant } from './api/client';
import { asApiError } from './api/hooks';
import { MeQuery, SignOutMutation } from './api/operations';
import { AuthContext, isOperator, type Me } from './auth';
import { Modal } from './components/ConfirmDialog';
import { ErrorBanner, Loading } from './components/States';
import { Shell } from './Shell';
import { Router } from './router';
import { SignInForm, SignInPage } from './pages/SignIn';

type Session =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'signed-out' }
  | { state: 'signed-in'; me: Me };

/** Asks the server who is signed in. */
async function whoIsSignedIn(): Promise<Session> {
  try {
    const { me } = await gql(MeQuery, {});
    return me ? { state: 'signed-in', me } : { state: 'signed-out' };
  } catch (e) {
    return { state: 'error', error: asApiError(e) };
  }
}

export function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [expired, setExpired] = useState(false);
  const [tenantSlug, setTenantSlug] = useState<string | null>(getOperatorTenant());

  useEffect(() => {
    void whoIsSignedIn().then(setSession);
  }, []);

  const retry = useCallback(() => {
    setSession({ state: 'loading' });
    void whoIsSignedIn().then(setSession);
  }, []);

  // A request that finds the session gone asks for the password again over the page,
  // so whatever the admin was editing stays on screen.
  useEffect(
    () =>
      onUnauthenticated(() => {
        setSession((s) => {
          if (s.state === 'signed-in') setExpired(true);
          return s;
        });
      }),
    [],
  );

  const chooseTenant = useCallback((slug: string | null) => {
    setOperatorTenant(slug);
    setTenantSlug(slug);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await gql(SignOutMutation, {});
    } catch {
      // Signed out already, or the server is away: either way forget the session here.
    }
    chooseTenant(null);
    setSession({ state: 'signed-out' });
  }, [chooseTenant]);

  const me = session.state === 'signed-in' ? session.me : null;
  const auth = useMemo(
    () =>
      me && {
        me,
        signOut: () => void signOut(),
        tenantSlug: isOperator(me) ? tenantSlug : (me.tenant?.slug ?? null),
        chooseTenant,
      },
    [me, signOut, tenantSlug, chooseTenant],
  );

  return (
    <Router>
      {session.state === 'loading' && (
        <main className="centered">
          <Loading what="the console" />
        </main>
      )}
      {session.state === 'error' && (
        <main className="centered">
          <ErrorBanner error={session.error} onRetry={retry} />
        </main>
      )}
      {session.state === 'signed-out' && (
        <SignInPage
          onSignedIn={(m) => {
            if (!isOperator(m)) chooseTenant(null);
            setSession({ state: 'signed-in', me: m });
          }}
        />
      )}
      {auth && (
        <AuthContext.Provider value={auth}>
          <Shell key={auth.tenantSlug ?? ''} />
          {expired && (
            <Modal title="Your session has ended" onClose={() => undefined}>
              <p>Sign in again to carry on; what you were editing is kept.</p>
              <SignInForm
                email={auth.me.email}
                tenant={auth.me.tenant?.slug}
                onSignedIn={(m) => {
                  setExpired(false);
                  if (m.id !== auth.me.id) setSession({ state: 'signed-in', me: m });
                }}
              />
            </Modal>
          )}
        </AuthContext.Provider>
      )}
    </Router>
  );
}

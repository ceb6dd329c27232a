import { useState } from 'react';
import type { ApiError } from '../api/client';
import { useMutation } from '../api/hooks';
import { SignInMutation } from '../api/operations';
import type { Me } from '../auth';
import { TextField } from '../components/Field';
import { Banner, ErrorBanner } from '../components/States';

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const params = new URLSearchParams(window.location.search);
  const [ssoTenant, setSsoTenant] = useState(params.get('tenant') ?? '');
  return (
    <main className="signin-page">
      <div className="signin-card">
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Gatehouse
        </h1>
        <p className="lede">Sign in to the admin console.</p>
        <SignInForm tenant={params.get('tenant') ?? undefined} onSignedIn={onSignedIn} />
        <div className="divider" role="separator">
          <span>or</span>
        </div>
        <form className="sso-start" method="get" action="/saml2/login">
          <TextField
            label="Organisation ID"
            name="tenant"
            value={ssoTenant}
            onChange={(e) => setSsoTenant(e.target.value)}
            required
            autoCapitalize="none"
            spellCheck={false}
            hint="The short name of your organisation in Gatehouse, e.g. contoso."
          />
          <button type="submit" className="secondary wide">
            Sign in with SSO
          </button>
        </form>
      </div>
    </main>
  );
}

/** E-mail and password; also used over the page when a session ends mid-edit. */
export function SignInForm({
  email: initialEmail = '',
  tenant,
  onSignedIn,
}: {
  email?: string;
  tenant?: string;
  onSignedIn: (me: Me) => void;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [tenantValue, setTenantValue] = useState(tenant ?? '');
  const [askTenant, setAskTenant] = useState(false);
  const signIn = useMutation(SignInMutation);
  const err: ApiError | undefined = signIn.error;
  const fieldError = (f: string) => err?.fieldMessage(f);
  const general = err && !err.fields.some((f) => ['email', 'password', 'tenant'].includes(f.field)) ? err : undefined;
  const throttled = general?.code === 'RATE_LIMITED' ? general : undefined;

  return (
    <form
      className="signin-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const { signIn: result } = await signIn.run({ email, password, tenant: tenantValue.trim() || null });
          setPassword('');
          onSignedIn(result.me);
        } catch (e) {
          // Shown below; an e-mail in several tenants needs the tenant named.
          if ((e as ApiError).fieldMessage?.('tenant')) setAskTenant(true);
        }
      }}
    >
      {throttled ? (
        <Banner kind="error">
          <p>
            Too many sign-in attempts. For your account&apos;s safety, wait {waitText(throttled.retryAfterSeconds)} and
            try again.
          </p>
        </Banner>
      ) : (
        <ErrorBanner error={general} />
      )}
      <TextField
        label="E-mail"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fieldError('email')}
        required
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldError('password')}
        required
      />
      {askTenant && (
        <TextField
          label="Organisation ID"
          value={tenantValue}
          onChange={(e) => setTenantValue(e.target.value)}
          error={fieldError('tenant')}
          autoCapitalize="none"
          spellCheck={false}
          required
        />
      )}
      <button type="submit" className="primary wide" disabled={signIn.running}>
        {signIn.running ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

/** "a second", "40 seconds", "3 minutes": how long a throttled sign-in must wait. */
function waitText(seconds: number | undefined): string {
  if (!seconds || seconds <= 1) return 'a second';
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

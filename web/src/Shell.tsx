// The signed-in frame: header, navigation, and the page for the current path.
import { useEffect, useState } from 'react';
import { useQuery } from './api/hooks';
import { TenantsQuery } from './api/operations';
import { isOperator, useAuth } from './auth';
import { CertificateExpiryBanner } from './components/CertificateRollover';
import { Empty } from './components/States';
import { Link, useRouter } from './router';
import { ApiTokensPage } from './pages/ApiTokens';
import { AuditLogPage } from './pages/AuditLog';
import { DomainsPage } from './pages/Domains';
import { GroupsPage } from './pages/Groups';
import { IdentityManagementPage } from './pages/IdentityManagement';
import { ProvisioningPage } from './pages/Provisioning';
import { SignInLogPage } from './pages/SignInLog';
import { TenantsPage } from './pages/Tenants';
import { UsersPage } from './pages/Users';
import { MyAccountPage } from './pages/MyAccount';
import { WebhooksPage } from './pages/Webhooks';

interface Page {
  path: string;
  title: string;
  operatorOnly?: boolean;
  /** Needs a tenant (operators must pick one first). */
  tenant?: boolean;
  render: () => React.ReactElement;
}

export const PAGES: Page[] = [
  { path: '/identity', title: 'Identity Management', tenant: true, render: () => <IdentityManagementPage /> },
  { path: '/domains', title: 'Domains & SSO enforcement', tenant: true, render: () => <DomainsPage /> },
  { path: '/provisioning', title: 'Provisioning (SCIM)', tenant: true, render: () => <ProvisioningPage /> },
  { path: '/users', title: 'Users', tenant: true, render: () => <UsersPage /> },
  { path: '/groups', title: 'Groups', tenant: true, render: () => <GroupsPage /> },
  { path: '/sign-in-log', title: 'Sign-in log', tenant: true, render: () => <SignInLogPage /> },
  { path: '/audit-log', title: 'Audit log', tenant: true, render: () => <AuditLogPage /> },
  { path: '/api-tokens', title: 'API tokens', tenant: true, render: () => <ApiTokensPage /> },
  { path: '/webhooks', title: 'Webhooks', tenant: true, render: () => <WebhooksPage /> },
  { path: '/tenants', title: 'Tenants', operatorOnly: true, render: () => <TenantsPage /> },
  {
    path: '/sign-ins-without-tenant',
    title: 'Sign-ins without a tenant',
    operatorOnly: true,
    render: () => <SignInLogPage unattributed />,
  },
];

export function Shell() {
  const { me } = useAuth();
  const canAdmin = isOperator(me) || me.role === 'TENANT_ADMIN';
  // A user who is not an administrator gets a page of their own, not the console.
  return canAdmin ? <AdminShell /> : <MyAccountPage me={me} />;
}

function AdminShell() {
  const { me, signOut, tenantSlug } = useAuth();
  const { path, navigate, confirmLeave } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const operator = isOperator(me);
  const pages = PAGES.filter((p) => !p.operatorOnly || operator);
  const pathname = path.split('?')[0];
  const page = pages.find((p) => p.path === pathname);

  useEffect(() => {
    if (pathname === '/' || pathname === '/index.html') navigate(operator ? '/tenants' : '/identity', { replace: true });
  }, [pathname, operator, navigate]);

  useEffect(() => {
    document.title = page ? `${page.title} · Gatehouse` : 'Gatehouse admin console';
  }, [page]);

  // Another page closes the menu (adjusted while rendering, not in an effect after it).
  const [menuPage, setMenuPage] = useState(page);
  if (menuPage !== page) {
    setMenuPage(page);
    setMenuOpen(false);
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <Link to="/" className="brand">
          Gatehouse
        </Link>
        <div className="topbar-tenant">{operator ? <TenantPicker /> : <span>{me.tenant?.name}</span>}</div>
        <div className="topbar-user">
          <span className="who" title={me.email}>
            {me.email}
          </span>
          <button type="button" onClick={() => confirmLeave(signOut)}>
            Sign out
          </button>
        </div>
      </header>
      <div className="frame">
        <nav id="nav" aria-label="Console" className={menuOpen ? 'nav open' : 'nav'}>
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <Link to={p.path} aria-current={p.path === pathname ? 'page' : undefined}>
                  {p.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {(!operator || tenantSlug) && <CertificateExpiryBanner key={`${tenantSlug ?? ''}${pathname}`} />}
          {!page ? (
            pathname === '/' ? null : (
              <>
                <h1>Page not found</h1>
                <Empty title="Nothing lives at this address">
                  <p>
                    <Link to="/">Go to the start page</Link>
                  </p>
                </Empty>
              </>
            )
          ) : page.tenant && !tenantSlug ? (
            <>
              <h1>{page.title}</h1>
              <Empty title="Choose a tenant first">
                <p>
                  As a platform operator you act on one tenant at a time: pick it in the bar at the top, or from the{' '}
                  <Link to="/tenants">Tenants</Link> page.
                </p>
              </Empty>
            </>
          ) : (
            page.render()
          )}
        </main>
      </div>
    </div>
  );
}

function TenantPicker() {
  const { tenantSlug, chooseTenant } = useAuth();
  const { confirmLeave } = useRouter();
  // The largest page the API gives; beyond it, the Tenants page pages through them all.
  const tenants = useQuery(TenantsQuery, { first: 200 });
  return (
    <label className="tenant-picker">
      <span>Acting on tenant</span>
      <select
        value={tenantSlug ?? ''}
        disabled={tenants.loading && !tenants.data}
        onChange={(e) => {
          const slug = e.target.value || null;
          confirmLeave(() => chooseTenant(slug));
        }}
      >
        <option value="">— none —</option>
        {tenantSlug && !tenants.data?.tenants.nodes.some((t) => t.slug === tenantSlug) && (
          <option value={tenantSlug}>{tenantSlug}</option>
        )}
        {tenants.data?.tenants.nodes.map((t) => (
          <option key={t.id} value={t.slug}>
            {t.name} ({t.slug})
          </option>
        ))}
      </select>
    </label>
  );
}

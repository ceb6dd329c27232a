import { useState } from 'react';
import { asApiError, useDebounced, useMutation, useQuery } from '../api/hooks';
import type { LoginPolicy } from '../gql/graphql';
import { CreateTenantMutation, SetTenantDevModeMutation, TenantsQuery } from '../api/operations';
import { useAuth } from '../auth';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { TextField } from '../components/Field';
import { Pager, useCursors } from '../components/Pager';
import { Banner, Empty, ErrorBanner, Loading } from '../components/States';
import { formatDate } from '../lib/format';
import { useRouter, useUnsavedChangesGuard } from '../router';

const PAGE_SIZE = 50;

const POLICY_LABEL: Record<LoginPolicy, string> = { PASSWORD: 'passwords only', SSO: 'SSO only', PASSWORD_OR_SSO: 'SSO or password' };

export function TenantsPage() {
  const cursors = useCursors();
  const [searchInput, setSearchInput] = useState('');
  const search = useDebounced(searchInput.trim());
  const [searched, setSearched] = useState(search);
  if (searched !== search) {
    setSearched(search);
    cursors.reset();
  }
  const query = useQuery(TenantsQuery, { first: PAGE_SIZE, after: cursors.after, search: search || null });
  const { tenantSlug, chooseTenant } = useAuth();
  const { confirmLeave, navigate } = useRouter();
  const create = useMutation(CreateTenantMutation);
  const devMode = useMutation(SetTenantDevModeMutation);
  const empty = { slug: '', name: '', adminEmail: '', adminPassword: '' };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState<{ slug: string; adminEmail: string; password: string | null } | null>(null);
  const [devModeError, setDevModeError] = useState<string | null>(null);
  const [confirmHttp, setConfirmHttp] = useState<string | null>(null);
  const setHttp = async (id: string, slug: string, enabled: boolean) => {
    setDevModeError(null);
    try {
      const { setTenantDevMode } = await devMode.run({ slug, enabled });
      query.setData(
        (d) =>
          d && {
            tenants: {
              ...d.tenants,
              nodes: d.tenants.nodes.map((x) => (x.id === id ? { ...x, devMode: setTenantDevMode.devMode } : x)),
            },
          },
      );
    } catch (error) {
      setDevModeError(asApiError(error).message);
    }
  };
  const dirty = Object.values(form).some(Boolean);
  useUnsavedChangesGuard(dirty, 'The new tenant is not created yet. If you leave now, what you typed is lost.');
  useUnsavedChangesGuard(
    !!created?.password,
    'The generated admin password is shown only on this page. If you leave before copying it, it cannot be shown again.',
  );
  const err = (f: string) => create.error?.fieldMessage(f);
  const tenants = query.data?.tenants.nodes;

  return (
    <div className="page tenants">
      <div className="page-head">
        <h1>Tenants</h1>
      </div>
      <p className="lede">Each tenant is one customer organisation with its own users, SSO connection and logs.</p>

      {created && (
        <Banner kind="success">
          <p>
            Created tenant <strong>{created.slug}</strong> with admin {created.adminEmail}.
          </p>
          {created.password && (
            <div className="secret">
              <span>Admin password (shown this once):</span> <code aria-label="Generated admin password">{created.password}</code>
              <CopyButton value={created.password} what="the admin password" />
            </div>
          )}
          <button type="button" onClick={() => setCreated(null)}>
            {created.password ? 'I have copied it' : 'Done'}
          </button>
        </Banner>
      )}

      <section className="card" aria-labelledby="new-tenant-heading">
        <h2 id="new-tenant-heading">Create a tenant</h2>
        <form
          className="grid-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const { createTenant } = await create.run({
                input: {
                  slug: form.slug.trim(),
                  name: form.name.trim(),
                  adminEmail: form.adminEmail.trim(),
                  adminPassword: form.adminPassword || null,
                },
              });
              setCreated({
                slug: createTenant.tenant.slug,
                adminEmail: createTenant.admin.email,
                password: createTenant.generatedAdminPassword ?? null,
              });
              setForm(empty);
              void query.reload();
            } catch {
              // Shown next to the fields.
            }
          }}
        >
          <ErrorBanner error={create.error && !create.error.fields.length ? create.error : undefined} />
          <TextField
            label="Short name (slug)"
            value={form.slug}
            spellCheck={false}
            autoCapitalize="none"
            placeholder="contoso"
            hint="Lower-case letters, digits and dashes; used in URLs such as /scim/v2/<slug>."
            error={err('slug')}
            onChange={(e) => setForm({ ...form, slug: e.target.value })}
          />
          <TextField label="Name" value={form.name} placeholder="Contoso Ltd" error={err('name')} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <TextField
            label="First admin's e-mail"
            type="email"
            value={form.adminEmail}
            error={err('adminEmail')}
            onChange={(e) => setForm({ ...form, adminEmail: e.target.value })}
          />
          <TextField
            label="First admin's password"
            optional
            type="password"
            autoComplete="new-password"
            value={form.adminPassword}
            error={err('adminPassword')}
            hint="Leave empty to have one generated and shown once."
            onChange={(e) => setForm({ ...form, adminPassword: e.target.value })}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={create.running}>
              {create.running ? 'Creating…' : 'Create tenant'}
            </button>
          </div>
        </form>
      </section>

      <h2>All tenants</h2>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {devModeError && <Banner kind="error">{devModeError}</Banner>}
      {confirmHttp && (
        <ConfirmDialog
          title={`Allow http IdP URLs for ${confirmHttp}?`}
          confirmLabel="Allow http IdP URLs"
          danger
          onCancel={() => setConfirmHttp(null)}
          onConfirm={() => {
            const slug = confirmHttp;
            setConfirmHttp(null);
            const t = query.data?.tenants.nodes.find((x) => x.slug === slug);
            if (t) void setHttp(t.id, slug, true);
          }}
        >
          <p>
            The tenant&rsquo;s admins will be able to save IdP Login and Logout URLs that start with http://, so sign-in
            requests travel unencrypted. Use this only for a test IdP on a private network, and turn it off again afterwards.
          </p>
        </ConfirmDialog>
      )}
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Search tenants"
          type="search"
          value={searchInput}
          onChange={(e) => setSearchInput(e.target.value)}
          placeholder="Short name or name"
        />
      </form>
      {!tenants && !query.error && <Loading what="tenants" />}
      {tenants && tenants.length === 0 && <Empty title={search ? `No tenant matches \u201c${search}\u201d` : 'No tenants yet'} />}
      {tenants && tenants.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">SSO</th>
                <th scope="col">Users</th>
                <th scope="col">Created</th>
                <th scope="col">Dev mode</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((t) => (
                <tr key={t.id}>
                  <td data-label="Tenant">
                    <div className="strong">{t.name}</div>
                    <div className="muted mono">{t.slug}</div>
                  </td>
                  <td data-label="SSO">
                    {t.ssoEnabled ? (
                      <span className="badge badge-ok">On{t.loginPolicy ? `, ${POLICY_LABEL[t.loginPolicy]}` : ''}</span>
                    ) : (
                      <span className="badge badge-info">Off</span>
                    )}
                  </td>
                  <td data-label="Users">{t.userCount}</td>
                  <td data-label="Created">{formatDate(t.createdAt)}</td>
                  <td data-label="Dev mode">
                    <label className="inline-check">
                      <input
                        type="checkbox"
                        checked={t.devMode}
                        aria-label={`Allow http IdP URLs for ${t.slug}`}
                        disabled={devMode.running}
                        onChange={(e) => {
                          // Turning it on weakens the tenant's SSO: ask first. Turning it off is safe.
                          if (e.target.checked) setConfirmHttp(t.slug);
                          else void setHttp(t.id, t.slug, false);
                        }}
                      />
                      <span>Allow http IdP URLs</span>
                    </label>
                  </td>
                  <td className="row-actions">
                    {tenantSlug === t.slug ? (
                      <span className="badge badge-info">Acting on it</span>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Manage ${t.slug}`}
                        onClick={() =>
                          confirmLeave(() => {
                            chooseTenant(t.slug);
                            navigate('/identity');
                          })
                        }
                      >
                        Manage
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.data && <Pager label="Pages of tenants" cursors={cursors} pageInfo={query.data.tenants.pageInfo} />}
    </div>
  );
}

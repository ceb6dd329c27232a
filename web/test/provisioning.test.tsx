import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { ApiTokensPage } from '../src/pages/ApiTokens';
import { ProvisioningPage } from '../src/pages/Provisioning';
import { Router } from '../src/router';
import { mockGraphql } from './helpers';

const TENANT_URL = 'https://gatehouse.example.com/scim/v2/contoso';

const token = (id: string, prefix: string, revokedAt: string | null = null) => ({
  id,
  prefix,
  createdBy: 'admin@contoso.example.com',
  createdAt: '2026-11-26T10:00:00Z',
  lastUsedAt: null,
  revokedAt,
});

function renderPage() {
  return render(
    <Router>
      <ProvisioningPage />
    </Router>,
  );
}

describe('Provisioning (SCIM)', () => {
  test('shows the Tenant URL and a new Secret Token once, guarded until copied', async () => {
    const tokens: ReturnType<typeof token>[] = [];
    const calls = mockGraphql({
      Provisioning: () => ({ data: { serviceProvider: { scimTenantUrl: TENANT_URL }, tenant: { scimManagesAdmins: false }, scimTokens: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: tokens } } }),
      CreateScimToken: () => {
        tokens.push(token('s1', 'gh_scim_Ab12'));
        return { data: { createScimToken: { token: 'gh_scim_Ab12-the-whole-secret', tenantUrl: TENANT_URL, scimToken: tokens[0] } } };
      },
    });
    renderPage();
    const credentials = await screen.findByRole('region', { name: 'Admin Credentials' });
    expect(within(credentials).getByText(TENANT_URL, { selector: 'code' })).toBeInTheDocument();
    expect(within(credentials).getByRole('button', { name: 'Copy Tenant URL' })).toBeInTheDocument();
    expect(screen.getByText('No Secret Tokens yet')).toBeInTheDocument();
    expect(screen.getByText('No token is live yet: create one and paste it into your IdP.')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Create a Secret Token' }));
    const once = await screen.findByRole('region', { name: 'Your new Secret Token' });
    expect(within(once).getByLabelText('New Secret Token')).toHaveTextContent(/^gh_scim_Ab12-the-whole-secret$/);
    expect(within(once).getByText('Copy it now: it is shown this once, and cannot be shown again.')).toBeInTheDocument();
    expect(within(once).getByRole('button', { name: 'Copy the new Secret Token' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create a Secret Token' })).toBeNull();
    const row = screen.getByRole('row', { name: /gh_scim_Ab12…/ });
    expect(within(row).getByText('Active')).toBeInTheDocument();
    expect(within(row).getByText('Never')).toBeInTheDocument();
    expect(screen.getByText('1 live token. Tokens are shown only when created; create a new one if you need it again.')).toBeInTheDocument();

    // Leaving while the secret is on screen asks first.
    await userEvent.click(screen.getByRole('link', { name: 'Users' }));
    const leave = screen.getByRole('dialog', { name: 'Leave without saving?' });
    expect(leave).toHaveTextContent(
      'Your new Secret Token is shown only on this page. If you leave before copying it into your IdP, it cannot be shown again.',
    );
    await userEvent.click(within(leave).getByRole('button', { name: 'Stay on this page' }));
    expect(window.location.pathname).toBe('/');

    await userEvent.click(within(once).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('gh_scim_Ab12-the-whole-secret')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Your new Secret Token' })).toBeNull();
    // Dismissed: no guard any more.
    await userEvent.click(screen.getByRole('link', { name: 'Users' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(window.location.pathname).toBe('/users');
    expect(calls.map((c) => c.operation)).toEqual(['Provisioning', 'CreateScimToken']);
  });

  test('rotate asks first, shows the new token once and the old one as revoked', async () => {
    let tokens = [token('s1', 'gh_scim_Old1')];
    const calls = mockGraphql({
      Provisioning: () => ({ data: { serviceProvider: { scimTenantUrl: TENANT_URL }, tenant: { scimManagesAdmins: false }, scimTokens: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: tokens } } }),
      RotateScimToken: () => {
        const fresh = token('s2', 'gh_scim_New2');
        tokens = [token('s1', 'gh_scim_Old1', '2026-11-27T09:00:00Z'), fresh];
        return { data: { rotateScimToken: { token: 'gh_scim_New2-secret', tenantUrl: TENANT_URL, scimToken: fresh } } };
      },
    });
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Rotate gh_scim_Old1…' }));
    const dialog = screen.getByRole('dialog', { name: 'Rotate gh_scim_Old1…?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.operation === 'RotateScimToken')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Rotate gh_scim_Old1…' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate token' }));
    const once = await screen.findByRole('region', { name: 'The new Secret Token replacing gh_scim_Old1…' });
    expect(within(once).getByLabelText('New Secret Token')).toHaveTextContent(/^gh_scim_New2-secret$/);
    expect(once).toHaveTextContent('Paste it into your IdP as the Secret Token; the old token gh_scim_Old1… has stopped working.');
    expect(calls.find((c) => c.operation === 'RotateScimToken')?.variables).toEqual({ id: 's1' });
    const old = await screen.findByRole('row', { name: /gh_scim_Old1… .*Revoked/ });
    expect(within(old).queryByRole('button')).toBeNull();
    const fresh = screen.getByRole('row', { name: /gh_scim_New2…/ });
    expect(within(fresh).getByText('Active')).toBeInTheDocument();
    // Newest first.
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0].textContent)).toEqual(['gh_scim_New2…', 'gh_scim_Old1…']);
  });

  test('revoke asks first, then shows the token as revoked', async () => {
    let revoked: unknown = null;
    mockGraphql({
      Provisioning: () => ({ data: { serviceProvider: { scimTenantUrl: TENANT_URL }, tenant: { scimManagesAdmins: false }, scimTokens: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [token('s1', 'gh_scim_Ab12')] } } }),
      RevokeScimToken: (v) => {
        revoked = v.id;
        return { data: { revokeScimToken: { id: v.id, revokedAt: '2026-11-27T09:00:00Z' } } };
      },
    });
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke gh_scim_Ab12…' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke gh_scim_Ab12…?' });
    expect(dialog).toHaveTextContent('Your IdP can no longer provision with this token');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(revoked).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke gh_scim_Ab12…' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(revoked).toBe('s1');
    const row = screen.getByRole('row', { name: /gh_scim_Ab12…/ });
    expect(within(row).getByText(/^Revoked /)).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: 'Rotate gh_scim_Ab12…' })).toBeNull();
    expect(screen.getByText('No token is live yet: create one and paste it into your IdP.')).toBeInTheDocument();
  });
});

describe('API tokens (the same one-time secret)', () => {
  test('the new token is shown once, with its name, until copied', async () => {
    mockGraphql({
      ApiTokens: () => ({ data: { apiTokens: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }),
      CreateApiToken: (v) => ({
        data: {
          createApiToken: {
            token: 'gh_api_the-secret',
            apiToken: { ...token('a1', 'gh_api_th'), name: v.name },
          },
        },
      }),
    });
    render(
      <Router>
        <ApiTokensPage />
      </Router>,
    );
    await userEvent.type(await screen.findByLabelText('Token name'), 'deploy script');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const once = await screen.findByRole('region', { name: 'Your new token “deploy script”' });
    expect(within(once).getByLabelText('New API token')).toHaveTextContent(/^gh_api_the-secret$/);
    expect(within(once).getByRole('button', { name: 'Copy the new API token' })).toBeInTheDocument();
    await userEvent.click(within(once).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('gh_api_the-secret')).toBeNull();
  });

  test('lets an admin allow SCIM to manage tenant admins, off by default, and shows a refusal', async () => {
    let allowed = false;
    let refuse = false;
    const calls = mockGraphql({
      Provisioning: () => ({
        data: { serviceProvider: { scimTenantUrl: TENANT_URL }, tenant: { scimManagesAdmins: allowed }, scimTokens: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
      }),
      SetScimManagesAdmins: (v) => {
        if (refuse) return { errors: [{ message: 'you need to be a tenant admin', extensions: { code: 'FORBIDDEN' } }] };
        allowed = Boolean(v.enabled);
        return { data: { setScimManagesAdmins: { scimManagesAdmins: allowed } } };
      },
    });
    renderPage();
    const admins = await screen.findByRole('region', { name: 'Tenant admins' });
    const box = within(admins).getByRole('checkbox', { name: 'Allow SCIM to manage tenant admins' });
    expect(box).not.toBeChecked();
    expect(admins).toHaveTextContent('The last active tenant admin can never be removed, by anyone.');

    await userEvent.click(box);
    await waitFor(() => expect(box).toBeChecked());
    expect(calls.at(-1)).toEqual({ operation: 'SetScimManagesAdmins', variables: { enabled: true } });

    refuse = true;
    await userEvent.click(box);
    expect(await within(admins).findByText(/need to be a tenant admin/)).toBeInTheDocument();
    expect(box).toBeChecked();
  });
});

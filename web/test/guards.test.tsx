import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { AuthContext, type Me } from '../src/auth';
import { UsersPage } from '../src/pages/Users';
import { Router } from '../src/router';
import { mockGraphql } from './helpers';

const me: Me = { id: 'u1', email: 'admin@contoso.com', displayName: 'Admin', role: 'TENANT_ADMIN', tenant: { slug: 'contoso', name: 'Contoso' } };

const user = (id: string, email: string, status = 'ACTIVE') => ({
  id,
  email,
  displayName: null,
  federationId: email,
  role: id === 'u1' ? 'TENANT_ADMIN' : 'USER',
  status,
  hasPassword: false,
  createdAt: '2026-11-26T10:00:00Z',
  updatedAt: '2026-11-26T10:00:00Z',
  groups: { pageInfo: { hasNextPage: false }, nodes: [] },
});

function renderUsers() {
  return render(
    <AuthContext.Provider value={{ me, signOut: () => {}, tenantSlug: 'contoso', chooseTenant: () => {} }}>
      <Router>
        <UsersPage />
      </Router>
    </AuthContext.Provider>,
  );
}

describe('risky actions', () => {
  test('your own account offers neither suspend nor delete', async () => {
    mockGraphql({
      Users: () => ({
        data: { users: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [user('u1', 'admin@contoso.com'), user('u2', 'bob@contoso.com')] } },
      }),
    });
    renderUsers();
    await screen.findByRole('button', { name: 'Suspend bob@contoso.com' });
    expect(screen.queryByRole('button', { name: 'Suspend admin@contoso.com' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete admin@contoso.com' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete bob@contoso.com' })).toBeInTheDocument();
  });

  test('suspending asks first and says the sessions end at once', async () => {
    let suspended: unknown = null;
    mockGraphql({
      Users: () => ({ data: { users: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [user('u2', 'bob@contoso.com')] } } }),
      SuspendUser: (v) => {
        suspended = v.id;
        return { data: { suspendUser: user('u2', 'bob@contoso.com', 'SUSPENDED') } };
      },
    });
    renderUsers();
    await userEvent.click(await screen.findByRole('button', { name: 'Suspend bob@contoso.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend bob@contoso.com?' });
    expect(dialog).toHaveTextContent('Their sessions end at once');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(suspended).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Suspend bob@contoso.com' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Suspend' }));
    expect(await screen.findByText('bob@contoso.com is now suspended.')).toBeInTheDocument();
    expect(suspended).toBe('u2');
  });
});

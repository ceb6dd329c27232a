import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { App } from '../src/App';
import { UsersPage } from '../src/pages/Users';
import { Router } from '../src/router';
import { mockGraphql } from './helpers';

const me = {
  id: 'u1',
  email: 'admin@contoso.example.com',
  displayName: 'Admin',
  role: 'TENANT_ADMIN',
  tenant: { slug: 'contoso', name: 'Contoso' },
};

const unauthenticated = { errors: [{ message: 'sign in first', extensions: { code: 'UNAUTHENTICATED' } }] };

describe('signing in', () => {
  test('a wrong password is reported, and SSO starts at /saml2/login with the tenant', async () => {
    mockGraphql({
      Me: () => ({ data: { me: null } }),
      SignIn: () => ({ errors: [{ message: 'wrong e-mail or password', extensions: { code: 'UNAUTHENTICATED' } }] }),
    });
    render(<App />);
    await userEvent.type(await screen.findByLabelText('E-mail'), me.email);
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('wrong e-mail or password');

    const sso = screen.getByRole('button', { name: 'Sign in with SSO' }).closest('form') as HTMLFormElement;
    expect(sso.getAttribute('action')).toBe('/saml2/login');
    expect(sso.getAttribute('method')).toBe('get');
    expect(within(sso).getByLabelText('Organisation ID')).toHaveAttribute('name', 'tenant');
  });

  test('when the session ends mid-edit, signing in again happens over the page', async () => {
    let signedIn = false;
    mockGraphql({
      Me: () => ({ data: { me } }),
      IdentityManagement: () => unauthenticated,
      CertificateWarnings: () => unauthenticated,
      SignIn: () => {
        signedIn = true;
        return { data: { signIn: { me } } };
      },
    });
    window.history.replaceState(null, '', '/identity');
    render(<App />);
    const dialog = await screen.findByRole('dialog', { name: 'Your session has ended' });
    expect(within(dialog).getByLabelText('E-mail')).toHaveValue(me.email);
    await userEvent.type(within(dialog).getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(signedIn).toBe(true);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Identity Management' })).toBeInTheDocument();
  });
});

describe('users', () => {
  const user = {
    id: 'u2',
    email: 'b.simon@contoso.com',
    displayName: 'B.Simon',
    federationId: 'B.Simon@contoso.com',
    role: 'USER',
    status: 'ACTIVE',
    hasPassword: false,
    createdAt: '2026-11-26T10:00:00Z',
    updatedAt: '2026-11-26T10:00:00Z',
    groups: { pageInfo: { hasNextPage: false }, nodes: [] as { id: string; displayName: string }[] },
  };

  test('deleting asks for confirmation first', async () => {
    let deleted: unknown = null;
    mockGraphql({
      Users: () => ({ data: { users: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: deleted ? [] : [user] } } }),
      DeleteUser: (v) => {
        deleted = v.id;
        return { data: { deleteUser: { id: v.id } } };
      },
    });
    render(
      <Router>
        <UsersPage />
      </Router>,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Delete b.simon@contoso.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete b.simon@contoso.com?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(deleted).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Delete b.simon@contoso.com' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete user' }));
    expect(deleted).toBe('u2');
    expect(await screen.findByText('Deleted b.simon@contoso.com.')).toBeInTheDocument();
    expect(await screen.findByText('No users yet')).toBeInTheDocument();
  });

  test('an empty search says nothing matched', async () => {
    mockGraphql({
      Users: (v) => ({
        data: { users: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: v.search ? [] : [user] } },
      }),
    });
    render(
      <Router>
        <UsersPage />
      </Router>,
    );
    await screen.findByText('B.Simon');
    await userEvent.type(screen.getByLabelText('Search users'), 'zz');
    expect(await screen.findByText('No user matches “zz”')).toBeInTheDocument();
  });
});

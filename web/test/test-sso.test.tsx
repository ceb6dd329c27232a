import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SLOW_AFTER_MS, TestSso } from '../src/components/SsoTools';
import { Router } from '../src/router';
import { mockGraphql } from './helpers';

const noEvents = () => ({ data: { signInEvents: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } });

function fakeTab() {
  const tab = { location: { href: 'about:blank' }, close: vi.fn() };
  vi.stubGlobal('open', vi.fn(() => tab));
  return tab;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Test SSO', () => {
  test('"Open it again" asks for a fresh one-time URL instead of reusing the used one', async () => {
    let n = 0;
    const calls = mockGraphql({
      TestSsoConnection: () => ({ data: { testSsoConnection: { url: `http://gh/saml2/test?token=t${++n}` } } }),
      SignInEvents: noEvents,
    });
    const tab = fakeTab();
    render(
      <Router>
        <TestSso unsavedChanges={false} />
      </Router>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Test SSO' }));
    await screen.findByText(/opened in a new tab/);
    expect(tab.location.href).toBe('http://gh/saml2/test?token=t1');
    await userEvent.click(screen.getByRole('button', { name: 'Open it again' }));
    await vi.waitFor(() => expect(tab.location.href).toBe('http://gh/saml2/test?token=t2'));
    expect(calls.filter((c) => c.operation === 'TestSsoConnection')).toHaveLength(2);
  });

  test('after a minute without a result it says what usually causes it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    mockGraphql({
      TestSsoConnection: () => ({ data: { testSsoConnection: { url: 'http://gh/saml2/test?token=t' } } }),
      SignInEvents: noEvents,
    });
    fakeTab();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    render(
      <Router>
        <TestSso unsavedChanges={false} />
      </Router>,
    );
    await user.click(screen.getByRole('button', { name: 'Test SSO' }));
    await screen.findByText(/opened in a new tab/);
    expect(screen.queryByText(/No result after a minute/)).toBeNull();
    await act(async () => {
      vi.advanceTimersByTime(SLOW_AFTER_MS + 10);
    });
    expect(screen.getByText(/No result after a minute/)).toBeInTheDocument();
    expect(screen.getByText(/IDP Login URL is wrong or unreachable/)).toBeInTheDocument();
    expect(screen.getByText(/not assigned to the application/)).toBeInTheDocument();
  });

  test('after unknown_user it offers to create that user, and creates them active', async () => {
    const failed = {
      id: 'e1',
      createdAt: new Date().toISOString(),
      success: false,
      flow: 'test',
      reasonCode: 'unknown_user',
      reason: 'No user with this federation ID exists; create or provision the user.',
      detail: 'NameID bob@contoso.com',
      userId: null,
      nameId: 'bob@contoso.com',
      certificateFingerprint: null,
      clockOffsetSeconds: null,
      ip: null,
      userAgent: null,
    };
    const onResult = vi.fn();
    const calls = mockGraphql({
      TestSsoConnection: () => ({ data: { testSsoConnection: { url: 'http://gh/saml2/test?token=t' } } }),
      SignInEvents: () => ({ data: { signInEvents: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [failed] } } }),
      CreateUser: (v) => ({
        data: {
          createUser: {
            id: 'u9',
            email: (v.input as { email: string }).email,
            displayName: null,
            federationId: 'bob@contoso.com',
            role: 'USER',
            status: 'ACTIVE',
            hasPassword: false,
            createdAt: failed.createdAt,
            updatedAt: failed.createdAt,
            groups: { pageInfo: { hasNextPage: false }, nodes: [] },
          },
        },
      }),
    });
    fakeTab();
    render(
      <Router>
        <TestSso unsavedChanges={false} onResult={onResult} />
      </Router>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Test SSO' }));
    const create = await screen.findByRole('button', { name: 'Create user bob@contoso.com' }, { timeout: 5000 });
    expect(screen.getByText('The test sign-in failed.')).toBeInTheDocument();
    expect(onResult).toHaveBeenCalled();
    await userEvent.click(create);
    expect(await screen.findByText(/Created bob@contoso.com \(active\)/)).toBeInTheDocument();
    const sent = calls.find((c) => c.operation === 'CreateUser')?.variables.input;
    expect(sent).toEqual({ email: 'bob@contoso.com', federationId: 'bob@contoso.com', role: 'USER', active: true });
  });
});

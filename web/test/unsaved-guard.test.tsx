import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, test } from 'vitest';
import { Link, Router, useRouter, useUnsavedChangesGuard } from '../src/router';

function Form() {
  const [value, setValue] = useState('');
  useUnsavedChangesGuard(value !== '');
  return (
    <label>
      Name
      <input value={value} onChange={(e) => setValue(e.target.value)} />
    </label>
  );
}

function App() {
  const { path } = useRouter();
  return (
    <>
      <Link to="/elsewhere">Elsewhere</Link>
      <p>at {path}</p>
      {path === '/' && <Form />}
    </>
  );
}

const renderApp = () =>
  render(
    <Router>
      <App />
    </Router>,
  );

describe('unsaved-changes guard', () => {
  test('leaving a clean page needs no confirmation', async () => {
    renderApp();
    await userEvent.click(screen.getByRole('link', { name: 'Elsewhere' }));
    expect(screen.getByText('at /elsewhere')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  test('leaving with unsaved changes asks first; staying keeps the edits', async () => {
    renderApp();
    await userEvent.type(screen.getByLabelText('Name'), 'Contoso');
    await userEvent.click(screen.getByRole('link', { name: 'Elsewhere' }));
    const dialog = screen.getByRole('dialog', { name: 'Leave without saving?' });
    expect(dialog).toHaveTextContent('If you leave now, they are lost');
    await userEvent.click(screen.getByRole('button', { name: 'Stay on this page' }));
    expect(screen.getByText('at /')).toBeInTheDocument();
    expect(screen.getByLabelText('Name')).toHaveValue('Contoso');
    expect(window.location.pathname).toBe('/');
  });

  test('leaving anyway discards them', async () => {
    renderApp();
    await userEvent.type(screen.getByLabelText('Name'), 'Contoso');
    await userEvent.click(screen.getByRole('link', { name: 'Elsewhere' }));
    await userEvent.click(screen.getByRole('button', { name: 'Leave without saving' }));
    expect(screen.getByText('at /elsewhere')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/elsewhere');
  });

  test('the browser back button is held too', async () => {
    window.history.pushState(null, '', '/before');
    window.history.pushState(null, '', '/');
    renderApp();
    await userEvent.type(screen.getByLabelText('Name'), 'Contoso');
    act(() => {
      window.history.pushState(null, '', '/before');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(screen.getByRole('dialog', { name: 'Leave without saving?' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
    expect(screen.getByLabelText('Name')).toHaveValue('Contoso');
  });

  test('reloading or closing the tab gets the browser prompt', async () => {
    renderApp();
    const clean = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(clean);
    expect(clean.defaultPrevented).toBe(false);
    await userEvent.type(screen.getByLabelText('Name'), 'x');
    const dirty = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(dirty);
    expect(dirty.defaultPrevented).toBe(true);
  });
});

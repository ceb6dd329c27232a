// Identity Management helpers: fill the form from IdP federation metadata, and run a
// test sign-in whose outcome is shown here in words.
import { useEffect, useId, useRef, useState } from 'react';
import { gql } from '../api/client';
import { useMutation } from '../api/hooks';
import { ImportIdpMetadataMutation, SignInEventsQuery, TestSsoConnectionMutation } from '../api/operations';
import type { ImportIdpMetadataMutation as ImportResult, SignInEventFieldsFragment } from '../gql/graphql';
import { SignInEntry } from '../pages/SignInLog';
import { Link } from '../router';

export type ImportedMetadata = ImportResult['importIdpMetadata'];

/** Reads a metadata XML file (or pasted XML) through the server; nothing is saved. */
export function MetadataImport({ onImported }: { onImported: (metadata: ImportedMetadata) => void }) {
  const id = useId();
  const [mode, setMode] = useState<'file' | 'paste'>('file');
  const [xml, setXml] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const importMetadata = useMutation(ImportIdpMetadataMutation);
  const fileInput = useRef<HTMLInputElement>(null);
  const error = localError ?? (importMetadata.error ? (importMetadata.error.fields[0]?.message ?? importMetadata.error.message) : null);

  const run = async (text: string) => {
    setLocalError(null);
    if (!text.trim()) {
      setLocalError('The metadata is empty.');
      return;
    }
    try {
      const { importIdpMetadata } = await importMetadata.run({ xml: text });
      setXml('');
      onImported(importIdpMetadata);
    } catch {
      // Shown below.
    }
  };

  return (
    <div className={error ? 'field metadata-import has-error' : 'field metadata-import'}>
      {mode === 'file' ? (
        <>
          <label htmlFor={`${id}-file`}>Import federation metadata</label>
          <input
            ref={fileInput}
            id={`${id}-file`}
            type="file"
            accept=".xml,application/xml,text/xml,application/samlmetadata+xml"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-hint`}
            disabled={importMetadata.running}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              if (file.size > 512 * 1024) setLocalError('This file is too large to be IdP metadata (more than 512 KB).');
              else await run(await file.text());
              if (fileInput.current) fileInput.current.value = '';
            }}
          />
        </>
      ) : (
        <>
          <label htmlFor={`${id}-text`}>Paste federation metadata XML</label>
          <textarea
            id={`${id}-text`}
            rows={5}
            spellCheck={false}
            value={xml}
            placeholder={'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" …>'}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-hint`}
            onChange={(e) => setXml(e.target.value)}
          />
          <button type="button" disabled={!xml.trim() || importMetadata.running} onClick={() => void run(xml)}>
            Read metadata
          </button>
        </>
      )}
      {importMetadata.running && <p className="hint" role="status">Reading the metadata…</p>}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <p id={`${id}-hint`} className="hint">
        Entra: &ldquo;Federation Metadata XML&rdquo; download. It fills the fields below for you to review; nothing is saved until
        you press Save.{' '}
        <button type="button" className="link" onClick={() => setMode(mode === 'file' ? 'paste' : 'file')}>
          {mode === 'file' ? 'Paste the XML instead' : 'Choose a file instead'}
        </button>
      </p>
    </div>
  );
}

const POLL_MS = 2000;
const POLL_FOR_MS = 10 * 60 * 1000;

/**
 * Test SSO: asks the server for a one-time test URL, opens it in a new tab, then watches
 * the sign-in log for the test's outcome and shows it here.
 */
export function TestSso({ unsavedChanges }: { unsavedChanges: boolean }) {
  const test = useMutation(TestSsoConnectionMutation);
  const [state, setState] = useState<
    { phase: 'idle' } | { phase: 'waiting'; url: string; opened: boolean; since: string } | { phase: 'done'; event: SignInEventFieldsFragment }
  >({ phase: 'idle' });
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const watch = (since: string, startedAt: number) => {
    timer.current = window.setTimeout(async () => {
      try {
        const { signInEvents } = await gql(SignInEventsQuery, { first: 5, after: null, filter: { since } });
        const event = signInEvents.nodes.find((e) => e.flow === 'test');
        if (event) {
          setState({ phase: 'done', event });
          return;
        }
      } catch {
        // Keep watching; the log may be briefly unreachable.
      }
      if (Date.now() - startedAt < POLL_FOR_MS) watch(since, startedAt);
    }, POLL_MS);
  };

  const start = async () => {
    window.clearTimeout(timer.current);
    // Open the tab now, while the click still counts as the user's: after the request
    // returns, a browser would block it as a pop-up.
    const tab = window.open('about:blank', '_blank');
    const since = new Date(Date.now() - 5000).toISOString();
    try {
      const { testSsoConnection } = await test.run({});
      if (tab) tab.location.href = testSsoConnection.url;
      setState({ phase: 'waiting', url: testSsoConnection.url, opened: !!tab, since });
      watch(since, Date.now());
    } catch {
      // Shown under the button.
      tab?.close();
      setState({ phase: 'idle' });
    }
  };

  return (
    <section className="card" aria-labelledby="test-sso-heading">
      <h2 id="test-sso-heading">Test SSO</h2>
      <p className="hint">
        Runs a sign-in through your identity provider with the saved settings, as Entra&rsquo;s &ldquo;Test this
        application&rdquo; does, and tells you here whether it worked. It works before SSO is turned on.
      </p>
      <div className="tools">
        <button type="button" onClick={() => void start()} disabled={test.running || unsavedChanges}>
          {test.running ? 'Starting…' : 'Test SSO'}
        </button>
        {unsavedChanges && <span className="hint">Save first: the test uses the saved settings.</span>}
      </div>
      {test.error && (
        <p className="field-error" role="alert">
          {test.error.fields[0]?.message ?? test.error.message}
        </p>
      )}
      <div className="test-result" role="status" aria-live="polite">
        {state.phase === 'waiting' && (
          <p>
            {state.opened ? 'The test sign-in opened in a new tab.' : 'Your browser blocked the new tab.'}{' '}
            <a href={state.url} target="_blank" rel="noopener">
              {state.opened ? 'Open it again' : 'Open the test sign-in'}
            </a>
            . Sign in there; the outcome appears here.
          </p>
        )}
        {state.phase === 'done' && (
          <>
            <p className="strong">{state.event.success ? 'The test sign-in worked.' : 'The test sign-in failed.'}</p>
            <ol className="event-list">
              <SignInEntry event={state.event} />
            </ol>
            <p className="hint">
              All attempts are in the <Link to="/sign-in-log">Sign-in log</Link>.
            </p>
          </>
        )}
      </div>
    </section>
  );
}

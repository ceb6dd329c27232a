// Identity Management helpers: fill the form from IdP federation metadata, and run a
// test sign-in whose outcome is shown here in words.
import { useEffect, useId, useRef, useState } from 'react';
import { gql } from '../api/client';
import { useMutation } from '../api/hooks';
import { CreateUserMutation, ImportIdpMetadataMutation, SignInEventsQuery, TestSsoConnectionMutation } from '../api/operations';
import type { ImportIdpMetadataMutation as ImportResult, SignInEventFieldsFragment } from '../gql/graphql';
import { SignInEntry } from '../pages/SignInLog';
import { Link } from '../router';
import { Banner } from './States';

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
/** After this long without a result, say what usually causes it. */
export const SLOW_AFTER_MS = 60 * 1000;

type TestState =
  | { phase: 'idle' }
  | { phase: 'waiting'; url: string; opened: boolean; since: string; slow: boolean }
  | { phase: 'done'; event: SignInEventFieldsFragment };

/**
 * Test SSO: asks the server for a one-time test URL, opens it in a new tab, then watches
 * the sign-in log for the test's outcome and shows it here. Each URL works once, so
 * "Open it again" asks for a fresh one.
 */
export function TestSso({ unsavedChanges, onResult }: { unsavedChanges: boolean; onResult?: () => void }) {
  const test = useMutation(TestSsoConnectionMutation);
  const [state, setState] = useState<TestState>({ phase: 'idle' });
  const timer = useRef<number | undefined>(undefined);
  const slowTimer = useRef<number | undefined>(undefined);
  const run = useRef(0);

  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      window.clearTimeout(slowTimer.current);
    },
    [],
  );

  const watch = (since: string, startedAt: number, runId: number) => {
    timer.current = window.setTimeout(async () => {
      try {
        const { signInEvents } = await gql(SignInEventsQuery, { first: 5, after: null, filter: { since } });
        const event = signInEvents.nodes.find((e) => e.flow === 'test');
        if (event && runId === run.current) {
          window.clearTimeout(slowTimer.current);
          setState({ phase: 'done', event });
          onResult?.();
          return;
        }
      } catch {
        // Keep watching; the log may be briefly unreachable.
      }
      if (runId === run.current && Date.now() - startedAt < POLL_FOR_MS) watch(since, startedAt, runId);
    }, POLL_MS);
  };

  const start = async () => {
    window.clearTimeout(timer.current);
    window.clearTimeout(slowTimer.current);
    const runId = ++run.current;
    // Open the tab now, while the click still counts as the user's: after the request
    // returns, a browser would block it as a pop-up.
    const tab = window.open('about:blank', '_blank');
    const since = new Date(Date.now() - 5000).toISOString();
    try {
      const { testSsoConnection } = await test.run({});
      if (tab) tab.location.href = testSsoConnection.url;
      setState({ phase: 'waiting', url: testSsoConnection.url, opened: !!tab, since, slow: false });
      slowTimer.current = window.setTimeout(
        () => setState((s) => (s.phase === 'waiting' && runId === run.current ? { ...s, slow: true } : s)),
        SLOW_AFTER_MS,
      );
      watch(since, Date.now(), runId);
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
          {test.running ? 'Starting…' : state.phase === 'idle' ? 'Test SSO' : 'Test SSO again'}
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
          <>
            <p>
              {state.opened ? 'The test sign-in opened in a new tab.' : 'Your browser blocked the new tab.'}{' '}
              <button type="button" className="link" onClick={() => void start()} disabled={test.running}>
                {state.opened ? 'Open it again' : 'Open the test sign-in'}
              </button>{' '}
              (each test link works once; this makes a fresh one). Sign in there; the outcome appears here.
            </p>
            {state.slow && <SlowHint />}
          </>
        )}
        {state.phase === 'done' && <TestOutcome event={state.event} />}
      </div>
    </section>
  );
}

/** What usually keeps a test from coming back. */
function SlowHint() {
  return (
    <div className="banner banner-warning slow-hint">
      <p className="strong">No result after a minute. What usually causes this:</p>
      <ul>
        <li>The IDP Login URL is wrong or unreachable: the new tab shows an error from the IdP or the browser.</li>
        <li>You are not assigned to the application in the IdP: it stops you before sending you back here.</li>
        <li>The Reply URL (ACS) in the IdP is not this Gatehouse&rsquo;s: the IdP sends the result elsewhere.</li>
        <li>The tab is still waiting for you to sign in.</li>
      </ul>
    </div>
  );
}

function TestOutcome({ event }: { event: SignInEventFieldsFragment }) {
  return (
    <>
      <p className="strong">{event.success ? 'The test sign-in worked.' : 'The test sign-in failed.'}</p>
      <ol className="event-list">
        <SignInEntry event={event} />
      </ol>
      {!event.success && event.reasonCode === 'unknown_user' && event.nameId && <CreateTestedUser nameId={event.nameId} />}
      <p className="hint">
        All attempts are in the <Link to="/sign-in-log">Sign-in log</Link>.
      </p>
    </>
  );
}

/** After `unknown_user`: the IdP vouched for someone who has no user here; offer to create them. */
export function CreateTestedUser({ nameId }: { nameId: string }) {
  const create = useMutation(CreateUserMutation);
  const [created, setCreated] = useState(false);
  const looksLikeEmail = /^[^@\s]+@[^@\s]+$/.test(nameId);
  if (created) {
    return (
      <Banner kind="success">
        Created {nameId} (active). Run Test SSO again. <Link to="/users">Users</Link>
      </Banner>
    );
  }
  return (
    <div className="banner banner-info">
      <p>
        Your identity provider signed in <span className="strong">{nameId}</span>, who has no user here.
        {looksLikeEmail ? ' Create them now, with this as their e-mail and federation ID?' : ' Create them on the Users page with this federation ID.'}
      </p>
      {looksLikeEmail ? (
        <button
          type="button"
          className="primary"
          disabled={create.running}
          onClick={async () => {
            try {
              await create.run({ input: { email: nameId, federationId: nameId, role: 'USER', active: true } });
              setCreated(true);
            } catch {
              // Shown below.
            }
          }}
        >
          {create.running ? 'Creating…' : `Create user ${nameId}`}
        </button>
      ) : (
        <Link to="/users">Go to Users</Link>
      )}
      {create.error && (
        <p className="field-error" role="alert">
          {create.error.fields[0]?.message ?? create.error.message}
        </p>
      )}
    </div>
  );
}

// Identity Management: the tenant's SSO connection, laid out like the 8x8 Admin Console.
// Everything on the page is one edit; Save sends all of it in one `saveSsoSettings`
// (settings, new certificates, removals), which the server applies in one transaction or
// not at all. A refused save keeps the edit on screen with each problem by its field.
// Once SSO is live, Save writes the server's draft (issue 13): the page then edits the
// draft, the draft banner tests / publishes / discards it, and History rolls back.
import { useEffect, useRef, useState } from 'react';
import { ApiError, gql } from '../api/client';
import { asApiError, useQuery } from '../api/hooks';
import { ConnectionStatusQuery, IdentityManagementQuery, SaveSsoSettingsMutation } from '../api/operations';
import { CertificateDetails, CertificateUpload } from '../components/Certificates';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CertificateRollover, notifyCertificatesChanged } from '../components/CertificateRollover';
import { CheckboxField, SelectField, TextField, fieldSentence } from '../components/Field';
import { IdpGuide, ServiceProviderBox, SetupSteps, StatusCard } from '../components/SetupGuide';
import { MetadataImport, TestSso, type ImportedMetadata } from '../components/SsoTools';
import { SpCertificates } from '../components/SpCertificates';
import { Banner, ErrorBanner, Loading } from '../components/States';
import { DraftBanner } from '../components/SsoDraft';
import { SsoHistory } from '../components/SsoHistory';
import type { CertificateFieldsFragment, IdentityManagementQuery as Data, IdpProvider, LoginPolicy, SsoConnectionFieldsFragment } from '../gql/graphql';
import { parseCertificateText, type ParsedCertificate } from '../lib/certificate';
import { formatDateTime } from '../lib/format';
import { LOGIN_POLICIES, PROVIDERS, PROVIDER_ORDER } from '../lib/providers';
import { setupSteps, showGuide, ssoOnlyWarning, type ConnectionStatusData } from '../lib/setup';
import { useUnsavedChangesGuard } from '../router';

export interface SsoSettings {
  enabled: boolean;
  provider: IdpProvider;
  loginUrl: string;
  issuer: string;
  logoutUrl: string;
  loginPolicy: LoginPolicy;
  allowIdpInitiated: boolean;
  jitProvisioning: boolean;
  signAuthnRequests: boolean;
  requireEncryptedAssertions: boolean;
}

export function settingsOf(c: SsoConnectionFieldsFragment): SsoSettings {
  return {
    enabled: c.enabled,
    provider: c.provider,
    loginUrl: c.loginUrl ?? '',
    issuer: c.issuer ?? '',
    logoutUrl: c.logoutUrl ?? '',
    loginPolicy: c.loginPolicy,
    allowIdpInitiated: c.allowIdpInitiated,
    jitProvisioning: c.jitProvisioning,
    signAuthnRequests: c.signAuthnRequests,
    requireEncryptedAssertions: c.requireEncryptedAssertions,
  };
}

const sameSettings = (a: SsoSettings, b: SsoSettings) =>
  (Object.keys(a) as (keyof SsoSettings)[]).every((k) => a[k] === b[k]);

interface Staged {
  key: number;
  certificate: ParsedCertificate;
}

/** Fields the page shows next to their input; other errors go to the banner. */
const PLACED_FIELDS = /^(loginUrl|issuer|logoutUrl|loginPolicy|signAuthnRequests|requireEncryptedAssertions|certificates|addCertificates(\[\d+\])?|removeCertificateIds\[\d+\])$/;

let stagedKey = 0;

export function IdentityManagementPage() {
  const query = useQuery(IdentityManagementQuery, {});
  const status = useQuery(ConnectionStatusQuery, {});
  if (!query.data) {
    return (
      <>
        <h1>Identity Management</h1>
        {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.reload()} /> : <Loading what="the SSO settings" />}
      </>
    );
  }
  return (
    <>
      <SsoEditor
        initial={query.data}
        onReload={query.reload}
        status={status.data?.connectionStatus}
        onStatusReload={() => void status.reload()}
      />
      <CertificateRollover onChanged={query.reload} />
      <SsoHistory
        key={historyKey(query.data)}
        onChanged={() => {
          notifyCertificatesChanged();
          void query.reload();
        }}
      />
    </>
  );
}

/** The history is read again whenever the published version changes. */
const historyKey = (d: Data) => `${d.ssoConnection.version}`;

export function SsoEditor({
  initial,
  onReload,
  status,
  onStatusReload,
}: {
  initial: Data;
  onReload?: () => Promise<void>;
  status?: ConnectionStatusData;
  onStatusReload?: () => void;
}) {
  // What the page edits: the server's draft when there is one, else the published settings.
  const working = (d: Data) => d.ssoDraft?.settings ?? d.ssoConnection;
  const [saved, setSaved] = useState<SsoConnectionFieldsFragment>(working(initial));
  const [draft, setDraft] = useState<SsoSettings>(() => settingsOf(working(initial)));
  const [staged, setStaged] = useState<Staged[]>([]);
  const [removing, setRemoving] = useState<string[]>([]);
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  // What the last Save sent: staged certificates (by key) and removals, in order.
  const [sentLists, setSentLists] = useState<{ added: number[]; removed: string[] }>({ added: [], removed: [] });
  const [saving, setSaving] = useState(false);
  const [savedNotice, setSavedNotice] = useState(false);
  const [showAnyway, setShowAnyway] = useState(false);
  const [importNotice, setImportNotice] = useState<string | null>(null);
  const [confirmSsoOnly, setConfirmSsoOnly] = useState(false);

  // When the page (re)loads data from the server, start over from it (adjusted while
  // rendering, so no frame shows the new data beside the old draft).
  const [startedFrom, setStartedFrom] = useState(initial);
  if (startedFrom !== initial) {
    setStartedFrom(initial);
    setSaved(working(initial));
    setDraft(settingsOf(working(initial)));
    setStaged([]);
    setRemoving([]);
    setSaveError(undefined);
  }

  // After a refused save, take keyboard and screen-reader users to the first problem.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!saveError) return;
    const target = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .field-error, [role="alert"]');
    if (target && !target.matches('input, select, textarea, button')) target.setAttribute('tabindex', '-1');
    target?.focus();
  }, [saveError]);

  const serverDraft = initial.ssoDraft;
  // SSO serves sign-ins now: edits go into a draft until published.
  const live = initial.ssoConnection.enabled;
  const settingsDirty = !sameSettings(draft, settingsOf(saved));
  const dirty = settingsDirty || staged.length > 0 || removing.length > 0;
  useUnsavedChangesGuard(dirty, 'Your SSO changes are not saved yet. If you leave now, they are lost.');

  const provider = PROVIDERS[draft.provider];
  const sp = initial.serviceProvider;
  const set = <K extends keyof SsoSettings>(key: K, value: SsoSettings[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSavedNotice(false);
  };
  const err = (field: string) => saveError?.fieldMessage(field);
  const unplacedError = saveError && !saveError.fields.some((f) => PLACED_FIELDS.test(f.field)) ? saveError : undefined;
  // The server names a certificate by its place in the lists the refused Save sent.
  const placeError = (field: string, index: number) => (index < 0 ? undefined : err(`${field}[${index}]`));
  const stagedError = (key: number) => placeError('addCertificates', sentLists.added.indexOf(key));
  const removeError = (id: string) => placeError('removeCertificateIds', sentLists.removed.indexOf(id));
  const listError = err('certificates') ?? err('addCertificates');
  const hasConfig = saved.enabled || !!saved.loginUrl || !!saved.issuer || saved.certificates.length > 0 || staged.length > 0;
  const showSettings = draft.enabled || hasConfig || showAnyway;

  const isKnown = (fingerprint: string, list: Staged[] = staged) =>
    saved.certificates.some((c) => c.fingerprintSha256 === fingerprint) ||
    list.some((s) => s.certificate.fingerprintSha256 === fingerprint);

  const applyMetadata = (m: ImportedMetadata) => {
    setDraft((d) => ({ ...d, issuer: m.issuer, loginUrl: m.loginUrl, logoutUrl: m.logoutUrl ?? d.logoutUrl }));
    const next = [...staged];
    let added = 0;
    let expired = 0;
    for (const c of m.certificates) {
      if (!c.usable) {
        expired++;
        continue;
      }
      if (isKnown(c.fingerprintSha256, next)) continue;
      const parsed = parseCertificateText(c.pem);
      if (parsed.ok) {
        next.push({ key: ++stagedKey, certificate: parsed.certificate });
        added++;
      }
    }
    setStaged(next);
    setSaveError(undefined);
    setSavedNotice(false);
    const parts = ['IDP Login URL', 'IDP Issuer URL/URN'];
    if (m.logoutUrl) parts.push('IDP Logout URL');
    if (added) parts.push(added === 1 ? 'a new certificate' : `${added} new certificates`);
    setImportNotice(
      `Filled in from the metadata: ${parts.join(', ')}.${expired ? ` ${expired} expired certificate${expired === 1 ? ' was' : 's were'} left out.` : ''} Review them, then Save.`,
    );
  };

  const save = async () => {
    setSaving(true);
    setSaveError(undefined);
    setSavedNotice(false);
    setImportNotice(null);
    setSentLists({ added: staged.map((s) => s.key), removed: removing });
    try {
      const { saveSsoSettings } = await gql(SaveSsoSettingsMutation, {
        input: {
          enabled: draft.enabled,
          provider: draft.provider,
          loginUrl: draft.loginUrl.trim() || null,
          issuer: draft.issuer.trim() || null,
          logoutUrl: draft.logoutUrl.trim() || null,
          loginPolicy: draft.loginPolicy,
          allowIdpInitiated: draft.allowIdpInitiated,
          jitProvisioning: draft.jitProvisioning,
          signAuthnRequests: draft.signAuthnRequests,
          requireEncryptedAssertions: draft.requireEncryptedAssertions,
          addCertificates: staged.map((s) => s.certificate.pem),
          removeCertificateIds: removing,
          expectedVersion: serverDraft ? serverDraft.revision : saved.version,
          // First-time set-up (SSO not live): one step, save and publish. Once live: a draft.
          publish: !live,
        },
      });
      if (live) {
        // The draft changed on the server: read it (and its diff) back.
        await onReload?.();
      } else {
        setSaved(saveSsoSettings);
        setDraft(settingsOf(saveSsoSettings));
      }
      setStaged([]);
      setRemoving([]);
      setSavedNotice(true);
      onStatusReload?.();
      notifyCertificatesChanged();
    } catch (e) {
      setSaveError(asApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const keptCertificates = saved.certificates;

  return (
    <form
      ref={formRef}
      className="page identity"
      aria-labelledby="idm-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        // Turning "SSO only" on locks users out if SSO does not work: ask first.
        if (draft.loginPolicy === 'SSO' && saved.loginPolicy !== 'SSO') setConfirmSsoOnly(true);
        else void save();
      }}
    >
      <div className="page-head">
        <h1 id="idm-title">Identity Management</h1>
      </div>
      <p className="lede">Let your users sign in with your organisation&rsquo;s identity provider (SAML 2.0 single sign-on).</p>

      {savedNotice && !dirty && (
        <Banner kind="success">
          {live && serverDraft
            ? 'Saved as a draft. Users still sign in with the published settings: test the draft, then publish it.'
            : `Saved and published. ${draft.enabled ? 'SSO is on.' : 'SSO is off.'}`}
        </Banner>
      )}
      {serverDraft && (
        <DraftBanner
          draft={serverDraft}
          onChanged={() => {
            notifyCertificatesChanged();
            void onReload?.();
          }}
          onTest={() => document.getElementById('test-sso-heading')?.scrollIntoView({ block: 'center' })}
        />
      )}
      {saveError?.code === 'CONFLICT' && saveError.fieldMessage('version') ? (
        <div className="banner banner-error" role="alert">
          <p>
            Someone else saved these settings after you opened this page, so yours were not saved. Your changes are still on
            this page: note them, load the current settings, and apply them again.
          </p>
          {onReload && (
            <button type="button" onClick={() => void onReload()}>
              Load the current settings (discards your changes)
            </button>
          )}
        </div>
      ) : (
        <ErrorBanner error={unplacedError} />
      )}
      {saveError?.code === 'VALIDATION' && !unplacedError && (
        <Banner kind="error">Nothing was saved: fix the fields marked below and save again.</Banner>
      )}

      {status && (saved.enabled || status.lastSuccess || status.lastFailure || status.lastTest) && <StatusCard status={status} />}
      {showGuide(saved) && <SetupSteps steps={setupSteps(saved, status)} />}
      {!showSettings && <ServiceProviderBox sp={sp} provider={draft.provider} />}

      <section className="card" aria-labelledby="sso-heading">
        <h2 id="sso-heading">Authentication</h2>
        <CheckboxField
          label="Single Sign On (SSO)"
          checked={draft.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
          hint="When on, users can sign in through your identity provider."
        />
        {!draft.enabled && !showSettings && (
          <p className="hint">
            <button type="button" className="link" onClick={() => setShowAnyway(true)}>
              Prepare the settings without turning SSO on
            </button>
          </p>
        )}
        {showSettings && (
          <fieldset className="provider-choice">
            <legend>Identity provider</legend>
            <div className="radio-row">
              {PROVIDER_ORDER.map((p) => (
                <label key={p} className={draft.provider === p ? 'radio-card selected' : 'radio-card'}>
                  <input
                    type="radio"
                    name="provider"
                    value={p}
                    checked={draft.provider === p}
                    onChange={() => set('provider', p)}
                  />
                  {PROVIDERS[p].label}
                </label>
              ))}
            </div>
          </fieldset>
        )}
      </section>

      {showSettings && (
        <>
          <ServiceProviderBox sp={sp} provider={draft.provider} />
          <IdpGuide provider={draft.provider} sp={sp} />

          <section className="card" aria-labelledby="saml-heading">
            <h2 id="saml-heading">{provider.settingsHeading}</h2>
            {!draft.enabled && <p className="hint">SSO is off: these settings are kept, and used once you turn SSO on.</p>}
            <MetadataImport onImported={applyMetadata} />
            {importNotice && <Banner kind="info">{importNotice}</Banner>}
            <TextField
              label="IDP Login URL"
              type="url"
              inputMode="url"
              spellCheck={false}
              value={draft.loginUrl}
              onChange={(e) => set('loginUrl', e.target.value)}
              placeholder={provider.loginUrl.placeholder}
              hint={provider.loginUrl.hint}
              error={err('loginUrl')}
            />
            <TextField
              label="IDP Issuer URL/URN"
              spellCheck={false}
              value={draft.issuer}
              onChange={(e) => set('issuer', e.target.value)}
              placeholder={provider.issuer.placeholder}
              hint={provider.issuer.hint}
              error={err('issuer')}
            />
            <TextField
              label="IDP Logout URL"
              optional
              type="url"
              inputMode="url"
              spellCheck={false}
              value={draft.logoutUrl}
              onChange={(e) => set('logoutUrl', e.target.value)}
              placeholder={provider.logoutUrl.placeholder}
              hint={provider.logoutUrl.hint}
              error={err('logoutUrl')}
            />

            <h3 id="certs-heading">Certificates</h3>
            {listError && <p className="field-error" role="alert">{fieldSentence('Certificate', listError)}</p>}
            <ul className="cert-list" aria-labelledby="certs-heading">
              {keptCertificates.map((c) => (
                <SavedCertificate
                  key={c.id}
                  certificate={c}
                  removing={removing.includes(c.id)}
                  error={removeError(c.id)}
                  onRemove={() => setRemoving((r) => [...r, c.id])}
                  onUndo={() => setRemoving((r) => r.filter((id) => id !== c.id))}
                />
              ))}
              {staged.map((s) => (
                <li key={s.key} className="cert pending">
                  <div className="cert-head">
                    <span className="badge badge-info">Not saved yet</span>
                    <button
                      type="button"
                      aria-label={`Discard certificate ${s.certificate.subject}`}
                      onClick={() => setStaged((list) => list.filter((x) => x.key !== s.key))}
                    >
                      Discard
                    </button>
                  </div>
                  <CertificateDetails certificate={s.certificate} />
                  {stagedError(s.key) && (
                    <p className="field-error" role="alert">
                      {fieldSentence('Certificate', stagedError(s.key) ?? '')}
                    </p>
                  )}
                </li>
              ))}
              {keptCertificates.length === 0 && staged.length === 0 && (
                <li className="cert none">No certificate yet. SSO needs your IdP&rsquo;s signing certificate.</li>
              )}
            </ul>
            <CertificateUpload
              hint={provider.certificate}
              onParsed={(certificate) => {
                if (isKnown(certificate.fingerprintSha256)) return 'This certificate is already in the list.';
                setStaged((list) => [...list, { key: ++stagedKey, certificate }]);
                setSavedNotice(false);
              }}
            />
          </section>

          <section className="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">Sign-in options</h2>
            <SelectField
              label="Login policy"
              value={draft.loginPolicy}
              onChange={(e) => set('loginPolicy', e.target.value as LoginPolicy)}
              error={err('loginPolicy')}
              hint={
                draft.loginPolicy === 'SSO'
                  ? 'Users must sign in through the identity provider; their passwords are refused. Only the break-glass accounts (Domains & SSO enforcement) keep password sign-in.'
                  : draft.loginPolicy === 'PASSWORD'
                    ? 'Only passwords: SSO sign-ins are refused even when SSO is set up (Test SSO still works).'
                    : 'Users can sign in either way.'
              }
            >
              {LOGIN_POLICIES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </SelectField>
            <CheckboxField
              label="Allow IdP-initiated sign-in"
              checked={draft.allowIdpInitiated}
              onChange={(e) => set('allowIdpInitiated', e.target.checked)}
              hint="Users may start from the identity provider (e.g. the app tile in My Apps), not only from our sign-on page."
            />
            <CheckboxField
              label="Create users at their first SSO sign-in"
              checked={draft.jitProvisioning}
              onChange={(e) => set('jitProvisioning', e.target.checked)}
              hint="Just-in-time provisioning: someone your IdP lets in but who has no user here yet gets one. Leave off when users are created here or by SCIM."
            />
            <CheckboxField
              label="Sign AuthnRequests"
              checked={draft.signAuthnRequests}
              onChange={(e) => set('signAuthnRequests', e.target.checked)}
              error={err('signAuthnRequests')}
              hint="Sign-in requests carry Gatehouse's signature. Turn on when your IdP requires signed requests (Entra: upload the signing certificate below under Verification certificates first)."
            />
            <CheckboxField
              label="Require encrypted assertions"
              checked={draft.requireEncryptedAssertions}
              onChange={(e) => set('requireEncryptedAssertions', e.target.checked)}
              error={err('requireEncryptedAssertions')}
              hint="Refuse assertions that are not encrypted to Gatehouse's encryption certificate (Entra: Token encryption). Turn token encryption on in the IdP first."
            />
          </section>

          <SpCertificates certificates={sp.certificates} metadataUrl={sp.tenantMetadataUrl} />

          <TestSso
            unsavedChanges={dirty}
            onResult={() => {
              onStatusReload?.();
              // The draft remembers its test: read it back (only when nothing is being edited).
              if (serverDraft && !dirty) void onReload?.();
            }}
          />
        </>
      )}

      {confirmSsoOnly && (
        <ConfirmDialog
          title="Switch to SSO only?"
          confirmLabel="Switch to SSO only and save"
          danger={!ssoOnlyWarning(status).testPassed}
          onCancel={() => setConfirmSsoOnly(false)}
          onConfirm={() => {
            setConfirmSsoOnly(false);
            void save();
          }}
        >
          <p>{ssoOnlyWarning(status).text}</p>
        </ConfirmDialog>
      )}

      <div className="savebar">
        <span className="savebar-status" role="status">
          {saving
            ? 'Saving…'
            : dirty
              ? 'You have unsaved changes.'
              : serverDraft
                ? `Draft saved ${formatDateTime(serverDraft.updatedAt)}`
                : `Last saved ${formatDateTime(saved.updatedAt)}`}
        </span>
        <button type="submit" className="primary" disabled={saving || !dirty}>
          {saving ? 'Saving…' : live ? 'Save draft' : 'Save and publish'}
        </button>
      </div>
    </form>
  );
}

function SavedCertificate({
  certificate,
  removing,
  error,
  onRemove,
  onUndo,
}: {
  certificate: CertificateFieldsFragment;
  removing: boolean;
  error?: string;
  onRemove: () => void;
  onUndo: () => void;
}) {
  return (
    <li className={removing ? 'cert removing' : 'cert'}>
      <div className="cert-head">
        {removing ? (
          <span className="badge badge-warning">Removed when you save</span>
        ) : certificate.expired ? (
          <span className="badge badge-error">Expired</span>
        ) : certificate.expiresSoon ? (
          <span className="badge badge-warning">Expires soon</span>
        ) : (
          <span className="badge badge-ok">In use</span>
        )}
        {removing ? (
          <button type="button" onClick={onUndo} aria-label={`Keep certificate ${certificate.subject}`}>
            Keep
          </button>
        ) : (
          <button type="button" onClick={onRemove} aria-label={`Remove certificate ${certificate.subject}`}>
            Remove
          </button>
        )}
      </div>
      <CertificateDetails certificate={certificate} />
      {error && (
        <p className="field-error" role="alert">
          {fieldSentence('Certificate', error)}
        </p>
      )}
    </li>
  );
}

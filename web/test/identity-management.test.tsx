import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import type { IdentityManagementQuery } from '../src/gql/graphql';
import { SsoEditor } from '../src/pages/IdentityManagement';
import { Router } from '../src/router';
import { fixture, mockGraphql, validation } from './helpers';

const connection: IdentityManagementQuery['ssoConnection'] = {
  enabled: false,
  provider: 'ENTRA_ID',
  loginUrl: null,
  issuer: null,
  logoutUrl: null,
  loginPolicy: 'PASSWORD_OR_SSO',
  allowIdpInitiated: true,
  jitProvisioning: false,
  signAuthnRequests: false,
  requireEncryptedAssertions: false,
  version: 3,
  updatedAt: '2026-11-26T10:00:00Z',
  certificates: [],
};

const initial: IdentityManagementQuery = {
  ssoConnection: connection,
  serviceProvider: {
    entityId: 'https://gatehouse.example.com/saml2',
    acsUrl: 'https://gatehouse.example.com/saml2',
    signOnUrl: 'https://gatehouse.example.com/saml2/login?tenant=contoso',
    metadataUrl: 'https://gatehouse.example.com/saml2/metadata',
    scimTenantUrl: 'https://gatehouse.example.com/scim/v2/contoso',
    tenantMetadataUrl: 'https://gatehouse.example.com/saml2/metadata?tenant=contoso',
    certificates: [],
  },
  tenant: { slug: 'contoso', name: 'Contoso', devMode: false },
  ssoDraft: null,
};

const savedCert = {
  id: 'c1',
  subject: 'CN=Microsoft Azure Federated SSO Certificate',
  issuer: 'CN=Microsoft Azure Federated SSO Certificate',
  fingerprintSha256: 'DE:CE:7D:22',
  notBefore: '2026-11-26T18:30:16Z',
  notAfter: '2036-11-23T18:30:16Z',
  expiresSoon: false,
  expired: false,
};

function renderEditor() {
  return render(
    <Router>
      <SsoEditor initial={initial} />
    </Router>,
  );
}

async function enableEntra() {
  await userEvent.click(screen.getByLabelText('Single Sign On (SSO)'));
  await userEvent.type(screen.getByLabelText('IDP Login URL'), 'https://login.microsoftonline.com/tid/saml2');
  await userEvent.type(screen.getByLabelText('IDP Issuer URL/URN'), 'https://sts.windows.net/tid/');
}

describe('Identity Management', () => {
  test('the IdP choice adapts the headings and the field hints', async () => {
    renderEditor();
    await userEvent.click(screen.getByLabelText('Single Sign On (SSO)'));
    expect(screen.getByRole('heading', { name: 'Microsoft Entra SAML Settings' })).toBeInTheDocument();
    expect(screen.getByLabelText('IDP Login URL')).toHaveAttribute('placeholder', 'https://login.microsoftonline.com/<tenant-id>/saml2');
    expect(screen.getByLabelText('IDP Issuer URL/URN')).toHaveAttribute('placeholder', 'https://sts.windows.net/<tenant-id>/');
    expect(screen.getByText('Identifier (Entity ID)')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('radio', { name: 'Okta' }));
    expect(screen.getByRole('heading', { name: 'Okta SAML Settings' })).toBeInTheDocument();
    expect(screen.getByLabelText('IDP Issuer URL/URN')).toHaveAttribute('placeholder', 'http://www.okta.com/<app-id>');
    expect(screen.getByText('Audience URI (SP Entity ID)')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('radio', { name: 'Google Workspace' }));
    expect(screen.getByLabelText('IDP Logout URL (optional)')).toHaveAccessibleDescription(/does not offer SAML single logout/);

    await userEvent.click(screen.getByRole('radio', { name: 'Other SAML 2.0' }));
    expect(screen.getByRole('heading', { name: 'SAML 2.0 Settings' })).toBeInTheDocument();
  });

  test('each value to paste into the IdP has a copy button', () => {
    render(
      <Router>
        <SsoEditor initial={{ ...initial, ssoConnection: { ...connection, issuer: 'x' } }} />
      </Router>,
    );
    for (const label of ['Identifier (Entity ID)', 'Reply URL (Assertion Consumer Service URL)', 'Sign on URL', 'SP metadata URL']) {
      expect(screen.getByRole('button', { name: `Copy ${label}` })).toBeInTheDocument();
    }
    const box = screen.getByRole('region', { name: 'Paste into Microsoft Entra ID → Basic SAML Configuration' });
    expect(within(box).getByText('https://gatehouse.example.com/saml2/login?tenant=contoso')).toBeInTheDocument();
  });

  test('validation errors appear next to their fields, and nothing typed is lost', async () => {
    const calls = mockGraphql({
      SaveSsoSettings: () =>
        validation([
          { field: 'loginUrl', message: 'must use https (plain http is allowed only for tenants an operator put in dev mode)' },
          { field: 'certificates', message: 'SSO cannot be enabled without an IdP signing certificate that is valid now' },
        ]),
    });
    renderEditor();
    await userEvent.click(screen.getByLabelText('Single Sign On (SSO)'));
    await userEvent.type(screen.getByLabelText('IDP Login URL'), 'http://idp.example.com/sso');
    await userEvent.type(screen.getByLabelText('IDP Issuer URL/URN'), 'https://sts.windows.net/tid/');
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));

    const login = screen.getByLabelText('IDP Login URL');
    expect(await screen.findByText(/^IDP Login URL must use https/)).toBeInTheDocument();
    expect(login).toHaveAttribute('aria-invalid', 'true');
    expect(login).toHaveAccessibleDescription(/IDP Login URL must use https/);
    expect(screen.getByText(/SSO cannot be enabled without an IdP signing certificate/)).toBeInTheDocument();
    expect(screen.getByText(/Nothing was saved/)).toBeInTheDocument();
    expect(login).toHaveValue('http://idp.example.com/sso');
    expect(screen.getByLabelText('IDP Issuer URL/URN')).toHaveValue('https://sts.windows.net/tid/');
    expect(screen.getByLabelText('Single Sign On (SSO)')).toBeChecked();
    expect(calls[0].variables.input).toMatchObject({
      enabled: true,
      expectedVersion: 3,
      logoutUrl: null,
      addCertificates: [],
      removeCertificateIds: [],
    });
  });

  test('Save sends the settings, new certificates and removals in one mutation', async () => {
    const withCert = { ...connection, issuer: 'https://sts.windows.net/tid/', certificates: [savedCert] };
    const calls = mockGraphql({
      SaveSsoSettings: (v) => ({
        data: {
          saveSsoSettings: {
            ...withCert,
            ...(v.input as object),
            version: 4,
            certificates: [{ ...savedCert, id: 'c2', fingerprintSha256: 'FF:4F', subject: 'CN=idp.example.ch' }],
          },
        },
      }),
    });
    render(
      <Router>
        <SsoEditor initial={{ ...initial, ssoConnection: withCert }} />
      </Router>,
    );
    await userEvent.upload(screen.getByLabelText('Upload a certificate'), new File([fixture('utf8.pem')], 'next.pem'));
    expect(await screen.findByText('Not saved yet')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /^Remove certificate CN=Microsoft/ }));
    expect(screen.getByText('Removed when you save')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('IDP Login URL'), 'https://login.microsoftonline.com/tid/saml2');
    await userEvent.click(screen.getByLabelText('Single Sign On (SSO)'));
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));

    expect(await screen.findByText('Saved and published. SSO is on.')).toBeInTheDocument();
    expect(calls.map((c) => c.operation)).toEqual(['SaveSsoSettings']);
    const input = calls[0].variables.input as Record<string, unknown>;
    expect(input).toMatchObject({
      enabled: true,
      loginUrl: 'https://login.microsoftonline.com/tid/saml2',
      issuer: 'https://sts.windows.net/tid/',
      removeCertificateIds: ['c1'],
      expectedVersion: 3,
    });
    expect(input.addCertificates).toEqual([expect.stringMatching(/^-----BEGIN CERTIFICATE-----/)]);
    expect(screen.queryByText('Not saved yet')).toBeNull();
    expect(screen.queryByText('Removed when you save')).toBeNull();
    expect(screen.getByText('CN=idp.example.ch')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Save( and publish| draft)$/ })).toBeDisabled();
  });

  test('a refused save keeps the whole draft, with each problem next to its certificate', async () => {
    const withCert = { ...connection, issuer: 'https://sts.windows.net/tid/', certificates: [savedCert] };
    const calls = mockGraphql({
      SaveSsoSettings: () =>
        validation([
          { field: 'addCertificates[1]', message: 'the RSA key has 1024 bits; at least 2048 are required' },
          { field: 'removeCertificateIds[0]', message: 'this is the last valid certificate and SSO is enabled' },
        ]),
    });
    render(
      <Router>
        <SsoEditor initial={{ ...initial, ssoConnection: withCert }} />
      </Router>,
    );
    await userEvent.upload(screen.getByLabelText('Upload a certificate'), new File([fixture('utf8.pem')], 'next.pem'));
    await userEvent.upload(screen.getByLabelText('Upload a certificate'), new File([fixture('entra.der')], 'entra.der'));
    await waitFor(() => expect(screen.getAllByText('Not saved yet')).toHaveLength(2));
    await userEvent.click(screen.getByRole('button', { name: /^Remove certificate CN=Microsoft/ }));
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));

    expect(await screen.findByText(/Nothing was saved/)).toBeInTheDocument();
    expect(calls).toHaveLength(1);
    const [first, second] = screen.getAllByText('Not saved yet').map((b) => b.closest('li') as HTMLElement);
    expect(within(first).queryByRole('alert')).toBeNull();
    expect(within(second).getByRole('alert')).toHaveTextContent('The RSA key has 1024 bits; at least 2048 are required');
    const removed = screen.getByText('Removed when you save').closest('li') as HTMLElement;
    expect(within(removed).getByRole('alert')).toHaveTextContent('This is the last valid certificate and SSO is enabled');
    expect(screen.queryByText(/was saved, but/)).toBeNull();
    expect(screen.getByRole('button', { name: /^Save( and publish| draft)$/ })).toBeEnabled();
  });

  test("someone else's save is reported, and the admin's edits stay", async () => {
    mockGraphql({
      SaveSsoSettings: () => ({
        errors: [{ message: 'the SSO settings were changed by someone else', extensions: { code: 'CONFLICT', field: 'version' } }],
      }),
    });
    renderEditor();
    await enableEntra();
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));
    expect(await screen.findByText(/Someone else saved these settings after you opened this page/)).toBeInTheDocument();
    expect(screen.getByLabelText('IDP Issuer URL/URN')).toHaveValue('https://sts.windows.net/tid/');
  });

  test('a refused certificate stays on the page with the server’s reason', async () => {
    mockGraphql({
      SaveSsoSettings: () => validation([{ field: 'addCertificates[0]', message: 'this certificate is already uploaded' }]),
    });
    renderEditor();
    await enableEntra();
    await userEvent.upload(screen.getByLabelText('Upload a certificate'), new File([fixture('entra.der')], 'entra.der'));
    await screen.findByText('Not saved yet');
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));
    const item = (await screen.findByText('Not saved yet')).closest('li') as HTMLElement;
    expect(await within(item).findByRole('alert')).toHaveTextContent('This certificate is already uploaded');
  });

  test('switching to SSO only asks first, naming who keeps passwords and the last test', async () => {
    const ready = {
      ...connection,
      enabled: true,
      loginUrl: 'https://login.microsoftonline.com/tid/saml2',
      issuer: 'https://sts.windows.net/tid/',
      certificates: [savedCert],
    };
    const calls = mockGraphql({
      SaveSsoSettings: (v) => ({ data: { saveSsoSettings: { ...ready, ...(v.input as object), version: 4 } } }),
    });
    const status = {
      health: 'ACTIVE' as const,
      attention: [],
      certificateExpiresAt: '2036-11-23T18:30:16Z',
      scimLastActivityAt: null,
      lastSuccess: null,
      lastFailure: null,
      lastTest: null,
    };
    render(
      <Router>
        <SsoEditor initial={{ ...initial, ssoConnection: ready }} status={status} />
      </Router>,
    );
    expect(screen.getByRole('region', { name: 'Connection status' })).toHaveTextContent('Active');
    expect(screen.queryByRole('region', { name: 'Set up single sign-on' })).toBeNull();
    await userEvent.selectOptions(screen.getByLabelText('Login policy'), 'SSO');
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));
    const dialog = screen.getByRole('dialog', { name: 'Switch to SSO only?' });
    expect(dialog).toHaveTextContent('break-glass accounts');
    expect(dialog).toHaveTextContent('Test SSO has not been run yet');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: /^Save( and publish| draft)$/ }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Switch to SSO only and save' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    const input = calls[0].variables.input as { loginPolicy: string; publish: boolean };
    expect(input.loginPolicy).toBe('SSO');
    expect(input.publish).toBe(false); // SSO is live: the save goes into the draft

  });

  test('a tenant without SSO sees the steps and the values to paste before ticking anything', () => {
    renderEditor();
    const steps = screen.getByRole('region', { name: 'Set up single sign-on' });
    expect(steps).toHaveTextContent('0 of 5 steps done');
    expect(screen.getByRole('button', { name: 'Copy Identifier (Entity ID)' })).toBeInTheDocument();
  });

  test("the IdP's guide shows its menu paths next to the values to paste, for SSO and SCIM", async () => {
    render(
      <Router>
        <SsoEditor initial={{ ...initial, ssoConnection: { ...connection, issuer: 'x' } }} />
      </Router>,
    );
    await userEvent.click(screen.getByRole('radio', { name: 'Okta' }));
    const details = screen.getByText('Step by step in Okta').closest('details') as HTMLDetailsElement;
    expect(within(details).queryByText(/Audience URI/)).toBeNull();
    details.open = true;
    fireEvent(details, new Event('toggle'));
    expect(await within(details).findByText(/Audience URI \(SP Entity ID\): this value/)).toBeInTheDocument();
    const scim = within(details).getByRole('button', { name: 'Copy SCIM Tenant URL (step 2)' });
    expect(scim.closest('dd')).toHaveTextContent('https://gatehouse.example.com/scim/v2/contoso');
  });
});

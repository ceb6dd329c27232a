import { describe, expect, test } from 'vitest';
import type { SignInEventFieldsFragment, SsoConnectionFieldsFragment } from '../src/gql/graphql';
import { setupSteps, showGuide, ssoOnlyWarning, type ConnectionStatusData } from '../src/lib/setup';

const empty: SsoConnectionFieldsFragment = {
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
  version: 1,
  updatedAt: '2026-11-26T10:00:00Z',
  certificates: [],
};
const cert = {
  id: 'c1',
  subject: 'CN=x',
  issuer: 'CN=x',
  fingerprintSha256: 'AA',
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2030-01-01T00:00:00Z',
  expiresSoon: false,
  expired: false,
};
const configured = { ...empty, loginUrl: 'https://idp/sso', issuer: 'https://idp', certificates: [cert] };

function event(over: Partial<SignInEventFieldsFragment>): SignInEventFieldsFragment {
  return {
    id: 'e1',
    createdAt: '2026-11-26T10:00:00Z',
    success: false,
    flow: 'test',
    reasonCode: 'unknown_user',
    reason: 'No user with this federation ID exists; create or provision the user.',
    detail: '',
    userId: null,
    nameId: 'bob@contoso.com',
    certificateFingerprint: null,
    clockOffsetSeconds: null,
    ip: null,
    userAgent: null,
    ...over,
  };
}

function status(lastTest: SignInEventFieldsFragment | null): ConnectionStatusData {
  return { health: 'OFF', attention: [], certificateExpiresAt: null, scimLastActivityAt: null, lastSuccess: null, lastFailure: null, lastTest };
}

const done = (steps: ReturnType<typeof setupSteps>) => Object.fromEntries(steps.map((s) => [s.id, s.done]));

describe('guided set-up', () => {
  test('a new tenant has every step to do, and names what is missing', () => {
    const steps = setupSteps(empty, status(null));
    expect(done(steps)).toEqual({ copy: false, idp: false, user: false, test: false, enable: false });
    expect(steps[1].note).toBe('Login URL, Issuer, a valid certificate still missing. Import the metadata file, then Save.');
  });

  test('saved IdP values finish the first two steps; an expired certificate does not count', () => {
    expect(done(setupSteps(configured, status(null)))).toMatchObject({ copy: true, idp: true, test: false });
    const expired = { ...configured, certificates: [{ ...cert, expired: true }] };
    expect(done(setupSteps(expired, status(null)))).toMatchObject({ idp: false });
  });

  test('a test that failed on the user leaves the user step to do and says who', () => {
    const steps = setupSteps(configured, status(event({})));
    expect(done(steps)).toMatchObject({ user: false, test: false });
    expect(steps[2].note).toContain('bob@contoso.com');
    expect(steps[3].note).toContain('No user with this federation ID');
  });

  test('a test that failed on the connection means the user step is done', () => {
    const steps = setupSteps(configured, status(event({ reasonCode: 'audience_mismatch', reason: 'other app' })));
    expect(done(steps)).toMatchObject({ user: true, test: false });
  });

  test('a passed test, then SSO on: all done, and the guide steps aside', () => {
    const passed = status(event({ success: true, reasonCode: 'success' }));
    expect(done(setupSteps({ ...configured, enabled: true }, passed))).toEqual({ copy: true, idp: true, user: true, test: true, enable: true });
    expect(showGuide(configured)).toBe(true);
    expect(showGuide({ ...configured, enabled: true })).toBe(false);
  });
});

describe('switching to SSO only', () => {
  test('says who keeps password access and whether the last test passed', () => {
    const never = ssoOnlyWarning(status(null));
    expect(never.testPassed).toBe(false);
    expect(never.text).toContain('break-glass accounts');
    expect(never.text).toContain('Test SSO has not been run yet');
    const failed = ssoOnlyWarning(status(event({ reason: 'The response was made for another application.' })));
    expect(failed.text).toContain('The last Test SSO failed (The response was made for another application.)');
    const passed = ssoOnlyWarning(status(event({ success: true, reasonCode: 'success' })));
    expect(passed).toMatchObject({ testPassed: true });
    expect(passed.text).toContain('The last Test SSO passed.');
  });
});

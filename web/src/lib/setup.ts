// The guided set-up of Identity Management: which of the five steps are done, worked out
// from the saved connection and the connection status (no state of its own).
import type { ConnectionStatusQuery, SsoConnectionFieldsFragment } from '../gql/graphql';

export type ConnectionStatusData = ConnectionStatusQuery['connectionStatus'];

export type StepId = 'copy' | 'idp' | 'user' | 'test' | 'enable';

export interface SetupStep {
  id: StepId;
  title: string;
  done: boolean;
  /** What to do now (or what was found), one sentence. */
  note: string;
}

/** Reasons that say the test user is the problem, not the connection. */
const USER_REASONS = new Set(['unknown_user', 'user_pending', 'user_suspended']);

export function setupSteps(c: SsoConnectionFieldsFragment, status: ConnectionStatusData | undefined): SetupStep[] {
  const idpDone = !!c.loginUrl && !!c.issuer && c.certificates.some((x) => !x.expired);
  const lastTest = status?.lastTest ?? null;
  const testPassed = !!lastTest?.success;
  const userProblem = !!lastTest && !lastTest.success && USER_REASONS.has(lastTest.reasonCode);
  return [
    {
      id: 'copy',
      title: 'Copy these values into your identity provider',
      done: idpDone || !!lastTest,
      note: 'Create an application in your IdP and paste the Identifier and Reply URL shown below.',
    },
    {
      id: 'idp',
      title: 'Import the IdP\u2019s metadata, or enter its values',
      done: idpDone,
      note: idpDone
        ? 'Login URL, Issuer and a valid certificate are saved.'
        : [!c.loginUrl && 'Login URL', !c.issuer && 'Issuer', !c.certificates.some((x) => !x.expired) && 'a valid certificate']
            .filter(Boolean)
            .join(', ')
            .replace(/^./, (s) => s.toUpperCase()) + ' still missing. Import the metadata file, then Save.',
    },
    {
      id: 'user',
      title: 'Make sure a test user exists here and in the IdP',
      done: testPassed || (!!lastTest && !userProblem),
      note: userProblem
        ? `The last test signed in ${lastTest?.nameId ?? 'someone'}, who ${lastTest?.reasonCode === 'unknown_user' ? 'has no user here' : 'is not active here'}.`
        : 'You can be the test user: assign yourself to the app in the IdP, and tell Gatehouse your user name there.',
    },
    {
      id: 'test',
      title: 'Run Test SSO',
      done: testPassed,
      note: testPassed ? 'The last test sign-in worked.' : lastTest ? `The last test failed: ${lastTest.reason}` : 'Save first, then press Test SSO below.',
    },
    {
      id: 'enable',
      title: 'Turn SSO on',
      done: c.enabled,
      note: c.enabled ? 'SSO is on.' : 'Tick Single Sign On (SSO) and Save.',
    },
  ];
}

/** The guided flow is for tenants whose SSO is not working yet; a working one keeps the compact form. */
export function showGuide(c: SsoConnectionFieldsFragment): boolean {
  return !c.enabled;
}

/** Who keeps password access under an SSO-only policy, and whether the last test passed: the confirmation's words. */
export function ssoOnlyWarning(status: ConnectionStatusData | undefined): { testPassed: boolean; text: string } {
  const lastTest = status?.lastTest ?? null;
  const testPassed = !!lastTest?.success;
  const test = !lastTest
    ? 'Test SSO has not been run yet: if SSO does not work, your users cannot sign in at all.'
    : testPassed
      ? 'The last Test SSO passed.'
      : `The last Test SSO failed (${lastTest.reason}). If SSO does not work, your users cannot sign in at all.`;
  return {
    testPassed,
    text: `Users will have to sign in through your identity provider; their passwords will be refused. Only the break-glass accounts named under Domains & SSO enforcement keep password sign-in, as a way in if SSO breaks. ${test}`,
  };
}

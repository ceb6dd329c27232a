// What each identity provider calls the values the admin copies, and what they look like.
import type { IdpProvider, LoginPolicy } from '../gql/graphql';

export interface ProviderInfo {
  label: string;
  /** Heading of the settings section, as in the 8x8 console ("Microsoft Entra SAML Settings"). */
  settingsHeading: string;
  loginUrl: { placeholder: string; hint: string };
  issuer: { placeholder: string; hint: string };
  logoutUrl: { placeholder: string; hint: string };
  certificate: string;
  /** Where the SP values go, in the IdP's words. */
  spHeading: string;
  spLabels: { entityId: string; acsUrl: string; signOnUrl: string; metadataUrl: string };
}

export const PROVIDERS: Record<IdpProvider, ProviderInfo> = {
  ENTRA_ID: {
    label: 'Microsoft Entra ID',
    settingsHeading: 'Microsoft Entra SAML Settings',
    loginUrl: {
      placeholder: 'https://login.microsoftonline.com/<tenant-id>/saml2',
      hint: 'In Entra, "Set up single sign-on with SAML" → "Set up <app>": copy the Login URL.',
    },
    issuer: {
      placeholder: 'https://sts.windows.net/<tenant-id>/',
      hint: 'Copy the Microsoft Entra Identifier (keep the trailing slash).',
    },
    logoutUrl: {
      placeholder: 'https://login.microsoftonline.com/<tenant-id>/saml2',
      hint: 'Copy the Logout URL, so signing out here also signs out of Entra.',
    },
    certificate: 'In "SAML Certificates", download Certificate (Base64) and upload the .cer file here.',
    spHeading: 'Paste into Microsoft Entra ID → Basic SAML Configuration',
    spLabels: {
      entityId: 'Identifier (Entity ID)',
      acsUrl: 'Reply URL (Assertion Consumer Service URL)',
      signOnUrl: 'Sign on URL',
      metadataUrl: 'SP metadata URL',
    },
  },
  OKTA: {
    label: 'Okta',
    settingsHeading: 'Okta SAML Settings',
    loginUrl: {
      placeholder: 'https://<your-org>.okta.com/app/<app-name>/<app-id>/sso/saml',
      hint: 'In Okta, the app\u2019s Sign On tab → "View SAML setup instructions": Identity Provider Single Sign-On URL.',
    },
    issuer: {
      placeholder: 'http://www.okta.com/<app-id>',
      hint: 'Copy the Identity Provider Issuer.',
    },
    logoutUrl: {
      placeholder: 'https://<your-org>.okta.com/app/<app-name>/<app-id>/slo/saml',
      hint: 'Only if Single Logout is enabled for the app in Okta.',
    },
    certificate: 'Download the X.509 Certificate (okta.cert) and upload it here.',
    spHeading: 'Paste into Okta → SAML Settings',
    spLabels: {
      entityId: 'Audience URI (SP Entity ID)',
      acsUrl: 'Single sign-on URL',
      signOnUrl: 'Sign-on URL (app embed link)',
      metadataUrl: 'SP metadata URL',
    },
  },
  GOOGLE: {
    label: 'Google Workspace',
    settingsHeading: 'Google SAML Settings',
    loginUrl: {
      placeholder: 'https://accounts.google.com/o/saml2/idp?idpid=<idp-id>',
      hint: 'In the Google Admin console, the custom SAML app\u2019s "Google Identity Provider details": SSO URL.',
    },
    issuer: {
      placeholder: 'https://accounts.google.com/o/saml2?idpid=<idp-id>',
      hint: 'Copy the Entity ID.',
    },
    logoutUrl: {
      placeholder: 'Google has no SAML logout URL: leave empty',
      hint: 'Google Workspace does not offer SAML single logout; leave this empty.',
    },
    certificate: 'Download the Certificate from the same page and upload it here.',
    spHeading: 'Paste into Google Admin → Service provider details',
    spLabels: {
      entityId: 'Entity ID',
      acsUrl: 'ACS URL',
      signOnUrl: 'Start URL',
      metadataUrl: 'SP metadata URL',
    },
  },
  GENERIC_SAML: {
    label: 'Other SAML 2.0',
    settingsHeading: 'SAML 2.0 Settings',
    loginUrl: {
      placeholder: 'https://idp.example.com/saml2/sso',
      hint: 'The IdP\u2019s single sign-on service URL (HTTP-Redirect binding).',
    },
    issuer: {
      placeholder: 'https://idp.example.com/metadata',
      hint: 'The IdP\u2019s entity ID, exactly as it appears in its Responses\u2019 <Issuer>.',
    },
    logoutUrl: {
      placeholder: 'https://idp.example.com/saml2/slo',
      hint: 'The IdP\u2019s single logout service URL, if it has one.',
    },
    certificate: 'Upload the IdP\u2019s signing certificate (PEM, Base64 or DER).',
    spHeading: 'Give these to your identity provider',
    spLabels: {
      entityId: 'Identifier (Entity ID)',
      acsUrl: 'Reply URL (Assertion Consumer Service URL)',
      signOnUrl: 'Sign-on URL',
      metadataUrl: 'SP metadata URL',
    },
  },
};

export const PROVIDER_ORDER: IdpProvider[] = ['ENTRA_ID', 'OKTA', 'GOOGLE', 'GENERIC_SAML'];

export const LOGIN_POLICIES: { value: LoginPolicy; label: string }[] = [
  { value: 'PASSWORD_OR_SSO', label: 'Password or SSO' },
  { value: 'SSO', label: 'SSO only' },
  { value: 'PASSWORD', label: 'Password only' },
];

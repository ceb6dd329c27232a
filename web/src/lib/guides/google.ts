// Google Workspace: SSO set-up in the Google Admin console's words (Google offers no SCIM
// provisioning to custom SAML apps).
import type { IdpGuide } from './types';

export const googleGuide: IdpGuide = {
  title: 'Google Workspace',
  sso: [
    { where: 'Google Admin console → Apps → Web and mobile apps → Add app', what: 'Add custom SAML app; give it a name.' },
    { where: 'Google Identity Provider details', what: 'Download the IdP metadata and import it here (or copy SSO URL, Entity ID and the Certificate). Continue.' },
    { where: 'Service provider details', what: 'ACS URL: this value.', paste: 'acsUrl' },
    { where: 'Service provider details', what: 'Entity ID: this value. Start URL: optional. Name ID format: EMAIL; Name ID: Basic Information → Primary email.', paste: 'entityId' },
    { where: 'The app → User access', what: 'Turn the app ON for everyone (or the organisational units that should sign in). It can take a few minutes to apply.' },
  ],
  scim: [
    { where: 'Users page here', what: 'Google Workspace does not provision custom SAML apps over SCIM: create users here, or turn on "Create users at their first SSO sign-in".' },
  ],
};

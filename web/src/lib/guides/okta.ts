// Okta: SSO and SCIM set-up, in the Okta Admin Console's words.
import type { IdpGuide } from './types';

export const oktaGuide: IdpGuide = {
  title: 'Okta',
  sso: [
    { where: 'Okta Admin Console → Applications → Create App Integration', what: 'Sign-in method: SAML 2.0.' },
    { where: 'Configure SAML → SAML Settings', what: 'Single sign-on URL: this value (tick "Use this for Recipient URL and Destination URL").', paste: 'acsUrl' },
    { where: 'SAML Settings', what: 'Audience URI (SP Entity ID): this value. Name ID format: EmailAddress; Application username: Email.', paste: 'entityId' },
    { where: 'The app → Sign On tab', what: 'Copy the "Metadata URL" target and import the metadata here (or "View SAML setup instructions" for the Identity Provider Single Sign-On URL, Issuer and X.509 Certificate).' },
    { where: 'The app → Assignments → Assign', what: 'Assign yourself and the people who should sign in.' },
  ],
  scim: [
    { where: 'The app → General → App Settings → Edit', what: 'Provisioning: SCIM. Save.' },
    { where: 'Provisioning tab → Integration', what: 'SCIM connector base URL: this value. Unique identifier field for users: userName.', paste: 'scimUrl' },
    { where: 'Provisioning → Integration', what: 'Authentication Mode: HTTP Header; Authorization: a Secret Token from the Provisioning page here. Test Connector Configuration, then Save.' },
    { where: 'Provisioning → To App', what: 'Enable Create Users, Update User Attributes and Deactivate Users.' },
  ],
};

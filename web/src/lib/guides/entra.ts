// Microsoft Entra ID: SSO and SCIM set-up, in the Entra admin center's words.
import type { IdpGuide } from './types';

export const entraGuide: IdpGuide = {
  title: 'Microsoft Entra ID',
  sso: [
    { where: 'Entra admin center → Enterprise applications → New application', what: 'Create your own application → "Integrate any other application you don\u2019t find in the gallery (Non-gallery)".' },
    { where: 'The app → Single sign-on → SAML → Basic SAML Configuration → Edit', what: 'Identifier (Entity ID): add this value.', paste: 'entityId' },
    { where: 'Basic SAML Configuration', what: 'Reply URL (Assertion Consumer Service URL): add this value.', paste: 'acsUrl' },
    { where: 'Basic SAML Configuration', what: 'Sign on URL: this value (optional). Save.', paste: 'signOnUrl' },
    { where: 'SAML Certificates', what: 'Download "Federation Metadata XML" and import it here (or download "Certificate (Base64)" and copy Login URL and Microsoft Entra Identifier from "Set up <app>").' },
    { where: 'The app → Users and groups → Add user/group', what: 'Assign yourself (and everyone who should sign in). Unassigned users are stopped by Entra before they reach Gatehouse.' },
  ],
  scim: [
    { where: 'The app → Provisioning → Get started', what: 'Provisioning Mode: Automatic.' },
    { where: 'Admin Credentials', what: 'Tenant URL: this value.', paste: 'scimUrl' },
    { where: 'Admin Credentials', what: 'Secret Token: create one on the Provisioning page here (shown once), paste it, then "Test Connection".' },
    { where: 'Provisioning → Start provisioning', what: 'Entra provisions assigned users and groups about every 40 minutes; "Provision on demand" does one user now.' },
  ],
};

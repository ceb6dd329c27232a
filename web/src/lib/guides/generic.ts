// Any SAML 2.0 identity provider: what to look for under whatever names it uses.
import type { IdpGuide } from './types';

export const genericGuide: IdpGuide = {
  title: 'Other SAML 2.0 identity providers',
  sso: [
    { where: 'Your IdP → add a SAML 2.0 service provider (application, relying party)', what: 'If it imports SP metadata, give it this URL and skip the next two steps.', paste: 'metadataUrl' },
    { where: 'SP entity ID / Audience', what: 'This value.', paste: 'entityId' },
    { where: 'Assertion Consumer Service (ACS) URL, HTTP-POST binding', what: 'This value. Sign the Response or the Assertion with SHA-256; do not encrypt the assertion.', paste: 'acsUrl' },
    { where: 'Name ID', what: 'The user\u2019s e-mail address (it must match the user\u2019s federation ID here).' },
    { where: 'IdP metadata', what: 'Import it here, or copy its SSO URL (HTTP-Redirect), entity ID and signing certificate.' },
  ],
  scim: [
    { where: 'Your IdP\u2019s SCIM 2.0 provisioning settings', what: 'Base URL: this value; authentication: bearer token, a Secret Token from the Provisioning page here.', paste: 'scimUrl' },
  ],
};

// The shape of a per-IdP set-up guide. Each IdP's words live in its own file
// (entra.ts, okta.ts, google.ts, generic.ts) so they can be corrected without touching
// any component. `{entityId}`, `{acsUrl}`, `{signOnUrl}`, `{metadataUrl}` and `{scimUrl}`
// in `paste` name the value shown next to the step, with a copy button.

export type SpValue = 'entityId' | 'acsUrl' | 'signOnUrl' | 'metadataUrl' | 'scimUrl';

export interface GuideStep {
  /** Where to go in the IdP, in its own menu names. */
  where: string;
  /** What to do there, in the IdP's field names. */
  what: string;
  /** The Gatehouse value to paste there, if any. */
  paste?: SpValue;
}

export interface IdpGuide {
  title: string;
  sso: GuideStep[];
  scim: GuideStep[];
}

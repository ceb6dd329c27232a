// The per-IdP guides, by provider.
import type { IdpProvider } from '../../gql/graphql';
import { entraGuide } from './entra';
import { genericGuide } from './generic';
import { googleGuide } from './google';
import { oktaGuide } from './okta';
import type { IdpGuide } from './types';

export type { GuideStep, IdpGuide, SpValue } from './types';

export const GUIDES: Record<IdpProvider, IdpGuide> = {
  ENTRA_ID: entraGuide,
  OKTA: oktaGuide,
  GOOGLE: googleGuide,
  GENERIC_SAML: genericGuide,
};

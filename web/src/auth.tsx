// Who is signed in. The session itself is the HttpOnly cookie; this only mirrors `me`.
import { createContext, useContext } from 'react';
import type { MeQuery } from './gql/graphql';

export type Me = NonNullable<MeQuery['me']>;

export interface AuthValue {
  me: Me;
  signOut: () => void;
  /** The tenant the pages act on: the admin's own, or the one an operator picked. */
  tenantSlug: string | null;
  /** Operators only: pick the tenant to act on. */
  chooseTenant: (slug: string | null) => void;
}

export const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside the signed-in console');
  return value;
}

export const isOperator = (me: Me) => me.role === 'PLATFORM_OPERATOR';

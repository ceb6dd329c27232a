// Operations of the domains page (issue 13): verified e-mail domains and break-glass accounts.
import { graphql } from '../gql';

export const DomainsQuery = graphql(`
  query Domains {
    domains {
      id
      name
      status
      recordName
      recordValue
      verifiedAt
      flaggedAt
      graceEndsAt
      lastCheckedAt
      lastCheckError
      nextCheckAt
      routesSignIns
    }
    breakGlassAccounts {
      ssoRequired
      warnings {
        kind
        message
      }
      accounts {
        user {
          id
          email
          displayName
        }
        addedBy
        addedAt
        lastUsedAt
      }
    }
  }
`);

export const AddDomainMutation = graphql(`
  mutation AddDomain($name: String!) {
    addDomain(name: $name) {
      id
    }
  }
`);

export const VerifyDomainMutation = graphql(`
  mutation VerifyDomain($id: ID!) {
    verifyDomain(id: $id) {
      id
      status
      lastCheckError
    }
  }
`);

export const RemoveDomainMutation = graphql(`
  mutation RemoveDomain($id: ID!) {
    removeDomain(id: $id)
  }
`);

export const FindUserQuery = graphql(`
  query FindUser($search: String) {
    users(first: 10, search: $search) {
      nodes {
        id
        email
      }
    }
  }
`);

export const AddBreakGlassMutation = graphql(`
  mutation AddBreakGlass($userId: ID!) {
    addBreakGlassAccount(userId: $userId) {
      ssoRequired
    }
  }
`);

export const RemoveBreakGlassMutation = graphql(`
  mutation RemoveBreakGlass($userId: ID!) {
    removeBreakGlassAccount(userId: $userId) {
      ssoRequired
    }
  }
`);

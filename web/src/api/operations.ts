// Every operation the console sends. GraphQL Code Generator turns these into the typed
// documents in src/gql (run `npm run codegen` after changing one or the schema).
import { graphql } from '../gql';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      displayName
      role
      tenant {
        slug
        name
      }
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!, $tenant: String) {
    signIn(email: $email, password: $password, tenant: $tenant) {
      me {
        id
        email
        displayName
        role
        tenant {
          slug
          name
        }
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const CertificateFields = graphql(`
  fragment CertificateFields on IdpCertificate {
    id
    subject
    issuer
    fingerprintSha256
    notBefore
    notAfter
    expiresSoon
    expired
  }
`);

export const SsoConnectionFields = graphql(`
  fragment SsoConnectionFields on SsoConnection {
    enabled
    provider
    loginUrl
    issuer
    logoutUrl
    loginPolicy
    allowIdpInitiated
    jitProvisioning
    signAuthnRequests
    requireEncryptedAssertions
    version
    updatedAt
    certificates {
      ...CertificateFields
    }
  }
`);

export const IdentityManagementQuery = graphql(`
  query IdentityManagement {
    ssoConnection {
      ...SsoConnectionFields
    }
    serviceProvider {
      entityId
      acsUrl
      signOnUrl
      metadataUrl
      scimTenantUrl
      tenantMetadataUrl
      certificates {
        id
        role
        state
        algorithm
        certificatePem
        fingerprintSha256
        notBefore
        notAfter
        activateAfter
        published
      }
    }
    tenant {
      slug
      name
      devMode
    }
    ssoDraft {
      ...SsoDraftFields
    }
  }
`);

export const SsoDraftFields = graphql(`
  fragment SsoDraftFields on SsoDraft {
    revision
    baseVersion
    updatedBy
    updatedAt
    lastTest {
      success
      at
      by
      detail
    }
    changes {
      field
      before
      after
    }
    settings {
      ...SsoConnectionFields
    }
  }
`);

export const PublishSsoDraftMutation = graphql(`
  mutation PublishSsoDraft($expectedRevision: Int, $confirmUntested: Boolean) {
    publishSsoDraft(expectedRevision: $expectedRevision, confirmUntested: $confirmUntested) {
      version
    }
  }
`);

export const DiscardSsoDraftMutation = graphql(`
  mutation DiscardSsoDraft($expectedRevision: Int) {
    discardSsoDraft(expectedRevision: $expectedRevision)
  }
`);

export const SsoSettingsHistoryQuery = graphql(`
  query SsoSettingsHistory {
    ssoSettingsHistory {
      version
      action
      publishedBy
      publishedAt
      restoredFrom
    }
    ssoConnection {
      version
    }
  }
`);

export const SsoSettingsDiffQuery = graphql(`
  query SsoSettingsDiff($from: SsoSettingsRef!, $to: SsoSettingsRef!) {
    ssoSettingsDiff(from: $from, to: $to) {
      field
      before
      after
    }
  }
`);

export const RollbackSsoSettingsMutation = graphql(`
  mutation RollbackSsoSettings($version: Int!, $expectedVersion: Int) {
    rollbackSsoSettings(version: $version, expectedVersion: $expectedVersion) {
      version
    }
  }
`);

export const SaveSsoSettingsMutation = graphql(`
  mutation SaveSsoSettings($input: SaveSsoSettingsInput!) {
    saveSsoSettings(input: $input) {
      ...SsoConnectionFields
    }
  }
`);

export const UserFields = graphql(`
  fragment UserFields on User {
    id
    email
    displayName
    federationId
    role
    status
    hasPassword
    source
    lastSignInAt
    createdAt
    updatedAt
    groups(first: 10) {
      pageInfo {
        hasNextPage
      }
      nodes {
        id
        displayName
      }
    }
  }
`);

export const UsersQuery = graphql(`
  query Users($first: Int, $after: String, $search: String, $status: UserStatus) {
    users(first: $first, after: $after, search: $search, status: $status) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...UserFields
      }
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      ...UserFields
    }
  }
`);

export const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      ...UserFields
    }
  }
`);

export const ActivateUserMutation = graphql(`
  mutation ActivateUser($id: ID!) {
    activateUser(id: $id) {
      ...UserFields
    }
  }
`);

export const SuspendUserMutation = graphql(`
  mutation SuspendUser($id: ID!) {
    suspendUser(id: $id) {
      ...UserFields
    }
  }
`);

export const DeleteUserMutation = graphql(`
  mutation DeleteUser($id: ID!) {
    deleteUser(id: $id) {
      id
    }
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        actorKind
        actor
        action
        targetType
        targetId
        before
        after
        createdAt
      }
    }
  }
`);

export const ApiTokensQuery = graphql(`
  query ApiTokens($first: Int, $after: String) {
    apiTokens(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        prefix
        createdBy
        createdAt
        lastUsedAt
        revokedAt
      }
    }
  }
`);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($name: String!) {
    createApiToken(name: $name) {
      token
      apiToken {
        id
        name
        prefix
        createdBy
        createdAt
        lastUsedAt
        revokedAt
      }
    }
  }
`);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

export const TenantsQuery = graphql(`
  query Tenants($first: Int, $after: String, $search: String) {
    tenants(first: $first, after: $after, search: $search) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        slug
        name
        devMode
        createdAt
        ssoEnabled
        loginPolicy
        userCount
      }
    }
  }
`);

export const CreateTenantMutation = graphql(`
  mutation CreateTenant($input: CreateTenantInput!) {
    createTenant(input: $input) {
      tenant {
        id
        slug
        name
        devMode
        createdAt
      }
      admin {
        email
      }
      generatedAdminPassword
    }
  }
`);

export const SetTenantDevModeMutation = graphql(`
  mutation SetTenantDevMode($slug: String!, $enabled: Boolean!) {
    setTenantDevMode(slug: $slug, enabled: $enabled) {
      id
      devMode
    }
  }
`);

export const TestSsoConnectionMutation = graphql(`
  mutation TestSsoConnection {
    testSsoConnection {
      url
    }
  }
`);

export const ImportIdpMetadataMutation = graphql(`
  mutation ImportIdpMetadata($xml: String!) {
    importIdpMetadata(xml: $xml, apply: false) {
      issuer
      loginUrl
      logoutUrl
      certificates {
        subject
        fingerprintSha256
        notBefore
        notAfter
        pem
        usable
      }
    }
  }
`);

export const SignInEventFields = graphql(`
  fragment SignInEventFields on SignInEvent {
    id
    createdAt
    success
    flow
    reasonCode
    reason
    detail
    userId
    nameId
    certificateFingerprint
    clockOffsetSeconds
    ip
    userAgent
  }
`);

export const SignInEventsQuery = graphql(`
  query SignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {
    signInEvents(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...SignInEventFields
      }
    }
  }
`);

export const SignInEventAddedSubscription = graphql(`
  subscription SignInEventAdded($filter: SignInEventFilter) {
    signInEventAdded(filter: $filter) {
      ...SignInEventFields
    }
  }
`);

export const ScimTokenFields = graphql(`
  fragment ScimTokenFields on ScimToken {
    id
    prefix
    createdBy
    createdAt
    lastUsedAt
    revokedAt
  }
`);

export const ProvisioningQuery = graphql(`
  query Provisioning($first: Int, $after: String) {
    serviceProvider {
      scimTenantUrl
    }
    tenant {
      scimManagesAdmins
    }
    scimTokens(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ScimTokenFields
      }
    }
  }
`);

export const SetScimManagesAdminsMutation = graphql(`
  mutation SetScimManagesAdmins($enabled: Boolean!) {
    setScimManagesAdmins(enabled: $enabled) {
      scimManagesAdmins
    }
  }
`);

export const CreateScimTokenMutation = graphql(`
  mutation CreateScimToken {
    createScimToken {
      token
      tenantUrl
      scimToken {
        ...ScimTokenFields
      }
    }
  }
`);

export const RotateScimTokenMutation = graphql(`
  mutation RotateScimToken($id: ID!) {
    rotateScimToken(id: $id) {
      token
      tenantUrl
      scimToken {
        ...ScimTokenFields
      }
    }
  }
`);

export const RevokeScimTokenMutation = graphql(`
  mutation RevokeScimToken($id: ID!) {
    revokeScimToken(id: $id) {
      id
      revokedAt
    }
  }
`);

export const GroupsQuery = graphql(`
  query Groups($first: Int, $after: String, $search: String) {
    groups(first: $first, after: $after, search: $search) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        displayName
        externalId
        memberCount
        updatedAt
      }
    }
  }
`);

export const GroupMembersQuery = graphql(`
  query GroupMembers($id: ID!, $first: Int, $after: String) {
    group(id: $id) {
      id
      memberCount
      members(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          email
          displayName
          federationId
          status
        }
      }
    }
  }
`);

export const ConnectionStatusQuery = graphql(`
  query ConnectionStatus {
    connectionStatus {
      health
      attention
      certificateExpiresAt
      scimLastActivityAt
      lastSuccess {
        ...SignInEventFields
      }
      lastFailure {
        ...SignInEventFields
      }
      lastTest {
        ...SignInEventFields
      }
    }
  }
`);

export const SignInReasonsQuery = graphql(`
  query SignInReasons {
    signInReasons {
      code
      description
    }
  }
`);

export const UnattributedSignInEventsQuery = graphql(`
  query UnattributedSignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {
    unattributedSignInEvents(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...SignInEventFields
      }
    }
  }
`);

/** The signed-in admin's own user: what Test SSO matches them by (the guided set-up's step 3). */
export const MyIdpIdentityQuery = graphql(`
  query MyIdpIdentity($id: ID!) {
    user(id: $id) {
      id
      email
      federationId
    }
  }
`);

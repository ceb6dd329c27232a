/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CertificateRollover {\n    ssoConnection {\n      version\n      enabled\n      refuseExpiredCertificates\n      metadataStatus {\n        url\n        autoPromote\n        lastAttemptAt\n        lastSuccessAt\n        lastError\n        failures\n        nextFetchAt\n      }\n      stagedCertificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        firstSeenAt\n        signInsSeen\n        lastSeenAt\n      }\n      certificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        usage {\n          lastVerifiedAt\n          signInsLast30Days\n          expiredSignIns\n        }\n      }\n    }\n  }\n": typeof types.CertificateRolloverDocument,
    "\n  mutation SetIdpMetadataUrl($url: String, $autoPromote: Boolean!) {\n    setIdpMetadataUrl(url: $url, autoPromote: $autoPromote) {\n      url\n    }\n  }\n": typeof types.SetIdpMetadataUrlDocument,
    "\n  mutation RefreshIdpMetadata {\n    refreshIdpMetadata {\n      lastError\n    }\n  }\n": typeof types.RefreshIdpMetadataDocument,
    "\n  mutation PromoteStagedCertificate($id: ID!) {\n    promoteStagedCertificate(id: $id) {\n      version\n    }\n  }\n": typeof types.PromoteStagedCertificateDocument,
    "\n  mutation DismissStagedCertificate($id: ID!) {\n    dismissStagedCertificate(id: $id)\n  }\n": typeof types.DismissStagedCertificateDocument,
    "\n  mutation RemoveTrustedCertificate($id: ID!) {\n    removeIdpCertificate(id: $id) {\n      id\n    }\n  }\n": typeof types.RemoveTrustedCertificateDocument,
    "\n  mutation SetRefuseExpiredCertificates($refuse: Boolean!) {\n    setRefuseExpiredCertificates(refuse: $refuse) {\n      refuseExpiredCertificates\n    }\n  }\n": typeof types.SetRefuseExpiredCertificatesDocument,
    "\n  query CertificateWarnings {\n    certificateWarnings {\n      certificateId\n      subject\n      notAfter\n      daysLeft\n      thresholdDays\n      covered\n    }\n  }\n": typeof types.CertificateWarningsDocument,
    "\n  query Domains {\n    domains {\n      id\n      name\n      status\n      recordName\n      recordValue\n      verifiedAt\n      flaggedAt\n      graceEndsAt\n      lastCheckedAt\n      lastCheckError\n      nextCheckAt\n      routesSignIns\n    }\n    breakGlassAccounts {\n      ssoRequired\n      warnings {\n        kind\n        message\n      }\n      accounts {\n        user {\n          id\n          email\n          displayName\n        }\n        addedBy\n        addedAt\n        lastUsedAt\n      }\n    }\n  }\n": typeof types.DomainsDocument,
    "\n  mutation AddDomain($name: String!) {\n    addDomain(name: $name) {\n      id\n    }\n  }\n": typeof types.AddDomainDocument,
    "\n  mutation VerifyDomain($id: ID!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastCheckError\n    }\n  }\n": typeof types.VerifyDomainDocument,
    "\n  mutation RemoveDomain($id: ID!) {\n    removeDomain(id: $id)\n  }\n": typeof types.RemoveDomainDocument,
    "\n  query FindUser($search: String) {\n    users(first: 10, search: $search) {\n      nodes {\n        id\n        email\n      }\n    }\n  }\n": typeof types.FindUserDocument,
    "\n  mutation AddBreakGlass($userId: ID!) {\n    addBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n": typeof types.AddBreakGlassDocument,
    "\n  mutation RemoveBreakGlass($userId: ID!) {\n    removeBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n": typeof types.RemoveBreakGlassDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      displayName\n      role\n      tenant {\n        slug\n        name\n      }\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SignIn($email: String!, $password: String!, $tenant: String) {\n    signIn(email: $email, password: $password, tenant: $tenant) {\n      me {\n        id\n        email\n        displayName\n        role\n        tenant {\n          slug\n          name\n        }\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  fragment CertificateFields on IdpCertificate {\n    id\n    subject\n    issuer\n    fingerprintSha256\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n  }\n": typeof types.CertificateFieldsFragmentDoc,
    "\n  fragment SsoConnectionFields on SsoConnection {\n    enabled\n    provider\n    loginUrl\n    issuer\n    logoutUrl\n    loginPolicy\n    allowIdpInitiated\n    jitProvisioning\n    signAuthnRequests\n    requireEncryptedAssertions\n    version\n    updatedAt\n    certificates {\n      ...CertificateFields\n    }\n  }\n": typeof types.SsoConnectionFieldsFragmentDoc,
    "\n  query IdentityManagement {\n    ssoConnection {\n      ...SsoConnectionFields\n    }\n    serviceProvider {\n      entityId\n      acsUrl\n      signOnUrl\n      metadataUrl\n      scimTenantUrl\n      tenantMetadataUrl\n      certificates {\n        id\n        role\n        state\n        algorithm\n        certificatePem\n        fingerprintSha256\n        notBefore\n        notAfter\n        activateAfter\n        published\n      }\n    }\n    tenant {\n      slug\n      name\n      devMode\n    }\n    ssoDraft {\n      ...SsoDraftFields\n    }\n  }\n": typeof types.IdentityManagementDocument,
    "\n  fragment SsoDraftFields on SsoDraft {\n    revision\n    baseVersion\n    updatedBy\n    updatedAt\n    lastTest {\n      success\n      at\n      by\n      detail\n    }\n    changes {\n      field\n      before\n      after\n    }\n    settings {\n      ...SsoConnectionFields\n    }\n  }\n": typeof types.SsoDraftFieldsFragmentDoc,
    "\n  mutation PublishSsoDraft($expectedRevision: Int, $confirmUntested: Boolean) {\n    publishSsoDraft(expectedRevision: $expectedRevision, confirmUntested: $confirmUntested) {\n      version\n    }\n  }\n": typeof types.PublishSsoDraftDocument,
    "\n  mutation DiscardSsoDraft($expectedRevision: Int) {\n    discardSsoDraft(expectedRevision: $expectedRevision)\n  }\n": typeof types.DiscardSsoDraftDocument,
    "\n  query SsoSettingsHistory {\n    ssoSettingsHistory {\n      version\n      action\n      publishedBy\n      publishedAt\n      restoredFrom\n    }\n    ssoConnection {\n      version\n    }\n  }\n": typeof types.SsoSettingsHistoryDocument,
    "\n  query SsoSettingsDiff($from: SsoSettingsRef!, $to: SsoSettingsRef!) {\n    ssoSettingsDiff(from: $from, to: $to) {\n      field\n      before\n      after\n    }\n  }\n": typeof types.SsoSettingsDiffDocument,
    "\n  mutation RollbackSsoSettings($version: Int!, $expectedVersion: Int) {\n    rollbackSsoSettings(version: $version, expectedVersion: $expectedVersion) {\n      version\n    }\n  }\n": typeof types.RollbackSsoSettingsDocument,
    "\n  mutation SaveSsoSettings($input: SaveSsoSettingsInput!) {\n    saveSsoSettings(input: $input) {\n      ...SsoConnectionFields\n    }\n  }\n": typeof types.SaveSsoSettingsDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    displayName\n    federationId\n    role\n    status\n    hasPassword\n    source\n    lastSignInAt\n    createdAt\n    updatedAt\n    groups(first: 10) {\n      pageInfo {\n        hasNextPage\n      }\n      nodes {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  query Users($first: Int, $after: String, $search: String, $status: UserStatus) {\n    users(first: $first, after: $after, search: $search, status: $status) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserFields\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      ...UserFields\n    }\n  }\n": typeof types.UpdateUserDocument,
    "\n  mutation ActivateUser($id: ID!) {\n    activateUser(id: $id) {\n      ...UserFields\n    }\n  }\n": typeof types.ActivateUserDocument,
    "\n  mutation SuspendUser($id: ID!) {\n    suspendUser(id: $id) {\n      ...UserFields\n    }\n  }\n": typeof types.SuspendUserDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      id\n    }\n  }\n": typeof types.DeleteUserDocument,
    "\n  query AuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        actorKind\n        actor\n        action\n        targetType\n        targetId\n        before\n        after\n        createdAt\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query ApiTokens($first: Int, $after: String) {\n    apiTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!) {\n    createApiToken(name: $name) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query Tenants($first: Int, $after: String, $search: String) {\n    tenants(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        slug\n        name\n        devMode\n        createdAt\n        ssoEnabled\n        loginPolicy\n        userCount\n      }\n    }\n  }\n": typeof types.TenantsDocument,
    "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      tenant {\n        id\n        slug\n        name\n        devMode\n        createdAt\n      }\n      admin {\n        email\n      }\n      generatedAdminPassword\n    }\n  }\n": typeof types.CreateTenantDocument,
    "\n  mutation SetTenantDevMode($slug: String!, $enabled: Boolean!) {\n    setTenantDevMode(slug: $slug, enabled: $enabled) {\n      id\n      devMode\n    }\n  }\n": typeof types.SetTenantDevModeDocument,
    "\n  mutation TestSsoConnection {\n    testSsoConnection {\n      url\n    }\n  }\n": typeof types.TestSsoConnectionDocument,
    "\n  mutation ImportIdpMetadata($xml: String!) {\n    importIdpMetadata(xml: $xml, apply: false) {\n      issuer\n      loginUrl\n      logoutUrl\n      certificates {\n        subject\n        fingerprintSha256\n        notBefore\n        notAfter\n        pem\n        usable\n      }\n    }\n  }\n": typeof types.ImportIdpMetadataDocument,
    "\n  fragment SignInEventFields on SignInEvent {\n    id\n    createdAt\n    success\n    flow\n    reasonCode\n    reason\n    detail\n    userId\n    nameId\n    certificateFingerprint\n    clockOffsetSeconds\n    ip\n    userAgent\n  }\n": typeof types.SignInEventFieldsFragmentDoc,
    "\n  query SignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    signInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n": typeof types.SignInEventsDocument,
    "\n  subscription SignInEventAdded($filter: SignInEventFilter) {\n    signInEventAdded(filter: $filter) {\n      ...SignInEventFields\n    }\n  }\n": typeof types.SignInEventAddedDocument,
    "\n  fragment ScimTokenFields on ScimToken {\n    id\n    prefix\n    createdBy\n    createdAt\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.ScimTokenFieldsFragmentDoc,
    "\n  query Provisioning($first: Int, $after: String) {\n    serviceProvider {\n      scimTenantUrl\n    }\n    tenant {\n      scimManagesAdmins\n    }\n    scimTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...ScimTokenFields\n      }\n    }\n  }\n": typeof types.ProvisioningDocument,
    "\n  mutation SetScimManagesAdmins($enabled: Boolean!) {\n    setScimManagesAdmins(enabled: $enabled) {\n      scimManagesAdmins\n    }\n  }\n": typeof types.SetScimManagesAdminsDocument,
    "\n  mutation CreateScimToken {\n    createScimToken {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n": typeof types.CreateScimTokenDocument,
    "\n  mutation RotateScimToken($id: ID!) {\n    rotateScimToken(id: $id) {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n": typeof types.RotateScimTokenDocument,
    "\n  mutation RevokeScimToken($id: ID!) {\n    revokeScimToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeScimTokenDocument,
    "\n  query Groups($first: Int, $after: String, $search: String) {\n    groups(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        displayName\n        externalId\n        memberCount\n        updatedAt\n      }\n    }\n  }\n": typeof types.GroupsDocument,
    "\n  query GroupMembers($id: ID!, $first: Int, $after: String) {\n    group(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          email\n          displayName\n          federationId\n          status\n        }\n      }\n    }\n  }\n": typeof types.GroupMembersDocument,
    "\n  query ConnectionStatus {\n    connectionStatus {\n      health\n      attention\n      certificateExpiresAt\n      scimLastActivityAt\n      lastSuccess {\n        ...SignInEventFields\n      }\n      lastFailure {\n        ...SignInEventFields\n      }\n      lastTest {\n        ...SignInEventFields\n      }\n    }\n  }\n": typeof types.ConnectionStatusDocument,
    "\n  query SignInReasons {\n    signInReasons {\n      code\n      description\n    }\n  }\n": typeof types.SignInReasonsDocument,
    "\n  query UnattributedSignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    unattributedSignInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n": typeof types.UnattributedSignInEventsDocument,
    "\n  query MyIdpIdentity($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      federationId\n    }\n  }\n": typeof types.MyIdpIdentityDocument,
    "\n  query WebhookEndpoints {\n    webhookEndpoints {\n      id\n      url\n      description\n      eventTypes\n      enabled\n      failing\n      failingSince\n      previousSecretExpiresAt\n      createdAt\n    }\n  }\n": typeof types.WebhookEndpointsDocument,
    "\n  query WebhookDeliveries($endpointId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {\n      nodes {\n        id\n        eventId\n        eventType\n        state\n        attempts\n        responseStatus\n        lastError\n        createdAt\n        lastAttemptAt\n        nextAttemptAt\n        deliveredAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesDocument,
    "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n        description\n        eventTypes\n        enabled\n        failing\n        failingSince\n        previousSecretExpiresAt\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      enabled\n      failing\n      failingSince\n    }\n  }\n": typeof types.UpdateWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      endpoint {\n        id\n        previousSecretExpiresAt\n      }\n    }\n  }\n": typeof types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": typeof types.DeleteWebhookEndpointDocument,
    "\n  mutation ResendWebhookDelivery($id: ID!) {\n    resendWebhookDelivery(id: $id) {\n      id\n      state\n      attempts\n    }\n  }\n": typeof types.ResendWebhookDeliveryDocument,
};
const documents: Documents = {
    "\n  query CertificateRollover {\n    ssoConnection {\n      version\n      enabled\n      refuseExpiredCertificates\n      metadataStatus {\n        url\n        autoPromote\n        lastAttemptAt\n        lastSuccessAt\n        lastError\n        failures\n        nextFetchAt\n      }\n      stagedCertificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        firstSeenAt\n        signInsSeen\n        lastSeenAt\n      }\n      certificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        usage {\n          lastVerifiedAt\n          signInsLast30Days\n          expiredSignIns\n        }\n      }\n    }\n  }\n": types.CertificateRolloverDocument,
    "\n  mutation SetIdpMetadataUrl($url: String, $autoPromote: Boolean!) {\n    setIdpMetadataUrl(url: $url, autoPromote: $autoPromote) {\n      url\n    }\n  }\n": types.SetIdpMetadataUrlDocument,
    "\n  mutation RefreshIdpMetadata {\n    refreshIdpMetadata {\n      lastError\n    }\n  }\n": types.RefreshIdpMetadataDocument,
    "\n  mutation PromoteStagedCertificate($id: ID!) {\n    promoteStagedCertificate(id: $id) {\n      version\n    }\n  }\n": types.PromoteStagedCertificateDocument,
    "\n  mutation DismissStagedCertificate($id: ID!) {\n    dismissStagedCertificate(id: $id)\n  }\n": types.DismissStagedCertificateDocument,
    "\n  mutation RemoveTrustedCertificate($id: ID!) {\n    removeIdpCertificate(id: $id) {\n      id\n    }\n  }\n": types.RemoveTrustedCertificateDocument,
    "\n  mutation SetRefuseExpiredCertificates($refuse: Boolean!) {\n    setRefuseExpiredCertificates(refuse: $refuse) {\n      refuseExpiredCertificates\n    }\n  }\n": types.SetRefuseExpiredCertificatesDocument,
    "\n  query CertificateWarnings {\n    certificateWarnings {\n      certificateId\n      subject\n      notAfter\n      daysLeft\n      thresholdDays\n      covered\n    }\n  }\n": types.CertificateWarningsDocument,
    "\n  query Domains {\n    domains {\n      id\n      name\n      status\n      recordName\n      recordValue\n      verifiedAt\n      flaggedAt\n      graceEndsAt\n      lastCheckedAt\n      lastCheckError\n      nextCheckAt\n      routesSignIns\n    }\n    breakGlassAccounts {\n      ssoRequired\n      warnings {\n        kind\n        message\n      }\n      accounts {\n        user {\n          id\n          email\n          displayName\n        }\n        addedBy\n        addedAt\n        lastUsedAt\n      }\n    }\n  }\n": types.DomainsDocument,
    "\n  mutation AddDomain($name: String!) {\n    addDomain(name: $name) {\n      id\n    }\n  }\n": types.AddDomainDocument,
    "\n  mutation VerifyDomain($id: ID!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastCheckError\n    }\n  }\n": types.VerifyDomainDocument,
    "\n  mutation RemoveDomain($id: ID!) {\n    removeDomain(id: $id)\n  }\n": types.RemoveDomainDocument,
    "\n  query FindUser($search: String) {\n    users(first: 10, search: $search) {\n      nodes {\n        id\n        email\n      }\n    }\n  }\n": types.FindUserDocument,
    "\n  mutation AddBreakGlass($userId: ID!) {\n    addBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n": types.AddBreakGlassDocument,
    "\n  mutation RemoveBreakGlass($userId: ID!) {\n    removeBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n": types.RemoveBreakGlassDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      displayName\n      role\n      tenant {\n        slug\n        name\n      }\n    }\n  }\n": types.MeDocument,
    "\n  mutation SignIn($email: String!, $password: String!, $tenant: String) {\n    signIn(email: $email, password: $password, tenant: $tenant) {\n      me {\n        id\n        email\n        displayName\n        role\n        tenant {\n          slug\n          name\n        }\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  fragment CertificateFields on IdpCertificate {\n    id\n    subject\n    issuer\n    fingerprintSha256\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n  }\n": types.CertificateFieldsFragmentDoc,
    "\n  fragment SsoConnectionFields on SsoConnection {\n    enabled\n    provider\n    loginUrl\n    issuer\n    logoutUrl\n    loginPolicy\n    allowIdpInitiated\n    jitProvisioning\n    signAuthnRequests\n    requireEncryptedAssertions\n    version\n    updatedAt\n    certificates {\n      ...CertificateFields\n    }\n  }\n": types.SsoConnectionFieldsFragmentDoc,
    "\n  query IdentityManagement {\n    ssoConnection {\n      ...SsoConnectionFields\n    }\n    serviceProvider {\n      entityId\n      acsUrl\n      signOnUrl\n      metadataUrl\n      scimTenantUrl\n      tenantMetadataUrl\n      certificates {\n        id\n        role\n        state\n        algorithm\n        certificatePem\n        fingerprintSha256\n        notBefore\n        notAfter\n        activateAfter\n        published\n      }\n    }\n    tenant {\n      slug\n      name\n      devMode\n    }\n    ssoDraft {\n      ...SsoDraftFields\n    }\n  }\n": types.IdentityManagementDocument,
    "\n  fragment SsoDraftFields on SsoDraft {\n    revision\n    baseVersion\n    updatedBy\n    updatedAt\n    lastTest {\n      success\n      at\n      by\n      detail\n    }\n    changes {\n      field\n      before\n      after\n    }\n    settings {\n      ...SsoConnectionFields\n    }\n  }\n": types.SsoDraftFieldsFragmentDoc,
    "\n  mutation PublishSsoDraft($expectedRevision: Int, $confirmUntested: Boolean) {\n    publishSsoDraft(expectedRevision: $expectedRevision, confirmUntested: $confirmUntested) {\n      version\n    }\n  }\n": types.PublishSsoDraftDocument,
    "\n  mutation DiscardSsoDraft($expectedRevision: Int) {\n    discardSsoDraft(expectedRevision: $expectedRevision)\n  }\n": types.DiscardSsoDraftDocument,
    "\n  query SsoSettingsHistory {\n    ssoSettingsHistory {\n      version\n      action\n      publishedBy\n      publishedAt\n      restoredFrom\n    }\n    ssoConnection {\n      version\n    }\n  }\n": types.SsoSettingsHistoryDocument,
    "\n  query SsoSettingsDiff($from: SsoSettingsRef!, $to: SsoSettingsRef!) {\n    ssoSettingsDiff(from: $from, to: $to) {\n      field\n      before\n      after\n    }\n  }\n": types.SsoSettingsDiffDocument,
    "\n  mutation RollbackSsoSettings($version: Int!, $expectedVersion: Int) {\n    rollbackSsoSettings(version: $version, expectedVersion: $expectedVersion) {\n      version\n    }\n  }\n": types.RollbackSsoSettingsDocument,
    "\n  mutation SaveSsoSettings($input: SaveSsoSettingsInput!) {\n    saveSsoSettings(input: $input) {\n      ...SsoConnectionFields\n    }\n  }\n": types.SaveSsoSettingsDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    displayName\n    federationId\n    role\n    status\n    hasPassword\n    source\n    lastSignInAt\n    createdAt\n    updatedAt\n    groups(first: 10) {\n      pageInfo {\n        hasNextPage\n      }\n      nodes {\n        id\n        displayName\n      }\n    }\n  }\n": types.UserFieldsFragmentDoc,
    "\n  query Users($first: Int, $after: String, $search: String, $status: UserStatus) {\n    users(first: $first, after: $after, search: $search, status: $status) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...UserFields\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserFields\n    }\n  }\n": types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      ...UserFields\n    }\n  }\n": types.UpdateUserDocument,
    "\n  mutation ActivateUser($id: ID!) {\n    activateUser(id: $id) {\n      ...UserFields\n    }\n  }\n": types.ActivateUserDocument,
    "\n  mutation SuspendUser($id: ID!) {\n    suspendUser(id: $id) {\n      ...UserFields\n    }\n  }\n": types.SuspendUserDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      id\n    }\n  }\n": types.DeleteUserDocument,
    "\n  query AuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        actorKind\n        actor\n        action\n        targetType\n        targetId\n        before\n        after\n        createdAt\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query ApiTokens($first: Int, $after: String) {\n    apiTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!) {\n    createApiToken(name: $name) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  query Tenants($first: Int, $after: String, $search: String) {\n    tenants(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        slug\n        name\n        devMode\n        createdAt\n        ssoEnabled\n        loginPolicy\n        userCount\n      }\n    }\n  }\n": types.TenantsDocument,
    "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      tenant {\n        id\n        slug\n        name\n        devMode\n        createdAt\n      }\n      admin {\n        email\n      }\n      generatedAdminPassword\n    }\n  }\n": types.CreateTenantDocument,
    "\n  mutation SetTenantDevMode($slug: String!, $enabled: Boolean!) {\n    setTenantDevMode(slug: $slug, enabled: $enabled) {\n      id\n      devMode\n    }\n  }\n": types.SetTenantDevModeDocument,
    "\n  mutation TestSsoConnection {\n    testSsoConnection {\n      url\n    }\n  }\n": types.TestSsoConnectionDocument,
    "\n  mutation ImportIdpMetadata($xml: String!) {\n    importIdpMetadata(xml: $xml, apply: false) {\n      issuer\n      loginUrl\n      logoutUrl\n      certificates {\n        subject\n        fingerprintSha256\n        notBefore\n        notAfter\n        pem\n        usable\n      }\n    }\n  }\n": types.ImportIdpMetadataDocument,
    "\n  fragment SignInEventFields on SignInEvent {\n    id\n    createdAt\n    success\n    flow\n    reasonCode\n    reason\n    detail\n    userId\n    nameId\n    certificateFingerprint\n    clockOffsetSeconds\n    ip\n    userAgent\n  }\n": types.SignInEventFieldsFragmentDoc,
    "\n  query SignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    signInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n": types.SignInEventsDocument,
    "\n  subscription SignInEventAdded($filter: SignInEventFilter) {\n    signInEventAdded(filter: $filter) {\n      ...SignInEventFields\n    }\n  }\n": types.SignInEventAddedDocument,
    "\n  fragment ScimTokenFields on ScimToken {\n    id\n    prefix\n    createdBy\n    createdAt\n    lastUsedAt\n    revokedAt\n  }\n": types.ScimTokenFieldsFragmentDoc,
    "\n  query Provisioning($first: Int, $after: String) {\n    serviceProvider {\n      scimTenantUrl\n    }\n    tenant {\n      scimManagesAdmins\n    }\n    scimTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...ScimTokenFields\n      }\n    }\n  }\n": types.ProvisioningDocument,
    "\n  mutation SetScimManagesAdmins($enabled: Boolean!) {\n    setScimManagesAdmins(enabled: $enabled) {\n      scimManagesAdmins\n    }\n  }\n": types.SetScimManagesAdminsDocument,
    "\n  mutation CreateScimToken {\n    createScimToken {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n": types.CreateScimTokenDocument,
    "\n  mutation RotateScimToken($id: ID!) {\n    rotateScimToken(id: $id) {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n": types.RotateScimTokenDocument,
    "\n  mutation RevokeScimToken($id: ID!) {\n    revokeScimToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeScimTokenDocument,
    "\n  query Groups($first: Int, $after: String, $search: String) {\n    groups(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        displayName\n        externalId\n        memberCount\n        updatedAt\n      }\n    }\n  }\n": types.GroupsDocument,
    "\n  query GroupMembers($id: ID!, $first: Int, $after: String) {\n    group(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          email\n          displayName\n          federationId\n          status\n        }\n      }\n    }\n  }\n": types.GroupMembersDocument,
    "\n  query ConnectionStatus {\n    connectionStatus {\n      health\n      attention\n      certificateExpiresAt\n      scimLastActivityAt\n      lastSuccess {\n        ...SignInEventFields\n      }\n      lastFailure {\n        ...SignInEventFields\n      }\n      lastTest {\n        ...SignInEventFields\n      }\n    }\n  }\n": types.ConnectionStatusDocument,
    "\n  query SignInReasons {\n    signInReasons {\n      code\n      description\n    }\n  }\n": types.SignInReasonsDocument,
    "\n  query UnattributedSignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    unattributedSignInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n": types.UnattributedSignInEventsDocument,
    "\n  query MyIdpIdentity($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      federationId\n    }\n  }\n": types.MyIdpIdentityDocument,
    "\n  query WebhookEndpoints {\n    webhookEndpoints {\n      id\n      url\n      description\n      eventTypes\n      enabled\n      failing\n      failingSince\n      previousSecretExpiresAt\n      createdAt\n    }\n  }\n": types.WebhookEndpointsDocument,
    "\n  query WebhookDeliveries($endpointId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {\n      nodes {\n        id\n        eventId\n        eventType\n        state\n        attempts\n        responseStatus\n        lastError\n        createdAt\n        lastAttemptAt\n        nextAttemptAt\n        deliveredAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.WebhookDeliveriesDocument,
    "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n        description\n        eventTypes\n        enabled\n        failing\n        failingSince\n        previousSecretExpiresAt\n        createdAt\n      }\n    }\n  }\n": types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      enabled\n      failing\n      failingSince\n    }\n  }\n": types.UpdateWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      endpoint {\n        id\n        previousSecretExpiresAt\n      }\n    }\n  }\n": types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": types.DeleteWebhookEndpointDocument,
    "\n  mutation ResendWebhookDelivery($id: ID!) {\n    resendWebhookDelivery(id: $id) {\n      id\n      state\n      attempts\n    }\n  }\n": types.ResendWebhookDeliveryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CertificateRollover {\n    ssoConnection {\n      version\n      enabled\n      refuseExpiredCertificates\n      metadataStatus {\n        url\n        autoPromote\n        lastAttemptAt\n        lastSuccessAt\n        lastError\n        failures\n        nextFetchAt\n      }\n      stagedCertificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        firstSeenAt\n        signInsSeen\n        lastSeenAt\n      }\n      certificates {\n        id\n        subject\n        issuer\n        fingerprintSha256\n        notBefore\n        notAfter\n        usage {\n          lastVerifiedAt\n          signInsLast30Days\n          expiredSignIns\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').CertificateRolloverDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetIdpMetadataUrl($url: String, $autoPromote: Boolean!) {\n    setIdpMetadataUrl(url: $url, autoPromote: $autoPromote) {\n      url\n    }\n  }\n"): typeof import('./graphql').SetIdpMetadataUrlDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshIdpMetadata {\n    refreshIdpMetadata {\n      lastError\n    }\n  }\n"): typeof import('./graphql').RefreshIdpMetadataDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PromoteStagedCertificate($id: ID!) {\n    promoteStagedCertificate(id: $id) {\n      version\n    }\n  }\n"): typeof import('./graphql').PromoteStagedCertificateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DismissStagedCertificate($id: ID!) {\n    dismissStagedCertificate(id: $id)\n  }\n"): typeof import('./graphql').DismissStagedCertificateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveTrustedCertificate($id: ID!) {\n    removeIdpCertificate(id: $id) {\n      id\n    }\n  }\n"): typeof import('./graphql').RemoveTrustedCertificateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRefuseExpiredCertificates($refuse: Boolean!) {\n    setRefuseExpiredCertificates(refuse: $refuse) {\n      refuseExpiredCertificates\n    }\n  }\n"): typeof import('./graphql').SetRefuseExpiredCertificatesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CertificateWarnings {\n    certificateWarnings {\n      certificateId\n      subject\n      notAfter\n      daysLeft\n      thresholdDays\n      covered\n    }\n  }\n"): typeof import('./graphql').CertificateWarningsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Domains {\n    domains {\n      id\n      name\n      status\n      recordName\n      recordValue\n      verifiedAt\n      flaggedAt\n      graceEndsAt\n      lastCheckedAt\n      lastCheckError\n      nextCheckAt\n      routesSignIns\n    }\n    breakGlassAccounts {\n      ssoRequired\n      warnings {\n        kind\n        message\n      }\n      accounts {\n        user {\n          id\n          email\n          displayName\n        }\n        addedBy\n        addedAt\n        lastUsedAt\n      }\n    }\n  }\n"): typeof import('./graphql').DomainsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddDomain($name: String!) {\n    addDomain(name: $name) {\n      id\n    }\n  }\n"): typeof import('./graphql').AddDomainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyDomain($id: ID!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastCheckError\n    }\n  }\n"): typeof import('./graphql').VerifyDomainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveDomain($id: ID!) {\n    removeDomain(id: $id)\n  }\n"): typeof import('./graphql').RemoveDomainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindUser($search: String) {\n    users(first: 10, search: $search) {\n      nodes {\n        id\n        email\n      }\n    }\n  }\n"): typeof import('./graphql').FindUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddBreakGlass($userId: ID!) {\n    addBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n"): typeof import('./graphql').AddBreakGlassDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveBreakGlass($userId: ID!) {\n    removeBreakGlassAccount(userId: $userId) {\n      ssoRequired\n    }\n  }\n"): typeof import('./graphql').RemoveBreakGlassDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      email\n      displayName\n      role\n      tenant {\n        slug\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!, $tenant: String) {\n    signIn(email: $email, password: $password, tenant: $tenant) {\n      me {\n        id\n        email\n        displayName\n        role\n        tenant {\n          slug\n          name\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SignInDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): typeof import('./graphql').SignOutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CertificateFields on IdpCertificate {\n    id\n    subject\n    issuer\n    fingerprintSha256\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n  }\n"): typeof import('./graphql').CertificateFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SsoConnectionFields on SsoConnection {\n    enabled\n    provider\n    loginUrl\n    issuer\n    logoutUrl\n    loginPolicy\n    allowIdpInitiated\n    jitProvisioning\n    signAuthnRequests\n    requireEncryptedAssertions\n    version\n    updatedAt\n    certificates {\n      ...CertificateFields\n    }\n  }\n"): typeof import('./graphql').SsoConnectionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdentityManagement {\n    ssoConnection {\n      ...SsoConnectionFields\n    }\n    serviceProvider {\n      entityId\n      acsUrl\n      signOnUrl\n      metadataUrl\n      scimTenantUrl\n      tenantMetadataUrl\n      certificates {\n        id\n        role\n        state\n        algorithm\n        certificatePem\n        fingerprintSha256\n        notBefore\n        notAfter\n        activateAfter\n        published\n      }\n    }\n    tenant {\n      slug\n      name\n      devMode\n    }\n    ssoDraft {\n      ...SsoDraftFields\n    }\n  }\n"): typeof import('./graphql').IdentityManagementDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SsoDraftFields on SsoDraft {\n    revision\n    baseVersion\n    updatedBy\n    updatedAt\n    lastTest {\n      success\n      at\n      by\n      detail\n    }\n    changes {\n      field\n      before\n      after\n    }\n    settings {\n      ...SsoConnectionFields\n    }\n  }\n"): typeof import('./graphql').SsoDraftFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishSsoDraft($expectedRevision: Int, $confirmUntested: Boolean) {\n    publishSsoDraft(expectedRevision: $expectedRevision, confirmUntested: $confirmUntested) {\n      version\n    }\n  }\n"): typeof import('./graphql').PublishSsoDraftDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardSsoDraft($expectedRevision: Int) {\n    discardSsoDraft(expectedRevision: $expectedRevision)\n  }\n"): typeof import('./graphql').DiscardSsoDraftDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SsoSettingsHistory {\n    ssoSettingsHistory {\n      version\n      action\n      publishedBy\n      publishedAt\n      restoredFrom\n    }\n    ssoConnection {\n      version\n    }\n  }\n"): typeof import('./graphql').SsoSettingsHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SsoSettingsDiff($from: SsoSettingsRef!, $to: SsoSettingsRef!) {\n    ssoSettingsDiff(from: $from, to: $to) {\n      field\n      before\n      after\n    }\n  }\n"): typeof import('./graphql').SsoSettingsDiffDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackSsoSettings($version: Int!, $expectedVersion: Int) {\n    rollbackSsoSettings(version: $version, expectedVersion: $expectedVersion) {\n      version\n    }\n  }\n"): typeof import('./graphql').RollbackSsoSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveSsoSettings($input: SaveSsoSettingsInput!) {\n    saveSsoSettings(input: $input) {\n      ...SsoConnectionFields\n    }\n  }\n"): typeof import('./graphql').SaveSsoSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    email\n    displayName\n    federationId\n    role\n    status\n    hasPassword\n    source\n    lastSignInAt\n    createdAt\n    updatedAt\n    groups(first: 10) {\n      pageInfo {\n        hasNextPage\n      }\n      nodes {\n        id\n        displayName\n      }\n    }\n  }\n"): typeof import('./graphql').UserFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($first: Int, $after: String, $search: String, $status: UserStatus) {\n    users(first: $first, after: $after, search: $search, status: $status) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...UserFields\n      }\n    }\n  }\n"): typeof import('./graphql').UsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserFields\n    }\n  }\n"): typeof import('./graphql').CreateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      ...UserFields\n    }\n  }\n"): typeof import('./graphql').UpdateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ActivateUser($id: ID!) {\n    activateUser(id: $id) {\n      ...UserFields\n    }\n  }\n"): typeof import('./graphql').ActivateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SuspendUser($id: ID!) {\n    suspendUser(id: $id) {\n      ...UserFields\n    }\n  }\n"): typeof import('./graphql').SuspendUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      id\n    }\n  }\n"): typeof import('./graphql').DeleteUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        actorKind\n        actor\n        action\n        targetType\n        targetId\n        before\n        after\n        createdAt\n      }\n    }\n  }\n"): typeof import('./graphql').AuditEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens($first: Int, $after: String) {\n    apiTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n"): typeof import('./graphql').ApiTokensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($name: String!) {\n    createApiToken(name: $name) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdBy\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n"): typeof import('./graphql').CreateApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').RevokeApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tenants($first: Int, $after: String, $search: String) {\n    tenants(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        slug\n        name\n        devMode\n        createdAt\n        ssoEnabled\n        loginPolicy\n        userCount\n      }\n    }\n  }\n"): typeof import('./graphql').TenantsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      tenant {\n        id\n        slug\n        name\n        devMode\n        createdAt\n      }\n      admin {\n        email\n      }\n      generatedAdminPassword\n    }\n  }\n"): typeof import('./graphql').CreateTenantDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTenantDevMode($slug: String!, $enabled: Boolean!) {\n    setTenantDevMode(slug: $slug, enabled: $enabled) {\n      id\n      devMode\n    }\n  }\n"): typeof import('./graphql').SetTenantDevModeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestSsoConnection {\n    testSsoConnection {\n      url\n    }\n  }\n"): typeof import('./graphql').TestSsoConnectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportIdpMetadata($xml: String!) {\n    importIdpMetadata(xml: $xml, apply: false) {\n      issuer\n      loginUrl\n      logoutUrl\n      certificates {\n        subject\n        fingerprintSha256\n        notBefore\n        notAfter\n        pem\n        usable\n      }\n    }\n  }\n"): typeof import('./graphql').ImportIdpMetadataDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SignInEventFields on SignInEvent {\n    id\n    createdAt\n    success\n    flow\n    reasonCode\n    reason\n    detail\n    userId\n    nameId\n    certificateFingerprint\n    clockOffsetSeconds\n    ip\n    userAgent\n  }\n"): typeof import('./graphql').SignInEventFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    signInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n"): typeof import('./graphql').SignInEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SignInEventAdded($filter: SignInEventFilter) {\n    signInEventAdded(filter: $filter) {\n      ...SignInEventFields\n    }\n  }\n"): typeof import('./graphql').SignInEventAddedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScimTokenFields on ScimToken {\n    id\n    prefix\n    createdBy\n    createdAt\n    lastUsedAt\n    revokedAt\n  }\n"): typeof import('./graphql').ScimTokenFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Provisioning($first: Int, $after: String) {\n    serviceProvider {\n      scimTenantUrl\n    }\n    tenant {\n      scimManagesAdmins\n    }\n    scimTokens(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...ScimTokenFields\n      }\n    }\n  }\n"): typeof import('./graphql').ProvisioningDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetScimManagesAdmins($enabled: Boolean!) {\n    setScimManagesAdmins(enabled: $enabled) {\n      scimManagesAdmins\n    }\n  }\n"): typeof import('./graphql').SetScimManagesAdminsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateScimToken {\n    createScimToken {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n"): typeof import('./graphql').CreateScimTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateScimToken($id: ID!) {\n    rotateScimToken(id: $id) {\n      token\n      tenantUrl\n      scimToken {\n        ...ScimTokenFields\n      }\n    }\n  }\n"): typeof import('./graphql').RotateScimTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeScimToken($id: ID!) {\n    revokeScimToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').RevokeScimTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Groups($first: Int, $after: String, $search: String) {\n    groups(first: $first, after: $after, search: $search) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        displayName\n        externalId\n        memberCount\n        updatedAt\n      }\n    }\n  }\n"): typeof import('./graphql').GroupsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupMembers($id: ID!, $first: Int, $after: String) {\n    group(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          email\n          displayName\n          federationId\n          status\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').GroupMembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectionStatus {\n    connectionStatus {\n      health\n      attention\n      certificateExpiresAt\n      scimLastActivityAt\n      lastSuccess {\n        ...SignInEventFields\n      }\n      lastFailure {\n        ...SignInEventFields\n      }\n      lastTest {\n        ...SignInEventFields\n      }\n    }\n  }\n"): typeof import('./graphql').ConnectionStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SignInReasons {\n    signInReasons {\n      code\n      description\n    }\n  }\n"): typeof import('./graphql').SignInReasonsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnattributedSignInEvents($first: Int, $after: String, $filter: SignInEventFilter) {\n    unattributedSignInEvents(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SignInEventFields\n      }\n    }\n  }\n"): typeof import('./graphql').UnattributedSignInEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyIdpIdentity($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      federationId\n    }\n  }\n"): typeof import('./graphql').MyIdpIdentityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpoints {\n    webhookEndpoints {\n      id\n      url\n      description\n      eventTypes\n      enabled\n      failing\n      failingSince\n      previousSecretExpiresAt\n      createdAt\n    }\n  }\n"): typeof import('./graphql').WebhookEndpointsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookDeliveries($endpointId: ID!, $first: Int, $after: String) {\n    webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {\n      nodes {\n        id\n        eventId\n        eventType\n        state\n        attempts\n        responseStatus\n        lastError\n        createdAt\n        lastAttemptAt\n        nextAttemptAt\n        deliveredAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').WebhookDeliveriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n        description\n        eventTypes\n        enabled\n        failing\n        failingSince\n        previousSecretExpiresAt\n        createdAt\n      }\n    }\n  }\n"): typeof import('./graphql').CreateWebhookEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      enabled\n      failing\n      failingSince\n    }\n  }\n"): typeof import('./graphql').UpdateWebhookEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      endpoint {\n        id\n        previousSecretExpiresAt\n      }\n    }\n  }\n"): typeof import('./graphql').RotateWebhookSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"): typeof import('./graphql').DeleteWebhookEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendWebhookDelivery($id: ID!) {\n    resendWebhookDelivery(id: $id) {\n      id\n      state\n      attempts\n    }\n  }\n"): typeof import('./graphql').ResendWebhookDeliveryDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

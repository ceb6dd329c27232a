/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AuditEventFilter = {
  action?: string | null | undefined;
  /** Part of the action, the actor or the target ID, any case (at most 256 characters). */
  search?: string | null | undefined;
  since?: string | null | undefined;
  targetId?: string | null | undefined;
  /**
   * The kind of target (category): `user`, `group`, `sso_connection`, `idp_certificate`,
   * `api_token`, `scim_token`, `tenant`.
   */
  targetType?: string | null | undefined;
  until?: string | null | undefined;
};

export type BreakGlassWarningKind =
  /** SSO is required and nobody may use a password. */
  | 'EMPTY'
  /** A break-glass account signed in with a password in the last 7 days. */
  | 'RECENTLY_USED';

/** How the tenant's SSO is doing, in one word. */
export type ConnectionHealth =
  /** SSO is on, a certificate is valid and the last SSO attempt did not fail. */
  | 'ACTIVE'
  /** SSO is on and something needs the admin (see `attention`). */
  | 'NEEDS_ATTENTION'
  /** SSO is off (it may be prepared). */
  | 'OFF';

export type CreateTenantInput = {
  adminEmail: string;
  /** Leave out to have one generated and returned once. */
  adminPassword?: string | null | undefined;
  name: string;
  slug: string;
};

export type CreateUserInput = {
  /** Create the user active instead of pending. */
  active?: boolean;
  displayName?: string | null | undefined;
  email: string;
  /** Defaults to the e-mail. */
  federationId?: string | null | undefined;
  /** Only needed where the login policy allows passwords. */
  password?: string | null | undefined;
  role?: Role | null | undefined;
};

export type CreateWebhookEndpointInput = {
  description?: string;
  eventTypes: Array<WebhookEventType>;
  /** https (http only while the tenant is in dev mode). */
  url: string;
};

/** Where a tenant's claim on a domain stands. */
export type DomainStatus =
  /** The TXT record was found missing at a re-check: still routing until `graceEndsAt`. */
  | 'FLAGGED'
  /** The record stayed missing past the grace period: no longer routing; verify again. */
  | 'LAPSED'
  /** Added; its TXT record has not been found yet. */
  | 'PENDING'
  /** The TXT record was found: the domain routes sign-ins to this tenant's IdP. */
  | 'VERIFIED';

export type IdpProvider =
  | 'ENTRA_ID'
  | 'GENERIC_SAML'
  | 'GOOGLE'
  | 'OKTA';

export type LoginPolicy =
  | 'PASSWORD'
  | 'PASSWORD_OR_SSO'
  | 'SSO';

/** What the signed-in caller is. */
export type PrincipalRole =
  | 'API_TOKEN'
  | 'PLATFORM_OPERATOR'
  | 'TENANT_ADMIN'
  | 'USER';

export type Role =
  | 'TENANT_ADMIN'
  | 'USER';

/**
 * One Save of the SSO settings page: the settings, the certificates to add and those to
 * remove, saved together in one transaction or not at all.
 */
export type SaveSsoSettingsInput = {
  /**
   * New IdP signing certificates (PEM, or Base64 as for `addIdpCertificate`). A refused
   * one is a VALIDATION error on `addCertificates[<index>]`.
   */
  addCertificates?: Array<string>;
  allowIdpInitiated: boolean;
  /**
   * Publishing straight away while SSO is enabled skips Test SSO: confirm it with `true`
   * (else VALIDATION on `confirmUntested`).
   */
  confirmUntested?: boolean;
  enabled: boolean;
  /**
   * The `version` you loaded (while there is a draft: the draft's `revision`); the save
   * fails with CONFLICT if someone saved since.
   */
  expectedVersion?: number | null | undefined;
  issuer?: string | null | undefined;
  /** Create unknown users at their first SSO sign-in (left out: unchanged). */
  jitProvisioning?: boolean | null | undefined;
  loginPolicy: LoginPolicy;
  loginUrl?: string | null | undefined;
  logoutUrl?: string | null | undefined;
  provider: IdpProvider;
  /**
   * `false`: save into the draft (sign-ins keep the published settings). `true`: save and
   * publish. Left out: publish while SSO is not enabled (first-time set-up), draft once it is.
   */
  publish?: boolean | null | undefined;
  /**
   * Certificates to remove. A refused one is a VALIDATION error on
   * `removeCertificateIds[<index>]`.
   */
  removeCertificateIds?: Array<string | number>;
  /**
   * Refuse assertions that are not encrypted to Gatehouse's SP encryption key (left out:
   * unchanged).
   */
  requireEncryptedAssertions?: boolean | null | undefined;
  /** Sign AuthnRequests with Gatehouse's SP signing key (left out: unchanged). */
  signAuthnRequests?: boolean | null | undefined;
};

export type SignInEventFilter = {
  reasonCode?: string | null | undefined;
  /** One attempt by its reference (the ID shown on an error page). */
  reference?: string | number | null | undefined;
  since?: string | null | undefined;
  /** Only successes (`true`) or only failures (`false`). */
  success?: boolean | null | undefined;
  /** Part of the e-mail / NameID, any case (at most 256 characters). */
  user?: string | null | undefined;
  userId?: string | number | null | undefined;
};

export type SpKeyRole =
  /** The IdP encrypts assertions to it (Entra: "Token encryption"). */
  | 'ENCRYPTION'
  /** Signs AuthnRequests and logout messages (Entra: "Verification certificates"). */
  | 'SIGNING';

export type SpKeyState =
  /** In use and published. */
  | 'ACTIVE'
  /** Published in metadata ahead of time; not used to sign yet. */
  | 'NEXT'
  /** Replaced: no longer published, still accepted for decryption until dropped. */
  | 'PREVIOUS';

export type SsoPublishAction =
  /** What was live before the history started. */
  | 'BASELINE'
  /** The metadata URL was set or its metadata applied (published at once). */
  | 'METADATA'
  /** A staged IdP certificate was promoted (published at once). */
  | 'PROMOTE_CERTIFICATE'
  /** A draft was published. */
  | 'PUBLISH'
  /** The expired-certificate rule was switched (published at once). */
  | 'REFUSE_EXPIRED'
  /** An older version was published again. */
  | 'ROLLBACK'
  /** Saved and published in one step. */
  | 'SAVE';

export type SsoSettingsKind =
  /** The draft. */
  | 'DRAFT'
  /** What is published now. */
  | 'PUBLISHED'
  /** A version from `ssoSettingsHistory` (name it in `version`). */
  | 'VERSION';

/** Which settings to compare. */
export type SsoSettingsRef = {
  kind: SsoSettingsKind;
  /** Required with `VERSION`. */
  version?: number | null | undefined;
};

export type UpdateUserInput = {
  displayName?: string | null | undefined;
  email?: string | null | undefined;
  federationId?: string | null | undefined;
  role?: Role | null | undefined;
};

/** Fields left out keep their value. */
export type UpdateWebhookEndpointInput = {
  description?: string | null | undefined;
  /**
   * false stops deliveries (no events are written for it while disabled); true resumes
   * and clears the failing mark.
   */
  enabled?: boolean | null | undefined;
  eventTypes?: Array<WebhookEventType> | null | undefined;
  url?: string | null | undefined;
};

/** Where a user came from. */
export type UserSource =
  /** Created in the console (or by the API). */
  | 'CONSOLE'
  /** Created just in time, at their first SSO sign-in. */
  | 'JUST_IN_TIME'
  /** Provisioned by the IdP over SCIM. */
  | 'SCIM';

export type UserStatus =
  | 'ACTIVE'
  | 'PENDING'
  | 'SUSPENDED';

/** Where a delivery stands. */
export type WebhookDeliveryState =
  /** The endpoint answered 2xx. */
  | 'DELIVERED'
  /** Given up after the retry period; the endpoint is marked failing. */
  | 'FAILED'
  /** Waiting for its first attempt or its next retry. */
  | 'PENDING';

/** An event a webhook endpoint can subscribe to (the README documents each one's `data`). */
export type WebhookEventType =
  /** `certificate.expired` */
  | 'CERTIFICATE_EXPIRED'
  /** `certificate.expiring` */
  | 'CERTIFICATE_EXPIRING'
  /** `certificate.promoted`: a staged certificate became the one in use */
  | 'CERTIFICATE_PROMOTED'
  /** `certificate.staged`: an IdP signing certificate is staged for rollover */
  | 'CERTIFICATE_STAGED'
  /** `group.membership_changed` */
  | 'GROUP_MEMBERSHIP_CHANGED'
  /** `scim_token.created` */
  | 'SCIM_TOKEN_CREATED'
  /** `scim_token.revoked` */
  | 'SCIM_TOKEN_REVOKED'
  /** `sign_in.failed` (with the reason code) */
  | 'SIGN_IN_FAILED'
  /** `sign_in.succeeded` */
  | 'SIGN_IN_SUCCEEDED'
  /** `sso.published`: SSO settings took effect */
  | 'SSO_PUBLISHED'
  /** `user.created` (console, SCIM or just-in-time) */
  | 'USER_CREATED'
  /** `user.deleted` */
  | 'USER_DELETED'
  /** `user.suspended` */
  | 'USER_SUSPENDED'
  /** `user.updated` */
  | 'USER_UPDATED';

export type CertificateRolloverQueryVariables = Exact<{ [key: string]: never; }>;


export type CertificateRolloverQuery = { ssoConnection: { version: number, enabled: boolean, refuseExpiredCertificates: boolean, metadataStatus: { url: string | null, autoPromote: boolean, lastAttemptAt: string | null, lastSuccessAt: string | null, lastError: string | null, failures: number, nextFetchAt: string | null }, stagedCertificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, firstSeenAt: string, signInsSeen: number, lastSeenAt: string | null }>, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, usage: { lastVerifiedAt: string | null, signInsLast30Days: number, expiredSignIns: number } }> } };

export type SetIdpMetadataUrlMutationVariables = Exact<{
  url?: string | null | undefined;
  autoPromote: boolean;
}>;


export type SetIdpMetadataUrlMutation = { setIdpMetadataUrl: { url: string | null } };

export type RefreshIdpMetadataMutationVariables = Exact<{ [key: string]: never; }>;


export type RefreshIdpMetadataMutation = { refreshIdpMetadata: { lastError: string | null } };

export type PromoteStagedCertificateMutationVariables = Exact<{
  id: string | number;
}>;


export type PromoteStagedCertificateMutation = { promoteStagedCertificate: { version: number } };

export type DismissStagedCertificateMutationVariables = Exact<{
  id: string | number;
}>;


export type DismissStagedCertificateMutation = { dismissStagedCertificate: boolean };

export type RemoveTrustedCertificateMutationVariables = Exact<{
  id: string | number;
}>;


export type RemoveTrustedCertificateMutation = { removeIdpCertificate: { id: string } };

export type SetRefuseExpiredCertificatesMutationVariables = Exact<{
  refuse: boolean;
}>;


export type SetRefuseExpiredCertificatesMutation = { setRefuseExpiredCertificates: { refuseExpiredCertificates: boolean } };

export type CertificateWarningsQueryVariables = Exact<{ [key: string]: never; }>;


export type CertificateWarningsQuery = { certificateWarnings: Array<{ certificateId: string, subject: string, notAfter: string, daysLeft: number, thresholdDays: number, covered: boolean }> };

export type DomainsQueryVariables = Exact<{ [key: string]: never; }>;


export type DomainsQuery = { domains: Array<{ id: string, name: string, status: DomainStatus, recordName: string, recordValue: string, verifiedAt: string | null, flaggedAt: string | null, graceEndsAt: string | null, lastCheckedAt: string | null, lastCheckError: string | null, nextCheckAt: string | null, routesSignIns: boolean }>, breakGlassAccounts: { ssoRequired: boolean, warnings: Array<{ kind: BreakGlassWarningKind, message: string }>, accounts: Array<{ addedBy: string, addedAt: string, lastUsedAt: string | null, user: { id: string, email: string, displayName: string } }> } };

export type AddDomainMutationVariables = Exact<{
  name: string;
}>;


export type AddDomainMutation = { addDomain: { id: string } };

export type VerifyDomainMutationVariables = Exact<{
  id: string | number;
}>;


export type VerifyDomainMutation = { verifyDomain: { id: string, status: DomainStatus, lastCheckError: string | null } };

export type RemoveDomainMutationVariables = Exact<{
  id: string | number;
}>;


export type RemoveDomainMutation = { removeDomain: boolean };

export type FindUserQueryVariables = Exact<{
  search?: string | null | undefined;
}>;


export type FindUserQuery = { users: { nodes: Array<{ id: string, email: string }> } };

export type AddBreakGlassMutationVariables = Exact<{
  userId: string | number;
}>;


export type AddBreakGlassMutation = { addBreakGlassAccount: { ssoRequired: boolean } };

export type RemoveBreakGlassMutationVariables = Exact<{
  userId: string | number;
}>;


export type RemoveBreakGlassMutation = { removeBreakGlassAccount: { ssoRequired: boolean } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, displayName: string, role: PrincipalRole, tenant: { slug: string, name: string } | null } | null };

export type SignInMutationVariables = Exact<{
  email: string;
  password: string;
  tenant?: string | null | undefined;
}>;


export type SignInMutation = { signIn: { me: { id: string, email: string, displayName: string, role: PrincipalRole, tenant: { slug: string, name: string } | null } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: boolean };

export type CertificateFieldsFragment = { id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean };

export type SsoConnectionFieldsFragment = { enabled: boolean, provider: IdpProvider, loginUrl: string | null, issuer: string | null, logoutUrl: string | null, loginPolicy: LoginPolicy, allowIdpInitiated: boolean, jitProvisioning: boolean, signAuthnRequests: boolean, requireEncryptedAssertions: boolean, version: number, updatedAt: string, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean }> };

export type IdentityManagementQueryVariables = Exact<{ [key: string]: never; }>;


export type IdentityManagementQuery = { ssoConnection: { enabled: boolean, provider: IdpProvider, loginUrl: string | null, issuer: string | null, logoutUrl: string | null, loginPolicy: LoginPolicy, allowIdpInitiated: boolean, jitProvisioning: boolean, signAuthnRequests: boolean, requireEncryptedAssertions: boolean, version: number, updatedAt: string, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean }> }, serviceProvider: { entityId: string, acsUrl: string, signOnUrl: string, metadataUrl: string, scimTenantUrl: string, tenantMetadataUrl: string, certificates: Array<{ id: string, role: SpKeyRole, state: SpKeyState, algorithm: string, certificatePem: string, fingerprintSha256: string, notBefore: string, notAfter: string, activateAfter: string, published: boolean }> }, tenant: { slug: string, name: string, devMode: boolean }, ssoDraft: { revision: number, baseVersion: number, updatedBy: string, updatedAt: string, lastTest: { success: boolean, at: string, by: string, detail: string } | null, changes: Array<{ field: string, before: string | null, after: string | null }>, settings: { enabled: boolean, provider: IdpProvider, loginUrl: string | null, issuer: string | null, logoutUrl: string | null, loginPolicy: LoginPolicy, allowIdpInitiated: boolean, jitProvisioning: boolean, signAuthnRequests: boolean, requireEncryptedAssertions: boolean, version: number, updatedAt: string, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean }> } } | null };

export type SsoDraftFieldsFragment = { revision: number, baseVersion: number, updatedBy: string, updatedAt: string, lastTest: { success: boolean, at: string, by: string, detail: string } | null, changes: Array<{ field: string, before: string | null, after: string | null }>, settings: { enabled: boolean, provider: IdpProvider, loginUrl: string | null, issuer: string | null, logoutUrl: string | null, loginPolicy: LoginPolicy, allowIdpInitiated: boolean, jitProvisioning: boolean, signAuthnRequests: boolean, requireEncryptedAssertions: boolean, version: number, updatedAt: string, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean }> } };

export type PublishSsoDraftMutationVariables = Exact<{
  expectedRevision?: number | null | undefined;
  confirmUntested?: boolean | null | undefined;
}>;


export type PublishSsoDraftMutation = { publishSsoDraft: { version: number } };

export type DiscardSsoDraftMutationVariables = Exact<{
  expectedRevision?: number | null | undefined;
}>;


export type DiscardSsoDraftMutation = { discardSsoDraft: boolean };

export type SsoSettingsHistoryQueryVariables = Exact<{ [key: string]: never; }>;


export type SsoSettingsHistoryQuery = { ssoSettingsHistory: Array<{ version: number, action: SsoPublishAction, publishedBy: string, publishedAt: string, restoredFrom: number | null }>, ssoConnection: { version: number } };

export type SsoSettingsDiffQueryVariables = Exact<{
  from: SsoSettingsRef;
  to: SsoSettingsRef;
}>;


export type SsoSettingsDiffQuery = { ssoSettingsDiff: Array<{ field: string, before: string | null, after: string | null }> };

export type RollbackSsoSettingsMutationVariables = Exact<{
  version: number;
  expectedVersion?: number | null | undefined;
}>;


export type RollbackSsoSettingsMutation = { rollbackSsoSettings: { version: number } };

export type SaveSsoSettingsMutationVariables = Exact<{
  input: SaveSsoSettingsInput;
}>;


export type SaveSsoSettingsMutation = { saveSsoSettings: { enabled: boolean, provider: IdpProvider, loginUrl: string | null, issuer: string | null, logoutUrl: string | null, loginPolicy: LoginPolicy, allowIdpInitiated: boolean, jitProvisioning: boolean, signAuthnRequests: boolean, requireEncryptedAssertions: boolean, version: number, updatedAt: string, certificates: Array<{ id: string, subject: string, issuer: string, fingerprintSha256: string, notBefore: string, notAfter: string, expiresSoon: boolean, expired: boolean }> } };

export type UserFieldsFragment = { id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } };

export type UsersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
  status?: UserStatus | null | undefined;
}>;


export type UsersQuery = { users: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } }> } };

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { createUser: { id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } } };

export type UpdateUserMutationVariables = Exact<{
  id: string | number;
  input: UpdateUserInput;
}>;


export type UpdateUserMutation = { updateUser: { id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } } };

export type ActivateUserMutationVariables = Exact<{
  id: string | number;
}>;


export type ActivateUserMutation = { activateUser: { id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } } };

export type SuspendUserMutationVariables = Exact<{
  id: string | number;
}>;


export type SuspendUserMutation = { suspendUser: { id: string, email: string, displayName: string, federationId: string, role: Role, status: UserStatus, hasPassword: boolean, source: UserSource, lastSignInAt: string | null, createdAt: string, updatedAt: string, groups: { pageInfo: { hasNextPage: boolean }, nodes: Array<{ id: string, displayName: string }> } } };

export type DeleteUserMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteUserMutation = { deleteUser: { id: string } };

export type AuditEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: AuditEventFilter | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, actorKind: string, actor: string, action: string, targetType: string, targetId: string | null, before: unknown, after: unknown, createdAt: string }> } };

export type ApiTokensQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ApiTokensQuery = { apiTokens: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> } };

export type CreateApiTokenMutationVariables = Exact<{
  name: string;
}>;


export type CreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, name: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: { id: string, revokedAt: string | null } };

export type TenantsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type TenantsQuery = { tenants: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, slug: string, name: string, devMode: boolean, createdAt: string, ssoEnabled: boolean, loginPolicy: LoginPolicy | null, userCount: number }> } };

export type CreateTenantMutationVariables = Exact<{
  input: CreateTenantInput;
}>;


export type CreateTenantMutation = { createTenant: { generatedAdminPassword: string | null, tenant: { id: string, slug: string, name: string, devMode: boolean, createdAt: string }, admin: { email: string } } };

export type SetTenantDevModeMutationVariables = Exact<{
  slug: string;
  enabled: boolean;
}>;


export type SetTenantDevModeMutation = { setTenantDevMode: { id: string, devMode: boolean } };

export type TestSsoConnectionMutationVariables = Exact<{ [key: string]: never; }>;


export type TestSsoConnectionMutation = { testSsoConnection: { url: string } };

export type ImportIdpMetadataMutationVariables = Exact<{
  xml: string;
}>;


export type ImportIdpMetadataMutation = { importIdpMetadata: { issuer: string, loginUrl: string, logoutUrl: string | null, certificates: Array<{ subject: string, fingerprintSha256: string, notBefore: string, notAfter: string, pem: string, usable: boolean }> } };

export type SignInEventFieldsFragment = { id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null };

export type SignInEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: SignInEventFilter | null | undefined;
}>;


export type SignInEventsQuery = { signInEvents: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null }> } };

export type SignInEventAddedSubscriptionVariables = Exact<{
  filter?: SignInEventFilter | null | undefined;
}>;


export type SignInEventAddedSubscription = { signInEventAdded: { id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null } };

export type ScimTokenFieldsFragment = { id: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null };

export type ProvisioningQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProvisioningQuery = { serviceProvider: { scimTenantUrl: string }, tenant: { scimManagesAdmins: boolean }, scimTokens: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> } };

export type SetScimManagesAdminsMutationVariables = Exact<{
  enabled: boolean;
}>;


export type SetScimManagesAdminsMutation = { setScimManagesAdmins: { scimManagesAdmins: boolean } };

export type CreateScimTokenMutationVariables = Exact<{ [key: string]: never; }>;


export type CreateScimTokenMutation = { createScimToken: { token: string, tenantUrl: string, scimToken: { id: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } } };

export type RotateScimTokenMutationVariables = Exact<{
  id: string | number;
}>;


export type RotateScimTokenMutation = { rotateScimToken: { token: string, tenantUrl: string, scimToken: { id: string, prefix: string, createdBy: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeScimTokenMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeScimTokenMutation = { revokeScimToken: { id: string, revokedAt: string | null } };

export type GroupsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type GroupsQuery = { groups: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, displayName: string, externalId: string | null, memberCount: number, updatedAt: string }> } };

export type GroupMembersQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type GroupMembersQuery = { group: { id: string, memberCount: number, members: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, email: string, displayName: string, federationId: string, status: UserStatus }> } } | null };

export type ConnectionStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type ConnectionStatusQuery = { connectionStatus: { health: ConnectionHealth, attention: Array<string>, certificateExpiresAt: string | null, scimLastActivityAt: string | null, lastSuccess: { id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null } | null, lastFailure: { id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null } | null, lastTest: { id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null } | null } };

export type SignInReasonsQueryVariables = Exact<{ [key: string]: never; }>;


export type SignInReasonsQuery = { signInReasons: Array<{ code: string, description: string }> };

export type UnattributedSignInEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: SignInEventFilter | null | undefined;
}>;


export type UnattributedSignInEventsQuery = { unattributedSignInEvents: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, createdAt: string, success: boolean, flow: string, reasonCode: string, reason: string, detail: string, userId: string | null, nameId: string | null, certificateFingerprint: string | null, clockOffsetSeconds: number | null, ip: string | null, userAgent: string | null }> } };

export type MyIdpIdentityQueryVariables = Exact<{
  id: string | number;
}>;


export type MyIdpIdentityQuery = { user: { id: string, email: string, federationId: string } | null };

export type WebhookEndpointsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookEndpointsQuery = { webhookEndpoints: Array<{ id: string, url: string, description: string, eventTypes: Array<WebhookEventType>, enabled: boolean, failing: boolean, failingSince: string | null, previousSecretExpiresAt: string | null, createdAt: string }> };

export type WebhookDeliveriesQueryVariables = Exact<{
  endpointId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhookDeliveriesQuery = { webhookDeliveries: { nodes: Array<{ id: string, eventId: string, eventType: string, state: WebhookDeliveryState, attempts: number, responseStatus: number | null, lastError: string | null, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, deliveredAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateWebhookEndpointMutationVariables = Exact<{
  input: CreateWebhookEndpointInput;
}>;


export type CreateWebhookEndpointMutation = { createWebhookEndpoint: { secret: string, endpoint: { id: string, url: string, description: string, eventTypes: Array<WebhookEventType>, enabled: boolean, failing: boolean, failingSince: string | null, previousSecretExpiresAt: string | null, createdAt: string } } };

export type UpdateWebhookEndpointMutationVariables = Exact<{
  id: string | number;
  input: UpdateWebhookEndpointInput;
}>;


export type UpdateWebhookEndpointMutation = { updateWebhookEndpoint: { id: string, enabled: boolean, failing: boolean, failingSince: string | null } };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret: { secret: string, endpoint: { id: string, previousSecretExpiresAt: string | null } } };

export type DeleteWebhookEndpointMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookEndpointMutation = { deleteWebhookEndpoint: boolean };

export type ResendWebhookDeliveryMutationVariables = Exact<{
  id: string | number;
}>;


export type ResendWebhookDeliveryMutation = { resendWebhookDelivery: { id: string, state: WebhookDeliveryState, attempts: number } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CertificateFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"CertificateFields"}) as unknown as TypedDocumentString<CertificateFieldsFragment, unknown>;
export const SsoConnectionFieldsFragmentDoc = new TypedDocumentString(`
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
    fragment CertificateFields on IdpCertificate {
  id
  subject
  issuer
  fingerprintSha256
  notBefore
  notAfter
  expiresSoon
  expired
}`, {"fragmentName":"SsoConnectionFields"}) as unknown as TypedDocumentString<SsoConnectionFieldsFragment, unknown>;
export const SsoDraftFieldsFragmentDoc = new TypedDocumentString(`
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
}`, {"fragmentName":"SsoDraftFields"}) as unknown as TypedDocumentString<SsoDraftFieldsFragment, unknown>;
export const UserFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"UserFields"}) as unknown as TypedDocumentString<UserFieldsFragment, unknown>;
export const SignInEventFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"SignInEventFields"}) as unknown as TypedDocumentString<SignInEventFieldsFragment, unknown>;
export const ScimTokenFieldsFragmentDoc = new TypedDocumentString(`
    fragment ScimTokenFields on ScimToken {
  id
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}
    `, {"fragmentName":"ScimTokenFields"}) as unknown as TypedDocumentString<ScimTokenFieldsFragment, unknown>;
export const CertificateRolloverDocument = new TypedDocumentString(`
    query CertificateRollover {
  ssoConnection {
    version
    enabled
    refuseExpiredCertificates
    metadataStatus {
      url
      autoPromote
      lastAttemptAt
      lastSuccessAt
      lastError
      failures
      nextFetchAt
    }
    stagedCertificates {
      id
      subject
      issuer
      fingerprintSha256
      notBefore
      notAfter
      firstSeenAt
      signInsSeen
      lastSeenAt
    }
    certificates {
      id
      subject
      issuer
      fingerprintSha256
      notBefore
      notAfter
      usage {
        lastVerifiedAt
        signInsLast30Days
        expiredSignIns
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CertificateRolloverQuery, CertificateRolloverQueryVariables>;
export const SetIdpMetadataUrlDocument = new TypedDocumentString(`
    mutation SetIdpMetadataUrl($url: String, $autoPromote: Boolean!) {
  setIdpMetadataUrl(url: $url, autoPromote: $autoPromote) {
    url
  }
}
    `) as unknown as TypedDocumentString<SetIdpMetadataUrlMutation, SetIdpMetadataUrlMutationVariables>;
export const RefreshIdpMetadataDocument = new TypedDocumentString(`
    mutation RefreshIdpMetadata {
  refreshIdpMetadata {
    lastError
  }
}
    `) as unknown as TypedDocumentString<RefreshIdpMetadataMutation, RefreshIdpMetadataMutationVariables>;
export const PromoteStagedCertificateDocument = new TypedDocumentString(`
    mutation PromoteStagedCertificate($id: ID!) {
  promoteStagedCertificate(id: $id) {
    version
  }
}
    `) as unknown as TypedDocumentString<PromoteStagedCertificateMutation, PromoteStagedCertificateMutationVariables>;
export const DismissStagedCertificateDocument = new TypedDocumentString(`
    mutation DismissStagedCertificate($id: ID!) {
  dismissStagedCertificate(id: $id)
}
    `) as unknown as TypedDocumentString<DismissStagedCertificateMutation, DismissStagedCertificateMutationVariables>;
export const RemoveTrustedCertificateDocument = new TypedDocumentString(`
    mutation RemoveTrustedCertificate($id: ID!) {
  removeIdpCertificate(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<RemoveTrustedCertificateMutation, RemoveTrustedCertificateMutationVariables>;
export const SetRefuseExpiredCertificatesDocument = new TypedDocumentString(`
    mutation SetRefuseExpiredCertificates($refuse: Boolean!) {
  setRefuseExpiredCertificates(refuse: $refuse) {
    refuseExpiredCertificates
  }
}
    `) as unknown as TypedDocumentString<SetRefuseExpiredCertificatesMutation, SetRefuseExpiredCertificatesMutationVariables>;
export const CertificateWarningsDocument = new TypedDocumentString(`
    query CertificateWarnings {
  certificateWarnings {
    certificateId
    subject
    notAfter
    daysLeft
    thresholdDays
    covered
  }
}
    `) as unknown as TypedDocumentString<CertificateWarningsQuery, CertificateWarningsQueryVariables>;
export const DomainsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<DomainsQuery, DomainsQueryVariables>;
export const AddDomainDocument = new TypedDocumentString(`
    mutation AddDomain($name: String!) {
  addDomain(name: $name) {
    id
  }
}
    `) as unknown as TypedDocumentString<AddDomainMutation, AddDomainMutationVariables>;
export const VerifyDomainDocument = new TypedDocumentString(`
    mutation VerifyDomain($id: ID!) {
  verifyDomain(id: $id) {
    id
    status
    lastCheckError
  }
}
    `) as unknown as TypedDocumentString<VerifyDomainMutation, VerifyDomainMutationVariables>;
export const RemoveDomainDocument = new TypedDocumentString(`
    mutation RemoveDomain($id: ID!) {
  removeDomain(id: $id)
}
    `) as unknown as TypedDocumentString<RemoveDomainMutation, RemoveDomainMutationVariables>;
export const FindUserDocument = new TypedDocumentString(`
    query FindUser($search: String) {
  users(first: 10, search: $search) {
    nodes {
      id
      email
    }
  }
}
    `) as unknown as TypedDocumentString<FindUserQuery, FindUserQueryVariables>;
export const AddBreakGlassDocument = new TypedDocumentString(`
    mutation AddBreakGlass($userId: ID!) {
  addBreakGlassAccount(userId: $userId) {
    ssoRequired
  }
}
    `) as unknown as TypedDocumentString<AddBreakGlassMutation, AddBreakGlassMutationVariables>;
export const RemoveBreakGlassDocument = new TypedDocumentString(`
    mutation RemoveBreakGlass($userId: ID!) {
  removeBreakGlassAccount(userId: $userId) {
    ssoRequired
  }
}
    `) as unknown as TypedDocumentString<RemoveBreakGlassMutation, RemoveBreakGlassMutationVariables>;
export const MeDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const SignInDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  signOut
}
    `) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const IdentityManagementDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<IdentityManagementQuery, IdentityManagementQueryVariables>;
export const PublishSsoDraftDocument = new TypedDocumentString(`
    mutation PublishSsoDraft($expectedRevision: Int, $confirmUntested: Boolean) {
  publishSsoDraft(
    expectedRevision: $expectedRevision
    confirmUntested: $confirmUntested
  ) {
    version
  }
}
    `) as unknown as TypedDocumentString<PublishSsoDraftMutation, PublishSsoDraftMutationVariables>;
export const DiscardSsoDraftDocument = new TypedDocumentString(`
    mutation DiscardSsoDraft($expectedRevision: Int) {
  discardSsoDraft(expectedRevision: $expectedRevision)
}
    `) as unknown as TypedDocumentString<DiscardSsoDraftMutation, DiscardSsoDraftMutationVariables>;
export const SsoSettingsHistoryDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<SsoSettingsHistoryQuery, SsoSettingsHistoryQueryVariables>;
export const SsoSettingsDiffDocument = new TypedDocumentString(`
    query SsoSettingsDiff($from: SsoSettingsRef!, $to: SsoSettingsRef!) {
  ssoSettingsDiff(from: $from, to: $to) {
    field
    before
    after
  }
}
    `) as unknown as TypedDocumentString<SsoSettingsDiffQuery, SsoSettingsDiffQueryVariables>;
export const RollbackSsoSettingsDocument = new TypedDocumentString(`
    mutation RollbackSsoSettings($version: Int!, $expectedVersion: Int) {
  rollbackSsoSettings(version: $version, expectedVersion: $expectedVersion) {
    version
  }
}
    `) as unknown as TypedDocumentString<RollbackSsoSettingsMutation, RollbackSsoSettingsMutationVariables>;
export const SaveSsoSettingsDocument = new TypedDocumentString(`
    mutation SaveSsoSettings($input: SaveSsoSettingsInput!) {
  saveSsoSettings(input: $input) {
    ...SsoConnectionFields
  }
}
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
}`) as unknown as TypedDocumentString<SaveSsoSettingsMutation, SaveSsoSettingsMutationVariables>;
export const UsersDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    ...UserFields
  }
}
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
}`) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const UpdateUserDocument = new TypedDocumentString(`
    mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) {
    ...UserFields
  }
}
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
}`) as unknown as TypedDocumentString<UpdateUserMutation, UpdateUserMutationVariables>;
export const ActivateUserDocument = new TypedDocumentString(`
    mutation ActivateUser($id: ID!) {
  activateUser(id: $id) {
    ...UserFields
  }
}
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
}`) as unknown as TypedDocumentString<ActivateUserMutation, ActivateUserMutationVariables>;
export const SuspendUserDocument = new TypedDocumentString(`
    mutation SuspendUser($id: ID!) {
  suspendUser(id: $id) {
    ...UserFields
  }
}
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
}`) as unknown as TypedDocumentString<SuspendUserMutation, SuspendUserMutationVariables>;
export const DeleteUserDocument = new TypedDocumentString(`
    mutation DeleteUser($id: ID!) {
  deleteUser(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<DeleteUserMutation, DeleteUserMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const ApiTokensDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ApiTokensQuery, ApiTokensQueryVariables>;
export const CreateApiTokenDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const RevokeApiTokenDocument = new TypedDocumentString(`
    mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;
export const TenantsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<TenantsQuery, TenantsQueryVariables>;
export const CreateTenantDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CreateTenantMutation, CreateTenantMutationVariables>;
export const SetTenantDevModeDocument = new TypedDocumentString(`
    mutation SetTenantDevMode($slug: String!, $enabled: Boolean!) {
  setTenantDevMode(slug: $slug, enabled: $enabled) {
    id
    devMode
  }
}
    `) as unknown as TypedDocumentString<SetTenantDevModeMutation, SetTenantDevModeMutationVariables>;
export const TestSsoConnectionDocument = new TypedDocumentString(`
    mutation TestSsoConnection {
  testSsoConnection {
    url
  }
}
    `) as unknown as TypedDocumentString<TestSsoConnectionMutation, TestSsoConnectionMutationVariables>;
export const ImportIdpMetadataDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ImportIdpMetadataMutation, ImportIdpMetadataMutationVariables>;
export const SignInEventsDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<SignInEventsQuery, SignInEventsQueryVariables>;
export const SignInEventAddedDocument = new TypedDocumentString(`
    subscription SignInEventAdded($filter: SignInEventFilter) {
  signInEventAdded(filter: $filter) {
    ...SignInEventFields
  }
}
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
}`) as unknown as TypedDocumentString<SignInEventAddedSubscription, SignInEventAddedSubscriptionVariables>;
export const ProvisioningDocument = new TypedDocumentString(`
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
    fragment ScimTokenFields on ScimToken {
  id
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<ProvisioningQuery, ProvisioningQueryVariables>;
export const SetScimManagesAdminsDocument = new TypedDocumentString(`
    mutation SetScimManagesAdmins($enabled: Boolean!) {
  setScimManagesAdmins(enabled: $enabled) {
    scimManagesAdmins
  }
}
    `) as unknown as TypedDocumentString<SetScimManagesAdminsMutation, SetScimManagesAdminsMutationVariables>;
export const CreateScimTokenDocument = new TypedDocumentString(`
    mutation CreateScimToken {
  createScimToken {
    token
    tenantUrl
    scimToken {
      ...ScimTokenFields
    }
  }
}
    fragment ScimTokenFields on ScimToken {
  id
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateScimTokenMutation, CreateScimTokenMutationVariables>;
export const RotateScimTokenDocument = new TypedDocumentString(`
    mutation RotateScimToken($id: ID!) {
  rotateScimToken(id: $id) {
    token
    tenantUrl
    scimToken {
      ...ScimTokenFields
    }
  }
}
    fragment ScimTokenFields on ScimToken {
  id
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<RotateScimTokenMutation, RotateScimTokenMutationVariables>;
export const RevokeScimTokenDocument = new TypedDocumentString(`
    mutation RevokeScimToken($id: ID!) {
  revokeScimToken(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<RevokeScimTokenMutation, RevokeScimTokenMutationVariables>;
export const GroupsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<GroupsQuery, GroupsQueryVariables>;
export const GroupMembersDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<GroupMembersQuery, GroupMembersQueryVariables>;
export const ConnectionStatusDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ConnectionStatusQuery, ConnectionStatusQueryVariables>;
export const SignInReasonsDocument = new TypedDocumentString(`
    query SignInReasons {
  signInReasons {
    code
    description
  }
}
    `) as unknown as TypedDocumentString<SignInReasonsQuery, SignInReasonsQueryVariables>;
export const UnattributedSignInEventsDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<UnattributedSignInEventsQuery, UnattributedSignInEventsQueryVariables>;
export const MyIdpIdentityDocument = new TypedDocumentString(`
    query MyIdpIdentity($id: ID!) {
  user(id: $id) {
    id
    email
    federationId
  }
}
    `) as unknown as TypedDocumentString<MyIdpIdentityQuery, MyIdpIdentityQueryVariables>;
export const WebhookEndpointsDocument = new TypedDocumentString(`
    query WebhookEndpoints {
  webhookEndpoints {
    id
    url
    description
    eventTypes
    enabled
    failing
    failingSince
    previousSecretExpiresAt
    createdAt
  }
}
    `) as unknown as TypedDocumentString<WebhookEndpointsQuery, WebhookEndpointsQueryVariables>;
export const WebhookDeliveriesDocument = new TypedDocumentString(`
    query WebhookDeliveries($endpointId: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {
    nodes {
      id
      eventId
      eventType
      state
      attempts
      responseStatus
      lastError
      createdAt
      lastAttemptAt
      nextAttemptAt
      deliveredAt
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<WebhookDeliveriesQuery, WebhookDeliveriesQueryVariables>;
export const CreateWebhookEndpointDocument = new TypedDocumentString(`
    mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    secret
    endpoint {
      id
      url
      description
      eventTypes
      enabled
      failing
      failingSince
      previousSecretExpiresAt
      createdAt
    }
  }
}
    `) as unknown as TypedDocumentString<CreateWebhookEndpointMutation, CreateWebhookEndpointMutationVariables>;
export const UpdateWebhookEndpointDocument = new TypedDocumentString(`
    mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $input) {
    id
    enabled
    failing
    failingSince
  }
}
    `) as unknown as TypedDocumentString<UpdateWebhookEndpointMutation, UpdateWebhookEndpointMutationVariables>;
export const RotateWebhookSecretDocument = new TypedDocumentString(`
    mutation RotateWebhookSecret($id: ID!) {
  rotateWebhookSecret(id: $id) {
    secret
    endpoint {
      id
      previousSecretExpiresAt
    }
  }
}
    `) as unknown as TypedDocumentString<RotateWebhookSecretMutation, RotateWebhookSecretMutationVariables>;
export const DeleteWebhookEndpointDocument = new TypedDocumentString(`
    mutation DeleteWebhookEndpoint($id: ID!) {
  deleteWebhookEndpoint(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteWebhookEndpointMutation, DeleteWebhookEndpointMutationVariables>;
export const ResendWebhookDeliveryDocument = new TypedDocumentString(`
    mutation ResendWebhookDelivery($id: ID!) {
  resendWebhookDelivery(id: $id) {
    id
    state
    attempts
  }
}
    `) as unknown as TypedDocumentString<ResendWebhookDeliveryMutation, ResendWebhookDeliveryMutationVariables>;
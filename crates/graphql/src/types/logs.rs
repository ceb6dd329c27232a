//! The tenant's logs: the audit log of changes and the SSO sign-in events, with their filters.

use async_graphql::{ID, InputObject, Object};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

/// One change in the audit log.
pub(crate) struct AuditEvent(pub idn::AuditEvent);

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `user`, `operator`, `api_token` or `system`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    async fn actor_id(&self) -> Option<&str> {
        self.0.actor_id.as_deref()
    }
    async fn actor(&self) -> &str {
        &self.0.actor_label
    }
    /// e.g. `sso_connection.update`, `user.suspend`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    async fn target_id(&self) -> Option<&str> {
        self.0.target_id.as_deref()
    }
    /// The target before the change, as JSON (no secrets).
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.before.clone().map(async_graphql::Json)
    }
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.after.clone().map(async_graphql::Json)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject, Default)]
pub(crate) struct AuditEventFilter {
    pub action: Option<String>,
    pub target_id: Option<String>,
    /// The kind of target (category): `user`, `group`, `sso_connection`, `idp_certificate`,
    /// `api_token`, `scim_token`, `tenant`.
    pub target_type: Option<String>,
    /// Part of the action, the actor or the target ID, any case (at most 256 characters).
    pub search: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// One SSO sign-in attempt.
pub(crate) struct SignInEvent(pub idn::SignInEvent);

#[Object]
impl SignInEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn success(&self) -> bool {
        self.0.success
    }
    /// `sp_initiated`, `idp_initiated` or `test`.
    async fn flow(&self) -> &str {
        &self.0.flow
    }
    /// Machine-readable, e.g. `untrusted_key`, `unknown_user`, `replay`; `success` on success.
    async fn reason_code(&self) -> &str {
        &self.0.reason_code
    }
    /// The reason in plain words.
    async fn reason(&self) -> &str {
        idn::reason_text(&self.0.reason_code)
    }
    /// Expected vs received, as the SAML validation explained it.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    async fn user_id(&self) -> Option<ID> {
        self.0.user_id.clone().map(ID)
    }
    /// The NameID the IdP sent (when the response was readable).
    async fn name_id(&self) -> Option<&str> {
        self.0.name_id.as_deref()
    }
    /// The configured certificate that verified the response.
    async fn certificate_fingerprint(&self) -> Option<&str> {
        self.0.certificate_fingerprint.as_deref()
    }
    /// IdP IssueInstant minus Gatehouse's clock, in seconds.
    async fn clock_offset_seconds(&self) -> Option<i64> {
        self.0.clock_offset_seconds
    }
    async fn ip(&self) -> Option<&str> {
        self.0.ip.as_deref()
    }
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
}

#[derive(InputObject, Default)]
pub(crate) struct SignInEventFilter {
    /// Only successes (`true`) or only failures (`false`).
    pub success: Option<bool>,
    pub reason_code: Option<String>,
    pub user_id: Option<ID>,
    /// Part of the e-mail / NameID, any case (at most 256 characters).
    pub user: Option<String>,
    /// One attempt by its reference (the ID shown on an error page).
    pub reference: Option<ID>,
    pub since: Option<DateTime<Utc>>,
}

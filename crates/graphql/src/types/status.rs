//! The connection status card and the list of sign-in reasons the console filters by.

use async_graphql::{Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use super::SignInEvent;

/// How the tenant's SSO is doing, in one word.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionHealth {
    /// SSO is off (it may be prepared).
    Off,
    /// SSO is on, a certificate is valid and the last SSO attempt did not fail.
    Active,
    /// SSO is on and something needs the admin (see `attention`).
    NeedsAttention,
}

/// What an admin needs to know about the tenant's SSO at a glance.
pub(crate) struct ConnectionStatus(pub idn::ConnectionStatus);

#[Object]
impl ConnectionStatus {
    async fn health(&self) -> ConnectionHealth {
        match self.0.health {
            idn::ConnectionHealth::Off => ConnectionHealth::Off,
            idn::ConnectionHealth::Active => ConnectionHealth::Active,
            idn::ConnectionHealth::NeedsAttention => ConnectionHealth::NeedsAttention,
        }
    }
    /// Why it needs attention, one sentence each (empty otherwise).
    async fn attention(&self) -> &[&'static str] {
        &self.0.attention
    }
    /// The newest successful SSO sign-in (tests included).
    async fn last_success(&self) -> Option<SignInEvent> {
        self.0.last_success.clone().map(SignInEvent)
    }
    /// The newest failed SSO sign-in, with its reason.
    async fn last_failure(&self) -> Option<SignInEvent> {
        self.0.last_failure.clone().map(SignInEvent)
    }
    /// The newest Test SSO outcome.
    async fn last_test(&self) -> Option<SignInEvent> {
        self.0.last_test.clone().map(SignInEvent)
    }
    /// When the valid IdP certificate that runs out first expires (`null`: none is valid).
    async fn certificate_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.certificate_expires_at
    }
    /// The newest SCIM request (`null`: the IdP has not provisioned yet).
    async fn scim_last_activity_at(&self) -> Option<DateTime<Utc>> {
        self.0.scim_last_activity_at
    }
}

/// A sign-in reason code with its meaning, for filter lists.
#[derive(SimpleObject)]
pub(crate) struct SignInReasonInfo {
    pub code: &'static str,
    pub description: &'static str,
}

impl SignInReasonInfo {
    pub(crate) fn all() -> Vec<SignInReasonInfo> {
        idn::SignInReason::all()
            .into_iter()
            .map(|r| SignInReasonInfo { code: r.as_str(), description: r.admin_text() })
            .collect()
    }
}

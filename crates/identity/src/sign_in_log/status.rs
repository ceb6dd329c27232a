//! The connection status card: one read of what an admin needs to know at a glance — is SSO
//! working, when did someone last get in, what went wrong last, when does the certificate run
//! out, did the last Test SSO pass, is the IdP still provisioning. Read-only; the card's
//! rules (what "needs attention" means) live here, not in the console.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::Result;
use crate::model::IdpCertificate;
use crate::sign_in_log::{SignInEvent, SignInFlow};
use crate::store::entities::{idp_certificate, scim_token, sign_in_event, sso_connection};

/// How the tenant's SSO is doing, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionHealth {
    /// SSO is off (it may be prepared).
    Off,
    /// SSO is on, a certificate is valid and the last SSO attempt did not fail.
    Active,
    /// SSO is on but something needs the admin: no valid certificate, one expiring soon,
    /// or the last SSO attempt failed.
    NeedsAttention,
}

/// What the status card shows.
#[derive(Clone, Debug)]
pub struct ConnectionStatus {
    pub health: ConnectionHealth,
    /// Why the health is what it is, one sentence each (empty when active).
    pub attention: Vec<&'static str>,
    pub last_success: Option<SignInEvent>,
    pub last_failure: Option<SignInEvent>,
    pub last_test: Option<SignInEvent>,
    /// The end of the valid certificate that runs out first (`None`: no valid certificate).
    pub certificate_expires_at: Option<DateTime<Utc>>,
    /// The newest use of any SCIM token (`None`: the IdP has not provisioned yet).
    pub scim_last_activity_at: Option<DateTime<Utc>>,
}

impl Identity {
    /// The tenant's connection status (SSO sign-ins only: password attempts are left out).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn connection_status(&self, scope: &AdminScope) -> Result<ConnectionStatus> {
        let tenant = scope.tenant_id().as_uuid();
        let now = self.now();
        let enabled = sso_connection::Entity::find()
            .filter(sso_connection::Column::TenantId.eq(tenant))
            .one(&self.db)
            .await?
            .is_some_and(|c| c.enabled);
        let latest = |outcome: Option<bool>, flow: Option<SignInFlow>| {
            let mut q = sign_in_event::Entity::find()
                .filter(sign_in_event::Column::TenantId.eq(tenant))
                .filter(sign_in_event::Column::Flow.ne(SignInFlow::Password.as_str()));
            if let Some(success) = outcome {
                q = q.filter(
                    sign_in_event::Column::Outcome.eq(if success {
                        super::Outcome::Success
                    } else {
                        super::Outcome::Failure
                    }
                    .as_str()),
                );
            }
            if let Some(flow) = flow {
                q = q.filter(sign_in_event::Column::Flow.eq(flow.as_str()));
            }
            q.order_by_desc(sign_in_event::Column::Id).limit(1)
        };
        let last_success = latest(Some(true), None).one(&self.db).await?.map(SignInEvent::from);
        let last_failure = latest(Some(false), None).one(&self.db).await?.map(SignInEvent::from);
        let last_test = latest(None, Some(SignInFlow::Test)).one(&self.db).await?.map(SignInEvent::from);
        let certificates: Vec<IdpCertificate> = idp_certificate::Entity::find()
            .filter(idp_certificate::Column::TenantId.eq(tenant))
            .all(&self.db)
            .await?
            .into_iter()
            .map(IdpCertificate::from)
            .collect();
        let valid: Vec<&IdpCertificate> = certificates.iter().filter(|c| c.is_valid_at(now)).collect();
        let certificate_expires_at = valid.iter().map(|c| c.not_after).min();
        let scim_last_activity_at = scim_token::Entity::find()
            .filter(scim_token::Column::TenantId.eq(tenant))
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|t| t.last_used_at)
            .max();

        let mut attention = Vec::new();
        if enabled {
            if valid.is_empty() {
                attention.push("No valid IdP certificate: no SSO sign-in can succeed.");
            } else if valid.iter().any(|c| c.expires_soon_at(now)) {
                attention.push("An IdP certificate expires soon: add the IdP's new certificate before it does.");
            }
            let failed_last = match (&last_failure, &last_success) {
                // The log's own order: time, then the time-ordered ID (one clock tick may hold both).
                (Some(f), Some(s)) => (f.created_at, f.id.as_uuid()) > (s.created_at, s.id.as_uuid()),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if failed_last {
                attention.push("The last SSO sign-in attempt failed.");
            }
        }
        let health = match (enabled, attention.is_empty()) {
            (false, _) => ConnectionHealth::Off,
            (true, true) => ConnectionHealth::Active,
            (true, false) => ConnectionHealth::NeedsAttention,
        };
        Ok(ConnectionStatus {
            health,
            attention,
            last_success,
            last_failure,
            last_test,
            certificate_expires_at,
            scim_last_activity_at,
        })
    }
}

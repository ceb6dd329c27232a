//! `gatehouse-identity`: tenants, users, SSO connections and IdP certificates, sessions,
//! API tokens, SCIM provisioning (tokens, provisioned users, groups) and the audit log —
//! the sea-orm entities, the tenant-scoped store and the services built on it.
//!
//! Everything a caller may do goes through [`Identity`]. Tenant-owned operations take a
//! [`TenantScope`] first; only an authenticated [`Principal`] yields one, so a tenant's
//! data can only be reached by someone acting inside that tenant.

#![cfg_attr(test, allow(clippy::unwrap_used))] // a failed unwrap is a failed test

mod admin_guard;
mod audit;
mod auth;
mod bootstrap;
pub mod clock;
pub mod db;
mod entities;
mod error;
mod groups;
mod ids;
mod memberships;
mod model;
mod principal;
mod provisioning;
mod scim_tokens;
mod secrets;
mod sso;
mod sso_flow;
mod tenants;
mod throttle;
mod users;
mod validate;

use std::sync::Arc;

use chrono::Duration;
use sea_orm::DatabaseConnection;

pub use audit::AuditFilter;
pub use auth::{Me, MeRole, NewSessionInfo, SignIn, SignedIn};
pub use bootstrap::{Bootstrap, BootstrapReport, DEMO_ADMIN_EMAIL, DEMO_SLUG, DemoTenant};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, FieldError, Result};
pub use gatehouse_saml::sp::ServiceProvider;
pub use groups::{Group, GroupAttributes, MemberChanges};
pub use ids::*;
pub use model::*;
pub use principal::{Actor, OperatorScope, Principal, ScimScope, TenantScope};
pub use provisioning::{
    ContactValue, Listing, Lookup, LookupAttribute, ManagerRef, ProvisionedUser, UserAttributes, Window,
};
pub use scim_tokens::{CreatedScimToken, ScimToken};
pub use secrets::{MIN_PASSWORD_LEN, generate_password};
pub use sso::{AddedCertificate, MAX_CERTIFICATES, MetadataImport, SsoConnectionInput};
pub use sso_flow::{
    AcsOutcome, HomeRealm, RequestMeta, SignInEvent, SignInFilter, SsoError, SsoRefusal, SsoResult, SsoSignedIn,
    SsoStart, TestReport, reason_text, safe_redirect,
};
pub use tenants::{CreatedTenant, NewTenant};
pub use throttle::{AcsAdmission, Limits, Policy};
pub use users::{NewUser, UserUpdate};

/// Lifetimes of console sessions.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute_timeout: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: Duration::hours(2), absolute_timeout: Duration::hours(12) }
    }
}

/// The identity services over one database.
#[derive(Clone)]
pub struct Identity {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    sessions: SessionPolicy,
    /// Our SAML service-provider identity (entity ID = ACS URL, SLO URL).
    sp: Arc<ServiceProvider>,
    /// Attempt limits and the password-hashing pool ([`Identity::with_limits`]).
    throttle: Arc<throttle::Throttle>,
}

impl Identity {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, sessions: SessionPolicy, sp: ServiceProvider) -> Self {
        Self { db, clock, sessions, sp: Arc::new(sp), throttle: Arc::new(throttle::Throttle::new(Limits::default())) }
    }

    /// Our SAML service provider.
    pub fn service_provider(&self) -> &ServiceProvider {
        &self.sp
    }

    /// The database, for health checks.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The injected clock's time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The scope a tenant user or API token acts in; `None` for operators.
    pub fn tenant_scope(&self, principal: &Principal) -> Option<TenantScope> {
        TenantScope::of_principal(principal)
    }
}

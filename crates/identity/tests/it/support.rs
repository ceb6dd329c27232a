//! Shared set-up: services over a fresh database with a clock the test controls, two
//! tenants, and self-signed certificates made on the spot.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use gatehouse_identity::*;
use gatehouse_test_support::TestDb;
pub use gatehouse_test_support::certificate;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Ctx {
    pub identity: Identity,
    pub clock: Arc<ManualClock>,
    pub _db: TestDb,
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

impl Ctx {
    pub fn new(db: TestDb) -> Ctx {
        Ctx::with(db, "https://gatehouse.test", start())
    }

    /// Services whose SP lives at `public_url`, with the clock at `now`.
    pub fn with(db: TestDb, public_url: &str, now: DateTime<Utc>) -> Ctx {
        let clock = Arc::new(ManualClock::new(now));
        let sp = ServiceProvider::from_public_url(public_url).expect("SP");
        let identity = Identity::new(db.conn().clone(), clock.clone(), SessionPolicy::default(), sp);
        Ctx { identity, clock, _db: db }
    }

    /// Moves the clock to `t` (forwards or backwards).
    pub fn set_clock(&self, t: DateTime<Utc>) {
        self.clock.advance(t - self.identity.now());
    }

    /// A new tenant and its first admin's rights in it.
    pub async fn tenant(&self, slug: &str) -> (Tenant, AdminScope) {
        let created = self
            .identity
            .create_tenant(
                &OperatorScope::for_tests("test"),
                NewTenant {
                    slug: slug.into(),
                    name: format!("Tenant {slug}"),
                    admin_email: format!("admin@{slug}.example.com"),
                    admin_password: Some(PASSWORD.into()),
                },
            )
            .await
            .expect("tenant created");
        let principal =
            Principal::for_tests_user(created.tenant.id, created.admin.id, &created.admin.email, Role::TenantAdmin);
        let scope = self.identity.tenant_scope(&principal).expect("tenant scope").admin().expect("admin");
        (created.tenant, scope)
    }
}

pub fn field_of(e: &Error) -> Vec<String> {
    match e {
        Error::Validation(f) => f.iter().map(|f| f.field.clone()).collect(),
        Error::Conflict { field, .. } => field.iter().cloned().collect(),
        other => panic!("expected a validation or conflict error, got {other:?}"),
    }
}

/// SSO through an Entra tenant `tid` (its login, logout and Issuer URLs), enabled, password or
/// SSO, IdP-initiated allowed, every optional setting left as it is: tests override fields
/// with `..entra_sso(tid)`.
pub fn entra_sso(tid: &str) -> SsoConnectionInput {
    SsoConnectionInput {
        enabled: true,
        provider: IdpProvider::EntraId,
        login_url: Some(format!("https://login.microsoftonline.com/{tid}/saml2")),
        issuer: Some(format!("https://sts.windows.net/{tid}/")),
        logout_url: Some(format!("https://login.microsoftonline.com/{tid}/saml2")),
        login_policy: LoginPolicy::PasswordOrSso,
        allow_idp_initiated: true,
        jit_provisioning: None,
        sign_authn_requests: None,
        require_encrypted_assertions: None,
        expected_version: None,
    }
}

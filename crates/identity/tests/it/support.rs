//! Shared set-up: services over a fresh database with a clock the test controls, two
//! tenants, and self-signed certificates made on the spot.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use gatehouse_identity::*;
use gatehouse_test_support::TestDb;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509Builder, X509NameBuilder};

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
        let clock = Arc::new(ManualClock::new(start()));
        let identity = Identity::new(db.conn().clone(), clock.clone(), SessionPolicy::default());
        Ctx { identity, clock, _db: db }
    }

    pub async fn tenant(&self, slug: &str) -> (Tenant, TenantScope) {
        let created = self
            .identity
            .create_tenant(
                &OperatorScope::system("test"),
                NewTenant {
                    slug: slug.into(),
                    name: format!("Tenant {slug}"),
                    admin_email: format!("admin@{slug}.example.com"),
                    admin_password: Some(PASSWORD.into()),
                },
            )
            .await
            .expect("tenant created");
        let principal = Principal::User {
            tenant_id: created.tenant.id,
            user_id: created.admin.id,
            email: created.admin.email.clone(),
            role: Role::TenantAdmin,
        };
        let scope = self.identity.tenant_scope(&principal).expect("tenant scope");
        (created.tenant, scope)
    }
}

/// A self-signed certificate valid from `not_before` for `days`, as PEM.
pub fn certificate(cn: &str, not_before: DateTime<Utc>, days: i64) -> String {
    let key = PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", cn).expect("cn");
    let name = name.build();
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("version");
    b.set_serial_number(&BigNum::from_u32(1).expect("bn").to_asn1_integer().expect("serial")).expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&key).expect("pubkey");
    b.set_not_before(&Asn1Time::from_unix(not_before.timestamp()).expect("nb")).expect("nb");
    let not_after = not_before + Duration::days(days);
    b.set_not_after(&Asn1Time::from_unix(not_after.timestamp()).expect("na")).expect("na");
    b.sign(&key, MessageDigest::sha256()).expect("sign");
    String::from_utf8(b.build().to_pem().expect("pem")).expect("utf8")
}

pub fn field_of(e: &Error) -> Vec<String> {
    match e {
        Error::Validation(f) => f.iter().map(|f| f.field.clone()).collect(),
        Error::Conflict { field, .. } => field.iter().cloned().collect(),
        other => panic!("expected a validation or conflict error, got {other:?}"),
    }
}

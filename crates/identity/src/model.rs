//! The domain types the services hand out. They are plain data, separate from the
//! entities, so storage can change shape without changing the API.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::*;

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub(crate) fn parse_stored(s: &str) -> Result<Self> {
                match s {
                    $($s => Ok($name::$variant),)+
                    other => Err(Error::internal(format!(
                        "unknown {} {other:?} in the database", stringify!($name)
                    ))),
                }
            }
        }
    };
}

string_enum!(
    /// What a user may do inside their tenant.
    Role { TenantAdmin = "tenant_admin", User = "user" }
);
string_enum!(
    /// A user must be active to sign in. New users start pending unless created active.
    UserStatus { Pending = "pending", Active = "active", Suspended = "suspended" }
);
string_enum!(
    /// Which IdP the admin picked; it changes hints in the console, never validation.
    IdpProvider { EntraId = "entra_id", Okta = "okta", Google = "google", GenericSaml = "generic_saml" }
);
string_enum!(
    /// How a session was signed in (single logout applies to SSO sessions only).
    AuthMethod { Password = "password", Sso = "sso" }
);
string_enum!(
    /// What a pending SSO request (`sso_requests`) or hand-over is for.
    RequestPurpose { Login = "login", Test = "test", TestToken = "test_token", Logout = "logout" }
);
string_enum!(
    /// Where a user came from: created in the console (or by the API), provisioned by the
    /// IdP over SCIM, or created just in time at their first SSO sign-in.
    UserSource { Console = "console", Scim = "scim", JustInTime = "jit" }
);
string_enum!(
    /// How the tenant's users sign in.
    LoginPolicy { Password = "password", Sso = "sso", PasswordOrSso = "password_or_sso" }
);
string_enum!(
    /// Where a tenant's claim on an e-mail domain stands ([`crate::Identity::verify_domain`]).
    DomainStatus { Pending = "pending", Verified = "verified", Flagged = "flagged", Lapsed = "lapsed" }
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    /// Lets the tenant's IdP URLs use plain http (for local test IdPs). Set by an operator.
    pub dev_mode: bool,
    /// Lets the tenant's SCIM client rename, deactivate and delete tenant admins (off by default).
    pub scim_manages_admins: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    #[serde(skip)]
    pub tenant_id: TenantId,
    pub email: String,
    pub display_name: String,
    pub federation_id: String,
    pub role: Role,
    pub status: UserStatus,
    pub has_password: bool,
    pub source: UserSource,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub id: OperatorId,
    pub email: String,
    pub display_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SsoConnection {
    pub id: ConnectionId,
    pub enabled: bool,
    pub provider: IdpProvider,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: LoginPolicy,
    pub allow_idp_initiated: bool,
    /// Unknown users are created at their first SSO sign-in.
    pub jit_provisioning: bool,
    /// The IdP's federation metadata URL ([`crate::Identity::set_idp_metadata_url`]).
    pub metadata_url: Option<String>,
    /// Certificates new in the metadata are trusted at once instead of staged.
    pub metadata_auto_promote: bool,
    /// Sign-ins verified by an expired certificate are refused (off by default: logged only).
    pub refuse_expired_certificates: bool,
    /// AuthnRequests are signed with Gatehouse's active SP signing key.
    pub sign_authn_requests: bool,
    /// Plain assertions are refused; only ones encrypted to an SP encryption key are accepted.
    pub require_encrypted_assertions: bool,
    /// Increases with every saved change; updates may name the version they started from.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub certificates: Vec<IdpCertificate>,
}

/// An IdP signing certificate as stored (the PEM is kept for validation, not shown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdpCertificate {
    pub id: CertificateId,
    pub subject: String,
    pub issuer: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    #[serde(skip)]
    pub pem: String,
    pub created_at: DateTime<Utc>,
}

/// A certificate "expires soon" when less than this many days are left: time to upload
/// the IdP's next one. The console shows the same threshold.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

impl IdpCertificate {
    /// Usable for validation at `now`: inside its validity window.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now < self.not_after
    }

    /// Past its end at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.not_after <= now
    }

    /// Not expired yet, but less than [`EXPIRY_WARNING_DAYS`] left at `now` (exactly 60
    /// days left is not "soon"; an expired certificate is expired, not "soon").
    pub fn expires_soon_at(&self, now: DateTime<Utc>) -> bool {
        let left = self.not_after - now;
        left > chrono::Duration::zero() && left < chrono::Duration::days(EXPIRY_WARNING_DAYS)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    /// The token's first characters, to tell tokens apart; never enough to use it.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// One page of a list, in key order, and whether more follow.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
}

/// Where a page starts and how long it is. `after` is the ID of the last item seen.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub first: Option<u64>,
    pub after: Option<String>,
}

impl PageRequest {
    pub const DEFAULT_SIZE: u64 = 50;
    pub const MAX_SIZE: u64 = 200;

    /// The page size asked for; 0 or more than [`Self::MAX_SIZE`] is a validation error on `first`.
    pub fn size(&self) -> Result<u64> {
        match self.first {
            None => Ok(Self::DEFAULT_SIZE),
            Some(0) => Err(Error::invalid("first", "must be at least 1")),
            Some(n) if n > Self::MAX_SIZE => {
                Err(Error::invalid("first", format!("must be at most {}", Self::MAX_SIZE)))
            }
            Some(n) => Ok(n),
        }
    }

    pub(crate) fn after_uuid(&self) -> Result<Option<uuid::Uuid>> {
        self.after
            .as_deref()
            .map(|a| uuid::Uuid::parse_str(a).map_err(|_| Error::invalid("after", "is not a cursor from this list")))
            .transpose()
    }
}

pub(crate) fn page_from<T>(mut items: Vec<T>, size: u64) -> Page<T> {
    let has_next_page = items.len() as u64 > size;
    items.truncate(size as usize);
    Page { items, has_next_page }
}

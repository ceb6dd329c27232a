//! ID newtypes, so a tenant ID can never be passed where a user ID is meant.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub(crate) Uuid);

        impl $name {
            /// A new time-ordered ID (UUIDv7), so creation order is also key order.
            pub(crate) fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(/// A tenant (a customer organisation).
    TenantId);
id_type!(/// A user of one tenant.
    UserId);
id_type!(/// A platform operator (manages tenants, belongs to none).
    OperatorId);
id_type!(/// A tenant's SSO connection.
    ConnectionId);
id_type!(/// One IdP signing certificate of an SSO connection.
    CertificateId);
id_type!(/// An API token for GraphQL clients.
    ApiTokenId);
id_type!(/// A console or end-user session.
    SessionId);
id_type!(/// An audit log entry.
    AuditEventId);
id_type!(/// A SCIM bearer token of a tenant.
    ScimTokenId);
id_type!(/// A group of users (provisioned by the IdP).
    GroupId);
id_type!(/// One entry of a tenant's sign-in log.
    SignInEventId);
id_type!(/// An e-mail domain a tenant claims.
    DomainId);
id_type!(/// A tenant's webhook endpoint.
    WebhookEndpointId);
id_type!(/// One webhook event (the `webhook-id` header; the same for every endpoint and retry).
    WebhookEventId);

//! GraphQL output and input types, one file per area of the product. Outputs wrap the identity
//! crate's domain types and choose what to expose (never a hash, a PEM body or a token after
//! creation).
//!
//! - `me`: the signed-in caller; `tenants`: the customer organisation;
//! - `users`, `groups`: the tenant's directory;
//! - `sso`: the SAML connection, IdP certificates and service-provider values;
//! - `sp_keys`: Gatehouse's own SP certificates and their rollover;
//! - `tokens`: API and SCIM tokens; `logs`: audit events and sign-in events;
//! - `status`: the connection status card and the sign-in reasons.

mod groups;
mod logs;
mod me;
mod sp_keys;
mod sso;
mod status;
mod tenants;
mod tokens;
mod users;

pub(crate) use groups::Group;
pub(crate) use logs::{AuditEvent, AuditEventFilter, SignInEvent, SignInEventFilter};
pub(crate) use me::{Me, SignInPayload};
pub(crate) use sp_keys::{SpCertificate, SpKeyRole};
pub(crate) use sso::{
    IdpCertificate, IdpMetadataImport, MetadataCertificate, SaveSsoSettingsInput, ServiceProvider, SsoConnection,
    SsoConnectionInput, TestSsoPayload,
};
pub(crate) use status::{ConnectionStatus, SignInReasonInfo};
pub(crate) use tenants::{CreateTenantInput, CreateTenantPayload, Tenant};
pub(crate) use tokens::{ApiToken, CreateApiTokenPayload, CreateScimTokenPayload, ScimToken};
pub(crate) use users::{CreateUserInput, UpdateUserInput, User, UserStatus};

//! sea-orm entities: one module per table. Only this crate touches them; everything
//! outside sees the service types in the crate root.

pub mod api_token;
pub mod assertion_replay;
pub mod audit_event;
pub mod break_glass_account;
pub mod group;
pub mod group_member;
pub mod idp_certificate;
pub mod idp_staged_certificate;
pub mod logout_replay;
pub mod operator;
pub mod scim_token;
pub mod scim_user_attributes;
pub mod session;
pub mod sign_in_event;
pub mod sp_key;
pub mod sso_connection;
pub mod sso_draft;
pub mod sso_handoff;
pub mod sso_metadata_status;
pub mod sso_publish_policy;
pub mod sso_request;
pub mod sso_version;
pub mod tenant;
pub mod tenant_domain;
pub mod user;
pub mod webhook_certificate_notice;
pub mod webhook_delivery;
pub mod webhook_endpoint;

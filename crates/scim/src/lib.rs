//! SCIM 2.0 (RFC 7643 / RFC 7644) protocol for Gatehouse: resources, filters, PATCH, errors,
//! list queries and discovery documents, with Microsoft Entra ID's dialect accepted.
//! No database, no HTTP: the server maps endpoints onto these functions.
//!
//! - [`error`]: `ScimError` and the SCIM Error response.
//! - [`resource`]: `ScimUser`, `ScimGroup`, parsing request bodies (lenient) and output (strict).
//! - [`filter`]: the filter grammar, evaluation, and SQL push-down of simple equality filters.
//! - [`patch`]: PATCH requests and their application to users and groups.
//! - [`list`]: list query parameters, projection, `ListResponse`.
//! - [`discovery`]: `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod canonical;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod list;
pub mod patch;
pub mod resource;
mod schema;

pub use error::{Result, ScimError, ScimType};
pub use filter::{
    Equality, EqualityAttribute, Filter, matches, matches_group, matches_user, parse_filter,
};
pub use list::{ListQuery, ListResponse, MAX_RESULTS, Projection};
pub use patch::{GroupMemberChanges, PatchRequest, apply_group_patch, apply_user_patch};
pub use resource::{
    EnterpriseUser, GroupMember, Manager, Meta, MultiValue, Name, ScimGroup, ScimUser,
    resource_location,
};
pub use schema::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, ResourceKind, USER_SCHEMA};

/// The media type of every SCIM response body.
pub const CONTENT_TYPE: &str = "application/scim+json";

//! SCIM 2.0 (RFC 7643 / RFC 7644) protocol for Gatehouse: resources, filters, PATCH, errors,
//! list queries and discovery documents, with Microsoft Entra ID's dialect accepted.
//! No database, no HTTP: the server maps endpoints onto these functions.
//!
//! - [`error`]: `ScimError` and the SCIM Error response.
//! - [`resource`]: `ScimUser`, `ScimGroup`, parsing request bodies (lenient) and output (strict).
//! - [`filter`]: the filter grammar, evaluation, and SQL push-down of simple equality filters.
//! - [`patch`]: PATCH requests and their application to users and groups.
//! - [`list`]: list query parameters, projection, `ListResponse`.
//! - [`limits`]: the depth, length and count bounds every request is held to (400 beyond them).
//! - [`discovery`]: `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.
//!
//! A server handler stays thin: read the body as bytes, call one function here, map the
//! result to the store, answer with `serde_json::to_value(..)` (or a [`ScimError`] and its
//! `status`) as `application/scim+json`:
//!
//! - `POST /Users`: [`ScimUser::parse`] → store (409 [`ScimError::uniqueness`] on a duplicate
//!   `userName`) → set `id` and [`Meta::new`] → 201 with the user.
//! - `GET /Users?…`: [`ListQuery::from_query`]; if [`Filter::as_simple_equality`] is `Some`
//!   query the store with those terms, else load and keep those [`matches_user`] accepts;
//!   page with `offset()`/`count` (or [`ListResponse::paginate`]); project each with
//!   `query.projection.apply(ResourceKind::User, …)`. `POST /Users/.search` and the root
//!   `POST /.search` do the same from [`ListQuery::from_search_request`].
//! - `GET /Users/{id}`: [`Projection::from_query`] then `apply`; 404 [`ScimError::not_found`].
//! - `PUT /Users/{id}`: [`ScimUser::parse`], keep the stored `id`/`meta.created` → 200.
//! - `PATCH /Users/{id}`: [`PatchRequest::parse`], load, [`apply_user_patch`], save → 200.
//! - `PATCH /Groups/{id}`: [`PatchRequest::parse`]; load members only if
//!   [`PatchRequest::mentions_attribute`]`("members")`; [`apply_group_patch`] returns the
//!   [`GroupMemberChanges`] to write → 204.
//! - Discovery: [`discovery::service_provider_config`], [`discovery::resource_types`] /
//!   [`discovery::resource_type`], [`discovery::schemas`] / [`discovery::schema`] (wrap lists in
//!   [`ListResponse::new`]); other methods 405, unknown ids and unknown paths 404 in SCIM form.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod canonical;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod limits;
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

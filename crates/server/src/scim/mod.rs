//! The SCIM 2.0 service provider under `/scim/v2/{tenant}`: Users, Groups, `/.search`,
//! and the discovery documents, for Microsoft Entra ID and other provisioning clients.
//!
//! Each handler is thin: authenticate the tenant's bearer token ([`Caller`]), read the body
//! (at most [`MAX_BODY_BYTES`], else 413), let `gatehouse-scim` parse and patch, let
//! `gatehouse-identity` store, and answer `application/scim+json`. Every failure is a SCIM
//! Error response; internal errors are logged with a correlation ID the client sees alone.
//!
//! - `users`, `groups`: the `/Users` and `/Groups` handlers;
//! - `discovery`: `POST /.search` at the root and the discovery documents;
//! - `mapping`: SCIM resources to and from the store's types;
//! - `response`: the `application/scim+json` answer and [`Failure`], every error as a SCIM Error.

mod discovery;
mod groups;
mod mapping;
mod response;
mod users;

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use gatehouse_identity::ScimScope;
use gatehouse_scim::ScimError;
use gatehouse_scim::discovery::MAX_BODY_BYTES;

use self::discovery::{resource_type, resource_types, schema, schemas, search_all, service_provider_config};
use self::groups::{create_group, delete_group, get_group, list_groups, patch_group, replace_group, search_groups};
pub(crate) use self::response::payload_too_large;
use self::response::{Failure, Result};
use self::users::{create_user, delete_user, get_user, list_users, patch_user, replace_user, search_users};
use crate::app::AppState;

/// The SCIM routes, nested by the app under `/scim/v2/{tenant}`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list_users).post(create_user).fallback(not_allowed))
        .route("/Users/.search", post(search_users).fallback(not_allowed))
        .route(
            "/Users/{id}",
            get(get_user).put(replace_user).patch(patch_user).delete(delete_user).fallback(not_allowed),
        )
        .route("/Groups", get(list_groups).post(create_group).fallback(not_allowed))
        .route("/Groups/.search", post(search_groups).fallback(not_allowed))
        .route(
            "/Groups/{id}",
            get(get_group).put(replace_group).patch(patch_group).delete(delete_group).fallback(not_allowed),
        )
        .route("/.search", post(search_all).fallback(not_allowed))
        .route("/ServiceProviderConfig", get(service_provider_config).fallback(not_allowed))
        .route("/ResourceTypes", get(resource_types).fallback(not_allowed))
        .route("/ResourceTypes/{id}", get(resource_type).fallback(not_allowed))
        .route("/Schemas", get(schemas).fallback(not_allowed))
        .route("/Schemas/{id}", get(schema).fallback(not_allowed))
        .fallback(not_found)
}

/// An authenticated SCIM client: a live token of the tenant named in the URL.
pub(crate) struct Caller {
    scope: ScimScope,
    /// `<PUBLIC_URL>/scim/v2/<tenant>`: what `meta.location` and `$ref` start with.
    base_url: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ScimError::not_found("resource"))?;
        let slug = params.get("tenant").cloned().unwrap_or_default();
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let Some(token) = token else { return Err(ScimError::unauthorized().into()) };
        let scope = state.identity.resolve_scim_token(&slug, token).await?.ok_or_else(ScimError::unauthorized)?;
        state.identity.admit_scim_request(&scope).await?;
        Ok(Caller { scope, base_url: format!("{}/scim/v2/{slug}", state.public_url) })
    }
}

async fn read_body(body: Body) -> Result<Bytes> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| {
        if crate::limits::exceeded(&e) {
            ScimError::payload_too_large(MAX_BODY_BYTES).into()
        } else {
            ScimError::invalid_syntax(format!("the request body could not be read: {e}")).into()
        }
    })
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes()).into_owned().collect()
}

fn id_param<T: std::str::FromStr>(params: &HashMap<String, String>, what: &str) -> Result<T> {
    let raw = params.get("id").map(String::as_str).unwrap_or_default();
    raw.parse().map_err(|_| ScimError::not_found(format!("{what} {raw:?}")).into())
}

async fn not_found() -> Failure {
    ScimError::not_found("resource").into()
}

async fn not_allowed() -> Failure {
    ScimError::method_not_allowed().into()
}

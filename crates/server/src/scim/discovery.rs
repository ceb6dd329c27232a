//! The SCIM root: `POST /.search` over Users and Groups together, and the discovery documents
//! (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gatehouse_identity::Window;
use gatehouse_scim::discovery;
use gatehouse_scim::{ListQuery, ListResponse, ResourceKind, ScimError, matches};
use serde_json::Value;

use super::mapping::{scim_group, scim_user, to_json};
use super::response::{Result, reply};
use super::{Caller, read_body};
use crate::app::AppState;

/// `POST /.search` over Users and Groups together.
pub(super) async fn search_all(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
    let query = ListQuery::from_search_request(&read_body(body).await?)?;
    let mut all: Vec<(ResourceKind, Value)> = Vec::new();
    for user in state.identity.provisioned_users(&caller.scope, &[], Window::default()).await?.items {
        all.push((ResourceKind::User, to_json(&scim_user(user, &caller.base_url))?));
    }
    for group in state.identity.scim_groups(&caller.scope, &[], Window::default(), true).await?.items {
        all.push((ResourceKind::Group, to_json(&scim_group(group, &caller.base_url))?));
    }
    if let Some(filter) = &query.filter {
        all.retain(|(kind, json)| matches(json, *kind, filter));
    }
    let page = ListResponse::paginate(all, &query).map(|(kind, json)| query.projection.apply(kind, json));
    Ok(reply(StatusCode::OK, &page))
}

pub(super) async fn service_provider_config(caller: Caller) -> Response {
    reply(StatusCode::OK, &discovery::service_provider_config(&caller.base_url))
}

pub(super) async fn resource_types(caller: Caller) -> Response {
    let all = discovery::resource_types(&caller.base_url);
    let total = all.len();
    reply(StatusCode::OK, &ListResponse::new(all, total, 1))
}

pub(super) async fn resource_type(caller: Caller, Path(params): Path<HashMap<String, String>>) -> Result<Response> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let doc = discovery::resource_type(&caller.base_url, id)
        .ok_or_else(|| ScimError::not_found(format!("ResourceType {id:?}")))?;
    Ok(reply(StatusCode::OK, &doc))
}

pub(super) async fn schemas(caller: Caller) -> Response {
    let all = discovery::schemas(&caller.base_url);
    let total = all.len();
    reply(StatusCode::OK, &ListResponse::new(all, total, 1))
}

pub(super) async fn schema(caller: Caller, Path(params): Path<HashMap<String, String>>) -> Result<Response> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let doc = discovery::schema(&caller.base_url, id).ok_or_else(|| ScimError::not_found(format!("Schema {id:?}")))?;
    Ok(reply(StatusCode::OK, &doc))
}

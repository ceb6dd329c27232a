//! `/Users`: create, read, list, search, replace, patch and delete provisioned users.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use gatehouse_identity::{UserId, Window};
use gatehouse_scim::{
    ListQuery, ListResponse, PatchRequest, Projection, ResourceKind, ScimUser, apply_user_patch, matches,
};
use serde_json::Value;

use super::mapping::{attributes_of, lookups, scim_user, to_json};
use super::response::{Failure, Result, reply};
use super::{Caller, id_param, query_pairs, read_body};
use crate::app::AppState;

pub(super) async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let user = ScimUser::parse(&read_body(body).await?)?;
    let created = state.identity.provision_user(&caller.scope, attributes_of(user)).await?;
    let user = scim_user(created, &caller.base_url);
    let location = user.meta.as_ref().and_then(|m| m.location.clone()).unwrap_or_default();
    let mut resp = reply(StatusCode::CREATED, &projection.apply(ResourceKind::User, to_json(&user)?));
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

pub(super) async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let id: UserId = id_param(&params, "User")?;
    let user = state.identity.provisioned_user(&caller.scope, id).await?;
    let json = to_json(&scim_user(user, &caller.base_url))?;
    Ok(reply(StatusCode::OK, &projection.apply(ResourceKind::User, json)))
}

pub(super) async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let query = ListQuery::from_query(query_pairs(&q))?;
    Ok(reply(StatusCode::OK, &user_page(&state, &caller, &query).await?))
}

pub(super) async fn search_users(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
    let query = ListQuery::from_search_request(&read_body(body).await?)?;
    Ok(reply(StatusCode::OK, &user_page(&state, &caller, &query).await?))
}

pub(super) async fn replace_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let id: UserId = id_param(&params, "User")?;
    let wanted = attributes_of(ScimUser::parse(&read_body(body).await?)?);
    let user = state.identity.update_provisioned_user(&caller.scope, id, |_| Ok::<_, Failure>(wanted)).await?;
    let json = to_json(&scim_user(user, &caller.base_url))?;
    Ok(reply(StatusCode::OK, &projection.apply(ResourceKind::User, json)))
}

pub(super) async fn patch_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let id: UserId = id_param(&params, "User")?;
    let patch = PatchRequest::parse(&read_body(body).await?)?;
    let base_url = caller.base_url.clone();
    let user = state
        .identity
        .update_provisioned_user(&caller.scope, id, |current| {
            let mut user = scim_user(current.clone(), &base_url);
            apply_user_patch(&mut user, &patch)?;
            Ok::<_, Failure>(attributes_of(user))
        })
        .await?;
    let json = to_json(&scim_user(user, &caller.base_url))?;
    Ok(reply(StatusCode::OK, &projection.apply(ResourceKind::User, json)))
}

pub(super) async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    let id: UserId = id_param(&params, "User")?;
    state.identity.deprovision_user(&caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn user_page(state: &AppState, caller: &Caller, query: &ListQuery) -> Result<ListResponse<Value>> {
    let window = Window { offset: query.offset() as u64, limit: Some(query.count as u64) };
    let listing = match query.filter.as_ref().map(|f| (f, f.as_simple_equality())) {
        None => state.identity.provisioned_users(&caller.scope, &[], window).await?,
        Some((_, Some(terms))) => state.identity.provisioned_users(&caller.scope, &lookups(&terms), window).await?,
        Some((filter, None)) => {
            let all = state.identity.provisioned_users(&caller.scope, &[], Window::default()).await?;
            let mut matching = Vec::new();
            for user in all.items {
                let json = to_json(&scim_user(user, &caller.base_url))?;
                if matches(&json, ResourceKind::User, filter) {
                    matching.push(json);
                }
            }
            let page = ListResponse::paginate(matching, query);
            return Ok(page.map(|json| query.projection.apply(ResourceKind::User, json)));
        }
    };
    let mut resources = Vec::with_capacity(listing.items.len());
    for user in listing.items {
        resources.push(query.projection.apply(ResourceKind::User, to_json(&scim_user(user, &caller.base_url))?));
    }
    Ok(ListResponse::new(resources, listing.total as usize, query.start_index))
}

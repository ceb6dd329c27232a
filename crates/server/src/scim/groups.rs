//! `/Groups`: create, read, list, search, replace, patch and delete groups and their members.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use gatehouse_identity::{GroupAttributes, GroupEdit, GroupId, Window};
use gatehouse_scim::{
    ListQuery, ListResponse, PatchRequest, Projection, ResourceKind, ScimGroup, apply_group_patch, matches,
};
use serde_json::Value;

use super::mapping::{lookups, scim_group, to_json};
use super::response::{Failure, Result, reply};
use super::{Caller, id_param, query_pairs, read_body};
use crate::app::AppState;

pub(super) async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let group = ScimGroup::parse(&read_body(body).await?)?;
    let members: Vec<String> = group.member_ids().into_iter().map(str::to_owned).collect();
    let attributes = GroupAttributes { display_name: group.display_name, external_id: group.external_id };
    let created = state.identity.create_group(&caller.scope, attributes, &members).await?;
    let group = scim_group(created, &caller.base_url);
    let location = group.meta.as_ref().and_then(|m| m.location.clone()).unwrap_or_default();
    let mut resp = reply(StatusCode::CREATED, &projection.apply(ResourceKind::Group, to_json(&group)?));
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

pub(super) async fn get_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let id: GroupId = id_param(&params, "Group")?;
    let group = state.identity.scim_group(&caller.scope, id, wants_members(&projection)).await?;
    let json = to_json(&scim_group(group, &caller.base_url))?;
    Ok(reply(StatusCode::OK, &projection.apply(ResourceKind::Group, json)))
}

pub(super) async fn list_groups(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let query = ListQuery::from_query(query_pairs(&q))?;
    Ok(reply(StatusCode::OK, &group_page(&state, &caller, &query).await?))
}

pub(super) async fn search_groups(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
    let query = ListQuery::from_search_request(&read_body(body).await?)?;
    Ok(reply(StatusCode::OK, &group_page(&state, &caller, &query).await?))
}

pub(super) async fn replace_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response> {
    let projection = Projection::from_query(query_pairs(&q))?;
    let id: GroupId = id_param(&params, "Group")?;
    let wanted = ScimGroup::parse(&read_body(body).await?)?;
    let group = state
        .identity
        .update_group(&caller.scope, id, true, |_| {
            let attributes =
                GroupAttributes { display_name: wanted.display_name.clone(), external_id: wanted.external_id.clone() };
            let members = Some(wanted.member_ids().into_iter().map(str::to_owned).collect());
            Ok::<_, Failure>(GroupEdit { attributes, members })
        })
        .await?;
    let json = to_json(&scim_group(group, &caller.base_url))?;
    Ok(reply(StatusCode::OK, &projection.apply(ResourceKind::Group, json)))
}

/// Entra expects 204 for a group PATCH; member lists are loaded only when the PATCH names them.
pub(super) async fn patch_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    body: Body,
) -> Result<StatusCode> {
    let id: GroupId = id_param(&params, "Group")?;
    let patch = PatchRequest::parse(&read_body(body).await?)?;
    let with_members = patch.mentions_attribute("members");
    let base_url = caller.base_url.clone();
    state
        .identity
        .update_group(&caller.scope, id, with_members, |current| {
            let mut group = scim_group(current.clone(), &base_url);
            apply_group_patch(&mut group, &patch)?;
            let members = with_members.then(|| group.member_ids().into_iter().map(str::to_owned).collect());
            let attributes = GroupAttributes { display_name: group.display_name, external_id: group.external_id };
            Ok::<_, Failure>(GroupEdit { attributes, members })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    let id: GroupId = id_param(&params, "Group")?;
    state.identity.delete_group(&caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn group_page(state: &AppState, caller: &Caller, query: &ListQuery) -> Result<ListResponse<Value>> {
    let window = Window { offset: query.offset() as u64, limit: Some(query.count as u64) };
    let with_members = wants_members(&query.projection);
    let listing = match query.filter.as_ref().map(|f| (f, f.as_simple_equality())) {
        None => state.identity.scim_groups(&caller.scope, &[], window, with_members).await?,
        Some((_, Some(terms))) => {
            state.identity.scim_groups(&caller.scope, &lookups(&terms), window, with_members).await?
        }
        Some((filter, None)) => {
            let all = state.identity.scim_groups(&caller.scope, &[], Window::default(), true).await?;
            let mut matching = Vec::new();
            for group in all.items {
                let json = to_json(&scim_group(group, &caller.base_url))?;
                if matches(&json, ResourceKind::Group, filter) {
                    matching.push(json);
                }
            }
            let page = ListResponse::paginate(matching, query);
            return Ok(page.map(|json| query.projection.apply(ResourceKind::Group, json)));
        }
    };
    let mut resources = Vec::with_capacity(listing.items.len());
    for group in listing.items {
        resources.push(query.projection.apply(ResourceKind::Group, to_json(&scim_group(group, &caller.base_url))?));
    }
    Ok(ListResponse::new(resources, listing.total as usize, query.start_index))
}

/// Whether the response shows `members` (Entra lists groups with `excludedAttributes=members`).
fn wants_members(projection: &Projection) -> bool {
    let names_members =
        |paths: &[gatehouse_scim::filter::AttrPath]| paths.iter().any(|p| p.name.eq_ignore_ascii_case("members"));
    if !projection.attributes.is_empty() {
        return names_members(&projection.attributes);
    }
    !names_members(&projection.excluded_attributes)
}

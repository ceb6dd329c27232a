//! The SCIM 2.0 service provider under `/scim/v2/{tenant}`: Users, Groups, `/.search`,
//! and the discovery documents, for Microsoft Entra ID and other provisioning clients.
//!
//! Each handler is thin: authenticate the tenant's bearer token ([`Caller`]), read the body
//! (at most [`MAX_BODY_BYTES`], else 413), let `gatehouse-scim` parse and patch, let
//! `gatehouse-identity` store, and answer `application/scim+json`. Every failure is a SCIM
//! Error response; internal errors are logged with a correlation ID the client sees alone.

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_identity::{
    self as idn, Group, GroupAttributes, GroupEdit, GroupId, Lookup, LookupAttribute, ProvisionedUser, ScimScope,
    UserAttributes, UserId, Window,
};
use gatehouse_scim::discovery::{self, MAX_BODY_BYTES};
use gatehouse_scim::{
    CONTENT_TYPE, EnterpriseUser, Equality, EqualityAttribute, GroupMember, ListQuery, ListResponse, Manager, Meta,
    MultiValue, Name, PatchRequest, Projection, ResourceKind, ScimError, ScimGroup, ScimUser, apply_group_patch,
    apply_user_patch, matches, resource_location,
};
use serde::Serialize;
use serde_json::Value;

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

/// A failed SCIM request, answered in the SCIM Error schema (with `Retry-After` when
/// the token is throttled).
#[derive(Debug)]
pub(crate) struct Failure(ScimError, Option<u64>);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Self {
        Failure(e, None)
    }
}

impl From<idn::Error> for Failure {
    fn from(e: idn::Error) -> Self {
        let retry_after = match &e {
            idn::Error::RateLimited { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        };
        let error = match e {
            idn::Error::NotFound { what } => ScimError::not_found(what),
            idn::Error::Validation(_) => ScimError::invalid_value(e.to_string()),
            idn::Error::Conflict { field: Some(_), message } => ScimError::uniqueness(message),
            // Not a duplicate (e.g. a concurrent role change): a plain 409 the client retries.
            idn::Error::Conflict { field: None, message } => ScimError::new(409, None, message),
            idn::Error::Forbidden(message) => ScimError::new(403, None, message),
            idn::Error::Unauthenticated(_) => ScimError::unauthorized(),
            idn::Error::RateLimited { message, .. } => ScimError::new(429, None, message),
            idn::Error::Internal(source) => ScimError::internal(idn::Error::log_internal("scim", &*source)),
        };
        Failure(error, retry_after)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = reply(status, &self.0);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.1 {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

type Result<T, E = Failure> = std::result::Result<T, E>;

fn reply(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], bytes).into_response(),
        Err(e) => {
            let body =
                serde_json::to_vec(&ScimError::internal(idn::Error::log_internal("scim", &e))).unwrap_or_default();
            (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
        }
    }
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

/// 413 as a SCIM Error, for the body limit in front of every SCIM route.
pub(crate) fn payload_too_large(max_bytes: usize) -> Response {
    Failure(ScimError::payload_too_large(max_bytes), None).into_response()
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

// ---- Users ---------------------------------------------------------------------------------

async fn create_user(
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

async fn get_user(
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

async fn list_users(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Response> {
    let query = ListQuery::from_query(query_pairs(&q))?;
    Ok(reply(StatusCode::OK, &user_page(&state, &caller, &query).await?))
}

async fn search_users(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
    let query = ListQuery::from_search_request(&read_body(body).await?)?;
    Ok(reply(StatusCode::OK, &user_page(&state, &caller, &query).await?))
}

async fn replace_user(
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

async fn patch_user(
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

async fn delete_user(
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

// ---- Groups --------------------------------------------------------------------------------

async fn create_group(
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

async fn get_group(
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

async fn list_groups(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Response> {
    let query = ListQuery::from_query(query_pairs(&q))?;
    Ok(reply(StatusCode::OK, &group_page(&state, &caller, &query).await?))
}

async fn search_groups(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
    let query = ListQuery::from_search_request(&read_body(body).await?)?;
    Ok(reply(StatusCode::OK, &group_page(&state, &caller, &query).await?))
}

async fn replace_group(
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
async fn patch_group(
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

async fn delete_group(
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

// ---- Root search and discovery -------------------------------------------------------------

/// `POST /.search` over Users and Groups together.
async fn search_all(State(state): State<AppState>, caller: Caller, body: Body) -> Result<Response> {
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

async fn service_provider_config(caller: Caller) -> Response {
    reply(StatusCode::OK, &discovery::service_provider_config(&caller.base_url))
}

async fn resource_types(caller: Caller) -> Response {
    let all = discovery::resource_types(&caller.base_url);
    let total = all.len();
    reply(StatusCode::OK, &ListResponse::new(all, total, 1))
}

async fn resource_type(caller: Caller, Path(params): Path<HashMap<String, String>>) -> Result<Response> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let doc = discovery::resource_type(&caller.base_url, id)
        .ok_or_else(|| ScimError::not_found(format!("ResourceType {id:?}")))?;
    Ok(reply(StatusCode::OK, &doc))
}

async fn schemas(caller: Caller) -> Response {
    let all = discovery::schemas(&caller.base_url);
    let total = all.len();
    reply(StatusCode::OK, &ListResponse::new(all, total, 1))
}

async fn schema(caller: Caller, Path(params): Path<HashMap<String, String>>) -> Result<Response> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let doc = discovery::schema(&caller.base_url, id).ok_or_else(|| ScimError::not_found(format!("Schema {id:?}")))?;
    Ok(reply(StatusCode::OK, &doc))
}

// ---- Mapping between SCIM resources and the store -------------------------------------------

fn to_json(resource: &impl Serialize) -> Result<Value> {
    serde_json::to_value(resource).map_err(|e| idn::Error::Internal(Box::new(e)).into())
}

fn lookups(terms: &[Equality]) -> Vec<Lookup> {
    terms
        .iter()
        .map(|t| Lookup {
            attribute: match t.attribute {
                EqualityAttribute::Id => LookupAttribute::Id,
                EqualityAttribute::UserName => LookupAttribute::UserName,
                EqualityAttribute::ExternalId => LookupAttribute::ExternalId,
                EqualityAttribute::DisplayName => LookupAttribute::DisplayName,
            },
            value: t.value.clone(),
        })
        .collect()
}

fn attributes_of(u: ScimUser) -> UserAttributes {
    let values = |vs: Vec<MultiValue>| {
        vs.into_iter().map(|v| idn::ContactValue { value: v.value, kind: v.kind, primary: v.primary }).collect()
    };
    let name = u.name.unwrap_or_default();
    let enterprise = u.enterprise.unwrap_or_default();
    UserAttributes {
        user_name: u.user_name,
        external_id: u.external_id,
        display_name: u.display_name,
        given_name: name.given_name,
        family_name: name.family_name,
        formatted_name: name.formatted,
        title: u.title,
        active: u.active,
        emails: values(u.emails),
        phone_numbers: values(u.phone_numbers),
        department: enterprise.department,
        employee_number: enterprise.employee_number,
        // `displayName` of a manager is readOnly: not stored, never filled in.
        manager: enterprise
            .manager
            .filter(|m| m.value.is_some() || m.reference.is_some())
            .map(|m| idn::ManagerRef { value: m.value, reference: m.reference }),
    }
}

fn scim_user(u: ProvisionedUser, base_url: &str) -> ScimUser {
    let a = u.attributes;
    let values = |vs: Vec<idn::ContactValue>| {
        vs.into_iter().map(|v| MultiValue { value: v.value, kind: v.kind, primary: v.primary }).collect()
    };
    let name = Name { formatted: a.formatted_name, family_name: a.family_name, given_name: a.given_name };
    let enterprise = EnterpriseUser {
        employee_number: a.employee_number,
        department: a.department,
        manager: a.manager.map(|m| Manager { value: m.value, reference: m.reference, display_name: None }),
    };
    let id = u.id.to_string();
    ScimUser {
        meta: Some(Meta::new(ResourceKind::User, base_url, &id, u.created_at, u.updated_at)),
        id: Some(id),
        external_id: a.external_id,
        user_name: a.user_name,
        name: Some(name),
        display_name: a.display_name,
        title: a.title,
        active: a.active,
        emails: values(a.emails),
        phone_numbers: values(a.phone_numbers),
        enterprise: Some(enterprise),
    }
}

fn scim_group(g: Group, base_url: &str) -> ScimGroup {
    let id = g.id.to_string();
    let members = g
        .members
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let value = m.to_string();
            // readOnly `display` stays empty: clients read back exactly what they wrote.
            GroupMember {
                reference: Some(resource_location(ResourceKind::User, base_url, &value)),
                value,
                display: None,
            }
        })
        .collect();
    ScimGroup {
        meta: Some(Meta::new(ResourceKind::Group, base_url, &id, g.created_at, g.updated_at)),
        id: Some(id),
        external_id: g.external_id,
        display_name: g.display_name,
        members,
    }
}

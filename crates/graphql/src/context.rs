//! What a resolver learns about the request and the process, and the one way it gets a
//! tenant scope: from the authenticated principal.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::{Context, Request, ServerResult};
use chrono::{DateTime, Utc};
use gatehouse_identity::{Identity, OperatorScope, Principal, TenantScope};

use crate::error::{GqlResult, OrGql, unauthenticated};

/// Who is calling, as the server found out from the cookie or bearer token.
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    pub principal: Option<Principal>,
    /// The session cookie's value, so `signOut` can end exactly this session.
    pub session_token: Option<String>,
    /// For operators: the tenant (slug) they act on, from the `X-Gatehouse-Tenant` header.
    pub operator_tenant: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a request did to the caller's browser session. The API only reports it; the server
/// turns it into the session cookie (it owns every cookie's name and attributes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionChange {
    /// `signIn` started a session with this token, valid until `expires_at`.
    Started { token: String, expires_at: DateTime<Utc> },
    /// `signOut`: the browser should drop its session.
    Ended,
}

/// One request's record of [`SessionChange`]s, in the order the resolvers made them. The
/// server adds a fresh one to each request and reads it once the request has run.
#[derive(Clone, Debug, Default)]
pub struct SessionReport(Arc<Mutex<Vec<SessionChange>>>);

impl SessionReport {
    pub(crate) fn record(&self, change: SessionChange) {
        if let Ok(mut changes) = self.0.lock() {
            changes.push(change);
        }
    }

    /// The changes reported so far, oldest first (and forgotten here).
    pub fn take(&self) -> Vec<SessionChange> {
        self.0.lock().map(|mut changes| std::mem::take(&mut *changes)).unwrap_or_default()
    }
}

/// The values an admin pastes into the IdP.
#[derive(Clone, Debug)]
pub struct ServiceProviderInfo {
    /// The public base URL (no trailing slash).
    pub public_url: String,
    pub entity_id: String,
    pub acs_url: String,
    pub metadata_url: String,
    /// The SP-initiated sign-in start, without the `tenant` query parameter.
    pub login_url: String,
    /// `<PUBLIC_URL>/scim/v2`; a tenant's SCIM base is this plus `/<slug>`.
    pub scim_base_url: String,
}

impl ServiceProviderInfo {
    /// The "Tenant URL" Entra's provisioning page asks for.
    pub(crate) fn scim_tenant_url(&self, slug: &str) -> String {
        format!("{}/{slug}", self.scim_base_url.trim_end_matches('/'))
    }
}

pub(crate) fn identity<'a>(ctx: &Context<'a>) -> &'a Identity {
    ctx.data_unchecked::<Identity>()
}

pub(crate) fn auth<'a>(ctx: &Context<'a>) -> &'a RequestAuth {
    static NONE: std::sync::OnceLock<RequestAuth> = std::sync::OnceLock::new();
    ctx.data_opt::<RequestAuth>().unwrap_or_else(|| NONE.get_or_init(RequestAuth::default))
}

/// Reports a change of the caller's session to the server (see [`SessionReport`]).
pub(crate) fn report_session(ctx: &Context<'_>, change: SessionChange) {
    if let Some(report) = ctx.data_opt::<SessionReport>() {
        report.record(change);
    }
}

pub(crate) fn principal<'a>(ctx: &Context<'a>) -> GqlResult<&'a Principal> {
    auth(ctx).principal.as_ref().ok_or_else(unauthenticated)
}

/// The tenant the caller acts in: their own, or for an operator the one they named.
/// Worked out once per request (for an operator it takes a lookup), then remembered.
pub(crate) async fn tenant_scope(ctx: &Context<'_>) -> GqlResult<TenantScope> {
    let per_request = ctx.data_opt::<PerRequest>();
    if let Some(scope) = per_request.and_then(PerRequest::scope) {
        return Ok(scope);
    }
    let scope = find_tenant_scope(ctx).await?;
    if let Some(r) = per_request {
        r.remember_scope(&scope);
    }
    Ok(scope)
}

async fn find_tenant_scope(ctx: &Context<'_>) -> GqlResult<TenantScope> {
    let p = principal(ctx)?;
    if p.is_operator() {
        let Some(slug) = auth(ctx).operator_tenant.as_deref() else {
            return Err(crate::error::forbidden(
                "platform operators act on a tenant by naming it in the X-Gatehouse-Tenant header",
            ));
        };
        return identity(ctx).operator_tenant_scope(p, slug).await.gql();
    }
    identity(ctx).tenant_scope(p).ok_or_else(unauthenticated)
}

pub(crate) fn operator_scope(ctx: &Context<'_>) -> GqlResult<OperatorScope> {
    OperatorScope::of_principal(principal(ctx)?).gql()
}

/// What one request remembers while it runs: the caller's tenant scope, once worked out.
#[derive(Default)]
pub(crate) struct PerRequest {
    scope: Mutex<Option<TenantScope>>,
}

impl PerRequest {
    fn scope(&self) -> Option<TenantScope> {
        self.scope.lock().ok().and_then(|s| s.clone())
    }

    fn remember_scope(&self, scope: &TenantScope) {
        if let Ok(mut s) = self.scope.lock() {
            *s = Some(scope.clone());
        }
    }
}

/// Adds a fresh [`PerRequest`] to each request (nothing is shared between requests).
pub(crate) struct PerRequestData;

impl ExtensionFactory for PerRequestData {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequestDataExtension)
    }
}

struct PerRequestDataExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for PerRequestDataExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(PerRequest::default())).await
    }
}

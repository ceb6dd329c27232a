//! Webhooks (issue 15): a tenant admin registers endpoints, chooses event types, sees recent
//! deliveries, resends one, rotates the signing secret, disables, enables and deletes an
//! endpoint. Every operation needs tenant admin rights and acts on the caller's own tenant
//! only (another tenant's IDs are NOT_FOUND); the identity services audit every change.
//! A secret appears only in the answer of `createWebhookEndpoint` and `rotateWebhookSecret`.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::context::{identity, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::pagination::{connection, page};
use crate::query::parse_id;

/// An event a webhook endpoint can subscribe to (the README documents each one's `data`).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::EventType")]
pub(crate) enum WebhookEventType {
    /// `sign_in.succeeded`
    SignInSucceeded,
    /// `sign_in.failed` (with the reason code)
    SignInFailed,
    /// `user.created` (console, SCIM or just-in-time)
    UserCreated,
    /// `user.updated`
    UserUpdated,
    /// `user.suspended`
    UserSuspended,
    /// `user.deleted`
    UserDeleted,
    /// `group.membership_changed`
    GroupMembershipChanged,
    /// `sso.published`: SSO settings took effect
    SsoPublished,
    /// `certificate.staged`: an IdP signing certificate is staged for rollover
    CertificateStaged,
    /// `certificate.promoted`: a staged certificate became the one in use
    CertificatePromoted,
    /// `certificate.expiring`
    CertificateExpiring,
    /// `certificate.expired`
    CertificateExpired,
    /// `scim_token.created`
    ScimTokenCreated,
    /// `scim_token.revoked`
    ScimTokenRevoked,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::DeliveryState")]
pub(crate) enum WebhookDeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after the retry period; the endpoint is marked failing.
    Failed,
}

/// A webhook endpoint of the tenant (its secret is never shown again after it is made).
#[derive(SimpleObject)]
pub(crate) struct WebhookEndpoint {
    pub id: ID,
    pub url: String,
    pub description: String,
    pub event_types: Vec<WebhookEventType>,
    pub enabled: bool,
    /// A delivery was given up at this time; the next successful one clears it.
    pub failing_since: Option<DateTime<Utc>>,
    /// True while `failingSince` is set.
    pub failing: bool,
    /// After a rotation, the previous secret also signs until this time.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<idn::WebhookEndpoint> for WebhookEndpoint {
    fn from(e: idn::WebhookEndpoint) -> Self {
        Self {
            id: ID(e.id.to_string()),
            url: e.url,
            description: e.description,
            event_types: e.event_types.into_iter().map(Into::into).collect(),
            enabled: e.enabled,
            failing: e.failing_since.is_some(),
            failing_since: e.failing_since,
            previous_secret_expires_at: e.previous_secret_expires_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint just made or given a new secret, with the secret shown this once.
#[derive(SimpleObject)]
pub(crate) struct WebhookEndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: keep it now, it cannot be shown again.
    pub secret: String,
}

impl From<idn::CreatedWebhookEndpoint> for WebhookEndpointWithSecret {
    fn from(c: idn::CreatedWebhookEndpoint) -> Self {
        Self { endpoint: c.endpoint.into(), secret: c.secret }
    }
}

/// One event sent (or being sent) to one endpoint.
#[derive(SimpleObject)]
pub(crate) struct WebhookDelivery {
    pub id: ID,
    /// The `webhook-id` header and the event's `id`.
    pub event_id: String,
    pub event_type: String,
    pub state: WebhookDeliveryState,
    pub attempts: i32,
    /// The last answer's HTTP status (none when the endpoint could not be reached).
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body as sent.
    pub payload: String,
}

impl From<idn::WebhookDelivery> for WebhookDelivery {
    fn from(d: idn::WebhookDelivery) -> Self {
        Self {
            id: ID(d.id.to_string()),
            event_id: d.event_id.to_string(),
            event_type: d.event_type,
            state: d.state.into(),
            attempts: d.attempts,
            response_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            last_attempt_at: d.last_attempt_at,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
            payload: d.payload,
        }
    }
}

#[derive(InputObject)]
pub(crate) struct CreateWebhookEndpointInput {
    /// https (http only while the tenant is in dev mode).
    pub url: String,
    #[graphql(default)]
    pub description: String,
    pub event_types: Vec<WebhookEventType>,
}

/// Fields left out keep their value.
#[derive(InputObject)]
pub(crate) struct UpdateWebhookEndpointInput {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<WebhookEventType>>,
    /// false stops deliveries (no events are written for it while disabled); true resumes
    /// and clears the failing mark.
    pub enabled: Option<bool>,
}

#[derive(Default)]
pub(crate) struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The tenant's webhook endpoints (tenant admins).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookEndpoint>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).webhook_endpoints(&scope).await.gql()?.into_iter().map(Into::into).collect())
    }

    /// An endpoint's deliveries, newest first (tenant admins).
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, WebhookDelivery>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let endpoint = parse_id("endpointId", &endpoint_id)?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).webhook_deliveries(&scope, endpoint, &page).await.gql()?;
        let p = idn::Page {
            items: p.items.into_iter().map(WebhookDelivery::from).collect(),
            has_next_page: p.has_next_page,
        };
        Ok(connection(p, |d| d.id.to_string(), had_cursor))
    }
}

#[derive(Default)]
pub(crate) struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint; the answer carries its signing secret, shown this once.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> GqlResult<WebhookEndpointWithSecret> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let input = idn::NewWebhookEndpoint {
            url: input.url,
            description: input.description,
            event_types: input.event_types.into_iter().map(Into::into).collect(),
        };
        Ok(identity(ctx).create_webhook_endpoint(&scope, input).await.gql()?.into())
    }

    /// Changes an endpoint: URL, description, event types, enabled.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWebhookEndpointInput,
    ) -> GqlResult<WebhookEndpoint> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        let update = idn::WebhookEndpointUpdate {
            url: input.url,
            description: input.description,
            event_types: input.event_types.map(|t| t.into_iter().map(Into::into).collect()),
            enabled: input.enabled,
        };
        Ok(identity(ctx).update_webhook_endpoint(&scope, id, update).await.gql()?.into())
    }

    /// Deletes an endpoint and its deliveries.
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        identity(ctx).delete_webhook_endpoint(&scope, id).await.gql()?;
        Ok(true)
    }

    /// A new signing secret, shown this once; the previous one also signs during the overlap.
    async fn rotate_webhook_secret(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookEndpointWithSecret> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        Ok(identity(ctx).rotate_webhook_secret(&scope, id).await.gql()?.into())
    }

    /// Sends a delivered or given-up delivery again.
    async fn resend_webhook_delivery(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookDelivery> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id: i64 = parse_id("id", &id)?;
        Ok(identity(ctx).resend_webhook_delivery(&scope, id).await.gql()?.into())
    }
}

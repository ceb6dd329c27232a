//! The admin's side of webhooks: register an endpoint (its secret is shown once), list,
//! change, enable or disable, delete, rotate the secret, see recent deliveries and resend
//! one. Every operation takes the [`AdminScope`] first and filters on its tenant; every
//! change is audited (never the secret).

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use super::signing::{new_secret, seal};
use super::{DeliveryState, EventType, WebhookDelivery, WebhookEndpoint};
use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::AdminScope;
use crate::error::{Error, Result};
use crate::ids::{TenantId, WebhookEndpointId};
use crate::model::{Page, PageRequest, page_from};
use crate::store::entities::{tenant, webhook_delivery, webhook_endpoint};

/// The most endpoints one tenant may register.
pub const MAX_ENDPOINTS: u64 = 20;
/// The longest endpoint URL and description.
const MAX_URL_CHARS: usize = 2000;
const MAX_DESCRIPTION_CHARS: usize = 200;

/// A new endpoint.
#[derive(Clone, Debug)]
pub struct NewWebhookEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
}

/// What an admin changes on an endpoint; `None` keeps the value.
#[derive(Clone, Debug, Default)]
pub struct WebhookEndpointUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// A registered endpoint and its signing secret, which is shown this once.
#[derive(Clone)]
pub struct CreatedWebhookEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

impl std::fmt::Debug for CreatedWebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedWebhookEndpoint").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

fn stored_types(types: &[EventType]) -> String {
    let mut names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    format!(",{},", names.join(","))
}

impl From<webhook_endpoint::Model> for WebhookEndpoint {
    fn from(m: webhook_endpoint::Model) -> Self {
        WebhookEndpoint {
            id: m.id.into(),
            url: m.url,
            description: m.description,
            event_types: m.event_types.split(',').filter_map(EventType::parse).collect(),
            enabled: m.enabled,
            failing_since: m.failing_since,
            previous_secret_expires_at: m.previous_secret_expires_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl TryFrom<webhook_delivery::Model> for WebhookDelivery {
    type Error = Error;
    fn try_from(m: webhook_delivery::Model) -> Result<Self> {
        let state = DeliveryState::parse_stored(&m.state)?;
        Ok(WebhookDelivery {
            id: i64::from(m.seq),
            event_id: m.event_id.into(),
            endpoint_id: m.endpoint_id.into(),
            event_type: m.event_type,
            state,
            attempts: m.attempts,
            last_status: m.last_status,
            last_error: m.last_error,
            created_at: m.created_at,
            last_attempt_at: m.last_attempt_at,
            next_attempt_at: (state == DeliveryState::Pending).then_some(m.next_attempt_at),
            delivered_at: m.delivered_at,
            payload: m.payload,
        })
    }
}

/// Checks a URL an admin typed: absolute, https (http only in dev mode), no credentials.
/// Where it resolves to is checked at every send by the SSRF guard.
fn check_url(url: &str, dev_mode: bool) -> Result<String> {
    let url = url.trim();
    if url.chars().count() > MAX_URL_CHARS {
        return Err(Error::invalid("url", format!("must be at most {MAX_URL_CHARS} characters")));
    }
    let parsed = url::Url::parse(url).map_err(|_| Error::invalid("url", "is not an absolute URL"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if dev_mode => {}
        "http" => return Err(Error::invalid("url", "must be an https URL (http is allowed only in dev mode)")),
        _ => return Err(Error::invalid("url", "must be an https URL")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid("url", "has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid("url", "must not carry a user name or password"));
    }
    Ok(url.to_owned())
}

fn check_description(d: &str) -> Result<String> {
    let d = d.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid("description", format!("must be at most {MAX_DESCRIPTION_CHARS} characters")));
    }
    Ok(d.to_owned())
}

fn check_types(types: &[EventType]) -> Result<String> {
    if types.is_empty() {
        return Err(Error::invalid("eventTypes", "choose at least one event type"));
    }
    Ok(stored_types(types))
}

async fn dev_mode(conn: &impl ConnectionTrait, tenant_id: TenantId) -> Result<bool> {
    Ok(tenant::Entity::find_by_id(tenant_id.as_uuid()).one(conn).await?.is_some_and(|t| t.dev_mode))
}

pub(crate) async fn find_endpoint(
    conn: &impl ConnectionTrait,
    tenant_id: TenantId,
    id: WebhookEndpointId,
) -> Result<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id.as_uuid())
        .filter(webhook_endpoint::Column::TenantId.eq(tenant_id.as_uuid()))
        .one(conn)
        .await?
        .ok_or(Error::NotFound { what: "webhook endpoint" })
}

/// The audit view of an endpoint (never its secret).
fn audit_view(e: &WebhookEndpoint) -> serde_json::Value {
    json!({
        "url": e.url,
        "description": e.description,
        "eventTypes": e.event_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "enabled": e.enabled,
    })
}

impl Identity {
    /// The key that seals secrets; without one, webhooks cannot be registered.
    fn webhook_kek(&self) -> Result<&crate::sp_keys::KeyEncryptionKey> {
        // Not the caller's fault (FORBIDDEN) but the server's state: a conflict to report.
        self.key_encryption_keys().map(|(current, _)| current).ok_or_else(|| Error::Conflict {
            field: None,
            message: "webhooks need a key-encryption key to seal their signing secrets: an operator sets \
                      GATEHOUSE_KEY_ENCRYPTION_KEY"
                .into(),
        })
    }

    /// Registers an endpoint; the answer carries its secret, shown this once.
    #[tracing::instrument(skip(self, scope, input), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn create_webhook_endpoint(
        &self,
        scope: &AdminScope,
        input: NewWebhookEndpoint,
    ) -> Result<CreatedWebhookEndpoint> {
        let kek = self.webhook_kek()?;
        let tenant_id = scope.tenant_id();
        let now = self.now();
        let txn = self.begin_write().await?;
        let url = check_url(&input.url, dev_mode(&txn, tenant_id).await?)?;
        let description = check_description(&input.description)?;
        let event_types = check_types(&input.event_types)?;
        let count = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::TenantId.eq(tenant_id.as_uuid()))
            .count(&txn)
            .await?;
        if count >= MAX_ENDPOINTS {
            return Err(Error::invalid("url", format!("a tenant can register at most {MAX_ENDPOINTS} endpoints")));
        }
        let id = WebhookEndpointId::generate();
        let secret = new_secret();
        let row = webhook_endpoint::Model {
            id: id.as_uuid(),
            tenant_id: tenant_id.as_uuid(),
            url,
            description,
            event_types,
            enabled: true,
            secret_sealed: seal(kek, id, &secret)?,
            previous_secret_sealed: None,
            previous_secret_expires_at: None,
            kek_id: kek.id().to_owned(),
            failing_since: None,
            created_at: now,
            updated_at: now,
        };
        webhook_endpoint::Entity::insert(row.clone().into_active_model()).exec_without_returning(&txn).await?;
        let endpoint = WebhookEndpoint::from(row);
        let change = Change::in_scope(
            scope,
            "webhook_endpoint.create",
            "webhook_endpoint",
            id,
            None,
            Some(audit_view(&endpoint)),
        );
        audit::record(&txn, now, change).await?;
        txn.commit().await?;
        Ok(CreatedWebhookEndpoint { endpoint, secret })
    }

    /// The tenant's endpoints, oldest first.
    pub async fn webhook_endpoints(&self, scope: &AdminScope) -> Result<Vec<WebhookEndpoint>> {
        Ok(webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(WebhookEndpoint::from)
            .collect())
    }

    /// One endpoint of the tenant.
    pub async fn webhook_endpoint(&self, scope: &AdminScope, id: WebhookEndpointId) -> Result<WebhookEndpoint> {
        Ok(find_endpoint(&self.db, scope.tenant_id(), id).await?.into())
    }

    /// Changes an endpoint; enabling it again clears its failing mark.
    #[tracing::instrument(skip(self, scope, update), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn update_webhook_endpoint(
        &self,
        scope: &AdminScope,
        id: WebhookEndpointId,
        update: WebhookEndpointUpdate,
    ) -> Result<WebhookEndpoint> {
        let tenant_id = scope.tenant_id();
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = find_endpoint(&txn, tenant_id, id).await?;
        let before = WebhookEndpoint::from(row.clone());
        let mut active = row.into_active_model();
        if let Some(url) = &update.url {
            active.url = Set(check_url(url, dev_mode(&txn, tenant_id).await?)?);
        }
        if let Some(d) = &update.description {
            active.description = Set(check_description(d)?);
        }
        if let Some(t) = &update.event_types {
            active.event_types = Set(check_types(t)?);
        }
        if let Some(enabled) = update.enabled {
            active.enabled = Set(enabled);
            if enabled && !before.enabled {
                active.failing_since = Set(None);
            }
        }
        active.updated_at = Set(now);
        let after = WebhookEndpoint::from(active.update(&txn).await?);
        let action = match update.enabled {
            Some(true) if !before.enabled => "webhook_endpoint.enable",
            Some(false) if before.enabled => "webhook_endpoint.disable",
            _ => "webhook_endpoint.update",
        };
        let change = Change::in_scope(
            scope,
            action,
            "webhook_endpoint",
            id,
            Some(audit_view(&before)),
            Some(audit_view(&after)),
        );
        audit::record(&txn, now, change).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Deletes an endpoint and its deliveries (sent or not).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn delete_webhook_endpoint(&self, scope: &AdminScope, id: WebhookEndpointId) -> Result<()> {
        let tenant_id = scope.tenant_id();
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = find_endpoint(&txn, tenant_id, id).await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(webhook_delivery::Column::EndpointId.eq(id.as_uuid()))
            .exec(&txn)
            .await?;
        webhook_endpoint::Entity::delete_by_id(row.id).exec(&txn).await?;
        let before = audit_view(&WebhookEndpoint::from(row));
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "webhook_endpoint.delete", "webhook_endpoint", id, Some(before), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A new signing secret, shown this once; the previous one keeps signing (both
    /// signatures are sent) for the policy's overlap.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn rotate_webhook_secret(
        &self,
        scope: &AdminScope,
        id: WebhookEndpointId,
    ) -> Result<CreatedWebhookEndpoint> {
        let kek = self.webhook_kek()?;
        let tenant_id = scope.tenant_id();
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = find_endpoint(&txn, tenant_id, id).await?;
        // Re-sealed with the current key, so a rotation also moves it off a previous KEK.
        let previous = self
            .open_endpoint_secret(&row, &row.secret_sealed)
            .ok_or_else(|| Error::internal("the endpoint's secret does not open with the configured keys"))?;
        let secret = new_secret();
        let expires = now + self.webhooks.policy.secret_overlap;
        let mut active = row.into_active_model();
        active.secret_sealed = Set(seal(kek, id, &secret)?);
        active.previous_secret_sealed = Set(Some(seal(kek, id, &previous)?));
        active.previous_secret_expires_at = Set(Some(expires));
        active.kek_id = Set(kek.id().to_owned());
        active.updated_at = Set(now);
        let endpoint = WebhookEndpoint::from(active.update(&txn).await?);
        let change = Change::in_scope(
            scope,
            "webhook_endpoint.rotate_secret",
            "webhook_endpoint",
            id,
            None,
            Some(json!({ "previousSecretValidUntil": expires })),
        );
        audit::record(&txn, now, change).await?;
        txn.commit().await?;
        Ok(CreatedWebhookEndpoint { endpoint, secret })
    }

    /// Opens a sealed secret of `row` with the current or the previous key-encryption key.
    pub(crate) fn open_endpoint_secret(&self, row: &webhook_endpoint::Model, sealed: &str) -> Option<String> {
        let (current, previous) = self.key_encryption_keys()?;
        let id = WebhookEndpointId::from(row.id);
        std::iter::once(current)
            .chain(previous)
            .find(|k| k.id() == row.kek_id)
            .and_then(|k| super::signing::open(k, id, sealed))
    }

    /// An endpoint's deliveries, newest first (`after`: the ID of the last one seen).
    pub async fn webhook_deliveries(
        &self,
        scope: &AdminScope,
        endpoint: WebhookEndpointId,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>> {
        let size = page.size()?;
        find_endpoint(&self.db, scope.tenant_id(), endpoint).await?;
        let mut q = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint.as_uuid()))
            .order_by_desc(webhook_delivery::Column::Seq)
            .limit(size + 1);
        if let Some(after) = &page.after {
            let after: i32 = after.parse().map_err(|_| Error::invalid("after", "is not a cursor from this list"))?;
            q = q.filter(webhook_delivery::Column::Seq.lt(after));
        }
        let rows = q.all(&self.db).await?;
        let items = rows.into_iter().map(WebhookDelivery::try_from).collect::<Result<Vec<_>>>()?;
        Ok(page_from(items, size))
    }

    /// Sends a delivery again (delivered or given up): it becomes pending, due now, with its
    /// attempts counted from zero. Its place in the endpoint's order is its original one.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn resend_webhook_delivery(&self, scope: &AdminScope, id: i64) -> Result<WebhookDelivery> {
        let tenant_id = scope.tenant_id();
        let now = self.now();
        let seq = i32::try_from(id).map_err(|_| Error::NotFound { what: "webhook delivery" })?;
        let txn = self.begin_write().await?;
        let row = webhook_delivery::Entity::find_by_id(seq)
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id.as_uuid()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "webhook delivery" })?;
        if row.state == DeliveryState::Pending.as_str() {
            return Err(Error::conflict("id", "this delivery is still being sent"));
        }
        let mut active = row.into_active_model();
        active.state = Set(DeliveryState::Pending.as_str().to_owned());
        active.attempts = Set(0);
        active.next_attempt_at = Set(now);
        active.locked_until = Set(None);
        active.created_at = Set(now);
        active.delivered_at = Set(None);
        let updated = active.update(&txn).await?;
        let change = Change::in_scope(
            scope,
            "webhook_delivery.resend",
            "webhook_delivery",
            id,
            None,
            Some(json!({ "endpointId": updated.endpoint_id.to_string(), "eventId": updated.event_id.to_string() })),
        );
        audit::record(&txn, now, change).await?;
        txn.commit().await?;
        WebhookDelivery::try_from(updated)
    }
}

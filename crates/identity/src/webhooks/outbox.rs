//! The durable outbox: an event is written by the transaction that makes the change it
//! reports, so a change that rolls back sends nothing and a crash after the commit loses
//! nothing (the delivery worker finds the row).
//!
//! One statement per event, `INSERT INTO webhook_deliveries … SELECT … FROM webhook_endpoints
//! WHERE <enabled, subscribed>`: a tenant without a subscribed endpoint pays one indexed read
//! and gets no row. Most events come from the audit log's writer ([`for_audit`]), which every
//! admin, SCIM and just-in-time change already calls inside its transaction; sign-ins come
//! from the sign-in log's writer and, on PostgreSQL's hot path, from a branch of the
//! sign-in's one statement ([`PG_SIGN_IN_BRANCH`]).

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait};
use serde_json::{Value, json};

use super::{DeliveryState, EventType};
use crate::audit::Change;
use crate::error::{Error, Result};
use crate::ids::{TenantId, WebhookEventId};
use crate::store::entities::{webhook_delivery, webhook_endpoint};

/// The event's JSON: `{id, type, timestamp, tenant, data}` (the README documents `data`).
pub(crate) fn envelope(id: WebhookEventId, kind: EventType, tenant: TenantId, at: DateTime<Utc>, data: Value) -> Value {
    json!({
        "id": id.to_string(),
        "type": kind.as_str(),
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "tenant": tenant.to_string(),
        "data": data,
    })
}

/// The `LIKE` pattern that finds endpoints subscribed to `kind` (`event_types` is `,a,b,`).
pub(crate) fn subscribed_pattern(kind: EventType) -> String {
    format!("%,{},%", kind.as_str())
}

/// Writes `kind` for every enabled endpoint of `tenant` subscribed to it, on `conn` (the
/// change's own transaction). One statement; no row when nobody listens.
pub(crate) async fn enqueue(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    kind: EventType,
    data: Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = WebhookEventId::generate();
    let payload = envelope(id, kind, tenant, now, data).to_string();
    let select = Query::select()
        .expr(Expr::val(id.as_uuid()))
        .expr(Expr::val(tenant.as_uuid()))
        .column(webhook_endpoint::Column::Id)
        .expr(Expr::val(kind.as_str()))
        .expr(Expr::val(payload))
        .expr(Expr::val(DeliveryState::Pending.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from(webhook_endpoint::Entity)
        .and_where(webhook_endpoint::Column::TenantId.eq(tenant.as_uuid()))
        .and_where(webhook_endpoint::Column::Enabled.eq(true))
        .and_where(Expr::col(webhook_endpoint::Column::EventTypes).like(subscribed_pattern(kind)))
        .to_owned();
    let insert = Query::insert()
        .into_table(webhook_delivery::Entity)
        .columns([
            webhook_delivery::Column::EventId,
            webhook_delivery::Column::TenantId,
            webhook_delivery::Column::EndpointId,
            webhook_delivery::Column::EventType,
            webhook_delivery::Column::Payload,
            webhook_delivery::Column::State,
            webhook_delivery::Column::Attempts,
            webhook_delivery::Column::NextAttemptAt,
            webhook_delivery::Column::CreatedAt,
        ])
        .select_from(select)
        .map_err(|e| Error::internal(format!("building the outbox insert: {e}")))?
        .to_owned();
    conn.execute_raw(conn.get_database_backend().build(&insert)).await?;
    Ok(())
}

/// Where a change came from, as events name it.
fn source(change: &Change<'_>) -> &'static str {
    match change.actor.kind {
        "scim_token" => "scim",
        "system" if change.actor.label == crate::sso::JIT_ACTOR => "jit",
        "system" => "system",
        _ => "console",
    }
}

/// The event an audited change is, if any.
fn event_of(change: &Change<'_>) -> Option<EventType> {
    Some(match change.action {
        "user.create" => EventType::UserCreated,
        "user.update" | "user.activate" => EventType::UserUpdated,
        "user.suspend" => EventType::UserSuspended,
        "user.delete" => EventType::UserDeleted,
        "group.create" | "group.update" if members_changed(change) => EventType::GroupMembershipChanged,
        // A Save-and-publish writes `sso_connection.update` and `sso_settings.save_and_publish`
        // in one transaction: only the first is the event (a draft's publish and a rollback
        // write only theirs).
        "sso_connection.update" | "sso_settings.publish" | "sso_settings.rollback" => EventType::SsoPublished,
        "idp_certificate.stage" => EventType::CertificateStaged,
        "idp_certificate.promote" => EventType::CertificatePromoted,
        "scim_token.create" => EventType::ScimTokenCreated,
        "scim_token.revoke" => EventType::ScimTokenRevoked,
        _ => return None,
    })
}

/// The members a group change added or removed (`after.members.added` / `.removed` in the
/// audit entry of `group.create` and `group.update`).
fn member_list(change: &Change<'_>, which: &str) -> Vec<Value> {
    change
        .after
        .as_ref()
        .and_then(|a| a.get("members"))
        .and_then(|m| m.get(which))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn members_changed(change: &Change<'_>) -> bool {
    !member_list(change, "added").is_empty() || !member_list(change, "removed").is_empty()
}

/// The event `data` of an audited change: what changed, who did it and from where.
fn data_of(kind: EventType, change: &Change<'_>) -> Value {
    let mut data = json!({
        "object": change.target_type,
        "object_id": change.target_id,
        "source": source(change),
        "actor": { "type": change.actor.kind, "id": change.actor.id, "label": change.actor.label },
    });
    if kind == EventType::GroupMembershipChanged {
        data["added"] = Value::Array(member_list(change, "added"));
        data["removed"] = Value::Array(member_list(change, "removed"));
    } else {
        data["object_after"] = change.after.clone().unwrap_or(Value::Null);
    }
    data
}

/// The event of an audited change, written beside the audit entry (same transaction).
pub(crate) async fn for_audit(conn: &impl ConnectionTrait, now: DateTime<Utc>, change: &Change<'_>) -> Result<()> {
    let (Some(tenant), Some(kind)) = (change.tenant_id, event_of(change)) else {
        return Ok(());
    };
    enqueue(conn, tenant, kind, data_of(kind, change), now).await
}

/// A sign-in attempt's event `data` (on PostgreSQL's hot path the statement fills in the
/// user's ID, which it is the one to find).
pub(crate) fn sign_in_data(
    sign_in_event_id: uuid::Uuid,
    user_id: Option<uuid::Uuid>,
    name_id: Option<&str>,
    flow: &str,
    reason_code: &str,
) -> Value {
    json!({
        "sign_in_event_id": sign_in_event_id.to_string(),
        "user_id": user_id.map(|u| u.to_string()),
        "name_id": name_id,
        "flow": flow,
        "reason_code": reason_code,
    })
}

/// PostgreSQL's sign-in statement's outbox branch (see `sso/pg_sign_in.rs`): for the log
/// row the statement wrote (`ev`, outcome `st.k`), one delivery per enabled endpoint
/// subscribed to its type. `$34` is the event ID; `($35, $36)`, `($37, $38)`, `($39, $40)`
/// are the (type, payload) of outcomes 0 (success: the user's ID is added from `u`, which
/// the statement finds), 1 and 2 (refusals).
pub(crate) const PG_SIGN_IN_BRANCH: &str = r#",
wh AS (
    INSERT INTO webhook_deliveries (event_id, tenant_id, endpoint_id, event_type, payload, state, attempts,
                                    next_attempt_at, created_at)
    SELECT $34, $2, e.id, v.t,
           CASE WHEN v.k = 0
                THEN jsonb_set(v.p::jsonb, '{data}', (v.p::jsonb -> 'data')
                     || jsonb_build_object('user_id', (SELECT id FROM u)::text))::text
                ELSE v.p END,
           'pending', 0, $12, $12
    FROM (VALUES (0, $35, $36), (1, $37, $38), (2, $39, $40)) AS v (k, t, p)
    JOIN st ON st.k = v.k
    JOIN webhook_endpoints e ON e.tenant_id = $2 AND e.enabled AND e.event_types LIKE '%,' || v.t || ',%'
    WHERE EXISTS (SELECT 1 FROM ev)
    RETURNING 1)
"#;

//! PostgreSQL: the writes of a sign-in as one statement each (data-modifying CTEs), so a
//! sign-in costs the database two round trips where it wrote instead of eight (BEGIN, three
//! INSERTs and COMMIT after the ACS; DELETE, SELECT and INSERT at the hand-over).
//!
//! The ACS's statement also finds the user by NameID (only an active one signs in), so a live
//! sign-in of a known user reads once at admission (`routing.rs`) and writes once here.
//!
//! A statement is atomic on its own, so what the transactions guaranteed holds: the pending
//! request is used up once, the assertion ID is taken once (the replay table's primary key),
//! and the sign-in log entry is written with the outcome (and its webhook event, for endpoints
//! subscribed to it: the outbox branch `wh`, `webhooks::outbox::PG_SIGN_IN_BRANCH`) — a refusal for a spent request or a
//! replayed assertion is logged by the same statement that found it. SQLite cannot modify data
//! inside `WITH`; it sends the same writes as batches of statements (`sqlite_sign_in.rs`).
//! Both backends run the transaction in `acs.rs` for every rarer path (test runs, unknown or
//! inactive users, just-in-time provisioning, an Issuer over its failure budget).
//!
//! The hand-over's values and row reader and the ACS's outcome-independent values are shared
//! with SQLite's batches (`handover_row`, `HandoverRow::read`, `acs_values`).
//!
//! Both statements, like the admission's read (`routing.rs`), run on the connections kept for
//! sign-ins (`Identity::sign_in_query_one`, `store/sign_in_connections.rs`), which spare each
//! one the round trip sqlx's pool makes when it takes a connection back.
//!
//! The SQL names columns the migrations made; the statement tests (`tests/it/statements.rs`)
//! and every ACS and hand-over test run this path on PostgreSQL.

use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::acs::{AcsOutcome, replay_detail, unknown_request_detail};
use super::{Attempt, HANDOFF_LIFETIME, SignInReason, SsoResult, refused, safe_redirect};
use crate::Identity;
use crate::error::Error;
use crate::ids::*;
use crate::model::*;
use crate::provisioning::users::federation_key;
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::Columns;
use crate::store::entities::{sign_in_event, sso_handoff, sso_request};
use crate::webhooks::EventType;
use crate::webhooks::outbox;
use gatehouse_saml::response::ValidatedAssertion;

/// The ACS after validation, for a live sign-in: the user looked up and, when they are
/// active, the request used up, the assertion ID taken, the log entry and the hand-over.
/// `$1` is the pending request (SP-initiated only, see [`ACS_REQUEST`]). The outcome is 0
/// success, 1 replayed assertion, 2 request already used, 3 no active user (nothing written:
/// the caller runs the transaction of `acs.rs`, which logs why).
const ACS_WRITE: &str = r#"
rep AS (
    INSERT INTO assertion_replays (tenant_id, assertion_id, expires_at)
    SELECT $2, $3, $4 WHERE EXISTS (SELECT 1 FROM req) AND EXISTS (SELECT 1 FROM u)
    ON CONFLICT (tenant_id, assertion_id) DO NOTHING
    RETURNING 1),
st AS (
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM u) THEN 3
                WHEN NOT EXISTS (SELECT 1 FROM req) THEN 2
                WHEN NOT EXISTS (SELECT 1 FROM rep) THEN 1
                ELSE 0 END AS k),
ev AS (
    INSERT INTO sign_in_events (id, tenant_id, user_id, name_id, flow, outcome, reason_code, detail,
                                certificate_fingerprint, clock_offset_seconds, ip, user_agent, created_at)
    SELECT $5, $2, v.user_id, $6, $7, v.outcome, v.reason_code, v.detail, $8, $9, $10, $11, $12
    FROM (VALUES (0, (SELECT id FROM u), $13, $14, (SELECT left($15 || email || $16, 2000) FROM u)),
                 (1, NULL::uuid, $17, $18, $19),
                 (2, NULL::uuid, $20, $21, $22)) AS v (k, user_id, outcome, reason_code, detail)
    JOIN st ON st.k = v.k
    RETURNING id),
ho AS (
    INSERT INTO sso_handoffs (id, handle_hash, tenant_id, user_id, purpose, binding_hash, relay_state,
                              name_id, name_id_format, session_index, sign_in_event_id, expires_at)
    SELECT $23, $24, $2, u.id, $25, $26, $27, $28, $29, $30, ev.id, $31
    FROM ev, st, u WHERE st.k = 0
    RETURNING 1){WEBHOOKS}
SELECT st.k AS outcome, EXISTS (SELECT 1 FROM ev) AS logged, EXISTS (SELECT 1 FROM ho) AS handed_over FROM st
"#;

/// SP-initiated: the pending request is deleted by the same statement.
const ACS_REQUEST: &str = "WITH u AS (SELECT id, email FROM users \
    WHERE tenant_id = $2 AND federation_key = $32 AND deleted_at IS NULL AND status = $33 LIMIT 1), \
    req AS (DELETE FROM sso_requests WHERE id = $1 AND EXISTS (SELECT 1 FROM u) RETURNING 1),";
/// IdP-initiated: nothing to use up (`$1` is bound and ignored so the numbering is shared).
const ACS_NO_REQUEST: &str = "WITH u AS (SELECT id, email FROM users \
    WHERE tenant_id = $2 AND federation_key = $32 AND deleted_at IS NULL AND status = $33 LIMIT 1), \
    req AS (SELECT 1 WHERE $1::text IS NULL),";

/// The ACS statement's text, put together once per process (it is long, and sqlx finds its
/// prepared statement by the text).
static ACS_WRITE_SP_INITIATED: LazyLock<String> = LazyLock::new(|| acs_write(ACS_REQUEST));
static ACS_WRITE_IDP_INITIATED: LazyLock<String> = LazyLock::new(|| acs_write(ACS_NO_REQUEST));

fn acs_write(head: &str) -> String {
    format!("{head}{}", ACS_WRITE.replace("{WEBHOOKS}", outbox::PG_SIGN_IN_BRANCH))
}

/// The hand-over: the handle used up, the user checked, the session made — or, when a check
/// fails, the handle still used up and nothing made; the row tells which check failed.
const HANDOVER: &str = r#"
WITH h AS (
    DELETE FROM sso_handoffs WHERE handle_hash = $1
    RETURNING tenant_id, user_id, binding_hash, relay_state, name_id, name_id_format, session_index, expires_at),
u AS (
    SELECT users.email, users.role, users.status
    FROM users JOIN h ON users.id = h.user_id AND users.tenant_id = h.tenant_id
    WHERE users.deleted_at IS NULL),
s AS (
    INSERT INTO sessions (id, token_hash, tenant_id, user_id, operator_id, auth_method, created_at, last_seen_at,
                          expires_at, user_agent, ip, name_id, name_id_format, session_index)
    SELECT $2, $3, h.tenant_id, h.user_id, NULL, $4, $5, $5, $6, $7, $8, h.name_id, h.name_id_format, h.session_index
    FROM h, u
    WHERE u.status = $9 AND h.expires_at > $5 AND (h.binding_hash IS NULL OR h.binding_hash = $10)
    RETURNING 1)
SELECT h.tenant_id, h.user_id, h.binding_hash, h.relay_state, h.name_id, h.expires_at,
       u.email, u.role, u.status, EXISTS (SELECT 1 FROM s) AS session_made
FROM h LEFT JOIN u ON true
"#;

/// What the hand-over statement (or SQLite's batch) found.
pub(super) struct HandoverRow {
    pub handoff: HandoffFacts,
    /// The user, when they exist and are not deleted: e-mail, role, status.
    pub user: Option<(String, Role, UserStatus)>,
    pub session: Option<(SessionFacts, String)>,
}

/// The hand-over row's fields the checks read.
pub(super) struct HandoffFacts {
    pub tenant_id: TenantId,
    pub user_id: Option<UserId>,
    pub binding_hash: Option<String>,
    pub relay_state: Option<String>,
    pub name_id: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The session the statement made (its cookie value is the `String` beside it).
pub(super) struct SessionFacts {
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl HandoverRow {
    /// The hand-over statement's row (PostgreSQL's or SQLite's batch's: the same columns);
    /// `token` is the session's cookie value and `expires_at` its end, when it was made.
    pub(super) fn read(
        row: &impl Columns,
        token: String,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> crate::error::Result<HandoverRow> {
        let required = |column: &str, value: Option<String>| {
            value.ok_or_else(|| Error::internal(format!("the hand-over row's {column} is NULL")))
        };
        let handoff = HandoffFacts {
            tenant_id: row.uuid("tenant_id")?.ok_or_else(|| Error::internal("the hand-over row has no tenant"))?.into(),
            user_id: row.uuid("user_id")?.map(Into::into),
            binding_hash: row.text("binding_hash")?,
            relay_state: row.text("relay_state")?,
            name_id: required("name_id", row.text("name_id")?)?,
            expires_at: row.time("expires_at")?.ok_or_else(|| Error::internal("the hand-over row has no expiry"))?,
        };
        let user = match row.text("email")? {
            Some(email) => Some((
                email,
                Role::parse_stored(&required("role", row.text("role")?)?)?,
                UserStatus::parse_stored(&required("status", row.text("status")?)?)?,
            )),
            None => None,
        };
        let made = row.flag("session_made")?;
        Ok(HandoverRow { handoff, user, session: made.then_some((SessionFacts { expires_at }, token)) })
    }
}

pub(super) fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// A log entry's detail as stored (2,000 characters at most).
pub(super) fn bounded(detail: &str) -> Value {
    detail.chars().take(2000).collect::<String>().into()
}

/// The outcome and reason code of a log entry for `reason`.
pub(super) fn outcome_values(reason: SignInReason) -> [Value; 2] {
    [super::super::sign_in_log::Outcome::of(reason).as_str().into(), reason.as_str().into()]
}

/// `$1`–`$12` of the ACS's write on both backends: the request, tenant, assertion ID and how
/// long it is remembered, and the log entry's fields that do not depend on the outcome.
pub(super) fn acs_values(
    request: Option<&sso_request::Model>,
    tenant_id: TenantId,
    a: &ValidatedAssertion,
    now: chrono::DateTime<chrono::Utc>,
    ev: &sign_in_event::Model,
) -> Vec<Value> {
    vec![
        request.map(|r| r.id.clone()).into(),
        tenant_id.as_uuid().into(),
        a.assertion_id.clone().into(),
        a.not_on_or_after.max(now + chrono::Duration::minutes(5)).into(),
        ev.id.into(),
        ev.name_id.clone().into(),
        ev.flow.clone().into(),
        ev.certificate_fingerprint.clone().into(),
        ev.clock_offset_seconds.into(),
        ev.ip.clone().into(),
        ev.user_agent.clone().into(),
        ev.created_at.into(),
    ]
}

impl Identity {
    /// The ACS after validation for a live sign-in on PostgreSQL: one statement. `None` when
    /// the NameID names no active user — nothing was written, and the caller's transaction
    /// (unknown user, just-in-time provisioning, pending or suspended) takes over.
    pub(super) async fn finish_acs_pg(
        &self,
        tenant_id: TenantId,
        request: Option<&sso_request::Model>,
        relay_state: Option<&str>,
        a: &ValidatedAssertion,
        attempt: &Attempt<'_>,
    ) -> SsoResult<Option<AcsOutcome>> {
        let now = self.now();
        let replay = replay_detail(&a.assertion_id);
        let unknown = request.map(|r| unknown_request_detail(&r.id)).unwrap_or_default();
        // The log row as `record_on` would write it for a success; the refusals differ in
        // outcome, reason, detail and user only. The success's detail names the user's e-mail,
        // which the statement reads: "signed in as <email> (NameID …)".
        let ev: sign_in_event::Model = self.event_row(attempt, SignInReason::Success, "");
        let handle = TokenKind::Handoff.generate();
        let relay = match request {
            Some(r) => r.relay_state.clone(),
            None => Some(safe_redirect(relay_state)),
        };
        let ho = sso_handoff::Model {
            id: uuid::Uuid::now_v7(),
            handle_hash: secrets::token_hash(&handle),
            tenant_id: tenant_id.as_uuid(),
            user_id: None,
            purpose: RequestPurpose::Login.as_str().into(),
            binding_hash: request.and_then(|r| r.binding_hash.clone()),
            relay_state: relay,
            name_id: a.name_id.clone(),
            name_id_format: a.name_id_format.clone(),
            session_index: a.session_index.clone(),
            sign_in_event_id: ev.id,
            expires_at: now + HANDOFF_LIFETIME,
        };
        let mut values = acs_values(request, tenant_id, a, now, &ev);
        values.extend(outcome_values(SignInReason::Success));
        values.extend(["signed in as ".into(), format!(" (NameID {:?})", a.name_id).into()]);
        values.extend(outcome_values(SignInReason::Replay));
        values.push(bounded(&replay));
        values.extend(outcome_values(SignInReason::UnknownRequest));
        values.push(bounded(&unknown));
        values.extend([
            ho.id.into(),
            ho.handle_hash.into(),
            ho.purpose.into(),
            ho.binding_hash.into(),
            ho.relay_state.into(),
            ho.name_id.into(),
            ho.name_id_format.into(),
            ho.session_index.into(),
            ho.expires_at.into(),
            federation_key(&a.name_id).into(),
            UserStatus::Active.as_str().into(),
        ]);
        // The outbox branch: the webhook event of whichever log row the statement writes.
        let event_id = WebhookEventId::generate();
        let payload = |kind: EventType, reason: SignInReason| -> Value {
            let data = outbox::sign_in_data(ev.id, None, ev.name_id.as_deref(), &ev.flow, reason.as_str());
            outbox::envelope(event_id, kind, tenant_id, ev.created_at, data).to_string().into()
        };
        values.push(event_id.as_uuid().into());
        for (kind, reason) in [
            (EventType::SignInSucceeded, SignInReason::Success),
            (EventType::SignInFailed, SignInReason::Replay),
            (EventType::SignInFailed, SignInReason::UnknownRequest),
        ] {
            values.extend([kind.as_str().into(), payload(kind, reason)]);
        }
        let sql = if request.is_some() { &ACS_WRITE_SP_INITIATED } else { &ACS_WRITE_IDP_INITIATED };
        let row = self
            .sign_in_query_one(Statement::from_sql_and_values(DbBackend::Postgres, sql.as_str(), values))
            .await?
            .ok_or_else(|| Error::internal("the sign-in statement returned no row"))?;
        let outcome: i32 = row.try_get("", "outcome")?;
        let logged: bool = row.try_get("", "logged")?;
        let handed_over: bool = row.try_get("", "handed_over")?;
        let event = Some(SignInEventId::from(ev.id)).filter(|_| logged);
        let refusal = match (outcome, handed_over) {
            (0, true) => return Ok(Some(AcsOutcome::Handoff { handle, organisation: None })),
            (1, _) => SignInReason::Replay,
            (2, _) => SignInReason::UnknownRequest,
            (3, false) if !logged => return Ok(None),
            _ => return Err(Error::internal(format!("the sign-in statement ended as {outcome}/{handed_over}")).into()),
        };
        let detail = if refusal == SignInReason::Replay { replay } else { unknown };
        tracing::info!(reason = refusal.as_str(), detail, tenant_id = ?attempt.tenant_id, "SSO sign-in refused");
        Err(refused(refusal, refusal.user_message(), event))
    }

    /// The hand-over: on PostgreSQL one statement, on SQLite one transaction on the sign-in
    /// writer (`sqlite_sign_in.rs`; the caller holds the sign-in gate and passes its writer),
    /// that uses the handle up and, when every check passes, makes the session. Returns what
    /// it found for the caller's checks.
    pub(super) async fn handover_row(
        &self,
        writer: Option<&mut crate::store::sqlite_writer::SqliteWriter>,
        handle: &str,
        binding_nonce: Option<&str>,
        meta: &super::RequestMeta,
    ) -> SsoResult<Option<HandoverRow>> {
        let now = self.now();
        let token = TokenKind::Session.generate();
        let expires_at = now + self.sessions.absolute_timeout;
        let mut values: Vec<Value> = vec![
            secrets::token_hash(handle).into(),
            SessionId::generate().as_uuid().into(),
            secrets::token_hash(&token).into(),
            AuthMethod::Sso.as_str().into(),
            now.into(),
            expires_at.into(),
            meta.user_agent.as_ref().map(|s| s.chars().take(512).collect::<String>()).into(),
            meta.ip.clone().into(),
            UserStatus::Active.as_str().into(),
            binding_nonce.map(secrets::token_hash).into(),
        ];
        if is_postgres(&self.db) {
            let row =
                self.sign_in_query_one(Statement::from_sql_and_values(DbBackend::Postgres, HANDOVER, values)).await?;
            return Ok(row.map(|row| HandoverRow::read(&row, token, expires_at)).transpose()?);
        }
        // SQLite's batch claims the handle first: `$2` is a hash no handle has (the hash of a
        // fresh secret no one is given), and the rest move up by one.
        values.insert(1, secrets::token_hash(&TokenKind::Handoff.generate()).into());
        let batch = super::sqlite_sign_in::handover_batch(values)?;
        let writer = writer.ok_or_else(|| Error::internal("a SQLite hand-over without the sign-in writer"))?;
        let rows = writer.transaction(batch).await?;
        Ok(rows.first().map(|row| HandoverRow::read(row, token, expires_at)).transpose()?)
    }
}

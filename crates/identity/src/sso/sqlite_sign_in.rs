//! SQLite: the writes of a sign-in, each one transaction on the sign-in writer.
//!
//! SQLite cannot modify data inside `WITH` as PostgreSQL does (`pg_sign_in.rs`), so each write
//! is a short list of statements (a "batch", written as one text) that the sign-in writer
//! (`store::sqlite_writer`, the one connection kept inside the sign-in gate,
//! `Identity::sqlite_sign_in_gate`) runs as one write transaction on the calling thread.
//! (Under sqlx, each statement was a trip to the connection's thread; the batches were first
//! written to make those trips fewer, and keep the statements' order and meaning now.)
//!
//! - **ACS** (a live sign-in of an active user): inside the write transaction, the log entry
//!   is written first with the outcome the database decides — the pending request gone
//!   (already used), the assertion ID taken (replay), or success — and the other statements
//!   key off that row: the assertion ID is taken and the hand-over made only for a success, and
//!   the request is used up whatever the outcome, as in `acs.rs`. The transaction holds the
//!   write lock throughout, so nothing can change between the checks and the writes.
//! - **Hand-over**: the handle is first *claimed*: its row's hash is swapped for a fresh one
//!   only this call knows, so of two requests with the same handle one claims it and the other
//!   finds nothing, on every connection and process. The session is made from the claimed row
//!   only when every check passes, the row is read back with the user, and deleted — all in one
//!   transaction. (Each statement is also safe on its own: a claimed row is unusable, since no
//!   one has its hash, and is purged at expiry; a session made is one whose token no one was
//!   given.) Its values are PostgreSQL's hand-over's with the claim added
//!   (`Identity::handover_row`).
//!
//! The statements' columns are the migrations' own; the statement tests
//! (`tests/it/statements.rs`) list what a sign-in runs, and every ACS and hand-over test runs
//! this path on SQLite.

use std::sync::LazyLock;

use sea_orm::{DbBackend, Statement, Value};

use super::acs::{AcsOutcome, replay_detail, unknown_request_detail};
use super::pg_sign_in::{acs_values, bounded, outcome_values};
use super::{Attempt, HANDOFF_LIFETIME, SignInReason, SsoResult, refused, safe_redirect};
use crate::Identity;
use crate::error::Error;
use crate::ids::*;
use crate::model::*;
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::Columns;
use crate::store::entities::sso_request;
use crate::store::sqlite_writer::SqliteWriter;
use crate::webhooks::EventType;
use crate::webhooks::outbox;
use gatehouse_saml::response::ValidatedAssertion;

/// The ACS's batch. `$1` is the pending request (NULL when IdP-initiated), `$15`/`$18`/`$21`
/// the reason codes of success, replay and used request. The log entry decides the outcome;
/// the last statement reads it back.
const ACS_HEAD: &str = r#"
WITH st (k) AS (
    SELECT CASE WHEN $1 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sso_requests WHERE id = $1) THEN 2
                WHEN EXISTS (SELECT 1 FROM assertion_replays WHERE tenant_id = $2 AND assertion_id = $3) THEN 1
                ELSE 0 END),
v (k, user_id, outcome, reason_code, detail) AS (
    VALUES (0, $13, $14, $15, $16), (1, NULL, $17, $18, $19), (2, NULL, $20, $21, $22))
INSERT INTO sign_in_events (id, tenant_id, user_id, name_id, flow, outcome, reason_code, detail,
                            certificate_fingerprint, clock_offset_seconds, ip, user_agent, created_at)
SELECT $5, $2, v.user_id, $6, $7, v.outcome, v.reason_code, v.detail, $8, $9, $10, $11, $12
FROM v JOIN st ON st.k = v.k;
INSERT INTO assertion_replays (tenant_id, assertion_id, expires_at)
SELECT $2, $3, $4 WHERE EXISTS (SELECT 1 FROM sign_in_events WHERE id = $5 AND reason_code = $15)
ON CONFLICT (tenant_id, assertion_id) DO NOTHING;
"#;

/// SP-initiated: the request is used up whatever the outcome (a Response that passed
/// validation spends it, as in `acs.rs`).
const ACS_USE_REQUEST: &str = "DELETE FROM sso_requests WHERE id = $1;\n";

const ACS_TAIL: &str = r#"
WITH w (reason_code, t, p) AS (VALUES ($15, $33, $34), ($18, $35, $36), ($21, $37, $38))
INSERT INTO webhook_deliveries (event_id, tenant_id, endpoint_id, event_type, payload, state, attempts,
                                next_attempt_at, created_at)
SELECT $32, $2, e.id, w.t, w.p, 'pending', 0, $12, $12
FROM sign_in_events ev
JOIN w ON w.reason_code = ev.reason_code
JOIN webhook_endpoints e ON e.tenant_id = $2 AND e.enabled AND e.event_types LIKE '%,' || w.t || ',%'
WHERE ev.id = $5;
INSERT INTO sso_handoffs (id, handle_hash, tenant_id, user_id, purpose, binding_hash, relay_state,
                          name_id, name_id_format, session_index, sign_in_event_id, expires_at)
SELECT $23, $24, $2, $13, $25, $26, $27, $28, $29, $30, $5, $31
WHERE EXISTS (SELECT 1 FROM sign_in_events WHERE id = $5 AND reason_code = $15);
SELECT reason_code FROM sign_in_events WHERE id = $5
"#;

/// The ACS batch's text, put together once per process (sqlx finds its prepared statements by
/// the text, as for PostgreSQL's statement).
static ACS_SP_INITIATED: LazyLock<String> = LazyLock::new(|| format!("{ACS_HEAD}{ACS_USE_REQUEST}{ACS_TAIL}"));
static ACS_IDP_INITIATED: LazyLock<String> = LazyLock::new(|| format!("{ACS_HEAD}{ACS_TAIL}"));

/// How many values the ACS batch binds (sqlx binds a missing one as NULL without a word, so
/// the count is checked).
const ACS_VALUES: usize = 38;

/// The hand-over's batch: claim (`$1` → `$2`), session, read back, delete.
const HANDOVER: &str = r#"
UPDATE sso_handoffs SET handle_hash = $2 WHERE handle_hash = $1;
INSERT INTO sessions (id, token_hash, tenant_id, user_id, operator_id, auth_method, created_at, last_seen_at,
                      expires_at, user_agent, ip, name_id, name_id_format, session_index)
SELECT $3, $4, h.tenant_id, h.user_id, NULL, $5, $6, $6, $7, $8, $9, h.name_id, h.name_id_format, h.session_index
FROM sso_handoffs h JOIN users u ON u.id = h.user_id AND u.tenant_id = h.tenant_id
WHERE h.handle_hash = $2 AND u.deleted_at IS NULL AND u.status = $10 AND h.expires_at > $6
  AND (h.binding_hash IS NULL OR h.binding_hash = $11);
SELECT h.tenant_id, h.user_id, h.binding_hash, h.relay_state, h.name_id, h.expires_at,
       u.email, u.role, u.status, EXISTS (SELECT 1 FROM sessions WHERE id = $3) AS session_made
FROM sso_handoffs h LEFT JOIN users u ON u.id = h.user_id AND u.tenant_id = h.tenant_id AND u.deleted_at IS NULL
WHERE h.handle_hash = $2;
DELETE FROM sso_handoffs WHERE handle_hash = $2
"#;

const HANDOVER_VALUES: usize = 11;

/// The hand-over's batch over `values` (`$1`–`$11`, see [`HANDOVER`]).
pub(super) fn handover_batch(values: Vec<Value>) -> Result<Statement, Error> {
    statement(HANDOVER.to_owned(), values, HANDOVER_VALUES)
}

fn statement(sql: String, values: Vec<Value>, expected: usize) -> Result<Statement, Error> {
    if values.len() != expected {
        return Err(Error::internal(format!("a sign-in batch bound {} values, not {expected}", values.len())));
    }
    Ok(Statement::from_sql_and_values(DbBackend::Sqlite, sql, values))
}

impl Identity {
    /// The ACS after validation for a live sign-in of an active `user` on SQLite: one
    /// transaction on the sign-in writer. The caller holds the sign-in gate.
    pub(super) async fn finish_acs_sqlite(
        &self,
        writer: Option<&mut SqliteWriter>,
        user: &User,
        request: Option<&sso_request::Model>,
        relay_state: Option<&str>,
        a: &ValidatedAssertion,
        attempt: &Attempt<'_>,
    ) -> SsoResult<AcsOutcome> {
        let now = self.now();
        let tenant_id = user.tenant_id;
        let replay = replay_detail(&a.assertion_id);
        let unknown = request.map(|r| unknown_request_detail(&r.id)).unwrap_or_default();
        let success = format!("signed in as {} (NameID {:?})", user.email, a.name_id);
        let ev = self.event_row(attempt, SignInReason::Success, "");
        let handle = TokenKind::Handoff.generate();
        let relay = match request {
            Some(r) => r.relay_state.clone(),
            None => Some(safe_redirect(relay_state)),
        };
        let mut values = acs_values(request, tenant_id, a, now, &ev);
        values.push(user.id.as_uuid().into());
        values.extend(outcome_values(SignInReason::Success));
        values.push(bounded(&success));
        values.extend(outcome_values(SignInReason::Replay));
        values.push(bounded(&replay));
        values.extend(outcome_values(SignInReason::UnknownRequest));
        values.push(bounded(&unknown));
        values.extend([
            uuid::Uuid::now_v7().into(),
            secrets::token_hash(&handle).into(),
            RequestPurpose::Login.as_str().into(),
            request.and_then(|r| r.binding_hash.clone()).into(),
            relay.into(),
            a.name_id.clone().into(),
            a.name_id_format.clone().into(),
            a.session_index.clone().into(),
            (now + HANDOFF_LIFETIME).into(),
        ]);
        // The outbox: the webhook event of whichever log row the batch writes.
        let event_id = WebhookEventId::generate();
        values.push(event_id.as_uuid().into());
        for (kind, reason, user_id) in [
            (EventType::SignInSucceeded, SignInReason::Success, Some(user.id.as_uuid())),
            (EventType::SignInFailed, SignInReason::Replay, None),
            (EventType::SignInFailed, SignInReason::UnknownRequest, None),
        ] {
            let data = outbox::sign_in_data(ev.id, user_id, ev.name_id.as_deref(), &ev.flow, reason.as_str());
            let payload = outbox::envelope(event_id, kind, tenant_id, ev.created_at, data).to_string();
            values.extend([kind.as_str().into(), payload.into()]);
        }
        let sql = if request.is_some() { &ACS_SP_INITIATED } else { &ACS_IDP_INITIATED };
        let batch = statement(sql.as_str().to_owned(), values, ACS_VALUES)?;
        let writer = writer.ok_or_else(|| Error::internal("a SQLite sign-in without the sign-in writer"))?;
        let rows = writer.transaction(batch).await?;
        let reason_code = rows
            .first()
            .ok_or_else(|| Error::internal("the sign-in batch wrote no log entry"))?
            .text("reason_code")?
            .ok_or_else(|| Error::internal("the sign-in batch's log entry has no reason"))?;
        let refusal = match reason_code.as_str() {
            code if code == SignInReason::Success.as_str() => {
                return Ok(AcsOutcome::Handoff { handle, organisation: None });
            }
            code if code == SignInReason::Replay.as_str() => SignInReason::Replay,
            code if code == SignInReason::UnknownRequest.as_str() => SignInReason::UnknownRequest,
            other => return Err(Error::internal(format!("the sign-in batch logged {other:?}")).into()),
        };
        let detail = if refusal == SignInReason::Replay { replay } else { unknown };
        tracing::info!(reason = refusal.as_str(), detail, tenant_id = ?attempt.tenant_id, "SSO sign-in refused");
        Err(refused(refusal, refusal.user_message(), Some(SignInEventId::from(ev.id))))
    }
}

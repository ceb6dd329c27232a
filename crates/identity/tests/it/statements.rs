//! What one SSO sign-in costs the database, statement by statement, on both backends: the
//! ACS as the server runs it (admission, then the Response) and the hand-over. A change that
//! adds a statement to a sign-in fails here, and has to say so by changing the lists.
//!
//! BEGIN and COMMIT are not statements sea-orm reports. On PostgreSQL the ACS's writes and the
//! hand-over are one statement each (data-modifying CTEs, `sso/pg_sign_in.rs`; the ACS's also
//! finds the user): a sign-in is three statements once the certificates are cached — the
//! admission's read, the ACS's write, the hand-over's — where there were twelve statements and
//! five commits before issue 11. SQLite cannot write inside `WITH`, so its writes go as
//! batches (`sso/sqlite_sign_in.rs`): several statements in one call of the sign-in writer
//! (`store/sqlite_writer.rs`), one transaction each, run on the calling thread.
//!
//! On PostgreSQL the three run on connections kept for sign-ins (`store/sign_in_connections.rs`),
//! which skip the round trip sqlx's pool makes to test every connection it takes back (a `Sync`,
//! not a statement, so it was never in these lists); sea-orm's metric callback does not see
//! them, `Identity::observe_sign_in_statements` does, and the lists below have both.
//!
//! Issue 15 (webhooks): the sign-in's webhook event goes to the durable outbox with the log
//! entry. On PostgreSQL it is one more branch of the ACS's statement (`INSERT
//! webhook_deliveries` inside the `WITH`), so the count stays three; on SQLite it is one more
//! `INSERT … SELECT` in the ACS's batch (no row unless an endpoint is subscribed).

use std::sync::{Arc, Mutex};

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::saml_fixtures::*;
use crate::support::certificate;

/// Every statement an identity service runs, as "VERB table".
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// "SELECT users", "INSERT sessions", … — the verb and the first table of a statement; a
/// `WITH` statement lists what it modifies: "WITH[DELETE sso_handoffs, INSERT sessions]"; a
/// batch (several statements in one call, one trip to SQLite's connection thread) lists its
/// statements: "BATCH[UPDATE sso_handoffs, INSERT sessions, …]". A bound `LIMIT` (sea-orm's
/// `one()`) is marked "… LIMIT?": SQLite compiles such a statement again before every run.
fn shape(sql: &str) -> String {
    let upper = sql.to_uppercase();
    if upper.contains("LIMIT $") || upper.contains("LIMIT ?") {
        return format!("{} LIMIT?", shape_unmarked(sql));
    }
    shape_unmarked(sql)
}

fn shape_unmarked(sql: &str) -> String {
    let statements: Vec<&str> = sql.split(';').filter(|s| !s.trim().is_empty()).collect();
    if statements.len() > 1 {
        return format!("BATCH[{}]", statements.iter().map(|s| shape_one(s)).collect::<Vec<_>>().join(", "));
    }
    shape_one(sql)
}

fn shape_one(sql: &str) -> String {
    let verb = sql.split_whitespace().next().unwrap_or_default().to_uppercase();
    if verb == "WITH" {
        let words: Vec<&str> = sql.split_whitespace().map(|w| w.trim_start_matches('(')).collect();
        let writes: Vec<String> = words
            .windows(3)
            .filter_map(|w| match (w[0], w[1]) {
                ("INSERT", "INTO") => Some(format!("INSERT {}", w[2])),
                ("DELETE", "FROM") => Some(format!("DELETE {}", w[2])),
                ("UPDATE", _) => Some(format!("UPDATE {}", w[1])),
                _ => None,
            })
            .collect();
        return format!("WITH[{}]", writes.join(", "));
    }
    let after = |keyword: &str| {
        let upper = sql.to_uppercase();
        upper.find(keyword).map(|i| {
            sql[i + keyword.len()..].split_whitespace().next().unwrap_or_default().trim_matches('"').to_owned()
        })
    };
    if verb == "SELECT" {
        // Every table a SELECT reads (subqueries and joins too): "SELECT rate_limits+sso_connections".
        let words: Vec<&str> = sql.split_whitespace().collect();
        let mut tables: Vec<String> = Vec::new();
        for w in words.windows(2) {
            if matches!(w[0].to_uppercase().as_str(), "FROM" | "JOIN") && !w[1].starts_with('(') {
                let t = w[1].trim_matches(|c| c == '"' || c == ')').to_owned();
                if !tables.contains(&t) {
                    tables.push(t);
                }
            }
        }
        return format!("SELECT {}", tables.join("+"));
    }
    let table = match verb.as_str() {
        "INSERT" => after("INSERT INTO "),
        "UPDATE" => after("UPDATE "),
        _ => after(" FROM "),
    };
    format!("{verb} {}", table.unwrap_or_default())
}

/// Services over the world's database (another replica, as far as caches go) whose every
/// statement is logged: the pool's (sea-orm's metric callback) and, on PostgreSQL, those on
/// the sign-in connections.
fn counted(w: &World) -> (Identity, Log) {
    let log = Log::default();
    let sink = log.clone();
    let mut db = w.id().db().clone();
    db.set_metric_callback(move |info| sink.0.lock().unwrap().push(shape(&info.statement.sql)));
    let sp = ServiceProvider::from_public_url(PUBLIC_URL).unwrap();
    let id = Identity::new(db, w.ctx.clock.clone(), SessionPolicy::default(), sp);
    let sink = log.clone();
    id.observe_sign_in_statements(move |stmt| sink.0.lock().unwrap().push(shape(&stmt.sql)));
    (id, log)
}

/// The ACS as the server's handler runs it: admission, then the Response.
async fn acs(id: &Identity, w: &World, fixture: &str) -> String {
    let saml = response(fixture);
    let admission = id.acs_admission(&saml, w.meta.ip.as_deref()).await.unwrap();
    handle(id.consume_admitted_response(&saml, &admission, None, &w.meta).await)
}

both_backends!(an_sso_sign_in_runs_a_fixed_list_of_statements, |db| async move {
    let w = World::new(db).await;
    let pg = w.id().db().get_database_backend() == sea_orm::DbBackend::Postgres;
    let (id, log) = counted(&w);
    let handover: &[&str] = if pg {
        &["WITH[DELETE sso_handoffs, INSERT sessions]"]
    } else {
        &["BATCH[UPDATE sso_handoffs, INSERT sessions, SELECT sessions+sso_handoffs+users, DELETE sso_handoffs]"]
    };

    // IdP-initiated (the benchmark's sign-in), the first on this replica: the admission reads
    // the back-off state and the connection the Issuer names in one statement; the signing
    // certificates are loaded once.
    let h = acs(&id, &w, "entra_unsolicited").await;
    assert_eq!(
        log.take(),
        ["SELECT rate_limits+sso_connections+tenants", "SELECT idp_certificates"]
            .iter()
            .chain(if pg {
                &["WITH[INSERT assertion_replays, INSERT sign_in_events, INSERT sso_handoffs, INSERT webhook_deliveries]"][..]
            } else {
                &["SELECT users", "BATCH[WITH[INSERT sign_in_events], INSERT assertion_replays, WITH[INSERT webhook_deliveries], INSERT sso_handoffs, SELECT sign_in_events]"][..]
            })
            .copied()
            .collect::<Vec<_>>()
    );
    id.complete_sso(&h, None, &w.meta).await.unwrap();
    assert_eq!(log.take(), handover);

    // SP-initiated, certificates cached: the admission's statement also finds the pending
    // request (and its tenant's connection), which the write then uses up.
    let started = w.start(None).await;
    log.take();
    let h = acs(&id, &w, "entra_second_sign_in").await;
    assert_eq!(
        log.take(),
        ["SELECT rate_limits+sso_connections+sso_requests+tenants"]
            .iter()
            .chain(if pg {
                &["WITH[DELETE sso_requests, INSERT assertion_replays, INSERT sign_in_events, INSERT sso_handoffs, INSERT webhook_deliveries]"][..]
            } else {
                &[
                    "SELECT users",
                    "BATCH[WITH[INSERT sign_in_events], INSERT assertion_replays, DELETE sso_requests, \
                     WITH[INSERT webhook_deliveries], INSERT sso_handoffs, SELECT sign_in_events]",
                ][..]
            })
            .copied()
            .collect::<Vec<_>>()
    );
    id.complete_sso(&h, Some(&started.binding_nonce), &w.meta).await.unwrap();
    assert_eq!(log.take(), handover);
});

both_backends!(a_sign_in_runs_on_the_connections_kept_for_it, |db| async move {
    let w = World::new(db).await;
    let pg = w.id().db().get_database_backend() == sea_orm::DbBackend::Postgres;
    let sp = ServiceProvider::from_public_url(PUBLIC_URL).unwrap();
    let pooled = Log::default();
    let sink = pooled.clone();
    let mut db = w.id().db().clone();
    db.set_metric_callback(move |info| sink.0.lock().unwrap().push(shape(&info.statement.sql)));
    let id = Identity::new(db, w.ctx.clock.clone(), SessionPolicy::default(), sp);
    let kept = Log::default();
    let sink = kept.clone();
    id.observe_sign_in_statements(move |stmt| sink.0.lock().unwrap().push(shape(&stmt.sql)));
    assert_eq!(id.sign_in_connections_open(), 0, "opened on first use");
    let h = acs(&id, &w, "entra_unsolicited").await;
    id.complete_sso(&h, None, &w.meta).await.unwrap();
    // PostgreSQL: all three statements, one after the other, each on a free kept connection.
    // SQLite: the two writes on the sign-in writer (`store::sqlite_writer`); the reads stay
    // on the pool.
    let expected: &[&str] = if pg {
        &[
            "SELECT rate_limits+sso_connections+tenants",
            "WITH[INSERT assertion_replays, INSERT sign_in_events, INSERT sso_handoffs, INSERT webhook_deliveries]",
            "WITH[DELETE sso_handoffs, INSERT sessions]",
        ]
    } else {
        &[
            "BATCH[WITH[INSERT sign_in_events], INSERT assertion_replays, WITH[INSERT webhook_deliveries], INSERT sso_handoffs, SELECT sign_in_events]",
            "BATCH[UPDATE sso_handoffs, INSERT sessions, SELECT sessions+sso_handoffs+users, DELETE sso_handoffs]",
        ]
    };
    let kept = kept.take();
    assert_eq!(kept, expected);
    let pooled = pooled.take();
    assert!(pooled.iter().all(|s| !kept.contains(s)), "kept statements went through the pool too: {pooled:?}");
    assert!(
        pooled.iter().all(|s| !s.contains("INSERT") && !s.contains("DELETE") && !s.contains("UPDATE")),
        "a sign-in write went through the pool: {pooled:?}"
    );
    let open = id.sign_in_connections_open();
    assert!(if pg { open >= 1 } else { open == 1 }, "{open} open");
});

both_backends!(a_certificate_change_on_another_replica_reaches_the_next_sign_in, |db| async move {
    let w = World::new(db).await;
    let (replica, log) = counted(&w);
    // The replica has the certificates cached; then, elsewhere, the admin uploads another
    // certificate and removes the one the fixtures are signed with.
    let h = acs(&replica, &w, "entra_unsolicited").await;
    replica.complete_sso(&h, None, &w.meta).await.unwrap();
    let old = w.id().sso_connection(&w.scope).await.unwrap().certificates[0].id;
    let pem = certificate("next", w.id().now() - chrono::Duration::days(1), 365);
    let rollover = SsoSettingsSave {
        settings: entra_connection(),
        add_certificates: vec![pem],
        remove_certificate_ids: vec![old],
    };
    publish_save(w.id(), &w.scope, rollover).await;
    log.take();
    // The replica's next sign-in reads the new version and no longer trusts the old key.
    w.start(None).await;
    let saml = response("entra_second_sign_in");
    let admission = replica.acs_admission(&saml, w.meta.ip.as_deref()).await.unwrap();
    let refused = refusal(replica.consume_admitted_response(&saml, &admission, None, &w.meta).await);
    assert_eq!(refused.reason.as_str(), "untrusted_key", "{refused:?}");
    assert!(log.take().contains(&"SELECT idp_certificates".to_owned()), "the cache missed");
});

both_backends!(a_certificate_added_alone_counts_the_version_up, |db| async move {
    let w = World::new(db).await;
    let before = w.id().sso_connection(&w.scope).await.unwrap();
    let pem = certificate("next", w.id().now() - chrono::Duration::days(1), 365);
    let add =
        SsoSettingsSave { settings: entra_connection(), add_certificates: vec![pem], remove_certificate_ids: vec![] };
    publish_save(w.id(), &w.scope, add).await;
    let after = w.id().sso_connection(&w.scope).await.unwrap();
    assert_eq!(after.version, before.version + 1, "an added certificate is a new version");
    let added = after.certificates.iter().find(|c| c.subject.contains("next")).unwrap().id;
    let remove =
        SsoSettingsSave { settings: entra_connection(), add_certificates: vec![], remove_certificate_ids: vec![added] };
    publish_save(w.id(), &w.scope, remove).await;
    let removed = w.id().sso_connection(&w.scope).await.unwrap();
    assert_eq!(removed.version, after.version + 1, "a removed certificate is a new version");
});

both_backends!(a_sign_in_writes_its_webhook_event_with_its_log_entry, |db| async move {
    let w = World::new(db).await;
    let pg = w.id().db().get_database_backend() == sea_orm::DbBackend::Postgres;
    let sp = ServiceProvider::from_public_url(PUBLIC_URL).unwrap();
    let kek =
        SpKeyPolicy { current: KeyEncryptionKey::generate(), previous: None, signing_algorithm: KeyAlgorithm::P256 };
    let admin =
        Identity::new(w.id().db().clone(), w.ctx.clock.clone(), SessionPolicy::default(), sp).with_sp_key_policy(kek);
    let new = NewWebhookEndpoint {
        url: "https://hooks.example/sign-ins".into(),
        description: String::new(),
        event_types: vec![EventType::SignInSucceeded, EventType::SignInFailed],
    };
    let e = admin.create_webhook_endpoint(&w.scope, new).await.unwrap().endpoint;
    let (id, log) = counted(&w);

    acs(&id, &w, "entra_unsolicited").await;
    let writes = log.take().into_iter().filter(|s| s.contains("webhook_deliveries")).count();
    assert_eq!(writes, 1, "one outbox write (inside the ACS's statement on PostgreSQL: {pg})");
    let rows = admin.webhook_deliveries(&w.scope, e.id, &PageRequest::default()).await.unwrap().items;
    assert_eq!(rows.len(), 1);
    let event: serde_json::Value = serde_json::from_str(&rows[0].payload).unwrap();
    assert_eq!(event["type"], "sign_in.succeeded");
    assert_eq!(event["tenant"], w.contoso.id.to_string());
    assert_eq!(event["data"]["user_id"], w.alice.id.to_string());
    assert_eq!(event["data"]["reason_code"], "success");
    assert_eq!(event["data"]["flow"], "idp_initiated");
    assert_eq!(event["id"], rows[0].event_id.to_string());
});

//! Webhooks (issue 15): the outbox written with the change (and not without it), tenant
//! isolation, claiming by concurrent workers, order per endpoint, back-off, giving up,
//! leases of a worker that died, secret rotation and resending — on both backends, against
//! a receiver on a local port.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;
use sea_orm::ConnectionTrait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: String,
    /// The status it answered.
    status: u16,
}

impl Received {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A minimal HTTP/1.1 receiver: records each request and answers `status`; while `hold` is
/// set it reads the request and never answers (a delivery in flight).
#[derive(Clone)]
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    hold: Arc<AtomicBool>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let r = Receiver {
            port: listener.local_addr().unwrap().port(),
            got: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            hold: Arc::default(),
        };
        let me = r.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(me.clone().serve(stream));
            }
        });
        r
    }

    async fn serve(self, mut stream: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let path = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        while buf.len() < head_end + len {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).to_string();
        let hold = self.hold.load(Ordering::SeqCst);
        let status = if hold { 0 } else { self.status.load(Ordering::SeqCst) };
        self.got.lock().unwrap().push(Received { path, headers, body, status });
        if hold {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            return;
        }
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        let _ = stream.write_all(answer.as_bytes()).await;
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The bodies answered 2xx, as JSON.
    fn delivered(&self) -> Vec<serde_json::Value> {
        self.got().iter().filter(|r| (200..300).contains(&r.status)).map(Received::json).collect()
    }
}

fn fetcher() -> gatehouse_outbound::Fetcher {
    gatehouse_outbound::Fetcher::new(gatehouse_outbound::OutboundPolicy {
        allowed_hosts: vec!["127.0.0.1".into()],
        max_bytes: 64 * 1024,
        timeout: std::time::Duration::from_secs(10),
        max_redirects: 0,
    })
    .unwrap()
}

fn kek_policy(kek: &KeyEncryptionKey) -> SpKeyPolicy {
    SpKeyPolicy { current: kek.clone(), previous: None, signing_algorithm: KeyAlgorithm::P256 }
}

/// Services (another replica) over the context's database and clock, with the same KEK.
fn replica(ctx: &Ctx, kek: &KeyEncryptionKey) -> Identity {
    let sp = ServiceProvider::from_public_url("https://gatehouse.test").unwrap();
    Identity::new(ctx.identity.db().clone(), ctx.clock.clone(), SessionPolicy::default(), sp)
        .with_sp_key_policy(kek_policy(kek))
        .with_webhooks(Some(fetcher()), WebhookPolicy::default())
}

/// A context whose services can seal secrets and send webhooks, and a receiver.
async fn hooks(db: gatehouse_test_support::TestDb) -> (Ctx, KeyEncryptionKey, Receiver) {
    let mut ctx = Ctx::new(db);
    let kek = KeyEncryptionKey::generate();
    ctx.identity = ctx
        .identity
        .clone()
        .with_sp_key_policy(kek_policy(&kek))
        .with_webhooks(Some(fetcher()), WebhookPolicy::default());
    (ctx, kek, Receiver::start().await)
}

/// A tenant in dev mode (http endpoints allowed) and its admin.
async fn dev_tenant(ctx: &Ctx, slug: &str) -> AdminScope {
    let (_, admin) = ctx.tenant(slug).await;
    ctx.identity.set_tenant_dev_mode(&OperatorScope::for_tests("test"), slug, true).await.unwrap();
    admin
}

async fn endpoint(ctx: &Ctx, admin: &AdminScope, url: String, types: &[EventType]) -> CreatedWebhookEndpoint {
    ctx.identity
        .create_webhook_endpoint(
            admin,
            NewWebhookEndpoint { url, description: "test receiver".into(), event_types: types.to_vec() },
        )
        .await
        .unwrap()
}

async fn user(ctx: &Ctx, admin: &AdminScope, email: &str) -> Result<User> {
    ctx.identity
        .create_user(
            admin,
            NewUser { email: email.into(), password: Some(PASSWORD.into()), active: true, ..Default::default() },
        )
        .await
}

async fn deliveries(ctx: &Ctx, admin: &AdminScope, e: &WebhookEndpoint) -> Vec<WebhookDelivery> {
    ctx.identity.webhook_deliveries(admin, e.id, &PageRequest::default()).await.unwrap().items
}

/// Runs passes until one claims nothing.
async fn drain(id: &Identity) -> DeliveryPass {
    let mut total = DeliveryPass::default();
    loop {
        let p = id.deliver_webhooks().await.unwrap();
        if p.claimed == 0 {
            return total;
        }
        total.claimed += p.claimed;
        total.delivered += p.delivered;
        total.retried += p.retried;
        total.given_up += p.given_up;
    }
}

/// The Standard Webhooks check, written out with OpenSSL's HMAC (not Gatehouse's signer).
fn verifies(secret: &str, r: &Received) -> bool {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let signed = format!("{}.{}.{}", r.headers["webhook-id"], r.headers["webhook-timestamp"], r.body);
    let pkey = openssl::pkey::PKey::hmac(&key).unwrap();
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &pkey).unwrap();
    signer.update(signed.as_bytes()).unwrap();
    let expected = format!("v1,{}", STANDARD.encode(signer.sign_to_vec().unwrap()));
    r.headers["webhook-signature"].split(' ').any(|s| s == expected)
}

both_backends!(an_event_is_written_with_its_change_for_subscribed_enabled_endpoints, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let (_, b) = ctx.tenant("fabrikam").await;
    let subscribed = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated, EventType::UserDeleted]).await.endpoint;
    let disabled = endpoint(&ctx, &a, rx.url("/off"), &[EventType::UserCreated]).await.endpoint;
    let update = WebhookEndpointUpdate { enabled: Some(false), ..Default::default() };
    ctx.identity.update_webhook_endpoint(&a, disabled.id, update).await.unwrap();

    let eve = user(&ctx, &a, "eve@contoso.example").await.unwrap();
    user(&ctx, &b, "bob@fabrikam.example").await.unwrap();
    let update = UserUpdate { display_name: Some("Eve".into()), ..Default::default() };
    ctx.identity.update_user(&a, eve.id, update).await.unwrap();

    let rows = deliveries(&ctx, &a, &subscribed).await;
    assert_eq!(rows.len(), 1, "user.updated is not subscribed: {rows:?}");
    assert_eq!(rows[0].event_type, "user.created");
    assert_eq!(rows[0].state, DeliveryState::Pending);
    let event: serde_json::Value = serde_json::from_str(&rows[0].payload).unwrap();
    assert_eq!(event["type"], "user.created");
    assert_eq!(event["id"], rows[0].event_id.to_string());
    assert_eq!(event["tenant"], a.tenant_id().to_string());
    assert_eq!(event["data"]["object_id"], eve.id.to_string());
    assert_eq!(event["data"]["source"], "console");
    assert_eq!(event["data"]["actor"]["label"], "admin@contoso.example.com");
    assert!(event["timestamp"].as_str().unwrap().starts_with("2026-11-26T12:00:00"));
    assert!(deliveries(&ctx, &a, &disabled).await.is_empty(), "a disabled endpoint gets no events");
    assert_eq!(ctx.identity.webhook_queue_depth().await.unwrap(), 1, "no row for the tenant without endpoints");

    ctx.identity.delete_user(&a, eve.id).await.unwrap();
    let types: Vec<String> = deliveries(&ctx, &a, &subscribed).await.into_iter().map(|d| d.event_type).collect();
    assert_eq!(types, ["user.deleted", "user.created"], "newest first");
});

both_backends!(a_change_that_rolls_back_writes_no_event, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    // The audit entry is the last write of the change's transaction, after the user and
    // the outbox row: failing it rolls both back.
    let conn = ctx.identity.db();
    let pg = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
    let (fail, unfail) = if pg {
        (
            vec![
                "CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_audit()",
            ],
            "DROP TRIGGER fail_audit ON audit_events",
        )
    } else {
        (
            vec![
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
            ],
            "DROP TRIGGER fail_audit",
        )
    };
    for sql in fail {
        conn.execute_unprepared(sql).await.unwrap();
    }
    assert!(matches!(user(&ctx, &a, "eve@contoso.example").await, Err(Error::Internal(_))));
    let users = ctx.identity.list_users(&a, Some("eve"), &PageRequest::default()).await.unwrap();
    assert!(users.items.is_empty(), "the change rolled back");
    assert!(deliveries(&ctx, &a, &e).await.is_empty(), "and so did its event");
    assert_eq!(drain(&ctx.identity).await, DeliveryPass::default());
    assert!(rx.got().is_empty());

    conn.execute_unprepared(unfail).await.unwrap();
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    assert_eq!(deliveries(&ctx, &a, &e).await.len(), 1);
});

both_backends!(tenant_b_cannot_see_or_change_tenant_a_endpoints_or_deliveries, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let b = dev_tenant(&ctx, "fabrikam").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    drain(&ctx.identity).await;
    let delivery = deliveries(&ctx, &a, &e).await.remove(0);
    assert_eq!(delivery.state, DeliveryState::Delivered);

    assert!(ctx.identity.webhook_endpoints(&b).await.unwrap().is_empty());
    let not_found = |r: Result<_>| matches!(r, Err(Error::NotFound { .. }));
    assert!(not_found(ctx.identity.webhook_endpoint(&b, e.id).await.map(|_| ())));
    assert!(not_found(ctx.identity.webhook_deliveries(&b, e.id, &PageRequest::default()).await.map(|_| ())));
    let update = WebhookEndpointUpdate { url: Some(rx.url("/stolen")), ..Default::default() };
    assert!(not_found(ctx.identity.update_webhook_endpoint(&b, e.id, update).await.map(|_| ())));
    assert!(not_found(ctx.identity.rotate_webhook_secret(&b, e.id).await.map(|_| ())));
    assert!(not_found(ctx.identity.resend_webhook_delivery(&b, delivery.id).await.map(|_| ())));
    assert!(not_found(ctx.identity.delete_webhook_endpoint(&b, e.id).await));
    let still = ctx.identity.webhook_endpoint(&a, e.id).await.unwrap();
    assert_eq!(still.url, rx.url("/a"));
    assert_eq!(deliveries(&ctx, &a, &e).await[0].state, DeliveryState::Delivered);
});

both_backends!(deliveries_are_signed_and_arrive_in_order, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let created = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await;
    for n in 0..4 {
        user(&ctx, &a, &format!("u{n}@contoso.example")).await.unwrap();
    }
    let pass = drain(&ctx.identity).await;
    assert_eq!((pass.delivered, pass.retried), (4, 0));
    let got = rx.got();
    assert_eq!(got.len(), 4);
    for r in &got {
        assert_eq!(r.path, "/a");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["webhook-id"], r.json()["id"]);
        assert_eq!(r.headers["webhook-timestamp"], ctx.identity.now().timestamp().to_string());
        assert!(verifies(&created.secret, r), "signature: {:?}", r.headers["webhook-signature"]);
        assert!(!verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", r));
    }
    let emails: Vec<String> =
        rx.delivered().iter().map(|e| e["data"]["object_after"]["email"].as_str().unwrap().to_owned()).collect();
    assert_eq!(emails, ["u0@contoso.example", "u1@contoso.example", "u2@contoso.example", "u3@contoso.example"]);
    let rows = deliveries(&ctx, &a, &created.endpoint).await;
    assert!(rows.iter().all(|d| d.state == DeliveryState::Delivered && d.last_status == Some(200) && d.attempts == 1));
});

both_backends!(a_failing_receiver_holds_later_events_back_until_it_recovers, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    rx.status.store(503, Ordering::SeqCst);
    user(&ctx, &a, "first@contoso.example").await.unwrap();
    user(&ctx, &a, "second@contoso.example").await.unwrap();

    let pass = ctx.identity.deliver_webhooks().await.unwrap();
    assert_eq!((pass.claimed, pass.retried), (1, 1), "only the endpoint's earliest event is sent");
    let first = deliveries(&ctx, &a, &e).await.pop().unwrap();
    assert_eq!((first.state, first.attempts, first.last_status), (DeliveryState::Pending, 1, Some(503)));
    let wait = first.next_attempt_at.unwrap() - ctx.identity.now();
    assert!(wait >= Duration::milliseconds(2500) && wait <= Duration::seconds(5), "first retry after {wait}");
    // Not due yet, and the second waits for the first.
    assert_eq!(ctx.identity.deliver_webhooks().await.unwrap().claimed, 0);
    ctx.clock.advance(Duration::seconds(5));
    assert_eq!(ctx.identity.deliver_webhooks().await.unwrap().retried, 1);
    assert_eq!(rx.got().len(), 2, "the second event was never sent while the first was failing");

    rx.status.store(204, Ordering::SeqCst);
    ctx.clock.advance(Duration::seconds(10));
    assert_eq!(drain(&ctx.identity).await.delivered, 2);
    let emails: Vec<String> =
        rx.delivered().iter().map(|e| e["data"]["object_after"]["email"].as_str().unwrap().to_owned()).collect();
    assert_eq!(emails, ["first@contoso.example", "second@contoso.example"], "each once, in order");
});

#[test]
fn back_off_doubles_with_jitter_up_to_the_cap() {
    let p = WebhookPolicy::default();
    assert_eq!(retry_delay(&p, 1, 0.0), Duration::milliseconds(2500));
    assert_eq!(retry_delay(&p, 1, 1.0), Duration::seconds(5));
    assert_eq!(retry_delay(&p, 2, 1.0), Duration::seconds(10));
    assert_eq!(retry_delay(&p, 3, 0.5), Duration::milliseconds(15_000));
    assert_eq!(retry_delay(&p, 11, 1.0), Duration::hours(1), "5 s · 2^10 passes the one-hour cap");
    assert_eq!(retry_delay(&p, 500, 1.0), Duration::hours(1));
    assert_eq!(retry_delay(&p, 500, 0.0), Duration::minutes(30));
}

both_backends!(a_delivery_failing_past_the_give_up_time_marks_the_endpoint_failing, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    rx.status.store(500, Ordering::SeqCst);
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    let mut attempts = 0;
    while ctx.identity.now() - start() < Duration::hours(24) {
        attempts += drain(&ctx.identity).await.retried;
        ctx.clock.advance(Duration::minutes(30));
    }
    assert!(attempts > 20, "retried {attempts} times in a day");
    ctx.clock.advance(Duration::hours(1));
    assert_eq!(drain(&ctx.identity).await.given_up, 1);
    let d = deliveries(&ctx, &a, &e).await.remove(0);
    assert_eq!(d.state, DeliveryState::Failed);
    assert_eq!(d.last_status, Some(500));
    let failing = ctx.identity.webhook_endpoint(&a, e.id).await.unwrap();
    assert_eq!(failing.failing_since, Some(ctx.identity.now()));

    // The next event that gets through clears the mark.
    rx.status.store(200, Ordering::SeqCst);
    user(&ctx, &a, "bob@contoso.example").await.unwrap();
    assert_eq!(drain(&ctx.identity).await.delivered, 1);
    assert_eq!(ctx.identity.webhook_endpoint(&a, e.id).await.unwrap().failing_since, None);
});

both_backends!(two_workers_claiming_at_once_send_each_event_once, |db| async move {
    let (ctx, kek, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    for path in ["/e1", "/e2", "/e3"] {
        endpoint(&ctx, &a, rx.url(path), &[EventType::UserCreated]).await;
    }
    for n in 0..6 {
        user(&ctx, &a, &format!("u{n}@contoso.example")).await.unwrap();
    }
    let (one, two) = (replica(&ctx, &kek), replica(&ctx, &kek));
    let (p1, p2) = tokio::join!(drain(&one), drain(&two));
    assert_eq!(p1.delivered + p2.delivered, 18, "{p1:?} {p2:?}");
    assert_eq!(ctx.identity.webhook_queue_depth().await.unwrap(), 0);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for r in rx.got() {
        *seen.entry((r.path.clone(), r.headers["webhook-id"].clone())).or_default() += 1;
    }
    assert_eq!(seen.len(), 18);
    assert!(seen.values().all(|&n| n == 1), "an event was sent twice: {seen:?}");
    for path in ["/e1", "/e2", "/e3"] {
        let emails: Vec<String> = rx
            .got()
            .iter()
            .filter(|r| r.path == path)
            .map(|r| r.json()["data"]["object_after"]["email"].as_str().unwrap().to_owned())
            .collect();
        let expected: Vec<String> = (0..6).map(|n| format!("u{n}@contoso.example")).collect();
        assert_eq!(emails, expected, "in order at {path}");
    }
});

both_backends!(a_worker_that_dies_mid_delivery_leaves_the_event_to_another, |db| async move {
    let (ctx, kek, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    rx.hold.store(true, Ordering::SeqCst);
    let dying = replica(&ctx, &kek);
    let pass = tokio::spawn(async move { dying.deliver_webhooks().await });
    while rx.got().is_empty() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    pass.abort();
    assert!(pass.await.unwrap_err().is_cancelled());
    rx.hold.store(false, Ordering::SeqCst);

    let other = replica(&ctx, &kek);
    assert_eq!(other.deliver_webhooks().await.unwrap().claimed, 0, "still leased to the dead worker");
    ctx.clock.advance(WebhookPolicy::default().lease + Duration::seconds(1));
    assert_eq!(drain(&other).await.delivered, 1);
    let d = deliveries(&ctx, &a, &e).await.remove(0);
    assert_eq!(d.state, DeliveryState::Delivered);
    let got = rx.got();
    assert_eq!(got.len(), 2, "sent again after the lease ran out (at least once)");
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
});

both_backends!(a_rotated_secret_signs_beside_the_new_one_during_the_overlap, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let created = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await;
    let rotated = ctx.identity.rotate_webhook_secret(&a, created.endpoint.id).await.unwrap();
    assert_ne!(rotated.secret, created.secret);
    assert!(rotated.secret.starts_with(SECRET_PREFIX));
    assert_eq!(rotated.endpoint.previous_secret_expires_at, Some(ctx.identity.now() + Duration::hours(24)));
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    drain(&ctx.identity).await;
    let r = rx.got().pop().unwrap();
    assert_eq!(r.headers["webhook-signature"].split(' ').count(), 2);
    assert!(verifies(&created.secret, &r) && verifies(&rotated.secret, &r));

    ctx.clock.advance(Duration::hours(24) + Duration::seconds(1));
    user(&ctx, &a, "bob@contoso.example").await.unwrap();
    drain(&ctx.identity).await;
    let r = rx.got().pop().unwrap();
    assert_eq!(r.headers["webhook-signature"].split(' ').count(), 1);
    assert!(verifies(&rotated.secret, &r) && !verifies(&created.secret, &r));
    let actions: Vec<String> = ctx
        .identity
        .audit_events(&a, &AuditFilter::default(), &PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"webhook_endpoint.rotate_secret".to_owned()), "{actions:?}");
    let audit = format!("{:?}", ctx.identity.audit_events(&a, &AuditFilter::default(), &PageRequest::default()).await);
    assert!(
        !audit.contains(&rotated.secret[6..]) && !audit.contains(&created.secret[6..]),
        "no secret in the audit log"
    );
});

both_backends!(resending_sends_the_same_event_again, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    let d = deliveries(&ctx, &a, &e).await.remove(0);
    assert!(matches!(ctx.identity.resend_webhook_delivery(&a, d.id).await, Err(Error::Conflict { .. })));
    drain(&ctx.identity).await;
    let again = ctx.identity.resend_webhook_delivery(&a, d.id).await.unwrap();
    assert_eq!((again.state, again.attempts), (DeliveryState::Pending, 0));
    assert_eq!(drain(&ctx.identity).await.delivered, 1);
    let got = rx.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
});

both_backends!(endpoints_are_checked_and_bounded, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let (_, prod) = ctx.tenant("contoso").await;
    let new =
        |url: String, types: Vec<EventType>| NewWebhookEndpoint { url, description: String::new(), event_types: types };
    let e =
        ctx.identity.create_webhook_endpoint(&prod, new(rx.url("/a"), vec![EventType::UserCreated])).await.unwrap_err();
    assert_eq!(field_of(&e), ["url"], "http only in dev mode");
    let e =
        ctx.identity.create_webhook_endpoint(&prod, new("https://hooks.example/x".into(), vec![])).await.unwrap_err();
    assert_eq!(field_of(&e), ["eventTypes"]);
    let e = ctx
        .identity
        .create_webhook_endpoint(&prod, new("ftp://hooks.example/x".into(), vec![EventType::UserCreated]))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["url"]);
    let long = NewWebhookEndpoint {
        url: "https://hooks.example/".into(),
        description: "x".repeat(201),
        event_types: vec![EventType::UserCreated],
    };
    assert_eq!(field_of(&ctx.identity.create_webhook_endpoint(&prod, long).await.unwrap_err()), ["description"]);
    for n in 0..MAX_ENDPOINTS {
        ctx.identity
            .create_webhook_endpoint(&prod, new(format!("https://hooks.example/{n}"), vec![EventType::UserCreated]))
            .await
            .unwrap();
    }
    let e = ctx
        .identity
        .create_webhook_endpoint(&prod, new("https://hooks.example/more".into(), vec![EventType::UserCreated]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains(&format!("at most {MAX_ENDPOINTS}")), "{e}");

    // Without a key-encryption key a secret cannot be kept: refused, not stored in the clear.
    let backend = match ctx.identity.db().get_database_backend() {
        sea_orm::DbBackend::Postgres => gatehouse_test_support::Backend::Postgres,
        _ => gatehouse_test_support::Backend::Sqlite,
    };
    let plain = Ctx::with(gatehouse_test_support::TestDb::new(backend).await, "https://gatehouse.test", start());
    let (_, admin) = plain.tenant("plain").await;
    let e = plain
        .identity
        .create_webhook_endpoint(&admin, new("https://hooks.example/".into(), vec![EventType::UserCreated]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Conflict { ref message, .. } if message.contains("GATEHOUSE_KEY_ENCRYPTION_KEY")),
        "{e:?}"
    );
});

both_backends!(sign_in_attempts_and_scim_tokens_are_events_too, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let types =
        [EventType::SignInSucceeded, EventType::SignInFailed, EventType::ScimTokenCreated, EventType::ScimTokenRevoked];
    let e = endpoint(&ctx, &a, rx.url("/a"), &types).await.endpoint;
    let login =
        |pw: &str| SignIn { email: "admin@contoso.example.com".into(), password: pw.into(), ..Default::default() };
    assert!(ctx.identity.sign_in(login("wrong password, long enough")).await.is_err());
    ctx.identity.sign_in(login(PASSWORD)).await.unwrap();
    let token = ctx.identity.create_scim_token(&a).await.unwrap();
    ctx.identity.revoke_scim_token(&a, token.scim_token.id).await.unwrap();
    drain(&ctx.identity).await;
    let events = rx.delivered();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["sign_in.failed", "sign_in.succeeded", "scim_token.created", "scim_token.revoked"]);
    assert_eq!(events[0]["data"]["reason_code"], "wrong_password");
    assert_eq!(events[0]["data"]["flow"], "password");
    assert_eq!(events[1]["data"]["reason_code"], "success");
    assert!(events[2]["data"]["object_after"].to_string().len() < 1000);
    assert!(!events[2].to_string().contains(&token.token), "never the token");
    assert_eq!(deliveries(&ctx, &a, &e).await.len(), 4);
});

both_backends!(sent_deliveries_are_purged_after_the_retention, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::UserCreated]).await.endpoint;
    user(&ctx, &a, "eve@contoso.example").await.unwrap();
    drain(&ctx.identity).await;
    rx.status.store(500, Ordering::SeqCst);
    user(&ctx, &a, "bob@contoso.example").await.unwrap();
    ctx.clock.advance(Duration::days(7) + Duration::seconds(1));
    ctx.identity.purge_expired().await.unwrap();
    let left = deliveries(&ctx, &a, &e).await;
    assert_eq!(left.len(), 1, "the pending one stays");
    assert_eq!(left[0].state, DeliveryState::Pending);
});

both_backends!(certificate_expiry_is_announced_once_per_warning_step, |db| async move {
    let (ctx, kek, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let e = endpoint(&ctx, &a, rx.url("/a"), &[EventType::CertificateExpiring, EventType::CertificateExpired]).await;
    // Valid from yesterday for 21 days: 20 days left, inside the 30-day step.
    let pem = certificate("idp", start() - Duration::days(1), 21);
    ctx.identity.add_idp_certificate(&a, pem.as_bytes()).await.unwrap();
    let other = replica(&ctx, &kek);
    let kinds = |ctx: &Ctx| {
        let id = ctx.identity.clone();
        let a = a.clone();
        let e = e.endpoint.clone();
        async move {
            let rows = id.webhook_deliveries(&a, e.id, &PageRequest::default()).await.unwrap().items;
            rows.into_iter()
                .rev()
                .map(|d| {
                    let v: serde_json::Value = serde_json::from_str(&d.payload).unwrap();
                    format!("{} {}", v["type"].as_str().unwrap(), v["data"]["warning_days"])
                })
                .collect::<Vec<_>>()
        }
    };
    let (one, two) = tokio::join!(ctx.identity.notice_certificate_expiry(), other.notice_certificate_expiry());
    assert_eq!(one.unwrap() + two.unwrap(), 1, "two replicas looking at once write it once");
    assert_eq!(ctx.identity.notice_certificate_expiry().await.unwrap(), 0);
    assert_eq!(kinds(&ctx).await, ["certificate.expiring 30"]);

    ctx.clock.advance(Duration::days(14));
    ctx.identity.notice_certificate_expiry().await.unwrap();
    ctx.clock.advance(Duration::days(7));
    ctx.identity.notice_certificate_expiry().await.unwrap();
    ctx.identity.notice_certificate_expiry().await.unwrap();
    assert_eq!(kinds(&ctx).await, ["certificate.expiring 30", "certificate.expiring 7", "certificate.expired null"]);
    drain(&ctx.identity).await;
    let event = rx.delivered().pop().unwrap();
    assert_eq!(event["data"]["subject"].as_str().map(|s| s.contains("idp")), Some(true), "{event}");
    assert!(verifies(&e.secret, rx.got().last().unwrap()));
});

both_backends!(scim_group_and_sso_changes_are_events_with_their_source, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    let types = [EventType::UserCreated, EventType::GroupMembershipChanged, EventType::SsoPublished];
    endpoint(&ctx, &a, rx.url("/a"), &types).await;
    let token = ctx.identity.create_scim_token(&a).await.unwrap();
    let scim = ctx.identity.resolve_scim_token("contoso", &token.token).await.unwrap().unwrap();
    let ada = UserAttributes { user_name: "ada@contoso.example".into(), active: Some(true), ..Default::default() };
    let ada = ctx.identity.provision_user(&scim, ada).await.unwrap();
    let engineers = GroupAttributes { display_name: "Engineers".into(), external_id: None };
    ctx.identity.create_group(&scim, engineers, &[ada.id.to_string()]).await.unwrap();
    let pem = certificate("idp", start() - Duration::days(1), 365);
    ctx.identity.add_idp_certificate(&a, pem.as_bytes()).await.unwrap();
    let sso = SsoConnectionInput {
        provider: IdpProvider::Okta,
        login_url: Some("https://idp.example/sso".into()),
        issuer: Some("urn:idp:contoso".into()),
        logout_url: None,
        allow_idp_initiated: false,
        ..entra_sso("unused")
    };
    ctx.identity.update_sso_connection(&a, sso.clone()).await.unwrap();
    // Save and publish (the console's way once SSO is live) is one event too.
    let save = SsoSettingsSave {
        settings: SsoConnectionInput { issuer: Some("urn:idp:contoso:2".into()), ..sso },
        add_certificates: Vec::new(),
        remove_certificate_ids: Vec::new(),
    };
    ctx.identity.save_sso_settings_to(&a, save, SaveTarget::Publish, true).await.unwrap();
    drain(&ctx.identity).await;
    let events = rx.delivered();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["user.created", "group.membership_changed", "sso.published", "sso.published"], "each once");
    assert_eq!(events[3]["data"]["object_after"]["issuer"], "urn:idp:contoso:2");
    assert_eq!(events[0]["data"]["source"], "scim");
    assert_eq!(events[0]["data"]["actor"]["type"], "scim_token");
    assert_eq!(events[1]["data"]["added"], serde_json::json!([ada.id.to_string()]));
    assert_eq!(events[1]["data"]["source"], "scim");
    assert_eq!(events[2]["data"]["source"], "console");
    assert_eq!(events[2]["data"]["object_after"]["issuer"], "urn:idp:contoso");
});

both_backends!(an_immediate_sso_change_is_one_published_event, |db| async move {
    let (ctx, _, rx) = hooks(db).await;
    let a = dev_tenant(&ctx, "contoso").await;
    endpoint(&ctx, &a, rx.url("/a"), &[EventType::SsoPublished]).await;
    // The expired-certificate rule takes effect at once as a published version (`sso::immediate`):
    // its settings change and its history version are audited apart, and make one event.
    let after = ctx.identity.set_refuse_expired_certificates(&a, true).await.unwrap();
    drain(&ctx.identity).await;
    let events = rx.delivered();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["sso.published"]);
    assert_eq!(events[0]["data"]["object"], "sso_connection");
    assert_eq!(events[0]["data"]["object_id"], serde_json::json!(after.id.to_string()));
    assert_eq!(events[0]["data"]["source"], "console");
});

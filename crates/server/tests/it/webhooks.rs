//! Webhooks through GraphQL (issue 15): an admin registers an endpoint and sees its secret
//! once, lists deliveries, resends, rotates, disables and deletes — and an admin of another
//! tenant, a plain user and an anonymous caller can do none of it. `/metrics` counts the
//! deliveries and reports the queue.

use gatehouse_identity::KeyEncryptionKey;
use gatehouse_server::config::Config;
use gatehouse_test_support::{TestDb, both_backends};
use serde_json::{Value, json};

use crate::support::*;

/// An app that can seal webhook secrets and send to this machine.
pub(crate) async fn app_with_webhooks(db: TestDb) -> TestApp {
    let cfg = Config {
        public_url: Some(PUBLIC_URL.into()),
        database_url: db.url().into(),
        key_encryption_key: Some(KeyEncryptionKey::generate().to_base64()),
        outbound_allowed_hosts: "127.0.0.1".into(),
        ..Config::default()
    };
    let state = gatehouse_server::state(&cfg, db.conn().clone()).expect("state");
    let router = gatehouse_server::app(state.clone());
    TestApp { router, state, db }
}

const ENDPOINT: &str = "id url description eventTypes enabled failing failingSince previousSecretExpiresAt";

async fn create(app: &TestApp, admin: &Auth, url: &str) -> Reply {
    app.gql(
        admin,
        &format!(
            "mutation($u:String!){{ createWebhookEndpoint(input:{{url:$u, description:\"CRM sync\", eventTypes:[USER_CREATED, USER_DELETED]}}){{ secret endpoint {{ {ENDPOINT} }} }} }}"
        ),
        json!({"u": url}),
    )
    .await
}

async fn deliveries(app: &TestApp, admin: &Auth, endpoint: &Value) -> Reply {
    app.gql(
        admin,
        "query($e:ID!){ webhookDeliveries(endpointId:$e, first:10){ nodes { id eventId eventType state attempts responseStatus payload } pageInfo { hasNextPage } } }",
        json!({"e": endpoint}),
    )
    .await
}

both_backends!(an_admin_manages_endpoints_and_sees_the_secret_once, |db| async move {
    let app = app_with_webhooks(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    let r = create(&app, &admin, "https://hooks.example/gatehouse").await;
    let made = r.data()["createWebhookEndpoint"].clone();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(made["endpoint"]["eventTypes"], json!(["USER_CREATED", "USER_DELETED"]));
    assert_eq!(made["endpoint"]["failing"], false);
    let id = made["endpoint"]["id"].clone();

    // http outside dev mode is a field error.
    let r = create(&app, &admin, "http://hooks.example/").await;
    assert_eq!((r.code(), r.body["errors"][0]["extensions"]["field"].as_str()), (Some("VALIDATION"), Some("url")));

    app.gql(&admin, "mutation{ createUser(input:{email:\"eve@contoso.test\"}){ id } }", json!({})).await.data();
    let r = deliveries(&app, &admin, &id).await;
    let nodes = r.data()["webhookDeliveries"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 1);
    assert_eq!((nodes[0]["eventType"].as_str(), nodes[0]["state"].as_str()), (Some("user.created"), Some("PENDING")));

    let r = app
        .gql(&admin, "mutation($id:ID!){ resendWebhookDelivery(id:$id){ id } }", json!({"id": nodes[0]["id"]}))
        .await;
    assert_eq!(r.code(), Some("CONFLICT"), "a pending delivery is still being sent: {}", r.body);

    let r = app
        .gql(
            &admin,
            &format!("mutation($id:ID!){{ rotateWebhookSecret(id:$id){{ secret endpoint {{ {ENDPOINT} }} }} }}"),
            json!({"id": id}),
        )
        .await;
    let rotated = r.data()["rotateWebhookSecret"].clone();
    assert_ne!(rotated["secret"], made["secret"]);
    assert!(rotated["endpoint"]["previousSecretExpiresAt"].is_string());

    let r = app
        .gql(
            &admin,
            "mutation($id:ID!){ updateWebhookEndpoint(id:$id, input:{enabled:false}){ enabled } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.data()["updateWebhookEndpoint"]["enabled"], false);
    let listed = app.gql(&admin, &format!("{{ webhookEndpoints {{ {ENDPOINT} }} }}"), json!({})).await;
    let audit = app.gql(&admin, "{ auditEvents(first:50){ nodes { action before after } } }", json!({})).await;
    for text in [listed.body.to_string(), audit.body.to_string()] {
        assert!(
            !text.contains(&secret[6..]) && !text.contains(&rotated["secret"].as_str().unwrap()[6..]),
            "a secret leaked: {text}"
        );
    }
    let actions: Vec<&str> =
        audit.data()["auditEvents"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["action"].as_str()).collect();
    for a in ["webhook_endpoint.create", "webhook_endpoint.rotate_secret", "webhook_endpoint.disable"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    let r = app.gql(&admin, "mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }", json!({"id": id})).await;
    assert_eq!(r.data()["deleteWebhookEndpoint"], true);
    let r = app.gql(&admin, "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(r.data()["webhookEndpoints"], json!([]));
});

both_backends!(webhooks_are_tenant_isolated_and_admin_only, |db| async move {
    let app = app_with_webhooks(db).await;
    let op = app.operator().await;
    let a = Auth::Cookie(app.tenant(&op, "tenant-a").await);
    let b = Auth::Cookie(app.tenant(&op, "tenant-b").await);
    let made = create(&app, &b, "https://hooks.example/b").await.data()["createWebhookEndpoint"]["endpoint"].clone();
    let id = made["id"].clone();
    app.gql(&b, "mutation{ createUser(input:{email:\"eve@tenant-b.test\"}){ id } }", json!({})).await.data();
    let delivery = deliveries(&app, &b, &id).await.data()["webhookDeliveries"]["nodes"][0]["id"].clone();

    // A's admin, handed B's IDs: NOT_FOUND everywhere, and A's lists are empty.
    assert_eq!(app.gql(&a, "{ webhookEndpoints { id } }", json!({})).await.data()["webhookEndpoints"], json!([]));
    let attempts = [
        ("query($id:ID!){ webhookDeliveries(endpointId:$id){ nodes { id } } }", &id),
        ("mutation($id:ID!){ updateWebhookEndpoint(id:$id, input:{url:\"https://evil.example/\"}){ id } }", &id),
        ("mutation($id:ID!){ rotateWebhookSecret(id:$id){ secret } }", &id),
        ("mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }", &id),
        ("mutation($id:ID!){ resendWebhookDelivery(id:$id){ id } }", &delivery),
    ];
    for (q, v) in attempts {
        let r = app.gql(&a, q, json!({"id": v})).await;
        assert_eq!(r.code(), Some("NOT_FOUND"), "{q}: {}", r.body);
    }
    // Anonymous callers are UNAUTHENTICATED (plain users: `admin_rights.rs`).
    let r = app.gql(&Auth::Anonymous, "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"));
    let r = create(&app, &Auth::Anonymous, "https://hooks.example/x").await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"));
    // B's endpoint is as it was.
    let still = app.gql(&b, "{ webhookEndpoints { url enabled } }", json!({})).await;
    assert_eq!(still.data()["webhookEndpoints"], json!([{"url": "https://hooks.example/b", "enabled": true}]));
});

both_backends!(the_webhook_metrics_are_in_the_scrape, |db| async move {
    let app = app_with_webhooks(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    create(&app, &admin, "https://hooks.example/gatehouse").await.data();
    app.gql(&admin, "mutation{ createUser(input:{email:\"eve@contoso.test\"}){ id } }", json!({})).await.data();
    let r = app.request(axum::http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap()).await;
    let text = r.body.as_str().unwrap().to_owned();
    assert!(text.contains("\ngatehouse_webhook_queue_depth 1\n"), "{text}");
    for outcome in ["delivered", "retry", "given_up", "lease_lost"] {
        assert!(text.contains(&format!("gatehouse_webhook_deliveries_total{{outcome=\"{outcome}\"}} ")), "{text}");
    }
});

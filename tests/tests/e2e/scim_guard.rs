//! Attacks through a SCIM token, against the real binary: a filter or PATCH path nested
//! 50,000 deep (it used to overflow the stack and abort the process for every tenant), and a
//! token taking over tenant admins (renaming, deactivating, deleting them). Plus the rule
//! that holds for everyone: the last active tenant admin cannot be removed.

#![allow(clippy::unwrap_used)]

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

const OPERATOR_PASSWORD: &str = "operator password 123";
const ADMIN_PASSWORD: &str = "contoso admin password";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct Tenant {
    admin: Client,
    admin_id: String,
    admin_email: String,
    scim_url: String,
    token: String,
}

async fn start(db: &TestDb) -> (Server, Client) {
    let server = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OPERATOR_PASSWORD)]).await;
    let ops = Client::new(&server.base);
    ops.sign_in("admin@gatehouse.local", OPERATOR_PASSWORD, None).await;
    (server, ops)
}

/// A tenant with its first admin signed in and a SCIM token.
async fn tenant(server: &Server, ops: &Client, slug: &str) -> Tenant {
    let admin_email = format!("admin@{slug}.example");
    let r = ops
        .gql(
            "mutation($s:String!,$e:String!,$p:String!){ createTenant(input:{slug:$s, name:$s, adminEmail:$e, adminPassword:$p}){ admin { id } } }",
            json!({"s": slug, "e": admin_email, "p": ADMIN_PASSWORD}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let admin_id = r["data"]["createTenant"]["admin"]["id"].as_str().unwrap().to_owned();
    let admin = Client::new(&server.base);
    admin.sign_in(&admin_email, ADMIN_PASSWORD, None).await;
    let r = admin.gql("mutation { createScimToken { token tenantUrl } }", json!({})).await;
    let token = r["data"]["createScimToken"]["token"].as_str().expect("token").to_owned();
    let scim_url = r["data"]["createScimToken"]["tenantUrl"].as_str().expect("url").to_owned();
    Tenant { admin, admin_id, admin_email, scim_url, token }
}

/// Sends one SCIM request; `None` when the connection failed (the server is gone).
async fn scim(t: &Tenant, method: &str, path: &str, body: Option<Value>) -> Option<(u16, Value)> {
    let http = reqwest::Client::new();
    let mut req = http
        .request(method.parse().unwrap(), format!("{}{path}", t.scim_url))
        .bearer_auth(&t.token)
        .header("content-type", "application/scim+json");
    if let Some(body) = body {
        req = req.body(body.to_string());
    }
    let resp = req.send().await.ok()?;
    let status = resp.status().as_u16();
    let body = resp.text().await.ok()?;
    Some((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
}

fn patch(operations: Value) -> Option<Value> {
    Some(json!({"schemas": [PATCH_OP], "Operations": operations}))
}

fn assert_scim_error(answer: Option<(u16, Value)>, status: u16, scim_type: Option<&str>, says: &str) {
    let (got, body) = answer.expect("the server answers");
    assert_eq!(got, status, "{body}");
    assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains(says), "{body} should say {says:?}");
}

both_backends!(scim_deeply_nested_filter_does_not_crash_the_server, |db| async move {
    let db: TestDb = db;
    let (server, ops) = start(&db).await;
    let attacker = tenant(&server, &ops, "attacker").await;
    let victim = tenant(&server, &ops, "victim").await;

    let deep = format!("{}userName eq \"x\"{}", "(".repeat(50_000), ")".repeat(50_000));
    let answer = scim(&attacker, "POST", "/Users/.search", Some(json!({"filter": deep}))).await;
    assert_scim_error(answer, 400, Some("invalidFilter"), "the filter is longer than 4096 characters");
    // Within the length limit the depth limit answers, in the query string too.
    let deep = format!("{}userName eq \"x\"{}", "(".repeat(2000), ")".repeat(2000));
    let query: String = url::form_urlencoded::byte_serialize(deep.as_bytes()).collect();
    let answer = scim(&attacker, "GET", &format!("/Users?filter={query}"), None).await;
    assert_scim_error(answer, 400, Some("invalidFilter"), "the filter nests deeper than 32 levels");
    // A deep PATCH path (a value filter nested 50,000 deep, then 2,000 deep).
    for depth in [50_000, 2000] {
        let path = format!("members[{}value eq \"x\"{}]", "(".repeat(depth), ")".repeat(depth));
        let body = patch(json!([{"op": "remove", "path": path}]));
        let answer = scim(&attacker, "PATCH", &format!("/Users/{}", attacker.admin_id), body).await;
        assert_scim_error(answer, 400, Some("invalidPath"), "the path");
    }
    // The server is still there, for the other tenant too.
    let (status, body) = scim(&victim, "GET", "/Users", None).await.expect("the server still answers");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 1);
    let me = victim.admin.gql("{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], victim.admin_email.as_str());
    assert!(server.terminate(), "the server was running until SIGTERM");
});

const ADMIN_REFUSAL: &str = "this user is a tenant admin in Gatehouse; an admin can change them in the console, or allow SCIM to manage admins under Provisioning";

both_backends!(scim_cannot_rename_tenant_admin, |db| async move {
    let db: TestDb = db;
    let (server, ops) = start(&db).await;
    let t = tenant(&server, &ops, "contoso").await;
    let user = format!("/Users/{}", t.admin_id);
    // Entra's PATCH (both dialects) and a PUT, each renaming the admin to the attacker's NameID.
    let attempts = [
        ("PATCH", patch(json!([{"op": "Replace", "path": "userName", "value": "attacker@evil.example"}]))),
        ("PATCH", patch(json!([{"op": "replace", "value": {"userName": "attacker@evil.example"}}]))),
        (
            "PUT",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "attacker@evil.example", "active": true}),
            ),
        ),
    ];
    for (method, body) in attempts {
        assert_scim_error(scim(&t, method, &user, body).await, 403, None, ADMIN_REFUSAL);
    }
    // The admin keeps their name (and sign-in); profile attributes still sync.
    let (_, body) = scim(&t, "GET", &user, None).await.unwrap();
    assert_eq!(body["userName"], t.admin_email.as_str());
    let title = patch(json!([{"op": "replace", "path": "title", "value": "CTO"}]));
    let (status, body) = scim(&t, "PATCH", &user, title).await.unwrap();
    assert_eq!((status, body["title"].as_str()), (200, Some("CTO")), "{body}");
    Client::new(&server.base).sign_in(&t.admin_email, ADMIN_PASSWORD, None).await;

    // Allowed under Provisioning, with a second admin, SCIM may rename the first.
    let r = t.admin.gql("mutation { setScimManagesAdmins(enabled:true){ scimManagesAdmins } }", json!({})).await;
    assert_eq!(r["data"]["setScimManagesAdmins"]["scimManagesAdmins"], true, "{r}");
    let r = t
        .admin
        .gql("mutation { createUser(input:{email:\"second@contoso.example\", role:TENANT_ADMIN}){ id } }", json!({}))
        .await;
    let second = r["data"]["createUser"]["id"].as_str().expect("second admin").to_owned();
    t.admin.gql("mutation($id:ID!){ activateUser(id:$id){ status } }", json!({"id": second})).await;
    let rename = patch(json!([{"op": "replace", "path": "userName", "value": "renamed@contoso.example"}]));
    let (status, body) = scim(&t, "PATCH", &format!("/Users/{second}"), rename).await.unwrap();
    assert_eq!((status, body["userName"].as_str()), (200, Some("renamed@contoso.example")), "{body}");
});

both_backends!(scim_cannot_deactivate_or_delete_tenant_admin, |db| async move {
    let db: TestDb = db;
    let (server, ops) = start(&db).await;
    let t = tenant(&server, &ops, "contoso").await;
    let user = format!("/Users/{}", t.admin_id);
    let attempts = [
        ("PATCH", patch(json!([{"op": "Replace", "path": "active", "value": "False"}]))),
        ("PATCH", patch(json!([{"op": "replace", "value": {"active": false}}]))),
        ("DELETE", None),
    ];
    for (method, body) in attempts {
        assert_scim_error(scim(&t, method, &user, body).await, 403, None, ADMIN_REFUSAL);
    }
    let (status, body) = scim(&t, "GET", &user, None).await.unwrap();
    assert_eq!((status, &body["active"]), (200, &json!(true)), "{body}");
    let me = t.admin.gql("{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], t.admin_email.as_str(), "the admin's session survived: {me}");
    // A plain user is still deactivated and deleted as before.
    let created =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "plain@contoso.example"});
    let (status, body) = scim(&t, "POST", "/Users", Some(created)).await.unwrap();
    assert_eq!(status, 201, "{body}");
    let plain = format!("/Users/{}", body["id"].as_str().unwrap());
    let off = patch(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    assert_eq!(scim(&t, "PATCH", &plain, off).await.unwrap().0, 200);
    assert_eq!(scim(&t, "DELETE", &plain, None).await.unwrap().0, 204);
});

both_backends!(last_active_admin_cannot_be_removed, |db| async move {
    let db: TestDb = db;
    let (server, ops) = start(&db).await;
    let t = tenant(&server, &ops, "contoso").await;
    // A platform operator acting on the tenant cannot remove its only admin.
    let as_operator = |query: &'static str| {
        let ops = &ops;
        let id = t.admin_id.clone();
        async move {
            let resp = ops
                .http
                .post(format!("{}/graphql", ops.base))
                .header("x-gatehouse-tenant", "contoso")
                .json(&json!({"query": query, "variables": {"id": id}}))
                .send()
                .await
                .expect("graphql request");
            resp.json::<Value>().await.expect("graphql JSON")
        }
    };
    for (query, field) in [
        ("mutation($id:ID!){ deleteUser(id:$id){ id } }", "id"),
        ("mutation($id:ID!){ suspendUser(id:$id){ id } }", "id"),
        ("mutation($id:ID!){ updateUser(id:$id, input:{role:USER}){ id } }", "role"),
        ("mutation($id:ID!){ updateUser(id:$id, input:{email:\"attacker@evil.example\"}){ id } }", "email"),
        (
            "mutation($id:ID!){ updateUser(id:$id, input:{federationId:\"attacker@evil.example\"}){ id } }",
            "federationId",
        ),
    ] {
        let r = as_operator(query).await;
        let error = &r["errors"][0];
        assert_eq!(error["extensions"]["code"], "VALIDATION", "{query}: {r}");
        assert_eq!(error["extensions"]["field"], field, "{query}: {r}");
        assert!(
            error["message"].as_str().unwrap_or_default().contains("is the last active tenant admin"),
            "{query}: {r}"
        );
    }
    // Nor can SCIM, even when the tenant lets it manage admins.
    let r = t.admin.gql("mutation { setScimManagesAdmins(enabled:true){ scimManagesAdmins } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let user = format!("/Users/{}", t.admin_id);
    let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
    assert_scim_error(
        scim(&t, "PATCH", &user, off).await,
        400,
        Some("invalidValue"),
        "is the last active tenant admin",
    );
    assert_scim_error(scim(&t, "DELETE", &user, None).await, 400, Some("invalidValue"), "cannot be deleted");
    // The admin is unharmed.
    Client::new(&server.base).sign_in(&t.admin_email, ADMIN_PASSWORD, None).await;
});

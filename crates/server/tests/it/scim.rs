//! SCIM through the real router, on SQLite and PostgreSQL: Microsoft Entra ID's documented
//! request sequences (with and without `aadOptscim062020`), authentication per tenant,
//! errors in SCIM form, duplicate `userName` without partial writes, deprovisioning.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use gatehouse_identity::{NewSessionInfo, Principal, Role};
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::*;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A tenant with a SCIM token, as the admin creates it in the console.
struct Tenant {
    admin: String,
    id: String,
    token: String,
    base: String,
}

async fn tenant(app: &TestApp, op: &str, slug: &str) -> Tenant {
    let admin = app.tenant(op, slug).await;
    let r = app
        .gql(
            &Auth::Cookie(admin.clone()),
            "mutation { createScimToken { token tenantUrl scimToken { id prefix } } }",
            json!({}),
        )
        .await;
    let created = &r.data()["createScimToken"];
    let base = created["tenantUrl"].as_str().unwrap().to_owned();
    assert_eq!(base, format!("{PUBLIC_URL}/scim/v2/{slug}"));
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with(created["scimToken"]["prefix"].as_str().unwrap()));
    let me = app.gql(&Auth::Cookie(admin.clone()), "{ tenant { id } }", json!({})).await;
    let id = me.data()["tenant"]["id"].as_str().unwrap().to_owned();
    Tenant { admin, id, token, base }
}

async fn scim(app: &TestApp, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let path = uri.strip_prefix(PUBLIC_URL).unwrap_or(uri);
    let mut req = Request::builder().method(method).uri(path).header("content-type", "application/scim+json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    let reply = app.request(req.body(body).unwrap()).await;
    if reply.status != StatusCode::NO_CONTENT {
        assert_eq!(reply.content_type.as_deref(), Some("application/scim+json"), "{uri}: {}", reply.body);
    }
    reply
}

impl Tenant {
    async fn get(&self, app: &TestApp, path: &str) -> Reply {
        scim(app, Method::GET, &format!("{}{path}", self.base), Some(&self.token), None).await
    }
    async fn post(&self, app: &TestApp, path: &str, body: Value) -> Reply {
        scim(app, Method::POST, &format!("{}{path}", self.base), Some(&self.token), Some(body)).await
    }
    async fn patch(&self, app: &TestApp, path: &str, ops: Value) -> Reply {
        let body = json!({"schemas": [PATCH_OP], "Operations": ops});
        scim(app, Method::PATCH, &format!("{}{path}", self.base), Some(&self.token), Some(body)).await
    }
    async fn delete(&self, app: &TestApp, path: &str) -> Reply {
        scim(app, Method::DELETE, &format!("{}{path}", self.base), Some(&self.token), None).await
    }
}

fn entra_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "displayName": "Alex Wilber",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Alex Wilber", "familyName": "Wilber", "givenName": "Alex"},
        "title": "Sales",
        "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
        ENTERPRISE: {"department": "Retail", "employeeNumber": "1001"},
        "roles": []
    })
}

fn filter(expr: &str) -> String {
    url::form_urlencoded::byte_serialize(expr.as_bytes()).collect()
}

/// A live session for a provisioned user, as an SSO sign-in would create it.
async fn session_for(app: &TestApp, t: &Tenant, user_id: &str, email: &str) -> String {
    let principal = Principal::for_tests_user(t.id.parse().unwrap(), user_id.parse().unwrap(), email, Role::User);
    let signed = app
        .state
        .identity
        .create_session(&principal, gatehouse_identity::AuthMethod::Sso, &NewSessionInfo::default())
        .await
        .unwrap();
    assert!(app.state.identity.resolve_session(&signed.session_token).await.unwrap().is_some());
    signed.session_token
}

async fn audit_actions(app: &TestApp, t: &Tenant, target: &str) -> Vec<(String, String)> {
    let r = app
        .gql(
            &Auth::Cookie(t.admin.clone()),
            "query($t:String){ auditEvents(first:200, filter:{targetId:$t}) { edges { node { action actorKind } } } }",
            json!({"t": target}),
        )
        .await;
    let mut events: Vec<(String, String)> = r.data()["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["node"]["action"].as_str().unwrap().to_owned(), e["node"]["actorKind"].as_str().unwrap().to_owned())
        })
        .collect();
    events.reverse();
    events
}

both_backends!(entra_provisioning_cycle_without_flag, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = tenant(&app, &op, "contoso").await;

    // "Test connection": a filter on a random value answers 200 with an empty list.
    let r =
        t.get(&app, &format!("/Users?filter={}", filter("userName eq \"2d1f8e6c-5b1a-4c5e-9a4f-0e6b7d1c2a3b\""))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totalResults"], 0);
    assert_eq!(r.body["Resources"], json!([]));

    // Entra looks the user up, finds nothing, creates them.
    let r = t.post(&app, "/Users", entra_user("Alex.Wilber@contoso.com", "AlexW")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.location.as_deref(), Some(format!("{}/Users/{id}", t.base).as_str()));
    assert_eq!(r.body["meta"]["location"], format!("{}/Users/{id}", t.base));
    assert_eq!(r.body["userName"], "Alex.Wilber@contoso.com");
    assert_eq!(r.body["active"], true);
    assert_eq!(r.body[ENTERPRISE]["department"], "Retail");
    assert!(r.body.get("roles").is_none());

    // userName is the username/e-mail and the federation ID of the console's user.
    let u = app
        .gql(
            &Auth::Cookie(t.admin.clone()),
            "query($id:ID!){ user(id:$id) { email federationId displayName status role } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        u.data()["user"],
        json!({"email": "alex.wilber@contoso.com", "federationId": "Alex.Wilber@contoso.com", "displayName": "Alex Wilber", "status": "ACTIVE", "role": "USER"})
    );

    // Entra's lookup by userName, in another case, and with its query flag ignored.
    for expr in ["userName eq \"Alex.Wilber@contoso.com\"", "userName eq \"alex.wilber@CONTOSO.com\""] {
        let r = t.get(&app, &format!("/Users?filter={}&aadOptscim062020", filter(expr))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["totalResults"], 1, "{expr}");
        assert_eq!(r.body["Resources"][0]["id"], id.as_str());
    }
    let r = t
        .get(
            &app,
            &format!("/Users?filter={}", filter("externalId eq \"AlexW\" and userName eq \"Alex.Wilber@contoso.com\"")),
        )
        .await;
    assert_eq!(r.body["totalResults"], 1);

    // Attribute updates as Entra sends them without the flag.
    let r = t
        .patch(&app, &format!("/Users/{id}"), json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alex.w@contoso.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Wilber-Smith"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "m-42"}
        ]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["emails"][0]["value"], "alex.w@contoso.com");
    assert_eq!(r.body["name"]["familyName"], "Wilber-Smith");
    assert_eq!(r.body[ENTERPRISE]["manager"]["value"], "m-42");

    // Disabling in Entra: PATCH active "False" suspends and ends the sessions at once.
    let session = session_for(&app, &t, &id, "alex.wilber@contoso.com").await;
    let r =
        t.patch(&app, &format!("/Users/{id}"), json!([{"op": "Replace", "path": "active", "value": "False"}])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    assert!(app.state.identity.resolve_session(&session).await.unwrap().is_none(), "the session ended");
    let u =
        app.gql(&Auth::Cookie(t.admin.clone()), "query($id:ID!){ user(id:$id) { status } }", json!({"id": id})).await;
    assert_eq!(u.data()["user"]["status"], "SUSPENDED");
    let r = t.patch(&app, &format!("/Users/{id}"), json!([{"op": "Replace", "path": "active", "value": "True"}])).await;
    assert_eq!(r.body["active"], true);

    // Groups: created, looked up without members, members added and removed in both forms.
    let r = t
        .post(&app, "/Groups", json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Sales Team",
            "meta": {"resourceType": "Group"}
        }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gid = r.body["id"].as_str().unwrap().to_owned();
    let r = t
        .get(&app, &format!("/Groups?excludedAttributes=members&filter={}", filter("displayName eq \"sales team\"")))
        .await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
    assert_eq!(r.body["Resources"][0]["id"], gid.as_str());
    assert!(r.body["Resources"][0].get("members").is_none());

    let add = json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": id}]}]);
    let r = t.patch(&app, &format!("/Groups/{gid}"), add.clone()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = t.get(&app, &format!("/Groups/{gid}")).await;
    assert_eq!(r.body["members"], json!([{"value": id, "$ref": format!("{}/Users/{id}", t.base)}]));
    let console = app
        .gql(
            &Auth::Cookie(t.admin.clone()),
            "query($id:ID!){ user(id:$id) { groups { nodes { displayName memberCount } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(console.data()["user"]["groups"]["nodes"], json!([{"displayName": "Sales Team", "memberCount": 1}]));

    let r = t
        .patch(&app, &format!("/Groups/{gid}"), json!([{"op": "Remove", "path": "members", "value": [{"value": id}]}]))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(t.get(&app, &format!("/Groups/{gid}")).await.body.get("members").is_none());
    t.patch(&app, &format!("/Groups/{gid}"), add).await;
    let r = t
        .patch(
            &app,
            &format!("/Groups/{gid}"),
            json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(t.get(&app, &format!("/Groups/{gid}")).await.body.get("members").is_none());
    let r = t
        .patch(
            &app,
            &format!("/Groups/{gid}"),
            json!([{"op": "Replace", "path": "displayName", "value": "Sales EMEA"}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&app, &format!("/Groups/{gid}")).await.body["displayName"], "Sales EMEA");

    // Hard delete after Entra's soft-delete period: 204, then 404; the audit trail remains.
    let session = session_for(&app, &t, &id, "alex.w@contoso.com").await;
    t.patch(&app, &format!("/Groups/{gid}"), json!([{"op": "Add", "path": "members", "value": [{"value": id}]}])).await;
    let r = t.delete(&app, &format!("/Users/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&app, &format!("/Users/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
    assert_eq!(r.body["status"], "404");
    assert!(app.state.identity.resolve_session(&session).await.unwrap().is_none());
    assert!(t.get(&app, &format!("/Groups/{gid}")).await.body.get("members").is_none());
    let u = app.gql(&Auth::Cookie(t.admin.clone()), "query($id:ID!){ user(id:$id) { id } }", json!({"id": id})).await;
    assert!(u.data()["user"].is_null());
    let events = audit_actions(&app, &t, &id).await;
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["user.create", "user.update", "user.suspend", "user.activate", "user.delete"]);
    assert!(events.iter().all(|(_, kind)| kind == "scim_token"), "{events:?}");
    let group_events = audit_actions(&app, &t, &gid).await;
    assert!(!group_events.is_empty() && group_events.iter().all(|(_, kind)| kind == "scim_token"));

    let r = t.delete(&app, &format!("/Groups/{gid}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&app, &format!("/Groups/{gid}")).await.status, StatusCode::NOT_FOUND);
});

both_backends!(entra_dialect_with_flag, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = tenant(&app, &op, "fabrikam").await;
    let r = t.post(&app, "/Users?aadOptscim062020", entra_user("megan@fabrikam.com", "MeganB")).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let session = session_for(&app, &t, &id, "megan@fabrikam.com").await;
    // Path-less replace with dotted and URN-prefixed keys, real booleans.
    let r = t
        .patch(
            &app,
            &format!("/Users/{id}?aadOptscim062020"),
            json!([{"op": "replace", "value": {
                "active": false,
                "name.givenName": "Meg",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "2002",
                "displayName": "Meg B"
            }}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["active"], &r.body["name"]["givenName"]), (&json!(false), &json!("Meg")));
    assert_eq!(r.body[ENTERPRISE]["employeeNumber"], "2002");
    assert!(app.state.identity.resolve_session(&session).await.unwrap().is_none());
    let u = app
        .gql(&Auth::Cookie(t.admin.clone()), "query($id:ID!){ user(id:$id) { displayName status } }", json!({"id": id}))
        .await;
    assert_eq!(u.data()["user"], json!({"displayName": "Meg B", "status": "SUSPENDED"}));

    // PUT replaces; attributes/excludedAttributes apply on GET, lists and .search.
    let mut body = entra_user("megan@fabrikam.com", "MeganB");
    body["title"] = json!("Director");
    let r = scim(&app, Method::PUT, &format!("{}/Users/{id}", t.base), Some(&t.token), Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((&r.body["title"], &r.body["active"]), (&json!("Director"), &json!(true)));
    let r = t.get(&app, &format!("/Users/{id}?attributes=userName")).await;
    let keys: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(keys.contains(&"userName") && !keys.contains(&"title") && !keys.contains(&"emails"), "{keys:?}");
    let r = t.post(&app, "/Users/.search", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "title co \"direct\"", "excludedAttributes": ["emails"]})).await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
    assert!(r.body["Resources"][0].get("emails").is_none());
    let r = t.post(&app, "/.search", json!({"filter": "displayName pr"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The tenant admin and Megan.
    assert_eq!(r.body["totalResults"], 2, "{}", r.body);

    // Filters beyond equality and pagination.
    for (expr, n) in [
        ("userName sw \"megan\"", 1),
        ("emails.value co \"fabrikam\"", 1),
        ("active eq true and not (userName eq \"megan@fabrikam.com\")", 1),
        ("userName ne \"megan@fabrikam.com\" or externalId eq \"MeganB\"", 2),
        ("externalId pr", 1),
    ] {
        let r = t.get(&app, &format!("/Users?filter={}", filter(expr))).await;
        assert_eq!(r.body["totalResults"], n, "{expr}: {}", r.body);
    }
    let r = t.get(&app, "/Users?startIndex=2&count=1").await;
    assert_eq!(
        (&r.body["totalResults"], &r.body["itemsPerPage"], &r.body["startIndex"]),
        (&json!(2), &json!(1), &json!(2))
    );
    assert_eq!(r.body["Resources"][0]["id"], id.as_str());
});

both_backends!(tokens_are_per_tenant, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let a = tenant(&app, &op, "tenant-a").await;
    let b = tenant(&app, &op, "tenant-b").await;
    let r = b.post(&app, "/Users", entra_user("bob@b.test", "bob")).await;
    let bob = r.body["id"].as_str().unwrap().to_owned();

    let expect_401 = |r: &Reply| {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.body["status"], "401");
        assert_eq!(r.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
    };
    // No token, a malformed one, an unknown one, an API token, A's token on B's URL.
    let api =
        app.gql(&Auth::Cookie(b.admin.clone()), "mutation { createApiToken(name:\"x\"){ token } }", json!({})).await;
    let api = api.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
    for token in [None, Some("gh_scim_nope"), Some(api.as_str()), Some(a.token.as_str())] {
        for (method, path) in
            [(Method::GET, "/Users"), (Method::GET, "/ServiceProviderConfig"), (Method::DELETE, "/Users/x")]
        {
            expect_401(&scim(&app, method, &format!("{}{path}", b.base), token, None).await);
        }
        let r = scim(
            &app,
            Method::PATCH,
            &format!("{}/Users/{bob}", b.base),
            token,
            Some(json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]})),
        )
        .await;
        expect_401(&r);
    }
    expect_401(
        &scim(&app, Method::GET, &format!("{PUBLIC_URL}/scim/v2/no-such-tenant/Users"), Some(&a.token), None).await,
    );

    // On its own URL, A's token cannot reach B's user by ID either.
    assert_eq!(a.get(&app, &format!("/Users/{bob}")).await.status, StatusCode::NOT_FOUND);
    let r = a.patch(&app, &format!("/Users/{bob}"), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(a.delete(&app, &format!("/Users/{bob}")).await.status, StatusCode::NOT_FOUND);
    let r = a.get(&app, &format!("/Users?filter={}", filter("userName eq \"bob@b.test\""))).await;
    assert_eq!(r.body["totalResults"], 0);
    // A may create its own bob: userName is unique per tenant only.
    assert_eq!(a.post(&app, "/Users", entra_user("bob@b.test", "bob")).await.status, StatusCode::CREATED);
    // A group of A cannot take B's user as a member.
    let r = a.post(&app, "/Groups", json!({"displayName": "A team", "members": [{"value": bob}]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(b.get(&app, &format!("/Users/{bob}")).await.body["active"], true);

    // Revoked and rotated tokens stop working at once.
    let tokens = app.gql(&Auth::Cookie(b.admin.clone()), "{ scimTokens { nodes { id revokedAt } } }", json!({})).await;
    let token_id = tokens.data()["scimTokens"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            &Auth::Cookie(b.admin.clone()),
            "mutation($id:ID!){ rotateScimToken(id:$id){ token tenantUrl } }",
            json!({"id": token_id}),
        )
        .await;
    let rotated = r.data()["rotateScimToken"]["token"].as_str().unwrap().to_owned();
    expect_401(&b.get(&app, "/Users").await);
    let b2 = Tenant { token: rotated, ..b };
    assert_eq!(b2.get(&app, "/Users").await.status, StatusCode::OK);
    let tokens = app.gql(&Auth::Cookie(b2.admin.clone()), "{ scimTokens { nodes { id revokedAt } } }", json!({})).await;
    let live = tokens.data()["scimTokens"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["revokedAt"].is_null())
        .unwrap()["id"]
        .clone();
    app.gql(
        &Auth::Cookie(b2.admin.clone()),
        "mutation($id:ID!){ revokeScimToken(id:$id){ revokedAt } }",
        json!({"id": live}),
    )
    .await
    .data();
    expect_401(&b2.get(&app, "/Users").await);
});

/// (users, audit events) the admin sees.
async fn counts(app: &TestApp, admin: &str) -> (usize, usize) {
    let users = app.gql(&Auth::Cookie(admin.into()), "{ users(first:200) { edges { node { id } } } }", json!({})).await;
    let events =
        app.gql(&Auth::Cookie(admin.into()), "{ auditEvents(first:200) { edges { node { id } } } }", json!({})).await;
    (
        users.data()["users"]["edges"].as_array().unwrap().len(),
        events.data()["auditEvents"]["edges"].as_array().unwrap().len(),
    )
}

both_backends!(duplicate_user_name_is_409_without_partial_writes, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = tenant(&app, &op, "contoso").await;
    let r = t.post(&app, "/Users", entra_user("dup@contoso.com", "one")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let first = r.body["id"].as_str().unwrap().to_owned();
    let before = counts(&app, &t.admin).await;
    // Same userName in another case; and the tenant admin's e-mail.
    for name in ["DUP@contoso.com", "admin@contoso.test"] {
        let r = t.post(&app, "/Users", entra_user(name, "two")).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!((&r.body["status"], &r.body["scimType"]), (&json!("409"), &json!("uniqueness")));
    }
    // Renaming another user onto it is refused as well, and leaves that user as it was.
    let other =
        t.post(&app, "/Users", entra_user("other@contoso.com", "three")).await.body["id"].as_str().unwrap().to_owned();
    let before_rename = counts(&app, &t.admin).await;
    let r = t
        .patch(
            &app,
            &format!("/Users/{other}"),
            json!([
                {"op": "replace", "path": "title", "value": "changed"},
                {"op": "replace", "path": "userName", "value": "dup@contoso.com"}
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(t.get(&app, &format!("/Users/{other}")).await.body["title"], "Sales");
    assert_eq!(counts(&app, &t.admin).await, before_rename);
    assert_eq!((before_rename.0, before_rename.1), (before.0 + 1, before.1 + 1));

    // Concurrent creates of one userName: exactly one wins, the others are 409s.
    let mut handles = Vec::new();
    for i in 0..8 {
        let router = app.router.clone();
        let req = Request::post("/scim/v2/contoso/Users")
            .header("authorization", format!("Bearer {}", t.token))
            .body(Body::from(entra_user("race@contoso.com", &format!("r{i}")).to_string()))
            .unwrap();
        handles.push(tokio::spawn(async move { router.oneshot(req).await.unwrap().status() }));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
    let r = t.get(&app, &format!("/Users?filter={}", filter("userName eq \"race@contoso.com\""))).await;
    assert_eq!(r.body["totalResults"], 1);

    // Group names are unique per tenant, case-insensitively.
    assert_eq!(t.post(&app, "/Groups", json!({"displayName": "Ops"})).await.status, StatusCode::CREATED);
    let r = t.post(&app, "/Groups", json!({"displayName": "OPS", "members": [{"value": first}]})).await;
    assert_eq!((r.status, &r.body["scimType"]), (StatusCode::CONFLICT, &json!("uniqueness")));
});

both_backends!(errors_are_scim_errors, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = tenant(&app, &op, "contoso").await;
    let bad = |r: &Reply, status: u16, scim_type: Option<&str>| {
        assert_eq!(r.status.as_u16(), status, "{}", r.body);
        assert_eq!(r.body["status"], status.to_string());
        assert_eq!(r.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
        assert_eq!(r.body["scimType"].as_str(), scim_type, "{}", r.body);
        assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    };
    let raw = |body: &'static str| {
        Request::post("/scim/v2/contoso/Users")
            .header("authorization", format!("Bearer {}", t.token))
            .header("content-type", "application/scim+json")
            .body(Body::from(body))
            .unwrap()
    };
    bad(&app.request(raw("{\"userName\": ")).await, 400, Some("invalidSyntax"));
    bad(
        &t.post(&app, "/Users", json!({"userName": "x@y.z", "favouriteColour": "red"})).await,
        400,
        Some("invalidSyntax"),
    );
    bad(&t.post(&app, "/Users", json!({"displayName": "no userName"})).await, 400, Some("invalidValue"));
    bad(&t.get(&app, &format!("/Users?filter={}", filter("userName eq"))).await, 400, Some("invalidFilter"));
    bad(&t.get(&app, &format!("/Users?filter={}", filter("userName xx \"a\""))).await, 400, Some("invalidFilter"));
    let huge = format!("{{\"userName\": \"big@contoso.com\", \"displayName\": \"{}\"}}", "x".repeat(1024 * 1024 + 1));
    let r = app
        .request(
            Request::post("/scim/v2/contoso/Users")
                .header("authorization", format!("Bearer {}", t.token))
                .body(Body::from(huge))
                .unwrap(),
        )
        .await;
    bad(&r, 413, None);
    bad(&t.get(&app, "/Users/not-a-uuid").await, 404, None);
    bad(&t.get(&app, "/Users/0194b1a0-0000-7000-8000-000000000000").await, 404, None);
    bad(&t.get(&app, "/NoSuchEndpoint").await, 404, None);
    bad(&t.post(&app, "/ServiceProviderConfig", json!({})).await, 405, None);
    bad(&scim(&app, Method::PUT, &format!("{}/Schemas", t.base), Some(&t.token), Some(json!({}))).await, 405, None);
    bad(
        &t.patch(&app, "/Users/0194b1a0-0000-7000-8000-000000000000", json!([{"op": "Explode"}])).await,
        400,
        Some("invalidSyntax"),
    );

    // Discovery documents.
    let r = t.get(&app, "/ServiceProviderConfig").await;
    assert_eq!((r.status, &r.body["patch"]["supported"]), (StatusCode::OK, &json!(true)));
    assert_eq!(r.body["meta"]["location"], format!("{}/ServiceProviderConfig", t.base));
    let r = t.get(&app, "/ResourceTypes").await;
    assert_eq!(r.body["totalResults"], 2);
    assert_eq!(t.get(&app, "/ResourceTypes/User").await.body["endpoint"], "/Users");
    assert_eq!(t.get(&app, "/Schemas").await.status, StatusCode::OK);
    assert_eq!(t.get(&app, &format!("/Schemas/{ENTERPRISE}")).await.body["id"], ENTERPRISE);
    assert_eq!(t.get(&app, "/Schemas/urn:nope").await.status, StatusCode::NOT_FOUND);
});

both_backends!(a_group_put_keeps_members_named_again_and_replaces_the_rest, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = tenant(&app, &op, "contoso").await;
    let mut ids = Vec::new();
    for name in ["ann", "ben", "cat"] {
        let r = t.post(&app, "/Users", entra_user(&format!("{name}@contoso.example"), name)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let (ann, ben, cat) = (&ids[0], &ids[1], &ids[2]);
    let r = t.post(&app, "/Groups", json!({"displayName": "Team", "members": [{"value": ann}, {"value": ben}]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gid = r.body["id"].as_str().unwrap().to_owned();

    // Ben is named again (in capitals, as some clients write IDs), Cat is new, Ann is left out.
    let put = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Team",
        "members": [{"value": ben.to_uppercase()}, {"value": cat}],
    });
    let r = scim(&app, Method::PUT, &format!("{}/Groups/{gid}", t.base), Some(&t.token), Some(put)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let members: Vec<&str> =
        r.body["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [ben.as_str(), cat.as_str()]);
});

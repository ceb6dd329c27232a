//! Every list that grows with a tenant's data is a connection: `first` has a default and a
//! maximum (more is a VALIDATION error naming `first`), `after` continues where a page
//! ended, and paging through gives every item exactly once.

use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

use crate::isolation::scim_request;
use crate::support::*;

/// A tenant with users, and groups that each hold every one of those users.
pub(crate) struct Provisioned {
    pub admin: String,
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

pub(crate) async fn provision(app: &TestApp, op: &str, slug: &str, users: usize, groups: usize) -> Provisioned {
    let admin = app.tenant(op, slug).await;
    let a = Auth::Cookie(admin.clone());
    let mut user_ids = Vec::new();
    for i in 0..users {
        let r = app
            .gql(
                &a,
                "mutation($e:String!){ createUser(input:{email:$e, active:true}){ id } }",
                json!({"e": format!("user{i}@{slug}.test")}),
            )
            .await;
        user_ids.push(r.data()["createUser"]["id"].as_str().unwrap().to_owned());
    }
    let scim = app.gql(&a, "mutation { createScimToken { token tenantUrl } }", json!({})).await;
    let scim = scim.data()["createScimToken"].clone();
    let members: Vec<Value> = user_ids.iter().map(|id| json!({"value": id})).collect();
    let mut group_ids = Vec::new();
    for i in 0..groups {
        let g = scim_request(
            app,
            "POST",
            scim["tenantUrl"].as_str().unwrap(),
            "/Groups",
            scim["token"].as_str().unwrap(),
            json!({"displayName": format!("Group {i:02}"), "members": members}),
        )
        .await;
        assert_eq!(g.status, axum::http::StatusCode::CREATED, "{}", g.body);
        group_ids.push(g.body["id"].as_str().unwrap().to_owned());
    }
    Provisioned { admin, users: user_ids, groups: group_ids }
}

/// Pages through the connection at `path` (in `query`, which takes `$first` and `$after`)
/// two at a time; checks the pages against one big page and the limits of `first`.
async fn pages_through(app: &TestApp, auth: &Auth, query: &str, vars: Value, path: &[&str], key: &str) -> Vec<String> {
    let at = |r: &Reply| {
        let mut v = r.data().clone();
        for p in path {
            v = v[*p].clone();
        }
        v
    };
    let with = |first: Value, after: Value| {
        let mut v = vars.clone();
        v["first"] = first;
        v["after"] = after;
        v
    };
    let all = at(&app.gql(auth, query, with(json!(200), Value::Null)).await);
    assert_eq!(all["pageInfo"]["hasNextPage"], false);
    let all: Vec<String> =
        all["nodes"].as_array().unwrap().iter().map(|n| n[key].as_str().unwrap().to_owned()).collect();
    assert!(all.len() >= 3, "{path:?}: at least three items to page through");

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = at(&app.gql(auth, query, with(json!(2), after.clone())).await);
        let nodes = page["nodes"].as_array().unwrap();
        assert!(nodes.len() <= 2);
        seen.extend(nodes.iter().map(|n| n[key].as_str().unwrap().to_owned()));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        assert_eq!(nodes.len(), 2);
        after = page["pageInfo"]["endCursor"].clone();
        assert!(after.is_string());
    }
    assert_eq!(seen, all, "{path:?}: pages give every item once, in order");

    // Without `first`: the default page (50), which holds these few.
    let default = at(&app.gql(auth, query, vars.clone()).await);
    assert_eq!(default["nodes"].as_array().unwrap().len(), all.len());
    for bad in [201, 0, -1] {
        let r = app.gql(auth, query, with(json!(bad), Value::Null)).await;
        assert_eq!(r.code(), Some("VALIDATION"), "{path:?} first:{bad}: {}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "first", "{}", r.body);
    }
    let r = app.gql(auth, query, with(json!(201), Value::Null)).await;
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("at most 200"), "{}", r.body);
    all
}

both_backends!(every_list_pages_with_first_and_after, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = provision(&app, &op, "tenant-a", 3, 3).await;
    for slug in ["tenant-b", "tenant-c"] {
        app.tenant(&op, slug).await;
    }
    let admin = Auth::Cookie(t.admin.clone());
    for name in ["one", "two", "three"] {
        app.gql(&admin, "mutation($n:String!){ createApiToken(name:$n){ token } }", json!({"n": name})).await.data();
    }
    app.gql(&admin, "mutation { createScimToken { token } }", json!({})).await.data();
    app.gql(&admin, "mutation { createScimToken { token } }", json!({})).await.data();

    let tenants = pages_through(
        &app,
        &Auth::Cookie(op.clone()),
        "query($first:Int,$after:String){ tenants(first:$first, after:$after){ pageInfo { hasNextPage endCursor } nodes { slug } } }",
        json!({}),
        &["tenants"],
        "slug",
    )
    .await;
    assert_eq!(tenants, ["tenant-a", "tenant-b", "tenant-c"]);
    let tokens = pages_through(
        &app,
        &admin,
        "query($first:Int,$after:String){ apiTokens(first:$first, after:$after){ pageInfo { hasNextPage endCursor } nodes { name } } }",
        json!({}),
        &["apiTokens"],
        "name",
    )
    .await;
    assert_eq!(tokens, ["one", "two", "three"]);
    let scim = pages_through(
        &app,
        &admin,
        "query($first:Int,$after:String){ scimTokens(first:$first, after:$after){ pageInfo { hasNextPage endCursor } nodes { id } } }",
        json!({}),
        &["scimTokens"],
        "id",
    )
    .await;
    assert_eq!(scim.len(), 3);
    let members = pages_through(
        &app,
        &admin,
        "query($id:ID!,$first:Int,$after:String){ group(id:$id){ members(first:$first, after:$after){ pageInfo { hasNextPage endCursor } nodes { id } } } }",
        json!({"id": t.groups[0]}),
        &["group", "members"],
        "id",
    )
    .await;
    assert_eq!(members, t.users, "members, oldest user first");
    let groups = pages_through(
        &app,
        &admin,
        "query($id:ID!,$first:Int,$after:String){ user(id:$id){ groups(first:$first, after:$after){ pageInfo { hasNextPage endCursor } nodes { displayName } } } }",
        json!({"id": t.users[1]}),
        &["user", "groups"],
        "displayName",
    )
    .await;
    assert_eq!(groups, ["Group 00", "Group 01", "Group 02"], "a user's groups, by name");

    // Nested pages: each group's members page on its own.
    let r = app
        .gql(
            &admin,
            "{ groups { nodes { memberCount members(first:2) { pageInfo { hasNextPage } nodes { id } } } } }",
            json!({}),
        )
        .await;
    for g in r.data()["groups"]["nodes"].as_array().unwrap() {
        assert_eq!(g["memberCount"], 3);
        assert_eq!(g["members"]["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(g["members"]["pageInfo"]["hasNextPage"], true);
    }
    // A deleted member is gone from pages and counts.
    app.gql(&admin, "mutation($id:ID!){ deleteUser(id:$id){ id } }", json!({"id": t.users[0]})).await.data();
    let r = app
        .gql(
            &admin,
            "query($id:ID!){ group(id:$id){ memberCount members { nodes { id } } } }",
            json!({"id": t.groups[0]}),
        )
        .await;
    assert_eq!(r.data()["group"]["memberCount"], 2);
    assert_eq!(r.data()["group"]["members"]["nodes"], json!([{"id": t.users[1]}, {"id": t.users[2]}]));
});

//! GraphQL query limits over the real binary: an expensive query is refused before it
//! runs, with `extensions.code = QUERY_TOO_COMPLEX`, and the server carries on.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::json;

both_backends!(expensive_query_is_refused_with_its_code, |db| async move {
    let db: TestDb = db;
    let server = Server::start(db.url(), &[]).await;
    let password = server.printed("Demo admin password:").expect("demo password printed");
    let admin = Client::new(&server.base);
    admin.sign_in("admin@demo.example.com", &password, None).await;

    // Nested lists at the maximum page: 200 × 200 × 200 × 200 objects if it ran.
    let nested = "{ users(first:200) { nodes { groups(first:200) { nodes { members(first:200) { nodes { groups(first:200) { nodes { id } } } } } } } } }";
    let r = admin.gql(nested, json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity", "{r}");
    assert!(r["data"].is_null(), "{r}");

    // Many aliases of a cheap field.
    let aliases: String = (0..50).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let r = admin.gql(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "aliases", "{r}");

    // A page over the maximum is a validation error naming `first`.
    let r = admin.gql("{ users(first:1000) { nodes { id } } }", json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "first", "{r}");

    // The console's kind of query still runs.
    let r = admin.gql("{ users(first:20) { pageInfo { hasNextPage } nodes { email groups(first:10) { nodes { displayName } } } } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["users"]["nodes"][0]["email"], "admin@demo.example.com");
});

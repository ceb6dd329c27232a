//! Queries that would make the server do (or return) far more than any console page are
//! refused before anything runs, with `extensions.code = QUERY_TOO_COMPLEX` and the limit
//! they crossed; nested lists are read one statement per level, not one per row.

use std::time::{Duration, Instant};

use gatehouse_graphql::limits;
use gatehouse_test_support::both_backends;
use serde_json::json;

use crate::pagination::provision;
use crate::support::*;

/// The statements one request sends.
async fn statements_of(app: &TestApp, counter: &Statements, auth: &Auth, query: &str) -> (Reply, usize) {
    let before = counter.now();
    let r = app.gql(auth, query, json!({})).await;
    (r, counter.now() - before)
}

fn assert_refused(r: &Reply, limit: &str) {
    assert_eq!(r.code(), Some(limits::CODE), "{}", r.body);
    assert_eq!(r.limit(), Some(limit), "{}", r.body);
    assert!(r.body["data"].is_null(), "nothing ran: {}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().starts_with("query refused: "), "{}", r.body);
}

both_backends!(nested_lists_cannot_multiply, |db| async move {
    let (app, counter) = TestApp::counting(db).await;
    let op = app.operator().await;
    let t = provision(&app, &op, "tenant-a", 2, 2).await;
    let admin = Auth::Cookie(t.admin.clone());
    // What authenticating a request costs, with nothing to resolve.
    let (_, baseline) = statements_of(&app, &counter, &admin, "{ __typename }").await;

    let nested = "{ groups(first:200) { nodes { members(first:200) { nodes { groups(first:200) { nodes { members(first:200) { nodes { id } } } } } } } } }";
    let (r, n) = statements_of(&app, &counter, &admin, nested).await;
    assert_refused(&r, "complexity");
    assert!(r.body["errors"][0]["extensions"]["actual"].as_u64().unwrap() > 1_000_000_000, "{}", r.body);
    assert_eq!(n, baseline, "refused before any resolver read the database");

    // Leaving `first` out does not make a list free: the default page (50) is counted.
    let r = app.gql(&admin, "{ groups { nodes { members { nodes { groups { nodes { id } } } } } } }", json!({})).await;
    assert_refused(&r, "complexity");

    // Aliases multiply a maximal page too.
    let page =
        "users(first:200) { nodes { id email displayName federationId role status hasPassword createdAt updatedAt } }";
    let aliased: String = (0..10).map(|i| format!("u{i}: {page} ")).collect();
    let (r, n) = statements_of(&app, &counter, &admin, &format!("{{ {aliased} }}")).await;
    assert_refused(&r, "complexity");
    assert_eq!(n, baseline);
    // One such page is fine.
    app.gql(&admin, &format!("{{ {page} }}"), json!({})).await.data();
});

both_backends!(deep_query_is_refused, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let t = provision(&app, &op, "tenant-a", 1, 1).await;
    let admin = Auth::Cookie(t.admin.clone());
    // Tiny pages, so only the nesting is at fault: 8 lists, each with `nodes`, then `id`.
    let r = app.gql(&admin, &nested_lists(8), json!({})).await;
    assert_refused(&r, "depth");
    assert_eq!(r.body["errors"][0]["extensions"]["max"], limits::MAX_DEPTH);

    // Introspection nests too, without lists: `ofType` sixteen deep.
    let mut t = String::from("name");
    for _ in 0..16 {
        t = format!("ofType {{ {t} }}");
    }
    let r = app.gql(&admin, &format!("{{ __type(name:\"User\") {{ {t} }} }}"), json!({})).await;
    assert_refused(&r, "depth");

    // At the limit (7 lists: 15 levels) it runs.
    app.gql(&admin, &nested_lists(7), json!({})).await.data();
});

/// `groups { nodes { members { nodes { groups … { id } } } } }`, `lists` lists deep, a page of one each.
fn nested_lists(lists: usize) -> String {
    let mut q = String::from("id");
    for level in (0..lists).rev() {
        let list = if level % 2 == 0 { "groups" } else { "members" };
        q = format!("{list}(first:1) {{ nodes {{ {q} }} }}");
    }
    format!("{{ {q} }}")
}

both_backends!(too_many_aliases_are_refused, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "tenant-a").await);
    let aliases = |n: usize| -> String { (0..n).map(|i| format!("a{i}: email ")).collect() };
    let r = app.gql(&admin, &format!("{{ me {{ {} }} }}", aliases(limits::MAX_ALIASES + 1)), json!({})).await;
    assert_refused(&r, "aliases");
    let r = app.gql(&admin, &format!("{{ me {{ {} }} }}", aliases(limits::MAX_ALIASES)), json!({})).await;
    assert_eq!(r.data()["me"][format!("a{}", limits::MAX_ALIASES - 1)], "admin@tenant-a.test");

    // Aliases hidden in a fragment spread many times are counted where they are used.
    let r = app
        .gql(
            &admin,
            "{ me { ...F ...F ...F } } fragment F on Me { a: id b: id c: id d: id e: id f: id g: id }",
            json!({}),
        )
        .await;
    assert_refused(&r, "aliases");

    // Root fields without aliases count too (each could be a costly operation).
    let roots: String = (0..=limits::MAX_ROOT_FIELDS).map(|_| "me { id } ").collect();
    let r = app.gql(&admin, &format!("{{ {roots} }}"), json!({})).await;
    assert_refused(&r, "rootFields");
    let roots: String = (0..limits::MAX_ROOT_FIELDS).map(|_| "me { id } ").collect();
    app.gql(&admin, &format!("{{ {roots} }}"), json!({})).await.data();
    let signs: String = (0..=limits::MAX_ROOT_FIELDS).map(|_| "signOut ").collect();
    let r = app.gql(&admin, &format!("mutation {{ {signs} }}"), json!({})).await;
    assert_refused(&r, "rootFields");
});

both_backends!(fragment_and_introspection_abuse_is_refused, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "tenant-a").await);

    // Each fragment spreads the one before twice: 2^40 fields once expanded.
    let mut doc = String::from("{ me { ...F40 } } fragment F0 on Me { id } ");
    for k in 1..=40 {
        doc.push_str(&format!("fragment F{k} on Me {{ ...F{} ...F{} }} ", k - 1, k - 1));
    }
    let started = Instant::now();
    let r = app.gql(&admin, &doc, json!({})).await;
    assert_refused(&r, "selections");
    assert!(started.elapsed() < Duration::from_secs(2), "refused quickly: {:?}", started.elapsed());

    // A fragment cycle is refused by validation, without a stack overflow.
    let r = app.gql(&admin, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", json!({})).await;
    assert!(r.body["errors"].as_array().is_some_and(|e| !e.is_empty()), "{}", r.body);

    // Lists of the schema nested in lists of the schema.
    let r = app
        .gql(&admin, "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }", json!({}))
        .await;
    assert_refused(&r, "introspectionLists");
    // Directives piled on one field.
    let r = app
        .gql(
            &admin,
            "{ me @include(if:true) @include(if:true) @include(if:true) @include(if:true) @include(if:true) { id } }",
            json!({}),
        )
        .await;
    assert_refused(&r, "directives");
    let r = app
        .gql(&admin, "{ me @include(if:true) @include(if:true) @include(if:true) @include(if:true) { id } }", json!({}))
        .await;
    assert_ne!(r.code(), Some(limits::CODE), "four directives are within the limit: {}", r.body);
    // Selections: `me` and its fields, at the limit and one over.
    let fields = |n: usize| -> String { (0..n).map(|_| "id ").collect() };
    app.gql(&admin, &format!("{{ me {{ {} }} }}", fields(limits::MAX_SELECTIONS - 1)), json!({})).await.data();
    let r = app.gql(&admin, &format!("{{ me {{ {} }} }}", fields(limits::MAX_SELECTIONS)), json!({})).await;
    assert_refused(&r, "selections");

    // The standard introspection query (what GraphiQL and code generators send) runs.
    let r = app.gql(&admin, INTROSPECTION, json!({})).await;
    assert!(r.data()["__schema"]["types"].as_array().unwrap().len() > 20);
});

both_backends!(membership_loads_are_batched, |db| async move {
    let (app, counter) = TestApp::counting(db).await;
    let op = app.operator().await;
    let small = provision(&app, &op, "small", 2, 2).await;
    let large = provision(&app, &op, "large", 8, 8).await;
    let nested = "{ groups(first:10) { nodes { displayName memberCount members(first:10) { nodes { email groups(first:10) { nodes { displayName memberCount } } } } } }
                    users(first:10) { nodes { email groups(first:10) { nodes { displayName } } } } }";
    let (r, few) = statements_of(&app, &counter, &Auth::Cookie(small.admin.clone()), nested).await;
    assert_eq!(r.data()["groups"]["nodes"][1]["members"]["nodes"][1]["groups"]["nodes"][1]["memberCount"], 2);
    let from = counter.now();
    let (r, many) = statements_of(&app, &counter, &Auth::Cookie(large.admin.clone()), nested).await;
    let groups = r.data()["groups"]["nodes"].as_array().unwrap();
    assert_eq!(groups.len(), 8);
    assert!(groups.iter().all(|g| g["members"]["nodes"].as_array().unwrap().len() == 8 && g["memberCount"] == 8));
    // 8 groups × 8 members × 8 groups read in as many statements as 2 × 2 × 2: one per level.
    eprintln!("statements for the nested query: {few} with 2 groups × 2 users, {many} with 8 × 8");
    assert_eq!(many, few, "statements do not grow with the rows: {:#?}", counter.since(from));
    // Authentication, the two root lists, then one statement per nested list level and
    // one per count level.
    assert!(many <= 12, "{many} statements");
});

/// The introspection query graphql-js's `getIntrospectionQuery()` produces (descriptions,
/// deprecated fields and `ofType` seven deep).
const INTROSPECTION: &str = "
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}";

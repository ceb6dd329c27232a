//! Body limits over the real binary: every route that reads a body refuses one over its
//! limit with 413 in its own form, both when `Content-Length` declares it (answered before
//! a byte of the body is sent) and when a chunked body without `Content-Length` runs past
//! it (answered while the body is still unfinished).

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

const OP_PASSWORD: &str = "operator password 123";
const MIB: usize = 1024 * 1024;

/// Asserts a 413 for both shapes of an oversized body; returns the chunked answer.
async fn refused_both_ways(base: &str, path: &str, head: &[&str], limit: usize) -> (RawAnswer, RawAnswer) {
    let declared = send_body(base, "POST", path, head, BodyShape::Declared(64 * MIB)).await;
    assert_eq!(declared.status, 413, "{path} with Content-Length 64 MiB: {declared:?}");
    assert_eq!(declared.sent, 0, "answered before any of the body was sent");
    let chunked = send_body(base, "POST", path, head, BodyShape::ChunkedUnfinished(limit + 4 * 64 * 1024)).await;
    assert_eq!(chunked.status, 413, "{path} chunked past {limit} bytes: {chunked:?}");
    assert!(chunked.sent > limit, "the limit was passed before the answer: {} bytes sent", chunked.sent);
    (declared, chunked)
}

both_backends!(unauthenticated_64mib_graphql_post_is_refused_413, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[]).await;
    let head = ["Content-Type: application/json"];
    let (declared, chunked) = refused_both_ways(&s.base, "/graphql", &head, MIB).await;
    for answer in [&declared, &chunked] {
        let body: Value = serde_json::from_str(&answer.body).expect("a GraphQL error body");
        assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["limitBytes"], MIB);
    }
    // Just under the limit is answered normally.
    let padding = " ".repeat(MIB - 200);
    let body = format!("{{\"query\":\"{{ me {{ email }} }}{padding}\"}}");
    assert!(body.len() < MIB);
    let r = reqwest::Client::new()
        .post(format!("{}/graphql", s.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.json::<Value>().await.unwrap()["data"]["me"].is_null());
});

both_backends!(graphql_body_limit_is_configurable, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[("GATEHOUSE_GRAPHQL_MAX_BODY_BYTES", "4096")]).await;
    let post = |len: usize| {
        let body = format!("{{\"query\":\"{{ me {{ email }} }}{}\"}}", " ".repeat(len));
        reqwest::Client::new()
            .post(format!("{}/graphql", s.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(post(3000).await.unwrap().status().as_u16(), 200);
    assert_eq!(post(5000).await.unwrap().status().as_u16(), 413);
    refused_both_ways(&s.base, "/graphql", &["Content-Type: application/json"], 4096).await;
});

both_backends!(oversized_saml_and_form_posts_are_refused_413, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[]).await;
    let form = ["Content-Type: application/x-www-form-urlencoded"];
    for (path, limit) in [("/saml2", 256 * 1024), ("/saml2/complete", 16 * 1024), ("/login", 16 * 1024)] {
        let (declared, chunked) = refused_both_ways(&s.base, path, &form, limit).await;
        for answer in [&declared, &chunked] {
            assert!(answer.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{path}: {answer:?}");
            assert!(answer.body.contains("Request too large"), "{path}: {}", answer.body);
        }
    }
    // The sign-out form's fields are never read: a declared oversize is refused, and an
    // endless chunked body is answered (signed out) without waiting for it to end.
    let declared = send_body(&s.base, "POST", "/logout", &form, BodyShape::Declared(64 * MIB)).await;
    assert_eq!(declared.status, 413);
    assert!(declared.body.contains("Request too large"));
    let chunked = send_body(&s.base, "POST", "/logout", &form, BodyShape::ChunkedUnfinished(MIB)).await;
    assert_eq!(chunked.status, 200, "{chunked:?}");
    // A real-sized ACS post is still read (and refused for what it is, not for its size).
    let r = reqwest::Client::new()
        .post(format!("{}/saml2", s.base))
        .form(&[("SAMLResponse", "PHNhbWxwOlJlc3BvbnNlLz4=".repeat(4000))])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status().as_u16(), 413);
});

both_backends!(oversized_scim_bodies_are_refused_413_in_scim_form, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await;
    let ops = Client::new(&s.base);
    ops.sign_in("admin@gatehouse.local", OP_PASSWORD, None).await;
    let r = ops
        .gql("mutation { createTenant(input:{slug:\"acme\", name:\"Acme\", adminEmail:\"it@acme.example\", adminPassword:\"acme admin password\"}){ tenant { slug } } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let admin = Client::new(&s.base);
    admin.sign_in("it@acme.example", "acme admin password", None).await;
    let created = admin.gql("mutation { createScimToken { token } }", json!({})).await;
    let token = created["data"]["createScimToken"]["token"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let auth = format!("Authorization: Bearer {token}");
    let head = ["Content-Type: application/scim+json", auth.as_str()];
    let (declared, chunked) = refused_both_ways(&s.base, "/scim/v2/acme/Users", &head, MIB).await;
    for answer in [&declared, &chunked] {
        let body: Value = serde_json::from_str(&answer.body).expect("a SCIM error");
        assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{body}");
        assert_eq!(body["status"], "413", "{body}");
    }
    // Without a token a declared oversize is still refused before anything is read.
    let anonymous = send_body(&s.base, "POST", "/scim/v2/acme/Users", &head[..1], BodyShape::Declared(64 * MIB)).await;
    assert_eq!(anonymous.status, 413);
});

// A Response over the size the ACS validates on the request's own task (32 KiB of Base64,
// `INLINE_VALIDATION_MAX`) is validated on the blocking pool: a user in 600 groups signs in,
// and the same Response signed with another key is refused and logged.
both_backends!(a_response_over_the_inline_size_is_validated_on_the_blocking_pool, |db| async move {
    use crate::sso::{complete, last_event, me, post_acs, world};
    let w = world(&db).await;
    let acs = format!("{}/saml2", w.server.base);
    let groups: Vec<String> = (0..600).map(|i| format!("{i:08x}-0000-4000-8000-{i:012x}")).collect();
    let groups = groups.join(",");
    for key in ["idp", "alt"] {
        let resp =
            w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs), ("groups", &groups), ("key", key)]).await;
        let saml = resp["SAMLResponse"].as_str().unwrap();
        assert!(saml.len() > 32 * 1024, "the Response is over the inline size: {} bytes", saml.len());
        let browser = Client::new(&w.server.base);
        let (status, html) = post_acs(&browser, saml, None).await;
        if key == "idp" {
            assert_eq!(status, 200, "{html}");
            assert_eq!(complete(&browser, &html).await.0, 303);
            assert_eq!(me(&browser).await["email"], "ada@shared.example");
            assert_eq!(last_event(&w.admin_a).await["success"], true);
        } else {
            assert_eq!(status, 403, "signed with a key contoso does not trust: {html}");
            let reason = last_event(&w.admin_a).await["reasonCode"].as_str().unwrap().to_owned();
            assert!(["untrusted_key", "signature_invalid"].contains(&reason.as_str()), "{reason}");
            assert!(me(&browser).await.is_null());
        }
    }
});

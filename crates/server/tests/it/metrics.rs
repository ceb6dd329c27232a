//! `/metrics` scraped after real requests through the router, on SQLite and PostgreSQL:
//! latency histograms under route templates (a path full of IDs adds no series), SCIM by
//! method and status, sign-in outcomes by reason code with their duration histogram,
//! rate-limit refusals by kind, and the database pool.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gatehouse_test_support::both_backends;
use serde_json::json;

use crate::support::*;

async fn scrape(app: &TestApp) -> String {
    let r = app.request(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    r.body.as_str().unwrap().to_owned()
}

/// The value of the series written exactly as `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' '))?.parse().ok())
}

/// Every series (name and labels, without the value).
fn series(text: &str) -> BTreeSet<String> {
    text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.rsplit_once(' ').map(|(s, _)| s.to_owned())).collect()
}

fn form(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn scim(method: &str, path: &str, token: &str, body: Option<serde_json::Value>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty))
        .unwrap()
}

async fn scim_token(app: &TestApp, admin: &str) -> String {
    let r = app.gql(&Auth::Cookie(admin.into()), "mutation { createScimToken { token } }", json!({})).await;
    r.data()["createScimToken"]["token"].as_str().unwrap().to_owned()
}

const LATENCY: &str = "gatehouse_http_request_duration_seconds";

both_backends!(series_after_real_requests, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    let token = scim_token(&app, &admin).await;

    // SCIM: one create, two reads of different users, one miss.
    let r = app
        .request(scim(
            "POST",
            "/scim/v2/acme/Users",
            &token,
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@acme.test", "active": true})),
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.request(scim("GET", &format!("/scim/v2/acme/Users/{id}"), &token, None)).await.status,
        StatusCode::OK
    );
    let missing = uuid::Uuid::new_v4();
    let r = app.request(scim("GET", &format!("/scim/v2/acme/Users/{missing}"), &token, None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A console page (the fallback).
    app.request(Request::get("/users/some-id").body(Body::empty()).unwrap()).await;

    // SSO: an unsigned Response from an unknown issuer, and a hand-over nobody made.
    let unsigned = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>https://idp.unknown.test/</saml:Issuer></samlp:Response>";
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(unsigned)
    };
    let body: String =
        url::form_urlencoded::Serializer::new(String::new()).append_pair("SAMLResponse", &encoded).finish();
    let r = app.request(form("/saml2", &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.request(form("/saml2/complete", "handle=not-a-handle")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let text = scrape(&app).await;
    // Latency by template, never by raw path.
    let user = "method=\"GET\",route=\"/scim/v2/{tenant}/Users/{id}\"";
    assert_eq!(value(&text, &format!("{LATENCY}_count{{{user}}}")), Some(2.0), "{text}");
    assert_eq!(value(&text, &format!("{LATENCY}_bucket{{{user},le=\"+Inf\"}}")), Some(2.0), "{text}");
    assert!(value(&text, &format!("{LATENCY}_sum{{{user}}}")).is_some_and(|s| s > 0.0), "{text}");
    assert!(!text.contains(&id) && !text.contains(&missing.to_string()) && !text.contains("acme"), "{text}");
    assert_eq!(
        value(&text, &format!("{LATENCY}_count{{method=\"POST\",route=\"/scim/v2/{{tenant}}/Users\"}}")),
        Some(1.0)
    );
    assert!(value(&text, &format!("{LATENCY}_count{{method=\"POST\",route=\"/graphql\"}}")).is_some_and(|n| n >= 4.0));
    assert_eq!(value(&text, &format!("{LATENCY}_count{{method=\"GET\",route=\"unmatched\"}}")), Some(1.0), "{text}");
    // Buckets are cumulative, in order, ending with +Inf equal to the count.
    let buckets: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{LATENCY}_bucket{{{user},")))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 15, "{text}");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    for le in ["0.001", "0.01", "0.1", "1", "10", "+Inf"] {
        assert!(text.contains(&format!("{LATENCY}_bucket{{{user},le=\"{le}\"}}")), "{le}");
    }
    assert!(text.contains(&format!("# TYPE {LATENCY} histogram")));

    // SCIM by method and status.
    assert_eq!(value(&text, "gatehouse_scim_requests_total{method=\"POST\",status=\"201\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "gatehouse_scim_requests_total{method=\"GET\",status=\"200\"}"), Some(1.0));
    assert_eq!(value(&text, "gatehouse_scim_requests_total{method=\"GET\",status=\"404\"}"), Some(1.0));

    // Sign-ins by reason, and the duration of each step.
    let failure = |reason: &str| format!("gatehouse_sso_sign_ins_total{{outcome=\"failure\",reason=\"{reason}\"}}");
    assert_eq!(value(&text, &failure("unknown_issuer")), Some(1.0), "{text}");
    assert_eq!(value(&text, "gatehouse_sso_sign_ins_total{outcome=\"success\",reason=\"success\"}"), Some(0.0));
    assert_eq!(value(&text, &failure("internal_error")), Some(0.0));
    let failures: f64 = text
        .lines()
        .filter(|l| l.starts_with("gatehouse_sso_sign_ins_total{outcome=\"failure\""))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<f64>().unwrap())
        .sum();
    assert_eq!(failures, 2.0, "{text}");
    for step in ["acs", "complete"] {
        let count = format!("gatehouse_sso_sign_in_duration_seconds_count{{step=\"{step}\"}}");
        assert_eq!(value(&text, &count), Some(1.0), "{text}");
        let inf = format!("gatehouse_sso_sign_in_duration_seconds_bucket{{step=\"{step}\",le=\"+Inf\"}}");
        assert_eq!(value(&text, &inf), Some(1.0), "{text}");
    }

    // The pool: at least one connection open, never more than the maximum.
    let idle = value(&text, "gatehouse_db_pool_connections{state=\"idle\"}").expect("idle");
    let in_use = value(&text, "gatehouse_db_pool_connections{state=\"in_use\"}").expect("in use");
    let max = value(&text, "gatehouse_db_pool_max_connections").expect("max");
    assert!(idle + in_use >= 1.0 && idle + in_use <= max, "{text}");
    assert_eq!(value(&text, "gatehouse_rate_limited_total{kind=\"acs\"}"), Some(0.0));

    // Every metric the Grafana dashboard queries is in this scrape.
    let names: BTreeSet<&str> =
        text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split(['{', ' ']).next()).collect();
    let queried = dashboard_metrics();
    assert!(queried.len() >= 8, "{queried:?}");
    for name in &queried {
        assert!(names.contains(name.as_str()), "the dashboard queries {name}, which /metrics lacks");
    }
});

/// The `gatehouse_*` names in the queries of docker/grafana/dashboards/gatehouse.json.
fn dashboard_metrics() -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        ("expr", Some(expr)) => {
                            for (i, _) in expr.match_indices("gatehouse_") {
                                let name: String = expr[i..]
                                    .chars()
                                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                                    .collect();
                                out.insert(name);
                            }
                        }
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let json = include_str!("../../../../docker/grafana/dashboards/gatehouse.json");
    let dashboard: serde_json::Value = serde_json::from_str(json).expect("the dashboard is JSON");
    let mut out = BTreeSet::new();
    walk(&dashboard, &mut out);
    out
}

both_backends!(ids_in_paths_add_no_series, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    let token = scim_token(&app, &admin).await;
    let round = |n: usize| {
        let app = &app;
        let token = token.clone();
        async move {
            for _ in 0..n {
                let id = uuid::Uuid::new_v4();
                let r = app.request(scim("GET", &format!("/scim/v2/acme/Users/{id}"), &token, None)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND);
                let r = app.request(scim("GET", &format!("/scim/v2/acme/Groups/{id}"), &token, None)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND);
                app.request(Request::get(format!("/users/{id}")).body(Body::empty()).unwrap()).await;
                app.request(Request::get(format!("/no/such/{id}/path")).body(Body::empty()).unwrap()).await;
            }
        }
    };
    scrape(&app).await; // `/metrics` itself is a route with its series
    round(1).await;
    let before = scrape(&app).await;
    round(20).await;
    let after = scrape(&app).await;
    let new: Vec<_> = series(&after).difference(&series(&before)).cloned().collect();
    assert!(new.is_empty(), "new series appeared: {new:?}");
    let groups = "method=\"GET\",route=\"/scim/v2/{tenant}/Groups/{id}\"";
    assert_eq!(value(&after, &format!("{LATENCY}_count{{{groups}}}")), Some(21.0), "{after}");
    assert_eq!(value(&after, &format!("{LATENCY}_count{{method=\"GET\",route=\"unmatched\"}}")), Some(42.0));
});

both_backends!(rate_limit_refusals_are_counted_by_kind, |db| async move {
    let app = TestApp::new(db).await;
    app.operator().await;
    let mut refused = false;
    for _ in 0..40 {
        let r = app.request(form("/login", "email=ops%40gatehouse.test&password=wrong")).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = true;
            break;
        }
    }
    assert!(refused, "the password sign-in was never throttled");
    let text = scrape(&app).await;
    assert_eq!(value(&text, "gatehouse_rate_limited_total{kind=\"password_sign_in\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "gatehouse_rate_limited_total{kind=\"api_token\"}"), Some(0.0));
    for kind in ["acs", "scim_token", "graphql_operation"] {
        assert_eq!(value(&text, &format!("gatehouse_rate_limited_total{{kind=\"{kind}\"}}")), Some(0.0), "{kind}");
    }
    assert!(value(&text, &format!("{LATENCY}_count{{method=\"POST\",route=\"/login\"}}")).is_some_and(|n| n >= 2.0));
});

both_backends!(graphql_and_scim_refusals_are_counted, |db: gatehouse_test_support::TestDb| async move {
    let cfg = gatehouse_server::config::Config {
        public_url: Some(PUBLIC_URL.into()),
        database_url: db.url().into(),
        throttle_scim_requests_per_minute: 2,
        ..gatehouse_server::config::Config::default()
    };
    let state = gatehouse_server::state(&cfg, db.conn().clone()).expect("state");
    let app = TestApp { router: gatehouse_server::app(state.clone()), state, db };
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    let token = scim_token(&app, &admin).await;
    let mut scim_refused = 0;
    for _ in 0..6 {
        let r = app.request(scim("GET", "/scim/v2/acme/Users", &token, None)).await;
        scim_refused += u32::from(r.status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(scim_refused > 0, "the SCIM token was never throttled");
    let mut gql_refused = false;
    for _ in 0..40 {
        let r = app
            .gql(
                &Auth::Anonymous,
                "mutation { signIn(email:\"ops@gatehouse.test\", password:\"wrong\"){ me { email } } }",
                json!({}),
            )
            .await;
        if r.code() == Some("RATE_LIMITED") {
            gql_refused = true;
            break;
        }
    }
    assert!(gql_refused, "signIn was never throttled");
    let text = scrape(&app).await;
    let kind = |k: &str| value(&text, &format!("gatehouse_rate_limited_total{{kind=\"{k}\"}}"));
    assert_eq!(kind("scim_token"), Some(f64::from(scim_refused)), "{text}");
    assert_eq!(kind("graphql_operation"), Some(1.0), "{text}");
    assert_eq!(
        value(&text, "gatehouse_scim_requests_total{method=\"GET\",status=\"429\"}"),
        Some(f64::from(scim_refused))
    );
});

//! `/metrics` scraped after real requests through the router, on SQLite and PostgreSQL:
//! latency histograms under route templates (a path full of IDs adds no series), SCIM by
//! method and status, sign-in outcomes by reason code with their duration histogram,
//! rate-limit refusals by kind, and the database pool.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gatehouse_test_support::both_backends;
use openmetrics_parser::{HistogramValue, MetricsExposition, PrometheusType, PrometheusValue};
use serde_json::json;

use crate::support::*;

/// A `/metrics` scrape, read by a Prometheus text-format parser (`openmetrics-parser`'s
/// grammar for the 0.0.4 text format), not by string matching: output it refuses fails the
/// test. (`prometheus-parse` was tried first; its label regex stops at the first `}`, so it
/// cannot read route templates such as `/scim/v2/{tenant}/Users`.)
struct Scrape {
    text: String,
    parsed: MetricsExposition<PrometheusType, PrometheusValue>,
}

async fn scrape(app: &TestApp) -> Scrape {
    let r = app.request(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let content_type = r.content_type.as_deref().unwrap_or_default();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = r.body.as_str().unwrap().to_owned();
    let parsed = openmetrics_parser::prometheus::parse_prometheus(&text)
        .unwrap_or_else(|e| panic!("/metrics is not in the Prometheus text format: {e:?}\n{text}"));
    Scrape { text, parsed }
}

impl Scrape {
    fn find(&self, metric: &str, labels: &[(&str, &str)]) -> Option<&PrometheusValue> {
        let family = self.parsed.families.get(metric)?;
        family.iter_samples().find_map(|sample| {
            let set = sample.get_labelset().ok()?;
            let same =
                set.iter().count() == labels.len() && labels.iter().all(|(k, v)| set.get_label_value(k) == Some(*v));
            same.then_some(&sample.value)
        })
    }

    /// The value of a counter or gauge series.
    fn value(&self, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
        match self.find(metric, labels)? {
            PrometheusValue::Counter(c) => Some(c.value.as_f64()),
            PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => Some(n.as_f64()),
            PrometheusValue::Histogram(_) | PrometheusValue::Summary(_) => None,
        }
    }

    /// A histogram series.
    fn histogram(&self, metric: &str, labels: &[(&str, &str)]) -> Option<&HistogramValue> {
        match self.find(metric, labels)? {
            PrometheusValue::Histogram(h) => Some(h),
            _ => None,
        }
    }

    /// A histogram's observation count.
    fn count(&self, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.histogram(metric, labels).and_then(|h| h.count).map(|c| c as f64)
    }

    /// Every series (family name and labels).
    fn series(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (name, family) in &self.parsed.families {
            for sample in family.iter_samples() {
                let labels: Vec<String> = sample
                    .get_labelset()
                    .map(|set| set.iter().map(|(k, v)| format!("{k}={v:?}")).collect())
                    .unwrap_or_default();
                out.insert(format!("{name}{{{}}}", labels.join(",")));
            }
        }
        out
    }

    /// The metric family names.
    fn names(&self) -> BTreeSet<String> {
        self.parsed.families.keys().cloned().collect()
    }

    /// A counter's series summed over the labels not named.
    fn total(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        let Some(family) = self.parsed.families.get(metric) else { return 0.0 };
        family
            .iter_samples()
            .filter(|s| {
                s.get_labelset().is_ok_and(|set| labels.iter().all(|(k, v)| set.get_label_value(k) == Some(*v)))
            })
            .map(|s| match &s.value {
                PrometheusValue::Counter(c) => c.value.as_f64(),
                PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
                PrometheusValue::Histogram(_) | PrometheusValue::Summary(_) => 0.0,
            })
            .sum()
    }
}

impl std::fmt::Display for Scrape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
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
    let user = [("method", "GET"), ("route", "/scim/v2/{tenant}/Users/{id}")];
    assert_eq!(text.count(LATENCY, &user), Some(2.0), "{text}");
    let sum = text.histogram(LATENCY, &user).and_then(|h| h.sum).map(|s| s.as_f64());
    assert!(sum.is_some_and(|s| s > 0.0), "{text}");
    assert!(
        !text.text.contains(&id) && !text.text.contains(&missing.to_string()) && !text.text.contains("acme"),
        "{text}"
    );
    let count = |method: &str, route: &str| text.count(LATENCY, &[("method", method), ("route", route)]);
    assert_eq!(count("POST", "/scim/v2/{tenant}/Users"), Some(1.0));
    assert!(count("POST", "/graphql").is_some_and(|n| n >= 4.0));
    assert_eq!(count("GET", "unmatched"), Some(1.0), "{text}");
    // Buckets are cumulative, in order, ending with +Inf equal to the count.
    let buckets: Vec<(f64, f64)> =
        text.histogram(LATENCY, &user).unwrap().buckets.iter().map(|b| (b.upper_bound, b.count.as_f64())).collect();
    assert_eq!(buckets.len(), 15, "{text}");
    assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "{buckets:?}");
    assert_eq!(buckets.last(), Some(&(f64::INFINITY, 2.0)));
    for le in [0.001, 0.01, 0.1, 1.0, 10.0] {
        assert!(buckets.iter().any(|(b, _)| *b == le), "{le}");
    }
    assert!(text.text.contains(&format!("# TYPE {LATENCY} histogram")));

    // SCIM by method and status.
    let scim_count = |method: &str, status: &str| {
        text.value("gatehouse_scim_requests_total", &[("method", method), ("status", status)])
    };
    assert_eq!(scim_count("POST", "201"), Some(1.0), "{text}");
    assert_eq!(scim_count("GET", "200"), Some(1.0));
    assert_eq!(scim_count("GET", "404"), Some(1.0));

    // Sign-ins by reason, and the duration of each step.
    let sign_ins = |outcome: &str, reason: &str| {
        text.value("gatehouse_sso_sign_ins_total", &[("outcome", outcome), ("reason", reason)])
    };
    assert_eq!(sign_ins("failure", "unknown_issuer"), Some(1.0), "{text}");
    assert_eq!(sign_ins("success", "success"), Some(0.0));
    assert_eq!(sign_ins("failure", "internal_error"), Some(0.0));
    assert_eq!(text.total("gatehouse_sso_sign_ins_total", &[("outcome", "failure")]), 2.0, "{text}");
    for step in ["acs", "complete"] {
        let step = [("step", step)];
        assert_eq!(text.count("gatehouse_sso_sign_in_duration_seconds", &step), Some(1.0), "{text}");
        let h = text.histogram("gatehouse_sso_sign_in_duration_seconds", &step).unwrap();
        assert_eq!(h.buckets.last().map(|b| (b.upper_bound, b.count.as_f64())), Some((f64::INFINITY, 1.0)));
    }

    // The pool: at least one connection open, never more than the maximum.
    let idle = text.value("gatehouse_db_pool_connections", &[("state", "idle")]).expect("idle");
    let in_use = text.value("gatehouse_db_pool_connections", &[("state", "in_use")]).expect("in use");
    let max = text.value("gatehouse_db_pool_max_connections", &[]).expect("max");
    assert!(idle + in_use >= 1.0 && idle + in_use <= max, "{text}");
    // The connections kept for sign-ins: on PostgreSQL the ACS's first read opened one, on
    // SQLite the hand-over's batch opened the sign-in writer (its only connection).
    let kept = text.value("gatehouse_db_sign_in_connections", &[]).expect("sign-in connections");
    let pg = app.db.backend() == gatehouse_test_support::Backend::Postgres;
    assert!(if pg { kept >= 1.0 } else { kept == 1.0 }, "{text}");
    assert_eq!(text.value("gatehouse_rate_limited_total", &[("kind", "acs")]), Some(0.0));

    // Every metric the Grafana dashboard queries is in this scrape (a histogram's
    // `_bucket`, `_sum` and `_count` under its own name).
    let names = text.names();
    let queried = dashboard_metrics();
    assert!(queried.len() >= 8, "{queried:?}");
    for name in &queried {
        let base = ["_bucket", "_sum", "_count"].iter().find_map(|suffix| name.strip_suffix(suffix)).unwrap_or(name);
        assert!(names.contains(name) || names.contains(base), "the dashboard queries {name}, which /metrics lacks");
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
    let new: Vec<_> = after.series().difference(&before.series()).cloned().collect();
    assert!(new.is_empty(), "new series appeared: {new:?}");
    let count = |route: &str| after.count(LATENCY, &[("method", "GET"), ("route", route)]);
    assert_eq!(count("/scim/v2/{tenant}/Groups/{id}"), Some(21.0), "{after}");
    assert_eq!(count("unmatched"), Some(42.0));
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
    let kind = |k: &str| text.value("gatehouse_rate_limited_total", &[("kind", k)]);
    assert_eq!(kind("password_sign_in"), Some(1.0), "{text}");
    for k in ["acs", "api_token", "scim_token", "graphql_operation"] {
        assert_eq!(kind(k), Some(0.0), "{k}");
    }
    let logins = text.count(LATENCY, &[("method", "POST"), ("route", "/login")]);
    assert!(logins.is_some_and(|n| n >= 2.0));
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
    let kind = |k: &str| text.value("gatehouse_rate_limited_total", &[("kind", k)]);
    assert_eq!(kind("scim_token"), Some(f64::from(scim_refused)), "{text}");
    assert_eq!(kind("graphql_operation"), Some(1.0), "{text}");
    assert_eq!(
        text.value("gatehouse_scim_requests_total", &[("method", "GET"), ("status", "429")]),
        Some(f64::from(scim_refused))
    );
});

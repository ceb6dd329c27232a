//! OpenTelemetry traces of a real SSO sign-in (the signed fixtures of
//! `crates/saml/tests/fixtures`, signed by the xmlsec1 CLI, never by Gatehouse), received by an
//! in-process OTLP/HTTP collector that decodes the protobuf export: span names, the route
//! attribute, parent-child links, the trace ID in JSON log lines; and a sign-in that still
//! succeeds when the collector is unreachable.
//!
//! Each test installs its subscriber for its own thread (`set_default`), so nothing here is
//! process-wide.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use chrono::{DateTime, TimeZone as _, Utc};
use gatehouse_identity::*;
use gatehouse_server::config::LogFormat;
use gatehouse_server::telemetry::{Telemetry, TraceSettings};
use gatehouse_test_support::{TestDb, both_backends};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;

use crate::logs::Logs;
use crate::support::*;

/// The fixtures' SP and IdP (see crates/identity/tests/it/saml_fixtures.rs).
const FIXTURE_URL: &str = "https://gatehouse.example.com";
const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ISSUER: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
const ALICE: &str = "alice@contoso.com";

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../saml/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path} unreadable: {e}"))
}

/// Half a minute after the fixtures' IssueInstant.
fn fixture_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).single().unwrap()
}

/// The router on the fixtures' SP, its clock at the fixtures' time, with contoso trusting
/// the fixtures' Entra tenant (IdP-initiated sign-in allowed) and Alice active.
async fn fixture_app(db: TestDb) -> TestApp {
    let mut app = TestApp::with_public_url(db, FIXTURE_URL).await;
    let sp = ServiceProvider::from_public_url(FIXTURE_URL).unwrap();
    let identity =
        Identity::new(app.db.conn().clone(), Arc::new(ManualClock::new(fixture_time())), SessionPolicy::default(), sp);
    let created = identity
        .create_tenant(
            &OperatorScope::for_tests("test"),
            NewTenant {
                slug: "contoso".into(),
                name: "Contoso".into(),
                admin_email: "admin@contoso.example.com".into(),
                admin_password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    let principal =
        Principal::for_tests_user(created.tenant.id, created.admin.id, &created.admin.email, Role::TenantAdmin);
    let scope = identity.tenant_scope(&principal).unwrap().admin().unwrap();
    identity.add_idp_certificate(&scope, &fixture("keys/idp.crt")).await.unwrap();
    identity
        .update_sso_connection(
            &scope,
            SsoConnectionInput {
                enabled: true,
                provider: IdpProvider::EntraId,
                login_url: Some(format!("https://login.microsoftonline.com/{TID}/saml2")),
                issuer: Some(ISSUER.into()),
                logout_url: None,
                login_policy: LoginPolicy::PasswordOrSso,
                allow_idp_initiated: true,
                jit_provisioning: None,
                sign_authn_requests: None,
                require_encrypted_assertions: None,
                expected_version: None,
            },
        )
        .await
        .unwrap();
    identity
        .create_user(
            &scope,
            NewUser { email: ALICE.into(), federation_id: Some(ALICE.into()), active: true, ..NewUser::default() },
        )
        .await
        .unwrap();
    app.state.identity = identity;
    app.router = gatehouse_server::app(app.state.clone());
    app
}

fn form(path: &str, body: String) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, FIXTURE_URL)
        .body(Body::from(body))
        .unwrap()
}

/// An IdP-initiated sign-in with `entra_unsolicited`: the ACS, then the hand-over.
async fn sign_in(app: &TestApp) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(fixture("responses/entra_unsolicited.xml"));
    let body = url::form_urlencoded::Serializer::new(String::new()).append_pair("SAMLResponse", &encoded).finish();
    let r = app.request(form("/saml2", body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = r.body.as_str().unwrap();
    let handle = page.split("name=\"handle\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    let body = url::form_urlencoded::Serializer::new(String::new()).append_pair("handle", handle).finish();
    let r = app.request(form("/saml2/complete", body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!r.set_cookie.is_empty(), "a session cookie is set");
}

/// What the collector received.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<ExportTraceServiceRequest>>>);

impl Received {
    fn spans(&self) -> Vec<Span> {
        let exports = self.0.lock().unwrap();
        exports
            .iter()
            .flat_map(|e| &e.resource_spans)
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| s.spans.clone())
            .collect()
    }

    fn service_names(&self) -> Vec<String> {
        let exports = self.0.lock().unwrap();
        exports
            .iter()
            .flat_map(|e| &e.resource_spans)
            .filter_map(|r| r.resource.as_ref())
            .flat_map(|r| &r.attributes)
            .filter(|kv| kv.key == "service.name")
            .filter_map(|kv| string(kv.value.as_ref()?.value.as_ref()?))
            .collect()
    }
}

fn string(v: &Any) -> Option<String> {
    match v {
        Any::StringValue(s) => Some(s.clone()),
        _ => None,
    }
}

/// An OTLP/HTTP collector on a local port: `POST /v1/traces`, protobuf bodies.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let store = received.clone();
    let router = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "application/x-protobuf");
                let export = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
                store.0.lock().unwrap().push(export);
                ([(header::CONTENT_TYPE, "application/x-protobuf")], Vec::<u8>::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/v1/traces"), received)
}

/// Exports what is queued (the exporter blocks, so off the async threads).
async fn flush(telemetry: Telemetry) -> bool {
    tokio::task::spawn_blocking(move || {
        let flushed = telemetry.force_flush();
        telemetry.shutdown();
        flushed
    })
    .await
    .unwrap()
}

fn attr(span: &Span, key: &str) -> Option<Any> {
    span.attributes.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.clone()?.value)
}

fn named<'s>(spans: &'s [Span], name: &str) -> &'s Span {
    let found: Vec<&Span> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "one span {name} among {:?}", spans.iter().map(|s| &s.name).collect::<Vec<_>>());
    found[0]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

both_backends!(a_sign_in_is_traced_to_the_collector, |db| async move {
    let (url, received) = collector().await;
    let logs = Logs::default();
    let writer = logs.clone();
    let settings = TraceSettings { traces_url: url, service_name: "gatehouse-test".into() };
    let (subscriber, telemetry) =
        gatehouse_server::telemetry::subscriber(LogFormat::Json, Some(&settings), move || writer.clone()).unwrap();
    let telemetry = telemetry.expect("traces configured");
    let app = fixture_app(db).await;
    {
        let _installed = tracing::subscriber::set_default(subscriber);
        sign_in(&app).await;
        // A request that logs (a GraphQL POST that is not JSON is refused with a log line).
        let r = app
            .request(
                Request::post("/graphql").header(header::CONTENT_TYPE, "text/plain").body(Body::from("{}")).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert!(flush(telemetry).await, "the export reached the collector");

    let spans = received.spans();
    assert!(received.service_names().iter().all(|n| n == "gatehouse-test"), "{:?}", received.service_names());
    // The ACS request: a root span named after its route template, with route and status.
    let acs = named(&spans, "POST /saml2");
    assert!(acs.parent_span_id.is_empty(), "the request span is the root");
    assert_eq!(attr(acs, "http.route"), Some(Any::StringValue("/saml2".into())));
    assert_eq!(attr(acs, "http.request.method"), Some(Any::StringValue("POST".into())));
    assert_eq!(attr(acs, "http.response.status_code"), Some(Any::IntValue(200)));
    // Under it the identity crate's work: routing read, the ACS, validation on the blocking
    // pool, and the write transaction — all in the request's trace.
    let consume = named(&spans, "consume");
    assert_eq!(consume.parent_span_id, acs.span_id);
    assert_eq!(named(&spans, "sso.admission_read").parent_span_id, acs.span_id);
    let validate = named(&spans, "saml.validate");
    assert_eq!(validate.parent_span_id, consume.span_id, "validation nests under the ACS");
    let finish = named(&spans, "acs.finish");
    assert_eq!(finish.parent_span_id, consume.span_id);
    assert!(matches!(attr(finish, "gatehouse.tenant_id"), Some(Any::StringValue(id)) if !id.is_empty()));
    for s in [consume, validate, finish] {
        assert_eq!(s.trace_id, acs.trace_id);
    }
    // The hand-over: its own trace, with the identity's span under it.
    let complete = named(&spans, "POST /saml2/complete");
    assert_eq!(attr(complete, "http.response.status_code"), Some(Any::IntValue(303)));
    assert_ne!(complete.trace_id, acs.trace_id);
    assert_eq!(named(&spans, "sso.complete").parent_span_id, complete.span_id);
    // A raw path never names a span: the SAML Response, the handle are nowhere.
    assert!(spans.iter().all(|s| !s.name.contains("handle") && s.name.len() < 40));

    // JSON log lines inside a traced request carry its trace ID; lines outside do not.
    let graphql = named(&spans, "POST /graphql");
    let lines = logs.json_lines();
    let refused = lines
        .iter()
        .find(|l| l["message"].as_str().is_some_and(|m| m.contains("GraphQL request refused")))
        .expect("the refusal was logged");
    assert_eq!(refused["trace_id"].as_str(), Some(hex(&graphql.trace_id).as_str()), "{refused}");
    assert!(lines.iter().filter(|l| l["trace_id"].is_string()).all(|l| {
        let id = l["trace_id"].as_str().unwrap();
        spans.iter().any(|s| hex(&s.trace_id) == id)
    }));
});

both_backends!(a_sign_in_succeeds_when_the_collector_is_unreachable, |db| async move {
    // A port nothing listens on.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let settings = TraceSettings { traces_url: format!("http://{closed}/v1/traces"), service_name: "gatehouse".into() };
    let (subscriber, telemetry) =
        gatehouse_server::telemetry::subscriber(LogFormat::Json, Some(&settings), std::io::sink).unwrap();
    let app = fixture_app(db).await;
    {
        let _installed = tracing::subscriber::set_default(subscriber);
        sign_in(&app).await;
    }
    // The export fails (connection refused) and is dropped; nothing panics or hangs.
    assert!(!flush(telemetry.expect("traces configured")).await, "an export to a closed port cannot succeed");
});

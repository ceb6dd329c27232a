//! `TestApp`: the real router over a fresh database, and a GraphQL request helper.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gatehouse_server::config::Config;
use gatehouse_test_support::TestDb;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";
pub const PUBLIC_URL: &str = "http://gatehouse.test";

pub struct TestApp {
    pub router: Router,
    pub state: gatehouse_server::AppState,
    pub db: TestDb,
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    Cookie(String),
    Bearer(String),
    /// An operator's session acting on the named tenant.
    Operator(String, String),
}

/// The SQL statements a counting app has sent so far.
#[derive(Clone, Default)]
pub struct Statements(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Statements {
    pub fn now(&self) -> usize {
        self.0.lock().expect("statements").len()
    }

    /// The statements sent since the `now()` given.
    pub fn since(&self, from: usize) -> Vec<String> {
        self.0.lock().expect("statements")[from..].to_vec()
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub set_cookie: Vec<String>,
    pub body: Value,
}

impl Reply {
    /// The `extensions.code` of the first error, if any.
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// `extensions.limit` of the first error (which query limit refused it).
    pub fn limit(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["limit"].as_str()
    }

    pub fn data(&self) -> &Value {
        assert!(self.body["errors"].is_null(), "unexpected errors: {}", self.body);
        &self.body["data"]
    }
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        Self::with_public_url(db, PUBLIC_URL).await
    }

    /// An app whose database connection counts every statement it sends.
    pub async fn counting(db: TestDb) -> (TestApp, Statements) {
        let statements = Statements::default();
        let seen = statements.0.clone();
        let mut conn = db.conn().clone();
        conn.set_metric_callback(move |info| {
            seen.lock().expect("statements").push(info.statement.sql.clone());
        });
        let cfg = Config { public_url: Some(PUBLIC_URL.into()), database_url: db.url().into(), ..Config::default() };
        let state = gatehouse_server::state(&cfg, conn).expect("state");
        let router = gatehouse_server::app(state.clone());
        (TestApp { router, state, db }, statements)
    }

    pub async fn with_public_url(db: TestDb, public_url: &str) -> TestApp {
        Self::configured(db, |cfg| cfg.public_url = Some(public_url.into())).await
    }

    /// An app on the test public URL with some settings changed.
    pub async fn configured(db: TestDb, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut cfg =
            Config { public_url: Some(PUBLIC_URL.into()), database_url: db.url().into(), ..Config::default() };
        change(&mut cfg);
        let state = gatehouse_server::state(&cfg, db.conn().clone()).expect("state");
        let router = gatehouse_server::app(state.clone());
        TestApp { router, state, db }
    }

    pub async fn request(&self, req: Request<Body>) -> Reply {
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        let status = resp.status();
        let location = resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let set_cookie = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .collect();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply { status, location, content_type, set_cookie, body }
    }

    /// A subscription run on the schema in-process (no socket), as `auth`.
    pub async fn subscribe(
        &self,
        auth: &Auth,
        query: &str,
    ) -> std::pin::Pin<Box<dyn futures_util::Stream<Item = async_graphql::Response> + Send>> {
        let identity = &self.state.identity;
        let mut request = gatehouse_graphql::RequestAuth::default();
        match auth {
            Auth::Anonymous => {}
            Auth::Cookie(c) => request.principal = identity.resolve_session(c).await.expect("session"),
            Auth::Bearer(t) => request.principal = identity.resolve_api_token(t).await.expect("token"),
            Auth::Operator(c, tenant) => {
                request.principal = identity.resolve_session(c).await.expect("session");
                request.operator_tenant = Some(tenant.clone());
            }
        }
        self.state.schema.execute_stream(async_graphql::Request::new(query).data(request))
    }

    pub async fn gql(&self, auth: &Auth, query: &str, variables: Value) -> Reply {
        let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        match auth {
            Auth::Anonymous => {}
            Auth::Cookie(c) => req = req.header(header::COOKIE, format!("gatehouse_session={c}")),
            Auth::Bearer(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
            Auth::Operator(c, tenant) => {
                req = req.header(header::COOKIE, format!("gatehouse_session={c}")).header("x-gatehouse-tenant", tenant)
            }
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        self.request(req.body(Body::from(body)).expect("request")).await
    }

    /// Signs in and returns the session cookie's value.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self
            .gql(
                &Auth::Anonymous,
                "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }",
                json!({"e": email, "p": password}),
            )
            .await;
        r.data();
        session_from(&r.set_cookie).expect("session cookie set")
    }

    /// The platform operator's session (created directly in the services).
    pub async fn operator(&self) -> String {
        let id = &self.state.identity;
        id.create_operator(&gatehouse_identity::OperatorScope::for_tests("test"), "ops@gatehouse.test", PASSWORD)
            .await
            .expect("operator");
        self.sign_in("ops@gatehouse.test", PASSWORD).await
    }

    /// A tenant with its admin signed in; returns the admin's session cookie.
    pub async fn tenant(&self, op: &str, slug: &str) -> String {
        let r = self
            .gql(
                &Auth::Cookie(op.into()),
                "mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }",
                json!({"i": {"slug": slug, "name": slug, "adminEmail": format!("admin@{slug}.test"), "adminPassword": PASSWORD}}),
            )
            .await;
        r.data();
        self.sign_in(&format!("admin@{slug}.test"), PASSWORD).await
    }
}

pub fn session_from(set_cookie: &[String]) -> Option<String> {
    set_cookie
        .iter()
        .find_map(|c| c.strip_prefix("gatehouse_session=").or_else(|| c.strip_prefix("__Host-gatehouse_session=")))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// The names of every query, mutation and subscription in the schema.
pub fn schema_operations() -> Vec<String> {
    let sdl = gatehouse_graphql::schema_sdl();
    let mut ops = Vec::new();
    for block in ["type Query {", "type Mutation {", "type Subscription {"] {
        let start = sdl.find(block).expect("root type") + block.len();
        let body = &sdl[start..start + sdl[start..].find("\n}").expect("end")];
        let mut in_doc = false;
        for line in body.lines().map(str::trim) {
            if line.starts_with("\"\"\"") {
                in_doc = !(in_doc || line.len() > 3 && line.ends_with("\"\"\""));
                continue;
            }
            if in_doc || line.is_empty() {
                continue;
            }
            let name: String = line.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            ops.push(name);
        }
    }
    ops
}

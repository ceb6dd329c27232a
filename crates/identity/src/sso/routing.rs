//! The ACS's first read, made once: the rate-limit state of the client address and of the
//! Issuer ([`Identity::acs_admission`]), the pending request the Response names, and the SSO
//! connection that will check it — one statement where there were two (IdP-initiated) or
//! three (SP-initiated).
//!
//! Nothing read here is trusted: the Issuer and InResponseTo are unverified. They only choose
//! which tenant's certificates the signature must verify against, and the request is used up
//! only by a Response whose *signed* InResponseTo names it (`acs.rs`), exactly as when these
//! rows were read one by one.

use std::sync::LazyLock;

use sea_orm::{DbBackend, FromQueryResult, Iterable, QueryResult, Statement, Value};

use crate::Identity;
use crate::error::Result;
use crate::model::RequestPurpose;
use crate::store::entities::{sso_connection, sso_request};
use gatehouse_saml::response::ResponsePeek;

/// The tenant-routing rows of one Response, as found at admission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Routing {
    /// The pending login or test request the InResponseTo names (expired or not); `None`
    /// for an IdP-initiated Response or an unknown ID.
    pub request: Option<sso_request::Model>,
    /// SP-initiated: the connection of the request's tenant; IdP-initiated: the connection
    /// whose Issuer the Response names.
    pub connection: Option<sso_connection::Model>,
    /// SP-initiated: the tenant whose connection has the Response's Issuer (for the log entry
    /// of a Response to an unknown request).
    pub issuer_tenant: Option<uuid::Uuid>,
    /// The name of the connection's tenant: the hand-over page speaks for it once the
    /// Response has passed that tenant's checks.
    pub tenant_name: Option<String>,
}

/// What the admission statement read.
pub(crate) struct AdmissionRead {
    /// `next_allowed_ms` of the address and of the Issuer, when in the future.
    pub address_next: Option<i64>,
    pub issuer_next: Option<i64>,
    pub routing: Option<Routing>,
}

/// Positional parameters for either backend (`$n` on PostgreSQL, `?` in order on SQLite).
struct Binder {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Binder {
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// `alias."column" AS "prefixcolumn", …` for every column of an entity.
fn columns<C: Iterable + sea_orm::IdenStatic>(alias: &str, prefix: &str) -> String {
    C::iter().map(|c| format!("{alias}.\"{0}\" AS \"{prefix}{0}\"", c.as_str())).collect::<Vec<_>>().join(", ")
}

/// The column lists of the admission statement, made once per process.
static CONNECTION_COLUMNS: LazyLock<String> = LazyLock::new(|| columns::<sso_connection::Column>("c", "c_"));
static REQUEST_COLUMNS: LazyLock<String> = LazyLock::new(|| columns::<sso_request::Column>("r", "r_"));

/// The row's `prefix`ed model, or `None` when its LEFT JOIN found nothing.
fn model<M: FromQueryResult>(row: &QueryResult, prefix: &str) -> Result<Option<M>> {
    if row.try_get::<Option<uuid::Uuid>>(prefix, "tenant_id")?.is_none() {
        return Ok(None);
    }
    Ok(Some(M::from_query_result(row, prefix)?))
}

impl Identity {
    /// One statement: the two rate-limit rows (stored keys, `None` when there is no key),
    /// and — when the Response could be read — its routing rows.
    #[tracing::instrument(name = "sso.admission_read", skip_all)]
    pub(crate) async fn admission_read(
        &self,
        address_key: Option<String>,
        issuer_key: Option<String>,
        now_ms: i64,
        peek: Option<&ResponsePeek>,
    ) -> Result<AdmissionRead> {
        let mut b = Binder { backend: self.db.get_database_backend(), values: Vec::new() };
        let wait = |b: &mut Binder, key: Option<String>, name: &str| match key {
            Some(k) => {
                let (k, at) = (b.bind(k), b.bind(now_ms));
                format!(
                    "(SELECT next_allowed_ms FROM rate_limits WHERE \"key\" = {k} AND next_allowed_ms > {at}) AS {name}"
                )
            }
            None => format!("CAST(NULL AS BIGINT) AS {name}"),
        };
        let address = wait(&mut b, address_key, "gh_address_next");
        let issuer = wait(&mut b, issuer_key, "gh_issuer_next");
        let mut sql = format!("SELECT {address}, {issuer}");
        if let Some(p) = peek {
            let conn_cols = CONNECTION_COLUMNS.as_str();
            match &p.in_response_to {
                Some(id) => {
                    let iss = b.bind(p.issuer.clone());
                    let (rid, login, test) = (
                        b.bind(id.clone()),
                        b.bind(RequestPurpose::Login.as_str()),
                        b.bind(RequestPurpose::Test.as_str()),
                    );
                    sql += &format!(
                        ", (SELECT tenant_id FROM sso_connections WHERE issuer = {iss} LIMIT 1) AS gh_issuer_tenant, {}, {conn_cols}, \
                         t.name AS gh_tenant_name \
                         FROM (SELECT 1 AS one) AS gh \
                         LEFT JOIN sso_requests r ON r.id = {rid} AND r.purpose IN ({login}, {test}) \
                         LEFT JOIN sso_connections c ON c.tenant_id = r.tenant_id \
                         LEFT JOIN tenants t ON t.id = c.tenant_id",
                        REQUEST_COLUMNS.as_str()
                    );
                }
                None => {
                    let iss = b.bind(p.issuer.clone());
                    sql += &format!(
                        ", {conn_cols}, t.name AS gh_tenant_name FROM (SELECT 1 AS one) AS gh \
                         LEFT JOIN sso_connections c ON c.issuer = {iss} LEFT JOIN tenants t ON t.id = c.tenant_id"
                    );
                }
            }
        }
        let row = self
            .sign_in_query_one(Statement::from_sql_and_values(b.backend, sql, b.values))
            .await?
            .ok_or_else(|| crate::error::Error::internal("the admission statement returned no row"))?;
        let routing = match peek {
            None => None,
            Some(p) => Some(Routing {
                request: if p.in_response_to.is_some() { model(&row, "r_")? } else { None },
                connection: model(&row, "c_")?,
                issuer_tenant: if p.in_response_to.is_some() { row.try_get("", "gh_issuer_tenant")? } else { None },
                tenant_name: row.try_get("", "gh_tenant_name")?,
            }),
        };
        Ok(AdmissionRead {
            address_next: row.try_get("", "gh_address_next")?,
            issuer_next: row.try_get("", "gh_issuer_next")?,
            routing,
        })
    }
}

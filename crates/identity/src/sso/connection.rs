//! A tenant's SSO connection (one per tenant) and its IdP signing certificates.
//!
//! Updates are validated as a whole and fail closed: SSO cannot be enabled without a
//! login URL, an issuer and a certificate valid now; an issuer belongs to one tenant.

use crate::audit::{self, Change, snapshot};
use crate::auth::principal::{AdminScope, TenantScope};
use crate::error::{Error, FieldError, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::{idp_certificate, sso_connection, tenant};
use crate::{Identity, validate};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};

/// Certificates kept per connection; two or three cover any rollover.
pub const MAX_CERTIFICATES: usize = 5;

const MAX_ISSUER_LEN: usize = 1024;

/// The whole SSO configuration as the admin saves it.
#[derive(Clone, Debug)]
pub struct SsoConnectionInput {
    pub enabled: bool,
    pub provider: IdpProvider,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: LoginPolicy,
    pub allow_idp_initiated: bool,
    /// Create unknown users at their first SSO sign-in; `None` keeps the current setting.
    pub jit_provisioning: Option<bool>,
    /// The version the admin edited; a newer saved version makes this update a conflict.
    pub expected_version: Option<i32>,
}

/// A stored certificate, and whether it expires soon (under 60 days).
#[derive(Clone, Debug)]
pub struct AddedCertificate {
    pub certificate: IdpCertificate,
    pub expires_soon: bool,
}

fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn valid_at(c: &IdpCertificate, now: DateTime<Utc>) -> bool {
    c.not_before <= now && now < c.not_after
}

fn stale(current: i32) -> Error {
    Error::Conflict {
        field: Some("version".into()),
        message: format!(
            "the SSO settings were changed by someone else (now version {current}); reload and apply your changes again"
        ),
    }
}

fn issuer_taken() -> Error {
    Error::conflict(
        "issuer",
        "this IdP issuer is already used by another tenant; an issuer can belong to one tenant only",
    )
}

/// The connection without its certificates, for audit before/after.
fn settings_only(c: &SsoConnection) -> SsoConnection {
    SsoConnection { certificates: Vec::new(), ..c.clone() }
}

impl Identity {
    /// The tenant's SSO connection with its certificates.
    pub async fn sso_connection(&self, scope: &AdminScope) -> Result<SsoConnection> {
        self.load_connection(&self.db, scope.tenant_id()).await
    }

    #[tracing::instrument(skip(self, scope, input), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn update_sso_connection(&self, scope: &AdminScope, input: SsoConnectionInput) -> Result<SsoConnection> {
        let txn = self.begin_write().await?;
        let after = self.save_sso_connection(&txn, scope, input).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// The settings part of [`Identity::update_sso_connection`], inside the caller's transaction.
    pub(crate) async fn save_sso_connection(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        input: SsoConnectionInput,
    ) -> Result<SsoConnection> {
        let now = self.now();
        let tenant = tenant::Entity::find_by_id(scope.tenant_id().as_uuid())
            .one(txn)
            .await?
            .ok_or(Error::NotFound { what: "tenant" })?;
        let before = self.load_connection(txn, scope.tenant_id()).await?;

        let mut errors: Vec<FieldError> = Vec::new();
        let mut url = |field: &str, v: Option<&str>| -> Option<String> {
            v.and_then(|v| validate::idp_url(field, v, tenant.dev_mode).map_err(|e| errors.push(e)).ok())
        };
        let login_url = url("loginUrl", blank_to_none(&input.login_url));
        let logout_url = url("logoutUrl", blank_to_none(&input.logout_url));
        let issuer = blank_to_none(&input.issuer)
            .and_then(|i| validate::required_text("issuer", i, MAX_ISSUER_LEN).map_err(|e| errors.push(e)).ok());
        if input.enabled {
            if blank_to_none(&input.login_url).is_none() {
                errors.push(FieldError::new("loginUrl", "is required to enable SSO"));
            }
            if blank_to_none(&input.issuer).is_none() {
                errors.push(FieldError::new("issuer", "is required to enable SSO"));
            }
            if !before.certificates.iter().any(|c| c.not_before <= now && now < c.not_after) {
                errors.push(FieldError::new(
                    "certificates",
                    "SSO cannot be enabled without an IdP signing certificate that is valid now; upload the IdP's certificate first",
                ));
            }
        }
        if input.login_policy == LoginPolicy::Sso && !input.enabled {
            errors.push(FieldError::new("loginPolicy", "SSO-only sign-in needs SSO to be enabled"));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        if let Some(expected) = input.expected_version
            && expected != before.version
        {
            return Err(stale(before.version));
        }
        // An issuer belongs to one tenant, enabled or not: IdP-initiated Responses and logout
        // messages find their tenant by it, and Test SSO must never run against another
        // tenant's IdP. The unique index holds it across replicas; this names the field first.
        if let Some(issuer) = &issuer {
            let taken = sso_connection::Entity::find()
                .filter(sso_connection::Column::Issuer.eq(issuer.as_str()))
                .filter(sso_connection::Column::TenantId.ne(scope.tenant_id().as_uuid()))
                .one(txn)
                .await?
                .is_some();
            if taken {
                return Err(issuer_taken());
            }
        }
        let result = sso_connection::Entity::update_many()
            .col_expr(sso_connection::Column::Enabled, Expr::value(input.enabled))
            .col_expr(sso_connection::Column::Provider, Expr::value(input.provider.as_str()))
            .col_expr(sso_connection::Column::LoginUrl, Expr::value(login_url))
            .col_expr(sso_connection::Column::Issuer, Expr::value(issuer))
            .col_expr(sso_connection::Column::LogoutUrl, Expr::value(logout_url))
            .col_expr(sso_connection::Column::LoginPolicy, Expr::value(input.login_policy.as_str()))
            .col_expr(sso_connection::Column::AllowIdpInitiated, Expr::value(input.allow_idp_initiated))
            .col_expr(
                sso_connection::Column::JitProvisioning,
                Expr::value(input.jit_provisioning.unwrap_or(before.jit_provisioning)),
            )
            .col_expr(sso_connection::Column::Version, Expr::value(before.version + 1))
            .col_expr(sso_connection::Column::UpdatedAt, Expr::value(now))
            .filter(sso_connection::Column::Id.eq(before.id.as_uuid()))
            .filter(sso_connection::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .filter(sso_connection::Column::Version.eq(before.version))
            .exec(txn)
            .await
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => issuer_taken(),
                _ => e.into(),
            })?;
        if result.rows_affected != 1 {
            return Err(stale(before.version));
        }
        let after = self.load_connection(txn, scope.tenant_id()).await?;
        audit::record(
            txn,
            now,
            Change::in_scope(
                scope,
                "sso_connection.update",
                "sso_connection",
                after.id,
                snapshot(&settings_only(&before)),
                snapshot(&settings_only(&after)),
            ),
        )
        .await?;
        Ok(after)
    }

    /// Parses and stores an IdP signing certificate (PEM, bare Base64 or DER).
    #[tracing::instrument(skip(self, scope, certificate), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn add_idp_certificate(&self, scope: &AdminScope, certificate: &[u8]) -> Result<AddedCertificate> {
        let parsed = gatehouse_saml::certificate::parse_certificate(certificate)
            .map_err(|e| Error::invalid("certificate", e.to_string()))?;
        let txn = self.begin_write().await?;
        let added = self.insert_idp_certificate(&txn, scope, &parsed).await?;
        txn.commit().await?;
        Ok(added)
    }

    /// Stores a parsed certificate inside the caller's transaction.
    pub(crate) async fn insert_idp_certificate(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        parsed: &gatehouse_saml::certificate::IdpCertificate,
    ) -> Result<AddedCertificate> {
        let now = self.now();
        if parsed.not_after <= now {
            return Err(Error::invalid(
                "certificate",
                format!(
                    "this certificate expired on {}; download the current one from your IdP",
                    parsed.not_after.format("%Y-%m-%d")
                ),
            ));
        }
        let conn = self.load_connection(txn, scope.tenant_id()).await?;
        if conn.certificates.iter().any(|c| c.fingerprint_sha256 == parsed.fingerprint_sha256) {
            return Err(Error::conflict("certificate", "this certificate is already uploaded"));
        }
        if conn.certificates.len() >= MAX_CERTIFICATES {
            return Err(Error::invalid(
                "certificate",
                format!("at most {MAX_CERTIFICATES} certificates can be kept; remove an old one first"),
            ));
        }
        let m = idp_certificate::ActiveModel {
            id: Set(CertificateId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            connection_id: Set(conn.id.as_uuid()),
            pem: Set(parsed.pem.clone()),
            fingerprint_sha256: Set(parsed.fingerprint_sha256.clone()),
            subject: Set(parsed.subject.clone()),
            issuer: Set(parsed.issuer.clone()),
            not_before: Set(parsed.not_before),
            not_after: Set(parsed.not_after),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| on_unique(e, "certificate", "this certificate is already uploaded"))?;
        let cert = IdpCertificate::from(m);
        audit::record(
            txn,
            now,
            Change::in_scope(scope, "idp_certificate.add", "idp_certificate", cert.id, None, snapshot(&cert)),
        )
        .await?;
        let expires_soon = cert.not_after - now < chrono::Duration::days(60);
        Ok(AddedCertificate { certificate: cert, expires_soon })
    }

    /// Removes a certificate; the last valid one cannot go while SSO is enabled.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn remove_idp_certificate(&self, scope: &AdminScope, id: CertificateId) -> Result<IdpCertificate> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let conn = self.load_connection(&txn, scope.tenant_id()).await?;
        let cert =
            conn.certificates.iter().find(|c| c.id == id).cloned().ok_or(Error::NotFound { what: "certificate" })?;
        let valid_others = conn.certificates.iter().filter(|c| c.id != id && valid_at(c, now)).count();
        if conn.enabled && valid_others == 0 {
            return Err(Error::invalid(
                "id",
                "this is the last valid certificate and SSO is enabled; upload the new certificate first or disable SSO",
            ));
        }
        idp_certificate::Entity::delete_many()
            .filter(idp_certificate::Column::Id.eq(id.as_uuid()))
            .filter(idp_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "idp_certificate.remove", "idp_certificate", id, snapshot(&cert), None),
        )
        .await?;
        txn.commit().await?;
        Ok(cert)
    }

    pub(crate) async fn load_connection(
        &self,
        conn: &impl ConnectionTrait,
        tenant_id: TenantId,
    ) -> Result<SsoConnection> {
        let m = sso_connection::Entity::find()
            .filter(sso_connection::Column::TenantId.eq(tenant_id.as_uuid()))
            .one(conn)
            .await?
            .ok_or(Error::NotFound { what: "SSO connection" })?;
        let certs = idp_certificate::Entity::find()
            .filter(idp_certificate::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(idp_certificate::Column::ConnectionId.eq(m.id))
            .order_by_asc(idp_certificate::Column::Id)
            .all(conn)
            .await?;
        Ok(SsoConnection {
            id: m.id.into(),
            enabled: m.enabled,
            provider: IdpProvider::parse_stored(&m.provider)?,
            login_url: m.login_url,
            issuer: m.issuer,
            logout_url: m.logout_url,
            login_policy: LoginPolicy::parse_stored(&m.login_policy)?,
            allow_idp_initiated: m.allow_idp_initiated,
            jit_provisioning: m.jit_provisioning,
            version: m.version,
            updated_at: m.updated_at,
            certificates: certs.into_iter().map(IdpCertificate::from).collect(),
        })
    }
}

//! A tenant's SSO connection (one per tenant) and its IdP signing certificates.
//!
//! Updates are validated as a whole and fail closed: SSO cannot be enabled without a
//! login URL, an issuer and a certificate valid now; an issuer belongs to one tenant.
//! [`Identity::save_sso_settings`] is the console's Save: settings, new certificates and
//! removals checked together and written in one transaction, or nothing at all.

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
    QueryOrder, sea_query::Expr, sea_query::ExprTrait,
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
    /// Sign AuthnRequests with the active SP signing key; `None` keeps the current setting.
    pub sign_authn_requests: Option<bool>,
    /// Refuse plain assertions; `None` keeps the current setting.
    pub require_encrypted_assertions: Option<bool>,
    /// The version the admin edited; a newer saved version makes this update a conflict.
    pub expected_version: Option<i32>,
}

/// A stored certificate, and whether it expires soon ([`IdpCertificate::expires_soon_at`]).
#[derive(Clone, Debug)]
pub struct AddedCertificate {
    pub certificate: IdpCertificate,
    pub expires_soon: bool,
}

/// One Save of the SSO page: the settings, the certificates to add and those to remove,
/// applied together or not at all. `settings.expected_version` guards the whole save.
#[derive(Clone, Debug)]
pub struct SsoSettingsSave {
    pub settings: SsoConnectionInput,
    /// New IdP signing certificates (PEM, bare Base64 or DER), each checked as
    /// [`Identity::add_idp_certificate`] checks one; errors name `addCertificates[i]`.
    pub add_certificates: Vec<String>,
    /// Certificates of this connection to take out of rotation; errors name
    /// `removeCertificateIds[i]`.
    pub remove_certificate_ids: Vec<CertificateId>,
}

/// The settings as checked, ready to store.
struct CheckedSettings {
    login_url: Option<String>,
    logout_url: Option<String>,
    issuer: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
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

/// What an admin set, leaving out the version and time stamps a save changes anyway.
fn same_settings(a: &SsoConnection, b: &SsoConnection) -> bool {
    (a.enabled, a.provider, &a.login_url, &a.issuer, &a.logout_url, a.login_policy, a.allow_idp_initiated)
        == (b.enabled, b.provider, &b.login_url, &b.issuer, &b.logout_url, b.login_policy, b.allow_idp_initiated)
        && a.jit_provisioning == b.jit_provisioning
        && (a.sign_authn_requests, a.require_encrypted_assertions)
            == (b.sign_authn_requests, b.require_encrypted_assertions)
}

/// Checks the settings as a whole. `has_valid_certificate`: the connection will have a
/// certificate valid now once saved (SSO cannot be enabled otherwise).
fn check_settings(
    input: &SsoConnectionInput,
    dev_mode: bool,
    has_valid_certificate: bool,
    errors: &mut Vec<FieldError>,
) -> CheckedSettings {
    let mut url = |field: &str, v: Option<&str>| -> Option<String> {
        v.and_then(|v| validate::idp_url(field, v, dev_mode).map_err(|e| errors.push(e)).ok())
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
        if !has_valid_certificate {
            errors.push(FieldError::new(
                "certificates",
                "SSO cannot be enabled without an IdP signing certificate that is valid now; upload the IdP's certificate first",
            ));
        }
    }
    if input.login_policy == LoginPolicy::Sso && !input.enabled {
        errors.push(FieldError::new("loginPolicy", "SSO-only sign-in needs SSO to be enabled"));
    }
    CheckedSettings { login_url, logout_url, issuer }
}

fn expired_message(not_after: DateTime<Utc>) -> String {
    format!("this certificate expired on {}; download the current one from your IdP", not_after.format("%Y-%m-%d"))
}

pub(crate) const ALREADY_UPLOADED: &str = "this certificate is already uploaded";

impl Identity {
    /// The tenant's SSO connection with its certificates.
    pub async fn sso_connection(&self, scope: &AdminScope) -> Result<SsoConnection> {
        self.load_connection(&self.db, scope.tenant_id()).await
    }

    /// The console's Save: the settings, new certificates and removals, checked together
    /// against the connection as it will be (so SSO can be enabled with the certificate
    /// added in the same save, and the last valid certificate cannot be removed while SSO
    /// stays on) and written in one transaction. Every problem is reported at once, each
    /// naming its field; on any error nothing is saved. `expectedVersion` covers the whole
    /// save, and the saved connection gets a new version.
    #[tracing::instrument(skip(self, scope, save), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn save_sso_settings(&self, scope: &AdminScope, save: SsoSettingsSave) -> Result<SsoConnection> {
        let txn = self.begin_write().await?;
        let after = self.save_sso_settings_on(&txn, scope, save).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// [`Identity::save_sso_settings`] inside the caller's transaction (a draft save runs it
    /// in a savepoint that it then rolls back, see `sso::draft`).
    pub(crate) async fn save_sso_settings_on(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        save: SsoSettingsSave,
    ) -> Result<SsoConnection> {
        let now = self.now();
        let mut errors: Vec<FieldError> = Vec::new();
        // (position in the list, certificate)
        let mut added: Vec<(usize, gatehouse_saml::certificate::IdpCertificate)> = Vec::new();
        for (i, text) in save.add_certificates.iter().enumerate() {
            let field = format!("addCertificates[{i}]");
            match gatehouse_saml::certificate::parse_certificate(text.as_bytes()) {
                Err(e) => errors.push(FieldError::new(field, e.to_string())),
                Ok(c) if c.not_after <= now => errors.push(FieldError::new(field, expired_message(c.not_after))),
                Ok(c) if added.iter().any(|(_, a)| a.fingerprint_sha256 == c.fingerprint_sha256) => {
                    errors.push(FieldError::new(field, "this certificate is in the list twice"));
                }
                Ok(c) => added.push((i, c)),
            }
        }

        let tenant = find_tenant(txn, scope).await?;
        let before = self.load_connection(txn, scope.tenant_id()).await?;
        added.retain(|(i, c)| {
            let known = before.certificates.iter().any(|b| b.fingerprint_sha256 == c.fingerprint_sha256);
            if known {
                errors.push(FieldError::new(format!("addCertificates[{i}]"), ALREADY_UPLOADED));
            }
            !known
        });
        let mut removed: Vec<IdpCertificate> = Vec::new();
        for (i, id) in save.remove_certificate_ids.iter().enumerate() {
            match before.certificates.iter().find(|c| c.id == *id) {
                None => errors.push(FieldError::new(
                    format!("removeCertificateIds[{i}]"),
                    "is not one of this SSO connection's certificates",
                )),
                Some(c) if removed.iter().any(|r| r.id == c.id) => {}
                Some(c) => removed.push(c.clone()),
            }
        }
        let kept: Vec<&IdpCertificate> =
            before.certificates.iter().filter(|c| !removed.iter().any(|r| r.id == c.id)).collect();
        if kept.len() + added.len() > MAX_CERTIFICATES {
            errors.push(FieldError::new(
                "addCertificates",
                format!("at most {MAX_CERTIFICATES} certificates can be kept; remove an old one first"),
            ));
        }
        let has_valid = kept.iter().any(|c| c.is_valid_at(now))
            || added.iter().any(|(_, c)| c.not_before <= now && now < c.not_after);
        // Removing the last valid certificate while SSO stays on is the removal's fault.
        let removes_last_valid = save.settings.enabled && !has_valid && removed.iter().any(|c| c.is_valid_at(now));
        if removes_last_valid {
            for (i, id) in save.remove_certificate_ids.iter().enumerate() {
                if removed.iter().any(|c| c.id == *id && c.is_valid_at(now)) {
                    errors.push(FieldError::new(
                        format!("removeCertificateIds[{i}]"),
                        "this is the last valid certificate and SSO is enabled; upload the new certificate first or disable SSO",
                    ));
                }
            }
        }
        let checked = check_settings(&save.settings, tenant.dev_mode, has_valid || removes_last_valid, &mut errors);
        self.check_sp_key_settings(&save.settings, &before, &mut errors);
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        if let Some(expected) = save.settings.expected_version
            && expected != before.version
        {
            return Err(stale(before.version));
        }

        // The settings row first: on PostgreSQL its update holds the row, so a concurrent
        // save waits here and then finds the version moved on.
        self.write_settings(txn, scope, &before, &save.settings, checked, now).await?;
        for cert in &removed {
            delete_certificate(txn, scope, cert, now).await?;
        }
        for (_, cert) in &added {
            store_certificate(txn, scope, before.id, cert, now).await?;
        }
        let after = self.load_connection(txn, scope.tenant_id()).await?;
        if !same_settings(&before, &after) {
            audit_settings_change(txn, scope, &before, &after, now).await?;
        }
        Ok(after)
    }

    /// Turning on signed requests or required encryption needs the SP key that does it
    /// (fail closed: never a setting that silently does nothing, or refuses every sign-in).
    fn check_sp_key_settings(&self, input: &SsoConnectionInput, before: &SsoConnection, errors: &mut Vec<FieldError>) {
        let keys = self.sp_keyring();
        if input.sign_authn_requests == Some(true) && !before.sign_authn_requests && keys.signing.is_none() {
            errors.push(FieldError::new(
                "signAuthnRequests",
                "Gatehouse has no SP signing key (the operator has not configured a key-encryption key)",
            ));
        }
        if input.require_encrypted_assertions == Some(true)
            && !before.require_encrypted_assertions
            && keys.decryption.is_empty()
        {
            errors.push(FieldError::new(
                "requireEncryptedAssertions",
                "Gatehouse has no SP encryption key (the operator has not configured a key-encryption key)",
            ));
        }
    }

    /// Stores checked settings over `before` (refused if its version moved on meanwhile)
    /// and counts the connection's version up.
    async fn write_settings(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        before: &SsoConnection,
        input: &SsoConnectionInput,
        checked: CheckedSettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // An issuer belongs to one tenant, enabled or not: IdP-initiated Responses and logout
        // messages find their tenant by it, and Test SSO must never run against another
        // tenant's IdP. The unique index holds it across replicas; this names the field first.
        if let Some(issuer) = &checked.issuer {
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
            .col_expr(sso_connection::Column::LoginUrl, Expr::value(checked.login_url))
            .col_expr(sso_connection::Column::Issuer, Expr::value(checked.issuer))
            .col_expr(sso_connection::Column::LogoutUrl, Expr::value(checked.logout_url))
            .col_expr(sso_connection::Column::LoginPolicy, Expr::value(input.login_policy.as_str()))
            .col_expr(sso_connection::Column::AllowIdpInitiated, Expr::value(input.allow_idp_initiated))
            .col_expr(
                sso_connection::Column::JitProvisioning,
                Expr::value(input.jit_provisioning.unwrap_or(before.jit_provisioning)),
            )
            .col_expr(
                sso_connection::Column::SignAuthnRequests,
                Expr::value(input.sign_authn_requests.unwrap_or(before.sign_authn_requests)),
            )
            .col_expr(
                sso_connection::Column::RequireEncryptedAssertions,
                Expr::value(input.require_encrypted_assertions.unwrap_or(before.require_encrypted_assertions)),
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
        Ok(())
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
            metadata_url: m.metadata_url,
            metadata_auto_promote: m.metadata_auto_promote,
            refuse_expired_certificates: m.refuse_expired_certificates,
            sign_authn_requests: m.sign_authn_requests,
            require_encrypted_assertions: m.require_encrypted_assertions,
            version: m.version,
            updated_at: m.updated_at,
            certificates: certs.into_iter().map(IdpCertificate::from).collect(),
        })
    }
}

async fn find_tenant(txn: &DatabaseTransaction, scope: &TenantScope) -> Result<tenant::Model> {
    tenant::Entity::find_by_id(scope.tenant_id().as_uuid()).one(txn).await?.ok_or(Error::NotFound { what: "tenant" })
}

/// Counts the connection's version up: anything that changes what a sign-in uses
/// (certificates, settings) calls this in its transaction, because the sign-in path caches
/// each connection by version.
pub(crate) async fn bump_version(txn: &DatabaseTransaction, scope: &TenantScope, conn: &SsoConnection) -> Result<()> {
    sso_connection::Entity::update_many()
        .col_expr(sso_connection::Column::Version, Expr::col(sso_connection::Column::Version).add(1))
        .filter(sso_connection::Column::Id.eq(conn.id.as_uuid()))
        .filter(sso_connection::Column::TenantId.eq(scope.tenant_id().as_uuid()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Inserts a checked certificate into the connection, with its audit entry.
pub(crate) async fn store_certificate(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    connection: ConnectionId,
    parsed: &gatehouse_saml::certificate::IdpCertificate,
    now: DateTime<Utc>,
) -> Result<IdpCertificate> {
    let m = idp_certificate::ActiveModel {
        id: Set(CertificateId::generate().as_uuid()),
        tenant_id: Set(scope.tenant_id().as_uuid()),
        connection_id: Set(connection.as_uuid()),
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
    .map_err(|e| on_unique(e, "certificate", ALREADY_UPLOADED))?;
    let cert = IdpCertificate::from(m);
    audit::record(
        txn,
        now,
        Change::in_scope(scope, "idp_certificate.add", "idp_certificate", cert.id, None, snapshot(&cert)),
    )
    .await?;
    Ok(cert)
}

/// Deletes a certificate of the scope's tenant, with its audit entry.
async fn delete_certificate(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    cert: &IdpCertificate,
    now: DateTime<Utc>,
) -> Result<()> {
    idp_certificate::Entity::delete_many()
        .filter(idp_certificate::Column::Id.eq(cert.id.as_uuid()))
        .filter(idp_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        now,
        Change::in_scope(scope, "idp_certificate.remove", "idp_certificate", cert.id, snapshot(cert), None),
    )
    .await?;
    Ok(())
}

/// The audit entry of a settings change: the settings before and after, certificates left out.
async fn audit_settings_change(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    before: &SsoConnection,
    after: &SsoConnection,
    now: DateTime<Utc>,
) -> Result<()> {
    let change = Change::in_scope(
        scope,
        "sso_connection.update",
        "sso_connection",
        after.id,
        snapshot(&settings_only(before)),
        snapshot(&settings_only(after)),
    );
    audit::record(txn, now, change).await
}

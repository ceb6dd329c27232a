//! A tenant's SSO settings and certificates as one serialized value: what a draft holds,
//! what each published version keeps, what a rollback restores and what a diff compares.
//!
//! The live `sso_connections` / `idp_certificates` rows stay what sign-ins read;
//! [`apply`] writes a snapshot onto them (publish, rollback, and a draft save's savepoint).
//! A new SSO setting is covered by adding it to [`SsoSnapshot`], to [`SsoSnapshot::of`] and
//! to [`apply`] (one line each, all in this file); older snapshots read it as its default.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::auth::principal::TenantScope;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::{idp_certificate, sso_connection};

/// The snapshot format; a reader refuses a newer one instead of guessing.
const FORMAT: u32 = 1;

/// The SSO settings and certificates of one draft or published version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct SsoSnapshot {
    pub format: u32,
    pub enabled: bool,
    pub provider: String,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: String,
    pub allow_idp_initiated: bool,
    pub jit_provisioning: bool,
    pub metadata_url: Option<String>,
    pub metadata_auto_promote: bool,
    pub refuse_expired_certificates: bool,
    pub sign_authn_requests: bool,
    pub require_encrypted_assertions: bool,
    pub certificates: Vec<SnapshotCertificate>,
}

impl Default for SsoSnapshot {
    fn default() -> Self {
        Self {
            format: FORMAT,
            enabled: false,
            provider: IdpProvider::GenericSaml.as_str().into(),
            login_url: None,
            issuer: None,
            logout_url: None,
            login_policy: LoginPolicy::Password.as_str().into(),
            allow_idp_initiated: false,
            jit_provisioning: false,
            metadata_url: None,
            metadata_auto_promote: false,
            refuse_expired_certificates: false,
            sign_authn_requests: false,
            require_encrypted_assertions: false,
            certificates: Vec::new(),
        }
    }
}

/// A certificate in a snapshot, PEM included (a rollback stores it again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotCertificate {
    pub id: uuid::Uuid,
    pub pem: String,
    pub fingerprint_sha256: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// One setting that differs between two versions, in words an admin reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingChange {
    /// The GraphQL name of the setting (`issuer`, `loginUrl`, `certificates`, …).
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl SsoSnapshot {
    pub(crate) fn of(c: &SsoConnection) -> Self {
        Self {
            format: FORMAT,
            enabled: c.enabled,
            provider: c.provider.as_str().into(),
            login_url: c.login_url.clone(),
            issuer: c.issuer.clone(),
            logout_url: c.logout_url.clone(),
            login_policy: c.login_policy.as_str().into(),
            allow_idp_initiated: c.allow_idp_initiated,
            jit_provisioning: c.jit_provisioning,
            metadata_url: c.metadata_url.clone(),
            metadata_auto_promote: c.metadata_auto_promote,
            refuse_expired_certificates: c.refuse_expired_certificates,
            sign_authn_requests: c.sign_authn_requests,
            require_encrypted_assertions: c.require_encrypted_assertions,
            certificates: c
                .certificates
                .iter()
                .map(|x| SnapshotCertificate {
                    id: x.id.as_uuid(),
                    pem: x.pem.clone(),
                    fingerprint_sha256: x.fingerprint_sha256.clone(),
                    subject: x.subject.clone(),
                    issuer: x.issuer.clone(),
                    not_before: x.not_before,
                    not_after: x.not_after,
                    created_at: x.created_at,
                })
                .collect(),
        }
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::internal(format!("serializing SSO settings: {e}")))
    }

    pub(crate) fn from_json(text: &str) -> Result<Self> {
        let s: Self =
            serde_json::from_str(text).map_err(|e| Error::internal(format!("stored SSO settings unreadable: {e}")))?;
        if s.format > FORMAT {
            return Err(Error::internal(format!("stored SSO settings have the newer format {}", s.format)));
        }
        Ok(s)
    }

    /// The snapshot as the service type (its certificates keep their IDs).
    pub(crate) fn to_connection(
        &self,
        id: ConnectionId,
        version: i32,
        updated_at: DateTime<Utc>,
    ) -> Result<SsoConnection> {
        Ok(SsoConnection {
            id,
            enabled: self.enabled,
            provider: IdpProvider::parse_stored(&self.provider)?,
            login_url: self.login_url.clone(),
            issuer: self.issuer.clone(),
            logout_url: self.logout_url.clone(),
            login_policy: LoginPolicy::parse_stored(&self.login_policy)?,
            allow_idp_initiated: self.allow_idp_initiated,
            jit_provisioning: self.jit_provisioning,
            metadata_url: self.metadata_url.clone(),
            metadata_auto_promote: self.metadata_auto_promote,
            refuse_expired_certificates: self.refuse_expired_certificates,
            sign_authn_requests: self.sign_authn_requests,
            require_encrypted_assertions: self.require_encrypted_assertions,
            version,
            updated_at,
            certificates: self
                .certificates
                .iter()
                .map(|c| IdpCertificate {
                    id: CertificateId(c.id),
                    subject: c.subject.clone(),
                    issuer: c.issuer.clone(),
                    fingerprint_sha256: c.fingerprint_sha256.clone(),
                    not_before: c.not_before,
                    not_after: c.not_after,
                    pem: c.pem.clone(),
                    created_at: c.created_at,
                })
                .collect(),
        })
    }

    /// The live row as a test run of this snapshot sees it: same connection, these settings.
    pub(crate) fn over_row(&self, row: &sso_connection::Model) -> sso_connection::Model {
        sso_connection::Model {
            enabled: self.enabled,
            provider: self.provider.clone(),
            login_url: self.login_url.clone(),
            issuer: self.issuer.clone(),
            logout_url: self.logout_url.clone(),
            login_policy: self.login_policy.clone(),
            allow_idp_initiated: self.allow_idp_initiated,
            jit_provisioning: self.jit_provisioning,
            metadata_url: self.metadata_url.clone(),
            metadata_auto_promote: self.metadata_auto_promote,
            refuse_expired_certificates: self.refuse_expired_certificates,
            sign_authn_requests: self.sign_authn_requests,
            require_encrypted_assertions: self.require_encrypted_assertions,
            ..row.clone()
        }
    }

    /// What differs from `self` (before) to `after`: every setting compared by its serialized
    /// value (so a new setting is compared without code here), certificates by fingerprint.
    pub(crate) fn diff(&self, after: &SsoSnapshot) -> Vec<SettingChange> {
        let mut changes = Vec::new();
        let (a, b) = (settings_json(self), settings_json(after));
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (x, y) = (a.get(key), b.get(key));
            if x != y {
                changes.push(SettingChange { field: key.clone(), before: x.and_then(words), after: y.and_then(words) });
            }
        }
        let names = |s: &SsoSnapshot| -> Vec<String> {
            let mut v: Vec<String> =
                s.certificates.iter().map(|c| format!("{} (SHA-256 {})", c.subject, c.fingerprint_sha256)).collect();
            v.sort();
            v
        };
        let (ca, cb) = (names(self), names(after));
        if ca != cb {
            let list = |v: Vec<String>| if v.is_empty() { None } else { Some(v.join("\n")) };
            changes.push(SettingChange { field: "certificates".into(), before: list(ca), after: list(cb) });
        }
        changes
    }

    /// Whether the settings would let SSO start at `now` (a certificate valid now).
    pub(crate) fn has_valid_certificate_at(&self, now: DateTime<Utc>) -> bool {
        self.certificates.iter().any(|c| c.not_before <= now && now < c.not_after)
    }
}

fn settings_json(s: &SsoSnapshot) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(s) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.remove("format");
            m.remove("certificates");
            m
        }
        _ => serde_json::Map::new(),
    }
}

fn words(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Writes `snap` onto the tenant's live connection row and certificates: certificates not
/// in it are deleted first (so one re-added under a new ID does not clash), missing ones
/// are inserted with their snapshot IDs. The row gets `version`; the caller then bumps it
/// ([`super::connection::bump_version`]) so every replica's signing cache misses.
pub(crate) async fn apply(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    live: &SsoConnection,
    snap: &SsoSnapshot,
    version: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let tenant = scope.tenant_id().as_uuid();
    sso_connection::Entity::update_many()
        .col_expr(sso_connection::Column::Enabled, Expr::value(snap.enabled))
        .col_expr(sso_connection::Column::Provider, Expr::value(snap.provider.clone()))
        .col_expr(sso_connection::Column::LoginUrl, Expr::value(snap.login_url.clone()))
        .col_expr(sso_connection::Column::Issuer, Expr::value(snap.issuer.clone()))
        .col_expr(sso_connection::Column::LogoutUrl, Expr::value(snap.logout_url.clone()))
        .col_expr(sso_connection::Column::LoginPolicy, Expr::value(snap.login_policy.clone()))
        .col_expr(sso_connection::Column::AllowIdpInitiated, Expr::value(snap.allow_idp_initiated))
        .col_expr(sso_connection::Column::JitProvisioning, Expr::value(snap.jit_provisioning))
        .col_expr(sso_connection::Column::MetadataUrl, Expr::value(snap.metadata_url.clone()))
        .col_expr(sso_connection::Column::MetadataAutoPromote, Expr::value(snap.metadata_auto_promote))
        .col_expr(sso_connection::Column::RefuseExpiredCertificates, Expr::value(snap.refuse_expired_certificates))
        .col_expr(sso_connection::Column::SignAuthnRequests, Expr::value(snap.sign_authn_requests))
        .col_expr(sso_connection::Column::RequireEncryptedAssertions, Expr::value(snap.require_encrypted_assertions))
        .col_expr(sso_connection::Column::Version, Expr::value(version))
        .col_expr(sso_connection::Column::UpdatedAt, Expr::value(now))
        .filter(sso_connection::Column::Id.eq(live.id.as_uuid()))
        .filter(sso_connection::Column::TenantId.eq(tenant))
        .exec(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::conflict(
                "issuer",
                "this IdP issuer is already used by another tenant; an issuer can belong to one tenant only",
            ),
            _ => e.into(),
        })?;
    let keep: Vec<uuid::Uuid> = snap.certificates.iter().map(|c| c.id).collect();
    idp_certificate::Entity::delete_many()
        .filter(idp_certificate::Column::TenantId.eq(tenant))
        .filter(idp_certificate::Column::ConnectionId.eq(live.id.as_uuid()))
        .filter(idp_certificate::Column::Id.is_not_in(keep))
        .exec(txn)
        .await?;
    for c in snap.certificates.iter().filter(|c| !live.certificates.iter().any(|l| l.id.as_uuid() == c.id)) {
        idp_certificate::Entity::insert(idp_certificate::ActiveModel {
            id: Set(c.id),
            tenant_id: Set(tenant),
            connection_id: Set(live.id.as_uuid()),
            pem: Set(c.pem.clone()),
            fingerprint_sha256: Set(c.fingerprint_sha256.clone()),
            subject: Set(c.subject.clone()),
            issuer: Set(c.issuer.clone()),
            not_before: Set(c.not_before),
            not_after: Set(c.not_after),
            created_at: Set(c.created_at),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_names_each_changed_setting_and_the_certificates() {
        let before = SsoSnapshot { issuer: Some("https://idp.example/a".into()), ..SsoSnapshot::default() };
        let after = SsoSnapshot {
            issuer: Some("https://idp.example/b".into()),
            enabled: true,
            certificates: vec![SnapshotCertificate {
                id: uuid::Uuid::nil(),
                pem: String::new(),
                fingerprint_sha256: "AB".into(),
                subject: "CN=idp".into(),
                issuer: "CN=idp".into(),
                not_before: Utc::now(),
                not_after: Utc::now(),
                created_at: Utc::now(),
            }],
            ..before.clone()
        };
        let d = before.diff(&after);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["enabled", "issuer", "certificates"]);
        assert_eq!(d[1].before.as_deref(), Some("https://idp.example/a"));
        assert_eq!(d[1].after.as_deref(), Some("https://idp.example/b"));
        assert_eq!(d[2].before, None);
        assert!(before.diff(&before).is_empty());
    }

    #[test]
    fn an_older_snapshot_reads_missing_settings_as_defaults_and_a_newer_format_is_refused() {
        let s = SsoSnapshot::from_json(r#"{"format":1,"enabled":true,"issuer":"x"}"#).unwrap();
        assert!(s.enabled && !s.jit_provisioning && s.certificates.is_empty());
        assert!(SsoSnapshot::from_json(r#"{"format":2}"#).is_err());
    }
}

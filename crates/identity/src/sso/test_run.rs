//! "Test SSO": an admin proves a configuration before enabling it; the ACS answers with
//! a report instead of a session.

use super::{Attempt, REQUEST_LIFETIME, SignInReason, SsoResult, SsoStart, refused};
use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::{Error, Result};
use crate::model::*;
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::entities::{sso_request, tenant};
use gatehouse_saml::response::ValidatedAssertion;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// The outcome of a "Test SSO" run, in words.
#[derive(Clone, Debug)]
pub struct TestReport {
    pub success: bool,
    pub reason: SignInReason,
    pub detail: String,
    pub name_id: Option<String>,
    pub user: Option<String>,
    pub attributes: Vec<(String, Vec<String>)>,
    pub certificate_fingerprint: Option<String>,
    pub clock_offset_seconds: Option<i64>,
    /// After a signature refusal: the SHA-256 fingerprint of the staged certificate (one
    /// Gatehouse fetched from the IdP's metadata itself) that verifies the message. Verified
    /// data only: never a certificate the message carried.
    pub signed_by_staged: Option<String>,
}

pub(crate) fn report(
    reason: SignInReason,
    detail: &str,
    user: Option<&User>,
    a: &ValidatedAssertion,
    attempt: &Attempt<'_>,
) -> TestReport {
    TestReport {
        success: reason.is_success(),
        reason,
        detail: detail.into(),
        name_id: Some(a.name_id.clone()),
        user: user.map(|u| u.email.clone()),
        attributes: a.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        certificate_fingerprint: Some(a.certificate_fingerprint.clone()),
        clock_offset_seconds: attempt.clock_offset,
        signed_by_staged: None,
    }
}

impl Identity {
    /// Starts the "Test SSO" run behind a one-time token from [`Identity::create_sso_test`].
    pub async fn start_sso_test(&self, token: &str) -> SsoResult<SsoStart> {
        let now = self.now();
        let hash = secrets::token_hash(token);
        let pending = sso_request::Entity::find()
            .filter(sso_request::Column::Purpose.eq(RequestPurpose::TestToken.as_str()))
            .filter(sso_request::Column::BindingHash.eq(hash))
            .one(&self.db)
            .await?
            .filter(|r| r.expires_at > now)
            .ok_or_else(|| {
                refused(
                    SignInReason::UnknownRequest,
                    "This test link expired or was already used. Run the test again from the console.",
                    None,
                )
            })?;
        sso_request::Entity::delete_by_id(pending.id.clone()).exec(&self.db).await?;
        let tenant = tenant::Entity::find_by_id(pending.tenant_id)
            .one(&self.db)
            .await?
            .map(Tenant::from)
            .ok_or(Error::NotFound { what: "tenant" })?;
        // A link made for a draft tests that draft revision (its login URL, then in the ACS
        // its issuer and certificates); an edit of the draft since then unties it.
        if let Some((row, snap)) = self.draft_for_test_request(tenant.id, &pending.id).await? {
            let conn = snap.to_connection(row.id.into(), row.version, row.updated_at)?;
            let start = self.begin_request(&tenant, &conn, RequestPurpose::Test, None, None).await?;
            self.retie_draft_test(tenant.id, &pending.id, &start.request_id).await?;
            return Ok(start);
        }
        let conn = self.load_connection(&self.db, tenant.id).await?;
        self.begin_request(&tenant, &conn, RequestPurpose::Test, None, None).await
    }

    /// Makes the one-time URL an admin opens to test the SSO connection (it works before
    /// SSO is enabled, so a configuration can be proven first).
    /// Tests the draft when there is one, else the published settings.
    pub async fn create_sso_test(&self, scope: &AdminScope, public_url: &str) -> Result<String> {
        let (conn, draft_revision) = self.settings_under_test(scope).await?;
        let mut missing = Vec::new();
        if conn.login_url.is_none() {
            missing.push(crate::FieldError::new("loginUrl", "is required to test SSO"));
        }
        if conn.issuer.is_none() {
            missing.push(crate::FieldError::new("issuer", "is required to test SSO"));
        }
        if conn.certificates.is_empty() {
            missing.push(crate::FieldError::new("certificates", "upload the IdP's signing certificate to test SSO"));
        }
        if !missing.is_empty() {
            return Err(Error::Validation(missing));
        }
        let token = TokenKind::SsoTest.generate();
        let now = self.now();
        let id = format!("test-{}", uuid::Uuid::new_v4().simple());
        sso_request::ActiveModel {
            id: Set(id.clone()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            purpose: Set(RequestPurpose::TestToken.as_str().into()),
            relay_state: Set(None),
            binding_hash: Set(Some(secrets::token_hash(&token))),
            session_id: Set(None),
            created_at: Set(now),
            expires_at: Set(now + REQUEST_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        if let Some(revision) = draft_revision {
            self.note_draft_test(scope.tenant_id(), revision, &id, Some(&scope.actor().label)).await?;
        }
        Ok(format!("{public_url}/saml2/test?token={token}"))
    }
}

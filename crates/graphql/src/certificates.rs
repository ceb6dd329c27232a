//! Certificates that never cause an outage (issue 12): the IdP metadata URL and its refresh
//! status, certificates staged from new metadata, expiry warnings and the "refuse expired
//! certificates" setting. Every operation needs tenant admin rights and acts on the
//! caller's own tenant only (staged certificate IDs of another tenant are NOT_FOUND).

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::context::{identity, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::query::parse_id;
use crate::types::SsoConnection;

/// The IdP metadata URL and what its fetches did.
#[derive(SimpleObject)]
pub(crate) struct IdpMetadataStatus {
    /// The IdP's federation metadata URL (Entra: App Federation Metadata Url).
    pub url: Option<String>,
    /// New certificates in the metadata are trusted at once instead of staged.
    pub auto_promote: bool,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last fetch was not used (the live configuration was left as it was).
    pub last_error: Option<String>,
    /// Failed fetches in a row; retries back off from 5 minutes to 6 hours.
    pub failures: i32,
    pub next_fetch_at: Option<DateTime<Utc>>,
}

impl From<idn::MetadataUrlStatus> for IdpMetadataStatus {
    fn from(s: idn::MetadataUrlStatus) -> Self {
        Self {
            url: s.url,
            auto_promote: s.auto_promote,
            last_attempt_at: s.last_attempt_at,
            last_success_at: s.last_success_at,
            last_error: s.last_error,
            failures: s.failures,
            next_fetch_at: s.next_fetch_at,
        }
    }
}

/// A certificate found in the IdP's metadata but not trusted yet.
#[derive(SimpleObject)]
pub(crate) struct StagedCertificate {
    pub id: ID,
    pub subject: String,
    pub issuer: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub first_seen_at: DateTime<Utc>,
    /// Sign-ins refused since it was staged that it would have verified: the IdP has
    /// started signing with it, so promote it.
    pub sign_ins_seen: u64,
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl From<idn::StagedCertificate> for StagedCertificate {
    fn from(s: idn::StagedCertificate) -> Self {
        Self {
            id: ID(s.id.to_string()),
            subject: s.subject,
            issuer: s.issuer,
            fingerprint_sha256: s.fingerprint_sha256,
            not_before: s.not_before,
            not_after: s.not_after,
            first_seen_at: s.first_seen_at,
            sign_ins_seen: s.sign_ins_seen,
            last_seen_at: s.last_seen_at,
        }
    }
}

/// What the sign-in log says about a trusted certificate ("safe to remove").
#[derive(SimpleObject)]
pub(crate) struct CertificateUsage {
    /// The last successful sign-in it verified.
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Successful sign-ins it verified in the last 30 days.
    pub sign_ins_last_30_days: u64,
    /// Successful sign-ins it verified after it expired.
    pub expired_sign_ins: u64,
}

impl From<idn::CertificateUsage> for CertificateUsage {
    fn from(u: idn::CertificateUsage) -> Self {
        Self {
            last_verified_at: u.last_verified_at,
            sign_ins_last_30_days: u.sign_ins_last_30_days,
            expired_sign_ins: u.expired_sign_ins,
        }
    }
}

/// A trusted IdP certificate 60, 30 or 7 days (or less) before its end, or past it.
#[derive(SimpleObject)]
pub(crate) struct CertificateWarning {
    pub certificate_id: ID,
    pub subject: String,
    pub fingerprint_sha256: String,
    pub not_after: DateTime<Utc>,
    /// Whole days left; negative once expired.
    pub days_left: i64,
    /// The warning step reached: 60, 30 or 7; 0 once expired.
    pub threshold_days: i64,
    /// Another trusted certificate stays valid after this one ends, so SSO goes on.
    pub covered: bool,
}

impl From<idn::CertificateWarning> for CertificateWarning {
    fn from(w: idn::CertificateWarning) -> Self {
        Self {
            certificate_id: ID(w.certificate_id.to_string()),
            subject: w.subject,
            fingerprint_sha256: w.fingerprint_sha256,
            not_after: w.not_after,
            days_left: w.days_left,
            threshold_days: w.threshold_days,
            covered: w.covered,
        }
    }
}

#[derive(Default)]
pub(crate) struct CertificateQuery;

#[Object]
impl CertificateQuery {
    /// Expiry warnings for the tenant's IdP certificates (60, 30 and 7 days before the end,
    /// and once expired), soonest first; empty when all is well. Tenant admins only.
    async fn certificate_warnings(&self, ctx: &Context<'_>) -> GqlResult<Vec<CertificateWarning>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let warnings = identity(ctx).certificate_warnings(&scope).await.gql()?;
        Ok(warnings.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub(crate) struct CertificateMutation;

#[Object]
impl CertificateMutation {
    /// Sets the IdP's federation metadata URL (null clears it). It is fetched first: if the
    /// fetch fails or the metadata cannot be used, nothing is saved (VALIDATION on
    /// `metadataUrl`). Then it is refreshed on a schedule. `autoPromote`: trust new
    /// certificates from it at once instead of staging them. Takes effect at once, published
    /// as a new version in the history (`METADATA`) and carried into the draft if any.
    async fn set_idp_metadata_url(
        &self,
        ctx: &Context<'_>,
        url: Option<String>,
        #[graphql(default = false)] auto_promote: bool,
    ) -> GqlResult<IdpMetadataStatus> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).set_idp_metadata_url(&scope, url, auto_promote).await.gql().map(Into::into)
    }

    /// Fetches the metadata URL now. A failed fetch is reported in `lastError` and changes
    /// nothing else; a change it applies is published at once as a new version (`METADATA`).
    async fn refresh_idp_metadata(&self, ctx: &Context<'_>) -> GqlResult<IdpMetadataStatus> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).refresh_idp_metadata(&scope).await.gql().map(Into::into)
    }

    /// Trusts a staged certificate (one action, at once: the rollover must not wait for a
    /// draft). Published as a new version in the history (`PROMOTE_CERTIFICATE`) and carried
    /// into the draft if any.
    async fn promote_staged_certificate(&self, ctx: &Context<'_>, id: ID) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        identity(ctx).promote_staged_certificate(&scope, id).await.gql().map(SsoConnection)
    }

    /// Forgets a staged certificate (a later refresh that still finds it stages it again).
    async fn dismiss_staged_certificate(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        identity(ctx).dismiss_staged_certificate(&scope, id).await.gql().map(|()| true)
    }

    /// Refuse sign-ins verified by an expired certificate (off by default: they are only
    /// recorded, because Entra keeps signing with the old key until its admin switches).
    /// Takes effect at once, published as a new version (`REFUSE_EXPIRED`).
    async fn set_refuse_expired_certificates(&self, ctx: &Context<'_>, refuse: bool) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).set_refuse_expired_certificates(&scope, refuse).await.gql().map(SsoConnection)
    }
}

/// Fields of the SSO connection and its certificates that read the rollover state.
pub(crate) async fn metadata_status(ctx: &Context<'_>) -> GqlResult<IdpMetadataStatus> {
    let scope = tenant_scope(ctx).await?.admin().gql()?;
    identity(ctx).idp_metadata_status(&scope).await.gql().map(Into::into)
}

pub(crate) async fn staged_certificates(ctx: &Context<'_>) -> GqlResult<Vec<StagedCertificate>> {
    let scope = tenant_scope(ctx).await?.admin().gql()?;
    Ok(identity(ctx).staged_certificates(&scope).await.gql()?.into_iter().map(Into::into).collect())
}

pub(crate) async fn usage(ctx: &Context<'_>, cert: &idn::IdpCertificate) -> GqlResult<CertificateUsage> {
    let scope = tenant_scope(ctx).await?.admin().gql()?;
    identity(ctx).usage_of_certificate(&scope, cert).await.gql().map(Into::into)
}

//! Verified domains and break-glass accounts (issue 13). Every operation needs tenant
//! admin rights and acts on the caller's own tenant only (another tenant's domain or user
//! IDs are NOT_FOUND); every change is audited by the identity services.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::context::{identity, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::query::parse_id;
use crate::types::User;

/// Where a tenant's claim on a domain stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::DomainStatus")]
pub(crate) enum DomainStatus {
    /// Added; its TXT record has not been found yet.
    Pending,
    /// The TXT record was found: the domain routes sign-ins to this tenant's IdP.
    Verified,
    /// The TXT record was found missing at a re-check: still routing until `graceEndsAt`.
    Flagged,
    /// The record stayed missing past the grace period: no longer routing; verify again.
    Lapsed,
}

/// An e-mail domain of the tenant.
#[derive(SimpleObject)]
pub(crate) struct Domain {
    pub id: ID,
    /// Lower-case; international names in their punycode (xn--) form.
    pub name: String,
    pub status: DomainStatus,
    /// The TXT record to create: at this name …
    pub record_name: String,
    /// … with this value.
    pub record_value: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub flagged_at: Option<DateTime<Utc>>,
    pub grace_ends_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// What the last check found wrong.
    pub last_check_error: Option<String>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// Sign-ins of the domain's addresses go to this tenant's IdP and need SSO.
    pub routes_sign_ins: bool,
    pub created_at: DateTime<Utc>,
}

impl From<idn::Domain> for Domain {
    fn from(d: idn::Domain) -> Self {
        Self {
            id: ID(d.id.to_string()),
            name: d.name,
            status: d.status.into(),
            record_name: d.record_name,
            record_value: d.record_value,
            verified_at: d.verified_at,
            flagged_at: d.flagged_at,
            grace_ends_at: d.grace_ends_at,
            last_checked_at: d.last_checked_at,
            last_check_error: d.last_check_error,
            next_check_at: d.next_check_at,
            routes_sign_ins: d.routes_sign_ins,
            created_at: d.created_at,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::BreakGlassWarningKind")]
pub(crate) enum BreakGlassWarningKind {
    /// SSO is required and nobody may use a password.
    Empty,
    /// A break-glass account signed in with a password in the last 7 days.
    RecentlyUsed,
}

#[derive(SimpleObject)]
pub(crate) struct BreakGlassWarning {
    pub kind: BreakGlassWarningKind,
    pub message: String,
}

/// A user who keeps password sign-in when SSO is required.
#[derive(SimpleObject)]
pub(crate) struct BreakGlassAccount {
    pub user: User,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The tenant's break-glass accounts and what needs attention.
#[derive(SimpleObject)]
pub(crate) struct BreakGlassList {
    pub accounts: Vec<BreakGlassAccount>,
    /// Some users must use SSO: the login policy is SSO, or a verified domain routes sign-ins.
    pub sso_required: bool,
    pub warnings: Vec<BreakGlassWarning>,
}

impl From<idn::BreakGlassList> for BreakGlassList {
    fn from(l: idn::BreakGlassList) -> Self {
        Self {
            accounts: l
                .accounts
                .into_iter()
                .map(|a| BreakGlassAccount {
                    user: User::one(a.user),
                    added_by: a.added_by,
                    added_at: a.added_at,
                    last_used_at: a.last_used_at,
                })
                .collect(),
            sso_required: l.sso_required,
            warnings: l
                .warnings
                .into_iter()
                .map(|w| BreakGlassWarning { kind: w.kind.into(), message: w.message })
                .collect(),
        }
    }
}

#[derive(Default)]
pub(crate) struct DomainQuery;

#[Object]
impl DomainQuery {
    /// The tenant's e-mail domains (tenant admins).
    async fn domains(&self, ctx: &Context<'_>) -> GqlResult<Vec<Domain>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).domains(&scope).await.gql()?.into_iter().map(Domain::from).collect())
    }

    /// The break-glass accounts and their warnings (tenant admins).
    async fn break_glass_accounts(&self, ctx: &Context<'_>) -> GqlResult<BreakGlassList> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).break_glass_accounts(&scope).await.gql()?.into())
    }
}

#[derive(Default)]
pub(crate) struct DomainMutation;

#[Object]
impl DomainMutation {
    /// Adds an e-mail domain (pending until its TXT record is found).
    async fn add_domain(&self, ctx: &Context<'_>, name: String) -> GqlResult<Domain> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).add_domain(&scope, &name).await.gql()?.into())
    }

    /// Looks the domain's TXT record up now; the answer says what was found.
    async fn verify_domain(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Domain> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        Ok(identity(ctx).verify_domain(&scope, id).await.gql()?.into())
    }

    /// Removes a domain; its addresses stop routing to this tenant at once.
    async fn remove_domain(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let id = parse_id("id", &id)?;
        identity(ctx).remove_domain(&scope, id).await.gql()?;
        Ok(true)
    }

    /// Lets a user of the tenant keep password sign-in when SSO is required.
    async fn add_break_glass_account(&self, ctx: &Context<'_>, user_id: ID) -> GqlResult<BreakGlassList> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let user_id = parse_id("userId", &user_id)?;
        identity(ctx).add_break_glass_account(&scope, user_id).await.gql()?;
        Ok(identity(ctx).break_glass_accounts(&scope).await.gql()?.into())
    }

    /// Takes a user off the break-glass list.
    async fn remove_break_glass_account(&self, ctx: &Context<'_>, user_id: ID) -> GqlResult<BreakGlassList> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let user_id = parse_id("userId", &user_id)?;
        identity(ctx).remove_break_glass_account(&scope, user_id).await.gql()?;
        Ok(identity(ctx).break_glass_accounts(&scope).await.gql()?.into())
    }
}

//! The sign-in log: every SSO and password sign-in attempt, written once with its reason
//! code (success or refusal), and the admin's paged, filtered reader.

mod last_sign_in;
mod live;
mod reason;
mod status;

pub use live::{LiveLimits, LiveSignIns, LiveSubscription};

pub(crate) use reason::Outcome;
pub use reason::{SignInReason, reason_text};
pub use status::{ConnectionHealth, ConnectionStatus};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::Identity;
use crate::auth::principal::{AdminScope, OperatorScope};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::sign_in_event;
use crate::webhooks::EventType;
use crate::webhooks::outbox;

/// Request details for the log.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The IdP Issuer this Response names has used up its failure budget
    /// ([`Identity::acs_admission`]): it is still validated (a genuine sign-in must not be
    /// held up by someone else's flood), but refusals are not written to the sign-in log.
    pub quiet_failures: bool,
}

/// Where a sign-in attempt came from, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInFlow {
    SpInitiated,
    IdpInitiated,
    Test,
    /// A console password sign-in (logged so admins see failed password attempts too).
    Password,
}

impl SignInFlow {
    fn as_str(self) -> &'static str {
        match self {
            SignInFlow::SpInitiated => "sp_initiated",
            SignInFlow::IdpInitiated => "idp_initiated",
            SignInFlow::Test => "test",
            SignInFlow::Password => "password",
        }
    }
}

/// One sign-in attempt in the log.
#[derive(Clone, Debug)]
pub struct SignInEvent {
    pub id: SignInEventId,
    pub user_id: Option<String>,
    pub name_id: Option<String>,
    pub flow: String,
    pub success: bool,
    pub reason_code: String,
    pub detail: String,
    pub certificate_fingerprint: Option<String>,
    pub clock_offset_seconds: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Narrows a sign-in log listing.
#[derive(Clone, Debug, Default)]
pub struct SignInFilter {
    /// `Some(true)` successes only, `Some(false)` failures only.
    pub success: Option<bool>,
    pub reason_code: Option<String>,
    pub user_id: Option<UserId>,
    /// Part of the NameID (the e-mail the IdP or the person sent), case-insensitive.
    pub user: Option<String>,
    /// One attempt by its reference (the ID an error page shows).
    pub reference: Option<SignInEventId>,
    pub since: Option<DateTime<Utc>>,
}

/// The longest `user` a filter may carry (a NameID is stored up to 256 characters).
pub const MAX_USER_FILTER_CHARS: usize = 256;

impl SignInFilter {
    /// Refuses a `user` longer than a stored NameID.
    fn check(&self) -> Result<()> {
        if self.user().is_some_and(|u| u.chars().count() > MAX_USER_FILTER_CHARS) {
            return Err(Error::invalid("filter.user", format!("must be at most {MAX_USER_FILTER_CHARS} characters")));
        }
        Ok(())
    }

    /// The `user` filter, when it says anything.
    fn user(&self) -> Option<&str> {
        self.user.as_deref().map(str::trim).filter(|u| !u.is_empty())
    }

    /// Whether an event passes this filter: the same rules as [`Self::apply`], in memory,
    /// for the live log.
    fn matches(&self, e: &SignInEvent) -> bool {
        self.success.is_none_or(|s| s == e.success)
            && self.reason_code.as_deref().is_none_or(|r| r == e.reason_code)
            && self.user_id.is_none_or(|u| e.user_id.as_deref() == Some(u.to_string().as_str()))
            && self
                .user()
                .is_none_or(|u| e.name_id.as_deref().is_some_and(|n| n.to_lowercase().contains(&u.to_lowercase())))
            && self.reference.is_none_or(|r| r == e.id)
            && self.since.is_none_or(|s| e.created_at >= s)
    }

    /// Narrows `q` by every filter that is set; refuses a `user` longer than a stored NameID.
    fn apply(&self, mut q: Select<sign_in_event::Entity>) -> Result<Select<sign_in_event::Entity>> {
        if let Some(s) = self.success {
            q = q.filter(
                sign_in_event::Column::Outcome.eq(if s { Outcome::Success } else { Outcome::Failure }.as_str()),
            );
        }
        if let Some(r) = &self.reason_code {
            q = q.filter(sign_in_event::Column::ReasonCode.eq(r.as_str()));
        }
        if let Some(u) = self.user_id {
            q = q.filter(sign_in_event::Column::UserId.eq(u.as_uuid()));
        }
        if let Some(user) = self.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            if user.chars().count() > MAX_USER_FILTER_CHARS {
                return Err(Error::invalid(
                    "filter.user",
                    format!("must be at most {MAX_USER_FILTER_CHARS} characters"),
                ));
            }
            // LOWER() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            let pattern = format!("%{}%", escape_like(&user.to_lowercase()));
            q = q.filter(
                Expr::expr(Func::lower(Expr::col(sign_in_event::Column::NameId)))
                    .like(LikeExpr::new(pattern).escape('\\')),
            );
        }
        if let Some(id) = self.reference {
            q = q.filter(sign_in_event::Column::Id.eq(id.as_uuid()));
        }
        if let Some(since) = self.since {
            q = q.filter(sign_in_event::Column::CreatedAt.gte(since));
        }
        Ok(q)
    }
}

/// `%`, `_` and the escape character itself match literally (escape character `\`).
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) struct Attempt<'a> {
    pub(crate) tenant_id: Option<TenantId>,
    pub(crate) user_id: Option<UserId>,
    pub(crate) name_id: Option<&'a str>,
    pub(crate) flow: SignInFlow,
    pub(crate) fingerprint: Option<&'a str>,
    pub(crate) clock_offset: Option<i64>,
    pub(crate) meta: &'a RequestMeta,
}

impl Identity {
    /// Logs a refusal: once at INFO and in the sign-in log, whose entry ID is the reference
    /// shown to the person. While the Issuer's failure budget is used up only a DEBUG line is
    /// written (`RequestMeta::quiet_failures`), so a flood cannot fill the tenant's log.
    pub(crate) async fn fail_event(
        &self,
        attempt: &Attempt<'_>,
        reason: SignInReason,
        detail: &str,
    ) -> Result<Option<SignInEventId>> {
        self.fail_event_on(&self.db, attempt, reason, detail).await
    }

    /// [`Self::fail_event`] on `conn` (a sign-in's own transaction).
    pub(crate) async fn fail_event_on(
        &self,
        conn: &impl ConnectionTrait,
        attempt: &Attempt<'_>,
        reason: SignInReason,
        detail: &str,
    ) -> Result<Option<SignInEventId>> {
        let reason_code = reason.as_str();
        if attempt.meta.quiet_failures {
            tracing::debug!(reason = reason_code, tenant_id = ?attempt.tenant_id, "SSO sign-in refused (Issuer over its failure budget: not in the sign-in log)");
            return Ok(None);
        }
        tracing::info!(reason = reason_code, detail, tenant_id = ?attempt.tenant_id, "SSO sign-in refused");
        self.record_on(conn, attempt, reason, detail).await.map(Some)
    }

    /// Logs a password sign-in attempt against a known user of a tenant.
    pub(crate) async fn record_password_attempt(
        &self,
        conn: &impl ConnectionTrait,
        tenant_id: TenantId,
        user_id: UserId,
        email: &str,
        reason: SignInReason,
        meta: &RequestMeta,
    ) -> Result<()> {
        let attempt = Attempt {
            tenant_id: Some(tenant_id),
            user_id: Some(user_id),
            name_id: Some(email),
            flow: SignInFlow::Password,
            fingerprint: None,
            clock_offset: None,
            meta,
        };
        let detail = if reason.is_success() {
            format!("{email} signed in with a password")
        } else {
            format!("password sign-in of {email} refused: {}", reason.admin_text())
        };
        self.record_on(conn, &attempt, reason, &detail).await.map(|_| ())
    }

    pub(crate) async fn record_on(
        &self,
        conn: &impl ConnectionTrait,
        a: &Attempt<'_>,
        reason: SignInReason,
        detail: &str,
    ) -> Result<SignInEventId> {
        let row = self.event_row(a, reason, detail);
        let id = row.id.into();
        let event = a.tenant_id.map(|tenant| {
            let kind = if reason.is_success() { EventType::SignInSucceeded } else { EventType::SignInFailed };
            let data = outbox::sign_in_data(row.id, row.user_id, row.name_id.as_deref(), &row.flow, &row.reason_code);
            (tenant, kind, data, row.created_at)
        });
        sign_in_event::Entity::insert(row.into_active_model()).exec_without_returning(conn).await?;
        if let Some((tenant, kind, data, at)) = event {
            outbox::enqueue(conn, tenant, kind, data, at).await?;
        }
        Ok(id)
    }

    /// The sign-in log row for an attempt, with every field bounded as stored.
    pub(crate) fn event_row(&self, a: &Attempt<'_>, reason: SignInReason, detail: &str) -> sign_in_event::Model {
        sign_in_event::Model {
            id: SignInEventId::generate().as_uuid(),
            tenant_id: a.tenant_id.map(|t| t.as_uuid()),
            user_id: a.user_id.map(|u| u.as_uuid()),
            name_id: a.name_id.map(|n| n.chars().take(256).collect()),
            flow: a.flow.as_str().into(),
            outcome: Outcome::of(reason).as_str().into(),
            reason_code: reason.as_str().into(),
            detail: detail.chars().take(2000).collect(),
            certificate_fingerprint: a.fingerprint.map(str::to_owned),
            clock_offset_seconds: a.clock_offset,
            ip: a.meta.ip.clone(),
            user_agent: a.meta.user_agent.as_ref().map(|u| u.chars().take(512).collect()),
            created_at: self.now(),
        }
    }

    /// The tenant's sign-in log, newest first.
    pub async fn sign_in_events(
        &self,
        scope: &AdminScope,
        filter: &SignInFilter,
        page: &PageRequest,
    ) -> Result<Page<SignInEvent>> {
        let q = sign_in_event::Entity::find().filter(sign_in_event::Column::TenantId.eq(scope.tenant_id().as_uuid()));
        self.list_events(q, filter, page).await
    }

    /// Attempts that could not be tied to any tenant (no organisation named, unknown IdP
    /// issuer, unreadable posts), newest first: the operators' view.
    pub async fn unattributed_sign_in_events(
        &self,
        _scope: &OperatorScope,
        filter: &SignInFilter,
        page: &PageRequest,
    ) -> Result<Page<SignInEvent>> {
        let q = sign_in_event::Entity::find().filter(sign_in_event::Column::TenantId.is_null());
        self.list_events(q, filter, page).await
    }

    async fn list_events(
        &self,
        q: Select<sign_in_event::Entity>,
        filter: &SignInFilter,
        page: &PageRequest,
    ) -> Result<Page<SignInEvent>> {
        let size = page.size()?;
        let mut q = filter.apply(q)?.order_by_desc(sign_in_event::Column::Id).limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(sign_in_event::Column::Id.lt(after));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(SignInEvent::from).collect(), size))
    }
}

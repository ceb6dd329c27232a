//! Password sign-in: throttled before any hashing, every candidate account checked in the
//! bounded hashing pool, and on success one transaction for the reset, the log entry and the session.

use super::{SignIn, SignedIn};
use crate::auth::principal::{Principal, Who};
use crate::auth::throttle::{self, Key};
use crate::break_glass::sso_required;
use crate::domains::tenant_sso;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::sign_in_log::SignInReason;
use crate::store::entities::{operator, tenant, user};
use crate::{Identity, secrets};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[expect(clippy::large_enum_variant, reason = "a handful live for one sign-in; boxing buys nothing")]
enum Candidate {
    Operator(operator::Model),
    User(user::Model, tenant::Model),
}

fn wrong_credentials() -> Error {
    Error::Unauthenticated("wrong e-mail or password".into())
}

/// The one answer to a password from someone who must use SSO.
fn use_sso() -> Error {
    Error::Forbidden("your organisation signs in with single sign-on; use \"Sign in with SSO\"".into())
}

impl Identity {
    /// Signs in with e-mail and password. Every candidate account's hash is checked, so
    /// timing says nothing about which e-mails exist.
    ///
    /// Throttled before any hashing: every attempt is counted against the e-mail (known or
    /// not) atomically, so parallel guesses at one account cannot slip past its limit;
    /// the client address is checked first and counts failures only, so many people
    /// signing in at once behind one address are never mistaken for an attack.
    #[tracing::instrument(skip(self, input), err(level = "info"))]
    pub async fn sign_in(&self, input: SignIn) -> Result<SignedIn> {
        let email = input.email.trim().to_lowercase();
        let account = [Key::Account(&email)];
        let address: Vec<Key<'_>> = input.session.ip.as_deref().map(Key::PasswordAddress).into_iter().collect();
        if let Some(secs) = self.count_attempt_unless(&account, &address).await? {
            tracing::info!(
                reason = "password_rate_limited",
                retry_after_secs = secs,
                "password sign-in refused unchecked"
            );
            return Err(throttle::refused("too many sign-in attempts for this account or from this address", secs));
        }
        let tenant_slug = input.tenant.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (candidates, matches) = match self.check_password(&email, tenant_slug, &input.password).await {
            Ok(checked) => checked,
            Err(e) => {
                if matches!(e, Error::RateLimited { .. }) {
                    // Not checked at all: the attempt does not count.
                    self.take_back(&account).await?;
                }
                return Err(e);
            }
        };
        let meta = crate::sign_in_log::RequestMeta {
            ip: input.session.ip.clone(),
            user_agent: input.session.user_agent.clone(),
            quiet_failures: false,
        };
        let known_users: Vec<(TenantId, UserId)> = candidates
            .iter()
            .filter_map(|c| match c {
                Candidate::User(u, t) => Some((t.id.into(), u.id.into())),
                Candidate::Operator(_) => None,
            })
            .collect();
        let matched: Vec<Candidate> =
            candidates.into_iter().zip(matches).filter_map(|(c, ok)| ok.then_some(c)).collect();
        // SSO required (crate::break_glass): for an address whose domain a tenant offering SSO
        // has verified, that is a fact about the domain (the sign-on page shows it too), so
        // it is said whatever the password; for anyone else only once the password was right,
        // or it would tell who has an account.
        let owner = self.domain_owner(&self.db, &email).await?;
        let domain_sso = match owner {
            Some(t) => tenant_sso(&self.db, t).await?.is_some_and(|s| s.offers_sso()),
            None => false,
        };
        if matched.is_empty() {
            // Each tenant where this e-mail exists sees the failed attempt in its sign-in log.
            for (tenant_id, user_id) in known_users {
                self.record_password_attempt(&self.db, tenant_id, user_id, &email, SignInReason::WrongPassword, &meta)
                    .await?;
            }
            self.count_attempt(&address).await?;
            return Err(if domain_sso { use_sso() } else { wrong_credentials() });
        }
        let mut usable: Vec<(Candidate, bool)> = Vec::new();
        let mut sso_only: Vec<(TenantId, UserId, String)> = Vec::new();
        for c in matched {
            let Candidate::User(u, t) = &c else {
                usable.push((c, false));
                continue;
            };
            let (tenant_id, user_id): (TenantId, UserId) = (t.id.into(), u.id.into());
            if !sso_required(tenant_sso(&self.db, tenant_id).await?, tenant_id, owner) {
                usable.push((c, false));
            } else if self.is_break_glass(&self.db, tenant_id, user_id).await? {
                usable.push((c, true));
            } else {
                sso_only.push((tenant_id, user_id, u.email.clone()));
            }
        }
        if usable.is_empty() {
            // Refused for who the person is, not for the password: that was right, so the
            // account's count is forgotten.
            let txn = self.begin_write().await?;
            self.forget(&txn, &account).await?;
            for (tenant_id, user_id, email) in &sso_only {
                self.record_password_attempt(&txn, *tenant_id, *user_id, email, SignInReason::SsoRequired, &meta)
                    .await?;
            }
            txn.commit().await?;
            return Err(use_sso());
        }
        if usable.len() > 1 {
            // The password was right, so the account's count is forgotten all the same.
            self.forget(&self.db, &account).await?;
            return Err(Error::invalid(
                "tenant",
                "this e-mail signs in to several tenants; choose the tenant (its short name) to sign in to",
            ));
        }
        let Some((who, break_glass)) = usable.pop() else { return Err(wrong_credentials()) };
        let principal = match who {
            Candidate::Operator(o) => Principal::operator(o.id.into(), o.email),
            Candidate::User(u, t) => {
                let role = Role::parse_stored(&u.role)?;
                // Refused for who the person is, not for the password: that was right, so
                // the account's count is forgotten here too.
                let refuse = async |reason: SignInReason| -> Result<()> {
                    let txn = self.begin_write().await?;
                    self.forget(&txn, &account).await?;
                    self.record_password_attempt(&txn, t.id.into(), u.id.into(), &u.email, reason, &meta).await?;
                    Ok(txn.commit().await?)
                };
                match UserStatus::parse_stored(&u.status)? {
                    UserStatus::Active => {}
                    UserStatus::Pending => {
                        refuse(SignInReason::UserPending).await?;
                        return Err(Error::Unauthenticated(
                            "your account is not active yet; ask your administrator".into(),
                        ));
                    }
                    UserStatus::Suspended => {
                        refuse(SignInReason::UserSuspended).await?;
                        return Err(Error::Unauthenticated("your account is suspended; ask your administrator".into()));
                    }
                }
                Principal::user(t.id.into(), u.id.into(), u.email, role)
            }
        };
        // The password was right: in one transaction (one commit, one turn of SQLite's
        // write lock) the account's count is forgotten, the sign-in logged and the session made.
        let txn = self.begin_write().await?;
        self.forget(&txn, &account).await?;
        if let Who::User { tenant_id, user_id, email, .. } = &principal.who {
            if break_glass {
                self.record_break_glass_use(&txn, *tenant_id, *user_id, email, &meta).await?;
            } else {
                self.record_password_attempt(&txn, *tenant_id, *user_id, email, SignInReason::Success, &meta).await?;
            }
        }
        let signed_in = self.create_session_on(&txn, &principal, AuthMethod::Password, &input.session, None).await?;
        txn.commit().await?;
        Ok(signed_in)
    }

    /// The accounts this e-mail names (in one tenant when `tenant_slug` is given) and,
    /// for each, whether the password matches; checked in the bounded hashing pool.
    async fn check_password(
        &self,
        email: &str,
        tenant_slug: Option<&str>,
        password: &str,
    ) -> Result<(Vec<Candidate>, Vec<bool>)> {
        let mut candidates = Vec::new();
        if tenant_slug.is_none()
            && let Some(op) = operator::Entity::find().filter(operator::Column::Email.eq(email)).one(&self.db).await?
        {
            candidates.push(Candidate::Operator(op));
        }
        let mut q = user::Entity::find()
            .find_also_related(tenant::Entity)
            .filter(user::Column::Email.eq(email))
            .filter(user::Column::DeletedAt.is_null());
        if let Some(slug) = tenant_slug {
            q = q.filter(tenant::Column::Slug.eq(slug));
        }
        for (u, t) in q.all(&self.db).await? {
            if let Some(t) = t {
                candidates.push(Candidate::User(u, t));
            }
        }
        let password = password.to_owned();
        let hashes: Vec<Option<String>> = candidates
            .iter()
            .map(|c| match c {
                Candidate::Operator(o) => Some(o.password_hash.clone()),
                Candidate::User(u, _) => u.password_hash.clone(),
            })
            .collect();
        let matches = self
            .hashing(move || {
                if hashes.is_empty() {
                    secrets::verify_password(&password, secrets::dummy_hash());
                    return Vec::new();
                }
                hashes
                    .iter()
                    .map(|h| {
                        secrets::verify_password(&password, h.as_deref().unwrap_or(secrets::dummy_hash()))
                            && h.is_some()
                    })
                    .collect()
            })
            .await?;
        Ok((candidates, matches))
    }
}

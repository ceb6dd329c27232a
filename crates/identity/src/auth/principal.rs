//! Who is calling, and the narrowed handles a permission check hands back.
//!
//! A [`TenantScope`] can only be made here, from an authenticated [`Principal`]; every
//! tenant-owned store method takes one as its first argument and filters on its tenant.
//! An [`AdminScope`] proves admin rights in that tenant and is what every admin operation
//! takes; [`TenantScope::admin`] is the only way to get one. An [`OperatorScope`] proves the
//! caller is a platform operator; Gatehouse itself gets one only through the
//! [`SystemAccess`] its entry point claims once.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::Role;

/// An authenticated caller. Opaque: only this crate makes one — by a password or SSO
/// sign-in, or by resolving a session cookie or an API token — so holding a `Principal`
/// proves the caller authenticated. Other crates read it through its accessors.
///
/// ```compile_fail,E0624
/// // Outside the identity crate a principal cannot be made up.
/// use gatehouse_identity::{Principal, Role, TenantId, UserId};
/// let id = "0190b6a4-0000-7000-8000-000000000000";
/// let p = Principal::user(id.parse().unwrap(), id.parse().unwrap(), "a@b.c".into(), Role::TenantAdmin);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub(crate) who: Who,
}

/// Who a [`Principal`] is, inside the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    Operator { id: OperatorId, email: String },
    User { tenant_id: TenantId, user_id: UserId, email: String, role: Role },
    ApiToken { tenant_id: TenantId, token_id: ApiTokenId, name: String },
}

/// What kind of caller a [`Principal`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A platform operator (no tenant of their own).
    Operator,
    /// A tenant's user (admin or not).
    User,
    /// A tenant's API token.
    ApiToken,
}

/// Who did something, as the audit log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<String>,
    pub label: String,
}

impl Actor {
    /// Gatehouse itself (bootstrap, CLI).
    pub fn system(label: &str) -> Actor {
        Actor { kind: "system", id: None, label: label.to_owned() }
    }
}

impl Principal {
    pub(crate) fn operator(id: OperatorId, email: String) -> Principal {
        Principal { who: Who::Operator { id, email } }
    }

    pub(crate) fn user(tenant_id: TenantId, user_id: UserId, email: String, role: Role) -> Principal {
        Principal { who: Who::User { tenant_id, user_id, email, role } }
    }

    pub(crate) fn api_token(tenant_id: TenantId, token_id: ApiTokenId, name: String) -> Principal {
        Principal { who: Who::ApiToken { tenant_id, token_id, name } }
    }

    pub fn kind(&self) -> PrincipalKind {
        match self.who {
            Who::Operator { .. } => PrincipalKind::Operator,
            Who::User { .. } => PrincipalKind::User,
            Who::ApiToken { .. } => PrincipalKind::ApiToken,
        }
    }

    /// The tenant a user or API token belongs to; `None` for an operator.
    pub fn tenant_id(&self) -> Option<TenantId> {
        match &self.who {
            Who::Operator { .. } => None,
            Who::User { tenant_id, .. } | Who::ApiToken { tenant_id, .. } => Some(*tenant_id),
        }
    }

    /// The user behind a user's session.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.who {
            Who::User { user_id, .. } => Some(*user_id),
            Who::Operator { .. } | Who::ApiToken { .. } => None,
        }
    }

    /// The operator behind an operator's session.
    pub fn operator_id(&self) -> Option<OperatorId> {
        match &self.who {
            Who::Operator { id, .. } => Some(*id),
            Who::User { .. } | Who::ApiToken { .. } => None,
        }
    }

    /// The API token a request came with.
    pub fn api_token_id(&self) -> Option<ApiTokenId> {
        match &self.who {
            Who::ApiToken { token_id, .. } => Some(*token_id),
            Who::Operator { .. } | Who::User { .. } => None,
        }
    }

    /// The e-mail a user or operator signed in with; `None` for an API token.
    pub fn email(&self) -> Option<&str> {
        match &self.who {
            Who::Operator { email, .. } | Who::User { email, .. } => Some(email),
            Who::ApiToken { .. } => None,
        }
    }

    /// A user's role in their tenant; `None` for operators and API tokens.
    pub fn role(&self) -> Option<Role> {
        match &self.who {
            Who::User { role, .. } => Some(*role),
            Who::Operator { .. } | Who::ApiToken { .. } => None,
        }
    }

    pub fn actor(&self) -> Actor {
        match &self.who {
            Who::Operator { id, email } => Actor { kind: "operator", id: Some(id.to_string()), label: email.clone() },
            Who::User { user_id, email, .. } => {
                Actor { kind: "user", id: Some(user_id.to_string()), label: email.clone() }
            }
            Who::ApiToken { token_id, name, .. } => {
                Actor { kind: "api_token", id: Some(token_id.to_string()), label: format!("API token \"{name}\"") }
            }
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.who, Who::Operator { .. })
    }
}

/// Proof that the caller acts inside one tenant, and with which rights.
#[derive(Clone, Debug)]
pub struct TenantScope {
    tenant_id: TenantId,
    actor: Actor,
    admin: bool,
}

impl TenantScope {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// The admin rights in this tenant, for a tenant admin, an API token or an operator;
    /// everyone else is refused. Every admin operation takes the [`AdminScope`] this hands
    /// out, so an operation cannot forget the check.
    pub fn admin(&self) -> Result<AdminScope> {
        if self.admin {
            Ok(AdminScope { scope: self.clone() })
        } else {
            Err(Error::Forbidden("only a tenant admin may do this".into()))
        }
    }

    /// For a tenant user or API token: their own tenant. Operators get theirs through
    /// [`crate::Identity::operator_tenant_scope`], naming the tenant.
    pub(crate) fn of_principal(p: &Principal) -> Option<TenantScope> {
        match &p.who {
            Who::Operator { .. } => None,
            Who::User { tenant_id, role, .. } => {
                Some(TenantScope { tenant_id: *tenant_id, actor: p.actor(), admin: *role == Role::TenantAdmin })
            }
            // API tokens are made by tenant admins and act with admin rights on their tenant.
            Who::ApiToken { tenant_id, .. } => {
                Some(TenantScope { tenant_id: *tenant_id, actor: p.actor(), admin: true })
            }
        }
    }

    pub(crate) fn for_operator(tenant_id: TenantId, actor: Actor) -> TenantScope {
        TenantScope { tenant_id, actor, admin: true }
    }
}

/// Proof that the caller holds admin rights inside one tenant: a tenant admin, an API
/// token or an operator acting on the tenant. Only [`TenantScope::admin`] hands one out.
/// It is also a [`TenantScope`] (through `Deref`): an admin may do whatever a user may.
///
/// ```compile_fail,E0451
/// // Outside the identity crate admin rights cannot be made up.
/// fn forge(scope: gatehouse_identity::TenantScope) -> gatehouse_identity::AdminScope {
///     gatehouse_identity::AdminScope { scope }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct AdminScope {
    scope: TenantScope,
}

impl AdminScope {
    /// Gatehouse itself acting as a tenant's admin (just-in-time provisioning).
    pub(crate) fn for_system(tenant_id: TenantId, actor: Actor) -> AdminScope {
        AdminScope { scope: TenantScope::for_operator(tenant_id, actor) }
    }
}

impl std::ops::Deref for AdminScope {
    type Target = TenantScope;

    fn deref(&self) -> &TenantScope {
        &self.scope
    }
}

/// Proof that the caller is a platform operator.
///
/// ```compile_fail,E0624
/// // Outside the identity crate operator rights cannot be minted; the process gets them
/// // once, at start-up, from `SystemAccess::claim`.
/// let op = gatehouse_identity::OperatorScope::system("anyone");
/// ```
#[derive(Clone, Debug)]
pub struct OperatorScope {
    actor: Actor,
}

impl OperatorScope {
    pub fn of_principal(p: &Principal) -> Result<OperatorScope> {
        match p.who {
            Who::Operator { .. } => Ok(OperatorScope { actor: p.actor() }),
            Who::User { .. } | Who::ApiToken { .. } => {
                Err(Error::Forbidden("only a platform operator may do this".into()))
            }
        }
    }

    /// Gatehouse itself acting as an operator; see [`SystemAccess`].
    pub(crate) fn system(label: &str) -> OperatorScope {
        OperatorScope { actor: Actor::system(label) }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// Gatehouse's own authority over the platform (first-start bootstrap, the CLI): the one
/// value that mints an [`OperatorScope`] without a signed-in operator. A process claims it
/// once, at start-up, and hands it to what needs it; a second claim is refused, so no
/// library code can take system rights behind the entry point's back.
///
/// ```
/// let system = gatehouse_identity::SystemAccess::claim().expect("first claim");
/// assert!(gatehouse_identity::SystemAccess::claim().is_none(), "only once per process");
/// let _cli = system.operator_scope("cli");
/// ```
#[derive(Debug)]
pub struct SystemAccess {
    _once: (),
}

static SYSTEM_CLAIMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl SystemAccess {
    /// The system access of this process; `None` when it was claimed before.
    pub fn claim() -> Option<SystemAccess> {
        let first = !SYSTEM_CLAIMED.swap(true, std::sync::atomic::Ordering::SeqCst);
        first.then(SystemAccess::new)
    }

    pub(crate) fn new() -> SystemAccess {
        SystemAccess { _once: () }
    }

    /// Operator rights for Gatehouse itself, labelled in the audit log as `label`.
    pub fn operator_scope(&self, label: &str) -> OperatorScope {
        OperatorScope::system(label)
    }
}

/// Proof that the caller presented a live SCIM token of this tenant, on this tenant's SCIM
/// URL. Only [`crate::Identity::resolve_scim_token`] makes one, and only the provisioning
/// services accept it: a SCIM token can provision users and groups, nothing else.
#[derive(Clone, Debug)]
pub struct ScimScope {
    tenant_id: TenantId,
    actor: Actor,
}

impl ScimScope {
    pub(crate) fn new(tenant_id: TenantId, token_id: ScimTokenId, prefix: &str) -> ScimScope {
        let actor =
            Actor { kind: "scim_token", id: Some(token_id.to_string()), label: format!("SCIM token {prefix}…") };
        ScimScope { tenant_id, actor }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

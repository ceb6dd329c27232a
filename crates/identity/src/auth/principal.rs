//! Who is calling, and the narrowed handles a permission check hands back.
//!
//! A [`TenantScope`] can only be made here, from an authenticated [`Principal`]; every
//! tenant-owned store method takes one as its first argument and filters on its tenant.
//! An [`OperatorScope`] likewise proves the caller is a platform operator.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::Role;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Operator { id: OperatorId, email: String },
    User { tenant_id: TenantId, user_id: UserId, email: String, role: Role },
    ApiToken { tenant_id: TenantId, token_id: ApiTokenId, name: String },
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
    pub fn actor(&self) -> Actor {
        match self {
            Principal::Operator { id, email } => {
                Actor { kind: "operator", id: Some(id.to_string()), label: email.clone() }
            }
            Principal::User { user_id, email, .. } => {
                Actor { kind: "user", id: Some(user_id.to_string()), label: email.clone() }
            }
            Principal::ApiToken { token_id, name, .. } => {
                Actor { kind: "api_token", id: Some(token_id.to_string()), label: format!("API token \"{name}\"") }
            }
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self, Principal::Operator { .. })
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

    pub(crate) fn require_admin(&self) -> Result<()> {
        if self.admin { Ok(()) } else { Err(Error::Forbidden("only a tenant admin may do this".into())) }
    }

    /// For a tenant user or API token: their own tenant. Operators get theirs through
    /// [`crate::Identity::operator_tenant_scope`], naming the tenant.
    pub(crate) fn of_principal(p: &Principal) -> Option<TenantScope> {
        match p {
            Principal::Operator { .. } => None,
            Principal::User { tenant_id, role, .. } => {
                Some(TenantScope { tenant_id: *tenant_id, actor: p.actor(), admin: *role == Role::TenantAdmin })
            }
            // API tokens are made by tenant admins and act with admin rights on their tenant.
            Principal::ApiToken { tenant_id, .. } => {
                Some(TenantScope { tenant_id: *tenant_id, actor: p.actor(), admin: true })
            }
        }
    }

    pub(crate) fn for_operator(tenant_id: TenantId, actor: Actor) -> TenantScope {
        TenantScope { tenant_id, actor, admin: true }
    }
}

/// Proof that the caller is a platform operator.
#[derive(Clone, Debug)]
pub struct OperatorScope {
    actor: Actor,
}

impl OperatorScope {
    pub fn of_principal(p: &Principal) -> Result<OperatorScope> {
        match p {
            Principal::Operator { .. } => Ok(OperatorScope { actor: p.actor() }),
            _ => Err(Error::Forbidden("only a platform operator may do this".into())),
        }
    }

    /// The CLI and first-start bootstrap run as the system.
    pub fn system(label: &str) -> OperatorScope {
        OperatorScope { actor: Actor::system(label) }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
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

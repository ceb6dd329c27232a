//! Tenants: created by platform operators (or the CLI) together with their first admin
//! and a disabled SSO connection.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, OperatorScope, Principal, TenantScope};
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::users::federation_key;
use crate::secrets;
use crate::store::entities::{sso_connection, tenant, user};
use crate::{Identity, validate};

/// A tenant to create, with its first tenant admin.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    /// When `None`, a random password is generated and returned once.
    pub admin_password: Option<String>,
}

/// A new tenant, its first admin, and the admin's password when it was generated.
#[derive(Debug)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub admin: User,
    pub generated_password: Option<String>,
}

impl Identity {
    #[tracing::instrument(skip(self, scope, input), fields(slug = %input.slug), err)]
    pub async fn create_tenant(&self, scope: &OperatorScope, input: NewTenant) -> Result<CreatedTenant> {
        let mut errors = Vec::new();
        let slug = validate::slug("slug", &input.slug).map_err(|e| errors.push(e)).ok();
        let name =
            validate::required_text("name", &input.name, validate::MAX_NAME_LEN).map_err(|e| errors.push(e)).ok();
        let email = validate::email("adminEmail", &input.admin_email).map_err(|e| errors.push(e)).ok();
        if let Some(p) = &input.admin_password
            && let Err(Error::Validation(mut v)) = secrets::check_password_strength("adminPassword", p)
        {
            errors.append(&mut v);
        }
        let (Some(slug), Some(name), Some(email)) = (slug, name, email) else {
            return Err(Error::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let generated = input.admin_password.is_none().then(secrets::generate_password);
        let password = input.admin_password.clone().or_else(|| generated.clone()).unwrap_or_default();
        let password_hash = self.hash_password(&password).await?;

        let now = self.now();
        let tenant_id = TenantId::generate();
        let admin_id = UserId::generate();
        let txn = self.begin_write().await?;
        tenant::ActiveModel {
            id: Set(tenant_id.as_uuid()),
            slug: Set(slug.clone()),
            name: Set(name.clone()),
            dev_mode: Set(false),
            scim_manages_admins: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "slug", "a tenant with this slug already exists"))?;
        sso_connection::ActiveModel {
            id: Set(ConnectionId::generate().as_uuid()),
            tenant_id: Set(tenant_id.as_uuid()),
            enabled: Set(false),
            provider: Set(IdpProvider::EntraId.as_str().to_owned()),
            login_url: Set(None),
            issuer: Set(None),
            logout_url: Set(None),
            login_policy: Set(LoginPolicy::PasswordOrSso.as_str().to_owned()),
            allow_idp_initiated: Set(true),
            jit_provisioning: Set(false),
            metadata_url: Set(None),
            metadata_auto_promote: Set(false),
            refuse_expired_certificates: Set(false),
            sign_authn_requests: Set(false),
            require_encrypted_assertions: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let admin = user::ActiveModel {
            id: Set(admin_id.as_uuid()),
            tenant_id: Set(tenant_id.as_uuid()),
            email: Set(email.clone()),
            display_name: Set(email.clone()),
            federation_id: Set(email.clone()),
            federation_key: Set(federation_key(&email)),
            status: Set(UserStatus::Active.as_str().to_owned()),
            role: Set(Role::TenantAdmin.as_str().to_owned()),
            password_hash: Set(Some(password_hash)),
            source: Set(UserSource::Console.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let tenant = Tenant { id: tenant_id, slug, name, dev_mode: false, scim_manages_admins: false, created_at: now };
        let admin = User::try_from(admin)?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: Some(tenant_id),
                actor: scope.actor(),
                action: "tenant.create",
                target_type: "tenant",
                target_id: Some(tenant_id.to_string()),
                before: None,
                after: Some(json!({"slug": tenant.slug, "name": tenant.name, "adminEmail": admin.email})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(CreatedTenant { tenant, admin, generated_password: generated })
    }

    /// All tenants, by slug, a page at a time (the cursor is the last slug seen).
    pub async fn list_tenants(&self, _scope: &OperatorScope, page: &PageRequest) -> Result<Page<Tenant>> {
        let size = page.size()?;
        let mut q = tenant::Entity::find().order_by_asc(tenant::Column::Slug).limit(size + 1);
        if let Some(after) = page.after.as_deref() {
            q = q.filter(tenant::Column::Slug.gt(after));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(Tenant::from).collect(), size))
    }

    /// The caller's own tenant.
    pub async fn tenant(&self, scope: &TenantScope) -> Result<Tenant> {
        tenant::Entity::find_by_id(scope.tenant_id().as_uuid())
            .one(&self.db)
            .await?
            .map(Tenant::from)
            .ok_or(Error::NotFound { what: "tenant" })
    }

    /// A tenant by slug, for the operator.
    pub async fn tenant_by_slug(&self, _scope: &OperatorScope, slug: &str) -> Result<Tenant> {
        self.find_tenant_by_slug(slug).await?.ok_or(Error::NotFound { what: "tenant" })
    }

    pub(crate) async fn find_tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
        Ok(tenant::Entity::find().filter(tenant::Column::Slug.eq(slug.trim())).one(&self.db).await?.map(Tenant::from))
    }

    /// An operator acts inside a tenant by naming it; the scope records the operator.
    pub async fn operator_tenant_scope(&self, principal: &Principal, slug: &str) -> Result<TenantScope> {
        let op = OperatorScope::of_principal(principal)?;
        let tenant = self.tenant_by_slug(&op, slug).await?;
        Ok(TenantScope::for_operator(tenant.id, op.actor().clone()))
    }

    /// Lets (or stops) a tenant's IdP URLs use plain http, for local test IdPs.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn set_tenant_dev_mode(&self, scope: &OperatorScope, slug: &str, dev_mode: bool) -> Result<Tenant> {
        let before = self.tenant_by_slug(scope, slug).await?;
        let now = self.now();
        let txn = self.begin_write().await?;
        tenant::ActiveModel {
            id: Set(before.id.as_uuid()),
            dev_mode: Set(dev_mode),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: Some(before.id),
                actor: scope.actor(),
                action: "tenant.set_dev_mode",
                target_type: "tenant",
                target_id: Some(before.id.to_string()),
                before: Some(json!({"devMode": before.dev_mode})),
                after: Some(json!({"devMode": dev_mode})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Tenant { dev_mode, ..before })
    }
}

impl Identity {
    /// Lets (or stops) the tenant's SCIM client rename, deactivate and delete tenant admins.
    /// Off by default; the last active admin stays protected either way.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn set_scim_manages_admins(&self, scope: &AdminScope, enabled: bool) -> Result<Tenant> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let before = crate::provisioning::admin_guard::lock_tenant(&txn, scope.tenant_id()).await?;
        let after = tenant::ActiveModel {
            id: Set(before.id),
            scim_manages_admins: Set(enabled),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        audit::record(
            &txn,
            now,
            Change::in_scope(
                scope,
                "tenant.set_scim_manages_admins",
                "tenant",
                scope.tenant_id(),
                Some(json!({"scimManagesAdmins": before.scim_manages_admins})),
                Some(json!({"scimManagesAdmins": enabled})),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(Tenant::from(after))
    }
}

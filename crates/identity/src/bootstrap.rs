//! First start: on a database without any operator, create the platform operator and a
//! demo tenant with its admin, and report the passwords once. Later starts do nothing.

use crate::auth::principal::SystemAccess;
use crate::error::Result;
use crate::tenants::NewTenant;
use crate::{Identity, secrets};

/// What the operator configured for first start.
#[derive(Clone, Debug)]
pub struct Bootstrap {
    pub operator_email: String,
    /// `None`: generate one and report it once.
    pub operator_password: Option<String>,
    /// Create the demo tenant `demo` beside the operator.
    pub demo_tenant: bool,
}

/// What first start created. Passwords appear only when they were generated.
#[derive(Clone, Debug)]
pub struct BootstrapReport {
    pub operator_email: String,
    pub operator_password: Option<String>,
    pub demo: Option<DemoTenant>,
}

#[derive(Clone, Debug)]
pub struct DemoTenant {
    pub slug: String,
    pub admin_email: String,
    pub admin_password: Option<String>,
}

pub const DEMO_SLUG: &str = "demo";
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.example.com";

impl Identity {
    /// Creates the first operator (and the demo tenant) when there is no operator yet.
    /// Returns `None` when the database was already set up. Runs with the process's
    /// [`SystemAccess`].
    pub async fn bootstrap(&self, system: &SystemAccess, cfg: &Bootstrap) -> Result<Option<BootstrapReport>> {
        if self.operator_count().await? > 0 {
            return Ok(None);
        }
        let system = system.operator_scope("first start");
        let generated = cfg.operator_password.is_none().then(secrets::generate_password);
        let password = cfg.operator_password.clone().or_else(|| generated.clone()).unwrap_or_default();
        let op = self.create_operator(&system, &cfg.operator_email, &password).await?;
        let demo = if cfg.demo_tenant {
            let created = self
                .create_tenant(
                    &system,
                    NewTenant {
                        slug: DEMO_SLUG.into(),
                        name: "Demo".into(),
                        admin_email: DEMO_ADMIN_EMAIL.into(),
                        admin_password: None,
                    },
                )
                .await?;
            // The demo tenant is for trying SSO against a local test IdP over plain http.
            self.set_tenant_dev_mode(&system, DEMO_SLUG, true).await?;
            Some(DemoTenant {
                slug: created.tenant.slug,
                admin_email: created.admin.email,
                admin_password: created.generated_password,
            })
        } else {
            None
        };
        Ok(Some(BootstrapReport { operator_email: op.email, operator_password: generated, demo }))
    }
}

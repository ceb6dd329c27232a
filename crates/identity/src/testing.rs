//! Test-only ways in, behind the `testing` feature. Only dev-dependencies turn it on (this
//! crate's own tests, the server's tests), so no build of the `gatehouse` binary has them:
//! `cargo tree -e features -p gatehouse-server -i gatehouse-identity` shows the feature
//! only under dev-dependencies.

// ── Permission handles: principals and scopes a test needs without a real sign-in ──

use crate::auth::principal::{OperatorScope, Principal, SystemAccess};
use crate::ids::{OperatorId, TenantId, UserId};
use crate::model::Role;

impl Principal {
    /// A signed-in tenant user, as `resolve_session` would hand them out.
    pub fn for_tests_user(tenant_id: TenantId, user_id: UserId, email: &str, role: Role) -> Principal {
        Principal::user(tenant_id, user_id, email.to_owned(), role)
    }

    /// A signed-in platform operator.
    pub fn for_tests_operator(id: OperatorId, email: &str) -> Principal {
        Principal::operator(id, email.to_owned())
    }
}

impl OperatorScope {
    /// Operator rights for a test, labelled `label` in the audit log as the system.
    pub fn for_tests(label: &str) -> OperatorScope {
        OperatorScope::system(label)
    }
}

impl SystemAccess {
    /// The system access a test passes where the binary passes the one it claimed at
    /// start-up (tests in one process each need their own).
    pub fn for_tests() -> SystemAccess {
        SystemAccess::new()
    }
}

// ── Statements: what a sign-in sends, wherever it runs ──

impl crate::Identity {
    /// Shows `observer` every statement this service runs on its sign-in connections
    /// (PostgreSQL; `store::sign_in_connections`), which sea-orm's metric callback does not
    /// see. A statement that falls back to the pool is seen by the callback instead.
    pub fn observe_sign_in_statements(&self, observer: impl Fn(&sea_orm::Statement) + Send + Sync + 'static) {
        let observer: crate::store::sign_in_connections::Observer = std::sync::Arc::new(observer);
        if let Some(set) = &self.sign_in_connections {
            set.observe(observer.clone());
        }
        // Called before any sign-in, so the gate is free.
        if let Some(mut writer) = self.sqlite_sign_in_gate.as_ref().and_then(|g| g.try_lock().ok()) {
            writer.observe(observer);
        }
    }
}

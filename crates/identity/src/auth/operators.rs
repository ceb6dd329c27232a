//! Platform operators (they manage tenants, not tenants' data).

use crate::audit::{self, Change};
use crate::auth::principal::OperatorScope;
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::operator;
use crate::{Identity, secrets, validate};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::json;

impl Identity {
    /// Creates a platform operator (the CLI's `admin create`, and first start).
    #[tracing::instrument(skip(self, scope, password), err)]
    pub async fn create_operator(&self, scope: &OperatorScope, email: &str, password: &str) -> Result<Operator> {
        let email = validate::email("email", email).map_err(|e| Error::Validation(vec![e]))?;
        secrets::check_password_strength("password", password)?;
        let hash = self.hash_password(password).await?;
        let now = self.now();
        let txn = self.begin_write().await?;
        let m = operator::ActiveModel {
            id: Set(OperatorId::generate().as_uuid()),
            email: Set(email.clone()),
            display_name: Set(email.clone()),
            password_hash: Set(hash),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "email", "an operator with this e-mail already exists"))?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: None,
                actor: scope.actor(),
                action: "operator.create",
                target_type: "operator",
                target_id: Some(m.id.to_string()),
                before: None,
                after: Some(json!({"email": email})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Operator { id: m.id.into(), email: m.email, display_name: m.display_name })
    }

    pub(crate) async fn operator_count(&self) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(operator::Entity::find().count(&self.db).await?)
    }
}

//! Housekeeping: expired pending requests, hand-overs, replay entries and sessions, and
//! webhook deliveries past their retention.

use crate::Identity;
use crate::error::Result;
use crate::store::entities::{assertion_replay, logout_replay, session, sso_handoff, sso_request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl Identity {
    /// Removes expired pending requests, hand-overs, replay entries (assertions and
    /// LogoutRequests), sessions, and sent or given-up webhook deliveries past the retention.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let mut n = 0;
        n += sso_request::Entity::delete_many()
            .filter(sso_request::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += sso_handoff::Entity::delete_many()
            .filter(sso_handoff::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += assertion_replay::Entity::delete_many()
            .filter(assertion_replay::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += logout_replay::Entity::delete_many()
            .filter(logout_replay::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += self.purge_webhook_deliveries().await?;
        Ok(n)
    }
}

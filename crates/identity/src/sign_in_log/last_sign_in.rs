//! Users' last successful sign-in, read from the sign-in log (an index on
//! `(tenant_id, user_id, outcome, created_at)`) instead of written on the user at every
//! sign-in: the sign-in's hot path writes nothing more for it. Test SSO runs do not count.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Outcome, SignInFlow};
use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::Result;
use crate::ids::UserId;
use crate::store::entities::sign_in_event;

/// Users per statement (a page of users is at most this; more are read in chunks).
const USERS_PER_STATEMENT: usize = 200;

impl Identity {
    /// The last successful sign-in (SSO or password, not a Test SSO run) of each of
    /// `users` in the scope's tenant; users who never signed in are left out.
    pub async fn last_sign_ins(&self, scope: &AdminScope, users: &[UserId]) -> Result<HashMap<UserId, DateTime<Utc>>> {
        let mut last = HashMap::new();
        for chunk in users.chunks(USERS_PER_STATEMENT) {
            let rows: Vec<(Option<uuid::Uuid>, Option<DateTime<Utc>>)> = sign_in_event::Entity::find()
                .select_only()
                .column(sign_in_event::Column::UserId)
                .column_as(sign_in_event::Column::CreatedAt.max(), "last")
                .filter(sign_in_event::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(sign_in_event::Column::UserId.is_in(chunk.iter().map(UserId::as_uuid)))
                .filter(sign_in_event::Column::Outcome.eq(Outcome::Success.as_str()))
                .filter(sign_in_event::Column::Flow.ne(SignInFlow::Test.as_str()))
                .group_by(sign_in_event::Column::UserId)
                .into_tuple()
                .all(&self.db)
                .await?;
            last.extend(rows.into_iter().filter_map(|(u, t)| Some((UserId::from(u?), t?))));
        }
        Ok(last)
    }
}

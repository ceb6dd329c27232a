//! Batched reads for lists inside lists, so `groups { members { groups { memberCount } } }`
//! costs one statement per level instead of one per row (the N+1 pattern).
//!
//! Every user or group object remembers the *batch* it was read in (a page of `users`, all
//! the member pages of a page of groups, …). When a resolver needs a group's members, it
//! reads them for every group of its batch in one statement, once; its siblings find the
//! answer already there. The answer's objects form the next batch, and so on down. Unlike
//! a timer-based loader this does not depend on how fast siblings are polled: one level,
//! one statement, under any load. Batches live inside one request's objects, and every
//! read goes through the caller's tenant scope.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use chrono::{DateTime, Utc};
use gatehouse_identity::{self as idn, GroupId, Page, PageRequest, UserId};
use tokio::sync::OnceCell;

use crate::context::{identity, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::types::{Group, User};

/// A page asked for: `first` and `after`.
type PageKey = (Option<u64>, Option<String>);
/// One read's answer: a page per parent, filled once.
type Pages<K, T> = Arc<OnceCell<HashMap<K, Page<T>>>>;

/// Answers per page asked for (siblings may ask for different pages through aliases).
struct ByPage<K, T> {
    cells: Mutex<HashMap<PageKey, Pages<K, T>>>,
}

impl<K, T> Default for ByPage<K, T> {
    fn default() -> Self {
        Self { cells: Mutex::new(HashMap::new()) }
    }
}

impl<K: Clone + Eq + std::hash::Hash, T: Clone> ByPage<K, T> {
    fn cell(&self, page: &PageRequest) -> Pages<K, T> {
        let mut cells = self.cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cells.entry((page.first, page.after.clone())).or_default().clone()
    }
}

fn page_of<K: Eq + std::hash::Hash, T: Clone>(pages: &HashMap<K, Page<T>>, key: &K) -> Page<T> {
    pages.get(key).cloned().unwrap_or(Page { items: Vec::new(), has_next_page: false })
}

/// Users read together.
#[derive(Default)]
pub(crate) struct UserBatch {
    ids: Vec<UserId>,
    groups: ByPage<UserId, Group>,
    last_sign_ins: OnceCell<HashMap<UserId, DateTime<Utc>>>,
}

impl UserBatch {
    pub(crate) fn of(mut ids: Vec<UserId>) -> Arc<Self> {
        ids.sort_unstable();
        ids.dedup();
        Arc::new(Self { ids, ..Self::default() })
    }

    /// `user`'s page of groups, read for the whole batch on first use.
    pub(crate) async fn groups(&self, ctx: &Context<'_>, user: UserId, page: &PageRequest) -> GqlResult<Page<Group>> {
        let cell = self.groups.cell(page);
        let pages = cell
            .get_or_try_init(|| async {
                let scope = tenant_scope(ctx).await?;
                let pages = identity(ctx).user_groups(&scope, &self.ids, page).await.gql()?;
                Ok::<_, async_graphql::Error>(next_level(pages, Group::batch))
            })
            .await?;
        Ok(page_of(pages, &user))
    }

    /// `user`'s last successful sign-in, read for the whole batch on first use.
    pub(crate) async fn last_sign_in(&self, ctx: &Context<'_>, user: UserId) -> GqlResult<Option<DateTime<Utc>>> {
        let last = self
            .last_sign_ins
            .get_or_try_init(|| async {
                let scope = tenant_scope(ctx).await?;
                identity(ctx).last_sign_ins(&scope.admin().gql()?, &self.ids).await.gql()
            })
            .await?;
        Ok(last.get(&user).copied())
    }
}

/// Groups read together.
#[derive(Default)]
pub(crate) struct GroupBatch {
    ids: Vec<GroupId>,
    members: ByPage<GroupId, User>,
    counts: OnceCell<HashMap<GroupId, u64>>,
}

impl GroupBatch {
    pub(crate) fn of(mut ids: Vec<GroupId>) -> Arc<Self> {
        ids.sort_unstable();
        ids.dedup();
        Arc::new(Self { ids, ..Self::default() })
    }

    /// `group`'s page of members, read for the whole batch on first use.
    pub(crate) async fn members(&self, ctx: &Context<'_>, group: GroupId, page: &PageRequest) -> GqlResult<Page<User>> {
        let cell = self.members.cell(page);
        let pages = cell
            .get_or_try_init(|| async {
                let scope = tenant_scope(ctx).await?;
                let pages = identity(ctx).group_members(&scope.admin().gql()?, &self.ids, page).await.gql()?;
                Ok::<_, async_graphql::Error>(next_level(pages, User::batch))
            })
            .await?;
        Ok(page_of(pages, &group))
    }

    /// `group`'s live member count, counted for the whole batch on first use.
    pub(crate) async fn member_count(&self, ctx: &Context<'_>, group: GroupId) -> GqlResult<u64> {
        let counts = self
            .counts
            .get_or_try_init(|| async {
                let scope = tenant_scope(ctx).await?;
                identity(ctx).group_member_counts(&scope.admin().gql()?, &self.ids).await.gql()
            })
            .await?;
        Ok(counts.get(&group).copied().unwrap_or(0))
    }
}

/// The pages of one read as GraphQL objects that all share one batch: the next level.
fn next_level<K: Eq + std::hash::Hash, T, O: Clone>(
    pages: HashMap<K, Page<T>>,
    batch: impl FnOnce(Vec<T>) -> Vec<O>,
) -> HashMap<K, Page<O>> {
    let mut shape = Vec::with_capacity(pages.len());
    let mut all = Vec::new();
    for (key, page) in pages {
        shape.push((key, page.items.len(), page.has_next_page));
        all.extend(page.items);
    }
    let mut objects = batch(all).into_iter();
    shape
        .into_iter()
        .map(|(key, n, has_next_page)| (key, Page { items: objects.by_ref().take(n).collect(), has_next_page }))
        .collect()
}

impl User {
    /// Users read together: a field of one is read for all of them.
    pub(crate) fn batch(users: Vec<idn::User>) -> Vec<User> {
        let batch = UserBatch::of(users.iter().map(|u| u.id).collect());
        users.into_iter().map(|user| User { user, batch: batch.clone() }).collect()
    }

    /// A user read on its own.
    pub(crate) fn one(user: idn::User) -> User {
        User { batch: UserBatch::of(vec![user.id]), user }
    }
}

impl Group {
    /// Groups read together: a field of one is read for all of them.
    pub(crate) fn batch(groups: Vec<idn::Group>) -> Vec<Group> {
        let batch = GroupBatch::of(groups.iter().map(|g| g.id).collect());
        groups.into_iter().map(|group| Group { group, batch: batch.clone() }).collect()
    }

    /// A group read on its own.
    pub(crate) fn one(group: idn::Group) -> Group {
        Group { batch: GroupBatch::of(vec![group.id]), group }
    }
}

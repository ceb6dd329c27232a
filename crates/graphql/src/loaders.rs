//! Per-request state: the caller's tenant scope, worked out once, and the batch loaders
//! that turn "members of each of these 50 groups" into one database statement instead of
//! fifty (the N+1 pattern). Loaders live for one request only, so nothing read for one
//! caller is ever served to another.
//!
//! [`PerRequest`] is added to every request by the schema's [`PerRequestData`] extension;
//! resolvers reach it through [`tenant_scope`](crate::context::tenant_scope) and
//! [`memberships`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::{Context, Request, ServerResult};
use gatehouse_identity::{Group, GroupId, Identity, Page, PageRequest, TenantScope, User, UserId};

use crate::error::{GqlResult, to_gql};

/// What one request remembers while it runs.
#[derive(Default)]
pub(crate) struct PerRequest {
    scope: Mutex<Option<TenantScope>>,
    loader: OnceLock<DataLoader<Memberships>>,
}

impl PerRequest {
    pub(crate) fn scope(&self) -> Option<TenantScope> {
        self.scope.lock().ok().and_then(|s| s.clone())
    }

    pub(crate) fn remember_scope(&self, scope: &TenantScope) {
        if let Ok(mut s) = self.scope.lock() {
            *s = Some(scope.clone());
        }
    }
}

/// Adds a fresh [`PerRequest`] to each request.
pub(crate) struct PerRequestData;

impl ExtensionFactory for PerRequestData {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequestDataExtension)
    }
}

struct PerRequestDataExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for PerRequestDataExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(PerRequest::default())).await
    }
}

/// A page of one parent's list: the parent and the page asked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PageOf<P> {
    pub parent: P,
    pub first: Option<u64>,
    pub after: Option<String>,
}

impl<P> PageOf<P> {
    pub(crate) fn new(parent: P, page: &PageRequest) -> Self {
        Self { parent, first: page.first, after: page.after.clone() }
    }
}

/// The live member count of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MemberCount(pub GroupId);

/// Group membership reads for one caller's scope.
pub(crate) struct Memberships {
    identity: Identity,
    scope: TenantScope,
}

/// The request's membership loader, created on first use with the caller's scope.
pub(crate) async fn memberships<'a>(ctx: &Context<'a>) -> GqlResult<&'a DataLoader<Memberships>> {
    let scope = crate::context::tenant_scope(ctx).await?;
    let per_request = ctx.data_unchecked::<PerRequest>();
    Ok(per_request.loader.get_or_init(|| {
        let identity = crate::context::identity(ctx).clone();
        DataLoader::new(Memberships { identity, scope }, tokio::spawn)
    }))
}

/// Keys grouped by the page they ask for: one statement per distinct page.
fn by_page<P: Clone + Eq + std::hash::Hash>(keys: &[PageOf<P>]) -> HashMap<(Option<u64>, Option<String>), Vec<P>> {
    let mut groups: HashMap<(Option<u64>, Option<String>), Vec<P>> = HashMap::new();
    for k in keys {
        groups.entry((k.first, k.after.clone())).or_default().push(k.parent.clone());
    }
    groups
}

impl Loader<PageOf<GroupId>> for Memberships {
    type Value = Page<User>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PageOf<GroupId>]) -> Result<HashMap<PageOf<GroupId>, Page<User>>, Self::Error> {
        let mut out = HashMap::new();
        for ((first, after), groups) in by_page(keys) {
            let page = PageRequest { first, after };
            let pages = self.identity.group_members(&self.scope, &groups, &page).await.map_err(to_gql)?;
            out.extend(pages.into_iter().map(|(g, p)| (PageOf::new(g, &page), p)));
        }
        Ok(out)
    }
}

impl Loader<PageOf<UserId>> for Memberships {
    type Value = Page<Group>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PageOf<UserId>]) -> Result<HashMap<PageOf<UserId>, Page<Group>>, Self::Error> {
        let mut out = HashMap::new();
        for ((first, after), users) in by_page(keys) {
            let page = PageRequest { first, after };
            let pages = self.identity.user_groups(&self.scope, &users, &page).await.map_err(to_gql)?;
            out.extend(pages.into_iter().map(|(u, p)| (PageOf::new(u, &page), p)));
        }
        Ok(out)
    }
}

impl Loader<MemberCount> for Memberships {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[MemberCount]) -> Result<HashMap<MemberCount, u64>, Self::Error> {
        let groups: Vec<GroupId> = keys.iter().map(|k| k.0).collect();
        let counts = self.identity.group_member_counts(&self.scope, &groups).await.map_err(to_gql)?;
        Ok(counts.into_iter().map(|(g, n)| (MemberCount(g), n)).collect())
    }
}

/// A parent's page from the loader; a parent with nothing in it has an empty page.
pub(crate) async fn page_of<P, T>(loader: &DataLoader<Memberships>, key: PageOf<P>) -> GqlResult<Page<T>>
where
    P: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
    T: Send + Sync + Clone + 'static,
    Memberships: Loader<PageOf<P>, Value = Page<T>, Error = async_graphql::Error>,
{
    Ok(loader.load_one(key).await?.unwrap_or(Page { items: Vec::new(), has_next_page: false }))
}

//! Subscriptions: the live sign-in log (`signInEventAdded`), served by the server over a
//! WebSocket (`graphql-transport-ws`). Only subscriptions run over that socket
//! ([`SubscriptionsOnly`]): queries and mutations keep to `POST /graphql`, with its CSRF
//! rules, body limits and session cookies.
//!
//! A subscription lives as long as the authentication it started with: every
//! [`StillAuthenticated::every`] the server's check runs again (the session not signed out,
//! expired or idle; the API token not revoked), and when it fails the stream ends with
//! `UNAUTHENTICATED`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::futures_util::{Stream, stream};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Context, ServerError, ServerResult, Subscription, Variables};
use gatehouse_identity::LiveSubscription;

use crate::context::{identity, principal, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::types::{SignInEvent, SignInEventFilter};

/// Marks a request that arrived over the subscription socket (connection data).
#[derive(Clone, Copy, Debug)]
pub struct OverWebSocket;

/// How the server checks, while a subscription runs, that its caller is still signed in
/// (connection data). Answers whether the session or token still stands.
#[derive(Clone)]
pub struct StillAuthenticated {
    pub check: Arc<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>,
    pub every: Duration,
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The tenant's new sign-in attempts as they are logged, on any replica, that match
    /// `filter` (tenant admins and API tokens; operators name the tenant). Starts with the
    /// attempts of the last few seconds, so nothing logged while the page loaded is lost:
    /// clients skip IDs they already show. At most 5 at once per user or API token.
    async fn sign_in_event_added(
        &self,
        ctx: &Context<'_>,
        filter: Option<SignInEventFilter>,
    ) -> async_graphql::Result<impl Stream<Item = GqlResult<SignInEvent>> + use<>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let filter = crate::query::sign_in_filter(filter)?;
        let holder = {
            let actor = principal(ctx)?.actor();
            format!("{}:{}", actor.kind, actor.id.unwrap_or_default())
        };
        let identity = identity(ctx).clone();
        let subscription = identity.live_sign_ins().subscribe(&identity, &scope, filter, holder).gql()?;
        let still = ctx.data_opt::<StillAuthenticated>().cloned();
        Ok(live(subscription, still))
    }
}

/// The subscription's events until its caller's authentication lapses.
fn live(
    subscription: LiveSubscription,
    still: Option<StillAuthenticated>,
) -> impl Stream<Item = GqlResult<SignInEvent>> {
    let next_check = still.as_ref().map(|s| tokio::time::Instant::now() + s.every);
    stream::unfold(Some((subscription, still, next_check)), |state| async move {
        let (mut subscription, still, mut next_check) = state?;
        loop {
            let deadline = next_check.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                event = subscription.next() => {
                    let event = event?;
                    return Some((Ok(SignInEvent(event)), Some((subscription, still, next_check))));
                }
                () = tokio::time::sleep_until(deadline), if next_check.is_some() => {
                    let Some(s) = &still else { return None };
                    if !(s.check)().await {
                        tracing::info!("live sign-in log closed: the caller's session or token has ended");
                        return Some((Err(crate::error::unauthenticated()), None));
                    }
                    next_check = Some(tokio::time::Instant::now() + s.every);
                }
            }
        }
    })
}

/// Refuses queries and mutations that arrive over the subscription socket.
pub(crate) struct SubscriptionsOnly;

impl ExtensionFactory for SubscriptionsOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SubscriptionsOnlyExtension)
    }
}

struct SubscriptionsOnlyExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for SubscriptionsOnlyExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let over_socket = ctx.data_opt::<OverWebSocket>().is_some();
        if over_socket && document.operations.iter().any(|(_, op)| op.node.ty != OperationType::Subscription) {
            let mut e = ServerError::new(
                "only subscriptions run over this socket; send queries and mutations to POST /graphql",
                None,
            );
            let mut x = async_graphql::ErrorExtensionValues::default();
            x.set("code", "BAD_REQUEST");
            e.extensions = Some(x);
            return Err(e);
        }
        Ok(document)
    }
}

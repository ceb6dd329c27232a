//! `gatehouse-graphql`: the GraphQL API the console and API clients use — types,
//! queries, mutations, guards and error codes. It knows the identity services only;
//! HTTP (cookies, headers) is the server's job: who is calling is handed in as
//! [`RequestAuth`], and a session started or ended is reported back in a [`SessionReport`].
//!
//! - `query`, `mutation`, `types`: the schema; `context`: who is calling, and the one way to
//!   a tenant scope; `error`: identity errors as `extensions.code`.
//! - `pagination`: lists that grow with a tenant's data are connections with a bounded `first`.
//! - [`limits`]: what one request may ask for (cost with list sizes counted, depth, root
//!   fields, aliases, fragment fan-out, introspection nesting), refused before anything runs.
//! - `domains`: verified e-mail domains and break-glass accounts.
//! - `certificates`: the IdP metadata URL, staged certificates, certificate usage and expiry warnings.
//! - `batches`: nested lists read one statement per level, not per row.
//! - `sso_drafts`: the SSO settings' draft, publishing, history, diff and rollback (issue 13).
//! - `webhooks`: webhook endpoints, their deliveries, resending and secret rotation (issue 15).
//! - `one_sign_in`: at most one `signIn` per request (aliases included), checked before anything runs.
//! - `subscription`: the live sign-in log (`signInEventAdded`), subscriptions only over the socket.

#![warn(unreachable_pub)]

mod batches;
mod certificates;
mod context;
mod domains;
mod error;
pub mod limits;
mod mutation;
mod one_sign_in;
mod pagination;
mod query;
mod sso_drafts;
mod subscription;
mod types;
mod webhooks;

use async_graphql::Schema;
use gatehouse_identity::Identity;

pub use context::{RequestAuth, ServiceProviderInfo, SessionChange, SessionReport};
pub use subscription::{OverWebSocket, StillAuthenticated, SubscriptionRoot};
/// The queries: the core set and the certificate rollover's (`certificates`).
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    query::CoreQuery,
    certificates::CertificateQuery,
    domains::DomainQuery,
    sso_drafts::DraftQuery,
    webhooks::WebhookQuery,
);

/// The mutations: the core set and the certificate rollover's (`certificates`).
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    mutation::CoreMutation,
    certificates::CertificateMutation,
    domains::DomainMutation,
    sso_drafts::DraftMutation,
    webhooks::WebhookMutation,
);

pub type GatehouseSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with the process-wide services; per-request data ([`RequestAuth`],
/// and a [`SessionReport`] that `signIn` / `signOut` fill) is added to each request by the server.
pub fn build_schema(identity: Identity, sp: ServiceProviderInfo) -> GatehouseSchema {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot)
        .data(identity)
        .data(sp)
        .extension(context::PerRequestData)
        .extension(limits::QueryLimits)
        .limit_recursive_depth(limits::MAX_RECURSION)
        .limit_directives(limits::MAX_DIRECTIVES)
        .extension(one_sign_in::OneSignInPerRequest)
        .extension(subscription::SubscriptionsOnly)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn schema_sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot).finish().sdl()
}

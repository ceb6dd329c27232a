//! `gatehouse-graphql`: the GraphQL API the console and API clients use — types,
//! queries, mutations, guards and error codes. It knows the identity services only;
//! HTTP (cookies, headers) is the server's job, handed in as [`RequestAuth`].

mod context;
mod error;
mod mutation;
mod one_sign_in;
mod query;
mod types;

use async_graphql::{EmptySubscription, Schema};
use gatehouse_identity::Identity;

pub use context::{CookieSettings, RequestAuth, ServiceProviderInfo, SESSION_COOKIE};
pub use mutation::MutationRoot;
pub use query::QueryRoot;

pub type GatehouseSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema with the process-wide services; per-request data ([`RequestAuth`])
/// is added to each request by the server.
pub fn build_schema(identity: Identity, sp: ServiceProviderInfo, cookies: CookieSettings) -> GatehouseSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(identity)
        .data(sp)
        .data(cookies)
        .limit_depth(12)
        .limit_complexity(2000)
        .extension(one_sign_in::OneSignInPerRequest)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn schema_sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription).finish().sdl()
}

//! Integration tests of gatehouse-scim, by area. `entra` replays the request bodies Microsoft
//! documents for Entra ID provisioning; the other modules probe the edges of each area.
#![allow(clippy::unwrap_used)]

mod discovery;
mod entra;
mod errors;
mod filter;
mod limits;
mod list;
mod patch_group;
mod patch_user;
mod resources;

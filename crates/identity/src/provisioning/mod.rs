//! Users and groups: the console's user management and what the IdP provisions over SCIM
//! (users, groups and their members, SCIM tokens), with the guard that keeps SCIM away
//! from tenant admins unless the tenant lets it.

pub(crate) mod admin_guard;
pub(crate) mod groups;
pub(crate) mod listing;
pub(crate) mod memberships;
pub(crate) mod scim_tokens;
pub(crate) mod scim_users;
pub(crate) mod user_attributes;
pub(crate) mod users;

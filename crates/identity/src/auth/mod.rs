//! Authentication: password sign-in to the console, sessions (random 256-bit IDs stored
//! as SHA-256 hashes, with idle and absolute expiry), API tokens, platform operators.

mod api_tokens;
mod operators;
mod password;
pub(crate) mod principal;
mod sessions;
pub(crate) mod throttle;

pub use sessions::{Me, MeRole};

use crate::auth::principal::Principal;
use chrono::{DateTime, Duration, Utc};

/// Last-seen / last-used times are written at most this often per session or token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A password sign-in attempt.
#[derive(Clone, Debug, Default)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// Needed only when the e-mail and password match accounts in several tenants.
    pub tenant: Option<String>,
    pub session: NewSessionInfo,
}

/// Where a session was made from (kept for the admin's view, never for auth).
#[derive(Clone, Debug, Default)]
pub struct NewSessionInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A new session: the cookie value (shown once, never stored) and who it is for.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session_token: String,
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
}

/// The IdP's view of an SSO session, kept for single logout.
#[derive(Clone, Debug)]
pub(crate) struct SsoSessionInfo {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

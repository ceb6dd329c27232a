//! Bounds on what one SCIM request may ask the parsers and evaluators to do. Every recursive
//! parser here (filters, value filters inside PATCH paths) stops at [`MAX_FILTER_DEPTH`], and
//! every text it reads is bounded in length before parsing starts, so no request can exhaust
//! the stack or spend unbounded time. JSON bodies are bounded by `serde_json`'s own nesting
//! limit ([`MAX_JSON_DEPTH`]), which [`crate::resource::parse_json`] relies on (tested).
//!
//! The values are far above what Microsoft Entra ID and other provisioning clients send
//! (INTEROP.md): Entra's filters are one or two `eq` terms, its PATCH paths are like
//! `members[value eq "<id>"]`, and its PATCH requests carry a few operations.

/// Deepest nesting of `(…)`, `not (…)` and `attr[…]` in a filter or PATCH path.
pub const MAX_FILTER_DEPTH: usize = 32;
/// Longest `filter`, in characters.
pub const MAX_FILTER_LEN: usize = 4096;
/// Most comparisons (`attr op value`, `attr pr`) in one filter.
pub const MAX_FILTER_COMPARISONS: usize = 100;
/// Longest attribute path or PATCH path, in characters.
pub const MAX_PATH_LEN: usize = 1024;
/// Most paths in one `attributes` or `excludedAttributes` list.
pub const MAX_PROJECTION_PATHS: usize = 100;
/// Most operations in one PATCH request.
pub const MAX_PATCH_OPERATIONS: usize = 1000;
/// Most values (e.g. group members) all operations of one PATCH request carry together.
pub const MAX_PATCH_VALUES: usize = 10_000;
/// Deepest JSON nesting of a request body: `serde_json`'s built-in recursion limit of 128
/// refuses the 128th nested array or object (400 `invalidSyntax`, "recursion limit exceeded").
pub const MAX_JSON_DEPTH: usize = 127;

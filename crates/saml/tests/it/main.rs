//! Integration tests for gatehouse-saml, one module per area.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod certificate;
mod metadata;
mod response;
mod support;

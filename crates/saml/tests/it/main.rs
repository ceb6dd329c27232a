//! Integration tests for gatehouse-saml, one module per area.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod authn_request;
mod certificate;
mod encryption;
mod logout;
mod metadata;
mod response;
mod sp;
mod support;

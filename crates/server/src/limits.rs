//! Request body limits. Every route that reads a body gets a limit on the body *stream*
//! (tower-http's `RequestBodyLimitLayer`): a declared `Content-Length` above it is refused
//! before a byte is read, and a chunked body is cut off as soon as it passes the limit.
//! Either way the client gets 413 in the route's own form (a GraphQL error, a SCIM Error,
//! or a page), never a half-read request.
//!
//! The app also limits every body in the router to the largest of these ([`catch_all`]),
//! so a route added later without its own limit is still bounded.

use std::error::Error as StdError;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower_http::limit::RequestBodyLimitLayer;

/// `/login`, `/logout` and `/saml2/complete` post a few short fields.
pub(crate) const FORM_BODY_LIMIT: usize = 16 * 1024;

/// The limits of one deployment (see the README's limits table).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimits {
    /// `POST /graphql` (certificates and metadata documents fit easily).
    pub graphql: usize,
    /// The ACS (`POST /saml2`): a whole signed SAML Response.
    pub acs: usize,
    /// `POST /login`, `POST /logout`, `POST /saml2/complete`.
    pub form: usize,
    /// SCIM requests (`/scim/v2/…`).
    pub scim: usize,
}

impl BodyLimits {
    /// The catch-all around the whole router: at least every route's own limit.
    pub(crate) fn largest(&self) -> usize {
        self.graphql.max(self.acs).max(self.form).max(self.scim)
    }
}

/// The form a route answers a too-large body in.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal {
    /// `{"errors":[{…, "extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}`
    GraphQl,
    /// An HTML page for a person.
    Page,
    /// A SCIM Error (RFC 7644 §3.12).
    Scim,
}

#[derive(Clone, Copy, Debug)]
struct Limit {
    max: usize,
    refusal: Refusal,
}

impl Refusal {
    /// The 413 answer, from the surface's own error type.
    pub(crate) fn response(self, max: usize) -> Response {
        match self {
            Refusal::GraphQl => crate::graphql::GraphQlError::payload_too_large(max).into_response(),
            Refusal::Page => crate::pages::PageError::payload_too_large().into_response(),
            Refusal::Scim => crate::scim::payload_too_large(max),
        }
    }
}

/// Limits one route's body to `max` bytes, refusing in `refusal`'s form.
pub(crate) fn route<S: Clone + Send + Sync + 'static>(
    route: MethodRouter<S>,
    max: usize,
    refusal: Refusal,
) -> MethodRouter<S> {
    route.layer(RequestBodyLimitLayer::new(max)).layer(from_fn_with_state(Limit { max, refusal }, answer_in_form))
}

/// Limits every route of a router to `max` bytes, refusing in `refusal`'s form.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(router: Router<S>, max: usize, refusal: Refusal) -> Router<S> {
    router.layer(RequestBodyLimitLayer::new(max)).layer(from_fn_with_state(Limit { max, refusal }, answer_in_form))
}

/// Caps every request body's stream at `max` bytes without answering for it: routes
/// with their own (smaller) limit answer first and in their own form; a route without
/// one sees its read fail, which axum's extractors answer with 413.
pub(crate) async fn catch_all(State(max): State<usize>, req: Request, next: Next) -> Response {
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, max)))).await
}

/// Whatever produced the 413 (the layer on `Content-Length`, or a handler whose read hit
/// the limit), the client sees it in the route's form. Logged once, at INFO.
async fn answer_in_form(State(limit): State<Limit>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if resp.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return resp;
    }
    tracing::info!(path = %path, limit_bytes = limit.max, "request body refused: larger than the limit");
    limit.refusal.response(limit.max)
}

/// Whether a body-read error is the limit being hit (anywhere in its chain of causes).
pub(crate) fn exceeded(error: &(dyn StdError + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use tower::ServiceExt;

    /// A handler that reads whatever it is sent, as a careless new route would.
    async fn reads_everything(body: axum::body::Bytes) -> String {
        body.len().to_string()
    }

    #[tokio::test]
    async fn a_route_without_its_own_limit_is_capped_by_the_catch_all() {
        let app = Router::new()
            .route("/careless", post(reads_everything))
            .layer(DefaultBodyLimit::disable())
            .layer(from_fn_with_state(1024usize, catch_all));
        let send = |len: usize| {
            app.clone().oneshot(Request::post("/careless").body(Body::from(vec![b'x'; len])).expect("request"))
        };
        assert_eq!(send(1000).await.expect("answer").status(), StatusCode::OK);
        assert_eq!(send(4096).await.expect("answer").status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_route_limit_answers_in_its_form_under_the_catch_all() {
        let app = Router::new()
            .route("/graphql", route(post(reads_everything), 1024, Refusal::GraphQl))
            .layer(DefaultBodyLimit::disable())
            .layer(from_fn_with_state(64 * 1024usize, catch_all));
        for declared in [true, false] {
            let mut req = Request::post("/graphql");
            if declared {
                req = req.header(axum::http::header::CONTENT_LENGTH, "4096");
            }
            let resp =
                app.clone().oneshot(req.body(Body::from(vec![b'x'; 4096])).expect("request")).await.expect("answer");
            assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body = axum::body::to_bytes(resp.into_body(), 4096).await.expect("body");
            assert!(String::from_utf8_lossy(&body).contains("PAYLOAD_TOO_LARGE"), "declared={declared}");
        }
    }
}

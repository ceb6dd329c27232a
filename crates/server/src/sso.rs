//! The end-user side of SAML: `/saml2` (ACS), `/saml2/login`, `/saml2/test`,
//! `/saml2/complete`, `/saml2/logout`, `/saml2/metadata`, and the `/login` and `/logout`
//! pages. The flow itself lives in `gatehouse_identity::sso_flow`; this module is HTTP.

use std::time::Instant;

use axum::extract::{Form, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use gatehouse_identity::{
    AcsOutcome, NewSessionInfo, Organisation, ReasonCode, RequestMeta, SignIn, SignInReason, SignInRoute, SsoError,
    SsoStart, TestReport,
};
use serde::Deserialize;

use crate::app::AppState;
use crate::client_address::ClientAddress;
use crate::cookies::with_cookie;
use crate::limits::{self, BodyLimits, Refusal};
use crate::metrics::{RateLimit, SsoStep};
use crate::pages::{Frame, PageError, esc, framed_page, next_steps, urlencode};

/// The routes, each body-reading one with its limit (the IdP posts a whole signed document
/// to the ACS; the other forms are a few short fields).
pub(crate) fn routes(l: &BodyLimits) -> Router<AppState> {
    Router::new()
        .route("/saml2", limits::route(post(acs), l.acs, Refusal::Page))
        .route("/saml2/login", get(start))
        .route("/saml2/test", get(start_test))
        .route("/saml2/complete", limits::route(post(complete), l.form, Refusal::Page))
        .route("/saml2/logout", get(slo))
        .route("/saml2/metadata", get(metadata))
        .route("/login", limits::route(post(login_submit), l.form, Refusal::Page).get(login_page))
        .route("/logout", limits::route(post(logout_submit), l.form, Refusal::Page).get(logout_page))
}

fn meta(headers: &HeaderMap, peer: Option<Extension<ClientAddress>>) -> RequestMeta {
    RequestMeta {
        ip: peer.map(|Extension(ClientAddress(a))| a.to_string()),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        quiet_failures: false,
    }
}

/// A failed SSO step as a page (counted as a failed SSO sign-in): a refusal names the
/// sign-in event the admin finds it under, and the organisation it was for once known
/// (`tenant`, the slug the request named, or the tenant its sign-in event was tied to).
async fn sso_error(state: &AppState, e: SsoError, tenant: Option<&str>) -> Response {
    crate::metrics::sso_failed(&e);
    match e {
        SsoError::Refused(r) => {
            let organisation = match (tenant, r.event_id) {
                (Some(slug), _) => organisation_by_slug(state, slug).await,
                (None, Some(event)) => state.identity.organisation_of_sign_in_event(event).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "reading the organisation of a refused sign-in failed");
                    None
                }),
                (None, None) => None,
            };
            PageError::new(StatusCode::FORBIDDEN, "Sign-in failed", r.message)
                .with_reference(r.event_id.map(|id| id.to_string()))
                .with_organisation(organisation)
        }
        SsoError::Internal(e) => PageError::internal(&e),
    }
    .into_response()
}

/// The organisation a page speaks for, by slug; a failed read only leaves its name off.
async fn organisation_by_slug(state: &AppState, slug: &str) -> Option<Organisation> {
    state.identity.organisation_by_slug(slug).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "reading an organisation for an end-user page failed");
        None
    })
}

/// Sends the browser to the IdP and binds the sign-in to it with a Lax cookie.
fn redirect_to_idp(state: &AppState, started: SsoStart) -> Response {
    let cookie = state.cookies.sso_binding(&started.binding_nonce);
    with_cookie(Redirect::to(&started.redirect_url).into_response(), cookie)
}

#[derive(Deserialize)]
struct StartQuery {
    tenant: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
    login_hint: Option<String>,
}

async fn start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(tenant) = q.tenant.filter(|t| !t.trim().is_empty()) else {
        return PageError::new(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The sign-in link does not name an organisation (?tenant=…).",
        )
        .into_response();
    };
    match state.identity.start_sso(&tenant, q.relay_state.as_deref(), q.login_hint.as_deref()).await {
        Ok(started) => redirect_to_idp(&state, started),
        Err(e) => sso_error(&state, e, Some(&tenant)).await,
    }
}

#[derive(Deserialize)]
struct TestQuery {
    token: String,
}

async fn start_test(State(state): State<AppState>, Query(q): Query<TestQuery>) -> Response {
    match state.identity.start_sso_test(&q.token).await {
        Ok(started) => redirect_to_idp(&state, started),
        Err(e) => sso_error(&state, e, None).await,
    }
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

async fn acs(
    State(state): State<AppState>,
    peer: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let started = Instant::now();
    let resp = acs_step(&state, peer, &headers, form).await;
    crate::metrics::sso_step(SsoStep::Acs, started.elapsed());
    resp
}

async fn acs_step(
    state: &AppState,
    peer: Option<Extension<ClientAddress>>,
    headers: &HeaderMap,
    form: AcsForm,
) -> Response {
    let Some(saml_response) = form.saml_response.filter(|s| !s.is_empty()) else {
        return PageError::new(StatusCode::BAD_REQUEST, "Sign-in failed", "No SAMLResponse was posted.")
            .into_response();
    };
    let meta = meta(headers, peer);
    // Failures are throttled per address before any validation; an Issuer over its budget
    // (it is unsigned here, anyone can name it) is still validated, its refusals only kept
    // out of the tenant's sign-in log. See `Identity::acs_admission`.
    let mut meta = meta;
    let admission = match state.identity.acs_admission(&saml_response, meta.ip.as_deref()).await {
        Ok(admission) => admission,
        Err(e) => return PageError::internal(&e).into_response(),
    };
    if let Some(secs) = admission.address_wait {
        tracing::info!(reason = "acs_rate_limited", retry_after_secs = secs, "SAML Response refused unchecked");
        crate::metrics::rate_limited(RateLimit::Acs);
        return PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Sign-in paused",
            format!("Too many failed sign-ins came from this address. Try again in {secs} seconds."),
        )
        .with_retry_after(secs)
        .into_response();
    }
    meta.quiet_failures = admission.quiet_failures;
    match state.identity.consume_admitted_response(&saml_response, &admission, form.relay_state.as_deref(), &meta).await
    {
        Ok(AcsOutcome::Handoff { handle, organisation }) => handoff_page(&handle, organisation.as_deref()),
        Ok(AcsOutcome::Test(report)) => test_report_page(&report),
        Err(e) => {
            if matches!(e, SsoError::Refused(_))
                && let Err(count) = state.identity.acs_failed(&admission, meta.ip.as_deref()).await
            {
                tracing::warn!(error = %count, "counting a refused SAML Response failed");
            }
            sso_error(state, e, None).await
        }
    }
}

/// Adds `Retry-After` to a throttled answer.
fn throttled(mut resp: Response, retry_after_secs: u64) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    resp
}

/// Continues on our own site, where the browser's Lax binding cookie is sent; framed with
/// the name of the organisation being signed in to.
fn handoff_page(handle: &str, organisation: Option<&str>) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let body = format!(
        "<h1>Signing you in…</h1><p>Your identity provider has confirmed who you are. One moment while Gatehouse finishes.</p>\
         <form id=\"handoff\" method=\"post\" action=\"/saml2/complete\">\
         <input type=\"hidden\" name=\"handle\" value=\"{}\"><button type=\"submit\">Continue</button></form>\
         <script nonce=\"{nonce}\">document.getElementById('handoff').submit();</script>",
        esc(handle)
    );
    framed_page(StatusCode::OK, "Signing you in", Frame { organisation, wide: false }, &body, Some(&nonce))
}

/// The Test SSO result, for the admin who ran it: the outcome in plain words first, the
/// reason code second, what the IdP sent with short claim names (the full URI on hover),
/// and a way back to the console (not to the sign-in page: nobody was signed in).
fn test_report_page(r: &TestReport) -> Response {
    framed_page(StatusCode::OK, "SSO test", Frame { organisation: None, wide: true }, &test_report_html(r), None)
}

fn test_report_html(r: &TestReport) -> String {
    let verdict = if r.success {
        format!(
            "<p class=\"ok\"><strong>The test sign-in worked.</strong> Your identity provider signed {} in, and Gatehouse would have let them in.</p>",
            esc(r.user.as_deref().or(r.name_id.as_deref()).unwrap_or("the user"))
        )
    } else {
        format!(
            "<p class=\"error\"><strong>The test sign-in failed.</strong> {}</p>{}\
             <p class=\"muted\">Reason code: <code>{}</code></p><details><summary>Details</summary><p>{}</p></details>",
            esc(r.reason.admin_text()),
            signed_by(r),
            esc(r.reason.as_str()),
            esc(&r.detail)
        )
    };
    let mut rows = String::new();
    let mut row = |k: &str, v: &str| rows.push_str(&format!("<tr><th scope=\"row\">{k}</th><td>{}</td></tr>", esc(v)));
    if let Some(n) = &r.name_id {
        row("User the IdP sent (NameID)", n);
    }
    if let Some(u) = &r.user {
        row("Matching Gatehouse user", u);
    }
    if let Some(f) = &r.certificate_fingerprint {
        row("Verified with certificate (SHA-256)", f);
    }
    if let Some(o) = r.clock_offset_seconds {
        let words = match o {
            0 => "in step with Gatehouse".to_owned(),
            o if o > 0 => format!("{o} s ahead of Gatehouse"),
            o => format!("{} s behind Gatehouse", -o),
        };
        row("IdP clock", &words);
    }
    let mut claims = String::new();
    for (k, v) in &r.attributes {
        let short = short_claim_name(k);
        let name = if short == k.as_str() {
            format!("<code>{}</code>", esc(k))
        } else {
            format!("<abbr title=\"{}\">{}</abbr>", esc(k), esc(short))
        };
        claims.push_str(&format!("<tr><th scope=\"row\">{name}</th><td>{}</td></tr>", esc(&v.join(", "))));
    }
    let table = if rows.is_empty() { String::new() } else { format!("<table>{rows}</table>") };
    let claims = if claims.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>Claims the IdP sent</h2><p class=\"muted\">Hover a name for its full URI.</p><table>{claims}</table>"
        )
    };
    format!(
        "<h1>SSO test result</h1>{verdict}{table}{claims}\
         <p class=\"muted\">No session was created. This result is also in the sign-in log.</p>\
         <p><a class=\"button\" href=\"/identity\">Back to Identity Management</a> <a href=\"/sign-in-log\">Open the sign-in log</a></p>"
    )
}

/// Which certificate signed a message refused for its signature, said only from verified
/// data: a staged certificate (fetched by Gatehouse from the IdP's metadata) that verifies
/// it is named; otherwise the page says only that the key is not trusted, and that the
/// certificate the message carries (in the details) proves nothing.
fn signed_by(r: &TestReport) -> String {
    if let Some(fingerprint) = &r.signed_by_staged {
        return format!(
            "<p>It was signed with a new certificate that Gatehouse fetched from your IdP's metadata and has staged, \
             but does not trust yet (SHA-256 <code>{}</code>). If your IdP has moved to it, trust it under \
             <strong>Certificate rollover</strong> in Identity Management.</p>",
            esc(fingerprint)
        );
    }
    match r.reason {
        SignInReason::Saml(ReasonCode::UntrustedKey) => "<p>It was signed with a certificate Gatehouse doesn't trust. \
            The message names that certificate itself (its fingerprint is in the details), which proves nothing: \
            anyone can make one. Download the current signing certificate from your IdP and compare fingerprints \
            before you upload anything.</p>"
            .to_owned(),
        _ => String::new(),
    }
}

/// The last segment of a claim URI (`…/claims/emailaddress` → `emailaddress`); a plain
/// name stays as it is.
fn short_claim_name(name: &str) -> &str {
    let trimmed = name.trim_end_matches('/');
    match trimmed.rfind(['/', ':', '#']) {
        Some(i) if i + 1 < trimmed.len() => &trimmed[i + 1..],
        _ => name,
    }
}

#[derive(Deserialize)]
struct CompleteForm {
    handle: String,
}

async fn complete(
    State(state): State<AppState>,
    peer: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    Form(form): Form<CompleteForm>,
) -> Response {
    let started = Instant::now();
    let binding = state.cookies.sso_binding_of(&headers);
    let meta = meta(&headers, peer);
    match state.identity.complete_sso(&form.handle, binding.as_deref(), &meta).await {
        Ok(done) => {
            crate::metrics::sso_succeeded();
            let session = state.cookies.session_started(
                &done.signed_in.session_token,
                done.signed_in.expires_at,
                state.identity.now(),
            );
            let clear = state.cookies.sso_binding_cleared();
            let resp = with_cookie(with_cookie(Redirect::to(&done.redirect_to).into_response(), session), clear);
            crate::metrics::sso_step(SsoStep::Complete, started.elapsed());
            resp
        }
        Err(e) => {
            crate::metrics::sso_step(SsoStep::Complete, started.elapsed());
            sso_error(&state, e, None).await
        }
    }
}

async fn slo(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let has = |p: &str| url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == p);
    if has("SAMLRequest") {
        return match state.identity.idp_logout(&query).await {
            Ok(url) => Redirect::to(&url).into_response(),
            Err(e) => sso_error(&state, e, None).await,
        };
    }
    if has("SAMLResponse") {
        return match state.identity.finish_logout(&query).await {
            Ok(tenant) => {
                let organisation = state.identity.organisation_by_id(tenant).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "reading the organisation signed out of failed");
                    None
                });
                signed_out_page(organisation.as_ref())
            }
            Err(SsoError::Refused(r)) => {
                tracing::info!(reason = %r.reason, "logout response refused");
                signed_out_page(None)
            }
            Err(SsoError::Internal(e)) => PageError::internal(&e).into_response(),
        };
    }
    PageError::new(StatusCode::BAD_REQUEST, "Sign-out", "This address expects a SAML logout message.").into_response()
}

/// "You are signed out", with the ways back in of the organisation signed out of.
fn signed_out_page(organisation: Option<&Organisation>) -> Response {
    let heading = match organisation {
        Some(o) => format!("You are signed out of {}", esc(&o.name)),
        None => "You are signed out".to_owned(),
    };
    let body = format!(
        "<h1>{heading}</h1><p>Your session has ended on this device. Close the browser if others use it.</p>{}",
        next_steps(organisation)
    );
    let frame = Frame { organisation: organisation.map(|o| o.name.as_str()), wide: false };
    framed_page(StatusCode::OK, "Signed out", frame, &body, None)
}

/// `GET /saml2/metadata[?tenant=<slug>]`: the per-tenant form says truthfully whether that
/// tenant's AuthnRequests are signed.
async fn metadata(State(state): State<AppState>, Query(q): Query<MetadataQuery>) -> Response {
    let tenant = q.tenant.as_deref().map(str::trim).filter(|t| !t.is_empty() && t.len() <= 64);
    match state.identity.sp_metadata_xml(tenant).await {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/samlmetadata+xml")], xml).into_response(),
        Err(gatehouse_identity::Error::NotFound { .. }) => {
            PageError::new(StatusCode::NOT_FOUND, "SP metadata", "There is no organisation with this name.")
                .into_response()
        }
        Err(e) => PageError::internal(&e).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct MetadataQuery {
    tenant: Option<String>,
}

fn login_form(email: &str, message: Option<&str>, password: bool, sso_tenant: Option<&str>) -> Response {
    login_form_for(None, email, message, password, sso_tenant)
}

/// The sign-on page; with an organisation, its name heads the page and the bar.
fn login_form_for(
    organisation: Option<&Organisation>,
    email: &str,
    message: Option<&str>,
    password: bool,
    sso_tenant: Option<&str>,
) -> Response {
    let msg = message.map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let pw = if password {
        "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus>"
    } else {
        ""
    };
    let sso = sso_tenant
        .map(|t| {
            format!(
                "<p class=\"next\"><a class=\"button secondary\" href=\"/saml2/login?tenant={}&amp;login_hint={}\">Sign in with SSO</a></p>",
                esc(&urlencode(t)),
                esc(&urlencode(email))
            )
        })
        .unwrap_or_default();
    let tenant_field = organisation
        .map(|o| format!("<input type=\"hidden\" name=\"tenant\" value=\"{}\">", esc(&o.slug)))
        .unwrap_or_default();
    let heading = match organisation {
        Some(o) => format!("Sign in to {}", esc(&o.name)),
        None => "Sign in".to_owned(),
    };
    let body = format!(
        "<h1>{heading}</h1>{msg}<form method=\"post\" action=\"/login\">{tenant_field}\
         <label for=\"email\">E-mail</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{}\"{}>\
         {pw}<button type=\"submit\">{}</button></form>{sso}",
        esc(email),
        if password { "" } else { " autofocus" },
        if password { "Sign in" } else { "Next" }
    ) + if password {
        ""
    } else {
        // Addresses of a verified domain go straight to the IdP; its break-glass accounts
        // sign in with a password from here (the same link for everyone: it says nothing).
        "<p><a href=\"/login?method=password\">Sign in with a password instead</a> (break-glass accounts)</p>"
    };
    let frame = Frame { organisation: organisation.map(|o| o.name.as_str()), wide: false };
    framed_page(
        if message.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK },
        "Sign in",
        frame,
        &body,
        None,
    )
}

#[derive(Deserialize)]
struct LoginQuery {
    tenant: Option<String>,
    method: Option<String>,
}

/// The sign-on page: the e-mail first (home-realm discovery), or e-mail and password together
/// with `?method=password` (break-glass accounts) or `/login?tenant=<slug>` (the error pages'
/// "Sign in with a password": the organisation's name heads the page).
async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let organisation = match q.tenant.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(slug) => organisation_by_slug(&state, slug).await,
        None => None,
    };
    let sso = organisation.as_ref().filter(|o| o.sso).map(|o| o.slug.as_str());
    let password = organisation.is_some() || q.method.as_deref() == Some("password");
    login_form_for(organisation.as_ref(), "", None, password, sso)
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: Option<String>,
    tenant: Option<String>,
}

/// Home-realm discovery: SSO-only users go straight to their IdP; others get a password
/// field (and an SSO button where both are allowed).
async fn login_submit(
    State(state): State<AppState>,
    peer: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Some(refused) = refuse_cross_site(&state, &headers, "/login") {
        return refused;
    }
    let email = form.email.trim().to_owned();
    if let Some(password) = form.password.filter(|p| !p.is_empty()) {
        let meta = meta(&headers, peer);
        let result = state
            .identity
            .sign_in(SignIn {
                email: email.clone(),
                password,
                tenant: form.tenant,
                session: NewSessionInfo { ip: meta.ip, user_agent: meta.user_agent },
            })
            .await;
        return match result {
            Ok(s) => {
                let cookie = state.cookies.session_started(&s.session_token, s.expires_at, state.identity.now());
                with_cookie(Redirect::to("/").into_response(), cookie)
            }
            Err(e @ gatehouse_identity::Error::Internal(_)) => PageError::internal(&e).into_response(),
            Err(gatehouse_identity::Error::RateLimited { message, retry_after_secs }) => {
                let mut page = login_form(&email, Some(&message), true, None);
                *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                crate::metrics::rate_limited(RateLimit::PasswordSignIn);
                throttled(page, retry_after_secs)
            }
            Err(e) => login_form(&email, Some(&e.to_string()), true, None),
        };
    }
    match state.identity.sign_in_route(&email).await {
        Ok(SignInRoute::SsoOnly { tenant_slug }) => {
            let url = format!("/saml2/login?tenant={}&login_hint={}", urlencode(&tenant_slug), urlencode(&email));
            Redirect::to(&url).into_response()
        }
        Ok(SignInRoute::Domain { tenant_slug }) => {
            match state.identity.start_sso(&tenant_slug, None, Some(&email)).await {
                Ok(started) => redirect_to_idp(&state, started),
                Err(e) => sso_error(&state, e, Some(&tenant_slug)).await,
            }
        }
        Ok(SignInRoute::Password { sso_tenant }) => {
            let organisation = match sso_tenant.as_deref() {
                Some(slug) => organisation_by_slug(&state, slug).await,
                None => None,
            };
            login_form_for(organisation.as_ref(), &email, None, true, sso_tenant.as_deref())
        }
        Err(e) => PageError::internal(&e).into_response(),
    }
}

/// The same-origin rule ([`crate::same_origin`]) for the sign-in and sign-out forms: a
/// form posted from another site is answered with a page saying so, and logged once.
fn refuse_cross_site(state: &AppState, headers: &HeaderMap, form: &str) -> Option<Response> {
    crate::same_origin::check(headers, &state.public_origin).err().map(|crate::same_origin::CrossSite(why)| {
        tracing::info!(form, signal = %why, "form post refused: cross-site");
        PageError::new(
            StatusCode::FORBIDDEN,
            "Form from another site",
            "This form was sent from another website, so Gatehouse did not act on it. Open Gatehouse's own page and try again.",
        )
        .into_response()
    })
}

async fn logout_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let organisation = organisation_of_session(&state, &headers).await;
    let frame = Frame { organisation: organisation.as_ref().map(|o| o.name.as_str()), wide: false };
    framed_page(
        StatusCode::OK,
        "Sign out",
        frame,
        "<h1>Sign out</h1><p>This ends your session on this device, and at your identity provider when your organisation signs in with one.</p>\
         <form method=\"post\" action=\"/logout\"><button type=\"submit\">Sign out</button></form>",
        None,
    )
}

/// The organisation of the browser's session, if it has one.
async fn organisation_of_session(state: &AppState, headers: &HeaderMap) -> Option<Organisation> {
    let token = state.cookies.session_of(headers)?;
    let tenant = match state.identity.resolve_session(&token).await {
        Ok(principal) => principal?.tenant_id()?,
        Err(e) => {
            tracing::warn!(error = %e, "reading the session for the sign-out page failed");
            return None;
        }
    };
    state.identity.organisation_by_id(tenant).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "reading an organisation for an end-user page failed");
        None
    })
}

async fn logout_submit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(refused) = refuse_cross_site(&state, &headers, "/logout") {
        return refused;
    }
    let clear = state.cookies.session_ended();
    let Some(token) = state.cookies.session_of(&headers) else {
        return with_cookie(signed_out_page(None), clear);
    };
    let organisation = organisation_of_session(&state, &headers).await;
    match state.identity.sign_out_everywhere(&token).await {
        Ok(Some(idp)) => with_cookie(Redirect::to(&idp).into_response(), clear),
        Ok(None) => with_cookie(signed_out_page(organisation.as_ref()), clear),
        Err(e) => PageError::internal(&e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_identity::SignInReason;

    fn report(reason: SignInReason) -> TestReport {
        TestReport {
            success: reason.is_success(),
            reason,
            detail: "expected <a> got <b>".into(),
            name_id: Some("alice@contoso.com".into()),
            user: None,
            attributes: vec![
                ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress".into(), vec!["a@c.com".into()]),
                ("department".into(), vec!["Sales".into()]),
            ],
            certificate_fingerprint: None,
            clock_offset_seconds: Some(-30),
            signed_by_staged: None,
        }
    }

    #[test]
    fn a_failure_reads_in_words_before_its_code_and_leads_back_to_the_console() {
        let html = test_report_html(&report(SignInReason::UnknownUser));
        let words = html.find("No user with this federation ID exists").expect("plain words");
        let code = html.find("<code>unknown_user</code>").expect("reason code");
        assert!(words < code, "{html}");
        assert!(html.contains("expected &lt;a&gt; got &lt;b&gt;"), "detail escaped: {html}");
        assert!(html.contains("href=\"/identity\"") && !html.contains("href=\"/login\""), "{html}");
        assert!(html.contains("30 s behind Gatehouse"), "{html}");
    }

    #[test]
    fn claim_names_are_short_with_the_full_uri_on_hover() {
        let html = test_report_html(&report(SignInReason::Saml(ReasonCode::AudienceMismatch)));
        assert!(
            html.contains(
                "<abbr title=\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\">emailaddress</abbr>"
            ),
            "{html}"
        );
        assert!(html.contains("<code>department</code>"), "{html}");
        assert_eq!(short_claim_name("urn:oid:0.9.2342.19200300.100.1.3"), "0.9.2342.19200300.100.1.3");
        assert_eq!(short_claim_name("http://x/claims/"), "claims");
        assert_eq!(short_claim_name("plain"), "plain");
    }

    #[test]
    fn an_untrusted_key_is_named_only_from_verified_data() {
        let mut r = report(SignInReason::Saml(ReasonCode::UntrustedKey));
        r.detail = "it carries its own certificate (unverified — fingerprint AA:BB)".into();
        let html = test_report_html(&r);
        assert!(html.contains("a certificate Gatehouse doesn't trust"), "{html}");
        assert!(!html.contains("staged"), "{html}");
        r.signed_by_staged = Some("CC:DD".into());
        let html = test_report_html(&r);
        assert!(html.contains("has staged, but does not trust yet (SHA-256 <code>CC:DD</code>)"), "{html}");
        assert!(html.contains("Certificate rollover"), "{html}");
        let other = test_report_html(&report(SignInReason::UnknownUser));
        assert!(!other.contains("certificate Gatehouse"), "{other}");
    }

    #[test]
    fn a_success_names_the_user() {
        let mut r = report(SignInReason::Success);
        r.user = Some("alice@contoso.com".into());
        let html = test_report_html(&r);
        assert!(html.contains("The test sign-in worked.") && html.contains("alice@contoso.com"), "{html}");
        assert!(!html.contains("Reason code"), "{html}");
    }
}

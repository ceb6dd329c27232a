//! The signed SAML corpus of `crates/saml/tests/fixtures` (signed by the xmlsec1 and openssl
//! CLIs through `generate.py`, never by the code under test) driven through the identity
//! services: the SP at the fixtures' `https://gatehouse.example.com`, the clock pinned to the
//! fixtures' instants, and contoso's Entra connection trusting `keys/idp.crt`.
//!
//! The fixtures carry fixed request IDs, so a test that needs a pending sign-in starts a real
//! one ([`Identity::start_sso`], [`Identity::sign_out_everywhere`]) and then gives its row the ID
//! the fixture answers ([`World::adopt`]): everything else about the request (tenant, browser
//! binding, RelayState, lifetime) is what the service made.

use base64::Engine as _;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use gatehouse_identity::*;
use sea_orm::ConnectionTrait as _;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};

use crate::support::*;

/// The fixtures' SP: entity ID = ACS = `<PUBLIC_URL>/saml2`, SLO `<PUBLIC_URL>/saml2/logout`.
pub const PUBLIC_URL: &str = "https://gatehouse.example.com";
pub const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const ISSUER: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
/// The Entra issuer of `issuer_other_tenant` and `response_issuer_differs`.
pub const OTHER_ISSUER: &str = "https://sts.windows.net/00000000-1111-2222-3333-444444444444/";
/// The AuthnRequest ID every SP-initiated Response fixture answers.
pub const REQ: &str = "_4f6d8a1c2b9e4e0f8a7b6c5d4e3f2a1b";
/// The LogoutRequest ID and RelayState `entra_logout_response_signed` answers.
pub const LOGOUT_REQ: &str = "_logoutrequest0000000000000000000000000";
pub const LOGOUT_RELAY: &str = "rs-123";
pub const ALICE: &str = "alice@contoso.com";
/// The SessionIndex of the Entra Responses, named by `entra_logout_request_signed`.
pub const SESSION_INDEX: &str = "_c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";

/// T0 = 2030-01-01T10:00:00Z: every fixture's IssueInstant.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 0).single().expect("valid time")
}

/// T0 plus `seconds` (negative: before T0).
pub fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

pub fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../saml/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path} unreadable: {e}"))
}

/// A Response fixture as the `SAMLResponse` form field carries it.
pub fn response(name: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(fixture(&format!("responses/{name}.xml")))
}

/// A Redirect-binding logout fixture's raw query string.
pub fn logout_query(name: &str) -> String {
    String::from_utf8(fixture(&format!("logout/{name}.txt"))).expect("UTF-8").trim().to_owned()
}

/// The refusal inside a result that must be one.
pub fn refusal<T: std::fmt::Debug>(r: SsoResult<T>) -> SsoRefusal {
    match r {
        Err(SsoError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The hand-over handle of an ACS outcome that must be one.
pub fn handle(r: SsoResult<AcsOutcome>) -> String {
    match r {
        Ok(AcsOutcome::Handoff { handle, .. }) => handle,
        other => panic!("expected a hand-over, got {other:?}"),
    }
}

/// One query parameter of a redirect URL, decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).expect("URL").query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The XML of a redirect URL's deflated `SAMLRequest` / `SAMLResponse`.
pub fn inflate(url: &str, name: &str) -> String {
    use std::io::Read as _;
    let value = query_param(url, name).unwrap_or_else(|| panic!("{name} missing in {url}"));
    let deflated = base64::engine::general_purpose::STANDARD.decode(value).expect("Base64");
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(deflated.as_slice()).read_to_string(&mut xml).expect("deflated XML");
    xml
}

/// The value of the first `name="…"` attribute in `xml`.
pub fn xml_attr(xml: &str, name: &str) -> String {
    let start = xml.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {xml}")) + name.len() + 3;
    xml[start..].split('"').next().expect("closing quote").to_owned()
}

pub fn entra_connection() -> SsoConnectionInput {
    crate::support::entra_sso(TID)
}

/// Contoso with SSO through the fixtures' Entra tenant and Alice (federation ID
/// `alice@contoso.com`) active, the clock at T0 + 30 s.
pub struct World {
    pub ctx: Ctx,
    pub contoso: Tenant,
    pub scope: AdminScope,
    pub alice: User,
    pub meta: RequestMeta,
}

impl World {
    pub async fn new(db: gatehouse_test_support::TestDb) -> World {
        let ctx = Ctx::with(db, PUBLIC_URL, at(30));
        let (contoso, scope) = ctx.tenant("contoso").await;
        ctx.identity.add_idp_certificate(&scope, &fixture("keys/idp.crt")).await.expect("idp.crt accepted");
        ctx.identity.update_sso_connection(&scope, entra_connection()).await.expect("connection saved");
        let alice = ctx
            .identity
            .create_user(
                &scope,
                NewUser { email: ALICE.into(), federation_id: Some(ALICE.into()), active: true, ..NewUser::default() },
            )
            .await
            .expect("alice");
        let meta = RequestMeta {
            ip: Some("192.0.2.7".into()),
            user_agent: Some("fixture-browser".into()),
            ..Default::default()
        };
        World { ctx, contoso, scope, alice, meta }
    }

    pub fn id(&self) -> &Identity {
        &self.ctx.identity
    }

    pub fn set_clock(&self, t: DateTime<Utc>) {
        self.ctx.set_clock(t);
    }

    /// Publishes contoso's connection as `change` makes it from the fixtures' Entra settings
    /// (straight away, confirmed untested: these tests are about the live settings).
    pub async fn reconfigure(&self, change: impl FnOnce(&mut SsoConnectionInput)) {
        let mut input = entra_connection();
        change(&mut input);
        publish_now(self.id(), &self.scope, input).await;
    }
}

/// Publishes `settings` at once, as `saveSsoSettings(publish: true, confirmUntested: true)`.
pub async fn publish_now(id: &Identity, scope: &AdminScope, settings: SsoConnectionInput) -> SsoConnection {
    publish_save(id, scope, SsoSettingsSave { settings, add_certificates: vec![], remove_certificate_ids: vec![] })
        .await
}

/// Publishes a whole Save at once (certificates included), confirmed untested.
pub async fn publish_save(id: &Identity, scope: &AdminScope, save: SsoSettingsSave) -> SsoConnection {
    id.save_sso_settings_to(scope, save, SaveTarget::Publish, true).await.expect("published")
}

impl World {
    /// Starts an SP-initiated sign-in at contoso (after which the browser holds the returned
    /// binding nonce) and makes it the request the fixtures answer.
    pub async fn start(&self, relay_state: Option<&str>) -> SsoStart {
        let started = self.id().start_sso(&self.contoso.slug, relay_state, Some(ALICE)).await.expect("sign-in started");
        self.adopt(&started.redirect_url, REQ, None).await;
        started
    }

    /// Gives the pending request behind `redirect_url` (an AuthnRequest or LogoutRequest we
    /// sent) the ID `id`, and the RelayState `relay_state` if given.
    pub async fn adopt(&self, redirect_url: &str, id: &str, relay_state: Option<&str>) {
        let sent = xml_attr(&inflate(redirect_url, "SAMLRequest"), "ID");
        let mut update = Query::update();
        update
            .table(Alias::new("sso_requests"))
            .value(Alias::new("id"), id)
            .and_where(Expr::col(Alias::new("id")).eq(sent.as_str()));
        if let Some(relay) = relay_state {
            update.value(Alias::new("relay_state"), relay);
        }
        let renamed = self.id().db().execute(&update).await.expect("pending request renamed").rows_affected();
        assert_eq!(renamed, 1, "the request {sent} is pending");
    }

    /// Whether a request with this ID is pending (stored, expired or not).
    pub async fn pending(&self, id: &str) -> bool {
        let mut select = Query::select();
        select.column(Alias::new("id")).from(Alias::new("sso_requests")).and_where(Expr::col(Alias::new("id")).eq(id));
        self.id().db().query_one(&select).await.expect("query").is_some()
    }

    /// Posts a Response fixture to the ACS.
    pub async fn acs(&self, name: &str, relay_state: Option<&str>) -> SsoResult<AcsOutcome> {
        self.id().consume_saml_response(&response(name), relay_state, &self.meta).await
    }

    /// Contoso's sign-in log, newest first.
    pub async fn events(&self) -> Vec<SignInEvent> {
        self.id()
            .sign_in_events(&self.scope, &SignInFilter::default(), &PageRequest { first: Some(100), after: None })
            .await
            .expect("sign-in log")
            .items
    }

    /// Asserts that `r` is a refusal for `reason` whose reference is the newest entry of
    /// contoso's sign-in log, a failure with that reason; returns the entry.
    pub async fn assert_refused<T: std::fmt::Debug>(&self, r: SsoResult<T>, reason: &str) -> SignInEvent {
        let refused = refusal(r);
        assert_eq!(refused.reason.as_str(), reason, "{refused:?}");
        let event = self.events().await.into_iter().next().expect("a sign-in log entry");
        assert_eq!(refused.event_id, Some(event.id), "the refusal names its log entry");
        assert!(!event.success, "{event:?}");
        assert_eq!(event.reason_code, reason, "{event:?}");
        assert_eq!(event.ip.as_deref(), Some("192.0.2.7"));
        event
    }

    /// A full SP-initiated sign-in with `entra_assertion_signed`: the ACS, then the hand-over
    /// from the browser that started it.
    pub async fn sign_in(&self) -> SsoSignedIn {
        self.sign_in_with("entra_assertion_signed").await
    }

    /// A full SP-initiated sign-in with the Response fixture `name`.
    pub async fn sign_in_with(&self, name: &str) -> SsoSignedIn {
        let started = self.start(Some("/after")).await;
        let handle = handle(self.acs(name, None).await);
        self.id().complete_sso(&handle, Some(&started.binding_nonce), &self.meta).await.expect("hand-over")
    }
}

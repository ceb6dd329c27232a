//! What the end-user pages may say about an organisation: its name by slug, by a refused
//! sign-in's event, or by tenant, and which ways back in its policy offers.

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::saml_fixtures::*;

both_backends!(an_organisation_is_named_by_slug_and_its_policy_sets_the_ways_in, |db| async move {
    let w = World::new(db).await;
    let contoso = w.id().organisation_by_slug(" contoso ").await.unwrap().expect("contoso");
    assert_eq!(contoso.name, "Tenant contoso");
    assert_eq!((contoso.sso, contoso.password), (true, true), "password or SSO");
    assert_eq!(w.id().organisation_by_slug("nobody").await.unwrap(), None);

    w.reconfigure(|c| c.login_policy = LoginPolicy::Sso).await;
    let o = w.id().organisation_by_id(w.contoso.id).await.unwrap().expect("contoso");
    assert_eq!((o.sso, o.password), (true, false), "SSO only: no password offered");

    w.reconfigure(|c| c.login_policy = LoginPolicy::Password).await;
    let o = w.id().organisation_by_slug("contoso").await.unwrap().expect("contoso");
    assert_eq!((o.sso, o.password), (false, true), "password only");

    w.reconfigure(|c| c.enabled = false).await;
    let o = w.id().organisation_by_slug("contoso").await.unwrap().expect("contoso");
    assert_eq!((o.sso, o.password), (false, true), "SSO switched off: no SSO to try again");
});

both_backends!(a_refused_sign_in_names_its_organisation, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    w.reconfigure(|c| c.enabled = false).await;
    let refused = refusal(w.acs("entra_assertion_signed", None).await);
    let event = refused.event_id.expect("logged");
    let o = w.id().organisation_of_sign_in_event(event).await.unwrap().expect("tied to contoso");
    assert_eq!(o.slug, "contoso");

    // An unknown event ID names nobody.
    let (other, _) = w.ctx.tenant("fabrikam").await;
    assert_eq!(w.id().organisation_by_id(other.id).await.unwrap().expect("fabrikam").slug, "fabrikam");
    assert_eq!(w.id().organisation_of_sign_in_event(SignInEventId::from(uuid::Uuid::new_v4())).await.unwrap(), None);
});

//! [`peek_response`]: the unverified facts a Response is routed by, read in one pass without
//! building a tree.
//!
//! The admission of every sign-in peeks before it validates, so the peek used to cost a whole
//! strict parse — an owned tree of the message, allocated and freed — to keep two strings and a
//! flag. It now runs the same strict reader ([`xml::read`]: every well-formedness, namespace,
//! depth and DOCTYPE check the parse makes, with the same errors) and keeps only what it reads,
//! following the tree's own rules for which element counts: the root's first `Issuer`, its first
//! `Assertion` and that Assertion's first `Issuer` and first `Subject`, each
//! `SubjectConfirmation`'s first `SubjectConfirmationData`, an Issuer's own text only (comments
//! split it, child elements do not add to it). A test holds it to the tree's answer on every
//! fixture and on the differential test's mutations of each.

use std::borrow::Cow;
use std::rc::Rc;

use crate::error::{ReasonCode, Result, ValidationError};
use crate::response::{DEFAULT_MAX_SIZE, decode};
use crate::xml::{self, NS_SAML, NS_SAMLP};

/// Unverified facts read from a Response to route it. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsePeek {
    /// Response Issuer, or else the Assertion's.
    pub issuer: String,
    /// The bearer SubjectConfirmationData's InResponseTo, or else the Response's.
    pub in_response_to: Option<String>,
    /// The Response carries an `EncryptedAssertion` (its decryption is a private-key
    /// operation, so the caller may want it off an async worker); a hint for scheduling only.
    pub encrypted: bool,
}

/// Read Issuer and InResponseTo **without verification** (same guards as validation).
pub fn peek_response(saml_response_b64: &str) -> Result<ResponsePeek> {
    let bytes = decode(saml_response_b64, DEFAULT_MAX_SIZE)?;
    let text = xml::guard(&bytes, DEFAULT_MAX_SIZE)?;
    let mut peek = Peek::default();
    xml::read(text, &mut peek)?;
    if let Some((ns, local)) = peek.other_root {
        return Err(crate::response::not_a_response_named(&local, ns.as_deref()));
    }
    // The SubjectConfirmationData's value first: it sits in the Assertion, which every IdP
    // signs, so it is the one validation will hold the Response to.
    let issuer = peek
        .response_issuer
        .or(peek.assertion_issuer)
        .map(|i| i.trim().to_owned())
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the Response has no Issuer"))?;
    Ok(ResponsePeek {
        issuer,
        in_response_to: peek
            .confirmation_in_response_to
            .or(peek.response_in_response_to),
        encrypted: peek.encrypted,
    })
}

/// What an open element is to the peek.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    Response,
    ResponseIssuer,
    Assertion,
    AssertionIssuer,
    Subject,
    Confirmation,
    ConfirmationData,
}

#[derive(Default)]
struct Peek {
    /// The open elements' roles, innermost last.
    roles: Vec<Role>,
    /// The root's name when it is not a `samlp:Response`.
    other_root: Option<(Option<String>, String)>,
    response_issuer: Option<String>,
    assertion_issuer: Option<String>,
    response_in_response_to: Option<String>,
    confirmation_in_response_to: Option<String>,
    seen_assertion: bool,
    seen_assertion_issuer: bool,
    seen_subject: bool,
    /// The open SubjectConfirmation has had its first SubjectConfirmationData.
    confirmation_has_data: bool,
    encrypted: bool,
}

impl Peek {
    fn role(&mut self, ns: Option<&str>, local: &str) -> Role {
        let Some(&parent) = self.roles.last() else {
            if ns == Some(NS_SAMLP) && local == "Response" {
                return Role::Response;
            }
            self.other_root = Some((ns.map(str::to_owned), local.to_owned()));
            return Role::Other;
        };
        if ns != Some(NS_SAML) {
            return Role::Other;
        }
        match (parent, local) {
            (Role::Response, "Issuer") if self.response_issuer.is_none() => {
                self.response_issuer = Some(String::new());
                Role::ResponseIssuer
            }
            (Role::Response, "Assertion") if !self.seen_assertion => {
                self.seen_assertion = true;
                Role::Assertion
            }
            (Role::Response, "EncryptedAssertion") => {
                self.encrypted = true;
                Role::Other
            }
            (Role::Assertion, "Issuer") if !self.seen_assertion_issuer => {
                self.seen_assertion_issuer = true;
                self.assertion_issuer = Some(String::new());
                Role::AssertionIssuer
            }
            (Role::Assertion, "Subject") if !self.seen_subject => {
                self.seen_subject = true;
                Role::Subject
            }
            (Role::Subject, "SubjectConfirmation") => {
                self.confirmation_has_data = false;
                Role::Confirmation
            }
            (Role::Confirmation, "SubjectConfirmationData") if !self.confirmation_has_data => {
                self.confirmation_has_data = true;
                Role::ConfirmationData
            }
            _ => Role::Other,
        }
    }
}

impl xml::Sink for Peek {
    fn open(&mut self, ns: Option<&Rc<str>>, _prefix: Option<&str>, local: &str) {
        let role = self.role(ns.map(|n| &**n), local);
        self.roles.push(role);
    }

    fn ns_decl(&mut self, _prefix: &str, _uri: Cow<'_, str>) {}

    fn attribute(
        &mut self,
        ns: Option<&Rc<str>>,
        _prefix: Option<&str>,
        local: &str,
        value: Cow<'_, str>,
    ) {
        if ns.is_some() || local != "InResponseTo" {
            return;
        }
        let target = match self.roles.last() {
            Some(Role::Response) => &mut self.response_in_response_to,
            Some(Role::ConfirmationData) => &mut self.confirmation_in_response_to,
            _ => return,
        };
        if target.is_none() {
            *target = Some(value.into_owned());
        }
    }

    fn close(&mut self) {
        self.roles.pop();
    }

    fn text(&mut self, text: &str) {
        let target = match self.roles.last() {
            Some(Role::ResponseIssuer) => &mut self.response_issuer,
            Some(Role::AssertionIssuer) => &mut self.assertion_issuer,
            _ => return,
        };
        if let Some(t) = target {
            t.push_str(text);
        }
    }

    fn comment(&mut self, _text: &str) {}

    fn pi(&mut self, _text: &str) {}
}

#[cfg(test)]
pub(crate) mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::xmlenc;

    /// The peek as it was, from the whole tree: what [`peek_response`] must agree with.
    pub(crate) fn peek_by_tree(saml_response_b64: &str) -> Result<ResponsePeek> {
        let bytes = decode(saml_response_b64, DEFAULT_MAX_SIZE)?;
        let text = xml::guard(&bytes, DEFAULT_MAX_SIZE)?;
        let root = xml::parse(text)?;
        if !root.is(NS_SAMLP, "Response") {
            return Err(crate::response::not_a_response_named(
                &root.local,
                root.ns.as_deref(),
            ));
        }
        let assertion = root.child(NS_SAML, "Assertion");
        let issuer = root
            .child(NS_SAML, "Issuer")
            .or_else(|| assertion.and_then(|a| a.child(NS_SAML, "Issuer")))
            .map(|i| i.text().trim().to_owned())
            .ok_or_else(|| {
                ValidationError::new(ReasonCode::Malformed, "the Response has no Issuer")
            })?;
        let in_response_to = assertion
            .and_then(|a| a.child(NS_SAML, "Subject"))
            .into_iter()
            .flat_map(|s| s.children_named(NS_SAML, "SubjectConfirmation"))
            .filter_map(|c| c.child(NS_SAML, "SubjectConfirmationData"))
            .find_map(|d| d.attr("InResponseTo").map(str::to_owned))
            .or_else(|| root.attr("InResponseTo").map(str::to_owned));
        let encrypted = root.elements().any(xmlenc::is_encrypted_assertion);
        Ok(ResponsePeek {
            issuer,
            in_response_to,
            encrypted,
        })
    }

    /// Both peeks of `xml`, which must be the same answer (errors included); returns it.
    pub(crate) fn agree(label: &str, xml: &str) -> Result<ResponsePeek> {
        let b64 = STANDARD.encode(xml);
        let streamed = peek_response(&b64);
        assert_eq!(
            streamed,
            peek_by_tree(&b64),
            "{label}: the streaming peek and the tree disagree\n{xml}"
        );
        streamed
    }

    const P: &str = r#"xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#;

    fn ok(label: &str, xml: &str) -> ResponsePeek {
        agree(label, xml).unwrap_or_else(|e| panic!("{label}: {e}"))
    }

    #[test]
    fn the_issuer_is_the_responses_first_or_else_the_first_assertions_first() {
        let p = ok(
            "two issuers",
            &format!(
                "<samlp:Response {P}><saml:Issuer> a </saml:Issuer><saml:Issuer>b</saml:Issuer></samlp:Response>"
            ),
        );
        assert_eq!(p.issuer, "a");
        let p = ok(
            "assertion issuer",
            &format!(
                "<samlp:Response {P}><saml:Assertion><saml:Issuer>first</saml:Issuer><saml:Issuer>x</saml:Issuer>\
                 </saml:Assertion><saml:Assertion><saml:Issuer>second</saml:Issuer></saml:Assertion></samlp:Response>"
            ),
        );
        assert_eq!(p.issuer, "first");
        // An Issuer inside a second Assertion only: the first Assertion has none.
        let e = agree(
            "issuer only in the second assertion",
            &format!(
                "<samlp:Response {P}><saml:Assertion/><saml:Assertion><saml:Issuer>second</saml:Issuer>\
                 </saml:Assertion></samlp:Response>"
            ),
        )
        .expect_err("the first Assertion has no Issuer");
        assert_eq!(e.reason, ReasonCode::Malformed);
        // A Response Issuer after the Assertion still wins; an empty one is still the one.
        let p = ok(
            "issuer after the assertion",
            &format!(
                "<samlp:Response {P}><saml:Assertion><saml:Issuer>inner</saml:Issuer></saml:Assertion>\
                 <saml:Issuer>outer</saml:Issuer></samlp:Response>"
            ),
        );
        assert_eq!(p.issuer, "outer");
        let p = ok(
            "empty issuer",
            &format!(
                "<samlp:Response {P}><saml:Issuer/><saml:Assertion><saml:Issuer>i</saml:Issuer></saml:Assertion></samlp:Response>"
            ),
        );
        assert_eq!(p.issuer, "");
    }

    #[test]
    fn an_issuers_text_is_its_own_character_data_whatever_splits_it() {
        let p = ok(
            "comment, cdata, references, child element",
            &format!(
                "<samlp:Response {P}><saml:Issuer>https://idp<!-- c -->.example<![CDATA[/x]]>&amp;&#x41;\
                 <saml:Child>not this</saml:Child>/end<?pi no?></saml:Issuer></samlp:Response>"
            ),
        );
        assert_eq!(p.issuer, "https://idp.example/x&A/end");
        // An Issuer in another namespace is not the Issuer.
        let e = agree(
            "foreign issuer",
            &format!(
                "<samlp:Response {P} xmlns:o=\"urn:other\"><o:Issuer>x</o:Issuer></samlp:Response>"
            ),
        )
        .expect_err("an Issuer in another namespace is not the Issuer");
        assert_eq!(e.reason, ReasonCode::Malformed);
    }

    #[test]
    fn in_response_to_is_the_first_confirmations_first_data_else_the_responses() {
        let doc = |subject: &str| {
            format!(
                "<samlp:Response {P} InResponseTo=\"outer\"><saml:Issuer>i</saml:Issuer><saml:Assertion>\
                 {subject}</saml:Assertion></samlp:Response>"
            )
        };
        let sc =
            |data: &str| format!("<saml:SubjectConfirmation>{data}</saml:SubjectConfirmation>");
        let cases = [
            ("none", doc(""), Some("outer")),
            (
                "first data",
                doc(&format!(
                    "<saml:Subject>{}</saml:Subject>",
                    sc("<saml:SubjectConfirmationData InResponseTo=\"a\"/>")
                )),
                Some("a"),
            ),
            (
                "second data of one confirmation does not count",
                doc(&format!(
                    "<saml:Subject>{}</saml:Subject>",
                    sc(
                        "<saml:SubjectConfirmationData/><saml:SubjectConfirmationData InResponseTo=\"b\"/>"
                    )
                )),
                Some("outer"),
            ),
            (
                "a later confirmation counts",
                doc(&format!(
                    "<saml:Subject>{}{}</saml:Subject>",
                    sc("<saml:SubjectConfirmationData/>"),
                    sc("<saml:SubjectConfirmationData InResponseTo=\"c\"/>")
                )),
                Some("c"),
            ),
            (
                "a second subject does not count",
                doc(&format!(
                    "<saml:Subject/><saml:Subject>{}</saml:Subject>",
                    sc("<saml:SubjectConfirmationData InResponseTo=\"d\"/>")
                )),
                Some("outer"),
            ),
            (
                "nested deeper does not count",
                doc(&format!(
                    "<saml:Subject><saml:X>{}</saml:X></saml:Subject>",
                    sc("<saml:SubjectConfirmationData InResponseTo=\"e\"/>")
                )),
                Some("outer"),
            ),
            (
                "a namespaced attribute does not count",
                doc(&format!(
                    "<saml:Subject>{}</saml:Subject>",
                    sc("<saml:SubjectConfirmationData xmlns:o=\"urn:o\" o:InResponseTo=\"f\"/>")
                )),
                Some("outer"),
            ),
        ];
        for (label, xml, expected) in cases {
            assert_eq!(
                ok(label, &xml).in_response_to.as_deref(),
                expected,
                "{label}"
            );
        }
        let second_assertion = format!(
            "<samlp:Response {P}><saml:Issuer>i</saml:Issuer><saml:Assertion/><saml:Assertion><saml:Subject>{}\
             </saml:Subject></saml:Assertion></samlp:Response>",
            sc("<saml:SubjectConfirmationData InResponseTo=\"g\"/>")
        );
        assert_eq!(
            ok("second assertion", &second_assertion).in_response_to,
            None
        );
    }

    #[test]
    fn encrypted_is_an_encrypted_assertion_child_of_the_response() {
        let top = format!(
            "<samlp:Response {P}><saml:Issuer>i</saml:Issuer><saml:EncryptedAssertion/></samlp:Response>"
        );
        assert!(ok("top", &top).encrypted);
        let deep = format!(
            "<samlp:Response {P}><saml:Issuer>i</saml:Issuer><saml:X><saml:EncryptedAssertion/></saml:X></samlp:Response>"
        );
        assert!(!ok("deep", &deep).encrypted);
    }

    #[test]
    fn refusals_are_the_trees_refusals() {
        for (label, xml) in [
            (
                "not a response",
                "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"
                    .to_owned(),
            ),
            (
                "no namespace",
                "<Response><Issuer>i</Issuer></Response>".to_owned(),
            ),
            (
                "unclosed",
                format!("<samlp:Response {P}><saml:Issuer>i</saml:Issuer>"),
            ),
            (
                "after the root",
                format!("<samlp:Response {P}><saml:Issuer>i</saml:Issuer></samlp:Response><x/>"),
            ),
            (
                "undeclared prefix",
                "<samlp:Response><saml:Issuer>i</saml:Issuer></samlp:Response>".to_owned(),
            ),
            (
                "duplicate attribute",
                format!(
                    "<samlp:Response {P} ID=\"a\" ID=\"b\"><saml:Issuer>i</saml:Issuer></samlp:Response>"
                ),
            ),
            ("doctype", format!("<!DOCTYPE r><samlp:Response {P}/>")),
            (
                "too deep",
                format!(
                    "<samlp:Response {P}>{}{}</samlp:Response>",
                    "<a>".repeat(70),
                    "</a>".repeat(70)
                ),
            ),
            (
                "undefined entity",
                format!("<samlp:Response {P}><saml:Issuer>&x;</saml:Issuer></samlp:Response>"),
            ),
            (
                "text outside",
                format!("x<samlp:Response {P}><saml:Issuer>i</saml:Issuer></samlp:Response>"),
            ),
            ("empty", String::new()),
        ] {
            assert!(agree(label, &xml).is_err(), "{label}");
        }
        assert_eq!(
            peek_response("***").expect_err("not Base64"),
            peek_by_tree("***").expect_err("not Base64")
        );
    }
}

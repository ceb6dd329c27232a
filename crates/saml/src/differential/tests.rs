//! The in-crate verifier against samael / libxmlsec1 on every signed fixture of the corpus
//! (signed by the xmlsec1 CLI, tests/fixtures/generate.py) and systematic mutations of each:
//! the same verdict, the same certificate, and on acceptance the same canonical bytes.

use super::{Comparison, Verdict, compare};
use crate::certificate::{IdpCertificate, parse_certificate};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn certificates() -> Vec<IdpCertificate> {
    ["idp", "idp2", "idp-ec", "attacker"]
        .iter()
        .map(|name| {
            parse_certificate(read(&format!("keys/{name}.crt")).as_bytes())
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect()
}

/// Every response fixture, signed or not, by name.
fn all_responses() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(format!("{DIR}/responses"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".xml")?.to_owned();
            Some((stem, read(&format!("responses/{name}"))))
        })
        .collect();
    out.sort();
    out
}

fn fixtures() -> Vec<(String, String)> {
    all_responses()
        .into_iter()
        .filter(|(_, xml)| xml.contains("SignatureValue"))
        .collect()
}

/// Replace the `n`th occurrence of `from`.
fn replace_nth(xml: &str, from: &str, to: &str, n: usize) -> Option<String> {
    let (index, _) = xml.match_indices(from).nth(n)?;
    Some(format!(
        "{}{to}{}",
        &xml[..index],
        &xml[index + from.len()..]
    ))
}

/// Up to `limit` byte offsets of `pattern`, spread over the document.
fn spread(xml: &str, pattern: &str, limit: usize) -> Vec<usize> {
    let all: Vec<usize> = xml.match_indices(pattern).map(|(i, _)| i).collect();
    let step = all.len().div_ceil(limit).max(1);
    all.into_iter().step_by(step).collect()
}

fn other_char(c: u8) -> char {
    if c == b'x' { 'y' } else { 'x' }
}

/// Systematic mutations of a signed message, labelled.
fn mutations(xml: &str, donor: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    // A character of a text node, of an attribute value.
    for i in spread(xml, ">", 24) {
        let at = i + 1;
        if let Some(&b) = xml.as_bytes().get(at)
            && b.is_ascii_alphanumeric()
        {
            let mut m = xml.to_owned();
            m.replace_range(at..=at, &other_char(b).to_string());
            out.push((format!("text@{at}"), Some(m)));
        }
    }
    for i in spread(xml, "=\"", 24) {
        let at = i + 2;
        if let Some(&b) = xml.as_bytes().get(at)
            && b.is_ascii_alphanumeric()
        {
            let mut m = xml.to_owned();
            m.replace_range(at..=at, &other_char(b).to_string());
            out.push((format!("attribute@{at}"), Some(m)));
        }
    }
    // Whitespace: inside tags (insignificant), between elements (significant).
    for i in spread(xml, "\" ", 8) {
        let mut m = xml.to_owned();
        m.insert_str(i + 1, "\n\t ");
        out.push((format!("tag-whitespace@{i}"), Some(m)));
    }
    for i in spread(xml, "><", 12) {
        let mut m = xml.to_owned();
        m.insert(i + 1, ' ');
        out.push((format!("text-whitespace@{i}"), Some(m)));
    }
    out.push(("crlf".into(), Some(xml.replace('\n', "\r\n"))));
    out.push(("cr".into(), Some(xml.replace('\n', "\r"))));
    // Comments and processing instructions between nodes.
    for i in spread(xml, "><", 12) {
        let mut m = xml.to_owned();
        m.insert_str(i + 1, "<!-- c -->");
        out.push((format!("comment@{i}"), Some(m)));
    }
    out.push((
        "pi".into(),
        replace_nth(xml, "</Subject>", "<?pi data?></Subject>", 0),
    ));
    // Same content, other spelling.
    out.push((
        "single-quotes".into(),
        Some(xml.replace("Version=\"2.0\"", "Version='2.0'")),
    ));
    out.push((
        "char-ref".into(),
        Some(xml.replace(">alice@", ">&#97;lice&#x40;")),
    ));
    out.push((
        "cdata".into(),
        Some(xml.replace(">alice@contoso.com<", "><![CDATA[alice@contoso.com]]><")),
    ));
    out.push(("gt-escaped".into(), Some(xml.replace(".com<", ".com&gt;<"))));
    out.push(("expanded-empty".into(), expand_first_empty(xml)));
    out.push((
        "attribute-tab".into(),
        Some(xml.replace("Version=\"2.0\"", "Version=\"2.0&#9;\"")),
    ));
    out.push((
        "attribute-newline".into(),
        Some(xml.replace("Version=\"2.0\"", "Version=\"2.0\n\"")),
    ));
    // Namespaces: unused, superfluous, moved, renamed.
    out.push((
        "unused-namespace".into(),
        replace_nth(
            xml,
            "<Assertion ",
            "<Assertion xmlns:unused=\"urn:unused\" ",
            0,
        ),
    ));
    out.push((
        "redeclared-default".into(),
        replace_nth(
            xml,
            "<Subject>",
            &format!("<Subject xmlns=\"{NS_SAML}\">"),
            0,
        ),
    ));
    out.push((
        "default-on-response".into(),
        replace_nth(
            xml,
            "<samlp:Response ",
            &format!("<samlp:Response xmlns=\"{NS_SAML}\" "),
            0,
        ),
    ));
    out.push((
        "undeclared-default".into(),
        replace_nth(xml, "<AuthnContext>", "<AuthnContext xmlns=\"\">", 0),
    ));
    out.push((
        "renamed-prefix".into(),
        Some(
            xml.replace("samlp:", "p:")
                .replace("xmlns:samlp=", "xmlns:p="),
        ),
    ));
    out.push((
        "renamed-ds-prefix".into(),
        Some(
            xml.replace("ds:", "dsig:")
                .replace("xmlns:ds=", "xmlns:dsig="),
        ),
    ));
    out.push((
        "attribute-prefix".into(),
        replace_nth(xml, "<Subject>", "<Subject xmlns:q=\"urn:q\" q:x=\"1\">", 0),
    ));
    // The Signature moved inside its element.
    out.push(("signature-moved".into(), move_signature_last(xml)));
    // Values and algorithms swapped.
    for tag in ["DigestValue>", "SignatureValue>"] {
        if let (Some(mine), Some(theirs)) = (element_text(xml, tag), element_text(donor, tag))
            && mine != theirs
        {
            out.push((
                format!("swapped-{tag}"),
                Some(xml.replacen(&mine, &theirs, 1)),
            ));
        }
        if let Some(mine) = element_text(xml, tag) {
            let wrapped: String = mine
                .as_bytes()
                .chunks(20)
                .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
                .collect();
            out.push((
                format!("wrapped-{tag}"),
                Some(xml.replacen(&mine, &wrapped, 1)),
            ));
        }
    }
    for (from, to) in [
        ("xmldsig-more#rsa-sha256", "xmldsig-more#rsa-sha512"),
        ("xmldsig-more#ecdsa-sha256", "xmldsig-more#ecdsa-sha512"),
        ("xmldsig-more#rsa-sha256", "xmldsig-more#ecdsa-sha256"),
        ("xmlenc#sha256", "xmlenc#sha512"),
        ("xml-exc-c14n#\"", "xml-exc-c14n#WithComments\""),
        ("2001/10/xml-exc-c14n#\"", "TR/2001/REC-xml-c14n-20010315\""),
    ] {
        out.push((format!("{from}->{to}"), replace_nth(xml, from, to, 0)));
    }
    out.push((
        "inclusive-namespaces-added".into(),
        replace_nth(
            xml,
            "xml-exc-c14n#\"/></Transforms>",
            "xml-exc-c14n#\"><ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"samlp\"/></Transform></Transforms>",
            0,
        )
        .or_else(|| {
            replace_nth(
                xml,
                "xml-exc-c14n#\"/></ds:Transforms>",
                "xml-exc-c14n#\"><ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"samlp\"/></ds:Transform></ds:Transforms>",
                0,
            )
        }),
    ));
    out.push((
        "prefix-list-changed".into(),
        Some(xml.replace("PrefixList=\"xs #default\"", "PrefixList=\"xs\"")),
    ));
    // Every 97th byte.
    for at in (0..xml.len()).step_by(97) {
        let b = xml.as_bytes()[at];
        if b.is_ascii_graphic() {
            let mut m = xml.to_owned();
            m.replace_range(at..=at, &other_char(b).to_string());
            out.push((format!("byte@{at}"), Some(m)));
        }
    }
    out.into_iter()
        .filter_map(|(label, m)| m.filter(|m| m != xml).map(|m| (label, m)))
        .collect()
}

/// The text of the first element whose name ends with `tag` (e.g. `DigestValue>`).
fn element_text(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(tag)? + tag.len();
    let end = start + xml[start..].find('<')?;
    Some(xml[start..end].to_owned())
}

fn expand_first_empty(xml: &str) -> Option<String> {
    let close = xml.find("/>")?;
    let open = xml[..close].rfind('<')?;
    let name: String = xml[open + 1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
        .collect();
    Some(format!("{}></{name}>{}", &xml[..close], &xml[close + 2..]))
}

/// Move the Assertion's Signature to the end of the Assertion.
fn move_signature_last(xml: &str) -> Option<String> {
    let assertion_start = xml.find("<Assertion ")?;
    let start = assertion_start + xml[assertion_start..].find("<Signature ")?;
    let end = start + xml[start..].find("</Signature>")? + "</Signature>".len();
    let signature = &xml[start..end];
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    replace_nth(
        &without,
        "</Assertion>",
        &format!("{signature}</Assertion>"),
        0,
    )
}

#[derive(Default)]
struct Tally {
    compared: usize,
    both_accepted: usize,
    both_refused: usize,
    outside_profile: usize,
}

fn check(label: &str, xml: &str, certificates: &[IdpCertificate], tally: &mut Tally) {
    let Some(comparison) = compare(xml, certificates) else {
        return;
    };
    assert!(
        comparison.agrees(),
        "{label}: the verifiers disagree: {comparison:#?}\n{xml}"
    );
    match comparison {
        Comparison { in_crate: None, .. } => tally.outside_profile += 1,
        Comparison {
            in_crate: Some(Verdict::Refused),
            ..
        } => {
            tally.compared += 1;
            tally.both_refused += 1;
        }
        Comparison {
            in_crate: Some(Verdict::Accepted { .. }),
            ..
        } => {
            tally.compared += 1;
            tally.both_accepted += 1;
        }
    }
}

#[test]
fn genuine_fixtures_take_the_expected_verifier_and_agree() {
    let certificates = certificates();
    let in_profile = [
        "entra_assertion_signed",
        "entra_response_signed",
        "entra_both_signed",
        "okta",
        "google",
        "ecdsa_signed",
        "ecdsa_sha384_signed",
        "rsa_sha512_signed",
        "inclusive_namespaces_signed",
        "entra_rollover_idp2",
        "comment_in_nameid",
    ];
    for name in in_profile {
        let xml = read(&format!("responses/{name}.xml"));
        let comparison = compare(&xml, &certificates).unwrap_or_else(|| panic!("{name}"));
        assert!(
            matches!(comparison.in_crate, Some(Verdict::Accepted { .. })),
            "{name}: {comparison:?}"
        );
        assert!(comparison.agrees(), "{name}: {comparison:#?}");
    }
    for name in ["c14n_inclusive_signed", "exc_c14n_with_comments_signed"] {
        let xml = read(&format!("responses/{name}.xml"));
        let comparison = compare(&xml, &certificates).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(comparison.in_crate, None, "{name}");
        assert!(
            matches!(comparison.xmlsec, Verdict::Accepted { .. }),
            "{name}: {comparison:?}"
        );
    }
}

#[test]
fn every_signed_fixture_and_its_mutations_get_one_verdict() {
    let certificates = certificates();
    let fixtures = fixtures();
    let donor = read("responses/entra_second_sign_in.xml");
    let mut tally = Tally::default();
    for (name, xml) in &fixtures {
        check(name, xml, &certificates, &mut tally);
        for (label, mutated) in mutations(xml, &donor) {
            check(
                &format!("{name} / {label}"),
                &mutated,
                &certificates,
                &mut tally,
            );
        }
    }
    // The comparison must have teeth: many messages on each side of the verdict.
    assert!(
        tally.both_accepted >= 200 && tally.both_refused >= 500,
        "accepted {} refused {} (outside the profile {})",
        tally.both_accepted,
        tally.both_refused,
        tally.outside_profile
    );
    eprintln!(
        "differential: {} compared ({} accepted by both, {} refused by both), {} outside the \
         in-crate profile",
        tally.compared, tally.both_accepted, tally.both_refused, tally.outside_profile
    );
}

/// The streaming `peek_response` and the tree it replaced read the same Issuer, InResponseTo and
/// encryption flag, or refuse with the same error, on every fixture and every mutation above.
#[test]
fn the_streaming_peek_reads_what_the_tree_reads_on_the_corpus_and_its_mutations() {
    let all = all_responses();
    let donor = read("responses/entra_second_sign_in.xml");
    let (mut read_ok, mut refused) = (0, 0);
    let mut count = |result: &crate::error::Result<_>| match result {
        Ok(_) => read_ok += 1,
        Err(_) => refused += 1,
    };
    for (name, xml) in &all {
        count(&crate::peek::tests::agree(name, xml));
        for (label, mutated) in mutations(xml, &donor) {
            count(&crate::peek::tests::agree(
                &format!("{name} / {label}"),
                &mutated,
            ));
        }
    }
    assert!(
        read_ok >= 1000 && refused >= 100,
        "read {read_ok}, refused {refused}"
    );
    eprintln!("peek: {read_ok} read alike, {refused} refused alike");
}

//! IdP metadata import: Entra's federation metadata, Okta, Google, and what must be refused.

use crate::support::*;
use gatehouse_saml::metadata::{MetadataError, import_idp_metadata};

const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

#[test]
fn entra_federation_metadata() {
    let md =
        import_idp_metadata(&fixture_string("metadata/entra_federation_metadata.xml")).unwrap();
    assert_eq!(md.entity_id, ENTRA_ISSUER);
    assert_eq!(
        md.sso_url,
        format!("https://login.microsoftonline.com/{TID}/saml2")
    );
    assert_eq!(md.slo_url.as_deref(), Some(md.sso_url.as_str()));
    // Two distinct signing certificates (rollover), the duplicate dropped, and the
    // certificates inside the WS-Fed RoleDescriptors (and the metadata signature's KeyInfo)
    // ignored.
    let fingerprints: Vec<_> = md
        .certificates
        .iter()
        .map(|c| c.fingerprint_sha256.clone())
        .collect();
    assert_eq!(
        fingerprints,
        vec![
            cert("idp").fingerprint_sha256,
            cert("idp2").fingerprint_sha256
        ]
    );
    assert_eq!(
        md.certificates[0].subject,
        "CN=Microsoft Azure Federated SSO Certificate"
    );
}

#[test]
fn okta_metadata_prefers_redirect_binding() {
    let md = import_idp_metadata(&fixture_string("metadata/okta_metadata.xml")).unwrap();
    assert_eq!(md.entity_id, OKTA_ISSUER);
    assert_eq!(
        md.sso_url,
        "https://contoso.okta.com/app/contoso_gatehouse_1/exk1fcia6d6EMsf331d8/sso/saml"
    );
    assert_eq!(md.slo_url, None);
    assert_eq!(md.certificates.len(), 1);
}

#[test]
fn google_metadata_skips_encryption_keys_and_reads_wrapped_base64() {
    let md = import_idp_metadata(&fixture_string("metadata/google_metadata.xml")).unwrap();
    assert_eq!(md.entity_id, GOOGLE_ISSUER);
    assert_eq!(
        md.sso_url,
        "https://accounts.google.com/o/saml2/idp?idpid=C01abcdef"
    );
    assert_eq!(md.slo_url, None);
    assert_eq!(md.certificates.len(), 1);
    assert_eq!(md.certificates[0].key_type, "EC");
}

#[test]
fn post_only_sso_is_used_when_no_redirect() {
    let xml = fixture_string("metadata/okta_metadata.xml").replace(
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://contoso.okta.com/app/contoso_gatehouse_1/exk1fcia6d6EMsf331d8/sso/saml\"/>",
        "",
    );
    let md = import_idp_metadata(&xml).unwrap();
    assert!(md.sso_url.ends_with("/sso/saml"));
}

#[test]
fn entities_descriptor_with_one_idp() {
    let inner = fixture_string("metadata/okta_metadata.xml")
        .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "");
    let xml = format!(
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">{inner}</md:EntitiesDescriptor>"
    );
    assert_eq!(import_idp_metadata(&xml).unwrap().entity_id, OKTA_ISSUER);
    let two = format!(
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">{inner}{inner}</md:EntitiesDescriptor>"
    );
    assert_eq!(
        import_idp_metadata(&two).unwrap_err(),
        MetadataError::EntityCount(2)
    );
}

#[test]
fn refusals() {
    let okta = fixture_string("metadata/okta_metadata.xml");
    let doctype = format!(
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
        okta.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
    );
    assert!(
        matches!(import_idp_metadata(&doctype), Err(MetadataError::Unreadable(m)) if m.contains("DOCTYPE"))
    );
    assert!(matches!(
        import_idp_metadata("<html/>"),
        Err(MetadataError::NotMetadata(_))
    ));
    assert!(matches!(
        import_idp_metadata("not xml"),
        Err(MetadataError::Unreadable(_))
    ));
    let sp_metadata = sp().metadata_xml(&Default::default(), false);
    assert_eq!(
        import_idp_metadata(&sp_metadata).unwrap_err(),
        MetadataError::NotAnIdp
    );
    let no_certs = okta.replace("use=\"signing\"", "use=\"encryption\"");
    assert_eq!(
        import_idp_metadata(&no_certs).unwrap_err(),
        MetadataError::NoSigningCertificate
    );
    let broken = okta.replace("<ds:X509Certificate>MII", "<ds:X509Certificate>MIX");
    assert!(matches!(
        import_idp_metadata(&broken),
        Err(MetadataError::InvalidCertificate { index: 1, .. })
    ));
    let no_sso = okta.replace("SingleSignOnService", "ArtifactResolutionService");
    assert_eq!(
        import_idp_metadata(&no_sso).unwrap_err(),
        MetadataError::NoSsoUrl
    );
}

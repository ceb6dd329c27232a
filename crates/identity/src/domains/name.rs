//! What counts as a domain a tenant may claim, in one normal form: lower-case ASCII
//! (internationalised names as punycode, UTS 46), no trailing dot, at least two labels,
//! not an IP address, not a wildcard, and not a public suffix.
//!
//! Public suffixes come from the Public Suffix List as the `psl` crate embeds it (no network;
//! a dependency update brings a newer list). Both of its sections are refused: the ICANN
//! section (`co.uk`, `com.au`) and the private one (`github.io`, `azurewebsites.net`), whose
//! owners hand out names under them to unrelated parties — claiming one would claim all of
//! them. A name *under* a suffix (`contoso.co.uk`, `contoso.github.io`) is fine; whether its
//! owner can publish the TXT record is what verification then proves.

use std::net::IpAddr;

use crate::error::{Error, Result};

/// Longest domain name (RFC 1035, without the trailing dot).
pub(crate) const MAX_NAME_LEN: usize = 253;

/// Normalises a domain an admin typed; the error names `field` and says what is wrong.
pub(crate) fn normalise_domain(field: &str, input: &str) -> Result<String> {
    let trimmed = input.trim();
    let bad = |why: &str| Error::invalid(field, why.to_owned());
    if trimmed.is_empty() {
        return Err(bad("enter a domain, such as contoso.com"));
    }
    if trimmed.len() > MAX_NAME_LEN + 1 {
        return Err(bad("is longer than 253 characters"));
    }
    let unbracketed = trimmed.trim_start_matches('[').trim_end_matches(']');
    if unbracketed.parse::<IpAddr>().is_ok() {
        return Err(bad("is an IP address; enter a domain name"));
    }
    if trimmed.contains('@') || trimmed.contains('/') || trimmed.contains(':') && !trimmed.contains('.') {
        return Err(bad("enter the domain alone (contoso.com), not an address or a URL"));
    }
    if trimmed.contains('*') {
        return Err(bad("wildcards are not allowed; add each domain on its own"));
    }
    // One trailing dot is the same name written absolutely; strip it. More is a typo.
    let without_dot = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if without_dot.ends_with('.') || without_dot.starts_with('.') || without_dot.contains("..") {
        return Err(bad("has an empty label (two dots in a row, or a dot at the start)"));
    }
    let ascii = idna::domain_to_ascii_strict(without_dot)
        .map_err(|_| bad("is not a valid domain name (letters, digits and hyphens between dots)"))?;
    if ascii.len() > MAX_NAME_LEN {
        return Err(bad("is longer than 253 characters"));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return Err(bad("has a label that is empty or longer than 63 characters"));
    }
    if labels.iter().any(|l| !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
        return Err(bad("may hold only letters, digits and hyphens between dots"));
    }
    if labels.len() < 2 {
        return Err(bad("is a top-level domain; enter your organisation's domain, such as contoso.com"));
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad("is not a domain name (its last label is a number)"));
    }
    if is_public_suffix(&ascii) {
        return Err(bad("is a public suffix shared by many organisations; enter your own domain under it"));
    }
    Ok(ascii)
}

/// Whether `ascii` (normalised) is itself on the Public Suffix List, in either section.
/// The list's wildcard rules count (`*.ck` makes `anything.ck` a suffix); a name the list
/// does not know is judged by its last label alone, as the list's default rule says.
fn is_public_suffix(ascii: &str) -> bool {
    psl::suffix(ascii.as_bytes()).is_some_and(|s| s.as_bytes() == ascii.as_bytes())
}

/// The normalised domain of an e-mail address, or `None` when it has none we could claim.
pub(crate) fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    normalise_domain("email", domain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        for (input, want) in [
            ("Contoso.COM", "contoso.com"),
            ("  contoso.com.  ", "contoso.com"),
            ("mail.contoso.co.uk", "mail.contoso.co.uk"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
            ("contoso.com", "contoso.com"),
            ("contoso.co.uk", "contoso.co.uk"),
            ("contoso.github.io", "contoso.github.io"),
            // Not on the list: one label under an unknown TLD is a registrable name.
            ("contoso.example", "contoso.example"),
        ] {
            assert_eq!(normalise_domain("name", input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn refusals_name_the_field_and_the_problem() {
        for (input, words) in [
            ("", "enter a domain"),
            ("com", "top-level"),
            ("co.uk", "public suffix"),
            ("github.io", "public suffix"),
            ("com.au", "public suffix"),
            ("azurewebsites.net", "public suffix"),
            ("s3.amazonaws.com", "public suffix"),
            ("*.contoso.com", "wildcards"),
            ("10.0.0.1", "IP address"),
            ("[::1]", "IP address"),
            ("::1", "IP address"),
            ("contoso..com", "empty label"),
            ("contoso.com..", "empty label"),
            (".contoso.com", "empty label"),
            ("user@contoso.com", "not an address"),
            ("https://contoso.com/", "not an address"),
            ("con_toso.com", "letters, digits"),
            ("1.2.3.999", "number"),
        ] {
            let e = normalise_domain("name", input).unwrap_err();
            let text = e.to_string();
            assert!(text.starts_with("name: ") && text.contains(words), "{input:?} → {text}");
        }
        let long = format!("{}.com", "a.".repeat(130));
        assert!(normalise_domain("name", &long).unwrap_err().to_string().contains("253"));
        assert!(normalise_domain("name", &format!("{}.com", "a".repeat(64))).is_err());
    }

    #[test]
    fn email_domains() {
        assert_eq!(email_domain("Ann@Contoso.COM").as_deref(), Some("contoso.com"));
        assert_eq!(email_domain("a@b@contoso.com").as_deref(), Some("contoso.com"));
        assert_eq!(email_domain("no-at-sign"), None);
        assert_eq!(email_domain("a@com"), None);
    }
}

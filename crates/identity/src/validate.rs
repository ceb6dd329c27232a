//! Input checks shared by the services. Each returns a [`FieldError`] naming the field as
//! the API names it, with a message an admin can act on.

use crate::error::FieldError;

pub(crate) const MAX_NAME_LEN: usize = 200;
pub(crate) const MAX_URL_LEN: usize = 2048;

/// Trims and requires a non-empty value of at most `max` characters.
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(v.to_owned())
}

/// A syntactically plausible e-mail address, lower-cased. Deliverability is not checked.
pub(crate) fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    let bad = || FieldError::new(field, format!("{value:?} is not an e-mail address"));
    if v.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty() || local.contains('@') || domain.len() < 3 || !domain.contains('.') {
        return Err(bad());
    }
    if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err(bad());
    }
    Ok(v)
}

/// A tenant slug: 2–63 of `a-z 0-9 -`, starting with a letter or digit. It appears in URLs.
pub(crate) fn slug(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let ok_len = (2..=63).contains(&v.len());
    let ok_chars = v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_start = v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok_len && ok_chars && ok_start && !v.ends_with('-') {
        Ok(v.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "must be 2-63 characters of lower-case letters, digits and '-', not starting or ending with '-'",
        ))
    }
}

/// An absolute http(s) URL; plain http only when `allow_http` (a tenant in dev mode).
pub(crate) fn idp_url(field: &str, value: &str, allow_http: bool) -> Result<String, FieldError> {
    let v = value.trim();
    if v.len() > MAX_URL_LEN {
        return Err(FieldError::new(field, format!("must be at most {MAX_URL_LEN} characters")));
    }
    let url = url::Url::parse(v).map_err(|_| {
        let start = if allow_http { "https:// (or http:// while in dev mode)" } else { "https://" };
        FieldError::new(
            field,
            format!("must start with {start} and name the IdP's host, e.g. https://login.example.com/saml"),
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => {
            return Err(FieldError::new(
                field,
                "must use https (plain http is allowed only for tenants an operator put in dev mode)",
            ));
        }
        other => return Err(FieldError::new(field, format!("must be an http(s) URL, not {other}:"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(field, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FieldError::new(field, "must not contain credentials"));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("email", " Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@.com", "ada@example..com"]
        {
            assert!(email("email", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn slugs() {
        assert!(slug("slug", "contoso").is_ok());
        assert!(slug("slug", "a1-b2").is_ok());
        for bad in ["", "a", "-a", "a-", "Contoso", "con toso", "con_toso", &"a".repeat(64)] {
            assert!(slug("slug", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn urls() {
        assert!(idp_url("loginUrl", "https://login.microsoftonline.com/t/saml2", false).is_ok());
        let e = idp_url("loginUrl", "http://idp.local/sso", false).unwrap_err();
        assert!(e.message.contains("https"), "{e:?}");
        assert!(idp_url("loginUrl", "http://idp.local/sso", true).is_ok());
        assert!(idp_url("loginUrl", "javascript:alert(1)", true).is_err());
        assert!(idp_url("loginUrl", "/relative", true).is_err());
        let e = idp_url("loginUrl", "login.example.com/saml", false).unwrap_err();
        assert!(e.message.starts_with("must start with https://"), "{e:?}");
        assert!(idp_url("loginUrl", "https://user:pw@idp/x", true).is_err());
    }
}

//! Turning a client's JSON into the canonical form of a resource: attribute names spelled as
//! the schema spells them (RFC 7643 §2.1 makes them case-insensitive), values type-checked,
//! Entra's `"True"`/`"False"` strings read as booleans, `null` and `[]` read as "unassigned",
//! read-only common attributes (`id`, `meta`) dropped. Unknown attributes and unknown schema
//! URNs are refused with an error naming them. Used by resource parsing and by PATCH.

use serde_json::{Map, Value};

use crate::error::{Result, ScimError};
use crate::schema::{Attr, AttrType, ResourceKind};

/// Canonicalises a whole resource body of the given kind.
pub(crate) fn canonicalize_resource(
    kind: ResourceKind,
    input: Value,
) -> Result<Map<String, Value>> {
    let Value::Object(obj) = input else {
        return Err(ScimError::invalid_syntax(
            "the request body must be a JSON object",
        ));
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas") {
            check_schemas(&value)?;
        } else if key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("meta") {
            // readOnly: RFC 7643 §2.2 says a client's value SHALL be ignored.
        } else if key.len() > 4 && key[..4].eq_ignore_ascii_case("urn:") {
            let Some(ext) = kind.extension(&key) else {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown schema extension '{key}' for a {} resource",
                    kind.name()
                )));
            };
            if value.is_null() {
                continue;
            }
            let Value::Object(ext_obj) = value else {
                return Err(ScimError::invalid_value(format!(
                    "'{}' must be a JSON object",
                    ext.id
                )));
            };
            let mut ext_out = Map::new();
            for (k, v) in ext_obj {
                // Some clients (scim2-tester) repeat `schemas` inside the extension object.
                if ext.is_unsupported(&k) || k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let attr = ext.attr(&k).ok_or_else(|| {
                    ScimError::invalid_syntax(format!("unknown attribute '{}:{k}'", ext.id))
                })?;
                let path = format!("{}:{}", ext.id, attr.name);
                if let Some(v) = canonicalize_attr(attr, v, &path)? {
                    ext_out.insert(attr.name.to_owned(), v);
                }
            }
            if !ext_out.is_empty() {
                out.insert(ext.id.to_owned(), Value::Object(ext_out));
            }
        } else if kind.core().is_unsupported(&key) {
            // Defined by RFC 7643 but not stored: dropped (see `SchemaDef::unsupported`).
        } else {
            let attr = kind.core_attr(&key).ok_or_else(|| {
                ScimError::invalid_syntax(format!(
                    "unknown attribute '{key}' for a {} resource",
                    kind.name()
                ))
            })?;
            if let Some(v) = canonicalize_attr(attr, value, attr.name)? {
                out.insert(attr.name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

/// `schemas` must be an array of URNs. Unknown entries are tolerated: Entra's documented group
/// creation lists a Microsoft-private schema. What matters are the extension *objects*, which
/// are checked by name.
fn check_schemas(value: &Value) -> Result<()> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
        _ => Err(ScimError::invalid_value(
            "'schemas' must be an array of schema URNs",
        )),
    }
}

/// Canonicalises the value of `attr` (single or multi-valued). `None` means unassigned.
pub(crate) fn canonicalize_attr(attr: &Attr, value: Value, path: &str) -> Result<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    if !attr.multi {
        return canonicalize_single(attr, value, path);
    }
    let items = match value {
        Value::Array(items) => items,
        // Lenient: a lone value where an array is expected.
        single => vec![single],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(v) = canonicalize_single(attr, item, path)? {
            out.push(v);
        }
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// Canonicalises one value of `attr` (an element if it is multi-valued).
pub(crate) fn canonicalize_single(attr: &Attr, value: Value, path: &str) -> Result<Option<Value>> {
    match (attr.ty, value) {
        (_, Value::Null) => Ok(None),
        (AttrType::Complex, Value::Object(obj)) => {
            let mut out = Map::new();
            for (k, v) in obj {
                let sub = attr.sub_attr(&k).ok_or_else(|| {
                    ScimError::invalid_syntax(format!("unknown attribute '{path}.{k}'"))
                })?;
                let sub_path = format!("{path}.{}", sub.name);
                if let Some(v) = canonicalize_single(sub, v, &sub_path)? {
                    out.insert(sub.name.to_owned(), v);
                }
            }
            Ok(if out.is_empty() {
                None
            } else {
                Some(Value::Object(out))
            })
        }
        // Lenient: Entra sends `manager` as the bare id; a string stands for `{"value": …}`.
        (AttrType::Complex, Value::String(s)) if attr.sub_attr("value").is_some() => {
            let mut out = Map::new();
            out.insert("value".to_owned(), Value::String(s));
            Ok(Some(Value::Object(out)))
        }
        (AttrType::Complex, _) => Err(ScimError::invalid_value(format!(
            "'{path}' must be a JSON object"
        ))),
        (AttrType::Boolean, Value::Bool(b)) => Ok(Some(Value::Bool(b))),
        (AttrType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") => {
            Ok(Some(Value::Bool(true)))
        }
        (AttrType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("false") => {
            Ok(Some(Value::Bool(false)))
        }
        (AttrType::Boolean, _) => Err(ScimError::invalid_value(format!(
            "'{path}' must be a boolean"
        ))),
        (AttrType::String | AttrType::Reference, Value::String(s)) => Ok(Some(Value::String(s))),
        // Lenient: a number where a string is expected (e.g. an employee number).
        (AttrType::String, Value::Number(n)) => Ok(Some(Value::String(n.to_string()))),
        (AttrType::String | AttrType::Reference, _) => Err(ScimError::invalid_value(format!(
            "'{path}' must be a string"
        ))),
        (AttrType::DateTime, Value::String(s)) => {
            chrono::DateTime::parse_from_rfc3339(&s).map_err(|_| {
                ScimError::invalid_value(format!("'{path}' must be an RFC 3339 date-time"))
            })?;
            Ok(Some(Value::String(s)))
        }
        (AttrType::DateTime, _) => Err(ScimError::invalid_value(format!(
            "'{path}' must be a date-time string"
        ))),
    }
}

/// Looks a key up case-insensitively (exact spelling first).
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_canonicalised_and_strings_coerced() {
        let out = canonicalize_resource(
            ResourceKind::User,
            json!({"USERNAME": "a@b.c", "Active": "False", "NAME": {"GivenName": "A"}, "id": "ignored"}),
        )
        .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"userName": "a@b.c", "active": false, "name": {"givenName": "A"}})
        );
    }

    #[test]
    fn unknown_sub_attribute_is_named() {
        let err = canonicalize_resource(ResourceKind::User, json!({"name": {"middle": "x"}}))
            .unwrap_err();
        assert_eq!(
            err,
            ScimError::invalid_syntax("unknown attribute 'name.middle'")
        );
    }

    #[test]
    fn boolean_garbage_is_invalid_value() {
        let err = canonicalize_resource(ResourceKind::User, json!({"active": "yes"})).unwrap_err();
        assert_eq!(err, ScimError::invalid_value("'active' must be a boolean"));
    }
}

//! Evaluating a filter against a resource's JSON with SCIM semantics: attribute names are
//! case-insensitive; strings compare case-insensitively unless the attribute is `caseExact`;
//! a multi-valued attribute matches when any of its values does; a complex multi-valued
//! attribute named without a sub-attribute stands for its `value`; `ne` is the negation of `eq`;
//! `dateTime` attributes compare as instants.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{AttrPath, CompValue, CompareOp, Filter};
use crate::canonical::get_ci;
use crate::resource::{ScimGroup, ScimUser};
use crate::schema::{Attr, AttrType, ResourceKind};

/// What the names of a filter are relative to.
#[derive(Clone, Copy)]
pub(crate) enum Scope {
    Resource(ResourceKind),
    /// One value of a complex multi-valued attribute (inside `emails[…]`).
    Element(Option<&'static Attr>),
}

/// Whether a resource, as its JSON representation, matches the filter.
pub fn matches(resource: &Value, kind: ResourceKind, filter: &Filter) -> bool {
    resource
        .as_object()
        .is_some_and(|obj| eval_in(obj, Scope::Resource(kind), filter))
}

pub fn matches_user(user: &ScimUser, filter: &Filter) -> bool {
    serde_json::to_value(user).is_ok_and(|v| matches(&v, ResourceKind::User, filter))
}

pub fn matches_group(group: &ScimGroup, filter: &Filter) -> bool {
    serde_json::to_value(group).is_ok_and(|v| matches(&v, ResourceKind::Group, filter))
}

pub(crate) fn eval_in(obj: &Map<String, Value>, scope: Scope, filter: &Filter) -> bool {
    match filter {
        Filter::And(a, b) => eval_in(obj, scope, a) && eval_in(obj, scope, b),
        Filter::Or(a, b) => eval_in(obj, scope, a) || eval_in(obj, scope, b),
        Filter::Not(inner) => !eval_in(obj, scope, inner),
        Filter::Present(path) => lookup(obj, scope, path).0.into_iter().any(is_present),
        Filter::Compare { path, op, value } => {
            let (values, def) = lookup(obj, scope, path);
            match op {
                CompareOp::Ne => !any_compare(&values, CompareOp::Eq, value, def),
                _ => any_compare(&values, *op, value, def),
            }
        }
        Filter::ValuePath { path, filter } => {
            let (container, def) = container_and_def(obj, scope, path);
            let element_scope = Scope::Element(def);
            match container.and_then(|c| get_ci(c, &path.name)) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_object)
                    .any(|item| eval_in(item, element_scope, filter)),
                Some(Value::Object(item)) => eval_in(item, element_scope, filter),
                _ => false,
            }
        }
    }
}

fn any_compare(values: &[&Value], op: CompareOp, expected: &CompValue, def: Option<&Attr>) -> bool {
    if values.is_empty() {
        return op == CompareOp::Eq && *expected == CompValue::Null;
    }
    values.iter().any(|v| compare(v, op, expected, def))
}

fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// The object holding `path.name` and its definition.
fn container_and_def<'v>(
    obj: &'v Map<String, Value>,
    scope: Scope,
    path: &AttrPath,
) -> (Option<&'v Map<String, Value>>, Option<&'static Attr>) {
    match scope {
        Scope::Element(parent) => (Some(obj), parent.and_then(|p| p.sub_attr(&path.name))),
        Scope::Resource(kind) => match path.uri.as_deref() {
            None => match kind.core_attr(&path.name) {
                Some(def) => (Some(obj), Some(def)),
                // Lenient: an unprefixed extension attribute.
                None => kind
                    .extensions()
                    .iter()
                    .find_map(|ext| ext.attr(&path.name).map(|def| (ext, def)))
                    .map_or((Some(obj), None), |(ext, def)| {
                        (get_ci(obj, ext.id).and_then(Value::as_object), Some(def))
                    }),
            },
            Some(uri) if uri.eq_ignore_ascii_case(kind.core().id) => {
                (Some(obj), kind.core_attr(&path.name))
            }
            Some(uri) => match kind.extension(uri) {
                Some(ext) => (
                    get_ci(obj, ext.id).and_then(Value::as_object),
                    ext.attr(&path.name),
                ),
                None => (None, None),
            },
        },
    }
}

/// The leaf values a path designates, and the leaf's definition.
fn lookup<'v>(
    obj: &'v Map<String, Value>,
    scope: Scope,
    path: &AttrPath,
) -> (Vec<&'v Value>, Option<&'static Attr>) {
    let (container, def) = container_and_def(obj, scope, path);
    let Some(value) = container.and_then(|c| get_ci(c, &path.name)) else {
        return (Vec::new(), def);
    };
    let (sub_name, sub_def) = match (&path.sub, def) {
        (Some(sub), def) => (Some(sub.as_str()), def.and_then(|d| d.sub_attr(sub))),
        // `emails co "x"` means `emails.value co "x"`.
        (None, Some(d)) if d.multi && d.is_complex() => (Some("value"), d.sub_attr("value")),
        (None, def) => (None, def),
    };
    let Some(sub_name) = sub_name else {
        return match value {
            Value::Array(items) => (items.iter().collect(), def),
            other => (vec![other], def),
        };
    };
    let elements: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for element in elements {
        match element.as_object().and_then(|o| get_ci(o, sub_name)) {
            Some(Value::Array(items)) => out.extend(items.iter()),
            Some(v) => out.push(v),
            None => {}
        }
    }
    (out, sub_def)
}

fn compare(actual: &Value, op: CompareOp, expected: &CompValue, def: Option<&Attr>) -> bool {
    match (actual, expected) {
        (Value::String(a), CompValue::Str(b)) => {
            if def.is_some_and(|d| d.ty == AttrType::DateTime)
                && let (Ok(a), Ok(b)) = (
                    chrono::DateTime::parse_from_rfc3339(a),
                    chrono::DateTime::parse_from_rfc3339(b),
                )
            {
                return ordering_matches(op, a.cmp(&b));
            }
            if def.is_some_and(|d| d.case_exact) {
                compare_str(a, b, op)
            } else {
                compare_str(&a.to_lowercase(), &b.to_lowercase(), op)
            }
        }
        (Value::Bool(a), CompValue::Bool(b)) => op == CompareOp::Eq && a == b,
        (Value::Number(a), CompValue::Num(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b).is_some_and(|o| ordering_matches(op, o)),
            _ => false,
        },
        (Value::Null, CompValue::Null) => op == CompareOp::Eq,
        _ => false,
    }
}

fn compare_str(a: &str, b: &str, op: CompareOp) -> bool {
    match op {
        CompareOp::Co => a.contains(b),
        CompareOp::Sw => a.starts_with(b),
        CompareOp::Ew => a.ends_with(b),
        _ => ordering_matches(op, a.cmp(b)),
    }
}

fn ordering_matches(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "userName": "BJensen@Example.com",
            "externalId": "AbC",
            "active": true,
            "emails": [{"value": "b@work.example", "type": "work"}, {"value": "b@home.example", "type": "home"}],
            "meta": {"created": "2024-01-01T00:00:00Z"}
        })
    }

    fn m(f: &str) -> bool {
        matches(&user(), ResourceKind::User, &parse_filter(f).unwrap())
    }

    #[test]
    fn case_sensitivity_follows_case_exact() {
        assert!(m(r#"username eq "bjensen@example.com""#));
        assert!(m(r#"externalId eq "AbC""#));
        assert!(!m(r#"externalId eq "abc""#));
    }

    #[test]
    fn multi_valued_and_value_paths() {
        assert!(m(r#"emails co "@home""#));
        assert!(m(r#"emails[type eq "WORK" and value ew "work.example"]"#));
        assert!(!m(r#"emails[type eq "work" and value ew "home.example"]"#));
    }

    #[test]
    fn datetime_compares_as_instants() {
        assert!(!m(r#"meta.created gt "2023-12-31T23:00:00-02:00""#));
        assert!(m(r#"meta.created lt "2023-12-31T23:00:00-02:00""#));
    }
}

//! The filter grammar (RFC 7644 §3.4.2.2) and its evaluation.

use gatehouse_scim::filter::{AttrPath, CompValue, CompareOp, EqualityAttribute};
use gatehouse_scim::{Filter, ResourceKind, ScimType, matches, parse_filter};
use serde_json::json;

fn cmp(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare { path, op, value }
}

fn s(v: &str) -> CompValue {
    CompValue::Str(v.into())
}

#[test]
fn every_operator_parses_case_insensitively() {
    for (text, op) in [
        ("eq", CompareOp::Eq),
        ("NE", CompareOp::Ne),
        ("Co", CompareOp::Co),
        ("sw", CompareOp::Sw),
        ("EW", CompareOp::Ew),
        ("gt", CompareOp::Gt),
        ("ge", CompareOp::Ge),
        ("lt", CompareOp::Lt),
        ("LE", CompareOp::Le),
    ] {
        assert_eq!(
            parse_filter(&format!("title {text} \"x\"")).unwrap(),
            cmp(AttrPath::new("title"), op, s("x"))
        );
    }
    assert_eq!(
        parse_filter("title PR").unwrap(),
        Filter::Present(AttrPath::new("title"))
    );
}

#[test]
fn literals() {
    assert_eq!(
        parse_filter("active eq TRUE").unwrap(),
        cmp(
            AttrPath::new("active"),
            CompareOp::Eq,
            CompValue::Bool(true)
        )
    );
    assert_eq!(
        parse_filter("title eq null").unwrap(),
        cmp(AttrPath::new("title"), CompareOp::Eq, CompValue::Null)
    );
    assert_eq!(
        parse_filter("x gt -1.5e3").unwrap(),
        cmp(
            AttrPath::new("x"),
            CompareOp::Gt,
            CompValue::Num(serde_json::Number::from_f64(-1500.0).unwrap())
        )
    );
    assert_eq!(
        parse_filter(r#"displayName eq "Tab\t \"Q\" \u00e9 \\""#).unwrap(),
        cmp(
            AttrPath::new("displayName"),
            CompareOp::Eq,
            s("Tab\t \"Q\" é \\")
        )
    );
}

#[test]
fn precedence_not_and_or_with_parentheses() {
    let a = || cmp(AttrPath::new("a"), CompareOp::Eq, s("1"));
    let b = || cmp(AttrPath::new("b"), CompareOp::Eq, s("2"));
    let c = || cmp(AttrPath::new("c"), CompareOp::Eq, s("3"));
    let and = |x, y| Filter::And(Box::new(x), Box::new(y));
    let or = |x, y| Filter::Or(Box::new(x), Box::new(y));
    assert_eq!(
        parse_filter(r#"a eq "1" or b eq "2" and c eq "3""#).unwrap(),
        or(a(), and(b(), c()))
    );
    assert_eq!(
        parse_filter(r#"(a eq "1" or b eq "2") and c eq "3""#).unwrap(),
        and(or(a(), b()), c())
    );
    assert_eq!(
        parse_filter(r#"a eq "1" AND b eq "2" OR c eq "3""#).unwrap(),
        or(and(a(), b()), c())
    );
    assert_eq!(
        parse_filter(r#"not (a eq "1") and b eq "2""#).unwrap(),
        and(Filter::Not(Box::new(a())), b())
    );
    assert_eq!(
        parse_filter(r#"NOT(a eq "1")"#).unwrap(),
        Filter::Not(Box::new(a()))
    );
}

#[test]
fn attribute_paths_with_urns_sub_attributes_and_value_paths() {
    assert_eq!(
        parse_filter(r#"name.givenName sw "B""#).unwrap(),
        cmp(
            AttrPath {
                uri: None,
                name: "name".into(),
                sub: Some("givenName".into())
            },
            CompareOp::Sw,
            s("B")
        )
    );
    assert_eq!(
        parse_filter(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x""#).unwrap(),
        cmp(
            AttrPath {
                uri: Some("urn:ietf:params:scim:schemas:core:2.0:User".into()),
                name: "userName".into(),
                sub: None
            },
            CompareOp::Eq,
            s("x")
        )
    );
    assert_eq!(
        parse_filter(r#"emails[type eq "work" and value co "@example.com"]"#).unwrap(),
        Filter::ValuePath {
            path: AttrPath::new("emails"),
            filter: Box::new(Filter::And(
                Box::new(cmp(AttrPath::new("type"), CompareOp::Eq, s("work"))),
                Box::new(cmp(
                    AttrPath::new("value"),
                    CompareOp::Co,
                    s("@example.com")
                )),
            )),
        }
    );
    assert_eq!(
        parse_filter(r#"members[value eq "1"] or members[value eq "2"]"#)
            .map(|f| matches!(f, Filter::Or(..))),
        Ok(true)
    );
    assert!(matches!(
        parse_filter(r#"meta.lastModified gt "2011-05-13T04:42:34Z""#).unwrap(),
        Filter::Compare { .. }
    ));
    assert!(matches!(
        parse_filter("members.$ref pr").unwrap(),
        Filter::Present(_)
    ));
}

fn err(input: &str) -> String {
    let e = parse_filter(input).unwrap_err();
    assert_eq!(
        (e.status, e.scim_type),
        (400, Some(ScimType::InvalidFilter)),
        "{input}"
    );
    e.detail
}

#[test]
fn malformed_filters_report_position_and_reason() {
    assert_eq!(
        err(""),
        "invalid filter: the filter is empty at position 0 (found end of input)"
    );
    assert_eq!(
        err("userName eq"),
        "invalid filter: expected a space and a value after 'eq' at position 11 (found end of input)"
    );
    assert_eq!(
        err(r#"userName eq "abc"#),
        "invalid filter: unterminated string at position 12 (found '\"abc')"
    );
    assert_eq!(
        err(r#"userName eq abc"#),
        "invalid filter: expected a value: a quoted string, number, true, false or null at position 12 (found 'abc')"
    );
    assert_eq!(
        err(r#"userName "x""#),
        "invalid filter: expected an operator at position 9 (found '\"x\"')"
    );
    assert_eq!(
        err(r#"userName eq "x" xor b pr"#),
        "invalid filter: expected 'and', 'or' or the end of the filter at position 16 (found 'xor b pr')"
    );
    assert_eq!(
        err(r#"(userName eq "x""#),
        "invalid filter: expected ')' at position 16 (found end of input)"
    );
    assert_eq!(
        err(r#"emails[type[x eq "1"] eq "w"]"#),
        "invalid filter: value filters cannot be nested at position 11 (found '[x eq \"1\"] e')"
    );
    assert_eq!(
        err(r#"emails[type eq "w""#),
        "invalid filter: expected ']' at position 18 (found end of input)"
    );
    assert_eq!(
        err(r#"1abc eq "x""#),
        "invalid filter: '1abc' is not a valid attribute name at position 0 (found '1abc eq \"x\"')"
    );
    assert_eq!(
        err(r#"a.b.c eq "x""#),
        "invalid filter: 'b.c' is not a valid attribute name at position 0 (found 'a.b.c eq \"x\"')"
    );
    assert_eq!(
        err(r#"userName eq "\q""#),
        "invalid filter: invalid escape in string at position 12 (found '\"\\q\"')"
    );
    assert_eq!(
        err(r#"userName eq "x" and"#),
        "invalid filter: expected an attribute path at position 19 (found end of input)"
    );
}

#[test]
fn simple_equality_push_down() {
    let f =
        parse_filter(r#"userName eq "a" and externalId eq "E1" and displayName eq "D""#).unwrap();
    let terms = f.as_simple_equality().unwrap();
    let attrs: Vec<EqualityAttribute> = terms.iter().map(|t| t.attribute).collect();
    assert_eq!(
        attrs,
        vec![
            EqualityAttribute::UserName,
            EqualityAttribute::ExternalId,
            EqualityAttribute::DisplayName
        ]
    );
    assert_eq!(terms[1].value, "E1");
    for not_simple in [
        r#"userName eq "a" or externalId eq "b""#,
        r#"userName co "a""#,
        r#"emails.value eq "a@b.c""#,
        r#"active eq true"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x""#,
        r#"not (userName eq "a")"#,
    ] {
        assert_eq!(
            parse_filter(not_simple).unwrap().as_simple_equality(),
            None,
            "{not_simple}"
        );
    }
    let urn =
        parse_filter(r#"urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "G""#).unwrap();
    assert_eq!(
        urn.as_simple_equality().unwrap()[0].attribute,
        EqualityAttribute::DisplayName
    );
}

fn doc() -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Ext-1",
        "userName": "Bjensen@Example.com",
        "displayName": "Babs Jensen",
        "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"},
        "meta": {"resourceType": "User", "lastModified": "2024-03-01T12:00:00Z"}
    })
}

fn m(filter: &str) -> bool {
    matches(&doc(), ResourceKind::User, &parse_filter(filter).unwrap())
}

#[test]
fn evaluation_semantics() {
    // caseExact=false: userName, emails.value, displayName
    assert!(m(r#"userName eq "bjensen@example.com""#));
    assert!(m(r#"USERNAME sw "BJENSEN""#));
    assert!(m(r#"displayName co "jens""#));
    assert!(m(r#"emails.value ew "JENSEN.ORG""#));
    // caseExact=true: externalId, id
    assert!(m(r#"externalId eq "Ext-1""#));
    assert!(!m(r#"externalId eq "ext-1""#));
    assert!(!m(r#"id eq "2819C223-7F76-453A-919D-413861904646""#));
    // booleans, presence, ne, absent attributes
    assert!(m("active eq true"));
    assert!(!m("active eq false"));
    assert!(m("active ne false"));
    assert!(m("title ne \"x\""));
    assert!(!m("title pr"));
    assert!(m("title eq null"));
    assert!(m("name.givenName pr"));
    assert!(m("emails pr"));
    // multi-valued: any value matches; emails alone means emails.value
    assert!(m(r#"emails eq "babs@jensen.org""#));
    assert!(m(r#"emails[type eq "home" and value sw "babs"]"#));
    assert!(!m(r#"emails[type eq "home" and primary eq true]"#));
    assert!(m(r#"emails[not (type eq "home")]"#));
    // extension attributes, prefixed or not
    assert!(m(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations""#
    ));
    assert!(m(r#"department sw "Tour""#));
    // ordering, dateTime as instants
    assert!(m(
        r#"name.familyName gt "Jansen" and name.familyName lt "Jenson""#
    ));
    assert!(m(r#"meta.lastModified ge "2024-03-01T13:00:00+01:00""#));
    assert!(!m(r#"meta.lastModified gt "2024-03-01T13:00:00+01:00""#));
    // logic
    assert!(m(
        r#"userName eq "nobody" or (active eq true and not (title pr))"#
    ));
    // unknown attributes match nothing
    assert!(!m(r#"nickName eq "Babs""#));
}

#[test]
fn group_members_filter() {
    let group = json!({"displayName": "Admins", "members": [{"value": "u1"}, {"value": "u2"}]});
    let f = parse_filter(r#"members[value eq "u2"]"#).unwrap();
    assert!(matches(&group, ResourceKind::Group, &f));
    let f = parse_filter(r#"members.value eq "u3""#).unwrap();
    assert!(!matches(&group, ResourceKind::Group, &f));
}

//! Parsing and serialising users and groups: leniency on input, strictness on output.

use gatehouse_scim::{Meta, ResourceKind, ScimError, ScimGroup, ScimType, ScimUser};
use serde_json::json;

#[test]
fn attribute_names_are_case_insensitive_and_output_is_canonical() {
    let user = ScimUser::from_json(json!({
        "SCHEMAS": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "username": "bjensen@example.com",
        "DisplayName": "Babs",
        "EMAILS": [{"Value": "bjensen@example.com", "TYPE": "work", "Primary": "true"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"Department": "Tour Operations"}
    }))
    .unwrap();
    let created = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let mut user = user;
    user.id = Some("2819c223".into());
    user.meta = Some(Meta::new(
        ResourceKind::User,
        "https://gh.example/scim/v2/acme",
        "2819c223",
        created,
        created,
    ));
    assert_eq!(
        serde_json::to_value(&user).unwrap(),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223",
            "userName": "bjensen@example.com",
            "displayName": "Babs",
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"},
            "meta": {
                "resourceType": "User",
                "created": "2024-05-01T10:00:00Z",
                "lastModified": "2024-05-01T10:00:00Z",
                "location": "https://gh.example/scim/v2/acme/Users/2819c223"
            }
        })
    );
}

#[test]
fn output_round_trips_through_the_parser() {
    let input = json!({
        "userName": "u@x.io",
        "name": {"formatted": "U X", "givenName": "U", "familyName": "X"},
        "title": "Eng",
        "active": false,
        "phoneNumbers": [{"value": "1", "type": "work", "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "manager": {"value": "m1", "$ref": "https://gh.example/Users/m1"}
        }
    });
    let user = ScimUser::from_json(input).unwrap();
    let again = ScimUser::from_json(serde_json::to_value(&user).unwrap()).unwrap();
    assert_eq!(user, again);
}

#[test]
fn missing_or_blank_user_name_is_invalid_value() {
    assert_eq!(
        ScimUser::from_json(json!({"displayName": "x"})).unwrap_err(),
        ScimError::invalid_value("invalid User: missing field `userName`")
    );
    assert_eq!(
        ScimUser::from_json(json!({"userName": "  "})).unwrap_err(),
        ScimError::invalid_value("'userName' is required and must not be empty")
    );
}

#[test]
fn unknown_attribute_is_invalid_syntax_naming_it() {
    let err = ScimUser::from_json(json!({"userName": "a", "favouriteColour": "teal"})).unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(err.scim_type, Some(ScimType::InvalidSyntax));
    assert_eq!(
        err.detail,
        "unknown attribute 'favouriteColour' for a User resource"
    );
}

#[test]
fn unknown_extension_urn_is_refused() {
    let err = ScimUser::from_json(json!({
        "userName": "a",
        "urn:example:custom:2.0:User": {"badge": "7"}
    }))
    .unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_syntax(
            "unknown schema extension 'urn:example:custom:2.0:User' for a User resource"
        )
    );
}

#[test]
fn unknown_enterprise_attribute_is_named_with_its_urn() {
    let err = ScimUser::from_json(json!({
        "userName": "a",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"badge": "7"}
    }))
    .unwrap_err();
    assert_eq!(
        err.detail,
        "unknown attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:badge'"
    );
}

#[test]
fn malformed_email_names_the_field() {
    let err =
        ScimUser::from_json(json!({"userName": "a", "emails": [{"value": "not-an-address"}]}))
            .unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("'emails.value' \"not-an-address\" is not an e-mail address")
    );
}

#[test]
fn two_primary_emails_are_refused() {
    let err = ScimUser::from_json(json!({"userName": "a", "emails": [
        {"value": "a@x.io", "primary": true}, {"value": "b@x.io", "primary": true}
    ]}))
    .unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("at most one of 'emails' may be primary")
    );
}

#[test]
fn wrong_types_are_invalid_value_naming_the_path() {
    let err =
        ScimUser::from_json(json!({"userName": "a", "name": {"givenName": true}})).unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("'name.givenName' must be a string")
    );
    let err = ScimUser::from_json(json!({"userName": "a", "name": "Babs"})).unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("'name' must be a JSON object")
    );
    let err = ScimUser::from_json(json!(["not", "an", "object"])).unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_syntax("the request body must be a JSON object")
    );
}

#[test]
fn malformed_json_is_invalid_syntax() {
    let err = ScimUser::parse(br#"{"userName": "a",}"#).unwrap_err();
    assert_eq!(err.scim_type, Some(ScimType::InvalidSyntax));
    assert!(
        err.detail
            .starts_with("malformed JSON: trailing comma at line 1 column 18"),
        "{}",
        err.detail
    );
}

#[test]
fn read_only_id_and_meta_from_the_client_are_ignored() {
    let user =
        ScimUser::from_json(json!({"id": "evil", "meta": {"location": "x"}, "userName": "a"}))
            .unwrap();
    assert_eq!((user.id, user.meta), (None, None));
}

#[test]
fn unsupported_rfc_attributes_are_accepted_and_dropped() {
    let user = ScimUser::from_json(json!({
        "userName": "a",
        "preferredLanguage": "en-GB",
        "addresses": [{"type": "work", "formatted": "1 Main St"}],
        "roles": []
    }))
    .unwrap();
    let out = serde_json::to_value(&user).unwrap();
    assert_eq!(
        out,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"})
    );
}

#[test]
fn group_requires_display_name_and_member_values() {
    assert_eq!(
        ScimGroup::from_json(json!({"displayName": ""})).unwrap_err(),
        ScimError::invalid_value("'displayName' is required and must not be empty")
    );
    assert_eq!(
        ScimGroup::from_json(json!({"displayName": "g", "members": [{"display": "x"}]}))
            .unwrap_err(),
        ScimError::invalid_value("invalid Group: missing field `value`")
    );
    let err = ScimGroup::from_json(json!({"displayName": "g", "owner": "x"})).unwrap_err();
    assert_eq!(err.detail, "unknown attribute 'owner' for a Group resource");
}

#[test]
fn group_member_ids_are_distinct_in_order() {
    let group = ScimGroup::from_json(json!({"displayName": "g", "members": [
        {"value": "b"}, {"value": "a", "$ref": "https://x/Users/a"}, {"value": "b"}
    ]}))
    .unwrap();
    assert_eq!(group.member_ids(), vec!["b", "a"]);
}

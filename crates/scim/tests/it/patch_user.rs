//! PATCH on users: RFC 7644 §3.5.2 semantics, errors, atomicity.

use gatehouse_scim::{PatchRequest, ScimError, ScimType, ScimUser, apply_user_patch};
use serde_json::{Value, json};

fn user() -> ScimUser {
    let mut user = ScimUser::from_json(json!({
        "userName": "bjensen@example.com",
        "displayName": "Babs",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours", "employeeNumber": "42"}
    }))
    .unwrap();
    user.id = Some("u-1".into());
    user
}

fn ops(operations: Value) -> PatchRequest {
    PatchRequest::from_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}))
        .unwrap()
}

fn apply(operations: Value) -> Result<ScimUser, ScimError> {
    let mut u = user();
    apply_user_patch(&mut u, &ops(operations)).map(|()| u)
}

fn out(user: &ScimUser) -> Value {
    serde_json::to_value(user).unwrap()
}

#[test]
fn add_to_multi_valued_appends_and_moves_primary() {
    let u = apply(json!([{"op": "add", "path": "emails", "value": [{"value": "new@x.io", "type": "other", "primary": true}]}])).unwrap();
    assert_eq!(
        out(&u)["emails"],
        json!([
            {"value": "bjensen@example.com", "type": "work", "primary": false},
            {"value": "babs@jensen.org", "type": "home"},
            {"value": "new@x.io", "type": "other", "primary": true}
        ])
    );
}

#[test]
fn add_existing_value_is_a_no_op() {
    let u = apply(json!([{"op": "add", "path": "emails", "value": [{"value": "babs@jensen.org", "type": "home"}]}])).unwrap();
    assert_eq!(u.emails.len(), 2);
}

#[test]
fn replace_multi_valued_without_filter_replaces_all() {
    let u = apply(json!([{"op": "replace", "path": "emails", "value": [{"value": "only@x.io"}]}]))
        .unwrap();
    assert_eq!(out(&u)["emails"], json!([{"value": "only@x.io"}]));
}

#[test]
fn replace_complex_merges_sub_attributes() {
    let u =
        apply(json!([{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}])).unwrap();
    assert_eq!(
        out(&u)["name"],
        json!({"givenName": "Babs", "familyName": "Jensen"})
    );
}

#[test]
fn remove_by_filter_and_sub_attribute() {
    let u = apply(json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])).unwrap();
    assert_eq!(u.emails.len(), 1);
    assert_eq!(u.emails[0].value, "bjensen@example.com");
    let u = apply(json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}])).unwrap();
    assert_eq!(
        out(&u)["emails"][0],
        json!({"value": "bjensen@example.com", "type": "work"})
    );
    let u = apply(json!([{"op": "remove", "path": "name.givenName"}, {"op": "remove", "path": "name.familyName"}])).unwrap();
    assert_eq!(u.name, None);
    let u = apply(json!([{"op": "remove", "path": "emails"}])).unwrap();
    assert!(u.emails.is_empty());
}

#[test]
fn remove_whole_extension_and_one_extension_attribute() {
    let u = apply(json!([{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}])).unwrap();
    assert_eq!(
        out(&u)["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"employeeNumber": "42"})
    );
    let u = apply(json!([{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}])).unwrap();
    assert_eq!(u.enterprise, None);
}

#[test]
fn pathless_add_with_extension_object_and_case_insensitive_keys() {
    let u = apply(json!([{"op": "Add", "value": {
        "TITLE": "Tour Guide",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"Department": "Sales"}
    }}]))
    .unwrap();
    assert_eq!(u.title.as_deref(), Some("Tour Guide"));
    let ent = u.enterprise.unwrap();
    assert_eq!(
        (ent.department.as_deref(), ent.employee_number.as_deref()),
        (Some("Sales"), Some("42"))
    );
}

#[test]
fn whole_extension_path_with_schemas_inside_the_value() {
    // scim2-tester sends the extension object with its own `schemas`.
    let u = apply(json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {
        "schemas": ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "employeeNumber": "99",
        "manager": {"value": "m-1", "$ref": "https://h/Users/m-1"}
    }}]))
    .unwrap();
    assert_eq!(
        out(&u)["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"employeeNumber": "99", "department": "Tours", "manager": {"value": "m-1", "$ref": "https://h/Users/m-1"}})
    );
}

#[test]
fn replace_with_null_unassigns() {
    let u = apply(json!([{"op": "replace", "path": "displayName", "value": null}])).unwrap();
    assert_eq!(u.display_name, None);
}

#[test]
fn primary_via_filter_moves_the_flag() {
    let u = apply(
        json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": "True"}]),
    )
    .unwrap();
    assert_eq!(u.primary_email(), Some("babs@jensen.org"));
    assert_eq!(u.emails[0].primary, Some(false));
}

#[test]
fn id_and_meta_survive_a_patch() {
    let u = apply(json!([{"op": "replace", "path": "title", "value": "x"}])).unwrap();
    assert_eq!(u.id.as_deref(), Some("u-1"));
}

fn patch_err(operations: Value) -> ScimError {
    let mut u = user();
    let before = u.clone();
    let err = apply_user_patch(&mut u, &ops(operations)).unwrap_err();
    assert_eq!(u, before, "a failed PATCH must leave the user unchanged");
    err
}

#[test]
fn errors_are_precise_and_atomic() {
    assert_eq!(
        patch_err(
            json!([{"op": "replace", "path": "title", "value": "changed"}, {"op": "replace", "path": "id", "value": "x"}])
        ),
        ScimError::mutability("attribute 'id' is readOnly")
    );
    assert_eq!(
        patch_err(
            json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}])
        ),
        ScimError::mutability("attribute 'meta' is readOnly")
    );
    assert_eq!(
        patch_err(json!([{"op": "add", "path": "nickname2", "value": "x"}])),
        ScimError::invalid_path("unknown attribute 'nickname2' for a User resource")
    );
    assert_eq!(
        patch_err(json!([{"op": "add", "path": "name.middle", "value": "x"}])),
        ScimError::invalid_path("attribute 'name' has no sub-attribute 'middle'")
    );
    assert_eq!(
        patch_err(json!([{"op": "add", "path": "title[value eq \"x\"]", "value": "x"}])),
        ScimError::invalid_path(
            "a value filter needs a multi-valued complex attribute, and 'title' is not one"
        )
    );
    assert_eq!(
        patch_err(json!([{"op": "add", "path": "urn:example:ext:1.0:User:badge", "value": "x"}])),
        ScimError::invalid_path(
            "unknown schema URN 'urn:example:ext:1.0:User' for a User resource"
        )
    );
    assert_eq!(
        patch_err(json!([{"op": "remove"}])),
        ScimError::no_target("a 'remove' operation needs a 'path'")
    );
    assert_eq!(
        patch_err(
            json!([{"op": "replace", "path": "emails[value co \"@nowhere\"].type", "value": "work"}])
        ),
        ScimError::no_target("no value of 'emails' matches the filter in 'emails[…].type'")
    );
    assert_eq!(
        patch_err(json!([{"op": "replace", "path": "active", "value": "nope"}])),
        ScimError::invalid_value("'active' must be a boolean")
    );
    assert_eq!(
        patch_err(json!([{"op": "replace", "path": "userName", "value": ""}])),
        ScimError::invalid_value("'userName' is required and must not be empty")
    );
    assert_eq!(
        patch_err(json!([{"op": "remove", "path": "userName"}])),
        ScimError::invalid_value("invalid User: missing field `userName`")
    );
    assert_eq!(
        patch_err(
            json!([{"op": "add", "path": "emails[type eq \"work\"].value", "value": "broken"}])
        ),
        ScimError::invalid_value("'emails.value' \"broken\" is not an e-mail address")
    );
    assert_eq!(
        patch_err(json!([{"op": "add", "path": "title"}])),
        ScimError::invalid_value("'add' of 'title' needs a 'value'")
    );
    assert_eq!(
        patch_err(json!([{"op": "replace", "value": "x"}])),
        ScimError::invalid_value("an 'replace' operation without 'path' needs an object 'value'")
    );
}

#[test]
fn unsupported_rfc_attribute_in_patch_is_ignored() {
    let u = apply(json!([{"op": "replace", "path": "preferredLanguage", "value": "en"},
                         {"op": "add", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"}]))
    .unwrap();
    assert_eq!(u, user());
}

#[test]
fn request_envelope_errors() {
    let e = PatchRequest::from_json(
        json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ScimError::invalid_syntax(
            "'schemas' must contain \"urn:ietf:params:scim:api:messages:2.0:PatchOp\""
        )
    );
    let e = PatchRequest::from_json(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ScimError::invalid_syntax("'Operations' must not be empty")
    );
    let e = PatchRequest::from_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "title", "value": "x"}, {"op": "merge", "path": "title"}]}))
    .unwrap_err();
    assert_eq!(
        e,
        ScimError::invalid_syntax("Operations[1].op \"merge\" is not one of add, replace, remove")
    );
    let e = PatchRequest::from_json(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "emails[type eq ]", "value": "x"}]}),
    )
    .unwrap_err();
    assert_eq!(e.scim_type, Some(ScimType::InvalidPath));
    assert_eq!(
        e.detail,
        "invalid path \"emails[type eq ]\": expected a value: a quoted string, number, true, false or null at position 15 (found ']')"
    );
    let e = PatchRequest::parse(b"{not json").unwrap_err();
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
    // Lowercase key spelling and "REPLACE" are fine.
    let ok = PatchRequest::from_json(
        json!({"SCHEMAS": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "operations": [{"OP": "REPLACE", "Path": "title", "Value": "x"}]}),
    )
    .unwrap();
    assert_eq!(ok.operations.len(), 1);
}

//! Request bodies as Entra ID sends them (Microsoft's "Develop a SCIM endpoint" samples and
//! the `aadOptscim062020` variants), replayed through the parsers and appliers.

use gatehouse_scim::filter::EqualityAttribute;
use gatehouse_scim::{
    ListQuery, ListResponse, PatchRequest, ResourceKind, ScimGroup, ScimUser, apply_group_patch,
    apply_user_patch, matches_user,
};
use serde_json::json;

fn entra_user() -> ScimUser {
    ScimUser::parse(
        br#"{
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
        "active": true,
        "emails": [{
            "primary": true,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
        }],
        "meta": {
            "resourceType": "User"
        },
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName"
        },
        "roles": []
    }"#,
    )
    .unwrap()
}

fn patch(body: serde_json::Value) -> PatchRequest {
    PatchRequest::from_json(body).unwrap()
}

#[test]
fn create_user_documented_body() {
    let user = entra_user();
    assert_eq!(
        user.user_name,
        "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"
    );
    assert_eq!(
        user.external_id.as_deref(),
        Some("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")
    );
    assert_eq!(user.active, Some(true));
    assert_eq!(
        user.primary_email(),
        Some("Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com")
    );
    assert_eq!(
        user.name.as_ref().and_then(|n| n.given_name.as_deref()),
        Some("givenName")
    );
    // The client's `meta` is readOnly and ignored; the server sets it.
    assert_eq!(user.meta, None);
    assert_eq!(user.id, None);
}

#[test]
fn create_user_with_enterprise_extension_and_string_booleans() {
    let user = ScimUser::from_json(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": "adele@contoso.com",
        "active": "True",
        "displayName": "Adele Vance",
        "title": "Retail Manager",
        "phoneNumbers": [{"type": "mobile", "value": "+1 425 555 0109"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "department": "Retail",
            "manager": {"value": "26118915-6090-4022-b7f0-4d6e7eea2e8b"},
            "costCenter": "4130"
        }
    }))
    .unwrap();
    assert_eq!(user.active, Some(true));
    let ent = user.enterprise.as_ref().unwrap();
    assert_eq!(ent.employee_number.as_deref(), Some("701984"));
    assert_eq!(
        ent.manager.as_ref().and_then(|m| m.value.as_deref()),
        Some("26118915-6090-4022-b7f0-4d6e7eea2e8b")
    );
    let out = serde_json::to_value(&user).unwrap();
    assert_eq!(
        out["schemas"],
        json!([
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ])
    );
    assert_eq!(
        out["phoneNumbers"],
        json!([{"value": "+1 425 555 0109", "type": "mobile"}])
    );
    // costCenter is accepted but not stored, so it is not echoed.
    assert_eq!(
        out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"employeeNumber": "701984", "department": "Retail",
               "manager": {"value": "26118915-6090-4022-b7f0-4d6e7eea2e8b"}})
    );
}

#[test]
fn filter_by_user_name_is_pushed_down() {
    let q = ListQuery::from_query([
        (
            "filter",
            r#"userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081""#,
        ),
        ("aadOptscim062020", ""),
    ])
    .unwrap();
    let eq = q.filter.as_ref().unwrap().as_simple_equality().unwrap();
    assert_eq!(eq.len(), 1);
    assert_eq!(eq[0].attribute, EqualityAttribute::UserName);
    assert_eq!(
        eq[0].value,
        "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"
    );
    assert!(!eq[0].attribute.case_exact());
}

#[test]
fn test_connection_filter_on_random_guid_yields_empty_list() {
    let q = ListQuery::from_query([(
        "filter",
        r#"userName eq "7c2f1c3e-6b0a-4f5e-9e37-6d1b2c3a4f50""#,
    )])
    .unwrap();
    let users = vec![entra_user()];
    let hits: Vec<ScimUser> = users
        .into_iter()
        .filter(|u| matches_user(u, q.filter.as_ref().unwrap()))
        .collect();
    let body = serde_json::to_value(ListResponse::paginate(hits, &q)).unwrap();
    assert_eq!(
        body,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0,
            "startIndex": 1,
            "itemsPerPage": 0,
            "Resources": []
        })
    );
}

#[test]
fn patch_active_false_with_capitalised_op_and_string_value() {
    let mut user = entra_user();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    assert_eq!(user.active, Some(false));
}

#[test]
fn patch_disable_user_documented_body() {
    let mut user = entra_user();
    let req = patch(json!({
        "Operations": [{"op": "Replace", "path": "active", "value": false}],
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    assert_eq!(user.active, Some(false));
}

#[test]
fn patch_multi_valued_properties_documented_body() {
    let mut user = entra_user();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
        ]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    assert_eq!(user.emails.len(), 1);
    assert_eq!(user.emails[0].value, "updatedEmail@microsoft.com");
    assert_eq!(user.emails[0].primary, Some(true));
    let name = user.name.unwrap();
    assert_eq!(name.family_name.as_deref(), Some("updatedFamilyName"));
    assert_eq!(name.given_name.as_deref(), Some("givenName"));
}

#[test]
fn patch_user_name_documented_body() {
    let mut user = entra_user();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "userName", "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    assert_eq!(
        user.user_name,
        "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    );
}

#[test]
fn pathless_replace_with_dotted_filtered_and_urn_keys() {
    let mut user = entra_user();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{
            "op": "replace",
            "value": {
                "displayName": "Pvlo",
                "emails[type eq \"work\"].value": "TestBcwqnm@test.microsoft.com",
                "name.givenName": "Gtfd",
                "name.familyName": "Pkqf",
                "externalId": "Eqpj",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Eqpj"
            }
        }]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    assert_eq!(user.display_name.as_deref(), Some("Pvlo"));
    assert_eq!(user.primary_email(), Some("TestBcwqnm@test.microsoft.com"));
    let name = user.name.clone().unwrap();
    assert_eq!(
        (name.given_name.as_deref(), name.family_name.as_deref()),
        (Some("Gtfd"), Some("Pkqf"))
    );
    assert_eq!(name.formatted.as_deref(), Some("givenName familyName"));
    assert_eq!(user.external_id.as_deref(), Some("Eqpj"));
    assert_eq!(
        user.enterprise.unwrap().employee_number.as_deref(),
        Some("Eqpj")
    );
}

#[test]
fn add_work_email_via_filter_path_creates_the_value() {
    let mut user = ScimUser::from_json(json!({"userName": "a@contoso.com"})).unwrap();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "a@contoso.com"},
            {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 20 7946 0000"}
        ]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    let out = serde_json::to_value(&user).unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "a@contoso.com", "type": "work"}])
    );
    assert_eq!(
        out["phoneNumbers"],
        json!([{"value": "+44 20 7946 0000", "type": "mobile"}])
    );
}

#[test]
fn manager_sent_as_bare_id() {
    let mut user = entra_user();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{
            "op": "Add",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "value": "26118915-6090-4022-b7f0-4d6e7eea2e8b"
        }]
    }));
    apply_user_patch(&mut user, &req).unwrap();
    let manager = user.enterprise.as_ref().unwrap().manager.as_ref().unwrap();
    assert_eq!(
        manager.value.as_deref(),
        Some("26118915-6090-4022-b7f0-4d6e7eea2e8b")
    );

    let remove = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]
    }));
    apply_user_patch(&mut user, &remove).unwrap();
    assert_eq!(user.enterprise, None);
    assert_eq!(
        serde_json::to_value(&user).unwrap()["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

fn entra_group() -> ScimGroup {
    ScimGroup::parse(
        br#"{
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "meta": {
            "resourceType": "Group"
        }
    }"#,
    )
    .unwrap()
}

#[test]
fn create_group_documented_body() {
    let group = entra_group();
    assert_eq!(group.display_name, "displayName");
    assert_eq!(
        group.external_id.as_deref(),
        Some("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159")
    );
    assert!(group.members.is_empty());
}

#[test]
fn group_lookup_query_excludes_members() {
    let q = ListQuery::from_query([
        ("excludedAttributes", "members"),
        ("filter", r#"displayName eq "Group1DisplayName""#),
    ])
    .unwrap();
    let eq = q.filter.as_ref().unwrap().as_simple_equality().unwrap();
    assert_eq!(eq[0].attribute, EqualityAttribute::DisplayName);
    let mut group = entra_group();
    group.id = Some("g1".into());
    group.members = vec![gatehouse_scim::GroupMember {
        value: "u1".into(),
        ..Default::default()
    }];
    let out = q
        .projection
        .apply(ResourceKind::Group, serde_json::to_value(&group).unwrap());
    assert_eq!(
        out,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "g1",
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName"
        })
    );
}

#[test]
fn add_then_remove_member_documented_bodies() {
    let mut group = entra_group();
    let add = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]
    }));
    let changes = apply_group_patch(&mut group, &add).unwrap();
    assert_eq!(changes.added, vec!["f648f8d5ea4e4cd38e9c".to_owned()]);
    assert!(changes.removed.is_empty());
    assert_eq!(group.member_ids(), vec!["f648f8d5ea4e4cd38e9c"]);

    let remove = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]}]
    }));
    let changes = apply_group_patch(&mut group, &remove).unwrap();
    assert_eq!(changes.removed, vec!["f648f8d5ea4e4cd38e9c".to_owned()]);
    assert!(changes.added.is_empty());
    assert!(group.members.is_empty());
}

#[test]
fn remove_member_with_value_filter_path() {
    let mut group = entra_group();
    group.members = ["u1", "u2", "u3"]
        .iter()
        .map(|v| gatehouse_scim::GroupMember {
            value: (*v).into(),
            ..Default::default()
        })
        .collect();
    let remove = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": "members[value eq \"u2\"]"}]
    }));
    let changes = apply_group_patch(&mut group, &remove).unwrap();
    assert_eq!(changes.removed, vec!["u2".to_owned()]);
    assert_eq!(group.member_ids(), vec!["u1", "u3"]);
}

#[test]
fn replace_group_display_name_documented_body() {
    let mut group = entra_group();
    let req = patch(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]
    }));
    assert!(!req.mentions_attribute("members"));
    let changes = apply_group_patch(&mut group, &req).unwrap();
    assert!(changes.is_empty());
    assert_eq!(
        group.display_name,
        "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    );
}

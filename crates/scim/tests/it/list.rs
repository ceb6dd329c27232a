//! List queries: parameters, paging and attribute projection.

use gatehouse_scim::{ListQuery, ListResponse, MAX_RESULTS, Projection, ResourceKind, ScimType};
use serde_json::{Value, json};

#[test]
fn unknown_parameters_are_ignored_and_names_case_insensitive() {
    let q = ListQuery::from_query([
        ("aadOptscim062020", ""),
        ("sortBy", "userName"),
        ("StartIndex", "3"),
        ("Count", "10"),
        ("FILTER", r#"userName eq "x""#),
    ])
    .unwrap();
    assert_eq!((q.start_index, q.count, q.offset()), (3, 10, 2));
    assert!(q.filter.is_some());
}

#[test]
fn empty_filter_means_no_filter_and_bad_filter_is_invalid_filter() {
    assert_eq!(
        ListQuery::from_query([("filter", "  ")]).unwrap().filter,
        None
    );
    let err = ListQuery::from_query([("filter", "userName eq")]).unwrap_err();
    assert_eq!(
        (err.status, err.scim_type),
        (400, Some(ScimType::InvalidFilter))
    );
}

#[test]
fn paginate_in_memory() {
    let q = ListQuery::from_query([("startIndex", "2"), ("count", "2")]).unwrap();
    let page = ListResponse::paginate(vec![1, 2, 3, 4, 5], &q);
    assert_eq!(
        page,
        ListResponse {
            total_results: 5,
            start_index: 2,
            items_per_page: 2,
            resources: vec![2, 3]
        }
    );
    let q = ListQuery::from_query([("startIndex", "9")]).unwrap();
    let page = ListResponse::paginate(vec![1, 2], &q);
    assert_eq!(
        (
            page.total_results,
            page.items_per_page,
            page.resources.len()
        ),
        (2, 0, 0)
    );
    let q = ListQuery::from_query([("count", "0")]).unwrap();
    let page = ListResponse::paginate(vec![1, 2], &q);
    assert_eq!(
        serde_json::to_value(page).unwrap(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 2, "startIndex": 1, "itemsPerPage": 0, "Resources": []
        })
    );
    assert_eq!(ListQuery::default().count, MAX_RESULTS);
}

fn user_json() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "u1",
        "userName": "a@x.io",
        "displayName": "A",
        "name": {"givenName": "A", "familyName": "X"},
        "emails": [{"value": "a@x.io", "type": "work", "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D", "employeeNumber": "7"},
        "meta": {"resourceType": "User", "location": "https://h/Users/u1"}
    })
}

fn project(params: &[(&str, &str)]) -> Value {
    Projection::from_query(params.iter().copied())
        .unwrap()
        .apply(ResourceKind::User, user_json())
}

#[test]
fn attributes_keeps_requested_and_always_returned() {
    assert_eq!(
        project(&[("attributes", "userName,name.givenName,emails.value")]),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "u1",
            "userName": "a@x.io",
            "name": {"givenName": "A"},
            "emails": [{"value": "a@x.io"}],
            "meta": {"resourceType": "User", "location": "https://h/Users/u1"}
        })
    );
}

#[test]
fn attributes_with_extension_paths() {
    let v = project(&[(
        "attributes",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    )]);
    assert_eq!(
        v["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"department": "D"})
    );
    assert_eq!(v.get("userName"), None);
    let v = project(&[(
        "attributes",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    )]);
    assert_eq!(
        v["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"department": "D", "employeeNumber": "7"})
    );
    let v = project(&[("attributes", "USERNAME")]);
    assert_eq!(v["userName"], "a@x.io");
}

#[test]
fn excluded_attributes_never_drop_id_schemas_or_meta() {
    let v = project(&[(
        "excludedAttributes",
        "emails,name.familyName,id,meta,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    )]);
    assert_eq!(
        v,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "u1",
            "userName": "a@x.io",
            "displayName": "A",
            "name": {"givenName": "A"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D"},
            "meta": {"resourceType": "User", "location": "https://h/Users/u1"}
        })
    );
}

#[test]
fn bad_attribute_list_is_invalid_value() {
    let err =
        Projection::from_query([("attributes", "userName,emails[type eq \"work\"]")]).unwrap_err();
    assert_eq!(
        err.detail,
        "'emails[type eq \"work\"]' in 'attributes' is not an attribute path"
    );
    assert_eq!(err.scim_type, Some(ScimType::InvalidValue));
}

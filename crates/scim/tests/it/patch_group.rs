//! PATCH on groups: membership changes in every form Entra and RFC 7644 use.

use gatehouse_scim::{
    GroupMember, GroupMemberChanges, PatchRequest, ScimError, ScimGroup, apply_group_patch,
};
use serde_json::{Value, json};

fn group(members: &[&str]) -> ScimGroup {
    ScimGroup {
        id: Some("g-1".into()),
        display_name: "Tour Guides".into(),
        members: members
            .iter()
            .map(|m| GroupMember {
                value: (*m).into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn apply(g: &mut ScimGroup, operations: Value) -> Result<GroupMemberChanges, ScimError> {
    let req = PatchRequest::from_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}))
        .unwrap();
    apply_group_patch(g, &req)
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn add_several_members_skips_existing_ones() {
    let mut g = group(&["a"]);
    let changes = apply(&mut g, json!([{"op": "Add", "path": "members", "value": [{"value": "a"}, {"value": "b"}, {"value": "c"}]}])).unwrap();
    assert_eq!(
        changes,
        GroupMemberChanges {
            added: ids(&["b", "c"]),
            removed: vec![]
        }
    );
    assert_eq!(g.member_ids(), vec!["a", "b", "c"]);
}

#[test]
fn replace_members_reports_both_directions() {
    let mut g = group(&["a", "b"]);
    let changes = apply(
        &mut g,
        json!([{"op": "replace", "path": "members", "value": [{"value": "b"}, {"value": "c"}]}]),
    )
    .unwrap();
    assert_eq!(
        changes,
        GroupMemberChanges {
            added: ids(&["c"]),
            removed: ids(&["a"])
        }
    );
}

#[test]
fn remove_all_members() {
    let mut g = group(&["a", "b"]);
    let changes = apply(&mut g, json!([{"op": "remove", "path": "members"}])).unwrap();
    assert_eq!(
        changes,
        GroupMemberChanges {
            added: vec![],
            removed: ids(&["a", "b"])
        }
    );
    assert!(g.members.is_empty());
}

#[test]
fn remove_by_filter_with_or() {
    let mut g = group(&["a", "b", "c"]);
    let changes = apply(
        &mut g,
        json!([{"op": "remove", "path": "members[value eq \"a\" or value eq \"c\"]"}]),
    )
    .unwrap();
    assert_eq!(changes.removed, ids(&["a", "c"]));
    assert_eq!(g.member_ids(), vec!["b"]);
}

#[test]
fn remove_unknown_member_is_a_no_op() {
    let mut g = group(&["a"]);
    let changes = apply(
        &mut g,
        json!([{"op": "Remove", "path": "members", "value": [{"value": "zzz"}]}]),
    )
    .unwrap();
    assert!(changes.is_empty());
    let changes = apply(
        &mut g,
        json!([{"op": "remove", "path": "members[value eq \"zzz\"]"}]),
    )
    .unwrap();
    assert!(changes.is_empty());
    assert_eq!(g.member_ids(), vec!["a"]);
}

#[test]
fn add_then_remove_in_one_request_nets_out() {
    let mut g = group(&["a"]);
    let changes = apply(
        &mut g,
        json!([
            {"op": "add", "path": "members", "value": [{"value": "b"}]},
            {"op": "remove", "path": "members[value eq \"b\"]"},
            {"op": "replace", "path": "displayName", "value": "Renamed"}
        ]),
    )
    .unwrap();
    assert!(changes.is_empty());
    assert_eq!(g.display_name, "Renamed");
}

#[test]
fn pathless_replace_of_display_name_and_members() {
    let mut g = group(&["a"]);
    let changes = apply(
        &mut g,
        json!([{"op": "replace", "value": {"displayName": "New", "members": [{"value": "z"}]}}]),
    )
    .unwrap();
    assert_eq!(
        changes,
        GroupMemberChanges {
            added: ids(&["z"]),
            removed: ids(&["a"])
        }
    );
    assert_eq!(g.display_name, "New");
}

#[test]
fn member_without_value_and_read_only_display_are_refused_atomically() {
    let mut g = group(&["a"]);
    let before = g.clone();
    let err = apply(
        &mut g,
        json!([
            {"op": "add", "path": "members", "value": [{"value": "b"}]},
            {"op": "add", "path": "members", "value": [{"display": "no id"}]}
        ]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("invalid Group: missing field `value`")
    );
    assert_eq!(g, before);
    let err = apply(
        &mut g,
        json!([{"op": "replace", "path": "members[value eq \"a\"].display", "value": "x"}]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ScimError::mutability("attribute 'members.display' is readOnly")
    );
    let err = apply(&mut g, json!([{"op": "remove", "path": "displayName"}])).unwrap_err();
    assert_eq!(
        err,
        ScimError::invalid_value("invalid Group: missing field `displayName`")
    );
    assert_eq!(g, before);
}

#[test]
fn mentions_attribute_lets_the_server_skip_loading_members() {
    let req = |ops: Value| {
        PatchRequest::from_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})).unwrap()
    };
    assert!(
        req(json!([{"op": "remove", "path": "members[value eq \"a\"]"}]))
            .mentions_attribute("members")
    );
    assert!(
        req(json!([{"op": "replace", "value": {"Members": []}}])).mentions_attribute("members")
    );
    assert!(
        !req(json!([{"op": "replace", "value": {"displayName": "x"}}]))
            .mentions_attribute("members")
    );
}

#[test]
fn large_member_batches_are_diffed_exactly() {
    let mut g = group(&["u0", "u1"]);
    let members: Vec<Value> = (0..5000)
        .map(|i| json!({"value": format!("u{i}")}))
        .collect();
    let changes = apply(
        &mut g,
        json!([{"op": "add", "path": "members", "value": members}]),
    )
    .unwrap();
    assert_eq!(changes.added.len(), 4998);
    assert_eq!(changes.added.first().map(String::as_str), Some("u2"));
    assert_eq!(g.members.len(), 5000);
}

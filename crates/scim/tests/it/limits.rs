//! Every bound of `gatehouse_scim::limits`, hit exactly: at the limit the request passes, one
//! over it is a 400 with the `scimType` and a detail naming the bound. Plus the inputs that
//! used to overflow the stack (50,000 nested parentheses) answered as errors.

use gatehouse_scim::filter::parse_patch_path;
use gatehouse_scim::limits::{
    MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, MAX_FILTER_LEN, MAX_JSON_DEPTH, MAX_PATCH_OPERATIONS,
    MAX_PATCH_VALUES, MAX_PATH_LEN, MAX_PROJECTION_PATHS,
};
use gatehouse_scim::{
    ListQuery, PatchRequest, Projection, ResourceKind, ScimError, ScimType, ScimUser, matches,
    parse_filter,
};
use serde_json::json;

fn nested_parens(depth: usize) -> String {
    format!(
        "{}userName eq \"a\"{}",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

fn nested_nots(depth: usize) -> String {
    format!("{}userName pr{}", "not (".repeat(depth), ")".repeat(depth))
}

fn assert_refused(result: Result<impl std::fmt::Debug, ScimError>, kind: ScimType, says: &str) {
    let err = result.expect_err("expected a refusal");
    assert_eq!(err.status, 400, "{err:?}");
    assert_eq!(err.scim_type, Some(kind), "{err:?}");
    assert!(
        err.detail.contains(says),
        "{:?} should say {says:?}",
        err.detail
    );
}

#[test]
fn filter_parentheses_nest_up_to_the_depth_limit() {
    let at = parse_filter(&nested_parens(MAX_FILTER_DEPTH)).unwrap();
    assert!(matches(&json!({"userName": "a"}), ResourceKind::User, &at));
    assert_refused(
        parse_filter(&nested_parens(MAX_FILTER_DEPTH + 1)),
        ScimType::InvalidFilter,
        "the filter nests deeper than 32 levels",
    );
}

#[test]
fn filter_not_nests_up_to_the_depth_limit() {
    parse_filter(&nested_nots(MAX_FILTER_DEPTH)).unwrap();
    assert_refused(
        parse_filter(&nested_nots(MAX_FILTER_DEPTH + 1)),
        ScimType::InvalidFilter,
        "nests deeper than 32 levels",
    );
}

#[test]
fn value_filter_counts_as_a_level() {
    let inner = |depth: usize| {
        format!(
            "emails[{}type eq \"work\"{}]",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    };
    parse_filter(&inner(MAX_FILTER_DEPTH - 1)).unwrap();
    assert_refused(
        parse_filter(&inner(MAX_FILTER_DEPTH)),
        ScimType::InvalidFilter,
        "nests deeper than 32 levels",
    );
}

#[test]
fn fifty_thousand_parentheses_are_an_error_not_a_crash() {
    for filter in [
        "(".repeat(50_000),
        nested_parens(50_000),
        nested_nots(50_000),
        format!("emails[{}", "(".repeat(50_000)),
    ] {
        // Longer than the length limit: refused before parsing.
        assert_refused(
            parse_filter(&filter),
            ScimType::InvalidFilter,
            "longer than",
        );
    }
    // Within the length limit, the depth limit answers.
    assert_refused(
        parse_filter(&"(".repeat(MAX_FILTER_LEN)),
        ScimType::InvalidFilter,
        "nests deeper",
    );
}

#[test]
fn filter_length_limit_counts_characters() {
    let prefix = "userName eq \"";
    let fill = |total: usize| {
        let value = "é".repeat(total - prefix.len() - 1);
        format!("{prefix}{value}\"")
    };
    let at = fill(MAX_FILTER_LEN);
    assert_eq!(at.chars().count(), MAX_FILTER_LEN);
    parse_filter(&at).unwrap();
    assert_refused(
        parse_filter(&fill(MAX_FILTER_LEN + 1)),
        ScimType::InvalidFilter,
        "the filter is longer than 4096 characters",
    );
}

#[test]
fn filter_comparisons_are_bounded() {
    let chain = |n: usize| vec!["title pr"; n].join(" or ");
    parse_filter(&chain(MAX_FILTER_COMPARISONS)).unwrap();
    assert_refused(
        parse_filter(&chain(MAX_FILTER_COMPARISONS + 1)),
        ScimType::InvalidFilter,
        "the filter has more than 100 comparisons",
    );
}

#[test]
fn list_query_filter_is_bounded() {
    assert_refused(
        ListQuery::from_query([("filter", nested_parens(MAX_FILTER_DEPTH + 1))]),
        ScimType::InvalidFilter,
        "nests deeper",
    );
    let body = json!({"filter": nested_parens(50_000)}).to_string();
    assert_refused(
        ListQuery::from_search_request(body.as_bytes()),
        ScimType::InvalidFilter,
        "longer than",
    );
}

#[test]
fn patch_path_value_filter_depth_is_bounded() {
    let path = |depth: usize| {
        format!(
            "emails[{}type eq \"work\"{}].value",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    };
    parse_patch_path(&path(MAX_FILTER_DEPTH - 1)).unwrap();
    assert_refused(
        parse_patch_path(&path(MAX_FILTER_DEPTH)),
        ScimType::InvalidPath,
        "the path nests deeper than 32 levels",
    );
    let deep = format!("members[{}", "(".repeat(50_000));
    assert_refused(
        parse_patch_path(&deep),
        ScimType::InvalidPath,
        "longer than",
    );
}

#[test]
fn patch_path_length_is_bounded() {
    let path = |len: usize| {
        let prefix = "members[value eq \"";
        format!("{prefix}{}\"]", "x".repeat(len - prefix.len() - 2))
    };
    assert_eq!(path(MAX_PATH_LEN).chars().count(), MAX_PATH_LEN);
    parse_patch_path(&path(MAX_PATH_LEN)).unwrap();
    assert_refused(
        parse_patch_path(&path(MAX_PATH_LEN + 1)),
        ScimType::InvalidPath,
        "the path is longer than 1024 characters",
    );
}

fn patch_body(operations: Vec<serde_json::Value>) -> Vec<u8> {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": operations,
    })
    .to_string()
    .into_bytes()
}

#[test]
fn deep_patch_path_in_a_request_is_invalid_path() {
    let body = patch_body(vec![json!({
        "op": "remove",
        "path": format!("members[{}value eq \"x\"{}]", "(".repeat(300), ")".repeat(300)),
    })]);
    assert_refused(
        PatchRequest::parse(&body),
        ScimType::InvalidPath,
        "nests deeper",
    );
    // The keys of a path-less value are paths too.
    let key = format!(
        "emails[{}type eq \"work\"{}].value",
        "(".repeat(40),
        ")".repeat(40)
    );
    let body = patch_body(vec![
        json!({"op": "replace", "value": {key: "a@b.example"}}),
    ]);
    let patch = PatchRequest::parse(&body).unwrap();
    let mut user = ScimUser::parse(br#"{"userName": "bjensen"}"#).unwrap();
    assert_refused(
        gatehouse_scim::apply_user_patch(&mut user, &patch),
        ScimType::InvalidPath,
        "nests deeper",
    );
}

#[test]
fn patch_operations_are_bounded() {
    let op = json!({"op": "replace", "path": "title", "value": "x"});
    PatchRequest::parse(&patch_body(vec![op.clone(); MAX_PATCH_OPERATIONS])).unwrap();
    assert_refused(
        PatchRequest::parse(&patch_body(vec![op; MAX_PATCH_OPERATIONS + 1])),
        ScimType::InvalidValue,
        "at most 1000 are accepted",
    );
}

#[test]
fn patch_member_values_are_bounded() {
    let members = |n: usize| {
        (0..n)
            .map(|i| json!({"value": format!("m{i}")}))
            .collect::<Vec<_>>()
    };
    let with_path = |n: usize| {
        patch_body(vec![
            json!({"op": "add", "path": "members", "value": members(n)}),
        ])
    };
    PatchRequest::parse(&with_path(MAX_PATCH_VALUES)).unwrap();
    assert_refused(
        PatchRequest::parse(&with_path(MAX_PATCH_VALUES + 1)),
        ScimType::InvalidValue,
        "at most 10000 are accepted",
    );
    // Path-less, split over two operations.
    let half = MAX_PATCH_VALUES / 2;
    let pathless = |extra: usize| {
        patch_body(vec![
            json!({"op": "add", "value": {"members": members(half)}}),
            json!({"op": "add", "value": {"members": members(half + extra)}}),
        ])
    };
    PatchRequest::parse(&pathless(0)).unwrap();
    assert_refused(
        PatchRequest::parse(&pathless(1)),
        ScimType::InvalidValue,
        "at most 10000",
    );
}

#[test]
fn projection_lists_are_bounded() {
    let list = |n: usize| vec!["title"; n].join(",");
    Projection::from_query([("attributes", list(MAX_PROJECTION_PATHS))]).unwrap();
    assert_refused(
        Projection::from_query([("excludedAttributes", list(MAX_PROJECTION_PATHS + 1))]),
        ScimType::InvalidValue,
        "'excludedAttributes' lists more than 100 attribute paths",
    );
    let long = format!("urn:x:{}", "a".repeat(MAX_PATH_LEN));
    assert_refused(
        Projection::from_query([("attributes", long)]),
        ScimType::InvalidValue,
        "longer than 1024 characters",
    );
}

#[test]
fn json_bodies_nest_up_to_serde_json_limit() {
    // `value` is an operation's own field: the body object and `Operations` array and the
    // operation object take 3 levels, so `value` may nest MAX_JSON_DEPTH - 3 deep.
    let body = |depth: usize| {
        format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{{"op":"add","path":"title","value":{}1{}}}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    PatchRequest::parse(body(MAX_JSON_DEPTH - 3).as_bytes()).unwrap();
    assert_refused(
        PatchRequest::parse(body(MAX_JSON_DEPTH - 2).as_bytes()),
        ScimType::InvalidSyntax,
        "recursion limit exceeded",
    );
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    for parse in [
        |b: &[u8]| ScimUser::parse(b).map(drop),
        |b: &[u8]| PatchRequest::parse(b).map(drop),
        |b: &[u8]| ListQuery::from_search_request(b).map(drop),
        |b: &[u8]| gatehouse_scim::ScimGroup::parse(b).map(drop),
    ] {
        assert_refused(
            parse(deep.as_bytes()),
            ScimType::InvalidSyntax,
            "recursion limit",
        );
    }
}

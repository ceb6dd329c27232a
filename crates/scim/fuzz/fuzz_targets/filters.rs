//! SCIM filters, attribute and PATCH paths, list queries and PATCH documents: nothing a client
//! sends may panic or overflow the stack, however deep it nests. The input is structured so
//! that deep nesting is generated directly (`wrap` copies of an opener around the text)
//! instead of waiting for libFuzzer to type 50,000 parentheses.
#![no_main]

use gatehouse_scim::filter::parse_patch_path;
use gatehouse_scim::{
    ListQuery, PatchRequest, ResourceKind, ScimGroup, ScimUser, apply_group_patch,
    apply_user_patch, matches, parse_filter,
};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

#[derive(Debug, Arbitrary)]
enum Opener {
    Paren,
    Not,
    ValueFilter,
    JsonArray,
}

#[derive(Debug, Arbitrary)]
struct Input {
    /// How many times the opener (and its closer) wraps `text`, modulo [`MAX_WRAP`].
    wrap: u16,
    opener: Opener,
    close: bool,
    text: String,
}

/// Enough to cross the depth limit and the length limit with every opener, small enough to
/// keep thousands of runs a second (the 50,000-deep case is a regression test).
const MAX_WRAP: usize = 1500;

fn wrapped(input: &Input) -> String {
    let n = usize::from(input.wrap) % MAX_WRAP;
    let (open, close) = match input.opener {
        Opener::Paren => ("(", ")"),
        Opener::Not => ("not (", ")"),
        Opener::ValueFilter => ("emails[", "]"),
        Opener::JsonArray => ("[", "]"),
    };
    let mut s = open.repeat(n);
    s.push_str(&input.text);
    if input.close {
        s.push_str(&close.repeat(n));
    }
    s
}

fn user() -> ScimUser {
    ScimUser::parse(
        br#"{"userName":"bjensen@example.com","name":{"givenName":"Barbara"},"active":true,
            "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour"}}"#,
    )
    .expect("the sample user parses")
}

fn group() -> ScimGroup {
    ScimGroup::parse(br#"{"displayName":"Tour","members":[{"value":"u1"},{"value":"u2"}]}"#)
        .expect("the sample group parses")
}

fn run_filter(text: &str) {
    if let Ok(filter) = parse_filter(text) {
        let _ = filter.as_simple_equality();
        let resource = serde_json::to_value(user()).expect("the sample user serialises");
        let _ = matches(&resource, ResourceKind::User, &filter);
        let resource = serde_json::to_value(group()).expect("the sample group serialises");
        let _ = matches(&resource, ResourceKind::Group, &filter);
    }
}

fn run_patch(body: &[u8]) {
    if let Ok(patch) = PatchRequest::parse(body) {
        let _ = apply_user_patch(&mut user(), &patch);
        let _ = apply_group_patch(&mut group(), &patch);
    }
}

fuzz_target!(|input: Input| {
    let deep = wrapped(&input);
    for text in [input.text.as_str(), deep.as_str()] {
        run_filter(text);
        let _ = parse_patch_path(text);
        let _ = ListQuery::from_query([("filter", text), ("attributes", text), ("excludedAttributes", text)]);
        run_patch(text.as_bytes());
        // The text as a PATCH path, and as the key of a path-less value.
        let ops = json!([
            {"op": "remove", "path": text},
            {"op": "add", "path": text, "value": [{"value": "u3"}]},
            {"op": "replace", "value": {text: "x"}},
        ]);
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        run_patch(body.to_string().as_bytes());
        let search = json!({"filter": text, "attributes": [text]});
        let _ = ListQuery::from_search_request(search.to_string().as_bytes());
    }
});

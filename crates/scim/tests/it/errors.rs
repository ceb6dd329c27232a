//! The SCIM Error response for every status the server uses.

use gatehouse_scim::{ScimError, ScimType};
use serde_json::json;

#[test]
fn constructors_map_to_status_and_keyword() {
    let cases = [
        (ScimError::invalid_filter("f"), 400, Some("invalidFilter")),
        (ScimError::invalid_syntax("s"), 400, Some("invalidSyntax")),
        (ScimError::invalid_value("v"), 400, Some("invalidValue")),
        (ScimError::invalid_path("p"), 400, Some("invalidPath")),
        (ScimError::no_target("t"), 400, Some("noTarget")),
        (ScimError::mutability("m"), 400, Some("mutability")),
        (ScimError::unauthorized(), 401, None),
        (ScimError::not_found("User 1"), 404, None),
        (ScimError::method_not_allowed(), 405, None),
        (ScimError::uniqueness("u"), 409, Some("uniqueness")),
        (ScimError::precondition_failed(), 412, None),
        (ScimError::payload_too_large(1024), 413, None),
        (ScimError::internal("c0ffee"), 500, None),
        (ScimError::not_implemented("bulk"), 501, None),
    ];
    for (err, status, keyword) in cases {
        assert_eq!(err.status, status);
        assert_eq!(err.scim_type.map(ScimType::as_str), keyword);
        let body = serde_json::to_value(&err).unwrap();
        assert_eq!(
            body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert_eq!(body["status"], json!(status.to_string()));
        assert_eq!(body.get("scimType").and_then(|v| v.as_str()), keyword);
    }
}

#[test]
fn internal_error_detail_is_generic() {
    let body = serde_json::to_value(ScimError::internal("req-7")).unwrap();
    assert_eq!(
        body["detail"],
        "internal server error (correlation id req-7)"
    );
    assert_eq!(
        ScimError::payload_too_large(1024).detail,
        "request body is larger than 1024 bytes"
    );
    assert_eq!(
        ScimError::not_found("User 42").to_string(),
        "404: User 42 not found"
    );
    assert_eq!(
        ScimError::uniqueness("dup").to_string(),
        "409 uniqueness: dup"
    );
}

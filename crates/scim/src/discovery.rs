//! The discovery documents (RFC 7644 §4, RFC 7643 §5–7): `/ServiceProviderConfig`,
//! `/ResourceTypes`, `/Schemas`. They describe exactly what this crate implements, and the
//! schemas are generated from the same attribute table that validates requests.

use serde_json::{Value, json};

use crate::list::MAX_RESULTS;
use crate::schema::{ResourceKind, all_schemas};

pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/// The largest request body the server should accept; beyond it, answer
/// [`crate::ScimError::payload_too_large`] (413). Not advertised: it only has a slot under
/// `bulk`, which is off.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `GET /ServiceProviderConfig`. `base_url` is the tenant's SCIM base, e.g.
/// `https://gatehouse.example/scim/v2/contoso`.
pub fn service_provider_config(base_url: &str) -> Value {
    let base_url = base_url.trim_end_matches('/');
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with the tenant's SCIM secret token as a bearer token",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base_url}/ServiceProviderConfig")
        }
    })
}

fn resource_type_doc(base_url: &str, kind: ResourceKind) -> Value {
    let extensions: Vec<Value> = kind
        .extensions()
        .iter()
        .map(|ext| json!({"schema": ext.id, "required": false}))
        .collect();
    let mut doc = json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": kind.name(),
        "name": kind.name(),
        "endpoint": kind.endpoint(),
        "description": kind.core().description,
        "schema": kind.core().id,
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{base_url}/ResourceTypes/{}", kind.name())
        }
    });
    if !extensions.is_empty() {
        doc["schemaExtensions"] = extensions.into();
    }
    doc
}

/// `GET /ResourceTypes` (wrap in a [`crate::ListResponse`]).
pub fn resource_types(base_url: &str) -> Vec<Value> {
    let base_url = base_url.trim_end_matches('/');
    [ResourceKind::User, ResourceKind::Group]
        .into_iter()
        .map(|k| resource_type_doc(base_url, k))
        .collect()
}

/// `GET /ResourceTypes/{id}`; `None` → 404.
pub fn resource_type(base_url: &str, id: &str) -> Option<Value> {
    let base_url = base_url.trim_end_matches('/');
    [ResourceKind::User, ResourceKind::Group]
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(id))
        .map(|k| resource_type_doc(base_url, k))
}

/// `GET /Schemas` (wrap in a [`crate::ListResponse`]).
pub fn schemas(base_url: &str) -> Vec<Value> {
    let base_url = base_url.trim_end_matches('/');
    all_schemas().iter().map(|s| s.to_json(base_url)).collect()
}

/// `GET /Schemas/{id}` where `id` is the schema URN; `None` → 404.
pub fn schema(base_url: &str, id: &str) -> Option<Value> {
    let base_url = base_url.trim_end_matches('/');
    all_schemas()
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .map(|s| s.to_json(base_url))
}

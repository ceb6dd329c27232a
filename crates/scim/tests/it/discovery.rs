//! The discovery documents and their consistency with what the parsers accept.

use gatehouse_scim::discovery::{
    resource_type, resource_types, schema, schemas, service_provider_config,
};
use gatehouse_scim::{ListResponse, MAX_RESULTS, ScimGroup, ScimUser};
use serde_json::{Value, json};

const BASE: &str = "https://gh.example/scim/v2/contoso";

#[test]
fn service_provider_config_advertises_what_is_implemented() {
    let spc = service_provider_config(BASE);
    assert_eq!(
        spc["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    assert_eq!(spc["patch"], json!({"supported": true}));
    assert_eq!(spc["bulk"]["supported"], false);
    assert_eq!(
        spc["filter"],
        json!({"supported": true, "maxResults": MAX_RESULTS})
    );
    assert_eq!(spc["changePassword"]["supported"], false);
    assert_eq!(spc["sort"]["supported"], false);
    assert_eq!(spc["etag"]["supported"], false);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    assert_eq!(
        spc["meta"]["location"],
        format!("{BASE}/ServiceProviderConfig")
    );
}

#[test]
fn resource_types_list_user_with_enterprise_extension_and_group() {
    let types = resource_types(&format!("{BASE}/"));
    assert_eq!(types.len(), 2);
    assert_eq!(types[0]["id"], "User");
    assert_eq!(types[0]["endpoint"], "/Users");
    assert_eq!(
        types[0]["schema"],
        "urn:ietf:params:scim:schemas:core:2.0:User"
    );
    assert_eq!(
        types[0]["schemaExtensions"],
        json!([{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}])
    );
    assert_eq!(
        types[0]["meta"]["location"],
        format!("{BASE}/ResourceTypes/User")
    );
    assert_eq!(types[1]["id"], "Group");
    assert_eq!(types[1].get("schemaExtensions"), None);
    assert_eq!(resource_type(BASE, "group").unwrap()["endpoint"], "/Groups");
    assert_eq!(resource_type(BASE, "Device"), None);
    let list = serde_json::to_value(ListResponse::new(types, 2, 1)).unwrap();
    assert_eq!(list["totalResults"], 2);
}

fn attr<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap()
}

#[test]
fn schemas_describe_the_attributes_the_parsers_accept() {
    let all = schemas(BASE);
    let ids: Vec<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:Group"
        ]
    );
    let user = schema(BASE, "urn:ietf:params:scim:schemas:core:2.0:User").unwrap();
    assert_eq!(
        attr(&user, "userName"),
        &json!({
            "name": "userName", "type": "string", "multiValued": false,
            "description": "Unique identifier of the user, also their federation ID.",
            "required": true, "caseExact": false, "mutability": "readWrite",
            "returned": "default", "uniqueness": "server"
        })
    );
    let emails = attr(&user, "emails");
    assert_eq!(emails["multiValued"], true);
    let subs: Vec<&str> = emails["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(subs, vec!["value", "type", "primary"]);
    let group = schema(BASE, "urn:ietf:params:scim:schemas:core:2.0:Group").unwrap();
    let member_ref = &attr(&group, "members")["subAttributes"][1];
    assert_eq!(member_ref["name"], "$ref");
    assert_eq!(member_ref["referenceTypes"], json!(["User", "Group"]));
    assert_eq!(schema(BASE, "urn:example:nope"), None);

    // Every published attribute is accepted by the parser (and nothing else needs to be).
    let mut body = serde_json::Map::new();
    for a in user["attributes"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        body.insert(name.to_owned(), sample(a));
    }
    body.insert(
        "emails".into(),
        json!([{"value": "a@b.c", "type": "work", "primary": true}]),
    );
    ScimUser::from_json(Value::Object(body)).unwrap();
    let mut body = serde_json::Map::new();
    for a in group["attributes"].as_array().unwrap() {
        body.insert(a["name"].as_str().unwrap().to_owned(), sample(a));
    }
    ScimGroup::from_json(Value::Object(body)).unwrap();
}

fn sample(attr: &Value) -> Value {
    let single = match attr["type"].as_str().unwrap() {
        "boolean" => json!(true),
        "complex" => Value::Object(
            attr["subAttributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["name"].as_str().unwrap().to_owned(), sample(s)))
                .collect(),
        ),
        _ => json!("x"),
    };
    if attr["multiValued"] == true {
        json!([single])
    } else {
        single
    }
}

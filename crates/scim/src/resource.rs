//! The SCIM resources this service provider serves: `ScimUser` (core User + Enterprise User
//! extension) and `ScimGroup`. Parsing goes through `from_json`, which is lenient about what
//! Entra sends and then validates (errors name the field); serialisation is strict and always
//! computes `schemas` from the content.

use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::canonical::canonicalize_resource;
use crate::error::{Result, ScimError};
use crate::schema::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, ResourceKind, USER_SCHEMA};

/// `meta` (RFC 7643 §3.1), set by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Meta {
    /// Metadata of a stored resource: `location` is `<base_url>/Users/<id>` or `/Groups/<id>`.
    pub fn new(
        kind: ResourceKind,
        base_url: &str,
        id: &str,
        created: DateTime<Utc>,
        last_modified: DateTime<Utc>,
    ) -> Self {
        Meta {
            resource_type: kind.name().to_owned(),
            created: Some(created),
            last_modified: Some(last_modified),
            location: Some(resource_location(kind, base_url, id)),
            version: None,
        }
    }
}

/// The URI of a resource: `<base_url>/Users/<id>`; also what `$ref` of members and managers holds.
pub fn resource_location(kind: ResourceKind, base_url: &str, id: &str) -> String {
    format!("{}{}/{id}", base_url.trim_end_matches('/'), kind.endpoint())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
}

/// One value of `emails` or `phoneNumbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiValue {
    pub value: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// A reference to another resource (`manager`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// readOnly; leave it `None` on output for the same reason as [`GroupMember::display`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The Enterprise User extension (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

impl EnterpriseUser {
    fn is_empty(&self) -> bool {
        self.employee_number.is_none() && self.department.is_none() && self.manager.is_none()
    }
}

/// A SCIM User. Build request bodies into it with [`ScimUser::from_json`]; the derived
/// `Deserialize` trusts its input and is meant for data this crate produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimUser {
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub user_name: String,
    pub name: Option<Name>,
    pub display_name: Option<String>,
    pub title: Option<String>,
    /// `None` when the client did not say; a new user is active unless told otherwise.
    pub active: Option<bool>,
    #[serde(default)]
    pub emails: Vec<MultiValue>,
    #[serde(default)]
    pub phone_numbers: Vec<MultiValue>,
    #[serde(rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")]
    pub enterprise: Option<EnterpriseUser>,
    pub meta: Option<Meta>,
}

impl ScimUser {
    /// Parses and validates a POST/PUT body (bytes as received).
    pub fn parse(body: &[u8]) -> Result<Self> {
        Self::from_json(parse_json(body)?)
    }

    /// Validates a JSON body: case-insensitive names, Entra's string booleans, unknown
    /// attributes refused, `id`/`meta` ignored, then field checks.
    pub fn from_json(value: Value) -> Result<Self> {
        let canonical = canonicalize_resource(ResourceKind::User, value)?;
        let user: ScimUser = serde_json::from_value(Value::Object(canonical))
            .map_err(|e| ScimError::invalid_value(format!("invalid User: {e}")))?;
        user.validate()?;
        Ok(user)
    }

    /// The `schemas` this user serialises with.
    pub fn schemas(&self) -> Vec<&'static str> {
        let mut schemas = vec![USER_SCHEMA];
        if self.enterprise.as_ref().is_some_and(|e| !e.is_empty()) {
            schemas.push(ENTERPRISE_USER_SCHEMA);
        }
        schemas
    }

    /// The primary e-mail, else the first `work` one, else the first one.
    pub fn primary_email(&self) -> Option<&str> {
        pick_primary(&self.emails).map(|e| e.value.as_str())
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.user_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "'userName' is required and must not be empty",
            ));
        }
        for email in &self.emails {
            if !looks_like_email(&email.value) {
                return Err(ScimError::invalid_value(format!(
                    "'emails.value' \"{}\" is not an e-mail address",
                    email.value
                )));
            }
        }
        for phone in &self.phone_numbers {
            if phone.value.trim().is_empty() {
                return Err(ScimError::invalid_value(
                    "'phoneNumbers.value' must not be empty",
                ));
            }
        }
        check_single_primary("emails", &self.emails)?;
        check_single_primary("phoneNumbers", &self.phone_numbers)?;
        Ok(())
    }
}

impl Serialize for ScimUser {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schemas", &self.schemas())?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(external_id) = &self.external_id {
            map.serialize_entry("externalId", external_id)?;
        }
        map.serialize_entry("userName", &self.user_name)?;
        if let Some(name) = self.name.as_ref().filter(|n| **n != Name::default()) {
            map.serialize_entry("name", name)?;
        }
        if let Some(display_name) = &self.display_name {
            map.serialize_entry("displayName", display_name)?;
        }
        if let Some(title) = &self.title {
            map.serialize_entry("title", title)?;
        }
        if let Some(active) = self.active {
            map.serialize_entry("active", &active)?;
        }
        if !self.emails.is_empty() {
            map.serialize_entry("emails", &self.emails)?;
        }
        if !self.phone_numbers.is_empty() {
            map.serialize_entry("phoneNumbers", &self.phone_numbers)?;
        }
        if let Some(enterprise) = self.enterprise.as_ref().filter(|e| !e.is_empty()) {
            map.serialize_entry(ENTERPRISE_USER_SCHEMA, enterprise)?;
        }
        if let Some(meta) = &self.meta {
            map.serialize_entry("meta", meta)?;
        }
        map.end()
    }
}

/// A member of a group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The `id` of the member's User resource.
    pub value: String,
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// readOnly. Leave it `None` on output: compliance checkers write members and expect to
    /// read back exactly what they wrote, so a server-filled `display` fails them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// A SCIM Group. Build request bodies into it with [`ScimGroup::from_json`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimGroup {
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub display_name: String,
    #[serde(default)]
    pub members: Vec<GroupMember>,
    pub meta: Option<Meta>,
}

impl ScimGroup {
    /// Parses and validates a POST/PUT body (bytes as received).
    pub fn parse(body: &[u8]) -> Result<Self> {
        Self::from_json(parse_json(body)?)
    }

    pub fn from_json(value: Value) -> Result<Self> {
        let canonical = canonicalize_resource(ResourceKind::Group, value)?;
        let group: ScimGroup = serde_json::from_value(Value::Object(canonical))
            .map_err(|e| ScimError::invalid_value(format!("invalid Group: {e}")))?;
        group.validate()?;
        Ok(group)
    }

    /// The distinct member IDs, in order of first appearance.
    pub fn member_ids(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.members
            .iter()
            .map(|m| m.value.as_str())
            .filter(|v| seen.insert(*v))
            .collect()
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.display_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "'displayName' is required and must not be empty",
            ));
        }
        if self.members.iter().any(|m| m.value.trim().is_empty()) {
            return Err(ScimError::invalid_value(
                "'members.value' is required and must not be empty",
            ));
        }
        Ok(())
    }
}

impl Serialize for ScimGroup {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schemas", &[GROUP_SCHEMA])?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(external_id) = &self.external_id {
            map.serialize_entry("externalId", external_id)?;
        }
        map.serialize_entry("displayName", &self.display_name)?;
        if !self.members.is_empty() {
            map.serialize_entry("members", &self.members)?;
        }
        if let Some(meta) = &self.meta {
            map.serialize_entry("meta", meta)?;
        }
        map.end()
    }
}

/// Parses a request body as JSON; malformed JSON is a 400 `invalidSyntax` with serde's position.
pub fn parse_json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("malformed JSON: {e}")))
}

fn pick_primary(values: &[MultiValue]) -> Option<&MultiValue> {
    values
        .iter()
        .find(|v| v.primary == Some(true))
        .or_else(|| {
            values.iter().find(|v| {
                v.kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("work"))
            })
        })
        .or_else(|| values.first())
}

fn check_single_primary(attr: &str, values: &[MultiValue]) -> Result<()> {
    if values.iter().filter(|v| v.primary == Some(true)).count() > 1 {
        return Err(ScimError::invalid_value(format!(
            "at most one of '{attr}' may be primary"
        )));
    }
    Ok(())
}

/// A deliberately loose check (RFC 5321 local@domain, no spaces): refuse obvious garbage only.
fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check() {
        assert!(looks_like_email("a.b@contoso.com"));
        assert!(looks_like_email("x@localhost"));
        assert!(!looks_like_email("contoso.com"));
        assert!(!looks_like_email("@contoso.com"));
        assert!(!looks_like_email("a@"));
        assert!(!looks_like_email("a b@c.d"));
        assert!(!looks_like_email("a@c."));
    }

    #[test]
    fn primary_email_prefers_primary_then_work() {
        let mut user = ScimUser {
            user_name: "u".into(),
            ..Default::default()
        };
        user.emails = vec![
            MultiValue {
                value: "h@x.y".into(),
                kind: Some("home".into()),
                primary: None,
            },
            MultiValue {
                value: "w@x.y".into(),
                kind: Some("Work".into()),
                primary: None,
            },
        ];
        assert_eq!(user.primary_email(), Some("w@x.y"));
        user.emails[0].primary = Some(true);
        assert_eq!(user.primary_email(), Some("h@x.y"));
    }

    #[test]
    fn location_joins_without_double_slash() {
        assert_eq!(
            resource_location(ResourceKind::Group, "https://h/scim/v2/acme/", "g1"),
            "https://h/scim/v2/acme/Groups/g1"
        );
    }
}

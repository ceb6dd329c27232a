//! What an IdP provisions for a user: the SCIM attributes, their limits and checks, and
//! their mapping onto the user row and the `scim_user_attributes` row.

use crate::auth::principal::ScimScope;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::{scim_user_attributes as attrs, user};
use crate::validate;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};

/// Longest `userName` (it is also the federation ID).
pub(crate) const MAX_USER_NAME_LEN: usize = 256;

/// Longest other string attribute.
pub(crate) const MAX_TEXT_LEN: usize = 1024;

/// Most e-mails or phone numbers on one user.
pub(crate) const MAX_VALUES: usize = 50;

/// One value of `emails` or `phoneNumbers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactValue {
    pub value: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// The user's manager, as the IdP names them (an `id` and/or a `$ref`), kept as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManagerRef {
    pub value: Option<String>,
    pub reference: Option<String>,
}

/// What an IdP provisions for a user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserAttributes {
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub formatted_name: Option<String>,
    pub title: Option<String>,
    /// On input, `None` leaves the status as it is (a new user is active). On output, the
    /// status — unless the IdP never sent `active` or removed it: then `None`.
    pub active: Option<bool>,
    pub emails: Vec<ContactValue>,
    pub phone_numbers: Vec<ContactValue>,
    pub department: Option<String>,
    pub employee_number: Option<String>,
    pub manager: Option<ManagerRef>,
}

/// A (live) user as the SCIM endpoint shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionedUser {
    pub id: UserId,
    pub attributes: UserAttributes,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `userName` as the e-mail column holds it: trimmed, lower-cased in Rust (SQLite's lower()
/// is ASCII-only, so comparisons never happen in SQL).
pub(crate) fn user_name_key(user_name: &str) -> String {
    user_name.trim().to_lowercase()
}

/// The name the console shows: the SCIM display name, else the formatted or given and
/// family names, else the userName.
pub(crate) fn console_display_name(a: &UserAttributes) -> String {
    let joined = [a.given_name.as_deref(), a.family_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = [a.display_name.as_deref(), a.formatted_name.as_deref(), Some(joined.as_str())]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(a.user_name.trim());
    name.chars().filter(|c| !c.is_control()).take(validate::MAX_NAME_LEN).collect()
}

pub(crate) fn check_attributes(a: &UserAttributes) -> Result<()> {
    let mut errors = Vec::new();
    if let Err(e) = validate::required_text("userName", &a.user_name, MAX_USER_NAME_LEN) {
        errors.push(e);
    }
    let texts = [
        ("externalId", &a.external_id),
        ("displayName", &a.display_name),
        ("name.givenName", &a.given_name),
        ("name.familyName", &a.family_name),
        ("name.formatted", &a.formatted_name),
        ("title", &a.title),
        ("department", &a.department),
        ("employeeNumber", &a.employee_number),
    ];
    for (field, value) in texts {
        if value.as_deref().is_some_and(|v| v.chars().count() > MAX_TEXT_LEN) {
            errors.push(crate::FieldError::new(field, format!("must be at most {MAX_TEXT_LEN} characters")));
        }
    }
    for (field, values) in [("emails", &a.emails), ("phoneNumbers", &a.phone_numbers)] {
        if values.len() > MAX_VALUES {
            errors.push(crate::FieldError::new(field, format!("must have at most {MAX_VALUES} values")));
        }
        if values.iter().any(|v| v.value.chars().count() > MAX_TEXT_LEN) {
            errors.push(crate::FieldError::new(field, format!("values must be at most {MAX_TEXT_LEN} characters")));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
}

pub(crate) fn attributes_row(
    scope: &ScimScope,
    id: UserId,
    a: &UserAttributes,
    now: DateTime<Utc>,
) -> attrs::ActiveModel {
    let json = |values: &[ContactValue]| (!values.is_empty()).then(|| serde_json::to_value(values).unwrap_or_default());
    attrs::ActiveModel {
        user_id: Set(id.as_uuid()),
        tenant_id: Set(scope.tenant_id().as_uuid()),
        user_name: Set(a.user_name.clone()),
        external_id: Set(a.external_id.clone()),
        display_name: Set(a.display_name.clone()),
        given_name: Set(a.given_name.clone()),
        family_name: Set(a.family_name.clone()),
        formatted_name: Set(a.formatted_name.clone()),
        title: Set(a.title.clone()),
        active: Set(a.active),
        emails: Set(json(&a.emails)),
        phone_numbers: Set(json(&a.phone_numbers)),
        department: Set(a.department.clone()),
        employee_number: Set(a.employee_number.clone()),
        manager_value: Set(a.manager.as_ref().and_then(|m| m.value.clone())),
        manager_ref: Set(a.manager.as_ref().and_then(|m| m.reference.clone())),
        updated_at: Set(now),
    }
}

pub(crate) fn to_provisioned(row: user::Model, extra: Option<attrs::Model>) -> Result<ProvisionedUser> {
    let status = UserStatus::parse_stored(&row.status)?;
    let values = |v: Option<serde_json::Value>| -> Result<Vec<ContactValue>> {
        v.map(|v| serde_json::from_value(v).map_err(|e| Error::internal(format!("stored SCIM values unreadable: {e}"))))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let attributes = match extra {
        Some(a) => UserAttributes {
            // The console may have changed the e-mail since; the e-mail then wins.
            user_name: if user_name_key(&a.user_name) == row.email { a.user_name } else { row.email.clone() },
            external_id: a.external_id,
            display_name: a.display_name,
            given_name: a.given_name,
            family_name: a.family_name,
            formatted_name: a.formatted_name,
            title: a.title,
            active: a.active.map(|_| status == UserStatus::Active),
            emails: values(a.emails)?,
            phone_numbers: values(a.phone_numbers)?,
            department: a.department,
            employee_number: a.employee_number,
            manager: (a.manager_value.is_some() || a.manager_ref.is_some())
                .then_some(ManagerRef { value: a.manager_value, reference: a.manager_ref }),
        },
        None => UserAttributes {
            user_name: row.email.clone(),
            display_name: Some(row.display_name.clone()),
            active: Some(status == UserStatus::Active),
            ..UserAttributes::default()
        },
    };
    Ok(ProvisionedUser {
        id: row.id.into(),
        attributes,
        status,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

//! Mapping between SCIM resources (`gatehouse-scim`) and the store's types (`gatehouse-identity`).

use gatehouse_identity::{self as idn, Group, Lookup, LookupAttribute, ProvisionedUser, UserAttributes};
use gatehouse_scim::{
    EnterpriseUser, Equality, EqualityAttribute, GroupMember, Manager, Meta, MultiValue, Name, ResourceKind, ScimGroup,
    ScimUser, resource_location,
};
use serde::Serialize;
use serde_json::Value;

use super::response::Result;

pub(super) fn to_json(resource: &impl Serialize) -> Result<Value> {
    serde_json::to_value(resource).map_err(|e| idn::Error::Internal(Box::new(e)).into())
}

pub(super) fn lookups(terms: &[Equality]) -> Vec<Lookup> {
    terms
        .iter()
        .map(|t| Lookup {
            attribute: match t.attribute {
                EqualityAttribute::Id => LookupAttribute::Id,
                EqualityAttribute::UserName => LookupAttribute::UserName,
                EqualityAttribute::ExternalId => LookupAttribute::ExternalId,
                EqualityAttribute::DisplayName => LookupAttribute::DisplayName,
            },
            value: t.value.clone(),
        })
        .collect()
}

pub(super) fn attributes_of(u: ScimUser) -> UserAttributes {
    let values = |vs: Vec<MultiValue>| {
        vs.into_iter().map(|v| idn::ContactValue { value: v.value, kind: v.kind, primary: v.primary }).collect()
    };
    let name = u.name.unwrap_or_default();
    let enterprise = u.enterprise.unwrap_or_default();
    UserAttributes {
        user_name: u.user_name,
        external_id: u.external_id,
        display_name: u.display_name,
        given_name: name.given_name,
        family_name: name.family_name,
        formatted_name: name.formatted,
        title: u.title,
        active: u.active,
        emails: values(u.emails),
        phone_numbers: values(u.phone_numbers),
        department: enterprise.department,
        employee_number: enterprise.employee_number,
        // `displayName` of a manager is readOnly: not stored, never filled in.
        manager: enterprise
            .manager
            .filter(|m| m.value.is_some() || m.reference.is_some())
            .map(|m| idn::ManagerRef { value: m.value, reference: m.reference }),
    }
}

pub(super) fn scim_user(u: ProvisionedUser, base_url: &str) -> ScimUser {
    let a = u.attributes;
    let values = |vs: Vec<idn::ContactValue>| {
        vs.into_iter().map(|v| MultiValue { value: v.value, kind: v.kind, primary: v.primary }).collect()
    };
    let name = Name { formatted: a.formatted_name, family_name: a.family_name, given_name: a.given_name };
    let enterprise = EnterpriseUser {
        employee_number: a.employee_number,
        department: a.department,
        manager: a.manager.map(|m| Manager { value: m.value, reference: m.reference, display_name: None }),
    };
    let id = u.id.to_string();
    ScimUser {
        meta: Some(Meta::new(ResourceKind::User, base_url, &id, u.created_at, u.updated_at)),
        id: Some(id),
        external_id: a.external_id,
        user_name: a.user_name,
        name: Some(name),
        display_name: a.display_name,
        title: a.title,
        active: a.active,
        emails: values(a.emails),
        phone_numbers: values(a.phone_numbers),
        enterprise: Some(enterprise),
    }
}

pub(super) fn scim_group(g: Group, base_url: &str) -> ScimGroup {
    let id = g.id.to_string();
    let members = g
        .members
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let value = m.to_string();
            // readOnly `display` stays empty: clients read back exactly what they wrote.
            GroupMember {
                reference: Some(resource_location(ResourceKind::User, base_url, &value)),
                value,
                display: None,
            }
        })
        .collect();
    ScimGroup {
        meta: Some(Meta::new(ResourceKind::Group, base_url, &id, g.created_at, g.updated_at)),
        id: Some(id),
        external_id: g.external_id,
        display_name: g.display_name,
        members,
    }
}

//! The attribute definitions of the resources this service provider serves (RFC 7643 §2, §4,
//! §8.7). One table drives everything that needs to know an attribute's characteristics:
//! case-insensitive name resolution and type checks of request bodies, filter comparisons
//! (`caseExact`), PATCH path resolution (`mutability`), and the `/Schemas` documents.
//!
//! Only attributes the server stores are declared: compliance checkers write every declared
//! attribute and expect to read it back unchanged.

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrType {
    String,
    Boolean,
    DateTime,
    Reference,
    Complex,
}

impl AttrType {
    fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::DateTime => "dateTime",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
}

impl Mutability {
    fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
        }
    }
}

/// One attribute (or sub-attribute) definition.
#[derive(Debug)]
pub(crate) struct Attr {
    pub name: &'static str,
    pub ty: AttrType,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub always_returned: bool,
    pub unique: bool,
    pub canonical: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub sub: &'static [Attr],
    pub description: &'static str,
}

impl Attr {
    const fn new(name: &'static str, ty: AttrType, description: &'static str) -> Self {
        Attr {
            name,
            ty,
            multi: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            always_returned: false,
            unique: false,
            canonical: &[],
            reference_types: &[],
            sub: &[],
            description,
        }
    }
    const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::String, description)
    }
    const fn boolean(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::Boolean, description)
    }
    const fn reference(
        name: &'static str,
        types: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        let mut a = Self::new(name, AttrType::Reference, description);
        a.reference_types = types;
        a.case_exact = true;
        a
    }
    const fn complex(name: &'static str, sub: &'static [Attr], description: &'static str) -> Self {
        let mut a = Self::new(name, AttrType::Complex, description);
        a.sub = sub;
        a
    }
    const fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }
    const fn immutable(mut self) -> Self {
        self.mutability = Mutability::Immutable;
        self
    }
    const fn always(mut self) -> Self {
        self.always_returned = true;
        self
    }
    const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical = values;
        self
    }

    /// The sub-attribute named `name`, case-insensitively.
    pub fn sub_attr(&self, name: &str) -> Option<&'static Attr> {
        let sub: &'static [Attr] = self.sub;
        sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn is_complex(&self) -> bool {
        self.ty == AttrType::Complex
    }

    fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::json!({
            "name": self.name,
            "type": self.ty.as_str(),
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "mutability": self.mutability.as_str(),
            "returned": if self.always_returned { "always" } else { "default" },
        });
        if self.ty != AttrType::Complex && self.ty != AttrType::Boolean {
            out["caseExact"] = self.case_exact.into();
            out["uniqueness"] = if self.unique { "server" } else { "none" }.into();
        }
        if !self.canonical.is_empty() {
            out["canonicalValues"] = self.canonical.into();
        }
        if !self.reference_types.is_empty() {
            out["referenceTypes"] = self.reference_types.into();
        }
        if !self.sub.is_empty() {
            out["subAttributes"] = self
                .sub
                .iter()
                .map(Attr::to_json)
                .collect::<Vec<_>>()
                .into();
        }
        out
    }
}

/// A schema: its URN, name and top-level attributes.
#[derive(Debug)]
pub(crate) struct SchemaDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attr],
    /// Attributes RFC 7643 defines for this schema that Gatehouse does not store. Entra's
    /// default mappings send some of them (`addresses`, `preferredLanguage`, `roles: []`), so
    /// they are accepted and dropped instead of failing provisioning; they are not published.
    pub unsupported: &'static [&'static str],
}

impl SchemaDef {
    pub fn is_unsupported(&self, name: &str) -> bool {
        self.unsupported
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
    }

    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        let attrs: &'static [Attr] = self.attributes;
        attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn to_json(&self, base_url: &str) -> serde_json::Value {
        serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": self.attributes.iter().map(Attr::to_json).collect::<Vec<_>>(),
            "meta": {
                "resourceType": "Schema",
                "location": format!("{base_url}/Schemas/{}", self.id),
            }
        })
    }
}

const NAME_SUB: &[Attr] = &[
    Attr::string("formatted", "The full name, formatted for display."),
    Attr::string("familyName", "The family name (surname)."),
    Attr::string("givenName", "The given (first) name."),
];

const EMAIL_SUB: &[Attr] = &[
    Attr::string("value", "The e-mail address."),
    Attr::string("type", "The kind of address.").canonical(&["work", "home", "other"]),
    Attr::boolean("primary", "Whether this is the primary address."),
];

const PHONE_SUB: &[Attr] = &[
    Attr::string("value", "The phone number."),
    Attr::string("type", "The kind of number.")
        .canonical(&["work", "home", "mobile", "fax", "pager", "other"]),
    Attr::boolean("primary", "Whether this is the primary number."),
];

const USER_ATTRS: &[Attr] = &[
    Attr::string(
        "userName",
        "Unique identifier of the user, also their federation ID.",
    )
    .required()
    .unique(),
    Attr::complex("name", NAME_SUB, "The components of the user's name."),
    Attr::string("displayName", "The name shown for the user."),
    Attr::string("title", "The user's job title."),
    Attr::boolean("active", "Whether the user may sign in."),
    Attr::complex("emails", EMAIL_SUB, "E-mail addresses of the user.").multi(),
    Attr::complex("phoneNumbers", PHONE_SUB, "Phone numbers of the user.").multi(),
];

const MANAGER_SUB: &[Attr] = &[
    Attr::string("value", "The id of the manager's User resource."),
    Attr::reference("$ref", &["User"], "The URI of the manager's User resource."),
    Attr::string("displayName", "The manager's display name.").read_only(),
];

const ENTERPRISE_ATTRS: &[Attr] = &[
    Attr::string(
        "employeeNumber",
        "Employee number assigned by the organisation.",
    ),
    Attr::string("department", "The department the user belongs to."),
    Attr::complex("manager", MANAGER_SUB, "The user's manager."),
];

const MEMBER_SUB: &[Attr] = &[
    Attr::string("value", "The id of the member's resource.").immutable(),
    Attr::reference(
        "$ref",
        &["User", "Group"],
        "The URI of the member's resource.",
    )
    .immutable(),
    Attr::string("display", "The member's display name.").read_only(),
];

const GROUP_ATTRS: &[Attr] = &[
    Attr::string("displayName", "The name of the group.").required(),
    Attr::complex("members", MEMBER_SUB, "The members of the group.").multi(),
];

const META_SUB: &[Attr] = &[
    Attr::string("resourceType", "The resource type.")
        .read_only()
        .case_exact(),
    Attr::new(
        "created",
        AttrType::DateTime,
        "When the resource was created.",
    )
    .read_only(),
    Attr::new(
        "lastModified",
        AttrType::DateTime,
        "When the resource was last changed.",
    )
    .read_only(),
    Attr::reference("location", &["uri"], "The URI of the resource.").read_only(),
    Attr::string("version", "The version (ETag) of the resource.")
        .read_only()
        .case_exact(),
];

/// RFC 7643 §3.1 common attributes: part of every resource, not listed in `/Schemas`.
pub(crate) const COMMON_ATTRS: &[Attr] = &[
    Attr::string("id", "Identifier assigned by the service provider.")
        .read_only()
        .case_exact()
        .always(),
    Attr::string(
        "externalId",
        "Identifier assigned by the provisioning client.",
    )
    .case_exact(),
    Attr::complex("meta", META_SUB, "Resource metadata.").read_only(),
];

pub(crate) static USER: SchemaDef = SchemaDef {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRS,
    unsupported: &[
        "nickName",
        "profileUrl",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "password",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates",
    ],
};

pub(crate) static ENTERPRISE_USER: SchemaDef = SchemaDef {
    id: ENTERPRISE_USER_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRS,
    unsupported: &["costCenter", "organization", "division"],
};

pub(crate) static GROUP: SchemaDef = SchemaDef {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRS,
    unsupported: &[],
};

static USER_EXTENSIONS: [&SchemaDef; 1] = [&ENTERPRISE_USER];

/// The two resource types this service provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    /// The resource type name (`meta.resourceType`, `/ResourceTypes/<name>`).
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    /// The collection endpoint relative to the SCIM base URL.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }

    pub(crate) fn core(self) -> &'static SchemaDef {
        match self {
            ResourceKind::User => &USER,
            ResourceKind::Group => &GROUP,
        }
    }

    pub(crate) fn extensions(self) -> &'static [&'static SchemaDef] {
        match self {
            ResourceKind::User => &USER_EXTENSIONS,
            ResourceKind::Group => &[],
        }
    }

    /// The extension whose URN is `urn`, case-insensitively.
    pub(crate) fn extension(self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions()
            .iter()
            .copied()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// A top-level attribute of the core schema or a common attribute.
    pub(crate) fn core_attr(self, name: &str) -> Option<&'static Attr> {
        self.core().attr(name).or_else(|| {
            COMMON_ATTRS
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }
}

/// All schemas, in the order `/Schemas` lists them.
pub(crate) fn all_schemas() -> [&'static SchemaDef; 3] {
    [&USER, &ENTERPRISE_USER, &GROUP]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lookup_is_case_insensitive() {
        assert_eq!(USER.attr("USERNAME").map(|a| a.name), Some("userName"));
        let emails = USER.attr("Emails").unwrap();
        assert_eq!(emails.sub_attr("VALUE").map(|a| a.name), Some("value"));
        assert!(USER.attr("password").is_none());
    }

    #[test]
    fn common_attributes_resolve_for_both_kinds() {
        assert_eq!(
            ResourceKind::User.core_attr("externalid").map(|a| a.name),
            Some("externalId")
        );
        assert_eq!(
            ResourceKind::Group.core_attr("ID").map(|a| a.mutability),
            Some(Mutability::ReadOnly)
        );
    }
}

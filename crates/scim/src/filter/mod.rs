//! SCIM filters (RFC 7644 §3.4.2.2): the AST, its parser (`parse`), its evaluator (`eval`),
//! and the push-down of simple equality filters to the store (`Filter::as_simple_equality`).
//! PATCH paths (§3.5.2) reuse the attribute-path and value-filter grammar from here.

mod eval;
mod parse;

use std::fmt;

pub(crate) use eval::{Scope, eval_in};
pub use eval::{matches, matches_group, matches_user};
pub use parse::{parse_filter, parse_patch_path};

use crate::schema::{GROUP_SCHEMA, USER_SCHEMA};

/// `[URI ":"] ATTRNAME ["." subAttr]`, e.g. `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN prefix, without the trailing `:`.
    pub uri: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    pub fn new(name: impl Into<String>) -> Self {
        AttrPath {
            uri: None,
            name: name.into(),
            sub: None,
        }
    }

    /// Whether the path names the top-level core attribute `name` (with no sub-attribute),
    /// unprefixed or prefixed with the core User/Group schema URN.
    pub fn is_core(&self, name: &str) -> bool {
        self.sub.is_none()
            && self.name.eq_ignore_ascii_case(name)
            && self.uri.as_deref().is_none_or(|u| {
                u.eq_ignore_ascii_case(USER_SCHEMA) || u.eq_ignore_ascii_case(GROUP_SCHEMA)
            })
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(uri) = &self.uri {
            write!(f, "{uri}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// `compValue`: a JSON literal.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Bool(bool),
    Null,
    Num(serde_json::Number),
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath op compValue`
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `attrPath pr`
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attrPath "[" valFilter "]"`: some value of a multi-valued attribute matches `filter`,
    /// whose paths are relative to that value (e.g. `emails[type eq "work"]`).
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

/// An attribute the store can match with SQL equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EqualityAttribute {
    /// `id` — case-exact.
    Id,
    /// `userName` — caseExact=false: compare case-insensitively.
    UserName,
    /// `externalId` — case-exact.
    ExternalId,
    /// `displayName` (User or Group) — caseExact=false: compare case-insensitively.
    DisplayName,
}

impl EqualityAttribute {
    /// Whether the store must compare exactly (else case-insensitively).
    pub fn case_exact(self) -> bool {
        match self {
            EqualityAttribute::Id | EqualityAttribute::ExternalId => true,
            EqualityAttribute::UserName | EqualityAttribute::DisplayName => false,
        }
    }
}

/// One `attribute eq "value"` term of a filter the store can run as SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equality {
    pub attribute: EqualityAttribute,
    pub value: String,
}

impl Filter {
    /// If the filter is `A eq "x"` or an `and` of such terms, where every `A` is `id`,
    /// `userName`, `externalId` or `displayName`, the terms; else `None` (use [`matches()`]).
    /// This covers everything Entra sends (`userName eq`, `externalId eq`, `displayName eq`).
    pub fn as_simple_equality(&self) -> Option<Vec<Equality>> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: CompValue::Str(value),
            } => {
                let attribute = [
                    ("id", EqualityAttribute::Id),
                    ("userName", EqualityAttribute::UserName),
                    ("externalId", EqualityAttribute::ExternalId),
                    ("displayName", EqualityAttribute::DisplayName),
                ]
                .into_iter()
                .find(|(name, _)| path.is_core(name))?
                .1;
                Some(vec![Equality {
                    attribute,
                    value: value.clone(),
                }])
            }
            Filter::And(left, right) => {
                let mut terms = left.as_simple_equality()?;
                terms.extend(right.as_simple_equality()?);
                Some(terms)
            }
            _ => None,
        }
    }
}

impl std::str::FromStr for Filter {
    type Err = crate::error::ScimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_filter(s)
    }
}

/// A PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `attrPath "[" valFilter "]" ["." subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter, e.g. `value` in `emails[type eq "work"].value`.
    pub sub_after_filter: Option<String>,
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        })
    }
}

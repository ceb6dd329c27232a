//! PATCH (RFC 7644 §3.5.2): parsing `PatchOp` request bodies and applying them to a User or a
//! Group, including Entra's dialect (capitalised ops, `"False"` strings, path-less values with
//! dotted and URN-prefixed keys, member removal by value list). Application works on a copy of
//! the resource's canonical JSON and is validated as a whole before anything is written back,
//! so a failing request leaves the resource unchanged.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::canonical::{canonicalize_attr, canonicalize_resource, canonicalize_single, get_ci};
use crate::error::{Result, ScimError};
use crate::filter::{CompValue, CompareOp, Filter, PatchPath, Scope, eval_in, parse_patch_path};
use crate::limits::{MAX_PATCH_OPERATIONS, MAX_PATCH_VALUES};
use crate::resource::{ScimGroup, ScimUser};
use crate::schema::{Attr, Mutability, ResourceKind, SchemaDef};

pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    Add,
    Replace,
    Remove,
}

impl PatchOpKind {
    fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Replace => "replace",
            PatchOpKind::Remove => "remove",
        }
    }
}

/// One operation of a PATCH request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: PatchOpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// A parsed `urn:ietf:params:scim:api:messages:2.0:PatchOp` request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// Parses a PATCH body as received.
    pub fn parse(body: &[u8]) -> Result<Self> {
        Self::from_json(crate::resource::parse_json(body)?)
    }

    pub fn from_json(value: Value) -> Result<Self> {
        let Value::Object(obj) = value else {
            return Err(ScimError::invalid_syntax(
                "the PATCH body must be a JSON object",
            ));
        };
        let has_schema = get_ci(&obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
                })
            });
        if !has_schema {
            return Err(ScimError::invalid_syntax(format!(
                "'schemas' must contain \"{PATCH_OP_SCHEMA}\""
            )));
        }
        let Some(Value::Array(ops)) = get_ci(&obj, "Operations") else {
            return Err(ScimError::invalid_syntax(
                "'Operations' must be an array of operations",
            ));
        };
        if ops.is_empty() {
            return Err(ScimError::invalid_syntax("'Operations' must not be empty"));
        }
        if ops.len() > MAX_PATCH_OPERATIONS {
            return Err(ScimError::invalid_value(format!(
                "'Operations' has {} operations; at most {MAX_PATCH_OPERATIONS} are accepted in one request",
                ops.len()
            )));
        }
        let values: usize = ops
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|op| get_ci(op, "value"))
            .map(value_count)
            .sum();
        if values > MAX_PATCH_VALUES {
            return Err(ScimError::invalid_value(format!(
                "the operations carry {values} values (e.g. group members); at most {MAX_PATCH_VALUES} are accepted in one request"
            )));
        }
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, op)| parse_operation(i, op))
            .collect::<Result<_>>()?;
        Ok(PatchRequest { operations })
    }

    /// Whether any operation may touch the top-level attribute `name` (case-insensitive): the
    /// server can skip loading group members when a PATCH does not mention `members`.
    pub fn mentions_attribute(&self, name: &str) -> bool {
        self.operations
            .iter()
            .any(|op| match (&op.path, &op.value) {
                (Some(path), _) => path.attr.name.eq_ignore_ascii_case(name),
                (None, Some(Value::Object(values))) => values.keys().any(|k| {
                    let head = k.split(['.', '[']).next().unwrap_or(k);
                    head.eq_ignore_ascii_case(name) || head.to_ascii_lowercase().starts_with("urn:")
                }),
                (None, _) => false,
            })
    }
}

/// How many values an operation's `value` carries: the elements of an array, also one level
/// down in a path-less object (`{"members": [...]}`); any other value counts as one.
fn value_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        Value::Object(fields) => fields
            .values()
            .map(|v| match v {
                Value::Array(items) => items.len(),
                _ => 1,
            })
            .sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => 1,
    }
}

fn parse_operation(index: usize, op: &Value) -> Result<PatchOperation> {
    let Value::Object(obj) = op else {
        return Err(ScimError::invalid_syntax(format!(
            "Operations[{index}] must be a JSON object"
        )));
    };
    let kind = match get_ci(obj, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("add") => PatchOpKind::Add,
        Some("replace") => PatchOpKind::Replace,
        Some("remove") => PatchOpKind::Remove,
        Some(other) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{index}].op \"{other}\" is not one of add, replace, remove"
            )));
        }
        None => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{index}].op is required"
            )));
        }
    };
    let path = match get_ci(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) => Some(parse_patch_path(p)?),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "Operations[{index}].path must be a string"
            )));
        }
    };
    let value = get_ci(obj, "value").cloned();
    Ok(PatchOperation {
        op: kind,
        path,
        value,
    })
}

/// What a group PATCH did to the membership, for the store to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMemberChanges {
    /// Member IDs that were not members before, in request order.
    pub added: Vec<String>,
    /// Member IDs that are no longer members.
    pub removed: Vec<String>,
}

impl GroupMemberChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Applies a PATCH to a user. On error the user is unchanged. `id` and `meta` are kept.
pub fn apply_user_patch(user: &mut ScimUser, patch: &PatchRequest) -> Result<()> {
    let doc = patched_doc(ResourceKind::User, serde_json::to_value(&*user), patch)?;
    let mut patched = ScimUser::from_json(Value::Object(doc))?;
    patched.id = user.id.clone();
    patched.meta = user.meta.clone();
    *user = patched;
    Ok(())
}

/// Applies a PATCH to a group (whose `members` must be loaded if the PATCH mentions them).
/// On error the group is unchanged. Returns the membership difference.
pub fn apply_group_patch(
    group: &mut ScimGroup,
    patch: &PatchRequest,
) -> Result<GroupMemberChanges> {
    let doc = patched_doc(ResourceKind::Group, serde_json::to_value(&*group), patch)?;
    let mut patched = ScimGroup::from_json(Value::Object(doc))?;
    patched.id = group.id.clone();
    patched.meta = group.meta.clone();
    let before: HashSet<&str> = group.member_ids().into_iter().collect();
    let after: HashSet<&str> = patched.member_ids().into_iter().collect();
    let changes = GroupMemberChanges {
        added: patched
            .member_ids()
            .into_iter()
            .filter(|id| !before.contains(id))
            .map(str::to_owned)
            .collect(),
        removed: group
            .member_ids()
            .into_iter()
            .filter(|id| !after.contains(id))
            .map(str::to_owned)
            .collect(),
    };
    *group = patched;
    Ok(changes)
}

fn patched_doc(
    kind: ResourceKind,
    current: serde_json::Result<Value>,
    patch: &PatchRequest,
) -> Result<Map<String, Value>> {
    let current = current
        .map_err(|e| ScimError::invalid_value(format!("resource cannot be represented: {e}")))?;
    let mut doc = canonicalize_resource(kind, current)?;
    for op in &patch.operations {
        apply_operation(&mut doc, kind, op)?;
    }
    Ok(doc)
}

/// Where an operation writes.
enum Target<'p> {
    /// An attribute RFC 7643 defines that Gatehouse does not store: the operation is a no-op.
    Unsupported,
    /// A whole extension object, e.g. path `urn:…:enterprise:2.0:User`.
    Extension(&'static SchemaDef),
    Attribute {
        ext: Option<&'static SchemaDef>,
        attr: &'static Attr,
        sub: Option<&'static Attr>,
        filter: Option<&'p Filter>,
        /// The path as written, for messages.
        display: String,
    },
}

fn apply_operation(
    doc: &mut Map<String, Value>,
    kind: ResourceKind,
    op: &PatchOperation,
) -> Result<()> {
    match &op.path {
        Some(path) => apply_target(doc, resolve(kind, path)?, op.op, op.value.as_ref()),
        None if op.op == PatchOpKind::Remove => {
            Err(ScimError::no_target("a 'remove' operation needs a 'path'"))
        }
        None => {
            let Some(Value::Object(values)) = &op.value else {
                return Err(ScimError::invalid_value(format!(
                    "an '{}' operation without 'path' needs an object 'value'",
                    op.op.as_str()
                )));
            };
            for (key, value) in values {
                let parsed;
                let target = match kind.extension(key) {
                    Some(ext) => Target::Extension(ext),
                    None => {
                        parsed = parse_patch_path(key)?;
                        resolve(kind, &parsed)?
                    }
                };
                apply_target(doc, target, op.op, Some(value))?;
            }
            Ok(())
        }
    }
}

fn resolve(kind: ResourceKind, path: &PatchPath) -> Result<Target<'_>> {
    let a = &path.attr;
    let ext = match a.uri.as_deref() {
        None => None,
        Some(uri) if uri.eq_ignore_ascii_case(kind.core().id) => None,
        Some(uri) => match kind.extension(uri) {
            Some(ext) => Some(ext),
            None => {
                if let Some(ext) = kind.extension(&format!("{uri}:{}", a.name))
                    && a.sub.is_none()
                    && path.filter.is_none()
                {
                    return Ok(Target::Extension(ext));
                }
                return Err(ScimError::invalid_path(format!(
                    "unknown schema URN '{uri}' for a {} resource",
                    kind.name()
                )));
            }
        },
    };
    let display = match &path.filter {
        Some(_) => format!(
            "{a}[…]{}",
            path.sub_after_filter
                .as_deref()
                .map(|s| format!(".{s}"))
                .unwrap_or_default()
        ),
        None => a.to_string(),
    };
    if ext.unwrap_or(kind.core()).is_unsupported(&a.name) {
        return Ok(Target::Unsupported);
    }
    let attr = match ext {
        Some(ext) => ext.attr(&a.name),
        None => kind.core_attr(&a.name),
    }
    .ok_or_else(|| {
        ScimError::invalid_path(format!(
            "unknown attribute '{a}' for a {} resource",
            kind.name()
        ))
    })?;
    if attr.mutability == Mutability::ReadOnly {
        return Err(ScimError::mutability(format!(
            "attribute '{}' is readOnly",
            attr.name
        )));
    }
    let sub = match a.sub.as_deref().or(path.sub_after_filter.as_deref()) {
        None => None,
        Some(s) => {
            let sub = attr.sub_attr(s).ok_or_else(|| {
                ScimError::invalid_path(format!(
                    "attribute '{}' has no sub-attribute '{s}'",
                    attr.name
                ))
            })?;
            if sub.mutability == Mutability::ReadOnly {
                return Err(ScimError::mutability(format!(
                    "attribute '{}.{}' is readOnly",
                    attr.name, sub.name
                )));
            }
            Some(sub)
        }
    };
    if path.filter.is_some() && !(attr.multi && attr.is_complex()) {
        return Err(ScimError::invalid_path(format!(
            "a value filter needs a multi-valued complex attribute, and '{}' is not one",
            attr.name
        )));
    }
    Ok(Target::Attribute {
        ext,
        attr,
        sub,
        filter: path.filter.as_ref(),
        display,
    })
}

fn apply_target(
    doc: &mut Map<String, Value>,
    target: Target<'_>,
    op: PatchOpKind,
    value: Option<&Value>,
) -> Result<()> {
    // `null` means unassigned (RFC 7643 §2.5): setting it is removing.
    let (op, value) = match value {
        Some(Value::Null) if op != PatchOpKind::Remove => (PatchOpKind::Remove, None),
        other => (op, other),
    };
    match target {
        Target::Unsupported => Ok(()),
        Target::Extension(ext) => {
            if op == PatchOpKind::Remove {
                doc.remove(ext.id);
                return Ok(());
            }
            let Some(Value::Object(values)) = value else {
                return Err(ScimError::invalid_value(format!(
                    "the value for '{}' must be a JSON object",
                    ext.id
                )));
            };
            for (key, v) in values {
                if ext.is_unsupported(key) || key.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let attr = ext.attr(key).ok_or_else(|| {
                    ScimError::invalid_path(format!("unknown attribute '{}:{key}'", ext.id))
                })?;
                let display = format!("{}:{}", ext.id, attr.name);
                apply_target(
                    doc,
                    Target::Attribute {
                        ext: Some(ext),
                        attr,
                        sub: None,
                        filter: None,
                        display,
                    },
                    op,
                    Some(v),
                )?;
            }
            Ok(())
        }
        Target::Attribute {
            ext,
            attr,
            sub,
            filter,
            display,
        } => {
            if op != PatchOpKind::Remove && value.is_none() {
                return Err(ScimError::invalid_value(format!(
                    "'{}' of '{display}' needs a 'value'",
                    op.as_str()
                )));
            }
            let container = match ext {
                None => &mut *doc,
                Some(ext) => {
                    if op == PatchOpKind::Remove && !doc.contains_key(ext.id) {
                        return Ok(());
                    }
                    let entry = doc
                        .entry(ext.id.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !entry.is_object() {
                        *entry = Value::Object(Map::new());
                    }
                    entry
                        .as_object_mut()
                        .ok_or_else(|| ScimError::invalid_value("extension must be an object"))?
                }
            };
            let result = match (filter, sub) {
                (None, None) => apply_attribute(container, attr, op, value, &display),
                (None, Some(sub)) => apply_sub_attribute(container, attr, sub, op, value, &display),
                (Some(filter), sub) => {
                    apply_filtered(container, attr, filter, sub, op, value, &display)
                }
            };
            if let Some(ext) = ext
                && doc
                    .get(ext.id)
                    .and_then(Value::as_object)
                    .is_some_and(Map::is_empty)
            {
                doc.remove(ext.id);
            }
            result
        }
    }
}

fn apply_attribute(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    op: PatchOpKind,
    value: Option<&Value>,
    display: &str,
) -> Result<()> {
    match op {
        PatchOpKind::Remove => {
            match value {
                // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
                Some(selectors) if attr.multi => {
                    remove_selected(container, attr, selectors, display)?
                }
                _ => {
                    container.remove(attr.name);
                }
            }
            Ok(())
        }
        PatchOpKind::Add | PatchOpKind::Replace => {
            let value = value.cloned().unwrap_or(Value::Null);
            if attr.multi {
                let new = match canonicalize_attr(attr, value, display)? {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                if op == PatchOpKind::Replace {
                    set_array(container, attr.name, new);
                    return Ok(());
                }
                let mut items = take_array(container, attr.name);
                if new.iter().any(is_primary) {
                    clear_primary(&mut items);
                }
                let mut seen: HashSet<String> = items.iter().map(identity).collect();
                for item in new {
                    if seen.insert(identity(&item)) {
                        items.push(item);
                    }
                }
                set_array(container, attr.name, items);
                Ok(())
            } else if attr.is_complex() {
                // Add and replace on a complex attribute both merge the given sub-attributes.
                if let Some(Value::Object(new)) = canonicalize_single(attr, value, display)? {
                    let entry = container
                        .entry(attr.name.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(existing) = entry {
                        existing.extend(new);
                    } else {
                        *entry = Value::Object(new);
                    }
                }
                Ok(())
            } else {
                let new = canonicalize_single(attr, value, display)?;
                set_or_remove(container, attr.name, new);
                Ok(())
            }
        }
    }
}

fn apply_sub_attribute(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    sub: &'static Attr,
    op: PatchOpKind,
    value: Option<&Value>,
    display: &str,
) -> Result<()> {
    let new = match (op, value) {
        (PatchOpKind::Remove, _) | (_, None) => None,
        (_, Some(v)) => canonicalize_single(sub, v.clone(), display)?,
    };
    if !attr.multi {
        if op == PatchOpKind::Remove && !container.contains_key(attr.name) {
            return Ok(());
        }
        let entry = container
            .entry(attr.name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(obj) = entry {
            set_or_remove(obj, sub.name, new);
            if obj.is_empty() {
                container.remove(attr.name);
            }
        }
        return Ok(());
    }
    // `emails.value` without a filter designates that sub-attribute of every value.
    let mut items = take_array(container, attr.name);
    if items.is_empty() && op != PatchOpKind::Remove {
        return Err(ScimError::no_target(format!(
            "'{display}' designates no value; use a filter such as {}[type eq \"work\"].{}",
            attr.name, sub.name
        )));
    }
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        set_or_remove(item, sub.name, new.clone());
    }
    items.retain(|i| i.as_object().is_none_or(|o| !o.is_empty()));
    set_array(container, attr.name, items);
    Ok(())
}

fn apply_filtered(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    filter: &Filter,
    sub: Option<&'static Attr>,
    op: PatchOpKind,
    value: Option<&Value>,
    display: &str,
) -> Result<()> {
    let mut items = take_array(container, attr.name);
    let scope = Scope::Element(Some(attr));
    let mut matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.as_object().is_some_and(|o| eval_in(o, scope, filter)))
        .map(|(i, _)| i)
        .collect();
    let result = (|| {
        if op == PatchOpKind::Remove {
            match sub {
                None => {
                    let drop: HashSet<usize> = matched.iter().copied().collect();
                    let mut i = 0;
                    items.retain(|_| {
                        i += 1;
                        !drop.contains(&(i - 1))
                    });
                }
                Some(sub) => {
                    for &i in &matched {
                        if let Some(obj) = items[i].as_object_mut() {
                            obj.remove(sub.name);
                        }
                    }
                    items.retain(|i| i.as_object().is_none_or(|o| !o.is_empty()));
                }
            }
            return Ok(());
        }
        let value = value.cloned().unwrap_or(Value::Null);
        let mut created = false;
        if matched.is_empty() {
            // Entra adds e.g. `emails[type eq "work"].value` to a user without a work e-mail:
            // create the value the filter describes when it is an `and` of `eq` comparisons.
            let template = eq_template(filter, attr).ok_or_else(|| {
                ScimError::no_target(format!(
                    "no value of '{}' matches the filter in '{display}'",
                    attr.name
                ))
            })?;
            items.push(Value::Object(template));
            matched.push(items.len() - 1);
            created = true;
        }
        match sub {
            Some(sub) => {
                let new = canonicalize_single(sub, value, display)?;
                if sub.name == "primary" && new == Some(Value::Bool(true)) {
                    clear_primary_except(&mut items, &matched);
                }
                for &i in &matched {
                    if let Some(obj) = items[i].as_object_mut() {
                        set_or_remove(obj, sub.name, new.clone());
                    }
                }
            }
            None => {
                let Some(Value::Object(new)) = canonicalize_single(attr, value, display)? else {
                    return Err(ScimError::invalid_value(format!(
                        "the value for '{display}' must be a JSON object"
                    )));
                };
                if new.get("primary") == Some(&Value::Bool(true)) {
                    clear_primary_except(&mut items, &matched);
                }
                for &i in &matched {
                    match items[i].as_object_mut() {
                        Some(obj) if op == PatchOpKind::Add || created => obj.extend(new.clone()),
                        _ => items[i] = Value::Object(new.clone()),
                    }
                }
            }
        }
        items.retain(|i| i.as_object().is_none_or(|o| !o.is_empty()));
        Ok(())
    })();
    set_array(container, attr.name, items);
    result
}

/// Removes the values of a multi-valued attribute that match the given selector values: an
/// element matches a selector object when every sub-attribute the selector names is equal.
fn remove_selected(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    selectors: &Value,
    display: &str,
) -> Result<()> {
    let selectors = match canonicalize_attr(attr, selectors.clone(), display)? {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let mut items = take_array(container, attr.name);
    items.retain(|item| {
        !selectors.iter().any(|sel| match (sel, item) {
            (Value::Object(sel), Value::Object(item)) => {
                sel.iter().all(|(k, v)| item.get(k) == Some(v))
            }
            (sel, item) => sel == item,
        })
    });
    set_array(container, attr.name, items);
    Ok(())
}

/// The value an `and` of `eq` comparisons on sub-attributes describes.
fn eq_template(filter: &Filter, attr: &'static Attr) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    fn walk(filter: &Filter, attr: &'static Attr, out: &mut Map<String, Value>) -> Option<()> {
        match filter {
            Filter::And(a, b) => {
                walk(a, attr, out)?;
                walk(b, attr, out)
            }
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } if path.uri.is_none() && path.sub.is_none() => {
                let sub = attr.sub_attr(&path.name)?;
                let v = match value {
                    CompValue::Str(s) => Value::String(s.clone()),
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Null | CompValue::Num(_) => return None,
                };
                out.insert(sub.name.to_owned(), v);
                Some(())
            }
            _ => None,
        }
    }
    walk(filter, attr, &mut out)?;
    Some(out)
}

fn take_array(container: &mut Map<String, Value>, name: &str) -> Vec<Value> {
    match container.remove(name) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn set_or_remove(container: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            container.insert(name.to_owned(), v);
        }
        None => {
            container.remove(name);
        }
    }
}

/// Stores a multi-valued attribute; an empty one is unassigned (RFC 7643 §2.5).
fn set_array(container: &mut Map<String, Value>, name: &str, items: Vec<Value>) {
    set_or_remove(
        container,
        name,
        (!items.is_empty()).then_some(Value::Array(items)),
    );
}

fn is_primary(item: &Value) -> bool {
    item.get("primary") == Some(&Value::Bool(true))
}

fn clear_primary(items: &mut [Value]) {
    clear_primary_except(items, &[]);
}

fn clear_primary_except(items: &mut [Value], keep: &[usize]) {
    for (i, item) in items.iter_mut().enumerate() {
        if !keep.contains(&i)
            && is_primary(item)
            && let Some(obj) = item.as_object_mut()
        {
            obj.insert("primary".to_owned(), Value::Bool(false));
        }
    }
}

/// What makes two values of a multi-valued attribute the same: their `value` (or, for values
/// without one, the whole value). Adding a value that is already there changes nothing.
fn identity(item: &Value) -> String {
    item.get("value").unwrap_or(item).to_string()
}

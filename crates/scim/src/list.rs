//! Query parameters and list responses (RFC 7644 §3.4.2): `filter`, `startIndex`/`count` with
//! the RFC's defaults and clamping, `attributes`/`excludedAttributes` projection, and the
//! `ListResponse` message. Unknown parameters (e.g. Entra's `aadOptscim062020`) are ignored.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Result, ScimError};
use crate::filter::{AttrPath, Filter, parse_filter, parse_patch_path};
use crate::limits::{MAX_PATH_LEN, MAX_PROJECTION_PATHS};
use crate::schema::{COMMON_ATTRS, ResourceKind};

pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The largest page the server returns; advertised as `filter.maxResults`.
pub const MAX_RESULTS: usize = 200;

/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), usable on every endpoint that
/// returns a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded_attributes: Vec<AttrPath>,
}

impl Projection {
    /// Reads `attributes` and `excludedAttributes` from decoded query pairs; ignores the rest.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut projection = Projection::default();
        for (key, value) in pairs {
            projection.read_param(key.as_ref(), value.as_ref())?;
        }
        Ok(projection)
    }

    fn read_param(&mut self, key: &str, value: &str) -> Result<bool> {
        let list = if key.eq_ignore_ascii_case("attributes") {
            &mut self.attributes
        } else if key.eq_ignore_ascii_case("excludedAttributes") {
            &mut self.excluded_attributes
        } else {
            return Ok(false);
        };
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if list.len() == MAX_PROJECTION_PATHS {
                return Err(ScimError::invalid_value(format!(
                    "'{key}' lists more than {MAX_PROJECTION_PATHS} attribute paths"
                )));
            }
            if item.chars().count() > MAX_PATH_LEN {
                return Err(ScimError::invalid_value(format!(
                    "a path in '{key}' is longer than {MAX_PATH_LEN} characters"
                )));
            }
            let path = parse_patch_path(item)
                .ok()
                .filter(|p| p.filter.is_none())
                .ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "'{item}' in '{key}' is not an attribute path"
                    ))
                })?;
            list.push(path.attr);
        }
        Ok(true)
    }

    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.excluded_attributes.is_empty()
    }

    /// Applies the projection to a serialised resource. `schemas`, `id` and `meta` are always
    /// kept. When both lists are given, `attributes` wins (they are mutually exclusive).
    pub fn apply(&self, kind: ResourceKind, resource: Value) -> Value {
        let Value::Object(obj) = resource else {
            return resource;
        };
        if !self.attributes.is_empty() {
            Value::Object(include(kind, obj, &self.attributes))
        } else if !self.excluded_attributes.is_empty() {
            Value::Object(exclude(kind, obj, &self.excluded_attributes))
        } else {
            Value::Object(obj)
        }
    }
}

/// What a projection path designates in a serialised resource.
struct Designation {
    /// `None` for the core schema, else the extension's key.
    ext: Option<&'static str>,
    /// `None` for a whole extension.
    attr: Option<&'static str>,
    sub: Option<String>,
}

fn designate(kind: ResourceKind, path: &AttrPath) -> Option<Designation> {
    let sub = path.sub.clone();
    match path.uri.as_deref() {
        None => {
            if let Some(attr) = kind.core_attr(&path.name) {
                return Some(Designation {
                    ext: None,
                    attr: Some(attr.name),
                    sub,
                });
            }
            kind.extensions().iter().find_map(|ext| {
                ext.attr(&path.name).map(|a| Designation {
                    ext: Some(ext.id),
                    attr: Some(a.name),
                    sub: sub.clone(),
                })
            })
        }
        Some(uri) if uri.eq_ignore_ascii_case(kind.core().id) => {
            kind.core_attr(&path.name).map(|a| Designation {
                ext: None,
                attr: Some(a.name),
                sub,
            })
        }
        Some(uri) => match kind.extension(uri) {
            Some(ext) => ext.attr(&path.name).map(|a| Designation {
                ext: Some(ext.id),
                attr: Some(a.name),
                sub,
            }),
            None => kind
                .extension(&format!("{uri}:{}", path.name))
                .filter(|_| path.sub.is_none())
                .map(|ext| Designation {
                    ext: Some(ext.id),
                    attr: None,
                    sub: None,
                }),
        },
    }
}

fn always_returned(key: &str) -> bool {
    key == "schemas"
        || key == "meta"
        || COMMON_ATTRS
            .iter()
            .any(|a| a.always_returned && a.name == key)
}

fn include(kind: ResourceKind, obj: Map<String, Value>, paths: &[AttrPath]) -> Map<String, Value> {
    let designations: Vec<Designation> = paths.iter().filter_map(|p| designate(kind, p)).collect();
    let mut out = Map::new();
    for (key, value) in obj {
        if always_returned(&key) {
            out.insert(key, value);
            continue;
        }
        let ext = kind.extension(&key).map(|e| e.id);
        let relevant: Vec<&Designation> = designations.iter().filter(|d| d.ext == ext).collect();
        if relevant.is_empty() {
            continue;
        }
        match (ext, value) {
            (Some(_), Value::Object(ext_obj)) => {
                if relevant.iter().any(|d| d.attr.is_none()) {
                    out.insert(key, Value::Object(ext_obj));
                    continue;
                }
                let kept = keep_attrs(ext_obj, &relevant);
                if !kept.is_empty() {
                    out.insert(key, Value::Object(kept));
                }
            }
            (Some(_), _) => {}
            (None, value) => {
                let mut single = Map::new();
                single.insert(key, value);
                out.extend(keep_attrs(single, &relevant));
            }
        }
    }
    out
}

fn keep_attrs(obj: Map<String, Value>, designations: &[&Designation]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in obj {
        let for_key: Vec<&&Designation> = designations
            .iter()
            .filter(|d| d.attr == Some(key.as_str()))
            .collect();
        if for_key.is_empty() {
            continue;
        }
        if for_key.iter().any(|d| d.sub.is_none()) {
            out.insert(key, value);
            continue;
        }
        let subs: Vec<&str> = for_key.iter().filter_map(|d| d.sub.as_deref()).collect();
        let keep = |o: &Map<String, Value>| -> Map<String, Value> {
            o.iter()
                .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let projected = match value {
            Value::Object(o) => Value::Object(keep(&o)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|o| Value::Object(keep(o)))
                    .collect(),
            ),
            other => other,
        };
        out.insert(key, projected);
    }
    out
}

fn exclude(
    kind: ResourceKind,
    mut obj: Map<String, Value>,
    paths: &[AttrPath],
) -> Map<String, Value> {
    for d in paths.iter().filter_map(|p| designate(kind, p)) {
        let container = match d.ext {
            None => &mut obj,
            Some(ext) => match d.attr {
                None => {
                    obj.remove(ext);
                    continue;
                }
                Some(_) => match obj.get_mut(ext).and_then(Value::as_object_mut) {
                    Some(c) => c,
                    None => continue,
                },
            },
        };
        let Some(attr) = d.attr else { continue };
        if always_returned(attr) {
            continue;
        }
        match &d.sub {
            None => {
                container.remove(attr);
            }
            Some(sub) => match container.get_mut(attr) {
                Some(Value::Object(o)) => {
                    o.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                }
                Some(Value::Array(items)) => {
                    for o in items.iter_mut().filter_map(Value::as_object_mut) {
                        o.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                    }
                }
                _ => {}
            },
        }
        if let Some(ext) = d.ext
            && obj
                .get(ext)
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
        {
            obj.remove(ext);
        }
    }
    obj
}

/// The query of a list request (`GET /Users?…`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// 1-based index of the first result (RFC default 1; values below 1 read as 1).
    pub start_index: usize,
    /// Page size, at most [`MAX_RESULTS`] (default [`MAX_RESULTS`]; negative reads as 0).
    pub count: usize,
    pub projection: Projection,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: None,
            start_index: 1,
            count: MAX_RESULTS,
            projection: Projection::default(),
        }
    }
}

impl ListQuery {
    /// Reads the decoded query pairs. Parameter names are case-insensitive; unknown ones
    /// (`aadOptscim062020`, `sortBy` — sorting is not supported) are ignored.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut query = ListQuery::default();
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref());
            if query.projection.read_param(key, value)? {
                continue;
            }
            if key.eq_ignore_ascii_case("filter") {
                query.filter = if value.trim().is_empty() {
                    None
                } else {
                    Some(parse_filter(value)?)
                };
            } else if key.eq_ignore_ascii_case("startIndex") {
                query.start_index = parse_int("startIndex", value)?
                    .max(1)
                    .try_into()
                    .unwrap_or(usize::MAX);
            } else if key.eq_ignore_ascii_case("count") {
                let count: usize = parse_int("count", value)?
                    .max(0)
                    .try_into()
                    .unwrap_or(usize::MAX);
                query.count = count.min(MAX_RESULTS);
            }
        }
        Ok(query)
    }

    /// Reads a `POST …/.search` body (RFC 7644 §3.4.3): the same parameters as the query
    /// string, as JSON (`attributes` and `excludedAttributes` as arrays, numbers as numbers).
    pub fn from_search_request(body: &[u8]) -> Result<Self> {
        let Value::Object(obj) = crate::resource::parse_json(body)? else {
            return Err(ScimError::invalid_syntax(
                "the search request must be a JSON object",
            ));
        };
        let mut pairs = Vec::new();
        for (key, value) in &obj {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(_) if key.eq_ignore_ascii_case("schemas") => continue,
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        ScimError::invalid_value(format!("'{key}' must be an array of strings"))
                    })?
                    .join(","),
                Value::Bool(_) | Value::Object(_) => {
                    return Err(ScimError::invalid_value(format!(
                        "'{key}' has the wrong type"
                    )));
                }
            };
            pairs.push((key.clone(), text));
        }
        Self::from_query(pairs)
    }

    /// 0-based offset for the store (`startIndex - 1`).
    pub fn offset(&self) -> usize {
        self.start_index - 1
    }
}

fn parse_int(name: &str, value: &str) -> Result<i64> {
    value.trim().parse::<i64>().map_err(|_| {
        ScimError::invalid_value(format!("'{name}' must be an integer, got \"{value}\""))
    })
}

/// `urn:ietf:params:scim:api:messages:2.0:ListResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse<T> {
    pub total_results: usize,
    pub start_index: usize,
    pub items_per_page: usize,
    pub resources: Vec<T>,
}

impl<T> ListResponse<T> {
    /// A page of results; `items_per_page` is the number of resources on it.
    pub fn new(resources: Vec<T>, total_results: usize, start_index: usize) -> Self {
        ListResponse {
            total_results,
            start_index,
            items_per_page: resources.len(),
            resources,
        }
    }

    /// Pages an in-memory list of every matching resource according to the query.
    pub fn paginate(all_matching: Vec<T>, query: &ListQuery) -> Self {
        let total = all_matching.len();
        let page: Vec<T> = all_matching
            .into_iter()
            .skip(query.offset())
            .take(query.count)
            .collect();
        Self::new(page, total, query.start_index)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListResponse<U> {
        ListResponse {
            total_results: self.total_results,
            start_index: self.start_index,
            items_per_page: self.items_per_page,
            resources: self.resources.into_iter().map(f).collect(),
        }
    }
}

impl<T: Serialize> Serialize for ListResponse<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("schemas", &[LIST_RESPONSE_SCHEMA])?;
        map.serialize_entry("totalResults", &self.total_results)?;
        map.serialize_entry("startIndex", &self.start_index)?;
        map.serialize_entry("itemsPerPage", &self.items_per_page)?;
        map.serialize_entry("Resources", &self.resources)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_clamping() {
        let q = ListQuery::from_query([("startIndex", "0"), ("count", "-5")]).unwrap();
        assert_eq!((q.start_index, q.count), (1, 0));
        let q = ListQuery::from_query([("COUNT", "100000")]).unwrap();
        assert_eq!((q.start_index, q.count), (1, MAX_RESULTS));
        assert_eq!(
            ListQuery::from_query(Vec::<(&str, &str)>::new()).unwrap(),
            ListQuery::default()
        );
    }

    #[test]
    fn search_request_body() {
        let q = ListQuery::from_search_request(
            br#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                 "attributes": ["userName", "name.givenName"], "filter": "userName sw \"a\"",
                 "startIndex": 2, "count": 5, "sortBy": "userName"}"#,
        )
        .unwrap();
        assert_eq!((q.start_index, q.count), (2, 5));
        assert_eq!(q.projection.attributes.len(), 2);
        assert!(q.filter.is_some());
        let err = ListQuery::from_search_request(br#"{"attributes": [1]}"#).unwrap_err();
        assert_eq!(
            err,
            ScimError::invalid_value("'attributes' must be an array of strings")
        );
    }

    #[test]
    fn non_numeric_count_is_invalid_value() {
        let err = ListQuery::from_query([("count", "ten")]).unwrap_err();
        assert_eq!(
            err,
            ScimError::invalid_value("'count' must be an integer, got \"ten\"")
        );
    }
}

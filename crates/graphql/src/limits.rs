//! How much one GraphQL request may ask for. A query is refused before anything runs when
//! it nests too deep, costs too much (list fields cost `first` × what each item asks for,
//! so nested lists multiply), has too many root fields, aliases or selections (fragments
//! expanded), too many directives on a field, or nests introspection lists.
//!
//! Refusals carry `extensions.code = "QUERY_TOO_COMPLEX"`, the `limit` and what the query
//! asked for (`actual`), and are logged once at INFO. The schema builder wires
//! [`QueryLimits`] in; nothing else needs to know about it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet};
use async_graphql::{
    ErrorExtensionValues, Name, Pos, Positioned, ServerError, ServerResult, ValidationResult, Variables,
};
use gatehouse_identity::PageRequest;

/// Deepest field nesting. The standard introspection query (GraphiQL's) needs 13.
pub const MAX_DEPTH: usize = 15;
/// Highest cost: every field costs 1, a list field `first` (default 50) times its items.
pub const MAX_COMPLEXITY: usize = 10_000;
/// Fields at the top of one operation (fragments expanded).
pub const MAX_ROOT_FIELDS: usize = 20;
/// Aliased fields in one request (fragments expanded): aliases repeat a field's work.
pub const MAX_ALIASES: usize = 20;
/// Selections in one request once fragments are expanded (bounds fragment fan-out).
pub const MAX_SELECTIONS: usize = 1_000;
/// Directives on one field.
pub const MAX_DIRECTIVES: usize = 4;
/// Introspection list fields (`types`, `fields`, `args`, …) nested in one path; the
/// standard introspection query needs 3 (`types { fields { args } }`).
pub const MAX_INTROSPECTION_LISTS: usize = 3;
/// How deep the parser may recurse (async-graphql's own guard against stack overflow).
pub const MAX_RECURSION: usize = 32;

/// The error code of every refusal here.
pub const CODE: &str = "QUERY_TOO_COMPLEX";

/// The cost of a list field: `first` (the default page when left out, at most the maximum
/// page, since more is refused anyway) times the cost of one item. Saturates, never
/// overflows, whatever the query says.
pub(crate) fn list_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first.map_or(PageRequest::DEFAULT_SIZE, |n| u64::try_from(n).unwrap_or(0)).clamp(1, PageRequest::MAX_SIZE);
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    n.saturating_mul(child_complexity.max(1)).saturating_add(1).min(u32::MAX as usize)
}

/// The extension that enforces the limits.
pub(crate) struct QueryLimits;

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension)
    }
}

struct QueryLimitsExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Counted on our own parse, before async-graphql's checks walk the fragments:
        // those would follow an exponential fan-out of fragment spreads to the end.
        if let Ok(doc) = async_graphql::parser::parse_query(query) {
            count(&doc).map_err(Refusal::into_error)?;
        }
        next.run(ctx, query, variables).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.depth > MAX_DEPTH {
            return Err(vec![Refusal::new(Limit::Depth, result.depth, None).into_error()]);
        }
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![Refusal::new(Limit::Complexity, result.complexity, None).into_error()]);
        }
        Ok(result)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    Depth,
    Complexity,
    RootFields,
    Aliases,
    Selections,
    Directives,
    IntrospectionLists,
}

impl Limit {
    fn max(self) -> usize {
        match self {
            Limit::Depth => MAX_DEPTH,
            Limit::Complexity => MAX_COMPLEXITY,
            Limit::RootFields => MAX_ROOT_FIELDS,
            Limit::Aliases => MAX_ALIASES,
            Limit::Selections => MAX_SELECTIONS,
            Limit::Directives => MAX_DIRECTIVES,
            Limit::IntrospectionLists => MAX_INTROSPECTION_LISTS,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Limit::Depth => "depth",
            Limit::Complexity => "complexity",
            Limit::RootFields => "rootFields",
            Limit::Aliases => "aliases",
            Limit::Selections => "selections",
            Limit::Directives => "directives",
            Limit::IntrospectionLists => "introspectionLists",
        }
    }

    fn explain(self, actual: usize) -> String {
        let max = self.max();
        match self {
            Limit::Depth => format!("the query nests fields {actual} deep; at most {max} levels are allowed"),
            Limit::Complexity => format!(
                "the query could return too much: it costs {actual}, more than the limit of {max} \
                 (a list field costs `first` times what each item asks for, so nested lists multiply); \
                 ask for smaller pages or fewer nested lists"
            ),
            Limit::RootFields => format!("the operation has more than {max} top-level fields; send fewer per request"),
            Limit::Aliases => format!("the request has more than {max} aliased fields; send fewer per request"),
            Limit::Selections => {
                format!("the request selects more than {max} fields once its fragments are expanded")
            }
            Limit::Directives => format!("a field carries {actual} directives; at most {max} are allowed"),
            Limit::IntrospectionLists => {
                format!("introspection nests more than {max} lists (like `types`, `fields`, `args`) in one path")
            }
        }
    }
}

struct Refusal {
    limit: Limit,
    actual: usize,
    pos: Option<Pos>,
}

impl Refusal {
    fn new(limit: Limit, actual: usize, pos: Option<Pos>) -> Self {
        Self { limit, actual, pos }
    }

    fn into_error(self) -> ServerError {
        let message = format!("query refused: {}", self.limit.explain(self.actual));
        tracing::info!(
            limit = self.limit.as_str(),
            max = self.limit.max(),
            actual = self.actual,
            "GraphQL query refused"
        );
        let mut e = ServerError::new(message, self.pos);
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", CODE);
        ext.set("limit", self.limit.as_str());
        ext.set("max", self.limit.max() as u64);
        ext.set("actual", self.actual as u64);
        e.extensions = Some(ext);
        e
    }
}

/// Introspection fields that return lists.
const INTROSPECTION_LISTS: &[&str] =
    &["types", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues", "directives"];

/// Walks every operation with fragments expanded, stopping at the first limit crossed, so
/// the walk itself stays small whatever the document does.
fn count(doc: &ExecutableDocument) -> Result<(), Refusal> {
    let mut walk = Walk { fragments: &doc.fragments, selections: 0, aliases: 0, path: Vec::new() };
    for (_, op) in doc.operations.iter() {
        let mut roots = 0;
        walk.set(&op.node.selection_set, 0, Introspection::Outside, &mut Some(&mut roots))?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Introspection {
    Outside,
    /// Inside `__schema` / `__type`, with this many list fields on the path.
    Inside(usize),
}

struct Walk<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    selections: usize,
    aliases: usize,
    /// Fragments being expanded on the current path (a cycle is left to validation).
    path: Vec<&'a Name>,
}

impl<'a> Walk<'a> {
    fn set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
        introspection: Introspection,
        roots: &mut Option<&mut usize>,
    ) -> Result<(), Refusal> {
        for item in &set.node.items {
            self.selections += 1;
            if self.selections > MAX_SELECTIONS {
                return Err(Refusal::new(Limit::Selections, self.selections, Some(item.pos)));
            }
            match &item.node {
                Selection::Field(f) => {
                    let field = &f.node;
                    if field.alias.is_some() {
                        self.aliases += 1;
                        if self.aliases > MAX_ALIASES {
                            return Err(Refusal::new(Limit::Aliases, self.aliases, Some(f.pos)));
                        }
                    }
                    if let Some(n) = roots.as_deref_mut() {
                        *n += 1;
                        if *n > MAX_ROOT_FIELDS {
                            return Err(Refusal::new(Limit::RootFields, *n, Some(f.pos)));
                        }
                    }
                    if field.directives.len() > MAX_DIRECTIVES {
                        return Err(Refusal::new(Limit::Directives, field.directives.len(), Some(f.pos)));
                    }
                    if depth + 1 > MAX_DEPTH {
                        return Err(Refusal::new(Limit::Depth, depth + 1, Some(f.pos)));
                    }
                    let name = field.name.node.as_str();
                    let inner = match introspection {
                        Introspection::Outside if depth == 0 && (name == "__schema" || name == "__type") => {
                            Introspection::Inside(0)
                        }
                        Introspection::Outside => Introspection::Outside,
                        Introspection::Inside(n) if INTROSPECTION_LISTS.contains(&name) => {
                            if n + 1 > MAX_INTROSPECTION_LISTS {
                                return Err(Refusal::new(Limit::IntrospectionLists, n + 1, Some(f.pos)));
                            }
                            Introspection::Inside(n + 1)
                        }
                        Introspection::Inside(n) => Introspection::Inside(n),
                    };
                    self.set(&field.selection_set, depth + 1, inner, &mut None)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if self.path.contains(&name) {
                        continue;
                    }
                    let Some(fragment) = self.fragments.get(name) else { continue };
                    self.path.push(name);
                    self.set(&fragment.node.selection_set, depth, introspection, roots)?;
                    self.path.pop();
                }
                Selection::InlineFragment(inline) => {
                    self.set(&inline.node.selection_set, depth, introspection, roots)?;
                }
            }
        }
        Ok(())
    }
}

//! Lists as connections (`first`, `after`, `pageInfo`, `edges`, `nodes`): every list that
//! can grow with a tenant's data is one, with a default and a maximum page size
//! ([`PageRequest::DEFAULT_SIZE`], [`PageRequest::MAX_SIZE`]); asking for more is a
//! `VALIDATION` error naming `first`. Each list field's cost is
//! [`list_cost`](crate::limits::list_cost), so nested lists multiply in the query cost.

use async_graphql::OutputType;
use async_graphql::connection::{Connection, Edge, EmptyFields};
use gatehouse_identity::{Page, PageRequest};

use crate::error::{GqlResult, OrGql};

/// The page asked for, checked before anything is read.
pub(crate) fn page(first: Option<i32>, after: Option<String>) -> GqlResult<PageRequest> {
    let first = match first {
        Some(n) if n < 0 => return Err(crate::error::invalid("first", "must not be negative")),
        Some(n) => Some(n as u64),
        None => None,
    };
    let page = PageRequest { first, after };
    page.size().gql()?;
    Ok(page)
}

/// A page as a connection; `cursor` names each item for `after`.
pub(crate) fn connection<N: OutputType>(
    p: Page<N>,
    cursor: impl Fn(&N) -> String,
    had_cursor: bool,
) -> Connection<String, N> {
    let mut c = Connection::new(had_cursor, p.has_next_page);
    c.edges.extend(p.items.into_iter().map(|n| Edge::with_additional_fields(cursor(&n), n, EmptyFields)));
    c
}

/// A page with its items turned into GraphQL objects, all at once (see [`crate::batches`]).
pub(crate) fn objects<T, N>(p: Page<T>, all: impl FnOnce(Vec<T>) -> Vec<N>) -> Page<N> {
    Page { items: all(p.items), has_next_page: p.has_next_page }
}

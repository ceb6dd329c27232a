//! Reading lists the way SCIM asks: equality lookups pushed down to the store, a window
//! (offset and count) and the total that matched.

use sea_orm::QuerySelect;

/// An attribute the store can match by equality (a SCIM `attr eq "value"` filter term).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupAttribute {
    /// Exact.
    Id,
    /// Case-insensitive.
    UserName,
    /// Exact.
    ExternalId,
    /// Case-insensitive.
    DisplayName,
}

/// One `attribute eq value` term; a list of them is an `and`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub attribute: LookupAttribute,
    pub value: String,
}

/// Which part of a result list to return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    /// `None`: everything from `offset` on.
    pub limit: Option<u64>,
}

impl Window {
    /// Adds OFFSET/LIMIT to a query. SQLite accepts OFFSET only after a LIMIT, so without a
    /// limit the offset is left to [`Window::skip_unapplied`].
    pub(crate) fn apply<Q: QuerySelect>(self, q: Q) -> Q {
        match self.limit {
            Some(limit) => q.offset(self.offset).limit(limit),
            None => q,
        }
    }

    pub(crate) fn skip_unapplied<T>(self, rows: Vec<T>) -> Vec<T> {
        match self.limit {
            Some(_) => rows,
            None => rows.into_iter().skip(usize::try_from(self.offset).unwrap_or(usize::MAX)).collect(),
        }
    }
}

/// One page of matches and how many matched in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: u64,
}

pub(crate) fn window_of<T>(all: Vec<T>, window: Window) -> Listing<T> {
    let total = all.len() as u64;
    let offset = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let limit = window.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    Listing { items: all.into_iter().skip(offset).take(limit).collect(), total }
}

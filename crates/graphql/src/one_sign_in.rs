//! At most one `signIn` per request. Each `signIn` runs a password check (argon2, ~19 MiB
//! for tens of milliseconds), so aliases (`a: signIn(…) b: signIn(…)`) or fragments that
//! repeat it would multiply the work one request can cause. The whole request is refused
//! after parsing and before anything executes.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, ServerResult, Variables};

/// The mutation field that checks a password.
const SIGN_IN: &str = "signIn";
/// What a fragment cycle counts as (invalid GraphQL, refused here before validation).
const TOO_MANY: usize = usize::MAX / 2;

/// The schema extension that enforces the rule.
pub(crate) struct OneSignInPerRequest;

impl ExtensionFactory for OneSignInPerRequest {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OneSignInPerRequest)
    }
}

#[async_trait::async_trait]
impl Extension for OneSignInPerRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let most = doc
            .operations
            .iter()
            .filter(|(_, op)| op.node.ty == OperationType::Mutation)
            .map(|(_, op)| sign_ins(&doc, &op.node.selection_set.node, &mut HashMap::new()))
            .max()
            .unwrap_or(0);
        if most > 1 {
            tracing::info!(reason = "several_sign_ins", count = most, "GraphQL request refused");
            let err = async_graphql::Error::new(format!(
                "a request may contain at most one signIn; this one has {most} (aliases and fragments included)"
            ))
            .extend_with(|_, x| {
                x.set("code", "VALIDATION");
                x.set("field", SIGN_IN);
            });
            // No position: the whole request is refused.
            return Err(err.into_server_error(async_graphql::Pos::default()));
        }
        Ok(doc)
    }
}

/// How many `signIn` fields a selection set runs, through fragments. Each fragment is
/// counted once and remembered (a document that spreads fragments into each other many
/// times over costs no more than its size); a fragment cycle counts as "too many".
fn sign_ins<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    memo: &mut HashMap<&'d str, Option<usize>>,
) -> usize {
    set.items.iter().fold(0usize, |n, item| {
        let more = match &item.node {
            Selection::Field(f) => usize::from(f.node.name.node == SIGN_IN),
            Selection::InlineFragment(f) => sign_ins(doc, &f.node.selection_set.node, memo),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                match memo.get(name) {
                    Some(Some(known)) => *known,
                    Some(None) => TOO_MANY,
                    None => match doc.fragments.get(&s.node.fragment_name.node) {
                        None => 0,
                        Some(f) => {
                            memo.insert(name, None);
                            let count = sign_ins(doc, &f.node.selection_set.node, memo);
                            memo.insert(name, Some(count));
                            count
                        }
                    },
                }
            }
        };
        n.saturating_add(more)
    })
}

//! The webhook delivery worker's loop, which every replica runs (`gatehouse serve`): the
//! identity services claim, send and record (see `gatehouse_identity`'s `webhooks`); this
//! loop only paces the passes and counts their outcomes for `/metrics`.

use std::time::Duration;

use gatehouse_identity::Identity;

/// Runs forever: a pass that found work is followed at once by the next; an empty or failed
/// pass waits `idle`.
pub async fn deliver(identity: Identity, idle: Duration) {
    loop {
        match identity.deliver_webhooks().await {
            Ok(pass) => {
                crate::metrics::webhook_pass(&pass);
                if pass.claimed > 0 {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, debug = ?e, "delivering webhooks failed"),
        }
        tokio::time::sleep(idle).await;
    }
}

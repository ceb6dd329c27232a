//! The IdP signing certificates a sign-in verifies with, parsed once per connection version
//! and kept in the process.
//!
//! A sign-in reads its SSO connection row anyway (by issuer or by tenant); that row's
//! `version` is the cache key, together with the connection's ID. Every change to what a
//! sign-in uses — settings, certificates added or removed — counts the version up in the
//! same transaction, so the first sign-in after a change on *any* replica misses the cache,
//! loads the certificates from the database and parses them again. Nothing here can serve a
//! certificate the database no longer holds for that version.
//!
//! The cache is bounded ([`MAX_ENTRIES`]); when full, an arbitrary entry makes room (a miss
//! costs one query and a parse, never a wrong answer).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gatehouse_saml::certificate::IdpCertificate as SamlCertificate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::to_saml_certs;
use crate::Identity;
use crate::error::Result;
use crate::model::IdpCertificate;
use crate::store::entities::{idp_certificate, sso_connection};

/// Connections whose certificates are kept parsed at once.
pub(crate) const MAX_ENTRIES: usize = 20_000;

/// One connection's certificates and the version they were loaded at.
type Entry = (i32, Arc<[SamlCertificate]>);

/// Parsed signing certificates by connection ID, each with the version it was loaded at.
#[derive(Default)]
pub(crate) struct SigningCache {
    entries: Mutex<HashMap<uuid::Uuid, Entry>>,
}

impl SigningCache {
    fn get(&self, connection: uuid::Uuid, version: i32) -> Option<Arc<[SamlCertificate]>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(&connection).filter(|(v, _)| *v == version).map(|(_, certs)| certs.clone())
    }

    fn put(&self, connection: uuid::Uuid, version: i32, certs: Arc<[SamlCertificate]>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES
            && !entries.contains_key(&connection)
            && let Some(evict) = entries.keys().next().copied()
        {
            entries.remove(&evict);
        }
        // A slower loader of an older version never replaces a newer one.
        match entries.get(&connection) {
            Some((v, _)) if *v > version => {}
            _ => {
                entries.insert(connection, (version, certs));
            }
        }
    }

    /// How many connections are cached (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Identity {
    /// The connection's signing certificates as of `conn.version`: from the cache, or loaded
    /// and parsed (and then cached) on a miss.
    pub(crate) async fn signing_certificates(&self, conn: &sso_connection::Model) -> Result<Arc<[SamlCertificate]>> {
        if let Some(certs) = self.signing.get(conn.id, conn.version) {
            return Ok(certs);
        }
        let rows = idp_certificate::Entity::find()
            .filter(idp_certificate::Column::TenantId.eq(conn.tenant_id))
            .filter(idp_certificate::Column::ConnectionId.eq(conn.id))
            .order_by_asc(idp_certificate::Column::Id)
            .all(&self.db)
            .await?;
        let stored: Vec<IdpCertificate> = rows.into_iter().map(IdpCertificate::from).collect();
        let certs: Arc<[SamlCertificate]> = to_saml_certs(&stored).into();
        self.signing.put(conn.id, conn.version, certs.clone());
        Ok(certs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_version_replaces_and_an_older_never_does() {
        let cache = SigningCache::default();
        let id = uuid::Uuid::now_v7();
        cache.put(id, 2, Arc::from(Vec::new()));
        assert!(cache.get(id, 2).is_some());
        assert!(cache.get(id, 1).is_none(), "another version is a miss");
        assert!(cache.get(id, 3).is_none(), "another version is a miss");
        cache.put(id, 1, Arc::from(Vec::new()));
        assert!(cache.get(id, 2).is_some(), "an older load does not replace a newer one");
        cache.put(id, 3, Arc::from(Vec::new()));
        assert!(cache.get(id, 3).is_some() && cache.get(id, 2).is_none());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = SigningCache::default();
        for _ in 0..MAX_ENTRIES + 10 {
            cache.put(uuid::Uuid::now_v7(), 1, Arc::from(Vec::new()));
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
    }
}

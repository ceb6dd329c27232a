//! Gatehouse's own SAML keys: stored encrypted at rest, loaded into the keyring every sign-in
//! reads from memory, and rolled over by operators without breaking IdPs.
//!
//! **At rest.** A private key is sealed with AES-256-GCM under the operator's key-encryption
//! key (KEK, 256 bits from `GATEHOUSE_KEY_ENCRYPTION_KEY` or its `_FILE`); the nonce is
//! random per seal and the row's id and role are the additional data, so a sealed key copied
//! onto another row does not open. Each row records the id of the KEK that sealed it; at start-up
//! rows sealed with `GATEHOUSE_KEY_ENCRYPTION_KEY_PREVIOUS` are re-sealed with the current KEK
//! (KEK rotation). Keys that exist but do not open stop the start-up with an error naming the
//! KEK ids, never the key material.
//!
//! **Rollover** (per role): `next` (generated, published in metadata, not yet used to sign) →
//! `active` once its overlap has passed (the old active becomes `previous`, still accepted for
//! decryption, no longer published) → `previous` dropped by the operator. Every step is an
//! operator action, audited. Other replicas pick the change up within their reload interval
//! ([`Identity::reload_sp_keys`]).
//!
//! Called by start-up (the server), GraphQL (operators' rollover and everyone's certificate
//! list), and the SSO flow (the keyring).

use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::sp::SigningKey;
use gatehouse_saml::sp_keys::{DecryptionKey, KeyAlgorithm, SpKeyring, generate_key};
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use rand::RngCore as _;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::OperatorScope;
use crate::error::{Error, Result};
use crate::store::entities::sp_key;

/// How long a generated certificate is valid.
const CERTIFICATE_DAYS: u32 = 3 * 365;
/// The shortest and longest overlap an operator may set between publishing and activating.
pub const MIN_OVERLAP: Duration = Duration::hours(0);
pub const MAX_OVERLAP: Duration = Duration::days(90);
/// The overlap of the keys Gatehouse creates on first start (nothing to overlap with).
const FIRST_KEY_OVERLAP: Duration = Duration::zero();
const SEAL_VERSION: &str = "v1:";

/// A 256-bit key-encryption key. `Debug` shows only its id.
#[derive(Clone)]
pub struct KeyEncryptionKey {
    key: [u8; 32],
    id: String,
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEncryptionKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl KeyEncryptionKey {
    /// Reads 32 bytes written as Base64 (44 characters, standard or URL-safe) or 64 hex digits.
    /// The error names the problem, never the value.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| "is not valid hex".to_owned())?
        } else {
            STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
                .map_err(|_| "must be 32 random bytes written as Base64 (44 characters) or 64 hex digits".to_owned())?
        };
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("is {} bytes long; it must be exactly 32 bytes (256 bits)", b.len()))?;
        Ok(Self::from_bytes(key))
    }

    /// A new random key.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::from_bytes(key)
    }

    fn from_bytes(key: [u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"gatehouse key-encryption key id\0").chain_update(key).finalize();
        Self { key, id: hex::encode(&digest[..8]) }
    }

    /// The key as Base64, to be written to a key file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.key)
    }

    /// A public identifier (a hash of the key), recorded with everything it seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut tag = [0u8; 16];
        let ciphertext = encrypt_aead(Cipher::aes_256_gcm(), &self.key, Some(&nonce), aad, plaintext, &mut tag)
            .map_err(|_| Error::internal("sealing an SP private key failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        out.extend_from_slice(&tag);
        Ok(format!("{SEAL_VERSION}{}", STANDARD.encode(out)))
    }

    pub(crate) fn open(&self, sealed: &str, aad: &[u8]) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed.strip_prefix(SEAL_VERSION)?).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, rest) = bytes.split_at(12);
        let (ciphertext, tag) = rest.split_at(rest.len() - 16);
        decrypt_aead(Cipher::aes_256_gcm(), &self.key, Some(nonce), aad, ciphertext, tag).ok()
    }
}

/// How Gatehouse's SP keys are protected and made.
#[derive(Clone, Debug)]
pub struct SpKeyPolicy {
    /// The key that seals new keys and opens existing ones.
    pub current: KeyEncryptionKey,
    /// A key being rotated away from: rows it sealed are re-sealed with `current` at start-up.
    pub previous: Option<KeyEncryptionKey>,
    /// The signing key's algorithm (encryption keys are always RSA-3072: RSA-OAEP).
    pub signing_algorithm: KeyAlgorithm,
}

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SpKeyRole {
    Signing,
    Encryption,
}

impl SpKeyRole {
    fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Encryption => "encryption",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "signing" => Ok(Self::Signing),
            "encryption" => Ok(Self::Encryption),
            other => Err(Error::internal(format!("unknown SP key role {other:?}"))),
        }
    }
}

/// Where a key is in its rollover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SpKeyState {
    /// Published in metadata ahead of time; not yet used to sign.
    Next,
    /// In use (signing) and published.
    Active,
    /// Replaced; not published, still accepted for decryption until dropped.
    Previous,
}

impl SpKeyState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Active => "active",
            Self::Previous => "previous",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "next" => Ok(Self::Next),
            "active" => Ok(Self::Active),
            "previous" => Ok(Self::Previous),
            other => Err(Error::internal(format!("unknown SP key state {other:?}"))),
        }
    }
}

/// One SP key as anyone may see it: the certificate and its place in the rollover, never the
/// private key.
#[derive(Clone, Debug)]
pub struct SpCertificate {
    pub id: Uuid,
    pub role: SpKeyRole,
    pub state: SpKeyState,
    pub algorithm: String,
    pub certificate_pem: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub activate_after: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    /// Whether the certificate is in `/saml2/metadata` (active and next keys).
    pub published: bool,
}

impl SpCertificate {
    fn of(row: &sp_key::Model) -> Result<Self> {
        let state = SpKeyState::parse(&row.state)?;
        Ok(Self {
            id: row.id,
            role: SpKeyRole::parse(&row.role)?,
            state,
            algorithm: row.algorithm.clone(),
            certificate_pem: row.certificate_pem.clone(),
            fingerprint_sha256: row.fingerprint_sha256.clone(),
            not_before: row.not_before,
            not_after: row.not_after,
            created_at: row.created_at,
            activate_after: row.activate_after,
            activated_at: row.activated_at,
            published: state != SpKeyState::Previous,
        })
    }

    fn audit(&self) -> serde_json::Value {
        json!({
            "role": self.role, "state": self.state, "algorithm": self.algorithm,
            "fingerprintSha256": self.fingerprint_sha256, "notAfter": self.not_after,
            "activateAfter": self.activate_after,
        })
    }
}

/// The keyring in memory and how to refresh it.
#[derive(Default)]
pub(crate) struct SpKeys {
    policy: Option<SpKeyPolicy>,
    ring: RwLock<Arc<SpKeyring>>,
}

fn aad(id: Uuid, role: SpKeyRole) -> Vec<u8> {
    let mut aad = id.as_bytes().to_vec();
    aad.extend_from_slice(role.as_str().as_bytes());
    aad
}

fn to_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

impl Identity {
    /// Protect and create SP keys under `policy` ([`Identity::load_sp_keys`] at start-up).
    /// Without it Gatehouse has no SP keys: requests go unsigned and encrypted assertions are
    /// refused.
    pub fn with_sp_key_policy(mut self, policy: SpKeyPolicy) -> Self {
        self.sp_keys = Arc::new(SpKeys { policy: Some(policy), ring: RwLock::default() });
        self
    }

    /// [`Identity::with_sp_key_policy`] when there is a policy.
    pub fn with_sp_key_policy_opt(self, policy: Option<SpKeyPolicy>) -> Self {
        match policy {
            Some(p) => self.with_sp_key_policy(p),
            None => self,
        }
    }

    /// The configured key-encryption keys (current, previous), which also seal webhook secrets.
    pub(crate) fn key_encryption_keys(&self) -> Option<(&KeyEncryptionKey, Option<&KeyEncryptionKey>)> {
        self.sp_keys.policy.as_ref().map(|p| (&p.current, p.previous.as_ref()))
    }

    /// The SP keys in use now (cheap: an `Arc` clone, no database access).
    pub fn sp_keyring(&self) -> Arc<SpKeyring> {
        self.sp_keys.ring.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// Start-up: open every stored key (re-sealing those sealed with the previous KEK), create
    /// the active signing and encryption keys on first start, and fill the keyring. Fails, with
    /// a message naming the KEK ids, when stored keys cannot be opened.
    pub async fn load_sp_keys(&self) -> Result<()> {
        let rows = sp_key::Entity::find().all(&self.db).await?;
        let Some(policy) = self.sp_keys.policy.clone() else {
            if let Some(row) = rows.first() {
                return Err(Error::internal(format!(
                    "the database holds SP private keys sealed with key-encryption key {}, but no \
                     key-encryption key is configured: set GATEHOUSE_KEY_ENCRYPTION_KEY (or \
                     GATEHOUSE_KEY_ENCRYPTION_KEY_FILE) to the key that sealed them",
                    row.kek_id
                )));
            }
            return Ok(());
        };
        for row in &rows {
            if row.kek_id == policy.current.id() {
                continue;
            }
            let Some(previous) = policy.previous.as_ref().filter(|p| p.id() == row.kek_id) else {
                return Err(Error::internal(format!(
                    "SP key {} is sealed with key-encryption key {}, but the configured key is {}{}: \
                     configure the key that sealed it (as GATEHOUSE_KEY_ENCRYPTION_KEY, or as \
                     GATEHOUSE_KEY_ENCRYPTION_KEY_PREVIOUS to rotate to a new one)",
                    row.id,
                    row.kek_id,
                    policy.current.id(),
                    policy.previous.as_ref().map(|p| format!(" (previous {})", p.id())).unwrap_or_default()
                )));
            };
            let role = SpKeyRole::parse(&row.role)?;
            let plain = previous.open(&row.private_key_ciphertext, &aad(row.id, role)).ok_or_else(|| {
                Error::internal(format!("SP key {} does not open with key-encryption key {}", row.id, previous.id()))
            })?;
            sp_key::ActiveModel {
                id: Set(row.id),
                private_key_ciphertext: Set(policy.current.seal(&plain, &aad(row.id, role))?),
                kek_id: Set(policy.current.id().to_owned()),
                ..Default::default()
            }
            .update(&self.db)
            .await?;
            tracing::warn!(key = %row.id, from = %previous.id(), to = %policy.current.id(), "SP key re-sealed with the new key-encryption key");
        }
        let now = self.now();
        for role in [SpKeyRole::Signing, SpKeyRole::Encryption] {
            let has_active = rows.iter().any(|r| r.role == role.as_str() && r.state == SpKeyState::Active.as_str());
            if !has_active {
                let txn = self.begin_write().await?;
                let created =
                    self.insert_sp_key(&txn, &policy, role, SpKeyState::Active, now + FIRST_KEY_OVERLAP).await;
                match created {
                    Ok(row) => {
                        txn.commit().await?;
                        tracing::info!(role = role.as_str(), fingerprint = %row.fingerprint_sha256, "SP key created");
                    }
                    // Another replica starting at the same moment created it first (the unique
                    // index on role + state): use theirs.
                    Err(e) => {
                        drop(txn);
                        if Self::sp_key_in(&self.db, role, SpKeyState::Active).await?.is_none() {
                            return Err(e);
                        }
                    }
                }
            }
        }
        self.reload_sp_keys().await
    }

    /// Re-read the stored keys into the keyring (after a rollover step here, and periodically
    /// for steps taken on other replicas).
    pub async fn reload_sp_keys(&self) -> Result<()> {
        let Some(policy) = self.sp_keys.policy.as_ref() else { return Ok(()) };
        let rows = sp_key::Entity::find().order_by_asc(sp_key::Column::CreatedAt).all(&self.db).await?;
        let mut ring = SpKeyring::default();
        let mut decryption_rest = Vec::new();
        let mut encryption_next = Vec::new();
        let mut signing_next = Vec::new();
        for row in &rows {
            let role = SpKeyRole::parse(&row.role)?;
            let state = SpKeyState::parse(&row.state)?;
            let der = parse_certificate(row.certificate_pem.as_bytes())
                .map_err(|e| Error::internal(format!("SP key {} has an unreadable certificate: {e}", row.id)))?
                .der;
            if row.kek_id != policy.current.id() {
                return Err(Error::internal(format!(
                    "SP key {} is sealed with key-encryption key {}, not the configured {}",
                    row.id,
                    row.kek_id,
                    policy.current.id()
                )));
            }
            let private = policy.current.open(&row.private_key_ciphertext, &aad(row.id, role)).ok_or_else(|| {
                Error::internal(format!(
                    "SP key {} does not open with key-encryption key {}: the key or the stored data is wrong",
                    row.id,
                    policy.current.id()
                ))
            })?;
            match role {
                SpKeyRole::Signing => {
                    let key = SigningKey::from_der(&private, &der)
                        .map_err(|e| Error::internal(format!("SP signing key {}: {e}", row.id)))?;
                    match state {
                        SpKeyState::Active => {
                            ring.signing_published.insert(0, key.certificate().clone());
                            ring.signing = Some(key);
                        }
                        SpKeyState::Next => signing_next.push(key.certificate().clone()),
                        SpKeyState::Previous => {}
                    }
                }
                SpKeyRole::Encryption => {
                    let key = DecryptionKey::from_der(&private, &der)
                        .map_err(|e| Error::internal(format!("SP encryption key {}: {e}", row.id)))?;
                    match state {
                        SpKeyState::Active => {
                            ring.encryption_published.insert(0, key.certificate().clone());
                            ring.decryption.insert(0, key);
                        }
                        SpKeyState::Next => {
                            encryption_next.push(key.certificate().clone());
                            decryption_rest.push(key);
                        }
                        SpKeyState::Previous => decryption_rest.push(key),
                    }
                }
            }
        }
        ring.signing_published.extend(signing_next);
        ring.encryption_published.extend(encryption_next);
        ring.decryption.extend(decryption_rest);
        if let Ok(mut slot) = self.sp_keys.ring.write() {
            *slot = Arc::new(ring);
        }
        Ok(())
    }

    async fn insert_sp_key(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        policy: &SpKeyPolicy,
        role: SpKeyRole,
        state: SpKeyState,
        activate_after: DateTime<Utc>,
    ) -> Result<sp_key::Model> {
        let algorithm = match role {
            SpKeyRole::Signing => policy.signing_algorithm,
            SpKeyRole::Encryption => KeyAlgorithm::Rsa3072,
        };
        let now = self.now();
        let common_name = format!("Gatehouse SAML {}", role.as_str());
        // RSA-3072 generation takes a noticeable moment: off the async threads.
        let generated =
            tokio::task::spawn_blocking(move || generate_key(algorithm, &common_name, now, CERTIFICATE_DAYS))
                .await
                .map_err(|e| Error::internal(format!("key generation did not finish: {e}")))?
                .map_err(|e| Error::internal(format!("key generation failed: {e}")))?;
        let id = Uuid::now_v7();
        let row = sp_key::ActiveModel {
            id: Set(id),
            role: Set(role.as_str().into()),
            state: Set(state.as_str().into()),
            algorithm: Set(algorithm.as_str().into()),
            certificate_pem: Set(to_pem(&generated.certificate.der)),
            fingerprint_sha256: Set(generated.certificate.fingerprint_sha256.clone()),
            not_before: Set(generated.certificate.not_before),
            not_after: Set(generated.certificate.not_after),
            private_key_ciphertext: Set(policy.current.seal(&generated.private_key_der, &aad(id, role))?),
            kek_id: Set(policy.current.id().to_owned()),
            created_at: Set(now),
            activate_after: Set(activate_after),
            activated_at: Set((state == SpKeyState::Active).then_some(now)),
        };
        Ok(row.insert(txn).await?)
    }

    /// The SP metadata document. Global (`tenant` `None`): `AuthnRequestsSigned="false"`,
    /// because each tenant decides whether its requests are signed. Per tenant (the slug):
    /// `AuthnRequestsSigned` is that tenant's "sign AuthnRequests" setting (when a signing key
    /// exists), so the document an admin hands to their IdP is truthful for their requests.
    pub async fn sp_metadata_xml(&self, tenant: Option<&str>) -> Result<String> {
        let signed = match tenant {
            None => false,
            Some(slug) => {
                let tenant = self.find_tenant_by_slug(slug).await?.ok_or(Error::NotFound { what: "tenant" })?;
                self.load_connection(&self.db, tenant.id).await?.sign_authn_requests
            }
        };
        Ok(self.service_provider().metadata_xml(&self.sp_keyring(), signed))
    }

    /// Every SP certificate with its role and rollover state (public data; any admin).
    pub async fn sp_certificates(&self) -> Result<Vec<SpCertificate>> {
        let rows = sp_key::Entity::find()
            .order_by_asc(sp_key::Column::Role)
            .order_by_asc(sp_key::Column::CreatedAt)
            .all(&self.db)
            .await?;
        rows.iter().map(SpCertificate::of).collect()
    }

    fn sp_policy(&self) -> Result<&SpKeyPolicy> {
        self.sp_keys.policy.as_ref().ok_or_else(|| Error::Conflict {
            field: None,
            message: "Gatehouse has no SP keys: no key-encryption key is configured \
                          (GATEHOUSE_KEY_ENCRYPTION_KEY)"
                .into(),
        })
    }

    async fn sp_key_in(
        txn: &impl sea_orm::ConnectionTrait,
        role: SpKeyRole,
        state: SpKeyState,
    ) -> Result<Option<sp_key::Model>> {
        Ok(sp_key::Entity::find()
            .filter(sp_key::Column::Role.eq(role.as_str()))
            .filter(sp_key::Column::State.eq(state.as_str()))
            .one(txn)
            .await?)
    }

    /// Rollover step 1: create the next key of `role` and publish its certificate in metadata
    /// now; it may be activated once `overlap` has passed. One next key per role at a time.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn generate_next_sp_key(
        &self,
        scope: &OperatorScope,
        role: SpKeyRole,
        overlap: Duration,
    ) -> Result<SpCertificate> {
        let policy = self.sp_policy()?.clone();
        if overlap < MIN_OVERLAP || overlap > MAX_OVERLAP {
            return Err(Error::invalid(
                "overlapHours",
                format!("must be between 0 and {} hours", MAX_OVERLAP.num_hours()),
            ));
        }
        let txn = self.begin_write().await?;
        if Self::sp_key_in(&txn, role, SpKeyState::Next).await?.is_some() {
            return Err(Error::conflict(
                "role",
                format!("a next {} key already exists; activate or drop it first", role.as_str()),
            ));
        }
        let now = self.now();
        let row = self.insert_sp_key(&txn, &policy, role, SpKeyState::Next, now + overlap).await?;
        let created = SpCertificate::of(&row)?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: None,
                actor: scope.actor(),
                action: "sp_key.generate_next",
                target_type: "sp_key",
                target_id: Some(created.id.to_string()),
                before: None,
                after: Some(created.audit()),
            },
        )
        .await?;
        txn.commit().await?;
        self.reload_sp_keys().await?;
        Ok(created)
    }

    /// Rollover step 2: the next key of `role` becomes active, the active one previous. Refused
    /// before the overlap has passed unless `force`, and while a previous key still exists.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn activate_next_sp_key(
        &self,
        scope: &OperatorScope,
        role: SpKeyRole,
        force: bool,
    ) -> Result<SpCertificate> {
        self.sp_policy()?;
        let now = self.now();
        let txn = self.begin_write().await?;
        let next = Self::sp_key_in(&txn, role, SpKeyState::Next).await?.ok_or_else(|| {
            Error::conflict("role", format!("there is no next {} key; generate one first", role.as_str()))
        })?;
        if next.activate_after > now && !force {
            return Err(Error::conflict(
                "force",
                format!(
                    "the next {} key has been published only since {}; IdPs may not have read it yet. \
                     It may be activated from {} (or now with force)",
                    role.as_str(),
                    next.created_at.to_rfc3339(),
                    next.activate_after.to_rfc3339()
                ),
            ));
        }
        if Self::sp_key_in(&txn, role, SpKeyState::Previous).await?.is_some() {
            return Err(Error::conflict(
                "role",
                format!("a previous {} key still exists; drop it before activating another", role.as_str()),
            ));
        }
        let active = Self::sp_key_in(&txn, role, SpKeyState::Active).await?;
        if let Some(active) = &active {
            sp_key::ActiveModel {
                id: Set(active.id),
                state: Set(SpKeyState::Previous.as_str().into()),
                ..Default::default()
            }
            .update(&txn)
            .await?;
        }
        let row = sp_key::ActiveModel {
            id: Set(next.id),
            state: Set(SpKeyState::Active.as_str().into()),
            activated_at: Set(Some(now)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let activated = SpCertificate::of(&row)?;
        audit::record(&txn, now, Change {
            tenant_id: None,
            actor: scope.actor(),
            action: "sp_key.activate",
            target_type: "sp_key",
            target_id: Some(activated.id.to_string()),
            before: Some(json!({"active": active.map(|a| a.fingerprint_sha256), "forced": force && next.activate_after > now})),
            after: Some(activated.audit()),
        })
        .await?;
        txn.commit().await?;
        self.reload_sp_keys().await?;
        Ok(activated)
    }

    /// Rollover step 3: drop a previous key (or cancel a next one). The active key is never
    /// dropped.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn drop_sp_key(&self, scope: &OperatorScope, id: Uuid) -> Result<SpCertificate> {
        self.sp_policy()?;
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = sp_key::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound { what: "SP key" })?;
        let dropped = SpCertificate::of(&row)?;
        if dropped.state == SpKeyState::Active {
            return Err(Error::conflict("id", "the active key cannot be dropped; activate a next key first"));
        }
        sp_key::Entity::delete_by_id(id).exec(&txn).await?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: None,
                actor: scope.actor(),
                action: "sp_key.drop",
                target_type: "sp_key",
                target_id: Some(id.to_string()),
                before: Some(dropped.audit()),
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        self.reload_sp_keys().await?;
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kek_parses_base64_and_hex_and_names_problems_without_the_value() {
        let k = KeyEncryptionKey::generate();
        let again = KeyEncryptionKey::parse(&k.to_base64()).expect("base64");
        assert_eq!(again.id(), k.id());
        let hex_form = hex::encode(k.key);
        assert_eq!(KeyEncryptionKey::parse(&hex_form).expect("hex").id(), k.id());
        let short = KeyEncryptionKey::parse("c2hvcnQ=").unwrap_err();
        assert!(short.contains("5 bytes"), "{short}");
        assert!(!short.contains("c2hvcnQ"), "{short}");
        assert!(!format!("{k:?}").contains(&k.to_base64()));
    }

    #[test]
    fn sealed_keys_open_only_with_their_key_and_row() {
        let k = KeyEncryptionKey::generate();
        let id = Uuid::now_v7();
        let sealed = k.seal(b"private key bytes", &aad(id, SpKeyRole::Signing)).expect("seal");
        assert!(!sealed.contains("private"));
        assert_eq!(k.open(&sealed, &aad(id, SpKeyRole::Signing)).as_deref(), Some(&b"private key bytes"[..]));
        assert!(k.open(&sealed, &aad(id, SpKeyRole::Encryption)).is_none(), "another role");
        assert!(k.open(&sealed, &aad(Uuid::now_v7(), SpKeyRole::Signing)).is_none(), "another row");
        assert!(KeyEncryptionKey::generate().open(&sealed, &aad(id, SpKeyRole::Signing)).is_none(), "another key");
        let mut flipped = sealed.into_bytes();
        let last = flipped.len() - 3;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert!(k.open(&String::from_utf8(flipped).unwrap_or_default(), &aad(id, SpKeyRole::Signing)).is_none());
    }
}

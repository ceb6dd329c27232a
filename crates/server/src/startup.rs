//! Start-up: logging, database connection + migrations, and the shared state.

use std::sync::Arc;

use gatehouse_graphql::{ServiceProviderInfo, build_schema};
use gatehouse_identity::{Identity, KeyEncryptionKey, ServiceProvider, SessionPolicy, SpKeyPolicy, SystemClock};
use gatehouse_migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::app::AppState;
use crate::config::{Config, LogFormat, redact_url};
use crate::cookies::Cookies;
use crate::limits::BodyLimits;
use crate::metrics::MetricsToken;

/// Human-readable logs by default, JSON with `GATEHOUSE_LOG_FORMAT=json`. `RUST_LOG`
/// overrides the levels. OpenTelemetry traces when an OTLP endpoint is configured
/// (`crate::telemetry`): the returned exporter is shut down at exit to send what is queued.
pub fn tracing_init(format: LogFormat) -> Option<crate::telemetry::Telemetry> {
    crate::telemetry::init(format)
}

/// Opens the database (creating a SQLite file's folder when needed) and applies any
/// pending migrations.
pub async fn connect_and_migrate(database_url: &str, pool_size: Option<u32>) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(database_url)
        && let Some(dir) = std::path::Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the database folder {}: {e}", dir.display()))?;
    }
    let db = gatehouse_identity::db::connect_with(database_url, pool_size)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(database_url)))?;
    Migrator::up(&db, None).await.map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    Ok(db)
}

/// How Gatehouse's SP private keys are protected. A configured key-encryption key wins.
/// Without one, in development (an `http://` public URL) a key file `gatehouse-kek.key`
/// (mode 0600) is created next to the SQLite database (or in `./data/`) and used, loudly; in
/// production (`https://`) Gatehouse runs without SP keys and says so.
pub(crate) fn sp_key_policy(cfg: &Config) -> anyhow::Result<Option<SpKeyPolicy>> {
    if let Some(policy) = cfg.configured_sp_keys() {
        return Ok(Some(policy));
    }
    if !cfg.public_url().starts_with("http://") {
        tracing::warn!(
            "no key-encryption key is configured (GATEHOUSE_KEY_ENCRYPTION_KEY or _FILE): Gatehouse has no SP \
             signing or encryption keys, so requests are not signed and encrypted assertions are refused"
        );
        return Ok(None);
    }
    let dir = sqlite_path(&cfg.database_url)
        .and_then(|p| std::path::Path::new(&p).parent().map(std::path::Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::PathBuf::from("data"));
    let path = dir.join("gatehouse-kek.key");
    let current = dev_key_file(&path)?;
    tracing::warn!(
        path = %path.display(),
        kek_id = current.id(),
        "DEVELOPMENT: SP private keys are sealed with a key-encryption key kept in a file next to the \
         database; set GATEHOUSE_KEY_ENCRYPTION_KEY_FILE (and an https:// public URL) in production"
    );
    Ok(Some(SpKeyPolicy { current, previous: None, signing_algorithm: cfg.signing_algorithm() }))
}

/// Reads the development key file, creating it (0600, atomically: a new file is linked into
/// place only if none exists, so concurrent starts agree on one key) when missing.
fn dev_key_file(path: &std::path::Path) -> anyhow::Result<KeyEncryptionKey> {
    let read = |path: &std::path::Path| -> anyhow::Result<KeyEncryptionKey> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the key-encryption key file {}: {e}", path.display()))?;
        KeyEncryptionKey::parse(&text)
            .map_err(|why| anyhow::anyhow!("the key-encryption key file {} {why}", path.display()))
    };
    if path.exists() {
        return read(path);
    }
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let key = KeyEncryptionKey::generate();
    let temp = dir.join(format!(".gatehouse-kek.{}.tmp", uuid::Uuid::new_v4()));
    {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", temp.display()))?;
        file.write_all(key.to_base64().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", temp.display()))?;
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(key),
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(anyhow::anyhow!("cannot create the key-encryption key file {}: {e}", path.display())),
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// The state the router shares, built from config and an open database.
pub fn state(cfg: &Config, db: DatabaseConnection) -> anyhow::Result<AppState> {
    let public_url = cfg.public_url();
    let sp = ServiceProvider::from_public_url(&public_url)
        .map_err(|e| anyhow::anyhow!("GATEHOUSE_PUBLIC_URL {public_url:?}: {e}"))?;
    let identity = Identity::new(
        db,
        Arc::new(SystemClock),
        SessionPolicy {
            idle_timeout: chrono::Duration::minutes(cfg.session_idle_minutes),
            absolute_timeout: chrono::Duration::hours(cfg.session_absolute_hours),
        },
        sp,
    )
    .with_limits(cfg.limits())
    .with_live_limits(cfg.live_limits())
    .with_sp_key_policy_opt(sp_key_policy(cfg)?)
    .with_fetcher(
        gatehouse_outbound::Fetcher::new(cfg.outbound()).map_err(|e| anyhow::anyhow!("outbound HTTP client: {e}"))?,
    )
    .with_domains(cfg.resolver()?, cfg.domain_policy())
    .with_webhooks(
        Some(
            gatehouse_outbound::Fetcher::new(cfg.webhook_outbound())
                .map_err(|e| anyhow::anyhow!("webhook HTTP client: {e}"))?,
        ),
        cfg.webhook_policy(),
    );
    let sp = identity.service_provider();
    let sp = ServiceProviderInfo {
        public_url: public_url.clone(),
        entity_id: sp.entity_id.clone(),
        acs_url: sp.acs_url.clone(),
        metadata_url: format!("{public_url}/saml2/metadata"),
        login_url: format!("{public_url}/saml2/login"),
        scim_base_url: format!("{public_url}/scim/v2"),
    };
    let cookies = Cookies::new(public_url.starts_with("https://"));
    let schema = build_schema(identity.clone(), sp);
    let limits = BodyLimits {
        graphql: cfg.graphql_max_body_bytes,
        acs: cfg.acs_max_body_bytes,
        form: crate::limits::FORM_BODY_LIMIT,
        scim: gatehouse_scim::discovery::MAX_BODY_BYTES,
    };
    Ok(AppState {
        identity,
        schema,
        public_origin: crate::same_origin::origin_of(&public_url),
        public_url,
        cookies,
        limits,
        metrics_token: cfg.metrics_token.as_deref().map(MetricsToken::new),
        trusted_proxies: cfg.trusted_proxies()?,
        live: crate::live::LiveSettings {
            sockets: Arc::new(tokio::sync::Semaphore::new(cfg.live_max_subscriptions)),
            recheck: std::time::Duration::from_secs(cfg.live_recheck_seconds),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{dev_key_file, sqlite_path};

    #[test]
    fn the_dev_key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("gatehouse-kek.key");
        let first = dev_key_file(&path).expect("created");
        let again = dev_key_file(&path).expect("read back");
        assert_eq!(first.id(), again.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::write(&path, "not a key").expect("write");
        let e = dev_key_file(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("gatehouse-kek.key") && e.contains("32 random bytes"), "{e}");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://data/g.sqlite?mode=rwc").as_deref(), Some("data/g.sqlite"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}

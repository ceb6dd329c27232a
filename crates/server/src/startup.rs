//! Start-up: logging, database connection + migrations, and the shared state.

use std::sync::Arc;

use gatehouse_graphql::{ServiceProviderInfo, build_schema};
use gatehouse_identity::{Identity, ServiceProvider, SessionPolicy, SystemClock};
use gatehouse_migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use tracing_subscriber::EnvFilter;

use crate::app::AppState;
use crate::config::{Config, LogFormat, redact_url};
use crate::cookies::Cookies;
use crate::limits::BodyLimits;
use crate::metrics::MetricsToken;

/// Human-readable logs by default, JSON with `GATEHOUSE_LOG_FORMAT=json`. `RUST_LOG`
/// overrides the levels.
pub fn tracing_init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
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
    .with_fetcher(
        gatehouse_outbound::Fetcher::new(cfg.outbound()).map_err(|e| anyhow::anyhow!("outbound HTTP client: {e}"))?,
    )
    .with_domains(cfg.resolver()?, cfg.domain_policy());
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
    })
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://data/g.sqlite?mode=rwc").as_deref(), Some("data/g.sqlite"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}

//! The `gatehouse` command: `serve` (default), `migrate`, `tenant create`, `admin create`,
//! `schema`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use gatehouse_identity::{Bootstrap, BootstrapReport, NewTenant, SystemAccess};
use gatehouse_server::config::Config;
use gatehouse_server::{app, connect_and_migrate, state, tracing_init};

#[derive(Parser)]
#[command(name = "gatehouse", version, about = "Identity management for multi-tenant SaaS: SAML SSO and SCIM")]
struct Cli {
    /// A TOML configuration file (also GATEHOUSE_CONFIG; ./gatehouse.toml is read when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage platform operators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant with its first tenant admin.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        admin_password: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform operator.
    Create {
        #[arg(long)]
        email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        password: Option<String>,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // Gatehouse's own operator rights (first start, the CLI): claimed here, once, and
    // handed to what needs them.
    let Some(system) = SystemAccess::claim() else {
        eprintln!("gatehouse: system access was claimed twice");
        std::process::exit(1);
    };
    if let Err(e) = run(cli, &system).await {
        eprintln!("gatehouse: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli, system: &SystemAccess) -> anyhow::Result<()> {
    if let Some(Command::Schema) = cli.command {
        print!("{}", gatehouse_graphql::schema_sdl());
        return Ok(());
    }
    let (cfg, warnings) = Config::load(cli.config.as_deref())?;
    let telemetry = tracing_init(cfg.log_format);
    for w in warnings {
        tracing::warn!("{w}");
    }
    let outcome = dispatch(cli.command, cfg, system).await;
    // The spans still queued go out before the process ends (blocking, so off the runtime).
    if let Some(telemetry) = telemetry {
        let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    }
    outcome
}

async fn dispatch(command: Option<Command>, cfg: Config, system: &SystemAccess) -> anyhow::Result<()> {
    let db = connect_and_migrate(&cfg.database_url, cfg.database_pool_size).await?;
    match command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cfg, db, system).await,
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::Tenant { command: TenantCommand::Create { slug, name, admin_email, admin_password } } => {
            let st = state(&cfg, db)?;
            let created = st
                .identity
                .create_tenant(&system.operator_scope("cli"), NewTenant { slug, name, admin_email, admin_password })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created tenant {:?} ({})", created.tenant.slug, created.tenant.name);
            println!("tenant admin: {}", created.admin.email);
            if let Some(p) = created.generated_password {
                println!("password (shown once): {p}");
            }
            Ok(())
        }
        Command::Admin { command: AdminCommand::Create { email, password } } => {
            let st = state(&cfg, db)?;
            let generated = password.is_none().then(gatehouse_identity::generate_password);
            let pw = password.or_else(|| generated.clone()).unwrap_or_default();
            let op = st
                .identity
                .create_operator(&system.operator_scope("cli"), &email, &pw)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created platform operator {}", op.email);
            if let Some(p) = generated {
                println!("password (shown once): {p}");
            }
            Ok(())
        }
        Command::Schema => unreachable!("handled above"),
    }
}

async fn serve(cfg: Config, db: sea_orm::DatabaseConnection, system: &SystemAccess) -> anyhow::Result<()> {
    let st = state(&cfg, db)?;
    st.identity.load_sp_keys().await.map_err(|e| anyhow::anyhow!("SP keys: {}", internal_detail(&e)))?;
    // Rollover steps taken on another replica reach this one within a minute.
    let reloader = st.identity.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = reloader.reload_sp_keys().await {
                tracing::warn!(error = %internal_detail(&e), "reloading the SP keys failed");
            }
        }
    });
    let public_url = st.public_url.clone();
    let report = st
        .identity
        .bootstrap(
            system,
            &Bootstrap {
                operator_email: cfg.bootstrap_email.clone(),
                operator_password: cfg.bootstrap_password.clone(),
                demo_tenant: cfg.demo_tenant,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("first-start set-up failed: {e}"))?;
    if let Some(r) = &report {
        print_first_start(&public_url, r);
    }
    // Expired pending sign-ins, hand-overs, replay entries, sessions and finished
    // rate-limit counters are purged in the background; correctness never depends on it
    // (every lookup checks expiry itself).
    let purger = st.identity.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            match purger.purge_expired().await {
                Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired sign-in state"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging expired sign-in state failed"),
            }
            match purger.notice_certificate_expiry().await {
                Ok(n) if n > 0 => tracing::info!(events = n, "wrote certificate expiry webhook events"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "writing certificate expiry webhook events failed"),
            }
            match purger.purge_rate_limits().await {
                Ok(n) if n > 0 => tracing::debug!(removed = n, "purged finished rate-limit counters"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging rate-limit counters failed"),
            }
        }
    });
    // IdP metadata URLs due for a refresh are fetched in the background; each replica
    // claims a tenant before fetching, so one fetch happens per due tenant.
    let refresher = st.identity.clone();
    let refresh_scope = system.operator_scope("metadata refresh");
    let every = std::time::Duration::from_secs(cfg.metadata_refresh_interval_seconds);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match refresher.refresh_due_idp_metadata(&refresh_scope).await {
                Ok(n) if n > 0 => tracing::info!(fetched = n, "refreshed IdP metadata URLs"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "refreshing IdP metadata URLs failed"),
            }
        }
    });
    // Verified domains due for a re-check are looked up in the background (each claimed
    // first, so replicas do not check one twice); a lost record flags the domain.
    let checker = st.identity.clone();
    let check_scope = system.operator_scope("domain re-check");
    let every = cfg.domain_tick();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match checker.recheck_due_domains(&check_scope).await {
                Ok(n) if n > 0 => tracing::info!(checked = n, "re-checked verified domains"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "re-checking verified domains failed"),
            }
        }
    });
    // Webhook deliveries: every replica runs the worker; each delivery is leased by one.
    tokio::spawn(gatehouse_server::webhooks::deliver(
        st.identity.clone(),
        std::time::Duration::from_millis(cfg.webhook_poll_interval_ms),
    ));
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cfg.listen))?;
    println!("Gatehouse is running. Console: {public_url}/  GraphQL: {public_url}/graphql");
    if report.is_none() {
        println!("Sign in with the operator account printed at first start ({}).", cfg.bootstrap_email);
    }
    tracing::info!(listen = %cfg.listen, public_url = %public_url, "listening");
    axum::serve(listener, app(st).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// The cause behind an internal error (start-up is the operator's console: the detail, which
/// names key ids and never key material, is what they need).
fn internal_detail(e: &gatehouse_identity::Error) -> String {
    match e {
        gatehouse_identity::Error::Internal(cause) => cause.to_string(),
        other => other.to_string(),
    }
}

fn print_first_start(public_url: &str, r: &BootstrapReport) {
    println!();
    println!("First start: Gatehouse created these accounts. Passwords are shown only this once.");
    println!("  Console:            {public_url}/");
    println!("  Platform operator:  {}", r.operator_email);
    match &r.operator_password {
        Some(p) => println!("  Password:           {p}"),
        None => println!("  Password:           (as set in GATEHOUSE_BOOTSTRAP_PASSWORD)"),
    }
    if let Some(d) = &r.demo {
        println!("  Demo tenant:        {} (admin {})", d.slug, d.admin_email);
        if let Some(p) = &d.admin_password {
            println!("  Demo admin password: {p}");
        }
    }
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

//! First start, the CLI, sign-in and SSO settings over HTTP, health checks, shutdown.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::json;

both_backends!(first_start_prints_credentials_once_and_they_work, |db| async move {
    let db: TestDb = db;
    let server = Server::start(db.url(), &[]).await;
    let out = server.stdout();
    assert!(out.contains("Passwords are shown only this once"), "{out}");
    let op_password = server.printed("Password:").expect("operator password printed");
    let demo_password = server.printed("Demo admin password:").expect("demo password printed");
    assert!(op_password.len() >= 20 && demo_password.len() >= 20);
    assert!(out.contains(&format!("Console:            {}/", server.base)), "{out}");

    let ops = Client::new(&server.base);
    assert_eq!(ops.sign_in("admin@gatehouse.local", &op_password, None).await["role"], "PLATFORM_OPERATOR");
    let tenants = ops.gql("{ tenants { nodes { slug devMode } } }", json!({})).await;
    assert_eq!(tenants["data"]["tenants"]["nodes"][0]["slug"], "demo");

    let admin = Client::new(&server.base);
    assert_eq!(admin.sign_in("admin@demo.example.com", &demo_password, None).await["tenant"]["slug"], "demo");
    let health = admin.http.get(format!("{}/healthz", server.base)).send().await.unwrap();
    assert!(health.status().is_success());
    assert!(server.terminate(), "SIGTERM ends the server cleanly");

    // A second start on the same database creates and prints nothing new.
    let again = Server::start(db.url(), &[]).await;
    let out = again.stdout();
    assert!(!out.contains("Password:") && !out.contains("shown only this once"), "{out}");
    assert!(out.contains("Gatehouse is running"), "{out}");
    let admin = Client::new(&again.base);
    admin.sign_in("admin@demo.example.com", &demo_password, None).await;
});

both_backends!(cli_creates_tenants_and_operators, |db| async move {
    let db: TestDb = db;
    let (ok, out, err) = run_cli(db.url(), &["migrate"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run_cli(
        db.url(),
        &["tenant", "create", "--slug", "contoso", "--name", "Contoso", "--admin-email", "it@contoso.example"],
    );
    assert!(ok, "{out}{err}");
    let password =
        out.lines().find_map(|l| l.strip_prefix("password (shown once): ")).expect("generated password").to_owned();
    let (ok, _, err) = run_cli(
        db.url(),
        &["tenant", "create", "--slug", "contoso", "--name", "Again", "--admin-email", "x@y.example"],
    );
    assert!(!ok && err.contains("slug"), "a duplicate slug is refused by name: {err}");
    let (ok, out, err) =
        run_cli(db.url(), &["admin", "create", "--email", "ops@example.com", "--password", "a long operator password"]);
    assert!(ok, "{out}{err}");

    let server = Server::start(db.url(), &[]).await;
    let c = Client::new(&server.base);
    assert_eq!(c.sign_in("it@contoso.example", &password, None).await["role"], "TENANT_ADMIN");
    let ops = Client::new(&server.base);
    assert_eq!(ops.sign_in("ops@example.com", "a long operator password", None).await["role"], "PLATFORM_OPERATOR");
    assert!(!server.stdout().contains("Password:"), "an existing operator means no first-start accounts");
});

both_backends!(an_admin_configures_entra_sso_over_graphql, |db| async move {
    let db: TestDb = db;
    let server = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", "operator password 123")]).await;
    let ops = Client::new(&server.base);
    ops.sign_in("admin@gatehouse.local", "operator password 123", None).await;
    let r = ops
        .gql(
            "mutation { createTenant(input:{slug:\"contoso\", name:\"Contoso\", adminEmail:\"admin@contoso.example\", adminPassword:\"contoso admin password\"}){ tenant { slug } } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let admin = Client::new(&server.base);
    admin.sign_in("admin@contoso.example", "contoso admin password", None).await;
    let sp = admin.gql("{ serviceProvider { entityId acsUrl signOnUrl metadataUrl } }", json!({})).await;
    assert_eq!(sp["data"]["serviceProvider"]["entityId"], format!("{}/saml2", server.base));
    assert_eq!(sp["data"]["serviceProvider"]["acsUrl"], format!("{}/saml2", server.base));

    let pem = gatehouse_test_support::certificate(
        "Microsoft Azure Federated SSO Certificate",
        chrono_now_minus_days(1),
        1095,
    );
    let cert = admin
        .gql(
            "mutation($c:String!){ addIdpCertificate(certificate:$c){ subject fingerprintSha256 expiresSoon } }",
            json!({"c": pem}),
        )
        .await;
    assert_eq!(cert["data"]["addIdpCertificate"]["subject"], "CN=Microsoft Azure Federated SSO Certificate", "{cert}");
    let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let saved = admin
        .gql(
            "mutation($i:SsoConnectionInput!){ updateSsoConnection(input:$i){ enabled provider loginUrl issuer logoutUrl version } }",
            json!({"i": {
                "enabled": true, "provider": "ENTRA_ID",
                "loginUrl": format!("https://login.microsoftonline.com/{tid}/saml2"),
                "issuer": format!("https://sts.windows.net/{tid}/"),
                "logoutUrl": format!("https://login.microsoftonline.com/{tid}/saml2"),
                "loginPolicy": "PASSWORD_OR_SSO", "allowIdpInitiated": true
            }}),
        )
        .await;
    assert!(saved["errors"].is_null(), "{saved}");
    let read = admin
        .gql(
            "{ ssoConnection { enabled issuer certificates { subject } } auditEvents { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(read["data"]["ssoConnection"]["enabled"], true);
    assert_eq!(read["data"]["ssoConnection"]["issuer"], format!("https://sts.windows.net/{tid}/"));
    let actions: Vec<&str> = read["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    // updateSsoConnection on a tenant whose SSO was not live is a Save that publishes at once:
    // the settings change and the published version, both audited.
    assert_eq!(actions[..2], ["sso_settings.save_and_publish", "sso_connection.update"]);
});

both_backends!(logs_are_json_on_request_and_unknown_keys_are_warned, |db| async move {
    let db: TestDb = db;
    let out = std::process::Command::new(binary())
        .arg("migrate")
        .env("DATABASE_URL", db.url())
        .env("GATEHOUSE_LOG_FORMAT", "json")
        .env("GATEHOUSE_LISTN", "127.0.0.1:1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.contains("listn")).unwrap_or_else(|| panic!("no warning about the typo: {err}"));
    let v: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
    assert_eq!(v["level"], "WARN");
    assert!(v["message"].as_str().unwrap().contains("unknown configuration key"));

    let bad = std::process::Command::new(binary()).arg("migrate").env("DATABASE_URL", "nosuch://x").output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot open the database"));
});

fn chrono_now_minus_days(days: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::days(days)
}

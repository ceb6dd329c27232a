//! The database's own keys on what a sign-in writes (migration 000060, PostgreSQL): a session
//! belongs to its user's own tenant, an operator's session to no tenant, and a user's
//! sessions go with the user. Services never write a session that breaks these; the keys are
//! the floor under them, so the test writes the rows itself.

use gatehouse_identity::*;
use gatehouse_test_support::{Backend, TestDb};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::support::Ctx;

async fn insert_session(db: &TestDb, tenant: Option<uuid::Uuid>, user: Option<uuid::Uuid>) -> Result<(), String> {
    let now = chrono::Utc::now();
    let values: Vec<Value> = vec![
        uuid::Uuid::now_v7().into(),
        uuid::Uuid::now_v7().simple().to_string().into(),
        tenant.into(),
        user.into(),
        "password".into(),
        now.into(),
        (now + chrono::Duration::hours(1)).into(),
    ];
    db.conn()
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO sessions (id, token_hash, tenant_id, user_id, auth_method, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
            values,
        ))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_holds_each_session_to_its_users_own_tenant() {
    let ctx = Ctx::new(TestDb::new(Backend::Postgres).await);
    let db = &ctx._db;
    let (contoso, scope) = ctx.tenant("contoso").await;
    let (fabrikam, _) = ctx.tenant("fabrikam").await;
    let ada = ctx
        .identity
        .create_user(&scope, NewUser { email: "ada@contoso.example".into(), ..NewUser::default() })
        .await
        .unwrap();
    let (c, f, u) = (contoso.id.as_uuid(), fabrikam.id.as_uuid(), ada.id.as_uuid());

    insert_session(db, Some(c), Some(u)).await.expect("a session in the user's own tenant");
    let err = insert_session(db, Some(f), Some(u)).await.expect_err("the user's session in another tenant");
    assert!(err.contains("fk_sessions_tenant_user"), "{err}");
    let err = insert_session(db, Some(c), Some(uuid::Uuid::now_v7())).await.expect_err("a user who does not exist");
    assert!(err.contains("fk_sessions_tenant_user"), "{err}");
    for (tenant, user) in [(Some(c), None), (None, Some(u))] {
        let err = insert_session(db, tenant, user).await.expect_err("half a user session");
        assert!(err.contains("ck_sessions_tenant_user"), "{err}");
    }

    // The user's sessions go with the user's row.
    let count = |db: &TestDb| {
        let conn = db.conn().clone();
        async move {
            let row = conn
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM sessions WHERE user_id = $1",
                    [u.into()],
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    assert_eq!(count(db).await, 1);
    db.conn()
        .execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "DELETE FROM users WHERE id = $1", [u.into()]))
        .await
        .unwrap();
    assert_eq!(count(db).await, 0);
}

//! The limiter's maths, driven by the injected clock: free attempts, exponential back-off
//! up to the cap, refused attempts not counted, windows that start over, the purge, and
//! password sign-in throttled before any hashing.

use std::time::Duration as StdDuration;

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

/// Three free requests a minute, then 1 s, 2 s, 4 s … at most 8 s.
fn api_limits() -> Limits {
    Limits {
        api_per_token: Policy {
            free: 3,
            window: StdDuration::from_secs(60),
            base: StdDuration::from_secs(1),
            cap: StdDuration::from_secs(8),
        },
        ..Limits::default()
    }
}

async fn api_token(ctx: &Ctx, scope: &AdminScope, name: &str) -> Principal {
    let (token, _) = ctx.identity.create_api_token(scope, name).await.unwrap();
    ctx.identity.resolve_api_token(&token).await.unwrap().expect("live token")
}

/// `None` when admitted, else the wait the refusal names.
async fn attempt(identity: &Identity, p: &Principal) -> Option<u64> {
    match identity.admit_api_request(p).await {
        Ok(()) => None,
        Err(Error::RateLimited { retry_after_secs, .. }) => Some(retry_after_secs),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

both_backends!(back_off_doubles_up_to_the_cap_and_the_window_starts_over, |db| async move {
    let mut ctx = Ctx::new(db);
    ctx.identity = ctx.identity.clone().with_limits(api_limits());
    let (_, scope) = ctx.tenant("contoso").await;
    let token = api_token(&ctx, &scope, "ci").await;
    let other = api_token(&ctx, &scope, "other").await;
    let id = &ctx.identity;

    for _ in 0..3 {
        assert_eq!(attempt(id, &token).await, None, "free attempts");
    }
    assert_eq!(attempt(id, &token).await, Some(1), "after the free ones: wait base");
    assert_eq!(attempt(id, &token).await, Some(1), "a refused attempt is not counted");
    assert_eq!(attempt(id, &other).await, None, "another key has its own count");

    ctx.clock.advance(Duration::milliseconds(999));
    assert_eq!(attempt(id, &token).await, Some(1), "1 ms short of the wait");
    ctx.clock.advance(Duration::milliseconds(1));
    assert_eq!(attempt(id, &token).await, None);
    assert_eq!(attempt(id, &token).await, Some(2), "then 2·base");
    ctx.clock.advance(Duration::seconds(2));
    assert_eq!(attempt(id, &token).await, None);
    assert_eq!(attempt(id, &token).await, Some(4), "then 4·base");
    ctx.clock.advance(Duration::seconds(4));
    assert_eq!(attempt(id, &token).await, None);
    assert_eq!(attempt(id, &token).await, Some(8), "then 8·base = the cap");
    ctx.clock.advance(Duration::seconds(8));
    assert_eq!(attempt(id, &token).await, None);
    assert_eq!(attempt(id, &token).await, Some(8), "16·base is capped at 8 s");

    // 1 + 2 + 4 + 8 + 8 s have passed; 60 s after the window began it starts over.
    ctx.clock.advance(Duration::seconds(60));
    for _ in 0..3 {
        assert_eq!(attempt(id, &token).await, None, "a new window has its free attempts again");
    }
    assert_eq!(attempt(id, &token).await, Some(1));

    // The purge keeps live counters and removes finished ones.
    assert_eq!(id.purge_rate_limits().await.unwrap(), 1, "only the other token's window is over");
    ctx.clock.advance(Duration::minutes(2));
    assert_eq!(id.purge_rate_limits().await.unwrap(), 1, "now this token's window and wait are over too");
    assert_eq!(attempt(id, &token).await, None);
});

both_backends!(wrong_passwords_are_refused_unchecked_after_the_free_attempts, |db| async move {
    let ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    let id = &ctx.identity;
    let sign_in = |password: &str| SignIn {
        email: "Admin@Contoso.example.com".into(),
        password: password.into(),
        session: NewSessionInfo { ip: Some("192.0.2.7".into()), user_agent: None },
        ..Default::default()
    };
    for _ in 0..5 {
        let e = id.sign_in(sign_in("wrong password!!")).await.unwrap_err();
        assert!(matches!(e, Error::Unauthenticated(_)), "{e:?}");
    }
    // The right password is not even checked while the account waits.
    let e = id.sign_in(sign_in(PASSWORD)).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { retry_after_secs: 1, .. }), "{e:?}");
    ctx.clock.advance(Duration::seconds(1));
    id.sign_in(sign_in(PASSWORD)).await.expect("after the wait the owner signs in");
    // A right password forgets the account's failures: five free attempts again.
    for _ in 0..5 {
        let e = id.sign_in(sign_in("wrong password!!")).await.unwrap_err();
        assert!(matches!(e, Error::Unauthenticated(_)), "{e:?}");
    }
    assert!(matches!(id.sign_in(sign_in("wrong password!!")).await, Err(Error::RateLimited { .. })));

    // Unknown e-mails are counted the same way, so probing them is throttled too.
    let probe = |n: usize| SignIn {
        email: "nobody@contoso.example.com".into(),
        password: format!("guess number {n}"),
        ..Default::default()
    };
    for n in 0..5 {
        assert!(matches!(id.sign_in(probe(n)).await, Err(Error::Unauthenticated(_))));
    }
    assert!(matches!(id.sign_in(probe(5)).await, Err(Error::RateLimited { .. })));
});

both_backends!(one_address_spraying_many_accounts_is_throttled, |db| async move {
    let mut ctx = Ctx::new(db);
    let limits = Limits {
        password_per_address: Policy { free: 4, ..Limits::default().password_per_address },
        ..Limits::default()
    };
    ctx.identity = ctx.identity.clone().with_limits(limits);
    ctx.tenant("contoso").await;
    let from = |email: String, ip: &str| SignIn {
        email,
        password: "spray password 1".into(),
        session: NewSessionInfo { ip: Some(ip.into()), user_agent: None },
        ..Default::default()
    };
    for n in 0..4 {
        let e = ctx.identity.sign_in(from(format!("user{n}@contoso.example.com"), "198.51.100.1")).await.unwrap_err();
        assert!(matches!(e, Error::Unauthenticated(_)), "{e:?}");
    }
    let e = ctx.identity.sign_in(from("user9@contoso.example.com".into(), "198.51.100.1")).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "a fresh account from the same address: {e:?}");
    let ok = SignIn {
        email: "admin@contoso.example.com".into(),
        password: PASSWORD.into(),
        ..from(String::new(), "198.51.100.2")
    };
    ctx.identity.sign_in(ok).await.expect("another address is not affected");

    // Attempts refused for their address are not counted against the account they name:
    // a sprayer cannot use up the owner's free attempts from a blocked address.
    for _ in 0..8 {
        let e = ctx.identity.sign_in(from("admin@contoso.example.com".into(), "198.51.100.1")).await.unwrap_err();
        assert!(matches!(e, Error::RateLimited { .. }), "from the blocked address: {e:?}");
    }
    for n in 0..5 {
        let e = ctx.identity.sign_in(from("admin@contoso.example.com".into(), &format!("203.0.113.{n}"))).await;
        assert!(matches!(e, Err(Error::Unauthenticated(_))), "attempt {n} from elsewhere is checked: {e:?}");
    }
});

async fn crowd_at_one_hashing_slot(ctx: &mut Ctx, queue: usize, wait: StdDuration) {
    ctx.identity = ctx.identity.clone().with_limits(Limits {
        hashing_concurrency: 1,
        hashing_queue: queue,
        hashing_wait: wait,
        ..Limits::default()
    });
    let attempts = (0..8).map(|n| {
        let id = ctx.identity.clone();
        tokio::spawn(async move {
            id.sign_in(SignIn {
                email: format!("user{n}@contoso.example.com"),
                password: format!("password {n}"),
                ..Default::default()
            })
            .await
        })
    });
    let mut busy = 0;
    let mut checked = 0;
    for a in attempts.collect::<Vec<_>>() {
        match a.await.unwrap() {
            Err(Error::RateLimited { retry_after_secs, .. }) => {
                assert_eq!(retry_after_secs, 1);
                busy += 1;
            }
            Err(Error::Unauthenticated(_)) => checked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(busy >= 1 && checked >= 1, "one slot: some checked ({checked}), the rest refused at once ({busy})");
}

both_backends!(a_full_hashing_queue_refuses_at_once, |db| async move {
    let mut ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    crowd_at_one_hashing_slot(&mut ctx, 0, StdDuration::from_secs(60)).await;
});

both_backends!(a_hashing_slot_not_free_in_time_refuses, |db| async move {
    let mut ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    crowd_at_one_hashing_slot(&mut ctx, 100, StdDuration::ZERO).await;
});

// Concurrent requests stamp their own instant before their statement runs, so they reach the
// database out of order. Under the free count none of them may be taken for a back-off (this
// refused concurrent SCIM creates with 429 on PostgreSQL before the fix).
both_backends!(out_of_order_attempts_under_the_free_count_are_admitted, |db| async move {
    let mut ctx = Ctx::new(db);
    ctx.identity = ctx.identity.clone().with_limits(api_limits());
    let (_, scope) = ctx.tenant("contoso").await;
    let token = api_token(&ctx, &scope, "ci").await;
    let id = &ctx.identity;
    ctx.clock.advance(Duration::milliseconds(5));
    assert_eq!(attempt(id, &token).await, None, "the later-stamped request runs first");
    ctx.clock.advance(Duration::milliseconds(-5));
    assert_eq!(attempt(id, &token).await, None, "the earlier-stamped one is still admitted");
    assert_eq!(attempt(id, &token).await, None, "third free attempt");
    assert_eq!(attempt(id, &token).await, Some(1), "then the back-off");
});

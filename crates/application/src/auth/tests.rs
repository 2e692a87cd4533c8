//! Auth use cases over the in-memory ports.

use super::ports::{AccessRequest, Operation, Restriction};
use crate::AppError;
use crate::ports::AuditContext;
use crate::testing::{AuthFakes, in_memory_auth};
use chrono::Utc;
use std::sync::atomic::Ordering;
use tisseco_domain::{Email, NewUser, Password, Role, UserChanges, display_name};

const PASSWORD: &str = "correct horse battery";

async fn with_user(role: Role) -> (super::Auth, AuthFakes, tisseco_domain::User) {
    let (auth, fakes) = in_memory_auth();
    let new = NewUser {
        email: Email::parse("ana@tisseco.org").unwrap(),
        display_name: display_name("Ana").unwrap(),
        role,
    };
    let user = auth
        .create_user(
            new,
            &Password::new(PASSWORD).unwrap(),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    (auth, fakes, user)
}

fn request(required: Role, operation: Operation) -> AccessRequest {
    AccessRequest {
        required,
        operation,
        tour: None,
        now: Utc::now(),
    }
}

#[tokio::test]
async fn a_user_logs_in_and_the_token_carries_the_role() {
    let (auth, _, user) = with_user(Role::Manager).await;
    let pair = auth.login("ANA@tisseco.org", PASSWORD).await.unwrap();
    let principal = auth
        .authenticate(
            &pair.access_token,
            &request(Role::Manager, Operation::Write),
        )
        .await
        .unwrap();
    assert_eq!(
        (principal.user_id, principal.role),
        (user.id, Role::Manager)
    );
    let refused = auth
        .authenticate(&pair.access_token, &request(Role::Admin, Operation::Read))
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let (auth, fakes, _) = with_user(Role::Driver).await;
    let unknown = auth
        .login("nobody@tisseco.org", PASSWORD)
        .await
        .unwrap_err()
        .to_string();
    let wrong = auth
        .login("ana@tisseco.org", "not the password")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(unknown, wrong);
    assert_eq!(
        fakes.hasher.verifications.load(Ordering::SeqCst),
        2,
        "a hash is verified even for an unknown account"
    );
}

#[tokio::test]
async fn repeated_failures_slow_an_account_down() {
    let (auth, _, _) = with_user(Role::Driver).await;
    for _ in 0..5 {
        assert!(matches!(
            auth.login("ana@tisseco.org", "wrong password").await,
            Err(AppError::Unauthenticated(_))
        ));
    }
    let locked = auth.login("ana@tisseco.org", PASSWORD).await;
    assert!(
        matches!(locked, Err(AppError::RateLimited { .. })),
        "even the right password waits: {locked:?}"
    );
}

#[tokio::test]
async fn login_fails_closed_when_the_throttle_is_down() {
    let (auth, fakes, _) = with_user(Role::Driver).await;
    fakes.limiter.down.store(true, Ordering::SeqCst);
    assert!(matches!(
        auth.login("ana@tisseco.org", PASSWORD).await,
        Err(AppError::Unavailable(_))
    ));
}

#[tokio::test]
async fn an_inactive_account_cannot_log_in() {
    let (auth, _, user) = with_user(Role::Driver).await;
    let off = UserChanges {
        active: Some(false),
        ..UserChanges::default()
    };
    auth.update_user(user.id, 1, off, &AuditContext::default())
        .await
        .unwrap();
    assert!(matches!(
        auth.login("ana@tisseco.org", PASSWORD).await,
        Err(AppError::Unauthenticated(_))
    ));
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_ends_the_session() {
    let (auth, _, _) = with_user(Role::Driver).await;
    let first = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let second = auth.refresh(&first.refresh_token).await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);

    let replay = auth.refresh(&first.refresh_token).await;
    assert!(
        matches!(replay, Err(AppError::Unauthenticated(_))),
        "{replay:?}"
    );
    let after = auth.refresh(&second.refresh_token).await;
    assert!(
        matches!(after, Err(AppError::Unauthenticated(_))),
        "the whole family is dead: {after:?}"
    );
    let access = auth
        .authenticate(
            &second.access_token,
            &request(Role::Driver, Operation::Read),
        )
        .await;
    assert!(
        matches!(access, Err(AppError::Unauthenticated(_))),
        "its access tokens too: {access:?}"
    );
}

#[tokio::test]
async fn logout_revokes_the_session_and_its_attenuated_tokens() {
    let (auth, _, _) = with_user(Role::Manager).await;
    let pair = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let phone = auth
        .attenuate(
            &pair.access_token,
            &Restriction {
                read_only: true,
                ..Restriction::default()
            },
        )
        .unwrap();
    let principal = auth
        .authenticate(&pair.access_token, &request(Role::Driver, Operation::Read))
        .await
        .unwrap();
    auth.logout(&principal).await.unwrap();
    for token in [&pair.access_token, &phone] {
        let result = auth
            .authenticate(token, &request(Role::Driver, Operation::Read))
            .await;
        assert!(
            matches!(result, Err(AppError::Unauthenticated(_))),
            "{result:?}"
        );
    }
    assert!(auth.refresh(&pair.refresh_token).await.is_err());
}

#[tokio::test]
async fn a_role_change_ends_existing_sessions() {
    // a manager: demoting the only admin is refused (see the last-admin test)
    let (auth, _, user) = with_user(Role::Manager).await;
    let pair = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let demoted = UserChanges {
        role: Some(Role::Driver),
        ..UserChanges::default()
    };
    auth.update_user(user.id, 1, demoted, &AuditContext::default())
        .await
        .unwrap();
    let result = auth
        .authenticate(&pair.access_token, &request(Role::Driver, Operation::Read))
        .await;
    assert!(
        matches!(result, Err(AppError::Unauthenticated(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_flushed_or_unreachable_cache_never_unrevokes() {
    let (auth, fakes, _) = with_user(Role::Manager).await;
    let pair = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let principal = auth
        .authenticate(&pair.access_token, &request(Role::Driver, Operation::Read))
        .await
        .unwrap();
    auth.logout(&principal).await.unwrap();

    fakes.revocations.cold.store(true, Ordering::SeqCst);
    let cold = auth
        .authenticate(&pair.access_token, &request(Role::Driver, Operation::Read))
        .await;
    assert!(
        matches!(cold, Err(AppError::Unauthenticated(_))),
        "reloaded from the store: {cold:?}"
    );
    assert!(
        !fakes.revocations.cold.load(Ordering::SeqCst),
        "the cache is warm again"
    );

    fakes.revocations.down.store(true, Ordering::SeqCst);
    let down = auth
        .authenticate(&pair.access_token, &request(Role::Driver, Operation::Read))
        .await;
    assert!(
        matches!(down, Err(AppError::Unauthenticated(_))),
        "the store answers: {down:?}"
    );
}

#[tokio::test]
async fn attenuation_refuses_an_expiry_in_the_past() {
    let (auth, _, _) = with_user(Role::Manager).await;
    let pair = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let past = Restriction {
        expires_at: Some(Utc::now() - chrono::Duration::minutes(1)),
        ..Restriction::default()
    };
    assert!(
        matches!(auth.attenuate(&pair.access_token, &past), Err(AppError::Invalid(ref e)) if e.field == "expires_at")
    );
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_and_the_hash_stays_out_of_the_audit_log() {
    let (auth, fakes, _) = with_user(Role::Driver).await;
    let twin = NewUser {
        email: Email::parse("Ana@Tisseco.org").unwrap(),
        display_name: display_name("Ana 2").unwrap(),
        role: Role::Driver,
    };
    let result = auth
        .create_user(
            twin,
            &Password::new(PASSWORD).unwrap(),
            &AuditContext::default(),
        )
        .await;
    assert!(
        matches!(result, Err(AppError::Conflict { field: Some(ref f), .. }) if f == "email"),
        "{result:?}"
    );
    let record = fakes.store.audit_records().pop().unwrap();
    let after = record.after.unwrap().to_string();
    assert!(
        after.contains("ana@tisseco.org") && !after.contains("fake$"),
        "{after}"
    );
}

#[test]
fn drivers_act_only_on_their_own_tours() {
    use super::ensure_tour_access;
    use super::ports::Principal;
    use tisseco_domain::UserId;
    let driver = Principal {
        user_id: UserId::generate(),
        role: Role::Driver,
        session_id: uuid::Uuid::now_v7(),
    };
    let manager = Principal {
        role: Role::Manager,
        ..driver.clone()
    };
    assert!(ensure_tour_access(&driver, Some(driver.user_id)).is_ok());
    assert!(matches!(
        ensure_tour_access(&driver, Some(UserId::generate())),
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        ensure_tour_access(&driver, None),
        Err(AppError::Forbidden(_))
    ));
    assert!(ensure_tour_access(&manager, Some(UserId::generate())).is_ok());
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_sessions() {
    use crate::jobs::MAIL_QUEUE;
    use crate::testing::InMemoryJobQueue;
    use std::sync::Arc;
    let (auth, fakes, _) = with_user(Role::Driver).await;
    let queue = Arc::new(InMemoryJobQueue::default());
    let reset = super::PasswordReset::new(
        auth.clone(),
        fakes.store.clone(),
        queue.clone(),
        "https://admin.test/reset".into(),
    );
    let old = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();

    reset.request("nobody@tisseco.org", None).await.unwrap();
    assert!(
        queue.take(MAIL_QUEUE).is_empty(),
        "no account, no e-mail, same answer"
    );
    reset
        .request("ANA@tisseco.org", Some("req-1".into()))
        .await
        .unwrap();
    let mails = queue.take(MAIL_QUEUE);
    assert_eq!(mails.len(), 1);
    let url = mails[0].payload["message"]["reset_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = url.split("token=").nth(1).unwrap();
    assert!(url.starts_with("https://admin.test/reset?token="));

    let weak = reset.reset(token, "short").await;
    assert!(
        matches!(weak, Err(AppError::Invalid(ref e)) if e.field == "password"),
        "{weak:?}"
    );
    reset.reset(token, "a brand new password").await.unwrap();
    assert!(
        auth.login("ana@tisseco.org", "a brand new password")
            .await
            .is_ok()
    );
    assert!(matches!(
        auth.login("ana@tisseco.org", PASSWORD).await,
        Err(AppError::Unauthenticated(_))
    ));
    let again = reset.reset(token, "yet another password").await;
    assert!(
        matches!(again, Err(AppError::Invalid(ref e)) if e.field == "token"),
        "single use: {again:?}"
    );
    let stale = auth
        .authenticate(&old.access_token, &request(Role::Driver, Operation::Read))
        .await;
    assert!(
        matches!(stale, Err(AppError::Unauthenticated(_))),
        "sessions ended: {stale:?}"
    );

    for _ in 0..2 {
        reset.request("ana@tisseco.org", None).await.unwrap();
    }
    assert!(matches!(
        reset.request("ana@tisseco.org", None).await,
        Err(AppError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn an_admin_cannot_remove_their_own_rights_nor_the_last_admin() {
    let (auth, _, ana) = with_user(Role::Admin).await;
    let by = |actor: &tisseco_domain::User| AuditContext {
        actor: Some(actor.id),
        request_id: None,
    };
    let deactivate = || tisseco_domain::UserChanges {
        display_name: None,
        role: None,
        active: Some(false),
        locale: None,
    };
    let own = auth
        .update_user(ana.id, ana.version, deactivate(), &by(&ana))
        .await;
    assert!(
        matches!(&own, Err(AppError::Conflict { message, .. }) if message.contains("your own")),
        "{own:?}"
    );
    let last = auth
        .update_user(ana.id, ana.version, deactivate(), &AuditContext::default())
        .await;
    assert!(
        matches!(&last, Err(AppError::Conflict { message, .. }) if message.contains("last active admin")),
        "{last:?}"
    );
    let bob = auth
        .create_user(
            NewUser {
                email: Email::parse("bob@tisseco.org").unwrap(),
                display_name: display_name("Bob").unwrap(),
                role: Role::Admin,
            },
            &Password::new(PASSWORD).unwrap(),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let demoted = auth
        .update_user(
            ana.id,
            ana.version,
            tisseco_domain::UserChanges {
                display_name: None,
                role: Some(Role::Manager),
                active: None,
                locale: None,
            },
            &by(&bob),
        )
        .await;
    assert!(demoted.is_ok(), "another admin remains: {demoted:?}");
}

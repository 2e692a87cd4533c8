//! Download links over the in-memory ports.

use super::{DownloadLinks, LINK_TTL, LinkRefusal, canonical_target, is_downloadable};
use crate::AppError;
use crate::auth::Auth;
use crate::ports::{AuditContext, Clock, SystemClock};
use crate::testing::{AuthFakes, FixedClock, in_memory_auth};
use std::sync::Arc;
use tisseco_domain::{Email, NewUser, Password, Role, User, UserChanges, display_name};

const PASSWORD: &str = "correct horse battery";
const ERRORS: &str = "/api/v1/imports/0190a3c4-1d2e-7f00-8000-000000000001/errors.csv";

async fn manager() -> (Auth, AuthFakes, User) {
    let (auth, fakes) = in_memory_auth();
    let new = NewUser {
        email: Email::parse("ana@tisseco.org").unwrap(),
        display_name: display_name("Ana").unwrap(),
        role: Role::Manager,
    };
    let password = Password::new(PASSWORD).unwrap();
    let user = auth
        .create_user(new, &password, &AuditContext::default())
        .await
        .unwrap();
    (auth, fakes, user)
}

fn links_at(fakes: &AuthFakes, clock: Arc<dyn Clock>) -> DownloadLinks {
    DownloadLinks::new(fakes.links.clone(), fakes.store.clone(), clock)
}

fn secret_of(url: &str) -> &str {
    url.rsplit_once("link=").map(|(_, s)| s).unwrap()
}

#[tokio::test]
async fn a_link_opens_its_own_address_only_and_each_download_is_recorded() {
    let (_, fakes, user) = manager().await;
    let links = links_at(&fakes, Arc::new(SystemClock));
    let (url, _) = links
        .issue(user.id, None, "/api/v1/labels", "site_id=7&format=a4")
        .await
        .unwrap();
    assert!(
        url.starts_with("/api/v1/labels?format=a4&site_id=7&link="),
        "{url}"
    );
    let secret = secret_of(&url);
    let opened = links
        .open(
            secret,
            "/api/v1/labels",
            "site_id=7&link=x&format=a4",
            Role::Manager,
            None,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!((opened.user_id, opened.role), (user.id, Role::Manager));
    let elsewhere = links
        .open(
            secret,
            "/api/v1/labels",
            "site_id=8&format=a4",
            Role::Manager,
            None,
        )
        .await
        .unwrap();
    assert_eq!(elsewhere, Err(LinkRefusal::Invalid));
    let forged = links
        .open(
            "0000",
            "/api/v1/labels",
            "site_id=7&format=a4",
            Role::Manager,
            None,
        )
        .await
        .unwrap();
    assert_eq!(forged, Err(LinkRefusal::Invalid));
    assert_eq!(
        fakes.links.downloads(),
        vec![(opened.session_id, Some(user.id))]
    );
}

#[tokio::test]
async fn a_link_stops_at_seven_days_to_the_second() {
    let (_, fakes, user) = manager().await;
    let issued = FixedClock::default();
    let (url, expires_at) = links_at(&fakes, Arc::new(issued))
        .issue(user.id, None, ERRORS, "")
        .await
        .unwrap();
    assert_eq!(
        expires_at - issued.0,
        chrono::Duration::from_std(LINK_TTL).unwrap()
    );
    let just_before = FixedClock(expires_at - chrono::Duration::seconds(1));
    let at_expiry = FixedClock(expires_at);
    let before = links_at(&fakes, Arc::new(just_before))
        .open(secret_of(&url), ERRORS, "", Role::Manager, None)
        .await
        .unwrap();
    assert!(before.is_ok(), "{before:?}");
    let after = links_at(&fakes, Arc::new(at_expiry))
        .open(secret_of(&url), ERRORS, "", Role::Manager, None)
        .await
        .unwrap();
    assert_eq!(after, Err(LinkRefusal::Expired));
}

#[tokio::test]
async fn logging_out_withdraws_the_links_that_session_asked_for() {
    let (auth, fakes, user) = manager().await;
    let pair = auth.login("ana@tisseco.org", PASSWORD).await.unwrap();
    let principal = auth
        .authenticate(
            &pair.access_token,
            &crate::auth::ports::AccessRequest {
                required: Role::Manager,
                operation: crate::auth::ports::Operation::Read,
                tour: None,
                now: chrono::Utc::now(),
            },
        )
        .await
        .unwrap();
    let links = links_at(&fakes, Arc::new(SystemClock));
    let (mine, _) = links
        .issue(
            user.id,
            Some(principal.session_id),
            "/api/v1/labels",
            "area_id=1",
        )
        .await
        .unwrap();
    let (mailed, _) = links.issue(user.id, None, ERRORS, "").await.unwrap();
    auth.logout(&principal).await.unwrap();
    let after_logout = links
        .open(
            secret_of(&mine),
            "/api/v1/labels",
            "area_id=1",
            Role::Manager,
            None,
        )
        .await
        .unwrap();
    assert_eq!(after_logout, Err(LinkRefusal::Withdrawn));
    let other = links
        .open(secret_of(&mailed), ERRORS, "", Role::Manager, None)
        .await
        .unwrap();
    assert!(
        other.is_ok(),
        "a link no session asked for outlives one logout"
    );
}

#[tokio::test]
async fn ending_all_sessions_of_a_user_withdraws_every_link_and_a_demoted_user_loses_them() {
    let (auth, fakes, user) = manager().await;
    let links = links_at(&fakes, Arc::new(SystemClock));
    let (mailed, _) = links.issue(user.id, None, ERRORS, "").await.unwrap();
    let demoted = UserChanges {
        role: Some(Role::Driver),
        ..UserChanges::default()
    };
    auth.update_user(user.id, 1, demoted, &AuditContext::default())
        .await
        .unwrap();
    let opened = links
        .open(secret_of(&mailed), ERRORS, "", Role::Manager, None)
        .await
        .unwrap();
    assert_eq!(opened, Err(LinkRefusal::Withdrawn));
    let (fresh, _) = links.issue(user.id, None, ERRORS, "").await.unwrap();
    let as_driver = links
        .open(secret_of(&fresh), ERRORS, "", Role::Manager, None)
        .await
        .unwrap();
    assert_eq!(as_driver, Err(LinkRefusal::NotAllowed));
}

#[tokio::test]
async fn links_are_made_only_for_downloads() {
    let (_, fakes, user) = manager().await;
    let refused = links_at(&fakes, Arc::new(SystemClock))
        .issue(user.id, None, "/api/v1/users", "")
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    assert!(is_downloadable(ERRORS));
    assert!(!is_downloadable("/api/v1/imports/not-an-id/errors.csv"));
    assert!(!is_downloadable("/api/v1/imports/template.csv"));
    assert_eq!(canonical_target("/x", "b=2&link=s&a=1"), "/x?a=1&b=2");
}

#[tokio::test]
async fn the_in_memory_store_honours_the_link_contract() {
    let store = crate::testing::InMemoryLinks::default();
    crate::testing::links_contract::download_links(&store, tisseco_domain::UserId::generate())
        .await;
}

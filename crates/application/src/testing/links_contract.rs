//! What every [`LinkStore`] must honour.

#![expect(clippy::expect_used, reason = "a broken contract is a test failure")]

use crate::links::{DownloadLink, LinkStore};
use crate::ports::AuditContext;
use chrono::{Duration, Utc};
use tisseco_domain::UserId;
use uuid::Uuid;

fn link(user: UserId, session: Option<Uuid>, target: &str) -> DownloadLink {
    let now = Utc::now();
    DownloadLink {
        id: Uuid::new_v4(),
        user_id: user,
        session_id: session,
        target: target.to_owned(),
        // microseconds: what PostgreSQL keeps
        created_at: now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos() % 1000)),
        expires_at: now + Duration::days(7)
            - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos() % 1000)),
        voided: false,
    }
}

/// Links come back as stored; voiding a session's spares others; voiding a user's voids all.
pub async fn download_links(store: &dyn LinkStore, user: UserId) {
    let session = Uuid::new_v4();
    let asked = link(user, Some(session), "/api/v1/labels?site_id=1");
    let mailed = link(user, None, "/api/v1/labels?site_id=2");
    let digest_asked = Uuid::new_v4().as_bytes().to_vec();
    let digest_mailed = Uuid::new_v4().as_bytes().to_vec();
    store.insert(&digest_asked, &asked).await.expect("insert");
    store.insert(&digest_mailed, &mailed).await.expect("insert");
    assert_eq!(
        store.find(&digest_asked).await.expect("find"),
        Some(asked.clone())
    );
    assert_eq!(store.find(b"unknown").await.expect("find"), None);
    store
        .record_download(
            &asked,
            &AuditContext {
                actor: Some(user),
                request_id: Some("contract".into()),
            },
        )
        .await
        .expect("record");
    store.void_sessions(&[session]).await.expect("void");
    let found = |digest: Vec<u8>| async move { store.find(&digest).await.expect("find") };
    assert!(found(digest_asked.clone()).await.is_some_and(|l| l.voided));
    assert!(
        found(digest_mailed.clone())
            .await
            .is_some_and(|l| !l.voided)
    );
    store.void_user(user).await.expect("void");
    assert!(found(digest_mailed).await.is_some_and(|l| l.voided));
}

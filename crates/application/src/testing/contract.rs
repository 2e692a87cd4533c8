//! The behaviour every implementation of the registry ports must have. The same suite runs
//! against the in-memory store (here) and the PostgreSQL adapter (tests-e2e).
#![expect(clippy::expect_used, reason = "a broken contract is a test failure")]

use crate::ports::{AuditContext, AuditLog, PageRequest, RepoError, Repository};
use crate::use_cases::{ContainerFilter, SiteFilter};
use chrono::{TimeZone, Utc};
use tisseco_domain::{
    Address, Area, AreaCode, Capacity, Container, ContainerChanges, ContainerStatus, ContainerType,
    ExternalRef, GeoPoint, MultiPolygon, Name, NewArea, NewContainer, NewSite, PublicCode, Site,
    SiteCode, SiteId,
};

fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

fn random_code() -> PublicCode {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    PublicCode::from_random([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6],
    ])
}

/// A site with a unique code, stamped at a whole second (stores keep microseconds).
pub fn a_site() -> Site {
    let new = NewSite {
        code: SiteCode::parse(&format!("site-{}", unique_suffix())).expect("valid code"),
        name: Name::parse("Contract site").expect("valid name"),
    };
    Site::create(
        new,
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date"),
    )
}

/// An area of `site` with a square boundary.
pub fn an_area(site: SiteId) -> Area {
    let square = vec![vec![
        [4.80, 45.70],
        [4.90, 45.70],
        [4.90, 45.80],
        [4.80, 45.80],
        [4.80, 45.70],
    ]];
    let new = NewArea {
        site_id: site,
        code: AreaCode::parse(&format!("area-{}", unique_suffix())).expect("valid code"),
        name: Name::parse("Contract area").expect("valid name"),
        boundary: Some(
            MultiPolygon::from_polygon_coordinates("boundary", &square).expect("valid square"),
        ),
    };
    Area::create(
        new,
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date"),
    )
}

/// A container of `site` with a random public code.
pub fn a_container(site: SiteId, external_ref: Option<&str>, address: &str) -> Container {
    let new = NewContainer {
        public_code: random_code(),
        site_id: site,
        area_id: None,
        external_ref: external_ref.map(|r| ExternalRef::parse(r).expect("valid reference")),
        kind: ContainerType::StreetBin,
        status: ContainerStatus::Active,
        capacity: Some(Capacity::litres(2500).expect("valid capacity")),
        location: GeoPoint::new(45.7578, 4.8320).expect("valid point"),
        address: Some(Address::parse(address).expect("valid address")),
        installed_on: None,
        notes: None,
    };
    Container::create(
        new,
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date"),
    )
}

fn audit() -> AuditContext {
    AuditContext {
        actor: None,
        request_id: Some("contract-test".into()),
    }
}

/// Sites and areas: what goes in comes out, codes are unique.
pub async fn sites_and_areas(sites: &dyn Repository<Site>, areas: &dyn Repository<Area>) {
    let site = a_site();
    sites.insert(&site, &audit()).await.expect("insert site");
    assert_eq!(
        sites.find(site.id).await.expect("find site"),
        Some(site.clone())
    );
    assert_eq!(
        sites.find(SiteId::generate()).await.expect("find nothing"),
        None
    );

    let mut twin = a_site();
    twin.code = site.code.clone();
    let duplicate = sites.insert(&twin, &audit()).await;
    assert!(
        matches!(duplicate, Err(RepoError::Conflict { ref field, .. }) if field == "code"),
        "{duplicate:?}"
    );

    let area = an_area(site.id);
    areas.insert(&area, &audit()).await.expect("insert area");
    assert_eq!(
        areas.find(area.id).await.expect("find area"),
        Some(area.clone())
    );

    let listed = sites
        .list(
            &SiteFilter::default(),
            PageRequest {
                after: None,
                limit: 100_000,
            },
        )
        .await
        .expect("list");
    assert!(listed.iter().any(|s| s.id == site.id));
    assert!(
        listed.windows(2).all(|w| w[0].id < w[1].id),
        "sites listed in id order"
    );
}

/// Containers: round trip, uniqueness, optimistic concurrency, filters, keyset paging, audit.
pub async fn containers(
    sites: &dyn Repository<Site>,
    containers: &dyn Repository<Container>,
    audit_log: &dyn AuditLog,
) {
    let site = a_site();
    let other_site = a_site();
    sites.insert(&site, &audit()).await.expect("insert site");
    sites
        .insert(&other_site, &audit())
        .await
        .expect("insert other site");

    let first = a_container(site.id, Some("REF-1"), "12 Rue Garibaldi, Lyon");
    containers
        .insert(&first, &audit())
        .await
        .expect("insert container");
    assert_eq!(
        containers.find(first.id).await.expect("find"),
        Some(first.clone())
    );

    let mut same_code = a_container(site.id, None, "elsewhere");
    same_code.public_code = first.public_code.clone();
    let result = containers.insert(&same_code, &audit()).await;
    assert!(
        matches!(result, Err(RepoError::Conflict { ref field, .. }) if field == "public_code"),
        "{result:?}"
    );

    let same_ref = a_container(site.id, Some("REF-1"), "elsewhere");
    let result = containers.insert(&same_ref, &audit()).await;
    assert!(
        matches!(result, Err(RepoError::Conflict { ref field, .. }) if field == "external_ref"),
        "{result:?}"
    );
    let same_ref_other_site = a_container(other_site.id, Some("REF-1"), "elsewhere");
    containers
        .insert(&same_ref_other_site, &audit())
        .await
        .expect("a reference is unique per site only");

    let mut updated = first.clone();
    let changes = ContainerChanges {
        status: Some(ContainerStatus::Full),
        ..ContainerChanges::default()
    };
    updated
        .apply(changes, first.updated_at)
        .expect("valid change");
    containers
        .update(&first, &updated, "update", &audit())
        .await
        .expect("update");
    assert_eq!(
        containers.find(first.id).await.expect("find"),
        Some(updated.clone())
    );
    let stale = containers
        .update(&first, &updated, "update", &audit())
        .await;
    assert_eq!(
        stale,
        Err(RepoError::StaleVersion {
            entity: "container",
            current: 2
        })
    );

    let second = a_container(site.id, None, "3 Place 100% Bellecour");
    let third = a_container(site.id, Some("QUAI-REF-77"), "Quai Perrache");
    containers
        .insert(&second, &audit())
        .await
        .expect("insert second");
    containers
        .insert(&third, &audit())
        .await
        .expect("insert third");

    let of_site = ContainerFilter {
        site_id: Some(site.id),
        ..ContainerFilter::default()
    };
    let page_one = containers
        .list(
            &of_site,
            PageRequest {
                after: None,
                limit: 2,
            },
        )
        .await
        .expect("page one");
    let after = page_one.last().map(|c| c.id);
    let page_two = containers
        .list(&of_site, PageRequest { after, limit: 2 })
        .await
        .expect("page two");
    let ids: Vec<_> = page_one.iter().chain(&page_two).map(|c| c.id).collect();
    assert_eq!(
        ids,
        vec![first.id, second.id, third.id],
        "every row once, in id order"
    );

    let full = ContainerFilter {
        status: Some(ContainerStatus::Full),
        ..of_site.clone()
    };
    let listed = containers
        .list(
            &full,
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("by status");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first.id]
    );

    let by_text = |text: &str| ContainerFilter {
        text: Some(text.into()),
        ..of_site.clone()
    };
    let listed = containers
        .list(
            &by_text("garibaldi"),
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("text");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first.id],
        "case-insensitive address match"
    );
    let code = second.public_code.as_str().to_lowercase();
    let listed = containers
        .list(
            &by_text(&code),
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("code");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id],
        "public code match"
    );
    let listed = containers
        .list(
            &by_text("ref-77"),
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("reference");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![third.id],
        "external reference match, case-insensitive"
    );
    let listed = containers
        .list(
            &by_text("100%"),
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("percent");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id],
        "% is a literal, not a wildcard"
    );
    let listed = containers
        .list(
            &by_text("_"),
            PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("underscore");
    assert!(listed.is_empty(), "_ is a literal, not a wildcard");

    let history = audit_log
        .history("container", first.id.0, None, 10)
        .await
        .expect("history");
    let actions: Vec<&str> = history.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, vec!["update", "create"], "newest first");
    assert_eq!(history[0].request_id.as_deref(), Some("contract-test"));
    assert_eq!(
        history[0]
            .before
            .as_ref()
            .and_then(|b| b["status"].as_str()),
        Some("active")
    );
    assert_eq!(
        history[0].after.as_ref().and_then(|a| a["status"].as_str()),
        Some("full")
    );
    let older = audit_log
        .history("container", first.id.0, Some(history[0].id), 10)
        .await
        .expect("older");
    assert_eq!(
        older.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        vec!["create"]
    );
}

/// Password-reset links: single use, and a newer link or a used one voids the others.
pub async fn password_resets(
    resets: &dyn crate::auth::PasswordResets,
    user: tisseco_domain::UserId,
) {
    let now = Utc::now();
    let later = now + chrono::Duration::minutes(30);
    resets
        .create(b"first-link", user, later)
        .await
        .expect("create");
    resets
        .create(b"second-link", user, later)
        .await
        .expect("create");
    assert_eq!(
        resets.consume(b"first-link", now).await.expect("consume"),
        None,
        "a newer link voids the older one"
    );
    resets
        .create(b"third-link", user, later)
        .await
        .expect("create");
    // the third voided the second; a fourth, then using it, voids everything else
    resets
        .create(b"fourth-link", user, later)
        .await
        .expect("create");
    assert_eq!(
        resets.consume(b"fourth-link", now).await.expect("consume"),
        Some(user)
    );
    for spent in [&b"second-link"[..], b"third-link", b"fourth-link"] {
        assert_eq!(resets.consume(spent, now).await.expect("consume"), None);
    }
}

/// The unit of work: every write of a [`Work`](crate::unit_of_work::Work) is stored, or
/// none; each with its audit record.
pub async fn unit_of_work(
    uow: &dyn crate::unit_of_work::UnitOfWork,
    containers: &dyn Repository<Container>,
    audit_log: &dyn AuditLog,
) {
    use crate::unit_of_work::Work;
    let now = Utc
        .with_ymd_and_hms(2026, 4, 5, 6, 7, 8)
        .single()
        .expect("valid date");
    // a site and two of its containers, in one unit of work
    let site = a_site();
    let (a, b) = (
        a_container(site.id, None, "1 place Bellecour"),
        a_container(site.id, None, "2 place Bellecour"),
    );
    let mut work = Work::new(audit());
    work.insert(&site).expect("site event");
    work.insert(&a).expect("container event");
    work.insert(&b).expect("container event");
    uow.commit(work).await.expect("commit the inserts");
    assert_eq!(containers.find(a.id).await.expect("find"), Some(a.clone()));
    assert_eq!(containers.find(b.id).await.expect("find"), Some(b.clone()));

    // a later write that fails takes the earlier ones of its unit of work with it
    let full = a
        .reported_full(now)
        .expect("an active container becomes full");
    let mut stale_b = b.clone();
    stale_b.version += 7;
    let mut work = Work::new(audit());
    work.decided(&a, full.clone(), "report.full");
    work.decided(
        &stale_b,
        b.reported_full(now).expect("active"),
        "report.full",
    );
    let result = uow.commit(work).await;
    assert!(
        matches!(
            result,
            Err(RepoError::StaleVersion {
                entity: "container",
                current: 1
            })
        ),
        "{result:?}"
    );
    assert_eq!(
        containers.find(a.id).await.expect("find"),
        Some(a.clone()),
        "the first write was rolled back with the second"
    );
    let history = audit_log
        .history("container", a.id.into(), None, 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 1, "only the create is recorded: {history:?}");

    // both fresh: both stored, each with its audit record
    let mut work = Work::new(audit());
    work.decided(&a, full.clone(), "report.full");
    work.decided(&b, b.reported_full(now).expect("active"), "report.full");
    uow.commit(work).await.expect("commit both");
    let stored = containers.find(a.id).await.expect("find").expect("a");
    assert_eq!(
        (stored.status, stored.version, stored.updated_at),
        (ContainerStatus::Full, 2, now)
    );
    for id in [a.id, b.id] {
        let history = audit_log
            .history("container", id.into(), None, 10)
            .await
            .expect("history");
        assert_eq!(
            history.first().map(|r| r.action.as_str()),
            Some("report.full")
        );
    }

    // a refused insert (a duplicate code) rolls back the update before it
    let mut dup = a_container(site.id, None, "3 place Bellecour");
    dup.public_code = a.public_code.clone();
    let back = stored
        .after_visit(
            &tisseco_domain::Visit::new(now, 5, None, true, None, None).expect("visit"),
            now,
        )
        .expect("an emptied full container is active again");
    let mut work = Work::new(audit());
    work.decided(&stored, back, "update");
    work.insert(&dup).expect("container event");
    let result = uow.commit(work).await;
    assert!(
        matches!(result, Err(RepoError::Conflict { ref field, .. }) if field == "public_code"),
        "{result:?}"
    );
    assert_eq!(containers.find(a.id).await.expect("find"), Some(stored));
    assert_eq!(containers.find(dup.id).await.expect("find"), None);
}

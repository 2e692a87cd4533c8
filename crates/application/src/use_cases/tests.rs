//! Use-case tests over the in-memory ports.

use super::*;
use crate::AppError;
use crate::ports::AuditContext;
use crate::testing::{contract, in_memory_registry};
use tisseco_domain::*;

fn audit() -> AuditContext {
    AuditContext {
        actor: None,
        request_id: Some("req-1".into()),
    }
}

async fn site(registry: &Registry, code: &str) -> Site {
    let new = NewSite {
        code: SiteCode::parse(code).unwrap(),
        name: Name::parse("Lyon").unwrap(),
    };
    registry.create_site(new, &audit()).await.unwrap()
}

async fn area(registry: &Registry, site: SiteId, code: &str) -> Area {
    let new = NewArea {
        site_id: site,
        code: AreaCode::parse(code).unwrap(),
        name: Name::parse("3e").unwrap(),
        boundary: None,
    };
    registry.create_area(new, &audit()).await.unwrap()
}

fn draft(site: SiteId) -> ContainerDraft {
    ContainerDraft {
        public_code: None,
        site_id: site,
        area_id: None,
        external_ref: None,
        kind: ContainerType::StreetBin,
        status: ContainerStatus::Active,
        capacity: None,
        location: GeoPoint::new(45.75, 4.85).unwrap(),
        address: None,
        installed_on: None,
        notes: None,
    }
}

#[tokio::test]
async fn the_in_memory_store_honours_the_port_contract() {
    let (_, store) = in_memory_registry();
    contract::sites_and_areas(store.as_ref(), store.as_ref()).await;
    contract::containers(store.as_ref(), store.as_ref(), store.as_ref()).await;
    contract::password_resets(store.as_ref(), tisseco_domain::UserId::generate()).await;
    contract::unit_of_work(store.as_ref(), store.as_ref(), store.as_ref()).await;
}

#[tokio::test]
async fn creating_a_container_generates_a_code_and_audits_it() {
    let (registry, store) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let container = registry
        .create_container(draft(lyon.id), &audit())
        .await
        .unwrap();
    assert_eq!(
        PublicCode::parse(container.public_code.as_str()),
        Ok(container.public_code.clone())
    );
    let last = store.audit_records().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.entity_id),
        ("create", container.id.0)
    );
    assert_eq!(last.request_id.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn a_container_needs_an_existing_live_site() {
    let (registry, _) = in_memory_registry();
    let result = registry
        .create_container(draft(SiteId::generate()), &audit())
        .await;
    assert!(
        matches!(result, Err(AppError::Invalid(ref e)) if e.field == "site_id"),
        "{result:?}"
    );

    let lyon = site(&registry, "lyon").await;
    registry
        .archive_site(lyon.id, None, &audit())
        .await
        .unwrap();
    let result = registry.create_container(draft(lyon.id), &audit()).await;
    assert!(
        matches!(result, Err(AppError::Invalid(ref e)) if e.reason.contains("archived")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_container_area_must_belong_to_its_site() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let grenoble = site(&registry, "grenoble").await;
    let elsewhere = area(&registry, grenoble.id, "centre").await;
    let result = registry
        .create_container(
            ContainerDraft {
                area_id: Some(elsewhere.id),
                ..draft(lyon.id)
            },
            &audit(),
        )
        .await;
    assert!(
        matches!(result, Err(AppError::Invalid(ref e)) if e.field == "area_id"),
        "{result:?}"
    );

    let container = registry
        .create_container(draft(lyon.id), &audit())
        .await
        .unwrap();
    let changes = ContainerChanges {
        area_id: Some(Some(elsewhere.id)),
        ..ContainerChanges::default()
    };
    let result = registry
        .update_container(container.id, 1, changes, &audit())
        .await;
    assert!(
        matches!(result, Err(AppError::Invalid(ref e)) if e.field == "area_id"),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_duplicate_given_code_is_a_conflict() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let code = PublicCode::parse("ABCD234").unwrap();
    registry
        .create_container(
            ContainerDraft {
                public_code: Some(code.clone()),
                ..draft(lyon.id)
            },
            &audit(),
        )
        .await
        .unwrap();
    let result = registry
        .create_container(
            ContainerDraft {
                public_code: Some(code),
                ..draft(lyon.id)
            },
            &audit(),
        )
        .await;
    assert!(
        matches!(result, Err(AppError::Conflict { field: Some(ref f), .. }) if f == "public_code"),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_stale_version_is_refused_and_changes_nothing() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let container = registry
        .create_container(draft(lyon.id), &audit())
        .await
        .unwrap();
    let full = || ContainerChanges {
        status: Some(ContainerStatus::Full),
        ..ContainerChanges::default()
    };
    let updated = registry
        .update_container(container.id, 1, full(), &audit())
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    let result = registry
        .update_container(container.id, 1, full(), &audit())
        .await;
    assert!(
        matches!(result, Err(AppError::StaleVersion { current: 2, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn archived_containers_and_forbidden_transitions_are_conflicts() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let container = registry
        .create_container(draft(lyon.id), &audit())
        .await
        .unwrap();
    let removed = ContainerChanges {
        status: Some(ContainerStatus::Removed),
        ..ContainerChanges::default()
    };
    registry
        .update_container(container.id, 1, removed, &audit())
        .await
        .unwrap();
    let back = ContainerChanges {
        status: Some(ContainerStatus::Active),
        ..ContainerChanges::default()
    };
    let result = registry
        .update_container(container.id, 2, back, &audit())
        .await;
    assert!(
        matches!(result, Err(AppError::Conflict { field: Some(ref f), .. }) if f == "status"),
        "{result:?}"
    );

    let archived = registry
        .archive_container(container.id, Some(2), &audit())
        .await
        .unwrap();
    let result = registry
        .update_container(
            container.id,
            archived.version,
            ContainerChanges::default(),
            &audit(),
        )
        .await;
    assert!(
        matches!(result, Err(AppError::Conflict { .. })),
        "{result:?}"
    );
    let history = registry
        .container_history(container.id, None, None)
        .await
        .unwrap();
    assert_eq!(
        history
            .items
            .iter()
            .map(|r| r.action.as_str())
            .collect::<Vec<_>>(),
        ["archive", "update", "create"]
    );
}

#[tokio::test]
async fn a_site_is_archived_only_once_empty() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    let district = area(&registry, lyon.id, "centre").await;
    let container = registry
        .create_container(
            ContainerDraft {
                area_id: Some(district.id),
                ..draft(lyon.id)
            },
            &audit(),
        )
        .await
        .unwrap();

    assert!(matches!(
        registry.archive_site(lyon.id, None, &audit()).await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        registry.archive_area(district.id, None, &audit()).await,
        Err(AppError::Conflict { .. })
    ));
    registry
        .archive_container(container.id, None, &audit())
        .await
        .unwrap();
    registry
        .archive_area(district.id, None, &audit())
        .await
        .unwrap();
    let archived = registry
        .archive_site(lyon.id, Some(1), &audit())
        .await
        .unwrap();
    assert!(archived.is_archived());
    let listed = registry
        .list_sites(
            &SiteFilter::default(),
            PageParams {
                after: None,
                limit: None,
            },
        )
        .await
        .unwrap();
    assert!(
        listed.items.is_empty(),
        "archived sites leave the default list"
    );
}

#[tokio::test]
async fn lists_page_with_a_cursor_and_bounded_sizes() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    for _ in 0..5 {
        registry
            .create_container(draft(lyon.id), &audit())
            .await
            .unwrap();
    }
    let filter = ContainerFilter::default();
    let first = registry
        .list_containers(
            &filter,
            PageParams {
                after: None,
                limit: Some(3),
            },
        )
        .await
        .unwrap();
    assert_eq!((first.items.len(), first.next.is_some()), (3, true));
    let second = registry
        .list_containers(
            &filter,
            PageParams {
                after: first.next,
                limit: Some(3),
            },
        )
        .await
        .unwrap();
    assert_eq!((second.items.len(), second.next), (2, None));

    for limit in [0, MAX_PAGE_SIZE + 1] {
        let result = registry
            .list_containers(
                &filter,
                PageParams {
                    after: None,
                    limit: Some(limit),
                },
            )
            .await;
        assert!(
            matches!(result, Err(AppError::Invalid(ref e)) if e.field == "limit"),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn history_of_an_unknown_container_is_not_found() {
    let (registry, _) = in_memory_registry();
    let result = registry
        .container_history(ContainerId::generate(), None, None)
        .await;
    assert!(
        matches!(
            result,
            Err(AppError::NotFound {
                entity: "container",
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn containers_are_counted_by_status_every_status_listed() {
    let (registry, _) = in_memory_registry();
    let lyon = site(&registry, "lyon").await;
    for _ in 0..2 {
        registry
            .create_container(draft(lyon.id), &audit())
            .await
            .unwrap();
    }
    let archived = registry
        .create_container(draft(lyon.id), &audit())
        .await
        .unwrap();
    registry
        .archive_container(archived.id, None, &audit())
        .await
        .unwrap();
    let counts = registry.container_counts().await.unwrap();
    assert_eq!(counts.len(), ContainerStatus::ALL.len());
    assert_eq!(
        counts[0],
        (ContainerStatus::Active, 2),
        "the archived one is left out"
    );
    assert!(counts[1..].iter().all(|(_, n)| *n == 0));
}

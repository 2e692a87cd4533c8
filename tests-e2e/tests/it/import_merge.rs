//! What an import does to the containers, decided by the domain (issue 17): the life cycle
//! (removed is final, archived no longer changes), rows equal to their container left
//! unchanged with their version, the changes shown in each container's history, and a
//! container kept within its area's boundary (in the API and in imports alike).

use crate::imports::{Env, csv};
use crate::support::problem;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The container with external reference `reference`.
async fn container(env: &Env, reference: &str) -> Value {
    env.containers()
        .await
        .into_iter()
        .find(|c| c["external_ref"] == reference)
        .unwrap_or_else(|| panic!("no container {reference}"))
}

#[tokio::test]
async fn an_import_never_brings_a_removed_container_back_nor_changes_an_archived_one() {
    let env = Env::new().await;
    let first = env
        .import(
            csv(&[
                "lyon,,LYO-0042,street_bin,removed,,45.75,4.83,,",
                "lyon,,LYO-0043,street_bin,active,,45.75,4.83,,",
            ]),
            "",
        )
        .await;
    assert_eq!(first["counts"]["inserted"], 2, "{first}");
    let archived = container(&env, "LYO-0043").await;
    let response = env
        .app
        .post(
            &format!(
                "/api/v1/containers/{}/archive",
                archived["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let import = env
        .import(
            csv(&[
                "lyon,,LYO-0042,street_bin,active,,45.75,4.83,,",
                "lyon,,LYO-0043,street_bin,active,,45.70,4.80,,",
            ]),
            "",
        )
        .await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["updated"], 0, "{import}");
    assert_eq!(import["counts"]["rejected"], 2, "{import}");
    let errors = env.errors_csv(&import).await;
    assert!(
        errors.contains("container LYO-0042 is removed; removed is final"),
        "{errors}"
    );
    assert!(
        errors.contains("container LYO-0043 is archived; an archived container no longer changes"),
        "{errors}"
    );
    let french = env
        .app
        .get(import["errors_url"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        french.contains("le conteneur LYO-0042 est retiré ; retiré est définitif"),
        "{french}"
    );
    let body: Value = env
        .app
        .get(&format!(
            "/api/v1/containers/{}",
            archived["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["location"]["latitude"], 45.75, "{body}");
    env.drop().await;
}

#[tokio::test]
async fn rows_equal_to_their_container_are_unchanged_and_keep_its_version() {
    let env = Env::new().await;
    let rows = [
        "lyon,centre,U-1,street_bin,active,2500,45.75,4.83,1 rue A,2024-03-01",
        "lyon,,U-2,underground,full,,45.76,4.84,,",
        "lyon,,U-3,street_bin,,,\"45,77\",\"4,85\",,",
    ];
    let first = env.import(csv(&rows), "").await;
    assert_eq!(first["counts"]["inserted"], 3, "{first}");
    let versions = |containers: Vec<Value>| {
        let mut v: Vec<(String, i64)> = containers
            .iter()
            .map(|c| {
                (
                    c["external_ref"].as_str().unwrap().to_owned(),
                    c["version"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = versions(env.containers().await);

    // the same rows saved with CRLF: another checksum, the same containers
    let crlf = csv(&rows).replace('\n', "\r\n");
    let again = env.import(crlf, "").await;
    assert_eq!(again["state"], "completed", "{again}");
    assert_eq!(again["counts"]["updated"], 0, "{again}");
    assert_eq!(again["counts"]["unchanged"], 3, "{again}");
    assert_eq!(again["counts"]["inserted"], 0, "{again}");
    assert_eq!(versions(env.containers().await), before);

    // one row of three changed: only it is updated
    let changed = env
        .import(
            csv(&[
                rows[0],
                "lyon,,U-2,underground,active,,45.76,4.84,,",
                rows[2],
            ]),
            "",
        )
        .await;
    assert_eq!(changed["counts"]["updated"], 1, "{changed}");
    assert_eq!(changed["counts"]["unchanged"], 2, "{changed}");
    let after = versions(env.containers().await);
    assert_eq!(after[0], before[0]);
    assert_eq!(after[1], ("U-2".to_owned(), before[1].1 + 1));
    assert_eq!(after[2], before[2]);
    env.drop().await;
}

#[tokio::test]
async fn counts_never_go_back_while_duplicates_are_refused() {
    let env = Env::new().await;
    // the duplicate is in a later batch (batches of 3): refused while validating
    let import = env
        .import(
            csv(&[
                "lyon,,D-1,street_bin,,,45.75,4.83,,",
                "lyon,,D-2,street_bin,,,45.75,4.83,,",
                "lyon,,D-3,street_bin,,,45.75,4.83,,",
                "lyon,,D-1,street_bin,,,45.76,4.84,,",
            ]),
            "",
        )
        .await;
    assert_eq!(import["counts"]["valid"], 3, "{import}");
    assert_eq!(import["counts"]["rejected"], 1, "{import}");
    assert_eq!(import["counts"]["inserted"], 3, "{import}");
    let errors = env.errors_csv(&import).await;
    assert!(
        errors.contains("5,reference,D-1,duplicate reference in this file (first on line 2)"),
        "{errors}"
    );
    env.drop().await;
}

#[tokio::test]
async fn a_container_history_shows_the_imports_that_created_moved_and_retyped_it() {
    let env = Env::new().await;
    let created = env
        .import(csv(&["lyon,,H-1,street_bin,,,45.75,4.83,,"]), "")
        .await;
    let moved = env
        .import(csv(&["lyon,,H-1,underground,,,45.76,4.84,,"]), "")
        .await;
    let bin = container(&env, "H-1").await;
    let history: Value = env
        .app
        .get(&format!(
            "/api/v1/containers/{}/history",
            bin["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{history}");
    let (update, create) = (&items[0], &items[1]);
    assert_eq!(update["action"], "update");
    assert_eq!(update["import_id"], moved["id"]);
    assert_eq!(update["before"]["type"], "street_bin");
    assert_eq!(update["after"]["type"], "underground");
    assert_eq!(update["before"]["location"]["latitude"], 45.75);
    assert_eq!(update["after"]["location"]["latitude"], 45.76);
    assert_eq!(create["action"], "create");
    assert_eq!(create["import_id"], created["id"]);
    assert!(create["before"].is_null());
    assert_eq!(create["after"]["external_ref"], "H-1");
    assert!(update["occurred_at"].is_string());
    env.drop().await;
}

#[tokio::test]
async fn a_container_lies_within_its_area_in_the_api_and_in_imports() {
    let env = Env::new().await;
    let app = &env.app;
    let sites: Value = app
        .get("/api/v1/sites?limit=10")
        .await
        .json()
        .await
        .unwrap();
    let site = sites["items"][0].clone();
    let area = app.area(&site, "boundary").await;
    let create = |latitude: f64, longitude: f64| {
        json!({
            "site_id": site["id"], "area_id": area["id"], "type": "street_bin",
            "location": {"latitude": latitude, "longitude": longitude},
        })
    };
    // latitude and longitude swapped: told so
    let swapped = problem(
        app.post("/api/v1/containers", &create(4.83, 45.75)).await,
        422,
        Some("location"),
    )
    .await;
    assert!(swapped.to_string().contains("swapped"), "{swapped}");
    // far away (Paris): refused, no swap suggested
    let far = problem(
        app.post("/api/v1/containers", &create(48.85, 2.35)).await,
        422,
        Some("location"),
    )
    .await;
    assert!(!far.to_string().contains("swapped"), "{far}");
    // 110 m north of the boundary: within the tolerance
    let response = app.post("/api/v1/containers", &create(45.801, 4.85)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let etag = crate::support::etag(&response);
    let inside: Value = response.json().await.unwrap();
    // moving it far outside is refused the same way
    let path = format!("/api/v1/containers/{}", inside["id"].as_str().unwrap());
    problem(
        app.patch(
            &path,
            &etag,
            &json!({"location": {"latitude": 45.9, "longitude": 4.85}}),
        )
        .await,
        422,
        Some("location"),
    )
    .await;

    let import = env
        .import(
            csv(&[
                "lyon,centre,IN,street_bin,,,45.75,4.83,,",
                "lyon,centre,SWAP,street_bin,,,4.83,45.75,,",
                "lyon,centre,FAR,street_bin,,,48.85,2.35,,",
            ]),
            "",
        )
        .await;
    assert_eq!(import["counts"]["inserted"], 1, "{import}");
    assert_eq!(import["counts"]["rejected"], 2, "{import}");
    let errors = env.errors_csv(&import).await;
    assert!(
        errors.contains("latitude and longitude look swapped"),
        "{errors}"
    );
    assert!(
        errors.contains("outside its area's boundary (tolerance 250 m)"),
        "{errors}"
    );

    // Without an area_code column a container keeps its area, so its new point is checked
    // against that area's boundary too (such a file used to move it anywhere).
    let moved = env
        .import(
            "site_code,external_ref,type,latitude,longitude\nlyon,IN,street_bin,48.85,2.35\n",
            "?file_name=moved.csv",
        )
        .await;
    assert_eq!(moved["counts"]["rejected"], 1, "{moved}");
    let errors = env.errors_csv(&moved).await;
    assert!(errors.contains("outside its area's boundary"), "{errors}");
    let kept = container(&env, "IN").await;
    assert_eq!(kept["location"]["latitude"], 45.75, "{kept}");
    let nudged = env
        .import(
            "site_code,external_ref,type,latitude,longitude\nlyon,IN,street_bin,45.7501,4.8301\n",
            "?file_name=nudged.csv",
        )
        .await;
    assert_eq!(nudged["counts"]["updated"], 1, "{nudged}");
    env.drop().await;
}

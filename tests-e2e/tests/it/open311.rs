//! Open311 GeoReport v2 (JSON): services, posting with an API key, listing and reading
//! requests with the spec's required fields; a posted request reaches the staff list.

use crate::reports::Field;
use crate::support::TestApp;
use serde_json::Value;

const SERVICE_FIELDS: [&str; 7] = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

fn has_fields(item: &Value, fields: &[&str]) {
    for field in fields {
        assert!(item.get(*field).is_some(), "{field} missing in {item}");
    }
}

async fn json(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    response.json().await.unwrap()
}

fn spec_error(body: &Value, code: u64) {
    assert_eq!(body[0]["code"], code, "{body}");
    assert!(body[0]["description"].is_string());
}

#[tokio::test]
async fn civic_apps_list_services_post_and_read_requests() {
    let field =
        Field::new(TestApp::spawn_with(&[("OPEN311_API_KEYS", "k1, civic-key")]).await).await;
    let app = &field.app;
    let get = |path: String| app.anonymous.get(app.url(&path)).send();

    let services = json(get("/open311/v2/services.json".into()).await.unwrap(), 200).await;
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 6);
    for s in services {
        has_fields(s, &SERVICE_FIELDS);
        assert_eq!(s["metadata"], true);
    }
    let definition = json(
        get("/open311/v2/services/full.json".into()).await.unwrap(),
        200,
    )
    .await;
    assert_eq!(definition["service_code"], "full");
    let attribute = &definition["attributes"][0];
    assert_eq!(
        (attribute["code"].as_str(), attribute["required"].as_bool()),
        (Some("container_code"), Some(true))
    );
    for key in [
        "variable",
        "datatype",
        "datatype_description",
        "order",
        "description",
    ] {
        assert!(attribute.get(key).is_some(), "{key}");
    }
    spec_error(
        &json(
            get("/open311/v2/services/nope.json".into()).await.unwrap(),
            404,
        )
        .await,
        404,
    );

    let post = |body: String| {
        app.anonymous
            .post(app.url("/open311/v2/requests.json"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let good = format!(
        "api_key=civic-key&service_code=dirty&attribute%5Bcontainer_code%5D={}&description=bags+left+around",
        field.code
    );
    spec_error(
        &json(post(good.replace("civic-key", "wrong")).await.unwrap(), 400).await,
        400,
    );
    spec_error(
        &json(
            post("api_key=k1&service_code=dirty".to_owned())
                .await
                .unwrap(),
            400,
        )
        .await,
        400,
    );
    spec_error(
        &json(
            post(good.replace(&field.code, "ZZZZ999")).await.unwrap(),
            404,
        )
        .await,
        404,
    );
    spec_error(
        &json(post(good.replace("dirty", "bogus")).await.unwrap(), 400).await,
        400,
    );
    let created = json(post(good.clone()).await.unwrap(), 201).await;
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(created[0].get("service_notice").is_some());

    let one = json(
        get(format!("/open311/v2/requests/{id}.json"))
            .await
            .unwrap(),
        200,
    )
    .await;
    has_fields(&one[0], &REQUEST_FIELDS);
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["service_code"], "dirty");
    assert_eq!(one[0]["address"], "12 rue Garibaldi, Lyon");
    assert!(
        one[0]["description"].is_null(),
        "free text from the public is not republished: {}",
        one[0]
    );
    assert!(one[0]["lat"].is_f64() && one[0]["long"].is_f64());
    spec_error(
        &json(
            get(format!(
                "/open311/v2/requests/{}.json",
                uuid::Uuid::new_v4()
            ))
            .await
            .unwrap(),
            404,
        )
        .await,
        404,
    );

    let open = json(
        get("/open311/v2/requests.json?status=open&service_code=dirty".into())
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    let closed = json(
        get("/open311/v2/requests.json?status=closed&page_size=5".into())
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        !closed
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    let by_id = json(
        get(format!("/open311/v2/requests.json?service_request_id={id}"))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    spec_error(
        &json(
            get("/open311/v2/requests.json?status=maybe".into())
                .await
                .unwrap(),
            400,
        )
        .await,
        400,
    );
    spec_error(
        &json(
            get("/open311/v2/requests.json?page_size=1000".into())
                .await
                .unwrap(),
            400,
        )
        .await,
        400,
    );

    // Staff see it, marked as coming from Open311.
    let reports = field.reports().await;
    let report = reports.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(report["source"], "open311");
    assert_eq!(report["description"], "bags left around");
}

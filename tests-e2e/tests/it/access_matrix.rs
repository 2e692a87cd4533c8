//! The route × role matrix, built from the app's own route table (its OpenAPI document).

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;
use tisseco_api::access::AccessPolicies;
use tisseco_domain::{Access, Role};

/// Who may call each route, written down independently of the code: a route added without
/// a policy, or with another one, makes `the_route_table_is_exactly_the_expected_one` fail.
const EXPECTED: &[(&str, &str, Option<Role>)] = &[
    ("GET", "/health/live", None),
    ("GET", "/health/ready", None),
    ("POST", "/api/v1/auth/login", None),
    ("POST", "/api/v1/auth/refresh", None),
    ("POST", "/api/v1/auth/session", None),
    ("POST", "/api/v1/auth/session/refresh", None),
    ("POST", "/api/v1/auth/session/logout", Some(Role::Driver)),
    ("POST", "/api/v1/auth/password-reset", None),
    ("POST", "/api/v1/auth/password-reset/confirm", None),
    ("POST", "/api/v1/auth/logout", Some(Role::Driver)),
    ("POST", "/api/v1/auth/attenuate", Some(Role::Driver)),
    ("GET", "/api/v1/me", Some(Role::Driver)),
    ("PATCH", "/api/v1/me", Some(Role::Driver)),
    ("GET", "/api/v1/users", Some(Role::Admin)),
    ("POST", "/api/v1/users", Some(Role::Admin)),
    ("GET", "/api/v1/users/{id}", Some(Role::Admin)),
    ("PATCH", "/api/v1/users/{id}", Some(Role::Admin)),
    ("POST", "/api/v1/tours", Some(Role::Manager)),
    ("POST", "/api/v1/tours/plan-day", Some(Role::Manager)),
    ("GET", "/api/v1/tours", Some(Role::Manager)),
    ("GET", "/api/v1/tours/{tour_id}", Some(Role::Manager)),
    ("PATCH", "/api/v1/tours/{tour_id}", Some(Role::Manager)),
    ("POST", "/api/v1/tours/{tour_id}/stops", Some(Role::Manager)),
    (
        "DELETE",
        "/api/v1/tours/{tour_id}/stops/{container_id}",
        Some(Role::Manager),
    ),
    ("PUT", "/api/v1/tours/{tour_id}/order", Some(Role::Manager)),
    ("POST", "/api/v1/tours/{tour_id}/plan", Some(Role::Manager)),
    (
        "POST",
        "/api/v1/tours/{tour_id}/cancel",
        Some(Role::Manager),
    ),
    (
        "POST",
        "/api/v1/tours/{tour_id}/optimize",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/tours/{tour_id}/route", Some(Role::Manager)),
    ("GET", "/api/v1/drivers", Some(Role::Manager)),
    ("GET", "/api/v1/me/tours", Some(Role::Driver)),
    (
        "GET",
        "/api/v1/me/tours/{tour_id}/route",
        Some(Role::Driver),
    ),
    ("GET", "/api/v1/me/tours/{tour_id}", Some(Role::Driver)),
    (
        "POST",
        "/api/v1/me/tours/{tour_id}/start",
        Some(Role::Driver),
    ),
    (
        "POST",
        "/api/v1/me/tours/{tour_id}/stops/{container_id}/visit",
        Some(Role::Driver),
    ),
    (
        "POST",
        "/api/v1/me/tours/{tour_id}/stops/{container_id}/skip",
        Some(Role::Driver),
    ),
    (
        "GET",
        "/api/v1/me/tours/{tour_id}/scan/{code}",
        Some(Role::Driver),
    ),
    (
        "POST",
        "/api/v1/me/tours/{tour_id}/complete",
        Some(Role::Driver),
    ),
    ("GET", "/api/v1/admin/queues", Some(Role::Admin)),
    (
        "GET",
        "/api/v1/admin/queues/{queue}/dead",
        Some(Role::Admin),
    ),
    (
        "POST",
        "/api/v1/admin/queues/{queue}/dead/{dead_id}/retry",
        Some(Role::Admin),
    ),
    (
        "DELETE",
        "/api/v1/admin/queues/{queue}/dead/{dead_id}",
        Some(Role::Admin),
    ),
    ("POST", "/api/v1/imports", Some(Role::Manager)),
    ("GET", "/api/v1/imports/template.csv", Some(Role::Manager)),
    ("GET", "/api/v1/imports/{id}", Some(Role::Manager)),
    ("POST", "/api/v1/imports/{id}/cancel", Some(Role::Manager)),
    (
        "GET",
        "/api/v1/imports/{id}/errors.csv",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/sites", Some(Role::Manager)),
    ("POST", "/api/v1/sites", Some(Role::Manager)),
    ("GET", "/api/v1/sites/{id}", Some(Role::Manager)),
    ("PATCH", "/api/v1/sites/{id}", Some(Role::Manager)),
    ("POST", "/api/v1/sites/{id}/archive", Some(Role::Manager)),
    ("GET", "/api/v1/areas", Some(Role::Manager)),
    ("POST", "/api/v1/areas", Some(Role::Manager)),
    ("GET", "/api/v1/areas/{id}", Some(Role::Manager)),
    ("PATCH", "/api/v1/areas/{id}", Some(Role::Manager)),
    ("POST", "/api/v1/areas/{id}/archive", Some(Role::Manager)),
    (
        "GET",
        "/api/v1/containers/search/radius",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/containers/search/nearest",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/containers/search/bbox", Some(Role::Manager)),
    (
        "POST",
        "/api/v1/containers/search/polygon",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/containers/search/area/{area_id}",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/ogc", Some(Role::Manager)),
    ("GET", "/api/v1/ogc/conformance", Some(Role::Manager)),
    ("GET", "/api/v1/ogc/collections", Some(Role::Manager)),
    (
        "GET",
        "/api/v1/ogc/collections/{collection_id}",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/ogc/collections/{collection_id}/items",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/ogc/collections/{collection_id}/items/{feature_id}",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/public/containers/nearby", None),
    ("GET", "/open311/v2/services.json", None),
    ("GET", "/open311/v2/services/{service_code}.json", None),
    ("POST", "/open311/v2/requests.json", None),
    ("GET", "/open311/v2/requests.json", None),
    (
        "GET",
        "/open311/v2/requests/{service_request_id}.json",
        None,
    ),
    ("GET", "/api/v1/reports", Some(Role::Manager)),
    ("GET", "/api/v1/labels", Some(Role::Manager)),
    ("POST", "/api/v1/links", Some(Role::Manager)),
    ("GET", "/api/v1/containers/{id}/qr.svg", Some(Role::Manager)),
    ("GET", "/api/v1/containers/{id}/qr.png", Some(Role::Manager)),
    ("GET", "/api/v1/reports/{id}", Some(Role::Manager)),
    (
        "POST",
        "/api/v1/reports/{id}/moderation",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/containers", Some(Role::Manager)),
    ("POST", "/api/v1/containers", Some(Role::Manager)),
    ("GET", "/api/v1/containers/{id}", Some(Role::Manager)),
    ("PATCH", "/api/v1/containers/{id}", Some(Role::Manager)),
    (
        "POST",
        "/api/v1/containers/{id}/archive",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/containers/{id}/history",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/containers/{id}/visits", Some(Role::Manager)),
    ("GET", "/api/v1/imports", Some(Role::Manager)),
    ("GET", "/api/v1/containers/counts", Some(Role::Manager)),
    (
        "GET",
        "/api/v1/tiles/containers/{z}/{x}/{y}.mvt",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/containers/{id}/timeline",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/containers/{id}/prediction",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/containers/due", Some(Role::Manager)),
    ("GET", "/api/v1/stats/collections", Some(Role::Manager)),
    ("GET", "/api/v1/stats/collections.csv", Some(Role::Manager)),
    ("GET", "/api/v1/stats/reports", Some(Role::Manager)),
    ("GET", "/api/v1/stats/reports.csv", Some(Role::Manager)),
    (
        "GET",
        "/api/v1/stats/containers/neglected",
        Some(Role::Manager),
    ),
    (
        "GET",
        "/api/v1/stats/containers/neglected.csv",
        Some(Role::Manager),
    ),
    ("GET", "/api/v1/stats/declaration", Some(Role::Manager)),
    ("GET", "/api/v1/stats/declaration.csv", Some(Role::Manager)),
];

/// Public routes that themselves answer 401 to a request without their credential (the
/// console's refresh needs its cookie): the middleware let them through, the route refused.
const OWN_401: &[&str] = &["/api/v1/auth/session/refresh"];

fn declared() -> BTreeSet<(String, String, Option<Role>)> {
    let policies = AccessPolicies::from_openapi(&tisseco_api::openapi());
    policies
        .iter()
        .map(|(method, path, access)| {
            let role = match access {
                Access::Public => None,
                Access::AtLeast(role) => Some(role),
            };
            (method.to_string(), path.to_owned(), role)
        })
        .collect()
}

#[test]
fn the_route_table_is_exactly_the_expected_one() {
    let expected: BTreeSet<_> = EXPECTED
        .iter()
        .map(|(m, p, r)| ((*m).to_owned(), (*p).to_owned(), *r))
        .collect();
    assert_eq!(declared(), expected);
}

#[test]
fn every_documented_operation_declares_a_policy() {
    let document = serde_json::to_value(tisseco_api::openapi()).unwrap();
    let operations: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        operations,
        declared().len(),
        "an operation without `security` has no policy and is refused"
    );
}

fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::new_v4().to_string())
        .replace("{queue}", "mail")
        .replace("{tour_id}", &uuid::Uuid::new_v4().to_string())
        .replace("{container_id}", &uuid::Uuid::new_v4().to_string())
        .replace("{code}", "K7M3QPX")
        .replace("{area_id}", &uuid::Uuid::new_v4().to_string())
        .replace("{collection_id}", "containers")
        .replace("{feature_id}", &uuid::Uuid::new_v4().to_string())
        .replace("{dead_id}", "1700000000000-0")
        .replace("{z}/{x}/{y}", "14/8378/5842")
}

#[tokio::test]
async fn every_route_answers_each_role_as_declared() {
    let app = TestApp::spawn().await;
    for (method, path, required) in declared() {
        let method: Method = method.parse().unwrap();
        for caller in [
            None,
            Some(Role::Driver),
            Some(Role::Manager),
            Some(Role::Admin),
        ] {
            let client = caller.map_or_else(
                || app.anonymous.clone(),
                |role| app.client_for(&app.token(role)),
            );
            let mut request = client
                .request(method.clone(), app.url(&concrete(&path)))
                .header("If-Match", "\"1\"");
            if method != Method::GET {
                request = request.json(&serde_json::json!({}));
            }
            let status = request.send().await.unwrap().status();
            let who = caller.map_or("anonymous", Role::as_str);
            match (required, caller) {
                (Some(_), None) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} as {who}")
                }
                (Some(needed), Some(role)) if !role.includes(needed) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {who}");
                }
                (None, _) if OWN_401.contains(&path.as_str()) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} as {who}");
                }
                _ => assert!(
                    status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && !status.is_server_error(),
                    "{method} {path} as {who}: {status}"
                ),
            }
        }
    }
}

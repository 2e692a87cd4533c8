//! Open311 GeoReport v2, JSON only: a second door for civic apps. Services are our report
//! categories, each with the container code as a required attribute; requests are our
//! public reports. Errors are the spec's `[{code, description}]`.
//!
//! Partial: XML is not served (`.xml` paths answer 404); `jurisdiction_id` is accepted
//! and ignored (one jurisdiction); paging uses `page` and `page_size` (an extension, at
//! most 500 requests deep); `media_url`, `address_id`, `zipcode` and `expected_datetime`
//! are always null; a request posted for an open problem already reported merges into it
//! and answers that request's id.

use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tisseco_application::AppError;
use tisseco_application::reports::{Outcome, Report, ReportFilter, Submission};
use tisseco_application::use_cases::{ContainerFilter, PageParams};
use tisseco_bootstrap::ApiKeys;
use tisseco_domain::{Container, ContainerId, ReportCategory};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The attribute every service requires.
pub const CONTAINER_ATTRIBUTE: &str = "container_code";

#[derive(Debug, Serialize, ToSchema)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

fn error(status: StatusCode, description: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json([Open311Error {
        code: status.as_u16(),
        description: description.into(),
    }])
}

fn app_error(e: &AppError) -> HttpResponse {
    match e {
        AppError::Invalid(invalid) => error(StatusCode::BAD_REQUEST, invalid.to_string()),
        AppError::NotFound { .. } => error(StatusCode::NOT_FOUND, e.to_string()),
        AppError::RateLimited { .. } => error(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
        AppError::Unavailable(_) => error(StatusCode::SERVICE_UNAVAILABLE, "try again later"),
        other => {
            tracing::error!(error.cause = %tisseco_application::error_chain(other), "open311 request failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "unexpected error")
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub service_code: &'static str,
    pub service_name: &'static str,
    pub description: String,
    /// Always true: the container code is a required attribute.
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: &'static str,
    pub group: &'static str,
}

/// Our report categories, as Open311 services.
#[utoipa::path(tag = "open311", security(()), responses((status = 200, body = Vec<Service>)))]
#[get("/open311/v2/services.json")]
pub async fn services() -> HttpResponse {
    let list: Vec<Service> = ReportCategory::ALL
        .into_iter()
        .map(|c| Service {
            service_code: c.as_str(),
            service_name: c.label(),
            description: format!("A clothing-collection container: {}", c.label()),
            metadata: true,
            kind: "realtime",
            keywords: "clothes, container",
            group: "Clothing collection",
        })
        .collect();
    HttpResponse::Ok().json(list)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attribute {
    pub variable: bool,
    pub code: &'static str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: &'static str,
    pub order: u32,
    pub description: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDefinition {
    pub service_code: &'static str,
    pub attributes: Vec<Attribute>,
}

/// A service's definition: the container code attribute.
#[utoipa::path(tag = "open311", security(()), responses(
    (status = 200, body = ServiceDefinition),
    (status = 404, body = Vec<Open311Error>),
))]
#[get("/open311/v2/services/{service_code}.json")]
pub async fn service_definition(service_code: Path<String>) -> HttpResponse {
    let Ok(category) = ReportCategory::parse(&service_code) else {
        return error(StatusCode::NOT_FOUND, "no such service_code");
    };
    HttpResponse::Ok().json(ServiceDefinition {
        service_code: category.as_str(),
        attributes: vec![Attribute {
            variable: true,
            code: CONTAINER_ATTRIBUTE,
            datatype: "string",
            required: true,
            datatype_description: "The 7-character code printed under the container's QR code",
            order: 1,
            description: "Container code",
        }],
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub service_request_id: String,
    pub service_notice: &'static str,
    pub account_id: Option<String>,
}

/// Post a service request (form-encoded: `api_key`, `service_code`,
/// `attribute[container_code]`, optional `description` and `email`).
#[utoipa::path(tag = "open311", security(()), request_body(content = String, content_type = "application/x-www-form-urlencoded"), responses(
    (status = 201, body = Vec<Created>),
    (status = 400, body = Vec<Open311Error>),
    (status = 404, body = Vec<Open311Error>),
))]
#[post("/open311/v2/requests.json")]
pub async fn post_request(
    req: actix_web::HttpRequest,
    body: Bytes,
    state: Data<AppState>,
    keys: Data<ApiKeys>,
) -> HttpResponse {
    if let Some(field) = crate::nul::in_form(&body) {
        return error(
            StatusCode::BAD_REQUEST,
            format!("{field} {}", crate::nul::REASON),
        );
    }
    let fields: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if !keys.accepts(field("api_key")) {
        // 400 as in the spec's examples: 401/403 stay the access middleware's answers.
        return error(StatusCode::BAD_REQUEST, "api_key is missing or not valid");
    }
    if field("service_code").is_empty() {
        return error(StatusCode::BAD_REQUEST, "service_code is required");
    }
    let code = field("attribute[container_code]");
    if code.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "attribute[container_code] is required",
        );
    }
    let submission = Submission {
        category: field("service_code").to_owned(),
        description: fields.get("description").cloned(),
        email: fields.get("email").cloned(),
        honeypot: None,
        source: "open311",
        locale: None,
        client: crate::access::client_of(&req),
    };
    match state.reports.submit(code, submission).await {
        Ok(Outcome::Accepted(submitted)) => HttpResponse::Created().json([Created {
            service_request_id: submitted.report().id.to_string(),
            service_notice: "Thank you: the collection team will look at it.",
            account_id: None,
        }]),
        Ok(Outcome::Dropped) => error(StatusCode::BAD_REQUEST, "request refused"),
        Err(e) => app_error(&e),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: &'static str,
    pub status_notes: Option<String>,
    pub service_name: &'static str,
    pub service_code: &'static str,
    pub description: Option<String>,
    pub agency_responsible: &'static str,
    pub service_notice: Option<String>,
    pub requested_datetime: DateTime<Utc>,
    pub updated_datetime: DateTime<Utc>,
    pub expected_datetime: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The containers `reports` are about, fetched in one query.
async fn containers_of(state: &AppState, reports: &[Report]) -> HashMap<ContainerId, Container> {
    let mut ids: Vec<ContainerId> = reports.iter().map(|r| r.container_id).collect();
    ids.sort_by_key(|id| id.0);
    ids.dedup();
    if ids.is_empty() {
        return HashMap::new();
    }
    let filter = ContainerFilter {
        ids: ids.clone(),
        include_archived: true,
        ..ContainerFilter::default()
    };
    let page = PageParams {
        after: None,
        limit: u32::try_from(ids.len()).ok(),
    };
    match state.registry.list_containers(&filter, page).await {
        Ok(page) => page.items.into_iter().map(|c| (c.id, c)).collect(),
        Err(error) => {
            tracing::warn!(error = %error, "containers of Open311 requests unavailable");
            HashMap::new()
        }
    }
}

/// The requests for `reports`, with their containers' addresses and positions.
async fn to_requests(state: &AppState, reports: Vec<Report>) -> Vec<ServiceRequest> {
    let containers = containers_of(state, &reports).await;
    reports
        .into_iter()
        .map(|report| {
            let container = containers.get(&report.container_id);
            to_request(report, container)
        })
        .collect()
}

fn to_request(report: Report, container: Option<&Container>) -> ServiceRequest {
    ServiceRequest {
        service_request_id: report.id.to_string(),
        status: if report.status.is_open() {
            "open"
        } else {
            "closed"
        },
        status_notes: Some(report.status.label().to_owned()),
        service_name: report.category.label(),
        service_code: report.category.as_str(),
        // Free text from the public stays with staff, as on the follow-up page: it may
        // hold a name, a phone number or an insult, and this view is world-readable.
        description: None,
        agency_responsible: "Tisseco",
        service_notice: None,
        requested_datetime: report.created_at,
        updated_datetime: report.updated_at,
        expected_datetime: None,
        address: container.and_then(|c| c.address.as_ref().map(|a| a.as_str().to_owned())),
        address_id: None,
        zipcode: None,
        lat: container.map(|c| c.location.latitude()),
        long: container.map(|c| c.location.longitude()),
        media_url: None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Comma-separated ids: only these requests.
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    /// ISO 8601; default: 90 days before `end_date`.
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// `open` or `closed`.
    pub status: Option<String>,
    /// Ignored: one jurisdiction.
    pub jurisdiction_id: Option<String>,
    /// Extension: 1-based page (page × page_size ≤ 500).
    pub page: Option<u32>,
    /// Extension: 1 to 100, default 50.
    pub page_size: Option<u32>,
}

/// Service requests, newest first, filtered as the spec says.
#[utoipa::path(tag = "open311", security(()), params(RequestsQuery), responses(
    (status = 200, body = Vec<ServiceRequest>),
    (status = 400, body = Vec<Open311Error>),
))]
#[get("/open311/v2/requests.json")]
pub async fn list_requests(query: Query<RequestsQuery>, state: Data<AppState>) -> HttpResponse {
    let q = query.into_inner();
    if let Some(ids) = &q.service_request_id {
        let mut found = Vec::new();
        for id in ids.split(',').filter_map(|i| i.trim().parse::<Uuid>().ok()) {
            if let Ok((report, _)) = state.reports.get(id).await {
                found.push(report);
            }
        }
        return HttpResponse::Ok().json(to_requests(&state, found).await);
    }
    let category = match q
        .service_code
        .as_deref()
        .map(ReportCategory::parse)
        .transpose()
    {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let open = match q.status.as_deref() {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return error(StatusCode::BAD_REQUEST, "status must be open or closed"),
    };
    let page_size = q.page_size.unwrap_or(50);
    let page = q.page.unwrap_or(1);
    if !(1..=100).contains(&page_size) || page == 0 || page.saturating_mul(page_size) > 500 {
        return error(
            StatusCode::BAD_REQUEST,
            "page_size is 1 to 100 and page × page_size at most 500",
        );
    }
    let end = q.end_date.unwrap_or_else(Utc::now);
    let start = q.start_date.unwrap_or(end - chrono::Duration::days(90));
    let filter = ReportFilter {
        category,
        open,
        since: Some(start),
        until: q.end_date,
        ..ReportFilter::default()
    };
    let reports = match state
        .reports
        .list(&filter, None, Some(page * page_size))
        .await
    {
        Ok(r) => r,
        Err(e) => return app_error(&e),
    };
    let skip = usize::try_from((page - 1) * page_size).unwrap_or(usize::MAX);
    let page: Vec<Report> = reports.into_iter().skip(skip).collect();
    HttpResponse::Ok().json(to_requests(&state, page).await)
}

/// One service request, as a one-element array (as the spec says).
#[utoipa::path(tag = "open311", security(()), responses(
    (status = 200, body = Vec<ServiceRequest>),
    (status = 404, body = Vec<Open311Error>),
))]
#[get("/open311/v2/requests/{service_request_id}.json")]
pub async fn get_request(service_request_id: Path<String>, state: Data<AppState>) -> HttpResponse {
    let Ok(id) = service_request_id.parse::<Uuid>() else {
        return error(StatusCode::NOT_FOUND, "no such service_request_id");
    };
    match state.reports.get(id).await {
        Ok((report, _)) => HttpResponse::Ok().json(to_requests(&state, vec![report]).await),
        Err(e) => app_error(&e),
    }
}

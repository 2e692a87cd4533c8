//! `GET /c/{code}`: a container's public page with its report form; `POST /c/{code}`: the
//! form's submission; `GET /c/?code=`: the lookup form of the 404 page.

use super::{error_page, page};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::{Bytes, Data, Path, Query};
use serde::{Deserialize, Serialize};
use tisseco_application::AppError;
use tisseco_application::reports::{Outcome, Submission, Submitted};
use tisseco_application::search::GeoFilter;
use tisseco_domain::{Container, ContainerStatus, MAX_DESCRIPTION_CHARS, ReportCategory};

/// The report form as posted; every field optional so that any body renders a page.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ReportForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    email: String,
    /// The honeypot.
    #[serde(default)]
    website: String,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct Nearby {
    code: String,
    address: Option<String>,
    distance: String,
}

#[derive(Serialize)]
struct ContainerView<'a> {
    code: String,
    kind: &'static str,
    address: Option<&'a str>,
    status: &'static str,
    status_label: &'static str,
    out_of_service: bool,
    nearby: Vec<Nearby>,
    categories: Vec<Choice>,
    form: &'a ReportForm,
    errors: Vec<String>,
    max_description: usize,
}

fn kind_label(container: &Container) -> &'static str {
    match container.kind.as_str() {
        "street_bin" => "Street container",
        "underground" => "Underground container",
        "in_store" => "In-store collection point",
        _ => "Collection container",
    }
}

fn status_label(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Active => "In service",
        ContainerStatus::Full => "Full — please use another container",
        ContainerStatus::Damaged => "Damaged — out of service",
        ContainerStatus::Maintenance => "Under maintenance",
        ContainerStatus::Removed => "Removed",
    }
}

fn distance(metres: f64) -> String {
    if metres < 1_000.0 {
        format!("{} m", (metres / 10.0).round() * 10.0)
    } else {
        format!("{:.1} km", metres / 1_000.0)
    }
}

/// Up to three active containers nearest to `container`, itself excluded.
async fn nearby(state: &AppState, container: &Container) -> Vec<Nearby> {
    let filter = GeoFilter {
        statuses: vec![ContainerStatus::Active],
        ..GeoFilter::default()
    };
    match state
        .search
        .nearest(container.location, filter, Some(4))
        .await
    {
        Ok(hits) => hits
            .into_iter()
            .filter(|hit| hit.container.id != container.id)
            .take(3)
            .map(|hit| Nearby {
                code: hit.container.public_code.to_string(),
                address: hit.container.address.map(|a| a.as_str().to_owned()),
                distance: distance(hit.distance_m.unwrap_or_default()),
            })
            .collect(),
        Err(error) => {
            tracing::warn!(error = %error, "nearby containers unavailable for the public page");
            Vec::new()
        }
    }
}

async fn render(
    state: &AppState,
    container: &Container,
    form: &ReportForm,
    errors: Vec<String>,
) -> HttpResponse {
    let out_of_service = container.status != ContainerStatus::Active;
    let view = ContainerView {
        code: container.public_code.to_string(),
        kind: kind_label(container),
        address: container.address.as_ref().map(|a| a.as_str()),
        status: container.status.as_str(),
        status_label: status_label(container.status),
        out_of_service,
        nearby: if out_of_service {
            nearby(state, container).await
        } else {
            Vec::new()
        },
        categories: ReportCategory::ALL
            .into_iter()
            .map(|c| Choice {
                value: c.as_str(),
                label: c.label(),
            })
            .collect(),
        form,
        max_description: MAX_DESCRIPTION_CHARS,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(status, "container.html", view)
}

pub async fn container_page(code: Path<String>, state: Data<AppState>) -> HttpResponse {
    match state.reports.container(&code).await {
        Ok(container) => render(&state, &container, &ReportForm::default(), Vec::new()).await,
        Err(error) => error_page(&error),
    }
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

/// The 404 page's form: sends the reader to the code typed.
pub async fn lookup(query: Query<LookupQuery>) -> HttpResponse {
    let code: String = query
        .code
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    if code.is_empty() {
        return error_page(&AppError::NotFound {
            entity: "container",
            id: String::new(),
        });
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/c/{code}")))
        .finish()
}

#[derive(Serialize)]
struct Confirmation {
    code: String,
    merged: bool,
    /// The follow-up token (64 hex characters), for a new report only.
    token: Option<String>,
}

pub async fn submit_report(code: Path<String>, body: Bytes, state: Data<AppState>) -> HttpResponse {
    let form: ReportForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let submission = Submission {
        category: form.category.clone(),
        description: Some(form.description.clone()),
        email: Some(form.email.clone()),
        honeypot: Some(form.website.clone()),
        source: "web",
    };
    let code = code.into_inner();
    match state.reports.submit(&code, submission).await {
        Ok(outcome) => {
            let (merged, token) = match &outcome {
                Outcome::Accepted(submitted) => match submitted.as_ref() {
                    Submitted::Created(r) => (false, Some(r.public_token.clone())),
                    Submitted::Merged(_) => (true, None),
                },
                Outcome::Dropped => (false, None),
            };
            page(
                StatusCode::OK,
                "confirmation.html",
                Confirmation {
                    code: code.trim().to_ascii_uppercase(),
                    merged,
                    token,
                },
            )
        }
        Err(AppError::Invalid(invalid)) => match state.reports.container(&code).await {
            Ok(container) => {
                let message = format!("{}: {}", invalid.field, invalid.reason);
                render(&state, &container, &form, vec![message]).await
            }
            Err(error) => error_page(&error),
        },
        Err(error) => error_page(&error),
    }
}

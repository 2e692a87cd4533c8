//! `GET /c/{code}`: a container's public page with its report form; `POST /c/{code}`: the
//! form's submission; `GET /c/?code=`: the lookup form of the 404 page.

use super::{PageLocale, error_page, page};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::{Bytes, Data, Path, Query};
use serde::{Deserialize, Serialize};
use tisseco_application::AppError;
use tisseco_application::reports::{Outcome, Submission, Submitted};
use tisseco_application::search::GeoFilter;
use tisseco_domain::{Container, ContainerStatus, Locale, MAX_DESCRIPTION_CHARS, ReportCategory};
use tisseco_i18n::t;

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
    /// The language of the page the form was on.
    #[serde(default, skip_serializing)]
    lang: String,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: String,
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
    kind: String,
    address: Option<&'a str>,
    status: &'static str,
    status_label: String,
    out_of_service: bool,
    nearby: Vec<Nearby>,
    categories: Vec<Choice>,
    form: &'a ReportForm,
    errors: Vec<String>,
    max_description: usize,
}

fn kind_label(locale: Locale, container: &Container) -> String {
    let kind = match container.kind.as_str() {
        known @ ("street_bin" | "underground" | "in_store") => known,
        _ => "other",
    };
    t(locale, &format!("kind-{kind}"), &[])
}

fn status_label(locale: Locale, status: ContainerStatus) -> String {
    t(locale, &format!("status-{}", status.as_str()), &[])
}

fn distance(locale: Locale, metres: f64) -> String {
    if metres < 1_000.0 {
        format!("{} m", (metres / 10.0).round() * 10.0)
    } else {
        format!("{} km", tisseco_i18n::decimal(locale, metres / 1_000.0, 1))
    }
}

/// Up to three active containers nearest to `container`, itself excluded.
async fn nearby(state: &AppState, locale: Locale, container: &Container) -> Vec<Nearby> {
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
                distance: distance(locale, hit.distance_m.unwrap_or_default()),
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
    language: PageLocale,
    container: &Container,
    form: &ReportForm,
    errors: Vec<String>,
) -> HttpResponse {
    let locale = language.locale;
    let out_of_service = container.status != ContainerStatus::Active;
    let view = ContainerView {
        code: container.public_code.to_string(),
        kind: kind_label(locale, container),
        address: container.address.as_ref().map(|a| a.as_str()),
        status: container.status.as_str(),
        status_label: status_label(locale, container.status),
        out_of_service,
        nearby: if out_of_service {
            nearby(state, locale, container).await
        } else {
            Vec::new()
        },
        categories: ReportCategory::ALL
            .into_iter()
            .map(|c| Choice {
                value: c.as_str(),
                label: t(locale, &format!("category-{}", c.as_str()), &[]),
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
    page(status, "container.html", language, view)
}

pub async fn container_page(
    code: Path<String>,
    state: Data<AppState>,
    language: PageLocale,
) -> HttpResponse {
    match state.reports.container(&code).await {
        Ok(container) => {
            render(
                &state,
                language,
                &container,
                &ReportForm::default(),
                Vec::new(),
            )
            .await
        }
        Err(error) => error_page(&error, language),
    }
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

/// The 404 page's form: sends the reader to the code typed.
pub async fn lookup(query: Query<LookupQuery>, language: PageLocale) -> HttpResponse {
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
        return error_page(
            &AppError::NotFound {
                entity: "container",
                id: String::new(),
            },
            language,
        );
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

pub async fn submit_report(
    req: actix_web::HttpRequest,
    code: Path<String>,
    body: Bytes,
    state: Data<AppState>,
    language: PageLocale,
) -> HttpResponse {
    let form: ReportForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    // the page the form was on said its language: the confirmation and e-mails keep it
    let language = match Locale::from_tag(&form.lang) {
        Some(locale) => PageLocale {
            locale,
            chosen: false,
        },
        None => language,
    };
    let submission = Submission {
        locale: Some(language.locale),
        category: form.category.clone(),
        description: Some(form.description.clone()),
        email: Some(form.email.clone()),
        honeypot: Some(form.website.clone()),
        source: "web",
        client: crate::access::client_of(&req),
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
                language,
                Confirmation {
                    code: code.trim().to_ascii_uppercase(),
                    merged,
                    token,
                },
            )
        }
        Err(AppError::Invalid(invalid)) => match state.reports.container(&code).await {
            Ok(container) => {
                // the form's own fields get a sentence in the reader's language
                let key = format!("form-error-{}", invalid.field);
                let message = if tisseco_i18n::has(language.locale, &key) {
                    t(
                        language.locale,
                        &key,
                        &[("max", (MAX_DESCRIPTION_CHARS as u64).into())],
                    )
                } else {
                    t(
                        language.locale,
                        "report-invalid",
                        &[
                            ("field", invalid.field.as_str().into()),
                            ("reason", invalid.reason.as_str().into()),
                        ],
                    )
                };
                render(&state, language, &container, &form, vec![message]).await
            }
            Err(error) => error_page(&error, language),
        },
        Err(error) => error_page(&error, language),
    }
}

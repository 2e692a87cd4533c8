//! QR labels: a container's QR code as SVG or PNG, and printable A4 label sheets for a
//! site, an area or a list of containers. Codes encode `{PUBLIC_BASE_URL}/c/{code}`.

use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::pages;
use crate::qr;
use crate::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get};
use serde::Deserialize;
use tisseco_application::AppError;
use tisseco_application::use_cases::{ContainerFilter, PageParams};
use tisseco_domain::{Container, ContainerId, ValidationError};
use utoipa::IntoParams;
use uuid::Uuid;

/// The origin QR codes point to (`PUBLIC_BASE_URL`).
#[derive(Debug, Clone)]
pub struct PublicBaseUrl(pub String);

/// The most labels one sheet request prints.
pub const MAX_LABELS: usize = 2_000;

fn page_url(base: &PublicBaseUrl, container: &Container) -> String {
    format!("{}/c/{}", base.0, container.public_code)
}

fn unexpected(error: String) -> ApiError {
    AppError::Unexpected(error).into()
}

/// The QR code of a container's public page, as SVG with the code printed beneath.
#[utoipa::path(tag = "labels", security(("bearer" = ["manager"])), responses(
    (status = 200, content_type = "image/svg+xml", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/qr.svg")]
pub async fn qr_svg(
    id: Path<Uuid>,
    state: Data<AppState>,
    base: Data<PublicBaseUrl>,
) -> Result<HttpResponse, ApiError> {
    let container = state.registry.get_container(id.into_inner().into()).await?;
    let svg = qr::svg(&page_url(&base, &container), container.public_code.as_str())
        .map_err(unexpected)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

/// The QR code of a container's public page, as a PNG (8 pixels per module) with the
/// code printed beneath.
#[utoipa::path(tag = "labels", security(("bearer" = ["manager"])), responses(
    (status = 200, content_type = "image/png", body = Vec<u8>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/qr.png")]
pub async fn qr_png(
    id: Path<Uuid>,
    state: Data<AppState>,
    base: Data<PublicBaseUrl>,
) -> Result<HttpResponse, ApiError> {
    let container = state.registry.get_container(id.into_inner().into()).await?;
    let png = qr::png(
        &page_url(&base, &container),
        container.public_code.as_str(),
        8,
    )
    .map_err(unexpected)?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LabelQuery {
    /// Every live container of this site.
    pub site_id: Option<Uuid>,
    /// Every live container of this area.
    pub area_id: Option<Uuid>,
    /// Comma-separated container ids.
    pub ids: Option<String>,
    /// `fr` or `en`; otherwise `Accept-Language`, then `DEFAULT_LOCALE`.
    pub lang: Option<String>,
}

async fn selected(state: &AppState, query: &LabelQuery) -> Result<Vec<Container>, ApiError> {
    if let Some(ids) = &query.ids {
        let mut containers = Vec::new();
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let id: Uuid = id.parse().map_err(|_| {
                AppError::Invalid(ValidationError::new("ids", format!("'{id}' is not an id")))
            })?;
            containers.push(state.registry.get_container(ContainerId(id)).await?);
        }
        return Ok(containers);
    }
    if query.site_id.is_none() && query.area_id.is_none() {
        return Err(AppError::Invalid(ValidationError::new(
            "site_id",
            "give site_id, area_id or ids",
        ))
        .into());
    }
    let filter = ContainerFilter {
        site_id: query.site_id.map(Into::into),
        area_id: query.area_id.map(Into::into),
        ..ContainerFilter::default()
    };
    let mut containers = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .registry
            .list_containers(
                &filter,
                PageParams {
                    after,
                    limit: Some(500),
                },
            )
            .await?;
        containers.extend(page.items);
        match page.next {
            Some(next) if containers.len() < MAX_LABELS => after = Some(next),
            _ => break,
        }
    }
    containers.truncate(MAX_LABELS);
    Ok(containers)
}

/// An A4 sheet of labels (QR code, code, short address), print-ready HTML: 3 × 7 labels
/// of 70 × 42 mm per page, one `<section class="sheet">` per page.
#[utoipa::path(tag = "labels", security(("bearer" = ["manager"])), params(LabelQuery), responses(
    (status = 200, content_type = "text/html", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/labels")]
pub async fn label_sheet(
    query: ValidQuery<LabelQuery>,
    state: Data<AppState>,
    base: Data<PublicBaseUrl>,
    language: pages::PageLocale,
) -> Result<HttpResponse, ApiError> {
    let containers = selected(&state, &query.0).await?;
    let mut labels = Vec::with_capacity(containers.len());
    for container in &containers {
        labels.push(pages::Label {
            svg: qr::svg(&page_url(&base, container), container.public_code.as_str())
                .map_err(unexpected)?,
            code: container.public_code.to_string(),
            address: container
                .address
                .as_ref()
                .map(|a| a.as_str().chars().take(40).collect()),
        });
    }
    // a sheet is printed, not browsed: the language is not remembered in a cookie
    let language = pages::PageLocale {
        chosen: false,
        ..language
    };
    Ok(pages::label_sheet(labels, language))
}

//! `/api/v1/areas`: zones within a site, with optional GeoJSON boundaries.

use crate::dto::{Boundary, Page, nullable, versioned};
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, IfMatch, OptionalIfMatch, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::use_cases::{AreaFilter, PageParams};
use tisseco_domain::{Area, AreaChanges, AreaCode, Name, NewArea, ValidationError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDto {
    pub id: Uuid,
    pub site_id: Uuid,
    #[schema(example = "lyon-3e")]
    pub code: String,
    #[schema(example = "Lyon 3e")]
    pub name: String,
    /// Always a MultiPolygon on output.
    pub boundary: Option<Boundary>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Area> for AreaDto {
    fn from(area: Area) -> Self {
        Self {
            id: area.id.0,
            site_id: area.site_id.0,
            code: area.code.as_str().to_owned(),
            name: area.name.as_str().to_owned(),
            boundary: area.boundary.as_ref().map(Boundary::from),
            archived_at: area.archived_at,
            version: area.version,
            created_at: area.created_at,
            updated_at: area.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArea {
    pub site_id: Uuid,
    /// 1 to 32 lower-case letters, digits or dashes; unique within the site.
    #[schema(example = "lyon-3e")]
    pub code: String,
    #[schema(example = "Lyon 3e")]
    pub name: String,
    /// Closed rings of at least 4 positions, no self-intersection, at most 5,000 vertices.
    pub boundary: Option<Boundary>,
}

impl CreateArea {
    fn try_into_domain(self) -> Result<NewArea, ValidationError> {
        Ok(NewArea {
            site_id: self.site_id.into(),
            code: AreaCode::parse(&self.code)?,
            name: Name::parse(&self.name)?,
            boundary: self
                .boundary
                .as_ref()
                .map(Boundary::try_into_domain)
                .transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchArea {
    pub code: Option<String>,
    pub name: Option<String>,
    /// `null` removes the boundary.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Boundary>)]
    pub boundary: Option<Option<Boundary>>,
}

impl PatchArea {
    fn try_into_domain(self) -> Result<AreaChanges, ValidationError> {
        Ok(AreaChanges {
            code: self.code.as_deref().map(AreaCode::parse).transpose()?,
            name: self.name.as_deref().map(Name::parse).transpose()?,
            boundary: self
                .boundary
                .map(|b| b.as_ref().map(Boundary::try_into_domain).transpose())
                .transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaListQuery {
    pub site_id: Option<Uuid>,
    /// Include archived areas (default false).
    pub include_archived: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// List areas, in creation order.
#[utoipa::path(tag = "areas", security(("bearer" = ["manager"])), params(AreaListQuery), responses(
    (status = 200, body = Page<AreaDto>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/areas")]
pub async fn list_areas(
    query: ValidQuery<AreaListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<AreaDto>>, ApiError> {
    let query = query.0;
    let filter = AreaFilter {
        site_id: query.site_id.map(Into::into),
        include_archived: query.include_archived.unwrap_or(false),
    };
    let page = state
        .registry
        .list_areas(
            &filter,
            PageParams {
                after: query.after.map(Into::into),
                limit: query.limit,
            },
        )
        .await?;
    Ok(Json(Page::from_page(page, AreaDto::from)))
}

/// Get an area (archived ones too).
#[utoipa::path(tag = "areas", security(("bearer" = ["manager"])), responses(
    (status = 200, body = AreaDto, headers(("ETag" = String, description = "The version, for If-Match"))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/areas/{id}")]
pub async fn get_area(id: Path<Uuid>, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let area = state.registry.get_area(id.into_inner().into()).await?;
    Ok(versioned(
        StatusCode::OK,
        area.version,
        &AreaDto::from(area),
    ))
}

/// Create an area in a live site.
#[utoipa::path(tag = "areas", security(("bearer" = ["manager"])), request_body = CreateArea, responses(
    (status = 201, body = AreaDto),
    (status = 409, description = "The code is taken in this site", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/areas")]
pub async fn create_area(
    body: ValidJson<CreateArea>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let area = state
        .registry
        .create_area(body.0.try_into_domain()?, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        area.version,
        &AreaDto::from(area),
    ))
}

/// Change an area. Requires `If-Match` with the last ETag.
#[utoipa::path(tag = "areas", security(("bearer" = ["manager"])), request_body = PatchArea, params(("If-Match" = String, Header, description = "ETag last read")), responses(
    (status = 200, body = AreaDto),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/areas/{id}")]
pub async fn patch_area(
    id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PatchArea>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.try_into_domain()?;
    let area = state
        .registry
        .update_area(id.into_inner().into(), if_match.0, changes, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        area.version,
        &AreaDto::from(area),
    ))
}

/// Archive an area with no live container left; its history stays.
#[utoipa::path(tag = "areas", security(("bearer" = ["manager"])), responses(
    (status = 200, body = AreaDto),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[post("/areas/{id}/archive")]
pub async fn archive_area(
    id: Path<Uuid>,
    if_match: OptionalIfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let area = state
        .registry
        .archive_area(id.into_inner().into(), if_match.0, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        area.version,
        &AreaDto::from(area),
    ))
}

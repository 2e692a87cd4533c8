//! `/api/v1/sites`: the organisational units.

use crate::dto::{Page, versioned};
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, IfMatch, OptionalIfMatch, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::use_cases::{PageParams, SiteFilter};
use tisseco_domain::{Name, NewSite, Site, SiteChanges, SiteCode, ValidationError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteDto {
    pub id: Uuid,
    #[schema(example = "lyon")]
    pub code: String,
    #[schema(example = "Lyon Métropole")]
    pub name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Site> for SiteDto {
    fn from(site: Site) -> Self {
        Self {
            id: site.id.0,
            code: site.code.as_str().to_owned(),
            name: site.name.as_str().to_owned(),
            archived_at: site.archived_at,
            version: site.version,
            created_at: site.created_at,
            updated_at: site.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSite {
    /// 1 to 32 lower-case letters, digits or dashes; unique.
    #[schema(example = "lyon")]
    pub code: String,
    #[schema(example = "Lyon Métropole")]
    pub name: String,
}

impl CreateSite {
    fn try_into_domain(self) -> Result<NewSite, ValidationError> {
        Ok(NewSite {
            code: SiteCode::parse(&self.code)?,
            name: Name::parse(&self.name)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSite {
    pub code: Option<String>,
    pub name: Option<String>,
}

impl PatchSite {
    fn try_into_domain(self) -> Result<SiteChanges, ValidationError> {
        Ok(SiteChanges {
            code: self.code.as_deref().map(SiteCode::parse).transpose()?,
            name: self.name.as_deref().map(Name::parse).transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteListQuery {
    /// Include archived sites (default false).
    pub include_archived: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// List sites, in creation order.
#[utoipa::path(tag = "sites", security(("bearer" = ["manager"])), params(SiteListQuery), responses(
    (status = 200, body = Page<SiteDto>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/sites")]
pub async fn list_sites(
    query: ValidQuery<SiteListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<SiteDto>>, ApiError> {
    let query = query.0;
    let filter = SiteFilter {
        include_archived: query.include_archived.unwrap_or(false),
    };
    let page = state
        .registry
        .list_sites(
            &filter,
            PageParams {
                after: query.after.map(Into::into),
                limit: query.limit,
            },
        )
        .await?;
    Ok(Json(Page::from_page(page, SiteDto::from)))
}

/// Get a site (archived ones too).
#[utoipa::path(tag = "sites", security(("bearer" = ["manager"])), responses(
    (status = 200, body = SiteDto, headers(("ETag" = String, description = "The version, for If-Match"))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/sites/{id}")]
pub async fn get_site(id: Path<Uuid>, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let site = state.registry.get_site(id.into_inner().into()).await?;
    Ok(versioned(
        StatusCode::OK,
        site.version,
        &SiteDto::from(site),
    ))
}

/// Create a site.
#[utoipa::path(tag = "sites", security(("bearer" = ["manager"])), request_body = CreateSite, responses(
    (status = 201, body = SiteDto),
    (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/sites")]
pub async fn create_site(
    body: ValidJson<CreateSite>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let site = state
        .registry
        .create_site(body.0.try_into_domain()?, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        site.version,
        &SiteDto::from(site),
    ))
}

/// Change a site's code or name. Requires `If-Match` with the last ETag.
#[utoipa::path(tag = "sites", security(("bearer" = ["manager"])), request_body = PatchSite, params(("If-Match" = String, Header, description = "ETag last read")), responses(
    (status = 200, body = SiteDto),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Changed by someone else since", body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/sites/{id}")]
pub async fn patch_site(
    id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PatchSite>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.try_into_domain()?;
    let site = state
        .registry
        .update_site(id.into_inner().into(), if_match.0, changes, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        site.version,
        &SiteDto::from(site),
    ))
}

/// Archive a site with no live area or container left; its history stays.
#[utoipa::path(tag = "sites", security(("bearer" = ["manager"])), responses(
    (status = 200, body = SiteDto),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[post("/sites/{id}/archive")]
pub async fn archive_site(
    id: Path<Uuid>,
    if_match: OptionalIfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let site = state
        .registry
        .archive_site(id.into_inner().into(), if_match.0, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        site.version,
        &SiteDto::from(site),
    ))
}

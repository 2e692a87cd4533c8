//! `/api/v1/containers`: the collection bins, and their history.

use crate::dto::{Location, Page, nullable, parse_optional, parse_patch, versioned};
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, IfMatch, OptionalIfMatch, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, get, patch, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::ports::AuditRecord;
use tisseco_application::use_cases::{ContainerDraft, ContainerFilter, PageParams};
use tisseco_domain::{
    Address, Capacity, Container, ContainerChanges, ContainerStatus, ContainerType, ExternalRef,
    Notes, PublicCode, ValidationError,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ContainerDto {
    pub id: Uuid,
    /// Printed on the QR label; never changes.
    #[schema(example = "K7M3QPX")]
    pub public_code: String,
    pub site_id: Uuid,
    pub area_id: Option<Uuid>,
    /// The key of an import source, unique within the site.
    pub external_ref: Option<String>,
    /// street_bin, underground, in_store or other.
    #[serde(rename = "type")]
    #[schema(example = "street_bin")]
    pub kind: String,
    /// active, full, damaged, maintenance or removed.
    #[schema(example = "active")]
    pub status: String,
    pub capacity_litres: Option<u32>,
    pub location: Location,
    pub address: Option<String>,
    pub installed_on: Option<NaiveDate>,
    /// Internal notes for staff.
    pub notes: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Container> for ContainerDto {
    fn from(c: Container) -> Self {
        Self {
            id: c.id.0,
            public_code: c.public_code.to_string(),
            site_id: c.site_id.0,
            area_id: c.area_id.map(|a| a.0),
            external_ref: c.external_ref.map(|r| r.as_str().to_owned()),
            kind: c.kind.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            capacity_litres: c.capacity.map(Capacity::get),
            location: c.location.into(),
            address: c.address.map(|a| a.as_str().to_owned()),
            installed_on: c.installed_on,
            notes: c.notes.map(|n| n.as_str().to_owned()),
            archived_at: c.archived_at,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContainer {
    pub site_id: Uuid,
    /// An area of the same site.
    pub area_id: Option<Uuid>,
    /// Generated when absent (7 characters, no look-alikes such as 0/O or 1/I).
    pub public_code: Option<String>,
    pub external_ref: Option<String>,
    #[serde(rename = "type")]
    #[schema(example = "street_bin")]
    pub kind: String,
    /// Default `active`.
    pub status: Option<String>,
    /// 1 to 100,000.
    pub capacity_litres: Option<i64>,
    pub location: Location,
    pub address: Option<String>,
    /// `YYYY-MM-DD`, years 1900 to 2100.
    #[schema(value_type = Option<NaiveDate>)]
    pub installed_on: Option<String>,
    pub notes: Option<String>,
}

/// An installation date as typed, checked by the domain.
fn installed_on(text: &str) -> Result<NaiveDate, ValidationError> {
    tisseco_domain::dates::installation_date("installed_on", text)
}

impl CreateContainer {
    fn try_into_domain(self) -> Result<ContainerDraft, ValidationError> {
        Ok(ContainerDraft {
            public_code: parse_optional(self.public_code.as_deref(), PublicCode::parse)?,
            site_id: self.site_id.into(),
            area_id: self.area_id.map(Into::into),
            external_ref: parse_optional(self.external_ref.as_deref(), ExternalRef::parse)?,
            kind: ContainerType::parse(&self.kind)?,
            status: parse_optional(self.status.as_deref(), ContainerStatus::parse)?
                .unwrap_or(ContainerStatus::Active),
            capacity: self.capacity_litres.map(Capacity::litres).transpose()?,
            location: self.location.try_into_domain()?,
            address: parse_optional(self.address.as_deref(), Address::parse)?,
            installed_on: parse_optional(self.installed_on.as_deref(), installed_on)?,
            notes: parse_optional(self.notes.as_deref(), Notes::parse)?,
        })
    }
}

/// Fields to change; `null` clears an optional field. The public code and site never change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchContainer {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub area_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_ref: Option<Option<String>>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub capacity_litres: Option<Option<i64>>,
    pub location: Option<Location>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub installed_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl PatchContainer {
    fn try_into_domain(self) -> Result<ContainerChanges, ValidationError> {
        Ok(ContainerChanges {
            area_id: self.area_id.map(|a| a.map(Into::into)),
            external_ref: parse_patch(
                self.external_ref.as_ref().map(Option::as_deref),
                ExternalRef::parse,
            )?,
            kind: self.kind.as_deref().map(ContainerType::parse).transpose()?,
            status: self
                .status
                .as_deref()
                .map(ContainerStatus::parse)
                .transpose()?,
            capacity: self
                .capacity_litres
                .map(|c| c.map(Capacity::litres).transpose())
                .transpose()?,
            location: self.location.map(Location::try_into_domain).transpose()?,
            address: parse_patch(self.address.as_ref().map(Option::as_deref), Address::parse)?,
            installed_on: parse_patch(
                self.installed_on.as_ref().map(Option::as_deref),
                installed_on,
            )?,
            notes: parse_patch(self.notes.as_ref().map(Option::as_deref), Notes::parse)?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContainerListQuery {
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    /// street_bin, underground, in_store or other.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// active, full, damaged, maintenance or removed.
    pub status: Option<String>,
    /// Part of the public code or of the address, any case (at most 100 characters).
    pub q: Option<String>,
    /// Include archived containers (default false).
    pub include_archived: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

const MAX_SEARCH_CHARS: usize = 100;

impl ContainerListQuery {
    fn filter(&self) -> Result<ContainerFilter, ApiError> {
        let text = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if text.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
            return Err(ApiError::bad_request(
                "q",
                format!("must be at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let bad_param = |e: ValidationError| ApiError::bad_request(e.field, e.reason);
        Ok(ContainerFilter {
            site_id: self.site_id.map(Into::into),
            area_id: self.area_id.map(Into::into),
            kind: self
                .kind
                .as_deref()
                .map(ContainerType::parse)
                .transpose()
                .map_err(bad_param)?,
            status: self
                .status
                .as_deref()
                .map(ContainerStatus::parse)
                .transpose()
                .map_err(bad_param)?,
            text: text.map(str::to_owned),
            include_archived: self.include_archived.unwrap_or(false),
            ids: Vec::new(),
        })
    }
}

/// List containers, in creation order; all filters combine.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), params(ContainerListQuery), responses(
    (status = 200, body = Page<ContainerDto>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers")]
pub async fn list_containers(
    query: ValidQuery<ContainerListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<ContainerDto>>, ApiError> {
    let filter = query.0.filter()?;
    let params = PageParams {
        after: query.0.after.map(Into::into),
        limit: query.0.limit,
    };
    let page = state.registry.list_containers(&filter, params).await?;
    Ok(Json(Page::from_page(page, ContainerDto::from)))
}

/// Get a container (archived ones too).
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), responses(
    (status = 200, body = ContainerDto, headers(("ETag" = String, description = "The version, for If-Match"))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}")]
pub async fn get_container(
    id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let container = state.registry.get_container(id.into_inner().into()).await?;
    Ok(versioned(
        StatusCode::OK,
        container.version,
        &ContainerDto::from(container),
    ))
}

/// Create a container in a live site (and area).
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), request_body = CreateContainer, responses(
    (status = 201, body = ContainerDto),
    (status = 409, description = "Public code or external reference taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/containers")]
pub async fn create_container(
    body: ValidJson<CreateContainer>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let container = state
        .registry
        .create_container(body.0.try_into_domain()?, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        container.version,
        &ContainerDto::from(container),
    ))
}

/// Change a container. Requires `If-Match` with the last ETag.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), request_body = PatchContainer, params(("If-Match" = String, Header, description = "ETag last read")), responses(
    (status = 200, body = ContainerDto),
    (status = 409, description = "Archived, forbidden status change or duplicate", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Changed by someone else since", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/containers/{id}")]
pub async fn patch_container(
    id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PatchContainer>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.try_into_domain()?;
    let container = state
        .registry
        .update_container(id.into_inner().into(), if_match.0, changes, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        container.version,
        &ContainerDto::from(container),
    ))
}

/// Archive a container: it leaves the lists, its history stays.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), responses(
    (status = 200, body = ContainerDto),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[post("/containers/{id}/archive")]
pub async fn archive_container(
    id: Path<Uuid>,
    if_match: OptionalIfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let container = state
        .registry
        .archive_container(id.into_inner().into(), if_match.0, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        container.version,
        &ContainerDto::from(container),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordDto {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The user who made the change (absent for system changes).
    pub actor_id: Option<Uuid>,
    /// create, update or archive.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// The import that made the change (its uploader is the actor), when an import did.
    pub import_id: Option<Uuid>,
}

impl From<AuditRecord> for AuditRecordDto {
    fn from(r: AuditRecord) -> Self {
        Self {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_id: r.actor.map(|a| a.0),
            action: r.action,
            before: r.before,
            after: r.after,
            request_id: r.request_id,
            import_id: r.import_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The `next_cursor` of the previous page.
    pub before: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// A container's audit records, newest first.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), params(HistoryQuery), responses(
    (status = 200, body = Page<AuditRecordDto>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/history")]
pub async fn container_history(
    id: Path<Uuid>,
    query: ValidQuery<HistoryQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<AuditRecordDto>>, ApiError> {
    let page = state
        .registry
        .container_history(id.into_inner().into(), query.0.before, query.0.limit)
        .await?;
    Ok(Json(Page::from_page(page, AuditRecordDto::from)))
}

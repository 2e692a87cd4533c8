//! `/api/v1/stats/declaration`: the quarterly collection-point declaration textile
//! take-back schemes ask collectors for, one row per container (columns in README).

use crate::csv::{Cell, csv_response, wants_csv};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::stats::DeclarationRow;
use tisseco_domain::SiteId;
use tisseco_domain::stats::DateRange;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeclarationParams {
    /// Default: the year of the current quarter.
    pub year: Option<i32>,
    /// 1–4; default: the current quarter.
    pub quarter: Option<u32>,
    pub site_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationRowDto {
    pub code: String,
    pub external_ref: Option<String>,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(rename = "type")]
    pub kind: String,
    pub installed_on: Option<NaiveDate>,
    pub status: String,
    /// Collected in the quarter (local days of the site).
    pub kilograms: f64,
}

impl From<DeclarationRow> for DeclarationRowDto {
    fn from(r: DeclarationRow) -> Self {
        Self {
            code: r.public_code,
            external_ref: r.external_ref,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            kind: r.kind,
            installed_on: r.installed_on,
            status: r.status,
            kilograms: r.kilograms,
        }
    }
}

const HEADER: [&str; 9] = [
    "code",
    "external_ref",
    "address",
    "latitude",
    "longitude",
    "type",
    "installed_on",
    "status",
    "kilograms",
];

async fn answer(
    req: &HttpRequest,
    params: DeclarationParams,
    state: &AppState,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let (this_year, this_quarter) = DateRange::quarter_of(Utc::now().date_naive());
    let year = params.year.unwrap_or(this_year);
    let quarter = params.quarter.unwrap_or(this_quarter);
    let rows = state
        .stats
        .declaration(year, quarter, params.site_id.map(SiteId::from))
        .await?;
    if csv || wants_csv(req) {
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::text(r.public_code),
                    Cell::opt_text(r.external_ref),
                    Cell::opt_text(r.address),
                    Cell::decimal(r.latitude, 6),
                    Cell::decimal(r.longitude, 6),
                    Cell::text(r.kind),
                    Cell::Number(r.installed_on.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::text(r.status),
                    Cell::decimal(r.kilograms, 1),
                ]
            })
            .collect();
        let name = format!("declaration-{year}-T{quarter}.csv");
        return Ok(csv_response(&name, &HEADER, rows));
    }
    let items: Vec<DeclarationRowDto> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "year": year, "quarter": quarter, "items": items,
    })))
}

/// The collection-point declaration of a quarter: every container present during it (not
/// archived before it started, created before it ended) with the kilograms collected.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(DeclarationParams), responses(
    (status = 200, body = Vec<DeclarationRowDto>, description = "`{\"year\", \"quarter\", \"items\": [...]}`"),
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/declaration")]
pub async fn declaration(
    req: HttpRequest,
    params: ValidQuery<DeclarationParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    answer(&req, params.0, &state, false).await
}

/// The declaration as CSV.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(DeclarationParams), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/declaration.csv")]
pub async fn declaration_csv(
    req: HttpRequest,
    params: ValidQuery<DeclarationParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    answer(&req, params.0, &state, true).await
}

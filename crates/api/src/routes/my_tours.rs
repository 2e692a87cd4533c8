//! `/api/v1/me/tours`: the driver's day, stop by stop.

use crate::error::{ApiError, Problem};
use crate::extract::{Audit, Caller, ValidJson, ValidQuery};
use crate::routes::tours::{TourDto, dtos, respond};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpRequest, HttpResponse, get, post};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::tours::IdempotencyKey;
use tisseco_domain::{Notes, SkipReason, Visit};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// Default: today (UTC).
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordVisit {
    /// 0 to 100 %.
    pub fill_level: i64,
    pub weight_kg: Option<f64>,
    pub emptied: bool,
    pub notes: Option<String>,
    /// A problem found on the spot; the container becomes damaged.
    pub problem: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSkip {
    /// inaccessible, blocked, not_found, unsafe, out_of_time or other.
    pub reason: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScannedStop {
    pub container_id: Uuid,
    pub position: usize,
}

/// The caller's tours of a day, stops in order with each container's code, address and place.
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), params(DayQuery), responses((status = 200, body = Vec<TourDto>)))]
#[get("/me/tours")]
pub async fn my_tours(
    caller: Caller,
    query: ValidQuery<DayQuery>,
    state: Data<AppState>,
) -> Result<Json<Vec<TourDto>>, ApiError> {
    let date = query.0.date.unwrap_or_else(|| Utc::now().date_naive());
    let tours = state.tours.of_driver(&caller.0, date).await?;
    Ok(Json(dtos(&state, tours).await?))
}

/// One of the caller's tours.
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), responses(
    (status = 200, body = TourDto),
    (status = 403, description = "Another driver's tour", body = Problem, content_type = "application/problem+json"),
))]
#[get("/me/tours/{tour_id}")]
pub async fn my_tour(
    caller: Caller,
    tour_id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .get_for(&caller.0, tour_id.into_inner().into())
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Start the tour (planned → in progress).
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), responses((status = 200, body = TourDto)))]
#[post("/me/tours/{tour_id}/start")]
pub async fn start(
    caller: Caller,
    tour_id: Path<Uuid>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .start(&caller.0, tour_id.into_inner().into(), &audit.0)
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// The request's `Idempotency-Key`, bound to the method, path and body as parsed (so that
/// spacing or field order does not make another request).
fn idempotency_key(
    req: &HttpRequest,
    body: &impl Serialize,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| (1..=200).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key", "expected 1 to 200 visible characters")
        })?
        .to_owned();
    let request = format!(
        "{} {}\n{}",
        req.method(),
        req.path(),
        serde_json::to_string(body).unwrap_or_default()
    );
    Ok(Some(IdempotencyKey { key, request }))
}

/// Record a visit. Send an `Idempotency-Key` header: a retry with the same key (a phone on
/// a bad network) records nothing twice and gets the tour back.
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), request_body = RecordVisit,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per visit attempt")),
    responses(
        (status = 200, body = TourDto),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/me/tours/{tour_id}/stops/{container_id}/visit")]
pub async fn visit(
    req: HttpRequest,
    caller: Caller,
    path: Path<(Uuid, Uuid)>,
    body: ValidJson<RecordVisit>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req, &body.0)?;
    let b = body.0;
    let notes = b.notes.as_deref().map(Notes::parse).transpose()?;
    let problem = b
        .problem
        .as_deref()
        .map(Notes::parse)
        .transpose()
        .map_err(|e| tisseco_domain::ValidationError::new("problem", e.reason))?;
    let visit = Visit::new(
        Utc::now(),
        b.fill_level,
        b.weight_kg,
        b.emptied,
        notes,
        problem,
    )?;
    let (tour_id, container) = path.into_inner();
    let tour = state
        .tours
        .visit(
            &caller.0,
            tour_id.into(),
            container.into(),
            visit,
            key.as_ref(),
            &audit.0,
        )
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Record that a stop was skipped, and why. Send an `Idempotency-Key` header (as for a
/// visit): a retry with the same key records nothing twice and gets the tour back.
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), request_body = RecordSkip,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per skip attempt")),
    responses(
        (status = 200, body = TourDto),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/me/tours/{tour_id}/stops/{container_id}/skip")]
pub async fn skip(
    req: HttpRequest,
    caller: Caller,
    path: Path<(Uuid, Uuid)>,
    body: ValidJson<RecordSkip>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req, &body.0)?;
    let reason = SkipReason::parse(&body.0.reason)?;
    let note = body
        .0
        .note
        .as_deref()
        .map(Notes::parse)
        .transpose()
        .map_err(|e| tisseco_domain::ValidationError::new("note", e.reason))?;
    let (tour_id, container) = path.into_inner();
    let (tour_id, container) = (tour_id.into(), container.into());
    let tour = match key {
        Some(key) => {
            state
                .tours
                .skip_once(&caller.0, tour_id, container, reason, note, &key, &audit.0)
                .await?
        }
        None => {
            state
                .tours
                .skip(&caller.0, tour_id, container, reason, note, &audit.0)
                .await?
        }
    };
    respond(&state, StatusCode::OK, tour).await
}

/// Find the stop of a scanned QR label (the container's public code).
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), responses(
    (status = 200, body = ScannedStop),
    (status = 404, description = "No stop of this tour has that code", body = Problem, content_type = "application/problem+json"),
))]
#[get("/me/tours/{tour_id}/scan/{code}")]
pub async fn scan(
    caller: Caller,
    path: Path<(Uuid, String)>,
    state: Data<AppState>,
) -> Result<Json<ScannedStop>, ApiError> {
    let (tour_id, code) = path.into_inner();
    let (tour, container) = state
        .tours
        .stop_by_code(&caller.0, tour_id.into(), &code)
        .await?;
    let position = tour
        .stops
        .iter()
        .position(|s| s.container_id == container)
        .map_or(0, |p| p + 1);
    Ok(Json(ScannedStop {
        container_id: container.0,
        position,
    }))
}

/// Complete the tour once every stop is visited or skipped.
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), responses(
    (status = 200, body = TourDto),
    (status = 409, description = "Stops are still pending", body = Problem, content_type = "application/problem+json"),
))]
#[post("/me/tours/{tour_id}/complete")]
pub async fn complete(
    caller: Caller,
    tour_id: Path<Uuid>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .complete(&caller.0, tour_id.into_inner().into(), &audit.0)
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

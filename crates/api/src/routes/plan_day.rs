//! `POST /api/v1/tours/plan-day` (managers): draft tours for the day's fleet, saved as
//! draft tours when `accept` is true.

use crate::dto::Location;
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, ValidJson};
use crate::state::AppState;
use actix_web::post;
use actix_web::web::{Data, Json, block};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tisseco_application::AppError;
use tisseco_application::tours::{DayPlan, DayRequest, FleetVehicle, OpeningHours, StopSelection};
use tisseco_domain::ValidationError;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetVehicleDto {
    /// The truck's name or plate, copied to its tour.
    pub vehicle: Option<String>,
    pub driver_id: Option<Uuid>,
    /// How much it carries, in litres (more than 0).
    pub capacity_litres: f64,
    /// The longest day it may drive, stops included (more than 0).
    pub shift_minutes: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursDto {
    pub container_id: Uuid,
    /// Local times, e.g. "09:00" and "12:00"; the shift starts at `shift_start`.
    #[schema(value_type = String, example = "09:00")]
    pub opens: NaiveTime,
    #[schema(value_type = String, example = "12:00")]
    pub closes: NaiveTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDayRequest {
    pub site_id: Uuid,
    pub date: NaiveDate,
    /// Where every tour starts and ends.
    pub depot: Option<Location>,
    /// The trucks available (at least one).
    pub vehicles: Vec<FleetVehicleDto>,
    /// Containers to visit…
    #[serde(default)]
    pub container_ids: Vec<Uuid>,
    /// …and every live container of this area…
    pub area_id: Option<Uuid>,
    /// …or of the site, last found at least this full (0-100 %)…
    pub min_fill_level: Option<u8>,
    /// …and the site's containers marked full.
    #[serde(default)]
    pub reported_full: bool,
    /// …and the containers predicted to reach 80 % by the end of this day (usually the
    /// plan's `date`; see `GET /containers/due`).
    pub due_by: Option<NaiveDate>,
    /// Average driving speed; default 25 km/h.
    pub speed_kmh: Option<f64>,
    /// Time at each stop; default 3 minutes.
    pub service_minutes: Option<f64>,
    /// Load of a container whose capacity is unknown; default 1,000 litres.
    pub default_load_litres: Option<f64>,
    /// When the shifts start (for opening hours); default "07:00".
    #[schema(value_type = Option<String>, example = "07:00")]
    pub shift_start: Option<NaiveTime>,
    /// Containers that may only be visited at some hours (e.g. in-store boxes).
    #[serde(default)]
    pub opening_hours: Vec<OpeningHoursDto>,
    /// How much to even out the days: each minute of the longest day costs as much as
    /// `balance` minutes of driving more in total. Default 1; 0 minimises distance
    /// alone (which may leave trucks unused and days uneven).
    pub balance: Option<f64>,
    /// Search time, 100 to 10,000 ms; default 1,800 (the answer within 2 s).
    pub budget_ms: Option<u64>,
    /// Save the drafts as draft tours (default false: nothing is saved).
    #[serde(default)]
    pub accept: bool,
}

fn positive(field: &str, value: f64) -> Result<f64, ValidationError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ValidationError::new(field, "must be more than 0"))
    }
}

impl PlanDayRequest {
    fn try_into_domain(self) -> Result<(DayRequest, bool), ValidationError> {
        if self.min_fill_level.is_some_and(|f| f > 100) {
            return Err(ValidationError::new(
                "min_fill_level",
                "must be between 0 and 100 (%)",
            ));
        }
        let depot = self
            .depot
            .ok_or_else(|| {
                ValidationError::new("depot", "where the tours start and end is needed")
            })?
            .try_into_domain()
            .map_err(|e| e.within("depot"))?;
        let service_minutes = self.service_minutes.unwrap_or(3.0);
        if !(service_minutes.is_finite() && service_minutes >= 0.0) {
            return Err(ValidationError::new("service_minutes", "must be 0 or more"));
        }
        let budget_ms = self.budget_ms.unwrap_or(1_800);
        if !(100..=10_000).contains(&budget_ms) {
            return Err(ValidationError::new(
                "budget_ms",
                "must be between 100 and 10000",
            ));
        }
        let start = self
            .shift_start
            .unwrap_or(NaiveTime::MIN + chrono::Duration::hours(7));
        let minutes = |t: NaiveTime| (t - start).num_seconds() as f64 / 60.0;
        let opening_hours = self
            .opening_hours
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if w.closes <= w.opens || w.closes <= start {
                    return Err(ValidationError::new(
                        format!("opening_hours[{i}].closes"),
                        "must be after opens and after shift_start",
                    ));
                }
                Ok(OpeningHours {
                    container_id: w.container_id.into(),
                    opens_minute: minutes(w.opens).max(0.0),
                    closes_minute: minutes(w.closes),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request = DayRequest {
            site_id: self.site_id.into(),
            date: self.date,
            depot,
            vehicles: self
                .vehicles
                .into_iter()
                .map(|v| FleetVehicle {
                    vehicle: v.vehicle,
                    driver_id: v.driver_id.map(Into::into),
                    capacity_litres: v.capacity_litres,
                    shift_minutes: v.shift_minutes,
                })
                .collect(),
            selection: StopSelection {
                container_ids: self.container_ids.into_iter().map(Into::into).collect(),
                area_id: self.area_id.map(Into::into),
                min_fill_level: self.min_fill_level,
                reported_full: self.reported_full,
                due_by: self.due_by,
            },
            speed_kmh: positive("speed_kmh", self.speed_kmh.unwrap_or(25.0))?,
            service_minutes,
            default_load_litres: positive(
                "default_load_litres",
                self.default_load_litres.unwrap_or(1_000.0),
            )?,
            opening_hours,
            balance: self.balance.unwrap_or(1.0),
            budget: Duration::from_millis(budget_ms),
        };
        Ok((request, self.accept))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftStopDto {
    pub position: usize,
    pub container_id: Uuid,
    pub public_code: String,
    pub location: Location,
    pub load_litres: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftTourDto {
    pub vehicle: Option<String>,
    pub driver_id: Option<Uuid>,
    pub stops: Vec<DraftStopDto>,
    pub load_litres: f64,
    pub capacity_litres: f64,
    pub distance_m: f64,
    /// Driving at `speed_kmh`, plus `service_minutes` a stop (and any wait for opening hours).
    pub duration_minutes: f64,
    /// The saved draft tour, when accepted: edit it as any tour.
    pub tour_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeftOutDto {
    pub container_id: Uuid,
    pub public_code: String,
    /// `capacity` (no truck has room left) or `time` (no shift can reach it in time).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayPlanDto {
    /// One per vehicle used.
    pub tours: Vec<DraftTourDto>,
    pub left_out: Vec<LeftOutDto>,
    /// Whether the drafts were saved as tours.
    pub accepted: bool,
}

impl From<DayPlan> for DayPlanDto {
    fn from(plan: DayPlan) -> Self {
        Self {
            tours: plan
                .drafts
                .into_iter()
                .map(|d| DraftTourDto {
                    vehicle: d.vehicle,
                    driver_id: d.driver_id.map(|u| u.0),
                    stops: d
                        .stops
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| DraftStopDto {
                            position: i + 1,
                            container_id: s.container_id.0,
                            public_code: s.public_code.to_string(),
                            location: s.location.into(),
                            load_litres: s.load_litres,
                        })
                        .collect(),
                    load_litres: d.load_litres,
                    capacity_litres: d.capacity_litres,
                    distance_m: d.distance_m,
                    duration_minutes: d.duration_minutes,
                    tour_id: d.tour_id.map(|t| t.0),
                })
                .collect(),
            left_out: plan
                .left_out
                .into_iter()
                .map(|l| LeftOutDto {
                    container_id: l.container_id.0,
                    public_code: l.public_code.to_string(),
                    reason: l.reason.as_str().to_owned(),
                })
                .collect(),
            accepted: plan.accepted,
        }
    }
}

/// Plan the day: draft tours per vehicle from the containers to visit (capacity, shift
/// length and opening hours kept), and those left out with the reason. Nothing is saved
/// unless `accept` is true; then each draft becomes a draft tour (`tour_id`).
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = PlanDayRequest, responses(
    (status = 200, body = DayPlanDto),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/tours/plan-day")]
pub async fn plan_day(
    body: ValidJson<PlanDayRequest>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<Json<DayPlanDto>, ApiError> {
    let (request, accept) = body.0.try_into_domain()?;
    let prepared = state.tours.prepare_day(request).await?;
    // The search is seconds of CPU: it runs on the blocking pool, not a request thread.
    let solved = block(move || prepared.solve()).await.map_err(|e| {
        ApiError::from(AppError::Unexpected(format!(
            "day plan search stopped: {e}"
        )))
    })?;
    let plan = state.tours.finish_day(solved, accept, &audit.0).await?;
    Ok(Json(plan.into()))
}

//! `GET /api/v1/containers/counts`: how many live containers are in each status (the
//! console's dashboard tile), counted by the database rather than by paging through them.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ContainerCounts {
    /// Every status (`active`, `full`, `damaged`, `maintenance`, `removed`) with its count.
    #[schema(example = json!({"active": 271, "full": 19, "damaged": 11, "maintenance": 8, "removed": 0}))]
    pub by_status: BTreeMap<String, u64>,
    pub total: u64,
}

/// Live containers by status.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), responses((status = 200, body = ContainerCounts)))]
#[get("/containers/counts")]
pub async fn container_counts(state: Data<AppState>) -> Result<Json<ContainerCounts>, ApiError> {
    let counts = state.registry.container_counts().await?;
    Ok(Json(ContainerCounts {
        total: counts.iter().map(|(_, n)| n).sum(),
        by_status: counts
            .into_iter()
            .map(|(status, n)| (status.as_str().to_owned(), n))
            .collect(),
    }))
}

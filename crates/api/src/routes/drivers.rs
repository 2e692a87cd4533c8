//! `/api/v1/drivers`: the active drivers a manager may assign to a tour (names only: the
//! full accounts stay with the admins at `/users`).

use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use serde::Serialize;
use tisseco_application::auth::UserFilter;
use tisseco_application::use_cases::{MAX_PAGE_SIZE, PageParams};
use tisseco_domain::Role;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct DriverDto {
    pub id: Uuid,
    pub display_name: String,
}

/// Active drivers, for assigning tours (the first 500).
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses((status = 200, body = Vec<DriverDto>)))]
#[get("/drivers")]
pub async fn list_drivers(state: Data<AppState>) -> Result<Json<Vec<DriverDto>>, ApiError> {
    let filter = UserFilter {
        role: Some(Role::Driver),
        include_inactive: false,
    };
    let page = state
        .auth
        .list_users(
            &filter,
            PageParams {
                after: None,
                limit: Some(MAX_PAGE_SIZE),
            },
        )
        .await?;
    Ok(Json(
        page.items
            .into_iter()
            .map(|u| DriverDto {
                id: u.id.0,
                display_name: u.display_name.as_str().to_owned(),
            })
            .collect(),
    ))
}

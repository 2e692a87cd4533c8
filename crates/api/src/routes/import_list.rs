//! `GET /api/v1/imports`: the imports, newest first, in keyset pages (the console's list
//! and its "imports running" tile).

use crate::dto::Page;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::pages::PageLocale;
use crate::routes::imports::ImportDto;
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportListQuery {
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
    /// 1 to 100, default 20.
    pub limit: Option<u32>,
}

/// Imports, newest first, with their state and counts.
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), params(ImportListQuery), responses(
    (status = 200, body = Page<ImportDto>),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports")]
pub async fn list_imports(
    query: ValidQuery<ImportListQuery>,
    language: PageLocale,
    state: Data<AppState>,
) -> Result<Json<Page<ImportDto>>, ApiError> {
    let page = state.imports.list(query.0.before, query.0.limit).await?;
    Ok(Json(Page::from_page(page, |i| {
        ImportDto::of(i, language.locale)
    })))
}

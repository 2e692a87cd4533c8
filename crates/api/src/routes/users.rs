//! `/api/v1/users`: account administration (admins only).

use crate::dto::{Page, versioned};
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, IfMatch, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::auth::UserFilter;
use tisseco_application::use_cases::PageParams;
use tisseco_domain::{
    Email, Locale, NewUser, Password, Role, User, UserChanges, ValidationError, display_name,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// driver, manager or admin.
    pub role: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The language of this user's e-mails, `fr` or `en`; null: `DEFAULT_LOCALE`.
    pub locale: Option<String>,
}

impl From<User> for UserDto {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            active: user.active,
            version: user.version,
            created_at: user.created_at,
            updated_at: user.updated_at,
            locale: user.locale.map(|l| l.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub display_name: String,
    /// driver, manager or admin.
    pub role: String,
    /// 12 to 256 characters.
    pub password: String,
}

impl CreateUser {
    fn try_into_domain(self) -> Result<(NewUser, Password), ValidationError> {
        let new = NewUser {
            email: Email::parse(&self.email)?,
            display_name: display_name(&self.display_name)?,
            role: Role::parse(&self.role)?,
        };
        Ok((new, Password::new(&self.password)?))
    }
}

/// A new role or `active: false` ends the user's sessions at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// `fr` or `en`: the language of the user's e-mails.
    pub locale: Option<String>,
}

impl PatchUser {
    fn try_into_domain(self) -> Result<UserChanges, ValidationError> {
        Ok(UserChanges {
            display_name: self.display_name.as_deref().map(display_name).transpose()?,
            role: self.role.as_deref().map(Role::parse).transpose()?,
            active: self.active,
            locale: self
                .locale
                .as_deref()
                .map(|l| Locale::parse("locale", l))
                .transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// driver, manager or admin.
    pub role: Option<String>,
    /// Include deactivated accounts (default false).
    pub include_inactive: Option<bool>,
    pub after: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// List accounts.
#[utoipa::path(tag = "users", security(("bearer" = ["admin"])), params(UserListQuery), responses(
    (status = 200, body = Page<UserDto>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/users")]
pub async fn list_users(
    query: ValidQuery<UserListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<UserDto>>, ApiError> {
    let query = query.0;
    let role = query
        .role
        .as_deref()
        .map(Role::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.field, e.reason))?;
    let filter = UserFilter {
        role,
        include_inactive: query.include_inactive.unwrap_or(false),
    };
    let page = state
        .auth
        .list_users(
            &filter,
            PageParams {
                after: query.after.map(Into::into),
                limit: query.limit,
            },
        )
        .await?;
    Ok(Json(Page::from_page(page, UserDto::from)))
}

/// Create an account.
#[utoipa::path(tag = "users", security(("bearer" = ["admin"])), request_body = CreateUser, responses(
    (status = 201, body = UserDto),
    (status = 409, description = "The e-mail is taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/users")]
pub async fn create_user(
    body: ValidJson<CreateUser>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let (new, password) = body.0.try_into_domain()?;
    let user = state.auth.create_user(new, &password, &audit.0).await?;
    Ok(versioned(
        StatusCode::CREATED,
        user.version,
        &UserDto::from(user),
    ))
}

/// Get an account.
#[utoipa::path(tag = "users", security(("bearer" = ["admin"])), responses(
    (status = 200, body = UserDto),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/users/{id}")]
pub async fn get_user(id: Path<Uuid>, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = state.auth.get_user(id.into_inner().into()).await?;
    Ok(versioned(
        StatusCode::OK,
        user.version,
        &UserDto::from(user),
    ))
}

/// Rename, change role, deactivate or reactivate an account. Requires `If-Match`.
#[utoipa::path(tag = "users", security(("bearer" = ["admin"])), request_body = PatchUser, responses(
    (status = 200, body = UserDto),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/users/{id}")]
pub async fn patch_user(
    id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PatchUser>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let changes = body.0.try_into_domain()?;
    let user = state
        .auth
        .update_user(id.into_inner().into(), if_match.0, changes, &audit.0)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        user.version,
        &UserDto::from(user),
    ))
}

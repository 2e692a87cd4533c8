//! `/api/v1/auth`: sign in, renew, sign out, narrow a token; `/api/v1/me`.

use crate::error::{ApiError, Problem};
use crate::extract::{BearerToken, Caller, ValidJson};
use crate::routes::users::UserDto;
use crate::state::AppState;
use actix_web::web::{Data, Json};
use actix_web::{HttpResponse, get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::auth::TokenPair;
use tisseco_application::auth::ports::Restriction;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(example = "manager@tisseco.test")]
    pub email: String,
    #[schema(example = "demo-manager-password")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Tokens {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// Single use: each refresh returns a new one; presenting a spent one ends the session.
    pub refresh_token: String,
    pub refresh_expires_in: u64,
}

impl From<TokenPair> for Tokens {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            token_type: "Bearer",
            expires_in: pair.access_expires_in.as_secs(),
            refresh_token: pair.refresh_token,
            refresh_expires_in: pair.refresh_expires_in.as_secs(),
        }
    }
}

/// Restrictions to add; each only narrows the token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attenuate {
    /// Only GET requests.
    #[serde(default)]
    pub read_only: bool,
    /// An earlier expiry than the token's own.
    pub expires_at: Option<DateTime<Utc>>,
    /// Only requests about this tour.
    pub tour_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttenuatedToken {
    pub access_token: String,
}

/// Sign in with e-mail and password.
#[utoipa::path(tag = "auth", security(()), request_body = Login, responses(
    (status = 200, body = Tokens),
    (status = 401, description = "Wrong e-mail or password (the same answer for both)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    body: ValidJson<Login>,
    state: Data<AppState>,
) -> Result<Json<Tokens>, ApiError> {
    Ok(Json(
        state
            .auth
            .login(&body.0.email, &body.0.password)
            .await?
            .into(),
    ))
}

/// Exchange a refresh token for a new pair.
#[utoipa::path(tag = "auth", security(()), request_body = Refresh, responses(
    (status = 200, body = Tokens),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/refresh")]
pub async fn refresh(
    body: ValidJson<Refresh>,
    state: Data<AppState>,
) -> Result<Json<Tokens>, ApiError> {
    Ok(Json(
        state.auth.refresh(&body.0.refresh_token).await?.into(),
    ))
}

/// Sign out: this session's tokens (attenuated ones too) stop working.
#[utoipa::path(tag = "auth", security(("bearer" = ["driver"])), responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(caller: Caller, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&caller.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Derive a narrower token from the one presented (e.g. read-only, or one tour for one day).
#[utoipa::path(tag = "auth", security(("bearer" = ["driver"])), request_body = Attenuate, responses(
    (status = 200, body = AttenuatedToken),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/attenuate")]
pub async fn attenuate(
    token: BearerToken,
    body: ValidJson<Attenuate>,
    state: Data<AppState>,
) -> Result<Json<AttenuatedToken>, ApiError> {
    let restriction = Restriction {
        read_only: body.0.read_only,
        expires_at: body.0.expires_at,
        tour: body.0.tour_id,
    };
    Ok(Json(AttenuatedToken {
        access_token: state.auth.attenuate(&token.0, &restriction)?,
    }))
}

/// The signed-in user.
#[utoipa::path(tag = "auth", security(("bearer" = ["driver"])), responses((status = 200, body = UserDto)))]
#[get("/me")]
pub async fn me(caller: Caller, state: Data<AppState>) -> Result<Json<UserDto>, ApiError> {
    Ok(Json(state.auth.get_user(caller.0.user_id).await?.into()))
}

/// The caller's own preferences.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMe {
    /// `fr` or `en`: the language of the e-mails the platform sends you.
    pub locale: String,
}

/// Change the signed-in user's own preferences (today: the language of their e-mails).
#[utoipa::path(tag = "auth", security(("bearer" = ["driver"])), request_body = PatchMe, responses(
    (status = 200, body = UserDto),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/me")]
pub async fn patch_me(
    caller: Caller,
    body: ValidJson<PatchMe>,
    state: Data<AppState>,
    audit: crate::extract::Audit,
) -> Result<Json<UserDto>, ApiError> {
    let locale = tisseco_domain::Locale::parse("locale", &body.0.locale)
        .map_err(tisseco_application::AppError::Invalid)?;
    let user = state
        .auth
        .set_own_locale(caller.0.user_id, locale, &audit.0)
        .await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// From the link in the reset e-mail.
    pub token: String,
    /// 12 to 256 characters.
    pub password: String,
}

/// Ask for a password-reset e-mail. The answer is the same whether the account exists.
#[utoipa::path(tag = "auth", security(()), request_body = ResetRequest, responses(
    (status = 202, description = "If the account exists, a link valid 30 minutes is on its way"),
    (status = 429, body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    body: ValidJson<ResetRequest>,
    state: Data<AppState>,
    audit: crate::extract::Audit,
) -> Result<HttpResponse, ApiError> {
    let reset = state.password_reset.clone();
    reset.admit(&body.0.email).await?;
    // The answer leaves before the lookup: known and unknown addresses answer alike.
    let email = body.0.email;
    actix_web::rt::spawn(async move {
        // let the answer be written first: this task shares the worker's thread
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        if let Err(error) = reset.send_link(&email, audit.0.request_id).await {
            tracing::warn!(error = %error, "password-reset link not sent");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the e-mail; every session of the account ends.
#[utoipa::path(tag = "auth", security(()), request_body = ResetConfirm, responses(
    (status = 204),
    (status = 422, description = "Weak password, or an invalid, expired or used token", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    body: ValidJson<ResetConfirm>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state
        .password_reset
        .reset(&body.0.token, &body.0.password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

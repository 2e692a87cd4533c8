//! `/api/v1/auth/session`: sign-in for the browser console. The refresh token never
//! reaches page scripts: it travels in an `HttpOnly; Secure; SameSite=Strict` cookie
//! whose `Path` is this route, so the browser sends it here and nowhere else; the
//! body carries only the short-lived access token, kept in memory by the console.
//! API clients keep using `/auth/login` and `/auth/refresh` with JSON bodies.

use crate::error::{ApiError, Problem};
use crate::extract::{Caller, ValidJson};
use crate::routes::auth::Login;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, post};
use serde::Serialize;
use tisseco_application::AppError;
use tisseco_application::auth::TokenPair;
use utoipa::ToSchema;

/// The cookie's name and the path it is scoped to.
pub const COOKIE: &str = "tisseco_refresh";
pub const COOKIE_PATH: &str = "/api/v1/auth/session";

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionToken {
    /// Send as `Authorization: Bearer <access_token>`; keep it in memory only.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token lives: refresh a little before.
    pub expires_in: u64,
}

fn cookie(value: &str, max_age: u64) -> String {
    format!(
        "{COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    )
}

/// The body with the access token, and the cookie with the refresh token.
fn signed_in(pair: TokenPair) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            cookie(&pair.refresh_token, pair.refresh_expires_in.as_secs()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SessionToken {
            access_token: pair.access_token,
            token_type: "Bearer",
            expires_in: pair.access_expires_in.as_secs(),
        })
}

/// A response that also deletes the cookie.
fn forget(mut response: HttpResponse) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&cookie("", 0)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The refresh token from the request's cookie, if any.
fn refresh_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Sign in from the console: the access token in the body, the refresh token in a cookie.
#[utoipa::path(tag = "auth", security(()), request_body = Login, responses(
    (status = 200, body = SessionToken, headers(("set-cookie" = String, description = "tisseco_refresh, HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth/session"))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 429, body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/session")]
pub async fn open_session(
    body: ValidJson<Login>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let pair = state.auth.login(&body.0.email, &body.0.password).await?;
    Ok(signed_in(pair))
}

/// A new access token for the session in the cookie (which is replaced: single use).
#[utoipa::path(tag = "auth", security(()), responses(
    (status = 200, body = SessionToken),
    (status = 401, description = "No session, or it ended; the cookie is deleted", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/session/refresh")]
pub async fn refresh_session(
    req: HttpRequest,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = refresh_cookie(&req) else {
        return Err(AppError::Unauthenticated("no session: sign in".into()).into());
    };
    match state.auth.refresh(&token).await {
        Ok(pair) => Ok(signed_in(pair)),
        Err(error @ AppError::Unauthenticated(_)) => {
            let response = actix_web::ResponseError::error_response(&ApiError::from(error));
            Ok(forget(response))
        }
        Err(error) => Err(error.into()),
    }
}

/// Sign out of the console: the session ends and the cookie is deleted.
#[utoipa::path(tag = "auth", security(("bearer" = ["driver"])), responses((status = 204)))]
#[post("/auth/session/logout")]
pub async fn close_session(
    caller: Caller,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&caller.0).await?;
    Ok(forget(HttpResponse::NoContent().finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_cookie_is_read_among_others_and_scoped_to_this_route() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; tisseco_refresh=abc.def; b=2"))
            .to_http_request();
        assert_eq!(refresh_cookie(&req).as_deref(), Some("abc.def"));
        let empty = TestRequest::default()
            .insert_header((header::COOKIE, "tisseco_refresh="))
            .to_http_request();
        assert_eq!(refresh_cookie(&empty), None);
        let set = cookie("t", 60);
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/v1/auth/session;",
        ] {
            assert!(set.contains(part), "{set}");
        }
    }
}

//! `GET /reset-password?token=`: where the password-reset e-mail's link lands, a small form
//! without JavaScript; `POST /reset-password`: sets the new password through the same use
//! case as `POST /api/v1/auth/password-reset/confirm`. The admin web app may later serve
//! this path instead (register its route first and it wins).

use super::{PageLocale, error_page, page};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Query};
use serde::{Deserialize, Serialize};
use tisseco_application::AppError;
use tisseco_domain::Locale;

#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    lang: String,
}

#[derive(Serialize)]
struct ResetView {
    token: String,
    error: Option<String>,
    done: bool,
}

fn not_found(language: PageLocale) -> HttpResponse {
    error_page(
        &AppError::NotFound {
            entity: "reset link",
            id: String::new(),
        },
        language,
    )
}

pub fn reset_page(query: Query<ResetForm>, language: PageLocale) -> HttpResponse {
    if query.token.is_empty() || query.token.len() > 256 {
        return not_found(language);
    }
    let view = ResetView {
        token: query.token.clone(),
        error: None,
        done: false,
    };
    page(StatusCode::OK, "reset.html", language, view)
}

pub async fn reset_submit(
    body: Bytes,
    state: Data<AppState>,
    language: PageLocale,
) -> HttpResponse {
    let form: ResetForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let language = Locale::from_tag(&form.lang).map_or(language, |locale| PageLocale {
        locale,
        chosen: false,
    });
    if form.token.is_empty() {
        return not_found(language);
    }
    match state
        .password_reset
        .reset(&form.token, &form.password)
        .await
    {
        Ok(()) => page(
            StatusCode::OK,
            "reset.html",
            language,
            ResetView {
                token: String::new(),
                error: None,
                done: true,
            },
        ),
        Err(AppError::Invalid(invalid)) => {
            let key = if invalid.field == "token" {
                "reset-error-token"
            } else {
                "reset-error-password"
            };
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "reset.html",
                language,
                ResetView {
                    token: form.token,
                    error: Some(tisseco_i18n::t(language.locale, key, &[])),
                    done: false,
                },
            )
        }
        Err(error) => error_page(&error, language),
    }
}

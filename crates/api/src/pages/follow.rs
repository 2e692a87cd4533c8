//! `GET /r/{token}`: the follow-up page of one report. It shows that report's container
//! code, category, status and history, and nothing else (no e-mail, no other report).

use super::{PageLocale, error_page, page};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use serde::Serialize;
use tisseco_application::AppError;
use tisseco_i18n::t;

#[derive(Serialize)]
struct Entry {
    at: String,
    day: String,
    status: Option<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct FollowView {
    code: String,
    category: String,
    status: String,
    history: Vec<Entry>,
}

pub async fn follow_page(
    token: Path<String>,
    state: Data<AppState>,
    language: PageLocale,
) -> HttpResponse {
    let locale = language.locale;
    let status_words = |status: &str| t(locale, &format!("report-status-{status}"), &[]);
    // Tokens are 64 hex characters; anything else is not looked up.
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return error_page(
            &AppError::NotFound {
                entity: "report",
                id: String::new(),
            },
            language,
        );
    }
    match state.reports.follow(&token).await {
        Ok((report, history)) => page(
            StatusCode::OK,
            "follow.html",
            language,
            FollowView {
                code: report.container_code,
                category: t(
                    locale,
                    &format!("category-{}", report.category.as_str()),
                    &[],
                ),
                status: status_words(report.status.as_str()),
                history: history
                    .into_iter()
                    .map(|e| Entry {
                        at: e.occurred_at.to_rfc3339(),
                        day: tisseco_i18n::date_time(locale, e.occurred_at),
                        status: e.status.map(|s| status_words(s.as_str())),
                        comment: e.comment,
                    })
                    .collect(),
            },
        ),
        Err(error) => error_page(&error, language),
    }
}

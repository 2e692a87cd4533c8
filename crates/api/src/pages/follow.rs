//! `GET /r/{token}`: the follow-up page of one report. It shows that report's container
//! code, category, status and history, and nothing else (no e-mail, no other report).

use super::{error_page, page};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use serde::Serialize;
use tisseco_application::AppError;
use tisseco_domain::ReportStatus;

#[derive(Serialize)]
struct Entry {
    at: String,
    day: String,
    status: Option<&'static str>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct FollowView {
    code: String,
    category: &'static str,
    status: &'static str,
    history: Vec<Entry>,
}

pub async fn follow_page(token: Path<String>, state: Data<AppState>) -> HttpResponse {
    // Tokens are 64 hex characters; anything else is not looked up.
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return error_page(&AppError::NotFound {
            entity: "report",
            id: String::new(),
        });
    }
    match state.reports.follow(&token).await {
        Ok((report, history)) => page(
            StatusCode::OK,
            "follow.html",
            FollowView {
                code: report.container_code,
                category: report.category.label(),
                status: report.status.label(),
                history: history
                    .into_iter()
                    .map(|e| Entry {
                        at: e.occurred_at.to_rfc3339(),
                        day: e.occurred_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                        status: e.status.map(ReportStatus::label),
                        comment: e.comment,
                    })
                    .collect(),
            },
        ),
        Err(error) => error_page(&error),
    }
}

//! The public pages the api binary serves (server-rendered HTML, no JavaScript, local
//! assets): a container's page with its report form, the confirmation, the follow-up
//! page and helpful error pages. Templates escape every value (minijinja, `.html`).

mod container;
mod follow;

pub use container::{container_page, lookup, submit_report};
pub use follow::follow_page;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, web};
use minijinja::Environment;
use serde::Serialize;
use std::sync::LazyLock;
use tisseco_application::AppError;

/// The pages' routes, with their access declared in `access::PAGES`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/c/", web::get().to(lookup))
        .route("/c/{code}", web::get().to(container_page))
        .route("/c/{code}", web::post().to(submit_report))
        .route("/r/{token}", web::get().to(follow_page))
        .route("/assets/site.css", web::get().to(stylesheet));
}

const TEMPLATES: [(&str, &str); 6] = [
    ("labels.html", include_str!("templates/labels.html")),
    ("base.html", include_str!("templates/base.html")),
    ("container.html", include_str!("templates/container.html")),
    (
        "confirmation.html",
        include_str!("templates/confirmation.html"),
    ),
    ("follow.html", include_str!("templates/follow.html")),
    ("error.html", include_str!("templates/error.html")),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| e.to_string())?;
    }
    Ok(env)
});

/// Renders `template` with `context` as an HTML response of `status`.
fn page(status: StatusCode, template: &str, context: impl Serialize) -> HttpResponse {
    let rendered = ENVIRONMENT.as_ref().map_err(Clone::clone).and_then(|env| {
        env.get_template(template)
            .and_then(|t| t.render(context))
            .map_err(|e| e.to_string())
    });
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(error) => {
            tracing::error!(error = %error, template, "page template failed");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("Something went wrong on our side. Please try again later.")
        }
    }
}

/// One printed label: the QR code (SVG markup of our own), the code and a short address.
#[derive(Debug, Serialize)]
pub struct Label {
    pub svg: String,
    pub code: String,
    pub address: Option<String>,
}

/// Labels per A4 page (3 columns × 7 rows).
pub const LABELS_PER_PAGE: usize = 21;

/// The print-ready label sheet, paginated.
#[must_use]
pub fn label_sheet(labels: Vec<Label>) -> HttpResponse {
    let mut sheets: Vec<Vec<Label>> = Vec::new();
    for label in labels {
        match sheets.last_mut() {
            Some(sheet) if sheet.len() < LABELS_PER_PAGE => sheet.push(label),
            _ => sheets.push(vec![label]),
        }
    }
    page(
        StatusCode::OK,
        "labels.html",
        minijinja::context! { sheets },
    )
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    show_lookup: bool,
}

/// The error page for a failed use case (never a stack trace).
pub(crate) fn error_page(error: &AppError) -> HttpResponse {
    let (status, title, message, show_lookup) = match error {
        AppError::NotFound { entity, .. } if *entity == "container" => (
            StatusCode::NOT_FOUND,
            "Container not found",
            "We don't know this container code. Check the code printed under the QR code on the container and type it below.",
            true,
        ),
        AppError::NotFound { .. } => (
            StatusCode::NOT_FOUND,
            "Not found",
            "This link doesn't lead to anything we know. Check that it was copied in full.",
            false,
        ),
        AppError::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports",
            "We received many reports just now. Thank you — please try again in a little while.",
            false,
        ),
        AppError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Temporarily unavailable",
            "We can't answer right now. Please try again in a minute.",
            false,
        ),
        other => {
            tracing::error!(error = %other, "public page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side. Please try again later.",
                false,
            )
        }
    };
    let mut response = page(
        status,
        "error.html",
        ErrorPage {
            title,
            message,
            show_lookup,
        },
    );
    if let AppError::RateLimited { retry_after } = error
        && let Ok(value) = header::HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("assets/site.css"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        let env = ENVIRONMENT.as_ref().unwrap();
        let html = env
            .get_template("error.html")
            .unwrap()
            .render(
                minijinja::context! { title => "<b>x</b>", message => "m", show_lookup => true },
            )
            .unwrap();
        assert!(html.contains("&lt;b&gt;x"));
        assert!(!html.contains("<b>x</b>"));
        assert!(html.contains("/assets/site.css"));
    }
}

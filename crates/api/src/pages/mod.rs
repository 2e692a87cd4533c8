//! The public pages the api binary serves (server-rendered HTML, no JavaScript, local
//! assets): a container's page with its report form, the confirmation, the follow-up
//! page and helpful error pages. Templates escape every value (minijinja, `.html`).

mod container;
mod follow;
pub(crate) mod locale;
pub(crate) mod reset;

pub use container::{container_page, lookup, submit_report};
pub use follow::follow_page;
pub use locale::PageLocale;

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
        .route("/reset-password", web::post().to(reset::reset_submit))
        .route("/assets/site.css", web::get().to(stylesheet));
}

const TEMPLATES: [(&str, &str); 7] = [
    ("labels.html", include_str!("templates/labels.html")),
    ("base.html", include_str!("templates/base.html")),
    ("container.html", include_str!("templates/container.html")),
    (
        "confirmation.html",
        include_str!("templates/confirmation.html"),
    ),
    ("follow.html", include_str!("templates/follow.html")),
    ("error.html", include_str!("templates/error.html")),
    ("reset.html", include_str!("templates/reset.html")),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    tisseco_i18n::add_to(&mut env);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| e.to_string())?;
    }
    Ok(env)
});

/// Renders `template` with `context` in the reader's language as an HTML response of
/// `status`.
fn page(
    status: StatusCode,
    template: &str,
    language: PageLocale,
    context: impl Serialize,
) -> HttpResponse {
    let locale = language.locale;
    let values = minijinja::Value::from_serialize(context);
    let rendered = ENVIRONMENT.as_ref().map_err(Clone::clone).and_then(|env| {
        env.get_template(template)
            .and_then(|t| t.render(minijinja::context! { locale, ..values }))
            .map_err(|e| e.to_string())
    });
    let mut response = match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(error) => {
            tracing::error!(error = %error, template, "page template failed");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body(tisseco_i18n::t(locale, "error-unexpected-message", &[]))
        }
    };
    language.apply(&mut response);
    response
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
pub fn label_sheet(labels: Vec<Label>, language: PageLocale) -> HttpResponse {
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
        language,
        minijinja::context! { sheets },
    )
}

#[derive(Serialize)]
struct ErrorPage {
    title: String,
    message: String,
    show_lookup: bool,
}

/// The error page for a failed use case (never a stack trace).
pub(crate) fn error_page(error: &AppError, language: PageLocale) -> HttpResponse {
    let (status, kind, show_lookup) = match error {
        AppError::NotFound { entity, .. } if *entity == "container" => {
            (StatusCode::NOT_FOUND, "container", true)
        }
        AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found", false),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate", false),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", false),
        other => {
            tracing::error!(error.cause = %tisseco_application::error_chain(other), "public page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "unexpected", false)
        }
    };
    let words = |part: &str| tisseco_i18n::t(language.locale, &format!("error-{kind}-{part}"), &[]);
    let mut response = page(
        status,
        "error.html",
        language,
        ErrorPage {
            title: words("title"),
            message: words("message"),
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
        for locale in ["fr", "en"] {
            let html = env
                .get_template("error.html")
                .unwrap()
                .render(minijinja::context! {
                    locale, title => "<b>x</b>", message => "m", show_lookup => true
                })
                .unwrap();
            assert!(html.contains("&lt;b&gt;x"));
            assert!(!html.contains("<b>x</b>"));
            assert!(html.contains("/assets/site.css"));
            assert!(html.contains(&format!("<html lang=\"{locale}\">")));
        }
    }

    #[test]
    fn every_key_the_templates_use_exists_in_every_language() {
        for (name, source) in TEMPLATES {
            for key in tisseco_i18n::keys_used(source) {
                for locale in tisseco_domain::Locale::ALL {
                    assert!(
                        tisseco_i18n::has(locale, &key),
                        "{name} uses {key}, unknown in {locale}"
                    );
                }
            }
        }
    }
}

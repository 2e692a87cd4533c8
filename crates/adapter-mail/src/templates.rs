//! The templates: subject, MJML body and plain text per message, compiled and test-rendered
//! once when loaded so a broken template stops the process at start-up, not at send time.

use minijinja::{AutoEscape, Environment, context};
use tisseco_application::mail::{MailError, MailMessage, RejectedRow};

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

const SOURCES: &[(&str, &str)] = &[
    ("base.mjml", include_str!("../templates/base.mjml")),
    (
        "import_report.mjml",
        include_str!("../templates/import_report.mjml"),
    ),
    (
        "import_report.txt",
        include_str!("../templates/import_report.txt"),
    ),
    (
        "import_report.subject",
        "Import of {{ file_name }}: {{ rows_imported }} of {{ rows_total }} rows imported",
    ),
    (
        "public_report_acknowledgement.mjml",
        include_str!("../templates/public_report_acknowledgement.mjml"),
    ),
    (
        "public_report_acknowledgement.txt",
        include_str!("../templates/public_report_acknowledgement.txt"),
    ),
    (
        "public_report_acknowledgement.subject",
        "Your report {{ reference }} was received",
    ),
    (
        "public_report_status_changed.mjml",
        include_str!("../templates/public_report_status_changed.mjml"),
    ),
    (
        "public_report_status_changed.txt",
        include_str!("../templates/public_report_status_changed.txt"),
    ),
    (
        "public_report_status_changed.subject",
        "Your report {{ reference }} is now {{ status }}",
    ),
    (
        "tour_assignment.mjml",
        include_str!("../templates/tour_assignment.mjml"),
    ),
    (
        "tour_assignment.txt",
        include_str!("../templates/tour_assignment.txt"),
    ),
    (
        "tour_assignment.subject",
        "Tour {{ tour_name }} on {{ date }}",
    ),
    (
        "password_reset.mjml",
        include_str!("../templates/password_reset.mjml"),
    ),
    (
        "password_reset.txt",
        include_str!("../templates/password_reset.txt"),
    ),
    ("password_reset.subject", "Reset your Tisseco password"),
];

/// One message of each template, with values that exercise every branch.
#[must_use]
pub fn samples() -> Vec<MailMessage> {
    vec![
        MailMessage::ImportReport {
            file_name: "containers.csv".into(),
            rows_total: 3,
            rows_imported: 2,
            rejected: vec![RejectedRow {
                line: 3,
                reason: "latitude out of range".into(),
            }],
            rows_rejected: Some(1),
            errors_url: Some("/api/v1/imports/0190/errors.csv".into()),
        },
        MailMessage::PublicReportAcknowledgement {
            reference: "R-0001".into(),
            container_code: "ABC2345".into(),
            address: "12 rue Garibaldi, Lyon".into(),
            problem: "full".into(),
            follow_url: "https://tisseco.example/r/abc".into(),
        },
        MailMessage::PublicReportStatusChanged {
            reference: "R-0001".into(),
            container_code: "ABC2345".into(),
            status: "resolved".into(),
            note: Some("Emptied this morning.".into()),
            follow_url: "https://tisseco.example/r/abc".into(),
        },
        MailMessage::TourAssignment {
            driver_name: "Ana".into(),
            tour_name: "Lyon 3e".into(),
            date: "2026-11-23".into(),
            stops: 14,
            start_address: "Dépôt de Vénissieux".into(),
        },
        MailMessage::PasswordReset {
            display_name: "Ana".into(),
            reset_url: "https://tisseco.example/reset?token=abc".into(),
            expires_in_minutes: 30,
        },
    ]
}

fn render_error(error: &impl std::fmt::Display) -> MailError {
    MailError::Render(error.to_string())
}

/// The compiled templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Compiles every template and renders each once with sample values.
    ///
    /// # Errors
    /// `Render` naming the template that does not compile or render.
    pub fn load() -> Result<Self, MailError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".mjml") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in SOURCES {
            env.add_template_owned(*name, *source)
                .map_err(|e| MailError::Render(format!("{name}: {e}")))?;
        }
        let templates = Self { env };
        for sample in samples() {
            templates
                .render(&sample)
                .map_err(|e| MailError::Render(format!("{}: {e}", sample.template())))?;
        }
        Ok(templates)
    }

    /// Subject, HTML and text of `message`.
    ///
    /// # Errors
    /// `Render` when a template fails (after `load`, only on a bug).
    pub fn render(&self, message: &MailMessage) -> Result<Rendered, MailError> {
        let name = message.template();
        let values = minijinja::Value::from_serialize(message);
        let render = |suffix: &str, extra: minijinja::Value| {
            self.env
                .get_template(&format!("{name}.{suffix}"))
                .and_then(|t| t.render(context! { ..values.clone(), ..extra }))
                .map_err(|e| render_error(&e))
        };
        let subject = render("subject", context! {})?.replace(['\r', '\n'], " ");
        let mjml = render("mjml", context! { subject => subject.clone() })?;
        let html = mrml::parse(&mjml)
            .map_err(|e| render_error(&e))?
            .element
            .render(&mrml::prelude::render::RenderOptions::default())
            .map_err(|e| render_error(&e))?;
        let text = render("txt", context! {})?;
        Ok(Rendered {
            subject,
            html,
            text: text.trim().to_owned() + "\n",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_loads_and_renders() {
        let templates = Templates::load().unwrap();
        for sample in samples() {
            let rendered = templates.render(&sample).unwrap();
            assert!(rendered.html.contains("<html"), "{}", sample.template());
            assert!(!rendered.subject.is_empty());
            assert!(!rendered.text.contains("{{"));
        }
    }

    #[test]
    fn values_are_html_escaped_in_the_html_only() {
        let templates = Templates::load().unwrap();
        let message = MailMessage::PublicReportAcknowledgement {
            reference: "R-1".into(),
            container_code: "<b>X</b>".into(),
            address: "a & b".into(),
            problem: "<script>alert(1)</script>".into(),
            follow_url: "https://tisseco.example/r/abc".into(),
        };
        let rendered = templates.render(&message).unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(rendered.text.contains("<script>alert(1)</script>"));
        assert_eq!(rendered.subject, "Your report R-1 was received");
    }

    #[test]
    fn the_import_report_lists_rejected_rows() {
        let templates = Templates::load().unwrap();
        let rendered = templates.render(&samples()[0]).unwrap();
        assert!(rendered.html.contains("latitude out of range"));
        assert!(rendered.text.contains("- line 3: latitude out of range"));
    }
}

//! The templates: subject, MJML body and plain text per message, compiled and test-rendered
//! once when loaded so a broken template stops the process at start-up, not at send time.

use crate::words::words;
use minijinja::{AutoEscape, Environment, context};
use tisseco_application::mail::{MailError, MailMessage, RejectedRow};
use tisseco_domain::Locale;

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
        "{{ t(\"import-subject\", file_name=file_name, imported=rows_imported, total=rows_total) }}",
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
        "{{ t(\"ack-subject\", reference=reference) }}",
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
        "{{ t(\"status-subject\", reference=reference, status=status_words) }}",
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
        "{{ t(\"tour-subject\", tour=tour_name, date=date_words) }}",
    ),
    (
        "password_reset.mjml",
        include_str!("../templates/password_reset.mjml"),
    ),
    (
        "password_reset.txt",
        include_str!("../templates/password_reset.txt"),
    ),
    ("password_reset.subject", "{{ t(\"reset-subject\") }}"),
];

/// One message of each template, with values that exercise every branch.
#[must_use]
pub fn samples() -> Vec<MailMessage> {
    vec![
        MailMessage::ImportReport {
            file_name: "containers.csv".into(),
            rows_total: 3,
            rows_imported: 2,
            rejected: vec![
                RejectedRow {
                    line: 0,
                    reason: "the header misses latitude".into(),
                    column: String::new(),
                    value: String::new(),
                },
                RejectedRow {
                    line: 3,
                    reason: "missing".into(),
                    column: "latitude".into(),
                    value: String::new(),
                },
            ],
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
        MailMessage::PublicReportAcknowledgement {
            reference: "R-0002".into(),
            container_code: "ABC2345".into(),
            address: String::new(),
            problem: "Full".into(),
            follow_url: String::new(),
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
        MailMessage::TourAssignment {
            driver_name: "Ana".into(),
            tour_name: "Lyon 3e".into(),
            date: "2026-11-23".into(),
            stops: 1,
            start_address: String::new(),
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
        tisseco_i18n::add_to(&mut env);
        for (name, source) in SOURCES {
            env.add_template_owned(*name, *source)
                .map_err(|e| MailError::Render(format!("{name}: {e}")))?;
        }
        let templates = Self { env };
        for sample in samples() {
            for locale in Locale::ALL {
                templates.render(&sample, locale).map_err(|e| {
                    MailError::Render(format!("{} ({locale}): {e}", sample.template()))
                })?;
            }
        }
        Ok(templates)
    }

    /// Subject, HTML and text of `message` in `locale`.
    ///
    /// # Errors
    /// `Render` when a template fails (after `load`, only on a bug).
    pub fn render(&self, message: &MailMessage, locale: Locale) -> Result<Rendered, MailError> {
        let name = message.template();
        let values = minijinja::value::merge_maps([
            context! { locale },
            words(message, locale),
            minijinja::Value::from_serialize(message),
        ]);
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
            for locale in Locale::ALL {
                let rendered = templates.render(&sample, locale).unwrap();
                let lang = format!("lang=\"{locale}\"");
                assert!(rendered.html.contains(&lang), "{}", sample.template());
                assert!(!rendered.subject.is_empty());
                assert!(!rendered.text.contains("{{"));
            }
        }
    }

    #[test]
    fn every_key_the_templates_use_exists_in_every_language() {
        for (name, source) in SOURCES {
            for key in tisseco_i18n::keys_used(source) {
                for locale in Locale::ALL {
                    assert!(
                        tisseco_i18n::has(locale, &key),
                        "{name} uses {key}, unknown in {locale}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_cut_import_report_says_how_many_it_shows_in_french() {
        let templates = Templates::load().unwrap();
        let rows = (1..=20)
            .map(|line| RejectedRow {
                line: line + 1,
                reason: "missing".into(),
                column: "latitude".into(),
                value: String::new(),
            })
            .collect();
        let message = MailMessage::ImportReport {
            file_name: "conteneurs.csv".into(),
            rows_total: 30,
            rows_imported: 6,
            rejected: rows,
            rows_rejected: Some(24),
            errors_url: None,
        };
        let rendered = templates.render(&message, Locale::Fr).unwrap();
        assert_eq!(
            rendered.subject,
            "Import de conteneurs.csv : 6 sur 30 lignes importées"
        );
        assert!(
            rendered
                .text
                .contains("6 sur 30 lignes importées ; 24 lignes rejetées.")
        );
        assert!(
            rendered
                .text
                .contains("Les 20 premières des 24 lignes rejetées :")
        );
        assert!(rendered.text.contains("- ligne 2 : latitude manquante"));
        assert!(!rendered.text.contains("()"));
        assert!(rendered.html.contains("latitude manquante"));
        let english = templates.render(&message, Locale::En).unwrap();
        assert!(english.text.contains("The first 20 of 24 rejected rows:"));
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
        let rendered = templates.render(&message, Locale::En).unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(rendered.text.contains("<script>alert(1)</script>"));
        assert_eq!(rendered.subject, "Your report R-1 was received");
    }

    #[test]
    fn the_import_report_lists_rejected_rows() {
        let templates = Templates::load().unwrap();
        let rendered = templates.render(&samples()[0], Locale::En).unwrap();
        assert!(rendered.html.contains("latitude missing"));
        assert!(rendered.text.contains("- line 3: latitude missing"));
        assert!(
            rendered
                .text
                .contains("The file was refused: the header misses latitude")
        );
    }
}

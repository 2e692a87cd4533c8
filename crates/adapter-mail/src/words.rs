//! The values a template shows in the recipient's words, computed from the message: import
//! reasons from their codes, a report's category and status, a tour's date.

use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::Serialize;
use tisseco_application::mail::MailMessage;
use tisseco_domain::Locale;
use tisseco_i18n::{has, t};

#[derive(Serialize)]
struct Row {
    line: u64,
    column: String,
    value: String,
    reason: String,
}

/// A code's words when the catalogue has them (`category-full`), else the text as sent:
/// jobs queued before languages carry English words.
fn coded(locale: Locale, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}-{code}");
    if has(locale, &key) {
        t(locale, &key, &[])
    } else {
        code.to_owned()
    }
}

/// The extra values of `message`'s templates in `locale`.
pub(crate) fn words(message: &MailMessage, locale: Locale) -> Value {
    match message {
        MailMessage::ImportReport {
            rejected,
            rows_rejected,
            ..
        } => {
            let failure = rejected
                .iter()
                .find(|r| r.line == 0)
                .map(|r| tisseco_i18n::import_failure(locale, &r.reason));
            let rows: Vec<Row> = rejected
                .iter()
                .filter(|r| r.line > 0)
                .map(|r| Row {
                    line: r.line,
                    column: tisseco_i18n::column(locale, &r.column),
                    value: r.value.clone(),
                    reason: tisseco_i18n::reason(locale, &r.column, &r.reason),
                })
                .collect();
            // rows_rejected counts lines; `rows` may hold several cells of one line
            let lines_shown = {
                let mut lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
                lines.dedup();
                lines.len() as u64
            };
            let count = rows_rejected.unwrap_or(lines_shown);
            context! {
                failure,
                rows_cut => lines_shown < count,
                rows_shown => lines_shown,
                rejected_count => count,
                rows,
            }
        }
        MailMessage::PublicReportAcknowledgement { problem, .. } => {
            context! { problem_words => coded(locale, "category", problem) }
        }
        MailMessage::PublicReportStatusChanged { status, .. } => {
            context! { status_words => coded(locale, "report-status", status) }
        }
        MailMessage::TourAssignment {
            date,
            start_address,
            ..
        } => {
            let date_words = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_or_else(|_| date.clone(), |d| tisseco_i18n::date(locale, d));
            let start_words = if start_address.is_empty() {
                t(locale, "tour-first-stop", &[])
            } else {
                start_address.clone()
            };
            context! { date_words, start_words }
        }
        MailMessage::PasswordReset { .. } => context! {},
    }
}

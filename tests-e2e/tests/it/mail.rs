//! E-mail through a real SMTP server (the local sink, or Mailpit under Docker): the message
//! is read back with its subject, recipient and a rendered value; a mail job delivered
//! twice sends one e-mail.

use crate::jobs_support::{Schema, consume, eventually, fast_settings, test_queue};
use crate::support::unique;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tisseco_application::jobs::{JobQueue, MAIL_QUEUE};
use tisseco_application::mail::{EmailJob, MailMessage, Mailer, Recipient, SendEmailHandler};
use tisseco_bootstrap::{MailSettings, SmtpMailer};

fn mailer() -> SmtpMailer {
    SmtpMailer::new(&MailSettings {
        smtp_url: SecretString::from(
            std::env::var("SMTP_URL").unwrap_or_else(|_| "smtp://127.0.0.1:1025".into()),
        ),
        from: "Tisseco <no-reply@tisseco.localhost>".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

/// Raw messages delivered to `recipient`: from the sink's directory, else from Mailpit.
pub async fn delivered_to(recipient: &str) -> Vec<String> {
    let dir =
        std::env::var("SMTP_SINK_DIR").unwrap_or_else(|_| "/tmp/tisseco-smtp/messages".into());
    if let Ok(entries) = std::fs::read_dir(&dir) {
        return entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|raw| raw.contains(recipient))
            .collect();
    }
    let api = std::env::var("MAILPIT_URL").unwrap_or_else(|_| "http://127.0.0.1:8025".into());
    let found: serde_json::Value =
        reqwest::get(format!("{api}/api/v1/search?query=to:{recipient}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let mut raws = Vec::new();
    for message in found["messages"].as_array().cloned().unwrap_or_default() {
        let id = message["ID"].as_str().unwrap_or_default();
        let raw = reqwest::get(format!("{api}/api/v1/message/{id}/raw"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        raws.push(raw);
    }
    raws
}

/// Undoes quoted-printable soft line breaks, enough to search the text.
pub fn readable(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// A delivered message as a person reads it: quoted-printable bodies and RFC 2047 encoded
/// headers decoded to UTF-8 (French words arrive encoded).
pub fn decoded(raw: &str) -> String {
    let split = raw
        .find("\r\n\r\n")
        .or_else(|| raw.find("\n\n"))
        .unwrap_or(raw.len());
    let (headers, body) = raw.split_at(split);
    format!(
        "{}{}",
        decoded_headers(headers),
        quoted_printable(&readable(body))
    )
}

fn quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Unfolds the headers and decodes each run of encoded words as one byte string (a word
/// may end inside a character).
fn decoded_headers(headers: &str) -> String {
    use base64::Engine as _;
    let text = headers.replace("\r\n ", " ").replace("\n ", " ");
    let mut result = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("=?utf-8?b?") {
        result.push_str(&rest[..start]);
        let mut bytes = Vec::new();
        let mut run = &rest[start..];
        while let Some(word) = run.strip_prefix("=?utf-8?b?") {
            let Some(end) = word.find("?=") else { break };
            bytes.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(&word[..end])
                    .unwrap_or_default(),
            );
            run = &word[end + 2..];
            let trimmed = run.trim_start_matches([' ', '\t']);
            if trimmed.starts_with("=?utf-8?b?") {
                run = trimmed;
            }
        }
        if bytes.is_empty() {
            // not an encoded word after all: keep the marker and look further
            result.push_str("=?utf-8?b?");
            rest = &rest[start + 10..];
            continue;
        }
        result.push_str(&String::from_utf8_lossy(&bytes));
        rest = run;
    }
    result.push_str(rest);
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_mail_is_delivered_over_smtp() {
    let recipient = format!("{}@example.org", unique("ana"));
    let token = unique("tok");
    mailer()
        .send_password_reset(
            &Recipient {
                email: recipient.clone(),
                name: Some("Ana Lima".into()),
                locale: Some(tisseco_domain::Locale::En),
            },
            "Ana",
            &format!("https://tisseco.example/reset?token={token}"),
            30,
        )
        .await
        .unwrap();
    let messages = delivered_to(&recipient).await;
    assert_eq!(messages.len(), 1);
    let message = readable(&messages[0]);
    assert!(
        message.contains("Subject: Reset your Tisseco password"),
        "{message}"
    );
    assert!(
        message.contains(&format!("To: \"Ana Lima\" <{recipient}>"))
            || message.contains(&format!("To: Ana Lima <{recipient}>")),
        "{message}"
    );
    assert!(message.contains("multipart/alternative"));
    assert!(message.contains("text/plain") && message.contains("text/html"));
    assert!(
        message.contains(&token),
        "the rendered link is in the message"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mail_job_delivered_twice_sends_one_email() {
    let schema = Schema::create().await;
    let queue = test_queue();
    let handler = Arc::new(SendEmailHandler::new(
        Arc::new(mailer()),
        Arc::new(schema.store()),
    ));
    let consumer = consume(&queue, MAIL_QUEUE, fast_settings(), handler).await;
    let recipient = format!("{}@example.org", unique("reporter"));
    let reference = unique("R").to_uppercase();
    let email = EmailJob {
        dedup_key: format!("report-ack:{reference}"),
        to: Recipient {
            email: recipient.clone(),
            name: None,
            locale: Some(tisseco_domain::Locale::En),
        },
        message: MailMessage::PublicReportAcknowledgement {
            reference: reference.clone(),
            container_code: "K7M3QPX".into(),
            address: "12 rue Garibaldi".into(),
            problem: "full".into(),
            follow_url: "https://tisseco.example/r/abc".into(),
        },
    };
    let first = email.to_job(Some("req-mail".into())).unwrap();
    let second = email.to_job(Some("req-mail".into())).unwrap();
    queue.enqueue(MAIL_QUEUE, &[first, second]).await.unwrap();
    eventually(
        Duration::from_secs(15),
        "both jobs to be handled",
        || async {
            let counts = queue.counts(MAIL_QUEUE).await.unwrap();
            counts.depth + counts.in_flight + counts.delayed == 0
        },
    )
    .await;
    consumer.stop().await.unwrap();
    let messages = delivered_to(&recipient).await;
    assert_eq!(messages.len(), 1, "one e-mail for one de-duplication key");
    let message = readable(&messages[0]);
    assert!(
        message.contains(&format!("Subject: Your report {reference} was received")),
        "{message}"
    );
    assert!(message.contains("K7M3QPX"));
    queue.purge().await.unwrap();
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_french_import_report_is_read_back_from_the_smtp_server() {
    let recipient = format!("{}@example.org", unique("gestion"));
    let rejected = (2..=21)
        .map(|line| tisseco_application::mail::RejectedRow {
            line,
            reason: if line == 2 { "invalid" } else { "missing" }.into(),
            column: if line == 2 { "type" } else { "latitude" }.into(),
            value: if line == 2 { "benne" } else { "" }.into(),
        })
        .collect();
    mailer()
        .send(
            &Recipient {
                email: recipient.clone(),
                name: Some("Chloé Martin".into()),
                locale: Some(tisseco_domain::Locale::Fr),
            },
            &MailMessage::ImportReport {
                file_name: "conteneurs-lyon.csv".into(),
                rows_total: 30,
                rows_imported: 6,
                rejected,
                rows_rejected: Some(24),
                errors_url: Some("https://tisseco.example/api/v1/imports/0190/errors.csv".into()),
            },
        )
        .await
        .unwrap();
    let messages = delivered_to(&recipient).await;
    assert_eq!(messages.len(), 1);
    let message = decoded(&messages[0]);
    let text_part = message
        .split("Content-Type: text/html")
        .next()
        .unwrap_or_default();
    println!("a French import report as delivered (headers and text part):\n{text_part}");
    assert!(
        message.contains("Subject: Import de conteneurs-lyon.csv : 6 sur 30 lignes importées"),
        "{message}"
    );
    assert!(message.contains("lang=\"fr\""));
    assert!(message.contains("6 sur 30 lignes importées ; 24 lignes rejetées."));
    assert!(message.contains("Les 20 premières des 24 lignes rejetées :"));
    assert!(message.contains("- ligne 2, type « benne » : type inconnu"));
    assert!(message.contains("- ligne 3 : latitude manquante"));
    assert!(!message.contains("()"));
}

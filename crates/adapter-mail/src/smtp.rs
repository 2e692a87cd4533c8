//! [`SmtpMailer`]: renders a message and sends it over SMTP (TLS as the URL says).

use crate::templates::Templates;
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tisseco_application::mail::{MailError, MailMessage, Mailer, Recipient};
use tracing::Instrument;

/// Where and how mail is sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:1025` (plain), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465` (TLS); credentials may be in the URL.
    pub smtp_url: SecretString,
    /// The sender, like `Tisseco <no-reply@tisseco.org>`.
    pub from: String,
    pub timeout: Duration,
}

/// Sends the platform's e-mails.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    templates: Templates,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Loads and checks the templates and prepares the transport (connects on first send).
    ///
    /// # Errors
    /// `Render` for a broken template, `Transport` for an invalid URL or sender.
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let templates = Templates::load()?;
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp_url.expose_secret())
                .map_err(|e| MailError::Transport(format!("SMTP_URL: {e}")))?
                .timeout(Some(settings.timeout))
                .build();
        let from = settings
            .from
            .parse()
            .map_err(|e| MailError::Transport(format!("MAIL_FROM: {e}")))?;
        Ok(Self {
            transport,
            from,
            templates,
        })
    }
}

/// `<hash-of-key@sender-domain>`: the same key always gives the same id, and the key
/// (which may name a report or a user) does not show.
fn message_id(key: &str, from: &Mailbox) -> String {
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    format!("<{}@{}>", &digest[..32], from.email.domain())
}

impl SmtpMailer {
    async fn deliver(
        &self,
        to: &Recipient,
        message: &MailMessage,
        id: Option<String>,
    ) -> Result<(), MailError> {
        let address = to
            .email
            .parse()
            .map_err(|e| MailError::InvalidRecipient(format!("{}: {e}", to.email)))?;
        let locale = to.locale.unwrap_or_else(tisseco_i18n::default_locale);
        let rendered = self.templates.render(message, locale)?;
        let email = Message::builder()
            .message_id(id)
            .from(self.from.clone())
            .to(Mailbox::new(to.name.clone(), address))
            .subject(rendered.subject)
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| MailError::Render(e.to_string()))?;
        self.transport
            .send(email)
            .instrument(tracing::info_span!(
                "smtp send",
                otel.kind = "client",
                mail.template = message.template(),
            ))
            .await
            .map(drop)
            .map_err(|e| MailError::Transport(e.to_string()))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &Recipient, message: &MailMessage) -> Result<(), MailError> {
        self.deliver(to, message, None).await
    }

    async fn send_keyed(
        &self,
        to: &Recipient,
        message: &MailMessage,
        key: &str,
    ) -> Result<(), MailError> {
        self.deliver(to, message, Some(message_id(key, &self.from)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::message_id;

    #[test]
    fn the_message_id_is_stable_per_key_and_hides_it() {
        let from: lettre::message::Mailbox = "Tisseco <no-reply@tisseco.org>".parse().unwrap();
        let first = message_id("report-ack:42", &from);
        assert_eq!(first, message_id("report-ack:42", &from));
        assert_ne!(first, message_id("report-ack:43", &from));
        assert!(first.ends_with("@tisseco.org>"), "{first}");
        assert!(!first.contains("report"), "{first}");
    }
}

//! [`SmtpMailer`]: renders a message and sends it over SMTP (TLS as the URL says).

use crate::templates::Templates;
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tisseco_application::mail::{MailError, MailMessage, Mailer, Recipient};

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

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &Recipient, message: &MailMessage) -> Result<(), MailError> {
        let address = to
            .email
            .parse()
            .map_err(|e| MailError::InvalidRecipient(format!("{}: {e}", to.email)))?;
        let locale = to.locale.unwrap_or_else(tisseco_i18n::default_locale);
        let rendered = self.templates.render(message, locale)?;
        let email = Message::builder()
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
            .await
            .map(drop)
            .map_err(|e| MailError::Transport(e.to_string()))
    }
}

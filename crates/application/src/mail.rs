//! E-mail: the messages the platform sends, the port that sends them, and the job handler
//! that delivers each one at least once and, short of a crash mid-send, exactly once (a
//! de-duplication key records "sending" then "sent"; a resend keeps its `Message-ID`).

use crate::jobs::{Job, JobError, JobHandler, JobKind};
use crate::ports::RepoError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The job type of an e-mail to send.
pub const SEND_EMAIL: &str = "mail.send";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
    /// The language the recipient reads; `None`: the platform's default.
    #[serde(default)]
    pub locale: Option<tisseco_domain::Locale>,
}

/// One rejected cell of an import, for the import report. `reason` is the domain's code
/// (`missing`, `invalid`…), put in the recipient's words by the mail adapter; line 0 is
/// a file-level failure, whose `reason` is a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
    #[serde(default)]
    pub column: String,
    #[serde(default)]
    pub value: String,
}

/// Every e-mail the platform sends, with the values its template needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum MailMessage {
    ImportReport {
        file_name: String,
        rows_total: u64,
        rows_imported: u64,
        /// The first rejected rows (all of them are behind `errors_url`).
        rejected: Vec<RejectedRow>,
        /// Rows rejected in all, when `rejected` lists only the first ones.
        #[serde(default)]
        rows_rejected: Option<u64>,
        /// Where every rejected row can be downloaded.
        #[serde(default)]
        errors_url: Option<String>,
    },
    PublicReportAcknowledgement {
        reference: String,
        container_code: String,
        address: String,
        problem: String,
        /// The follow-up page `{PUBLIC_BASE_URL}/r/{token}`.
        #[serde(default)]
        follow_url: String,
    },
    PublicReportStatusChanged {
        reference: String,
        container_code: String,
        status: String,
        note: Option<String>,
        /// The follow-up page `{PUBLIC_BASE_URL}/r/{token}`.
        #[serde(default)]
        follow_url: String,
    },
    TourAssignment {
        driver_name: String,
        tour_name: String,
        date: String,
        stops: u32,
        start_address: String,
    },
    PasswordReset {
        display_name: String,
        reset_url: String,
        expires_in_minutes: u32,
    },
}

impl MailMessage {
    /// The template's name, as the mail adapter knows it.
    #[must_use]
    pub fn template(&self) -> &'static str {
        match self {
            Self::ImportReport { .. } => "import_report",
            Self::PublicReportAcknowledgement { .. } => "public_report_acknowledgement",
            Self::PublicReportStatusChanged { .. } => "public_report_status_changed",
            Self::TourAssignment { .. } => "tour_assignment",
            Self::PasswordReset { .. } => "password_reset",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The address can't receive mail; retrying won't help.
    #[error("invalid recipient: {0}")]
    InvalidRecipient(String),
    /// The SMTP server refused or can't be reached; worth retrying.
    #[error("mail not sent: {0}")]
    Transport(String),
    #[error("mail not rendered: {0}")]
    Render(String),
}

/// Renders and sends e-mails.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// `InvalidRecipient`, `Transport` or `Render`.
    async fn send(&self, to: &Recipient, message: &MailMessage) -> Result<(), MailError>;

    /// Sends with a `Message-ID` derived from `key`: a message sent again after a crash
    /// carries the same id, so mail clients show it once.
    ///
    /// # Errors
    /// As [`Mailer::send`].
    async fn send_keyed(
        &self,
        to: &Recipient,
        message: &MailMessage,
        key: &str,
    ) -> Result<(), MailError> {
        let _ = key;
        self.send(to, message).await
    }

    /// The password-reset e-mail (the reset flow itself comes with users and auth).
    ///
    /// # Errors
    /// As [`Mailer::send`].
    async fn send_password_reset(
        &self,
        to: &Recipient,
        display_name: &str,
        reset_url: &str,
        expires_in_minutes: u32,
    ) -> Result<(), MailError> {
        let message = MailMessage::PasswordReset {
            display_name: display_name.to_owned(),
            reset_url: reset_url.to_owned(),
            expires_in_minutes,
        };
        self.send(to, &message).await
    }
}

/// What the record says about sending an e-mail now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Recorded "sending" for this delivery: send it.
    Send,
    /// Sent before: nothing to do.
    AlreadySent,
    /// Another delivery recorded "sending" less than a lease ago: try again later (once the
    /// lease is over, a sender that died is presumed dead and the e-mail goes out again).
    InProgress,
}

/// The record of e-mails sent, keyed by a de-duplication key: "sending" before the SMTP
/// exchange, "sent" after it, so a crash in between sends again rather than never.
#[async_trait]
pub trait SentEmails: Send + Sync {
    /// Records `key` as being sent, unless it was sent, or another delivery recorded it
    /// "sending" less than `lease` ago. A "sending" record older than that (its worker died
    /// mid-send) is taken over: at-least-once, never none.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn reserve(
        &self,
        key: &str,
        to: &str,
        template: &str,
        lease: Duration,
    ) -> Result<Reservation, RepoError>;

    /// Records that the e-mail with `key` went out.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn mark_sent(&self, key: &str) -> Result<(), RepoError>;

    /// Gives a reservation up after a failed send, so that a retry may send it.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn release(&self, key: &str) -> Result<(), RepoError>;
}

/// The payload of a `mail.send` job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailJob {
    /// Same key, same e-mail: it is sent once whatever the number of deliveries.
    pub dedup_key: String,
    pub to: Recipient,
    pub message: MailMessage,
}

impl JobKind for EmailJob {
    const NAME: &'static str = SEND_EMAIL;
}

impl EmailJob {
    /// The job that sends this e-mail.
    ///
    /// # Errors
    /// When the payload can't be serialised (it always can).
    pub fn to_job(&self, correlation_id: Option<String>) -> Result<Job, serde_json::Error> {
        Job::of(self, correlation_id)
    }
}

/// Handles `mail.send`: record "sending", send, record "sent"; give the key back if the
/// send failed. A crash after the send and before "sent" sends it again (same Message-ID).
#[derive(Clone)]
pub struct SendEmailHandler {
    pub mailer: Arc<dyn Mailer>,
    pub sent: Arc<dyn SentEmails>,
    /// How long a "sending" record holds off other deliveries of the same e-mail: longer
    /// than an SMTP exchange can take, so only a dead sender's record is taken over.
    pub sending_lease: Duration,
}

impl SendEmailHandler {
    /// The default lease: a minute.
    pub const SENDING_LEASE: Duration = Duration::from_secs(60);

    #[must_use]
    pub fn new(mailer: Arc<dyn Mailer>, sent: Arc<dyn SentEmails>) -> Self {
        Self {
            mailer,
            sent,
            sending_lease: Self::SENDING_LEASE,
        }
    }
}

impl std::fmt::Debug for SendEmailHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SendEmailHandler")
    }
}

fn store_error(error: &RepoError) -> JobError {
    JobError::from(error.clone())
}

#[async_trait]
impl JobHandler for SendEmailHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let email: EmailJob = job.payload_as()?;
        let template = email.message.template();
        let reservation = self
            .sent
            .reserve(
                &email.dedup_key,
                &email.to.email,
                template,
                self.sending_lease,
            )
            .await
            .map_err(|e| store_error(&e))?;
        match reservation {
            Reservation::Send => {}
            Reservation::AlreadySent => {
                tracing::info!(mail.dedup_key = %email.dedup_key, "e-mail already sent; skipped");
                return Ok(());
            }
            Reservation::InProgress => {
                return Err(JobError::Unavailable(
                    "this e-mail is being sent by another delivery; waiting for its outcome".into(),
                ));
            }
        }
        let sent = self
            .mailer
            .send_keyed(&email.to, &email.message, &email.dedup_key)
            .await;
        match sent {
            Ok(()) => {
                tracing::info!(mail.template = template, mail.dedup_key = %email.dedup_key, "e-mail sent");
                // If this fails the job is retried and sends again: a duplicate, never a loss.
                self.sent
                    .mark_sent(&email.dedup_key)
                    .await
                    .map_err(|e| store_error(&e))
            }
            Err(error) => {
                self.sent
                    .release(&email.dedup_key)
                    .await
                    .map_err(|e| store_error(&e))?;
                Err(match error {
                    // the SMTP server is down or refuses for now: an outage, not an attempt
                    MailError::Transport(_) => JobError::Unavailable(error.to_string()),
                    MailError::InvalidRecipient(_) | MailError::Render(_) => {
                        JobError::Permanent(error.to_string())
                    }
                })
            }
        }
    }
}

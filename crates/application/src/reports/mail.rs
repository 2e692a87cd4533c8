//! E-mails to a reporter who left an address: the acknowledgement when a report is
//! created and one per status change, each with the follow-up link `/r/{token}`. The
//! report store writes `report.created` / `report.status_changed` outbox events in the
//! change's transaction; this handler turns each into one `mail.send` job whose
//! de-duplication key is derived from the event, so a re-delivered event mails once.

use crate::jobs::{Job, JobError, JobHandler, JobQueue, MAIL_QUEUE};
use crate::mail::{EmailJob, MailMessage, Recipient};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tisseco_domain::DomainEvent;

/// The outbox event of a created report with an e-mail address.
pub const REPORT_CREATED: &str = DomainEvent::ReportCreated.name();
/// The outbox event of a status change of a report with an e-mail address.
pub const REPORT_STATUS_CHANGED: &str = DomainEvent::ReportStatusChanged.name();

/// What such an event carries (the `data` of the relayed job).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMailEvent {
    pub email: String,
    pub token: String,
    pub container_code: String,
    pub address: Option<String>,
    /// The category's code (`full`), which the e-mail puts in the reporter's words
    /// (events written before languages carry English words, shown as they are).
    pub problem: String,
    /// The new status's code (status changes only), like `problem`.
    pub status: Option<String>,
    pub note: Option<String>,
    /// The reporter's language: the page they used.
    #[serde(default)]
    pub locale: Option<tisseco_domain::Locale>,
}

/// Handles `report.created` and `report.status_changed`.
#[derive(Clone)]
pub struct ReportMailHandler {
    pub queue: Arc<dyn JobQueue>,
    /// `PUBLIC_BASE_URL`, without a trailing slash.
    pub public_base_url: String,
}

impl std::fmt::Debug for ReportMailHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportMailHandler")
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

impl ReportMailHandler {
    /// The e-mail job an event asks for.
    ///
    /// # Errors
    /// `Permanent` for a malformed payload.
    pub fn email_for(&self, job: &Job) -> Result<EmailJob, JobError> {
        let (kind, envelope) = job.event::<ReportMailEvent>()?;
        let event = envelope.data;
        let follow_url = format!("{}/r/{}", self.public_base_url, event.token);
        let reference = event
            .token
            .chars()
            .take(8)
            .collect::<String>()
            .to_uppercase();
        let message = if kind == DomainEvent::ReportCreated {
            MailMessage::PublicReportAcknowledgement {
                reference,
                container_code: event.container_code,
                address: event.address.unwrap_or_default(),
                problem: event.problem,
                follow_url,
            }
        } else {
            MailMessage::PublicReportStatusChanged {
                reference,
                container_code: event.container_code,
                status: event.status.unwrap_or_default(),
                note: event.note,
                follow_url,
            }
        };
        Ok(EmailJob {
            dedup_key: format!("report-event-{}", envelope.event_id),
            to: Recipient {
                email: event.email,
                name: None,
                locale: event.locale,
            },
            message,
        })
    }
}

#[async_trait]
impl JobHandler for ReportMailHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let email = self.email_for(job)?;
        let mail_job = email
            .to_job(job.correlation_id.clone())
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        // A fixed job id per event: re-queued twice, it is still one e-mail (dedup key).
        let mail_job = Job {
            id: format!("mail-{}", email.dedup_key),
            ..mail_job
        };
        self.queue
            .enqueue(MAIL_QUEUE, &[mail_job])
            .await
            .map_err(JobError::from)
    }
}

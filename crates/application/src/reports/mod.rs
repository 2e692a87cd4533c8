//! Public reports: submission with its anti-abuse rules (honeypot, per-container limit,
//! duplicate merging), the follow-up view, and staff moderation.

pub mod mail;
pub(crate) mod port;
#[cfg(test)]
mod tests;

pub use port::{Report, ReportEvent, ReportFilter, ReportStore, StaffAction, Submitted};

use crate::AppError;
use crate::auth::ports::{Quota, RateLimiter};
use crate::cache::{CONTAINERS, Cache};
use crate::ports::{AuditContext, Clock, RepoError};
use crate::unit_of_work::{Committed, ReportSubmission, UnitOfWork, Work};
use std::sync::Arc;
use tisseco_domain::{
    Container, NewReport, ReportCategory, ReportStatus, UserId, ValidationError, report_comment,
};
use uuid::Uuid;

/// What the public typed in a report form.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub category: String,
    pub description: Option<String>,
    pub email: Option<String>,
    /// A field hidden from people; only robots fill it.
    pub honeypot: Option<String>,
    /// Where it came from: `web` or `open311`.
    pub source: &'static str,
    /// The language of the page used (the reporter's e-mails are in it).
    pub locale: Option<tisseco_domain::Locale>,
    /// The sender's address (as the access middleware reads it), to bound the
    /// acknowledgements one client can make the platform send.
    pub client: Option<String>,
}

/// Acknowledgements sent to one e-mail address per hour: a reporter gets theirs, a
/// stranger's address typed a thousand times gets three (131 in two minutes before).
const ACKS_PER_ADDRESS: Quota = Quota {
    limit: 3,
    period: std::time::Duration::from_secs(3600),
};
/// Acknowledgements one client (IP) can trigger per hour, whatever the addresses.
const ACKS_PER_CLIENT: Quota = Quota {
    limit: 10,
    period: std::time::Duration::from_secs(3600),
};

/// How many times a submission is tried when its container changes under it.
const SUBMIT_ATTEMPTS: u32 = 3;

/// The answer to a submission. A dropped one (honeypot) looks accepted to its sender.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted(Box<Submitted>),
    Dropped,
}

/// A staff decision on a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Moderation {
    Acknowledge,
    Start,
    Resolve { comment: Option<String> },
    Reject { reason: String },
    Comment { text: String },
    Assign { user: Option<UserId> },
}

/// The report use cases.
#[derive(Clone)]
pub struct Reports {
    store: Arc<dyn ReportStore>,
    limiter: Arc<dyn RateLimiter>,
    cache: Arc<dyn Cache>,
    per_container: Quota,
    /// Writes a report and its container's new status together.
    uow: Arc<dyn UnitOfWork>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Reports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reports")
            .field("per_container", &self.per_container)
            .finish_non_exhaustive()
    }
}

/// A fresh unguessable follow-up token (two random UUIDs: 244 random bits).
fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

impl Reports {
    #[must_use]
    pub fn new(
        store: Arc<dyn ReportStore>,
        limiter: Arc<dyn RateLimiter>,
        cache: Arc<dyn Cache>,
        per_container: Quota,
        uow: Arc<dyn UnitOfWork>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            limiter,
            cache,
            per_container,
            uow,
            clock,
        }
    }

    /// The live container printed with `code`.
    ///
    /// # Errors
    /// `NotFound`, or `Unavailable` from the store.
    pub async fn container(&self, code: &str) -> Result<Container, AppError> {
        let code = code.trim().to_ascii_uppercase();
        self.store
            .container_by_code(&code)
            .await?
            .ok_or_else(|| AppError::not_found("container", code))
    }

    /// Files a public report about the container printed with `code`.
    ///
    /// # Errors
    /// `NotFound` (unknown code), `Invalid` (category, description, e-mail), `RateLimited`
    /// (too many reports about this container), `Unavailable`.
    pub async fn submit(&self, code: &str, submission: Submission) -> Result<Outcome, AppError> {
        let container = self.container(code).await?;
        if submission
            .honeypot
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty())
        {
            tracing::info!(container.code = %container.public_code, "report with the honeypot filled: dropped");
            return Ok(Outcome::Dropped);
        }
        let mut report = NewReport::parse(
            &submission.category,
            submission.description.as_deref(),
            submission.email.as_deref(),
        )?;
        report.locale = submission.locale;
        if let Some(email) = report.email.clone()
            && !self
                .may_acknowledge(&email, submission.client.as_deref())
                .await
        {
            // the report counts; only the e-mail to that address is withheld
            tracing::info!(container.code = %container.public_code, "acknowledgement limit reached; report kept without its e-mail");
            report.email = None;
        }
        // Only new reports count toward the container's limit: a report that merges into
        // an open one is always taken, so one sender cannot lock a container for everyone.
        let key = format!("report:container:{}", container.public_code);
        if !self.allowed(&key, self.per_container, 0).await {
            let open = ReportFilter {
                container_id: Some(container.id),
                category: Some(report.category),
                open: Some(true),
                ..ReportFilter::default()
            };
            if self.store.list(&open, None, 1).await?.is_empty() {
                let decision = self.limiter.check(&key, self.per_container, 0).await;
                let retry_after = decision
                    .map(|d| d.retry_after)
                    .unwrap_or(std::time::Duration::from_secs(60));
                return Err(AppError::RateLimited { retry_after });
            }
        }
        let submission = ReportSubmission {
            container: container.id,
            report: report.clone(),
            token: new_token(),
            source: submission.source.to_owned(),
        };
        let submitted = self.file(container, submission).await?;
        if matches!(submitted, Submitted::Created(_)) {
            self.allowed(&key, self.per_container, 1).await;
        }
        if report.category == ReportCategory::Full {
            self.cache.bump(CONTAINERS).await;
        }
        Ok(Outcome::Accepted(Box::new(submitted)))
    }

    /// Stores the report and, for a `full` report, the container's new status as the domain
    /// decides it (only an active container becomes full), in one transaction. A container
    /// changed meanwhile (a visit, another report) is read again and decided again.
    async fn file(
        &self,
        mut container: Container,
        submission: ReportSubmission,
    ) -> Result<Submitted, AppError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut work = Work::new(AuditContext::default());
            if submission.report.category == ReportCategory::Full
                && let Some(change) = container.reported_full(self.clock.now())
            {
                work.decided(&container, change, "report.full");
            }
            work.submit_report(submission.clone());
            match self.uow.commit(work).await {
                Ok(Committed {
                    report: Some(submitted),
                }) => return Ok(submitted),
                Ok(Committed { report: None }) => {
                    return Err(AppError::Unexpected(
                        "a committed report submission returned no report".into(),
                    ));
                }
                Err(RepoError::StaleVersion {
                    entity: "container",
                    ..
                }) if attempts < SUBMIT_ATTEMPTS => {
                    container = self.container(container.public_code.as_str()).await?;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Whether `quota` still has room under `key` (counting `cost`); an unreachable
    /// limiter lets the report through, as a public form must keep working.
    async fn allowed(&self, key: &str, quota: Quota, cost: u32) -> bool {
        match self.limiter.check(key, quota, cost).await {
            Ok(decision) => decision.allowed,
            Err(error) => {
                tracing::debug!(error = %error, "rate limiter unavailable; report let through");
                true
            }
        }
    }

    /// Whether an acknowledgement may go to `email` (and be caused by `client`).
    async fn may_acknowledge(&self, email: &str, client: Option<&str>) -> bool {
        use sha2::{Digest, Sha256};
        let address: String = Sha256::digest(email.trim().to_lowercase().as_bytes())
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        let to_address = self
            .allowed(&format!("report-ack:to:{address}"), ACKS_PER_ADDRESS, 1)
            .await;
        let by_client = match client {
            Some(client) => {
                self.allowed(&format!("report-ack:by:{client}"), ACKS_PER_CLIENT, 1)
                    .await
            }
            None => true,
        };
        to_address && by_client
    }

    /// The report behind a follow-up link, with its history.
    ///
    /// # Errors
    /// `NotFound`, or `Unavailable`.
    pub async fn follow(&self, token: &str) -> Result<(Report, Vec<ReportEvent>), AppError> {
        let report = self
            .store
            .find_by_token(token)
            .await?
            .ok_or_else(|| AppError::not_found("report", "(this link)"))?;
        let history = self.store.history(report.id).await?;
        Ok((report, history))
    }

    /// # Errors
    /// `NotFound`, or `Unavailable`.
    pub async fn get(&self, id: Uuid) -> Result<(Report, Vec<ReportEvent>), AppError> {
        let report = self
            .store
            .find(id)
            .await?
            .ok_or_else(|| AppError::not_found("report", id))?;
        let history = self.store.history(report.id).await?;
        Ok((report, history))
    }

    /// Reports for staff, newest first.
    ///
    /// # Errors
    /// `Invalid` (`limit`), or `Unavailable`.
    pub async fn list(
        &self,
        filter: &ReportFilter,
        before: Option<Uuid>,
        limit: Option<u32>,
    ) -> Result<Vec<Report>, AppError> {
        let limit = limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(ValidationError::new("limit", "must be between 1 and 500").into());
        }
        Ok(self.store.list(filter, before, limit).await?)
    }

    /// Applies a staff decision, recorded in the report's history and the audit log.
    ///
    /// # Errors
    /// `NotFound`, `Conflict` (a move the life cycle refuses), `Invalid` (a rejection
    /// without reason, a blank comment, an unknown assignee), `StaleVersion`, `Unavailable`.
    pub async fn moderate(
        &self,
        id: Uuid,
        decision: Moderation,
        audit: &AuditContext,
    ) -> Result<Report, AppError> {
        let before = self
            .store
            .find(id)
            .await?
            .ok_or_else(|| AppError::not_found("report", id))?;
        let to =
            |next: ReportStatus, comment: Option<&str>| before.status.transition(next, comment);
        let action = match decision {
            Moderation::Acknowledge => StaffAction {
                action: "report.acknowledge",
                status: Some(to(ReportStatus::Acknowledged, None)?),
                comment: None,
                assignee: None,
            },
            Moderation::Start => StaffAction {
                action: "report.start",
                status: Some(to(ReportStatus::InProgress, None)?),
                comment: None,
                assignee: None,
            },
            Moderation::Resolve { comment } => {
                let comment = comment.as_deref().map(report_comment).transpose()?;
                StaffAction {
                    action: "report.resolve",
                    status: Some(to(ReportStatus::Resolved, None)?),
                    comment,
                    assignee: None,
                }
            }
            Moderation::Reject { reason } => {
                let status = to(ReportStatus::Rejected, Some(&reason))?;
                StaffAction {
                    action: "report.reject",
                    status: Some(status),
                    comment: Some(report_comment(&reason)?),
                    assignee: None,
                }
            }
            Moderation::Comment { text } => StaffAction {
                action: "report.comment",
                status: None,
                comment: Some(report_comment(&text)?),
                assignee: None,
            },
            Moderation::Assign { user } => StaffAction {
                action: "report.assign",
                status: None,
                comment: None,
                assignee: Some(user),
            },
        };
        Ok(self.store.act(&before, &action, audit).await?)
    }
}

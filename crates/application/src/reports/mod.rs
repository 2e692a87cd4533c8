//! Public reports: submission with its anti-abuse rules (honeypot, per-container limit,
//! duplicate merging), the follow-up view, and staff moderation.

pub mod mail;
mod port;
#[cfg(test)]
mod tests;

pub use port::{Report, ReportEvent, ReportFilter, ReportStore, StaffAction, Submitted};

use crate::AppError;
use crate::auth::ports::{Quota, RateLimiter};
use crate::cache::{CONTAINERS, Cache};
use crate::ports::AuditContext;
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
}

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
    ) -> Self {
        Self {
            store,
            limiter,
            cache,
            per_container,
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
        let key = format!("report:container:{}", container.public_code);
        match self.limiter.check(&key, self.per_container, 1).await {
            Ok(decision) if !decision.allowed => {
                return Err(AppError::RateLimited {
                    retry_after: decision.retry_after,
                });
            }
            Ok(_) => {}
            Err(error) => {
                tracing::debug!(error = %error, "rate limiter unavailable; report let through")
            }
        }
        let submitted = self
            .store
            .submit(
                container.id,
                &report,
                &new_token(),
                submission.source,
                &AuditContext::default(),
            )
            .await?;
        if report.category == ReportCategory::Full {
            self.cache.bump(CONTAINERS).await;
        }
        Ok(Outcome::Accepted(Box::new(submitted)))
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

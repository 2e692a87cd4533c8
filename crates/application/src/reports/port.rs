//! The report store port and the values it trades in.

use crate::ports::{AuditContext, RepoError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tisseco_domain::{
    AreaId, Container, ContainerId, NewReport, ReportCategory, ReportStatus, SiteId, UserId,
};
use uuid::Uuid;

/// A report as staff see it (the public see only its follow-up view).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub id: Uuid,
    /// The secret of the follow-up link `/r/{public_token}`.
    #[serde(skip)]
    pub public_token: String,
    pub container_id: ContainerId,
    pub container_code: String,
    pub category: ReportCategory,
    pub description: Option<String>,
    /// The reporter's address, if given (staff only).
    pub email: Option<String>,
    pub status: ReportStatus,
    /// How many reports merged into this one.
    pub count: i32,
    pub assignee_id: Option<UserId>,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of a report's history: a status change, a staff comment, or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportEvent {
    pub occurred_at: DateTime<Utc>,
    pub status: Option<ReportStatus>,
    pub comment: Option<String>,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// A new report.
    Created(Report),
    /// The same category on the same container was already open: its count went up.
    Merged(Report),
}

impl Submitted {
    #[must_use]
    pub fn report(&self) -> &Report {
        match self {
            Self::Created(r) | Self::Merged(r) => r,
        }
    }
}

/// Which reports a staff list shows; every filter is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub status: Option<ReportStatus>,
    /// Open (new, acknowledged, in progress) or closed (resolved, rejected).
    pub open: Option<bool>,
    pub category: Option<ReportCategory>,
    pub site_id: Option<SiteId>,
    pub area_id: Option<AreaId>,
    pub container_id: Option<ContainerId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// One staff action on a report.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAction {
    /// The audit action name (`report.acknowledge`, `report.comment`, …).
    pub action: &'static str,
    pub status: Option<ReportStatus>,
    pub comment: Option<String>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<UserId>>,
}

/// Stores public reports. Every write records its history and audit entry in the same
/// transaction.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The live (not archived) container printed with `code`.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn container_by_code(&self, code: &str) -> Result<Option<Container>, RepoError>;

    /// Opens a report, or increments the open report of the same category on the same
    /// container. A `full` report also marks an active container full (with its audit
    /// record). `token` is used only when a report is created.
    ///
    /// # Errors
    /// `InvalidReference` for an unknown container, else `Unavailable`/`Unexpected`.
    async fn submit(
        &self,
        container: ContainerId,
        report: &NewReport,
        token: &str,
        source: &str,
        audit: &AuditContext,
    ) -> Result<Submitted, RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find(&self, id: Uuid) -> Result<Option<Report>, RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find_by_token(&self, token: &str) -> Result<Option<Report>, RepoError>;

    /// The history of a report, oldest first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn history(&self, id: Uuid) -> Result<Vec<ReportEvent>, RepoError>;

    /// Reports passing `filter`, newest first, older than `before` when given.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn list(
        &self,
        filter: &ReportFilter,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Report>, RepoError>;

    /// Applies a staff action to `before` (a status change only if the stored status is
    /// still `before.status`), with its history entry and audit record.
    ///
    /// # Errors
    /// `StaleVersion` when the status moved meanwhile, `InvalidReference` for an unknown
    /// assignee, else `Unavailable`/`Unexpected`.
    async fn act(
        &self,
        before: &Report,
        action: &StaffAction,
        audit: &AuditContext,
    ) -> Result<Report, RepoError>;
}

//! An in-memory [`ReportStore`]: containers are added by the test.

use crate::ports::{AuditContext, RepoError};
use crate::reports::{Report, ReportEvent, ReportFilter, ReportStore, StaffAction, Submitted};
use crate::unit_of_work::{Aggregate, Committed, UnitOfWork, Work, Write};
use async_trait::async_trait;
use chrono::Utc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tisseco_domain::{Container, ContainerId, NewReport, ReportStatus};
use uuid::Uuid;

#[derive(Debug, Default)]
struct State {
    containers: Vec<Container>,
    reports: Vec<Report>,
    events: Vec<(Uuid, ReportEvent)>,
    /// Audit actions recorded, in order.
    audit: Vec<String>,
}

/// Reports and containers in memory.
#[derive(Debug, Default)]
pub struct InMemoryReports {
    state: Mutex<State>,
    /// The kind of aggregate whose writes fail (`Unavailable`), to test atomicity.
    failing: Mutex<Option<&'static str>>,
}

impl InMemoryReports {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes every unit of work that writes a `kind` (`container`, `report`) fail.
    pub fn fail_writes_of(&self, kind: &'static str) {
        *self.failing.lock().unwrap_or_else(PoisonError::into_inner) = Some(kind);
    }

    pub fn add_container(&self, container: Container) {
        self.lock().containers.push(container);
    }

    /// Puts `container` in place of the stored one with its id (a test's set-up).
    pub fn replace_container(&self, container: Container) {
        let mut state = self.lock();
        state.containers.retain(|c| c.id != container.id);
        state.containers.push(container);
    }

    #[must_use]
    pub fn container(&self, id: ContainerId) -> Option<Container> {
        self.lock().containers.iter().find(|c| c.id == id).cloned()
    }

    #[must_use]
    pub fn reports(&self) -> Vec<Report> {
        self.lock().reports.clone()
    }

    #[must_use]
    pub fn audit_actions(&self) -> Vec<String> {
        self.lock().audit.clone()
    }
}

/// Opens a report or merges it into the open one; the container is only read.
fn submit_locked(
    state: &mut State,
    container: ContainerId,
    report: &NewReport,
    token: &str,
    source: &str,
) -> Result<Submitted, RepoError> {
    let Some(c) = state.containers.iter().find(|c| c.id == container) else {
        return Err(RepoError::InvalidReference {
            field: "container".into(),
            message: "no such container".into(),
        });
    };
    let code = c.public_code.to_string();
    if let Some(open) = state.reports.iter_mut().find(|r| {
        r.container_id == container && r.category == report.category && r.status.is_open()
    }) {
        open.count += 1;
        let merged = open.clone();
        state.audit.push("report.merge".into());
        return Ok(Submitted::Merged(merged));
    }
    let now = Utc::now();
    let created = Report {
        id: Uuid::now_v7(),
        public_token: token.to_owned(),
        container_id: container,
        container_code: code,
        category: report.category,
        description: report.description.clone(),
        email: report.email.clone(),
        status: ReportStatus::New,
        count: 1,
        assignee_id: None,
        source: source.to_owned(),
        created_at: now,
        updated_at: now,
    };
    state.reports.push(created.clone());
    state
        .events
        .push((created.id, event(Some(ReportStatus::New), None)));
    state.audit.push("report.create".into());
    Ok(Submitted::Created(created))
}

/// Reports and their containers' status changes, under one lock: all or nothing. Only
/// container updates and report submissions are held here.
#[async_trait]
impl UnitOfWork for InMemoryReports {
    async fn commit(&self, work: Work) -> Result<Committed, RepoError> {
        let mut state = self.lock();
        let failing = *self.failing.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kind) = failing
            && work.writes.iter().any(|w| w.kind() == kind)
        {
            return Err(RepoError::Unavailable(format!("{kind} writes are failing")));
        }
        // every check first, so that a refused write leaves everything as it was
        let mut staged = state.containers.clone();
        for write in &work.writes {
            match write {
                Write::Update {
                    before: Aggregate::Container(before),
                    after: Aggregate::Container(after),
                    action,
                    ..
                } => {
                    let Some(stored) = staged.iter_mut().find(|c| c.id == before.id) else {
                        return Err(RepoError::Unexpected("container vanished".into()));
                    };
                    if stored.version != before.version {
                        return Err(RepoError::StaleVersion {
                            entity: "container",
                            current: stored.version,
                        });
                    }
                    *stored = after.clone();
                    state.audit.push((*action).to_owned());
                }
                Write::SubmitReport(_) => {}
                other => {
                    return Err(RepoError::Unexpected(format!(
                        "the reports fake holds no {other:?}"
                    )));
                }
            }
        }
        state.containers = staged;
        let mut committed = Committed::default();
        for write in &work.writes {
            if let Write::SubmitReport(s) = write {
                let submitted =
                    submit_locked(&mut state, s.container, &s.report, &s.token, &s.source)?;
                committed.report = Some(submitted);
            }
        }
        Ok(committed)
    }
}

fn event(status: Option<ReportStatus>, comment: Option<String>) -> ReportEvent {
    ReportEvent {
        occurred_at: Utc::now(),
        status,
        comment,
    }
}

#[async_trait]
impl ReportStore for InMemoryReports {
    async fn container_by_code(&self, code: &str) -> Result<Option<Container>, RepoError> {
        Ok(self
            .lock()
            .containers
            .iter()
            .find(|c| c.public_code.as_str() == code && !c.is_archived())
            .cloned())
    }

    async fn submit(
        &self,
        container: ContainerId,
        report: &NewReport,
        token: &str,
        source: &str,
        _: &AuditContext,
    ) -> Result<Submitted, RepoError> {
        submit_locked(&mut self.lock(), container, report, token, source)
    }

    async fn find(&self, id: Uuid) -> Result<Option<Report>, RepoError> {
        Ok(self.lock().reports.iter().find(|r| r.id == id).cloned())
    }

    async fn find_by_token(&self, token: &str) -> Result<Option<Report>, RepoError> {
        Ok(self
            .lock()
            .reports
            .iter()
            .find(|r| r.public_token == token)
            .cloned())
    }

    async fn history(&self, id: Uuid) -> Result<Vec<ReportEvent>, RepoError> {
        Ok(self
            .lock()
            .events
            .iter()
            .filter(|(r, _)| *r == id)
            .map(|(_, e)| e.clone())
            .collect())
    }

    async fn list(
        &self,
        filter: &ReportFilter,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Report>, RepoError> {
        let mut all: Vec<Report> = self
            .lock()
            .reports
            .iter()
            .filter(|r| filter.status.is_none_or(|s| r.status == s))
            .filter(|r| filter.open.is_none_or(|o| r.status.is_open() == o))
            .filter(|r| filter.category.is_none_or(|c| r.category == c))
            .filter(|r| filter.container_id.is_none_or(|c| r.container_id == c))
            .filter(|r| before.is_none_or(|b| r.id < b))
            .cloned()
            .collect();
        all.sort_by_key(|r| std::cmp::Reverse(r.id));
        all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(all)
    }

    async fn act(
        &self,
        before: &Report,
        action: &StaffAction,
        _: &AuditContext,
    ) -> Result<Report, RepoError> {
        let mut state = self.lock();
        let Some(report) = state.reports.iter_mut().find(|r| r.id == before.id) else {
            return Err(RepoError::Unexpected("report vanished".into()));
        };
        if report.status != before.status {
            return Err(RepoError::StaleVersion {
                entity: "report",
                current: 0,
            });
        }
        if let Some(status) = action.status {
            report.status = status;
        }
        if let Some(assignee) = action.assignee {
            report.assignee_id = assignee;
        }
        let after = report.clone();
        state
            .events
            .push((after.id, event(action.status, action.comment.clone())));
        state.audit.push(action.action.into());
        Ok(after)
    }
}

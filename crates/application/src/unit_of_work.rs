//! The unit of work: changes of several aggregates written in one transaction, all or
//! nothing. A use case reads, lets the domain decide each change, lists the writes in a
//! [`Work`] and commits it; the adapter only persists what it is given, each write with
//! its audit record and its outbox event.

use crate::ports::{AuditContext, Entity, RepoError};
use crate::reports::port::Submitted;
use async_trait::async_trait;
use tisseco_domain::{Area, Container, ContainerId, DomainEvent, NewReport, Site, Tour, User};

/// An aggregate as a write carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Aggregate {
    Site(Site),
    Area(Area),
    Container(Container),
    User(User),
    Tour(Tour),
}

impl Aggregate {
    /// The aggregate's kind, as in the audit log (`container`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Site(_) => Site::KIND,
            Self::Area(_) => Area::KIND,
            Self::Container(_) => Container::KIND,
            Self::User(_) => User::KIND,
            Self::Tour(_) => Tour::KIND,
        }
    }
}

/// An entity a unit of work can write.
pub trait Stored: Entity {
    fn into_aggregate(self) -> Aggregate;
}

macro_rules! stored {
    ($($entity:ident),*) => {$(
        impl Stored for $entity {
            fn into_aggregate(self) -> Aggregate {
                Aggregate::$entity(self)
            }
        }
    )*};
}
stored!(Site, Area, Container, User, Tour);

/// A public report to open, or to merge into the open one of its category.
#[derive(Debug, Clone)]
pub struct ReportSubmission {
    pub container: ContainerId,
    pub report: NewReport,
    /// The follow-up token, used only when a report is created.
    pub token: String,
    /// `web` or `open311`.
    pub source: String,
}

/// One write of a unit of work.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "a handful per unit of work; boxing would only hide the states from patterns"
)]
pub enum Write {
    Insert {
        entity: Aggregate,
        event: DomainEvent,
    },
    /// Replaces `before` by `after` if the stored version is still `before`'s.
    Update {
        before: Aggregate,
        after: Aggregate,
        /// The audit record's action (`update`, `visit`, `report.full`).
        action: &'static str,
        event: DomainEvent,
    },
    SubmitReport(ReportSubmission),
}

impl Write {
    /// The kind of aggregate written (`container`, `report`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Insert { entity, .. } => entity.kind(),
            Self::Update { after, .. } => after.kind(),
            Self::SubmitReport(_) => "report",
        }
    }
}

/// The writes of one business transaction, in the order they are applied.
#[derive(Debug, Clone, Default)]
pub struct Work {
    pub writes: Vec<Write>,
    pub audit: AuditContext,
}

fn event_of(kind: &str, action: &str) -> Result<DomainEvent, RepoError> {
    DomainEvent::of_change(kind, action)
        .ok_or_else(|| RepoError::Unexpected(format!("no event for '{action}' on a {kind}")))
}

impl Work {
    #[must_use]
    pub fn new(audit: AuditContext) -> Self {
        Self {
            writes: Vec::new(),
            audit,
        }
    }

    /// Adds a new entity (its `create` event).
    ///
    /// # Errors
    /// `Unexpected` for a kind without a `create` event (a bug).
    pub fn insert<E: Stored>(&mut self, entity: &E) -> Result<(), RepoError> {
        let event = event_of(E::KIND, "create")?;
        self.writes.push(Write::Insert {
            entity: entity.clone().into_aggregate(),
            event,
        });
        Ok(())
    }

    /// Replaces `before` by `after`, the event named after `action`.
    ///
    /// # Errors
    /// `Unexpected` for an action without an event (a bug).
    pub fn update<E: Stored>(
        &mut self,
        before: &E,
        after: &E,
        action: &'static str,
    ) -> Result<(), RepoError> {
        let event = event_of(E::KIND, action)?;
        self.decided(before, (after.clone(), event), action);
        Ok(())
    }

    /// Replaces `before` by what the domain decided: the new state and its event.
    pub fn decided<E: Stored>(
        &mut self,
        before: &E,
        change: (E, DomainEvent),
        action: &'static str,
    ) {
        let (after, event) = change;
        self.writes.push(Write::Update {
            before: before.clone().into_aggregate(),
            after: after.into_aggregate(),
            action,
            event,
        });
    }

    pub fn submit_report(&mut self, submission: ReportSubmission) {
        self.writes.push(Write::SubmitReport(submission));
    }
}

/// What a committed unit of work produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Committed {
    /// The report a [`Write::SubmitReport`] opened or merged into.
    pub report: Option<Submitted>,
}

/// Commits units of work: one transaction that every repository writes through.
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Applies every write of `work` in one transaction, each with its audit record and
    /// outbox event: all of them are stored, or none.
    ///
    /// # Errors
    /// `StaleVersion` (naming the aggregate) when an updated aggregate moved on since it was
    /// read; `Conflict`, `InvalidReference`, `Invalid` as [`Repository`](crate::ports::Repository)'s
    /// writes; `Unavailable` or `Unexpected` from the store. Nothing is written then.
    async fn commit(&self, work: Work) -> Result<Committed, RepoError>;
}

//! Ports: what the use cases need from the outside world, with their error contracts.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use std::fmt::{Debug, Display};
use std::hash::Hash;
use tisseco_domain::{UserId, Version};
use uuid::Uuid;

/// How a repository call failed. Adapters translate driver errors into these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// A uniqueness rule was broken (`field` names the duplicated value).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// A referenced entity does not exist (a foreign key).
    #[error("{field}: {message}")]
    InvalidReference { field: String, message: String },
    /// A stored-data rule (a CHECK) refused a value the domain let through.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The row's version moved on since it was read.
    #[error("{entity} is now at version {current}")]
    StaleVersion {
        entity: &'static str,
        current: Version,
    },
    /// The store can't be reached or timed out.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("store failure: {0}")]
    Unexpected(String),
    /// The store failed in a way nobody planned for; `cause` is the driver's error, kept
    /// so that the log says why.
    #[error("{context}")]
    Failed {
        context: String,
        #[source]
        cause: crate::cause::Cause,
    },
}

/// Who asked for a change and in which request: recorded with every mutation.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub actor: Option<UserId>,
    pub request_id: Option<String>,
}

/// An aggregate a [`Repository`] stores.
pub trait Entity: Clone + Debug + Serialize + Send + Sync + 'static {
    type Id: Copy + Eq + Hash + Ord + Debug + Display + Into<Uuid> + Send + Sync;
    type Filter: Debug + Send + Sync;
    /// The name used in errors and in the audit log (`site`, `area`, `container`).
    const KIND: &'static str;

    fn id(&self) -> Self::Id;
    fn version(&self) -> Version;
    /// Values that must be unique among all stored entities: `(field, value)`.
    fn unique_keys(&self) -> Vec<(&'static str, String)>;
    /// Whether the entity passes `filter` (the in-memory store uses this; SQL mirrors it).
    fn matches(&self, filter: &Self::Filter) -> bool;
}

/// A keyset page request: items after `after` in id order, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<Id> {
    pub after: Option<Id>,
    pub limit: u32,
}

/// Stores one kind of aggregate and writes its audit record in the same transaction.
#[async_trait]
pub trait Repository<E: Entity>: Send + Sync {
    /// The entity with this id, archived or not.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find(&self, id: E::Id) -> Result<Option<E>, RepoError>;

    /// Entities passing `filter`, in ascending id order, after `page.after`, at most `page.limit`.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn list(&self, filter: &E::Filter, page: PageRequest<E::Id>)
    -> Result<Vec<E>, RepoError>;

    /// Inserts a new entity and its `create` audit record.
    ///
    /// # Errors
    /// `Conflict` on a duplicate unique value, `InvalidReference` on a missing parent,
    /// `Invalid` when a stored-data rule refuses a value.
    async fn insert(&self, entity: &E, audit: &AuditContext) -> Result<(), RepoError>;

    /// Replaces `before` by `after` if the stored version is still `before.version()`, and
    /// records `action` with both states.
    ///
    /// # Errors
    /// `StaleVersion` when another change got there first, else as [`Repository::insert`].
    async fn update(
        &self,
        before: &E,
        after: &E,
        action: &'static str,
        audit: &AuditContext,
    ) -> Result<(), RepoError>;
}

/// What the registry's archiving rules need to know.
#[async_trait]
pub trait RegistryQueries: Send + Sync {
    /// How many live (non-archived) areas and containers belong to the site.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn live_children_of_site(&self, site: tisseco_domain::SiteId) -> Result<u64, RepoError>;

    /// How many live containers are in the area.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn live_containers_in_area(&self, area: tisseco_domain::AreaId)
    -> Result<u64, RepoError>;

    /// How many live containers there are in each status (statuses with none left out).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn live_containers_by_status(
        &self,
    ) -> Result<Vec<(tisseco_domain::ContainerStatus, u64)>, RepoError>;

    /// How far `point` lies from the boundary of `area` (0 inside), and the point with its
    /// latitude and longitude swapped; `None` when the area has no boundary (or no such area).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn area_distance(
        &self,
        area: tisseco_domain::AreaId,
        point: tisseco_domain::GeoPoint,
    ) -> Result<Option<tisseco_domain::placement::AreaDistance>, RepoError>;
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// The import that made the change, when an import did.
    pub import_id: Option<Uuid>,
}

/// Reads the audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Records of one entity, newest first, older than `before_id` when given.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn history(
        &self,
        entity_type: &str,
        entity_id: Uuid,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError>;
}

/// Whether the store answers; used by the readiness probe.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// # Errors
    /// `Unavailable` when the store does not answer in time.
    async fn ping(&self) -> Result<(), RepoError>;
}

/// The time, injectable so that tests control it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock, to the microsecond: what PostgreSQL stores, so a value read back
/// equals the one written.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

//! An in-memory store implementing the registry's ports, with the same rules as the database:
//! unique keys, version checks and an audit record per change.

use crate::ports::{
    AuditContext, AuditLog, AuditRecord, Clock, Entity, HealthCheck, PageRequest, RegistryQueries,
    RepoError, Repository,
};
use crate::unit_of_work::{Aggregate, Committed, Stored, UnitOfWork, Work, Write};
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use tisseco_domain::{
    Area, AreaId, Container, DomainEvent, Email, PasswordHash, Site, SiteId, Tour, User, UserId,
};
use uuid::Uuid;

#[derive(Debug, Default, Clone)]
struct Tables {
    sites: BTreeMap<SiteId, Site>,
    areas: BTreeMap<AreaId, Area>,
    containers: BTreeMap<tisseco_domain::ContainerId, Container>,
    users: BTreeMap<UserId, User>,
    tours: BTreeMap<tisseco_domain::TourId, tisseco_domain::Tour>,
    keys: std::collections::HashMap<(String, String), String>,
    resets: std::collections::HashMap<Vec<u8>, (UserId, DateTime<Utc>, bool)>,
    audit: Vec<AuditRecord>,
    /// The outbox: each write's event and the aggregate's id, in commit order.
    events: Vec<(DomainEvent, Uuid)>,
}

/// Picks the table that holds `E`.
trait HasTable<E: Entity> {
    fn table(&mut self) -> &mut BTreeMap<E::Id, E>;
}

macro_rules! has_table {
    ($entity:ty, $field:ident) => {
        impl HasTable<$entity> for Tables {
            fn table(&mut self) -> &mut BTreeMap<<$entity as Entity>::Id, $entity> {
                &mut self.$field
            }
        }
    };
}
has_table!(Site, sites);
has_table!(Area, areas);
has_table!(Container, containers);
has_table!(User, users);
has_table!(Tour, tours);

/// The in-memory fake of every registry port.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    tables: Mutex<Tables>,
    /// The kind of aggregate whose writes fail (`Unavailable`), to test atomicity.
    failing: Mutex<Option<&'static str>>,
}

impl InMemoryStore {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every container, archived or not, in id order.
    #[must_use]
    pub fn all_containers(&self) -> Vec<tisseco_domain::Container> {
        self.lock().containers.values().cloned().collect()
    }

    /// The events written so far with the aggregate they are about, oldest first.
    #[must_use]
    pub fn events(&self) -> Vec<(DomainEvent, Uuid)> {
        self.lock().events.clone()
    }

    /// Makes every write of a `kind` of aggregate (`container`) fail as if the store were
    /// down, and with it the whole unit of work it belongs to.
    pub fn fail_writes_of(&self, kind: &'static str) {
        *self
            .failing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(kind);
    }

    fn failing(&self) -> Option<&'static str> {
        *self
            .failing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every audit record written so far, oldest first.
    #[must_use]
    pub fn audit_records(&self) -> Vec<AuditRecord> {
        self.lock().audit.clone()
    }
}

fn json<E: Entity>(entity: &E) -> Option<serde_json::Value> {
    serde_json::to_value(entity).ok()
}

fn check_unique<E: Entity>(table: &BTreeMap<E::Id, E>, candidate: &E) -> Result<(), RepoError> {
    let keys = candidate.unique_keys();
    for other in table.values().filter(|e| e.id() != candidate.id()) {
        if let Some((field, value)) = other.unique_keys().into_iter().find(|k| keys.contains(k)) {
            return Err(RepoError::Conflict {
                field: field.into(),
                message: format!("'{value}' is already used"),
            });
        }
    }
    Ok(())
}

fn record<E: Entity>(
    tables: &mut Tables,
    action: &str,
    id: E::Id,
    before: Option<&E>,
    after: &E,
    audit: &AuditContext,
) {
    let record = AuditRecord {
        id: i64::try_from(tables.audit.len()).unwrap_or(i64::MAX) + 1,
        occurred_at: Utc::now(),
        actor: audit.actor,
        action: action.into(),
        entity_type: E::KIND.into(),
        entity_id: id.into(),
        before: before.and_then(json),
        after: json(after),
        request_id: audit.request_id.clone(),
        import_id: None,
    };
    tables.audit.push(record);
}

#[async_trait]
impl<E: Stored> Repository<E> for InMemoryStore
where
    Tables: HasTable<E>,
{
    async fn find(&self, id: E::Id) -> Result<Option<E>, RepoError> {
        Ok(self.lock().table().get(&id).cloned())
    }

    async fn list(
        &self,
        filter: &E::Filter,
        page: PageRequest<E::Id>,
    ) -> Result<Vec<E>, RepoError> {
        let mut tables = self.lock();
        let items = tables
            .table()
            .values()
            .filter(|e| page.after.is_none_or(|after| e.id() > after) && e.matches(filter))
            .take(page.limit as usize)
            .cloned()
            .collect();
        Ok(items)
    }

    async fn insert(&self, entity: &E, audit: &AuditContext) -> Result<(), RepoError> {
        let mut work = Work::new(audit.clone());
        work.insert(entity)?;
        self.commit(work).await.map(drop)
    }

    async fn update(
        &self,
        before: &E,
        after: &E,
        action: &'static str,
        audit: &AuditContext,
    ) -> Result<(), RepoError> {
        let mut work = Work::new(audit.clone());
        work.update(before, after, action)?;
        self.commit(work).await.map(drop)
    }
}

fn insert_locked<E: Entity>(
    tables: &mut Tables,
    entity: &E,
    event: DomainEvent,
    audit: &AuditContext,
) -> Result<(), RepoError>
where
    Tables: HasTable<E>,
{
    check_unique(tables.table(), entity)?;
    tables.table().insert(entity.id(), entity.clone());
    record(tables, "create", entity.id(), None, entity, audit);
    tables.events.push((event, entity.id().into()));
    Ok(())
}

fn update_locked<E: Entity>(
    tables: &mut Tables,
    before: &E,
    after: &E,
    action: &str,
    event: DomainEvent,
    audit: &AuditContext,
) -> Result<(), RepoError>
where
    Tables: HasTable<E>,
{
    let current = tables.table().get(&before.id()).map(Entity::version);
    match current {
        None => {
            return Err(RepoError::Unexpected(format!(
                "{} {} vanished",
                E::KIND,
                before.id()
            )));
        }
        Some(version) if version != before.version() => {
            return Err(RepoError::StaleVersion {
                entity: E::KIND,
                current: version,
            });
        }
        Some(_) => {}
    }
    check_unique(tables.table(), after)?;
    tables.table().insert(after.id(), after.clone());
    record(tables, action, after.id(), Some(before), after, audit);
    tables.events.push((event, after.id().into()));
    Ok(())
}

fn apply(tables: &mut Tables, write: &Write, audit: &AuditContext) -> Result<(), RepoError> {
    macro_rules! each_kind {
        ($($kind:ident),*) => {
            match write {
                $(
                    Write::Insert { entity: Aggregate::$kind(entity), event } => {
                        insert_locked(tables, entity, *event, audit)
                    }
                    Write::Update {
                        before: Aggregate::$kind(before),
                        after: Aggregate::$kind(after),
                        action,
                        event,
                    } => update_locked(tables, before, after, action, *event, audit),
                )*
                other => Err(RepoError::Unexpected(format!(
                    "the in-memory store can't apply {}",
                    other.kind()
                ))),
            }
        };
    }
    each_kind!(Site, Area, Container, User, Tour)
}

/// Applies a unit of work on a copy of the tables and keeps the copy only if every write
/// passed: all or nothing, as a transaction.
#[async_trait]
impl UnitOfWork for InMemoryStore {
    async fn commit(&self, work: Work) -> Result<Committed, RepoError> {
        if let Some(kind) = self.failing()
            && work.writes.iter().any(|w| w.kind() == kind)
        {
            return Err(RepoError::Unavailable(format!("{kind} writes are failing")));
        }
        let mut tables = self.lock();
        let mut staged = tables.clone();
        for write in &work.writes {
            apply(&mut staged, write, &work.audit)?;
        }
        *tables = staged;
        Ok(Committed::default())
    }
}

#[async_trait]
impl RegistryQueries for InMemoryStore {
    async fn live_children_of_site(&self, site: SiteId) -> Result<u64, RepoError> {
        let tables = self.lock();
        let areas = tables
            .areas
            .values()
            .filter(|a| a.site_id == site && !a.is_archived())
            .count();
        let containers = tables
            .containers
            .values()
            .filter(|c| c.site_id == site && !c.is_archived())
            .count();
        Ok((areas + containers) as u64)
    }

    async fn live_containers_by_status(
        &self,
    ) -> Result<Vec<(tisseco_domain::ContainerStatus, u64)>, RepoError> {
        let tables = self.lock();
        let mut counts = std::collections::BTreeMap::<
            &'static str,
            (tisseco_domain::ContainerStatus, u64),
        >::new();
        for c in tables.containers.values().filter(|c| !c.is_archived()) {
            counts.entry(c.status.as_str()).or_insert((c.status, 0)).1 += 1;
        }
        Ok(counts.into_values().collect())
    }

    /// Inside: 0; outside: the distance to the nearest vertex, which is never less than the
    /// distance to the boundary (enough for tests, whose areas are small squares).
    async fn area_distance(
        &self,
        area: AreaId,
        point: tisseco_domain::GeoPoint,
    ) -> Result<Option<tisseco_domain::placement::AreaDistance>, RepoError> {
        let tables = self.lock();
        let Some(boundary) = tables.areas.get(&area).and_then(|a| a.boundary.clone()) else {
            return Ok(None);
        };
        let distance = |p: tisseco_domain::GeoPoint| {
            if tisseco_domain::polygon_contains(&boundary, p) {
                return 0.0;
            }
            boundary
                .polygons()
                .iter()
                .flat_map(|polygon| polygon.rings())
                .flat_map(|ring| ring.points())
                .map(|v| tisseco_domain::great_circle_m(*v, p))
                .fold(f64::INFINITY, f64::min)
        };
        let metres = distance(point);
        let swapped_metres = (metres > 0.0)
            .then(|| tisseco_domain::placement::swapped(point).map(distance))
            .flatten();
        Ok(Some(tisseco_domain::placement::AreaDistance {
            metres,
            swapped_metres,
        }))
    }

    async fn live_containers_in_area(&self, area: AreaId) -> Result<u64, RepoError> {
        let tables = self.lock();
        Ok(tables
            .containers
            .values()
            .filter(|c| c.area_id == Some(area) && !c.is_archived())
            .count() as u64)
    }
}

#[async_trait]
impl AuditLog for InMemoryStore {
    async fn history(
        &self,
        entity_type: &str,
        entity_id: Uuid,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        let tables = self.lock();
        Ok(tables
            .audit
            .iter()
            .rev()
            .filter(|r| r.entity_type == entity_type && r.entity_id == entity_id)
            .filter(|r| before_id.is_none_or(|b| r.id < b))
            .take(limit as usize)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl HealthCheck for InMemoryStore {
    async fn ping(&self) -> Result<(), RepoError> {
        Ok(())
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Default for FixedClock {
    fn default() -> Self {
        Self(
            Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
                .single()
                .unwrap_or_default(),
        )
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[async_trait]
impl crate::auth::ports::UserDirectory for InMemoryStore {
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        Ok(self
            .lock()
            .users
            .values()
            .find(|u| &u.email == email)
            .cloned())
    }

    async fn set_password_hash(&self, user: UserId, hash: &PasswordHash) -> Result<(), RepoError> {
        if let Some(stored) = self.lock().users.get_mut(&user) {
            stored.password_hash = hash.clone();
        }
        Ok(())
    }
}

#[async_trait]
impl crate::tours::TourLookups for InMemoryStore {
    async fn containers(
        &self,
        ids: &[tisseco_domain::ContainerId],
    ) -> Result<Vec<crate::tours::ContainerSummary>, RepoError> {
        let tables = self.lock();
        Ok(ids
            .iter()
            .filter_map(|id| tables.containers.get(id))
            .map(|c| crate::tours::ContainerSummary {
                candidate: tisseco_domain::StopCandidate {
                    container_id: c.id,
                    site_id: c.site_id,
                    archived: c.is_archived(),
                    status: c.status,
                },
                public_code: c.public_code.clone(),
                address: c.address.as_ref().map(|a| a.as_str().to_owned()),
                kind: c.kind,
                location: c.location,
            })
            .collect())
    }

    async fn select(
        &self,
        site: SiteId,
        area: Option<AreaId>,
        min_fill_level: Option<u8>,
    ) -> Result<Vec<tisseco_domain::ContainerId>, RepoError> {
        let tables = self.lock();
        let last_fill = |id: tisseco_domain::ContainerId| {
            tables
                .tours
                .values()
                .flat_map(|t| &t.stops)
                .filter(|s| s.container_id == id)
                .filter_map(|s| match &s.outcome {
                    tisseco_domain::StopOutcome::Visited(v) => Some((v.at, v.fill_level)),
                    _ => None,
                })
                .max_by_key(|(at, _)| *at)
                .map(|(_, fill)| fill)
        };
        Ok(tables
            .containers
            .values()
            .filter(|c| {
                c.site_id == site
                    && !c.is_archived()
                    && c.status != tisseco_domain::ContainerStatus::Removed
            })
            .filter(|c| area.is_none_or(|a| c.area_id == Some(a)))
            .filter(|c| min_fill_level.is_none_or(|min| last_fill(c.id).is_some_and(|f| f >= min)))
            .map(|c| c.id)
            .collect())
    }

    async fn stop_history(
        &self,
        container: tisseco_domain::ContainerId,
    ) -> Result<Vec<crate::tours::StopRecord>, RepoError> {
        let tables = self.lock();
        let mut records: Vec<crate::tours::StopRecord> = tables
            .tours
            .values()
            .flat_map(|t| t.stops.iter().map(move |s| (t, s)))
            .filter(|(_, s)| {
                s.container_id == container && s.outcome != tisseco_domain::StopOutcome::Pending
            })
            .map(|(t, s)| crate::tours::StopRecord {
                tour_id: t.id,
                date: t.date,
                driver_id: t.driver_id,
                outcome: s.outcome.clone(),
            })
            .collect();
        records.sort_by_key(|r| std::cmp::Reverse((r.date, r.tour_id)));
        Ok(records)
    }

    async fn by_code(
        &self,
        code: &tisseco_domain::PublicCode,
    ) -> Result<Option<tisseco_domain::ContainerId>, RepoError> {
        Ok(self
            .lock()
            .containers
            .values()
            .find(|c| &c.public_code == code)
            .map(|c| c.id))
    }

    async fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<crate::tours::KeyClaim, RepoError> {
        use crate::tours::KeyClaim;
        let mut tables = self.lock();
        Ok(match tables.keys.get(&(scope.to_owned(), key.to_owned())) {
            None => {
                tables
                    .keys
                    .insert((scope.to_owned(), key.to_owned()), fingerprint.to_owned());
                KeyClaim::New
            }
            Some(first) if first == fingerprint => KeyClaim::Replay,
            Some(_) => KeyClaim::Mismatch,
        })
    }

    async fn release_key(&self, scope: &str, key: &str) -> Result<(), RepoError> {
        self.lock().keys.remove(&(scope.to_owned(), key.to_owned()));
        Ok(())
    }
}

#[async_trait]
impl crate::auth::PasswordResets for InMemoryStore {
    async fn create(
        &self,
        digest: &[u8],
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut tables = self.lock();
        for (owner, _, spent) in tables.resets.values_mut() {
            if *owner == user {
                *spent = true;
            }
        }
        tables
            .resets
            .insert(digest.to_vec(), (user, expires_at, false));
        Ok(())
    }

    async fn consume(
        &self,
        digest: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, RepoError> {
        let mut tables = self.lock();
        let user = match tables.resets.get(digest) {
            Some((user, expires_at, spent)) if !*spent && *expires_at > now => *user,
            _ => return Ok(None),
        };
        for (owner, _, spent) in tables.resets.values_mut() {
            if *owner == user {
                *spent = true;
            }
        }
        Ok(Some(user))
    }
}

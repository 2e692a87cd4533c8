//! An in-memory [`ImportStore`]: the import tables and the containers an import merges
//! into, under one lock, with the same conditional writes as the PostgreSQL adapter (a state
//! written only from one of its sources, a batch only at its cursor, an update only at the
//! version read). Sites, areas and their distances are set up by the test.

use crate::imports::{
    ImportState, ImportStore, ImportSummary, MergeCandidate, MergePlan, NewImport, RejectedCell,
    Staging, Transition, UploadedFile, ValidatedBatch,
};
use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::Utc;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use tisseco_domain::import::{RawRecord, Resolved, RowKeys, ValidRow};
use tisseco_domain::placement::AreaDistance;
use tisseco_domain::{AreaId, Container, SiteId};
use uuid::Uuid;

/// Gives way once before a batch is written, as a database's write takes time: what runs
/// beside it (the runner reads and decides the next batch meanwhile) sees the tables before
/// the write, as PostgreSQL's uncommitted rows are invisible to other sessions.
async fn give_way() {
    let mut waited = false;
    futures_util::future::poll_fn(|cx| {
        if waited {
            std::task::Poll::Ready(())
        } else {
            waited = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

#[derive(Debug)]
struct Stored {
    summary: ImportSummary,
    checksum: Option<String>,
    staged: Vec<RawRecord>,
    valid: BTreeMap<u64, ValidRow>,
    errors: Vec<RejectedCell>,
    /// (valid, rejected, merged) after every write, to check counts never go back.
    counts: Vec<(u64, u64, u64)>,
}

impl Stored {
    fn note_counts(&mut self) {
        let s = &self.summary;
        self.counts
            .push((s.valid, s.rejected, s.inserted + s.updated + s.unchanged));
    }
}

/// One audit record an import wrote for a container.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportAudit {
    pub import_id: Uuid,
    pub action: &'static str,
    pub before: Option<Container>,
    pub after: Container,
}

#[derive(Debug, Default)]
struct Tables {
    imports: BTreeMap<Uuid, Stored>,
    sites: HashMap<String, SiteId>,
    areas: HashMap<(SiteId, String), AreaId>,
    /// The distance any point lies from an area's boundary (none: the area has none).
    distances: HashMap<AreaId, AreaDistance>,
    containers: Vec<Container>,
    audit: Vec<ImportAudit>,
}

/// The fake; clones share their tables.
#[derive(Debug, Clone, Default)]
pub struct InMemoryImports {
    tables: Arc<Mutex<Tables>>,
}

impl InMemoryImports {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A live site with `code`.
    pub fn add_site(&self, code: &str) -> SiteId {
        let id = SiteId::generate();
        self.lock().sites.insert(code.to_owned(), id);
        id
    }

    /// A live area of `site`; with `distance`, every point lies that far from its boundary.
    pub fn add_area(&self, site: SiteId, code: &str, distance: Option<AreaDistance>) -> AreaId {
        let id = AreaId::generate();
        let mut tables = self.lock();
        tables.areas.insert((site, code.to_owned()), id);
        if let Some(distance) = distance {
            tables.distances.insert(id, distance);
        }
        id
    }

    /// The containers, in the order they were created.
    #[must_use]
    pub fn containers(&self) -> Vec<Container> {
        self.lock().containers.clone()
    }

    /// Changes a stored container as another writer would (the API), bumping its version.
    pub fn change_container(&self, change: impl FnOnce(&mut Container)) -> Option<()> {
        let mut tables = self.lock();
        let container = tables.containers.first_mut()?;
        change(container);
        container.version += 1;
        Some(())
    }

    /// The counts of import `id` after each of its writes, in order.
    #[must_use]
    pub fn counts(&self, id: Uuid) -> Vec<(u64, u64, u64)> {
        self.lock()
            .imports
            .get(&id)
            .map(|s| s.counts.clone())
            .unwrap_or_default()
    }

    /// The rows import `id` staged, as its upload read them.
    #[must_use]
    pub fn staged(&self, id: Uuid) -> Vec<RawRecord> {
        self.lock()
            .imports
            .get(&id)
            .map(|s| s.staged.clone())
            .unwrap_or_default()
    }

    /// The audit records the imports wrote.
    #[must_use]
    pub fn audit(&self) -> Vec<ImportAudit> {
        self.lock().audit.clone()
    }
}

fn unknown(id: Uuid) -> RepoError {
    RepoError::Unexpected(format!("no import {id}"))
}

fn moved(stored: &mut Stored, to: &Transition, failure: Option<&str>) -> bool {
    if !to.from.contains(&stored.summary.state) {
        return false;
    }
    stored.summary.state = to.to;
    if let Some(failure) = failure {
        stored.summary.failure = Some(failure.to_owned());
    }
    stored.summary.updated_at = Utc::now();
    true
}

struct MemoryStaging {
    tables: Arc<Mutex<Tables>>,
    id: Uuid,
    rows: Vec<RawRecord>,
}

#[async_trait]
impl Staging for MemoryStaging {
    async fn write(&mut self, rows: &[RawRecord]) -> Result<(), RepoError> {
        self.rows.extend_from_slice(rows);
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        let mut tables = self
            .tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stored = tables
            .imports
            .get_mut(&self.id)
            .ok_or_else(|| unknown(self.id))?;
        stored.staged.extend(self.rows);
        Ok(())
    }
}

#[async_trait]
impl ImportStore for InMemoryImports {
    async fn create(&self, new: &NewImport) -> Result<(), RepoError> {
        let now = Utc::now();
        let summary = ImportSummary {
            id: new.id,
            file_name: new.file_name.clone(),
            uploaded_by: new.uploaded_by,
            uploader_email: None,
            uploader_locale: None,
            state: ImportState::Receiving,
            failure: None,
            dry_run: new.dry_run,
            columns: Vec::new(),
            encoding: None,
            staged: 0,
            valid: 0,
            rejected: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            validated_through: 0,
            merged_through: 0,
            created_at: now,
            updated_at: now,
        };
        self.lock().imports.insert(
            new.id,
            Stored {
                summary,
                checksum: None,
                staged: Vec::new(),
                valid: BTreeMap::new(),
                errors: Vec::new(),
                counts: Vec::new(),
            },
        );
        Ok(())
    }

    async fn stage(&self, id: Uuid) -> Result<Box<dyn Staging>, RepoError> {
        Ok(Box::new(MemoryStaging {
            tables: self.tables.clone(),
            id,
            rows: Vec::new(),
        }))
    }

    async fn finish_upload(
        &self,
        id: Uuid,
        file: &UploadedFile,
        to: &Transition,
    ) -> Result<(), RepoError> {
        let mut tables = self.lock();
        let dry_run = tables.imports.get(&id).is_some_and(|s| s.summary.dry_run);
        let live = |s: &Stored| {
            !s.summary.dry_run
                && s.checksum.as_deref() == Some(file.checksum.as_str())
                && !matches!(
                    s.summary.state,
                    ImportState::Receiving | ImportState::Failed | ImportState::Cancelled
                )
        };
        if !dry_run && let Some(previous) = tables.imports.values().find(|s| live(s)) {
            return Err(RepoError::Conflict {
                field: "file".into(),
                message: format!(
                    "the same file was already uploaded as import {}",
                    previous.summary.id
                ),
            });
        }
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        if moved(stored, to, None) {
            stored.checksum = Some(file.checksum.clone());
            stored.summary.columns.clone_from(&file.columns);
            stored.summary.encoding = Some(file.encoding.clone());
            stored.summary.staged = file.staged;
        }
        Ok(())
    }

    async fn fail(&self, id: Uuid, to: &Transition, reason: &str) -> Result<(), RepoError> {
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        moved(stored, to, Some(reason));
        stored.staged.clear();
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<ImportSummary>, RepoError> {
        Ok(self.lock().imports.get(&id).map(|s| s.summary.clone()))
    }

    async fn list(
        &self,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ImportSummary>, RepoError> {
        // ids are UUIDv7: their order is their creation order
        Ok(self
            .lock()
            .imports
            .values()
            .rev()
            .filter(|s| before.is_none_or(|b| s.summary.id < b))
            .take(limit as usize)
            .map(|s| s.summary.clone())
            .collect())
    }

    async fn transition(
        &self,
        id: Uuid,
        to: &Transition,
        failure: Option<&str>,
    ) -> Result<bool, RepoError> {
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        let moved = moved(stored, to, failure);
        stored.note_counts();
        Ok(moved)
    }

    async fn staged_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RawRecord>, RepoError> {
        let tables = self.lock();
        let stored = tables.imports.get(&id).ok_or_else(|| unknown(id))?;
        Ok(stored
            .staged
            .iter()
            .filter(|r| r.line > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn resolve(
        &self,
        id: Uuid,
        keys: &[RowKeys],
    ) -> Result<HashMap<u64, Resolved>, RepoError> {
        let tables = self.lock();
        let stored = tables.imports.get(&id).ok_or_else(|| unknown(id))?;
        Ok(keys
            .iter()
            .map(|k| {
                let site = tables.sites.get(k.site.as_str()).copied();
                let area = site.and_then(|s| {
                    let code = k.area.as_ref()?.as_str().to_owned();
                    tables.areas.get(&(s, code)).copied()
                });
                // without an area_code column, an existing container keeps its area
                let kept = || {
                    let container = tables.containers.iter().find(|c| {
                        Some(c.site_id) == site && c.external_ref.as_ref() == Some(&k.external_ref)
                    })?;
                    container.area_id
                };
                let checked_area = if k.keeps_area { kept() } else { area };
                let first_line = stored
                    .valid
                    .values()
                    .find(|v| Some(v.site_id) == site && v.external_ref == k.external_ref)
                    .map(|v| v.line);
                let resolved = Resolved {
                    site,
                    area,
                    area_distance: checked_area.and_then(|a| tables.distances.get(&a).copied()),
                    first_line,
                };
                (k.line, resolved)
            })
            .collect())
    }

    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError> {
        give_way().await;
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        if stored.summary.state != ImportState::Validating
            || stored.summary.validated_through != batch.from
        {
            return Ok(false);
        }
        for row in &batch.valid {
            stored.valid.insert(row.line, row.clone());
        }
        stored.errors.extend(batch.rejected.iter().cloned());
        stored.summary.validated_through = batch.through;
        stored.summary.valid += batch.valid.len() as u64;
        stored.summary.rejected += batch.rejected_lines;
        stored.note_counts();
        Ok(true)
    }

    async fn merge_candidates(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<MergeCandidate>, RepoError> {
        let tables = self.lock();
        let stored = tables.imports.get(&id).ok_or_else(|| unknown(id))?;
        Ok(stored
            .valid
            .range(after + 1..)
            .take(limit as usize)
            .map(|(_, row)| {
                let existing = tables.containers.iter().find(|c| {
                    c.site_id == row.site_id && c.external_ref.as_ref() == Some(&row.external_ref)
                });
                (row.clone(), existing.cloned())
            })
            .collect())
    }

    async fn apply_merge(&self, id: Uuid, plan: MergePlan) -> Result<bool, RepoError> {
        give_way().await;
        let mut tables = self.lock();
        let tables = &mut *tables;
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        if stored.summary.state != ImportState::Merging
            || stored.summary.merged_through != plan.from
        {
            return Ok(false);
        }
        let current = |c: &Container| {
            tables
                .containers
                .iter()
                .position(|s| s.id == c.id && s.version == c.version)
        };
        let Some(positions) = plan
            .updated
            .iter()
            .map(|(before, _)| current(before))
            .collect::<Option<Vec<usize>>>()
        else {
            return Ok(false);
        };
        for ((before, after), at) in plan.updated.iter().zip(positions) {
            tables.containers[at] = after.clone();
            tables.audit.push(ImportAudit {
                import_id: id,
                action: "update",
                before: Some(before.clone()),
                after: after.clone(),
            });
        }
        for created in &plan.created {
            tables.containers.push(created.clone());
            tables.audit.push(ImportAudit {
                import_id: id,
                action: "create",
                before: None,
                after: created.clone(),
            });
        }
        stored.errors.extend(plan.rejected.iter().cloned());
        let summary = &mut stored.summary;
        summary.merged_through = plan.through;
        summary.inserted += plan.created.len() as u64;
        summary.updated += plan.updated.len() as u64;
        summary.unchanged += plan.unchanged;
        summary.rejected += plan.rejected_lines;
        stored.note_counts();
        Ok(true)
    }

    async fn complete(&self, id: Uuid, to: &Transition) -> Result<(), RepoError> {
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        moved(stored, to, None);
        Ok(())
    }

    async fn discard_rows(&self, id: Uuid) -> Result<(), RepoError> {
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        stored.staged.clear();
        stored.valid.clear();
        Ok(())
    }

    async fn touch(&self, id: Uuid) -> Result<(), RepoError> {
        let mut tables = self.lock();
        let stored = tables.imports.get_mut(&id).ok_or_else(|| unknown(id))?;
        stored.summary.updated_at = Utc::now();
        Ok(())
    }

    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
        to: &Transition,
        reason: &str,
    ) -> Result<Vec<Uuid>, RepoError> {
        let cutoff = Utc::now() - chrono::Duration::from_std(idle).unwrap_or_default();
        let mut tables = self.lock();
        let mut failed = Vec::new();
        for stored in tables.imports.values_mut() {
            if stored.summary.updated_at < cutoff && moved(stored, to, Some(reason)) {
                stored.staged.clear();
                failed.push(stored.summary.id);
            }
        }
        Ok(failed)
    }

    async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, RepoError> {
        let tables = self.lock();
        let stored = tables.imports.get(&id).ok_or_else(|| unknown(id))?;
        let mut cells: Vec<RejectedCell> = stored
            .errors
            .iter()
            .filter(|c| c.line > after)
            .cloned()
            .collect();
        cells.sort_by(|a, b| (a.line, &a.error.column).cmp(&(b.line, &b.error.column)));
        let mut lines: Vec<u64> = cells.iter().map(|c| c.line).collect();
        lines.dedup();
        lines.truncate(limit as usize);
        Ok(cells
            .into_iter()
            .filter(|c| lines.contains(&c.line))
            .collect())
    }
}

//! The runner's two batch loops. Validation: staged rows → the domain's pure
//! `validate_batch` over what the store resolved → a saved batch. Merge: valid rows and their
//! containers → the domain's `merge_row` per row → a plan the store writes as it is. In both,
//! the next batch is read and decided while the store writes one, so that the worker's share
//! and the database's overlap.

use super::runner::{ImportRunner, retry};
use super::{ImportSummary, MergePlan, RejectedCell, Transition, ValidatedBatch};
use crate::cache::CONTAINERS;
use crate::jobs::JobError;
use std::collections::HashMap;
use tisseco_domain::import::{
    ImportHeader, ImportState, MergeOutcome, keys_of, merge_row, parse_batch, validate_batch,
};
use tisseco_domain::{ContainerId, ExternalRef, PublicCode, SiteId};
use uuid::Uuid;

/// The id and public code a row gets if it creates a container.
pub(crate) fn new_identity() -> (ContainerId, PublicCode) {
    let random = *Uuid::new_v4().as_bytes();
    let mut bytes = [0_u8; 12];
    bytes.copy_from_slice(&random[..12]);
    (
        ContainerId(Uuid::now_v7()),
        PublicCode::long_from_random(bytes),
    )
}

/// The (site, reference) of each valid row of a batch being saved, with its line.
type Earlier = HashMap<(SiteId, ExternalRef), u64>;

impl ImportRunner {
    /// Validates batch after batch from the stored cursor until no staged row is left, then
    /// moves the import on. While the store saves one batch, the next one is read, resolved
    /// and decided; the batch being saved is not visible to the store yet, so its references
    /// are handed to the next batch's check as earlier lines.
    pub(super) async fn validate_all(&self, import: &ImportSummary) -> Result<(), JobError> {
        let header = ImportHeader::from_checked(import.columns.clone());
        let first = self
            .check_after(import, &header, import.validated_through, &Earlier::new())
            .await?;
        let Some(mut batch) = first else {
            return self.end_validation(import).await;
        };
        loop {
            let earlier: Earlier = batch
                .valid
                .iter()
                .map(|r| ((r.site_id, r.external_ref.clone()), r.line))
                .collect();
            let (saved, following) = futures_util::future::join(
                self.store.save_validated(import.id, &batch),
                self.check_after(import, &header, batch.through, &earlier),
            )
            .await;
            // false: another run saved this batch first. Either way, once no batch follows,
            // the caller reads the state (and its counts) again and ends the validation.
            if !saved.map_err(|e| retry(&e))? {
                return Ok(());
            }
            match following? {
                Some(next) => batch = next,
                None => return Ok(()),
            }
        }
    }

    /// No staged row left: valid, dry run or failed, as the domain says for the counts.
    async fn end_validation(&self, import: &ImportSummary) -> Result<(), JobError> {
        let (next, failure) = ImportState::after_validation(import.valid, import.dry_run);
        match Transition::between(ImportState::Validating, next) {
            Some(to) => self
                .store
                .transition(import.id, &to, failure)
                .await
                .map(drop)
                .map_err(|e| retry(&e)),
            None => Err(JobError::Permanent(format!(
                "validation cannot lead to {}",
                next.as_str()
            ))),
        }
    }

    /// The staged rows after line `after`, checked: `None` when none is left. `earlier`:
    /// the references of a batch not saved yet, whose lines all come before these.
    async fn check_after(
        &self,
        import: &ImportSummary,
        header: &ImportHeader,
        after: u64,
        earlier: &Earlier,
    ) -> Result<Option<ValidatedBatch>, JobError> {
        let rows = self
            .store
            .staged_after(import.id, after, self.batch)
            .await
            .map_err(|e| retry(&e))?;
        let Some(last) = rows.last().map(|r| r.line) else {
            return Ok(None);
        };
        let parsed = parse_batch(header, &rows);
        drop(rows);
        let keys = keys_of(header, &parsed);
        let mut resolved = self
            .store
            .resolve(import.id, &keys)
            .await
            .map_err(|e| retry(&e))?;
        for key in &keys {
            if let Some(known) = resolved.get_mut(&key.line)
                && known.first_line.is_none()
                && let Some(site) = known.site
                && let Some(&line) = earlier.get(&(site, key.external_ref.clone()))
            {
                known.first_line = Some(line);
            }
        }
        let checked = validate_batch(parsed, &resolved, self.area_tolerance, new_identity);
        Ok(Some(ValidatedBatch {
            from: after,
            through: last,
            rejected_lines: checked.rejected.len() as u64,
            rejected: checked
                .rejected
                .into_iter()
                .flat_map(|r| {
                    r.errors.into_iter().map(move |error| RejectedCell {
                        line: r.line,
                        error,
                    })
                })
                .collect(),
            valid: checked.valid,
        }))
    }

    /// Merges batch after batch from the stored cursor until the import completes or
    /// another run moves it on. While the store writes one batch, the next one is read and
    /// decided: its rows name other containers (an import never holds a site and reference
    /// twice), and a container changed meanwhile fails the version check of its batch, which
    /// is then read and decided anew. So the worker's share and the database's overlap.
    pub(super) async fn merge_all(&self, import: &ImportSummary) -> Result<(), JobError> {
        let header = ImportHeader::from_checked(import.columns.clone());
        let mut next = self
            .plan_after(import, &header, import.merged_through)
            .await?;
        while let Some(plan) = next {
            let changed = !plan.created.is_empty() || !plan.updated.is_empty();
            let through = plan.through;
            let (applied, following) = futures_util::future::join(
                self.store.apply_merge(import.id, plan),
                self.plan_after(import, &header, through),
            )
            .await;
            // false: another run merged this batch first, or a container changed since it
            // was read; the caller reads the state again and decides anew
            if !applied.map_err(|e| retry(&e))? {
                return Ok(());
            }
            if changed {
                self.cache.bump(CONTAINERS).await;
            }
            next = following?;
        }
        let to = Transition::between(ImportState::Merging, ImportState::Completed)
            .ok_or_else(|| JobError::Permanent("merging cannot complete".into()))?;
        self.store
            .complete(import.id, &to)
            .await
            .map_err(|e| retry(&e))
    }

    /// The domain's decision for the batch of valid rows after line `after`; `None` when
    /// none is left.
    async fn plan_after(
        &self,
        import: &ImportSummary,
        header: &ImportHeader,
        after: u64,
    ) -> Result<Option<MergePlan>, JobError> {
        let candidates = self
            .store
            .merge_candidates(import.id, after, self.batch)
            .await
            .map_err(|e| retry(&e))?;
        let Some(through) = candidates.last().map(|(row, _)| row.line) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let mut plan = MergePlan {
            from: after,
            through,
            ..MergePlan::default()
        };
        for (row, existing) in &candidates {
            match merge_row(row, existing.as_ref(), header, now) {
                MergeOutcome::Create(container) => plan.created.push(container),
                MergeOutcome::Update { before, after } => plan.updated.push((*before, *after)),
                MergeOutcome::Unchanged => plan.unchanged += 1,
                MergeOutcome::Rejected(error) => {
                    plan.rejected_lines += 1;
                    plan.rejected.push(RejectedCell {
                        line: row.line,
                        error,
                    });
                }
            }
        }
        Ok(Some(plan))
    }
}

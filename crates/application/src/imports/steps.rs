//! The runner's two batch steps. Validation: staged rows → the domain's pure
//! `validate_batch` over what the store resolved → a saved batch. Merge: valid rows and their
//! containers → the domain's `merge_row` per row → a plan the store writes as it is.

use super::runner::{ImportRunner, retry};
use super::{ImportSummary, MergePlan, RejectedCell, Transition, ValidatedBatch};
use crate::cache::CONTAINERS;
use crate::jobs::JobError;
use tisseco_domain::import::{
    ImportHeader, ImportState, MergeOutcome, keys_of, merge_row, parse_batch, validate_batch,
};
use tisseco_domain::{ContainerId, PublicCode};
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

impl ImportRunner {
    pub(super) async fn validate_next(&self, import: &ImportSummary) -> Result<(), JobError> {
        let rows = self
            .store
            .staged_after(import.id, import.validated_through, self.batch)
            .await
            .map_err(|e| retry(&e))?;
        let Some(last) = rows.last().map(|r| r.line) else {
            let (next, failure) = ImportState::after_validation(import.valid, import.dry_run);
            return match Transition::between(ImportState::Validating, next) {
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
            };
        };
        let header = ImportHeader::from_checked(import.columns.clone());
        let parsed = parse_batch(&header, &rows);
        drop(rows);
        let resolved = self
            .store
            .resolve(import.id, &keys_of(&header, &parsed))
            .await
            .map_err(|e| retry(&e))?;
        let checked = validate_batch(parsed, &resolved, self.area_tolerance, new_identity);
        let batch = ValidatedBatch {
            from: import.validated_through,
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
        };
        // false: another run saved this batch first; the loop re-reads the state
        self.store
            .save_validated(import.id, &batch)
            .await
            .map(drop)
            .map_err(|e| retry(&e))
    }

    pub(super) async fn merge_next(&self, import: &ImportSummary) -> Result<(), JobError> {
        let candidates = self
            .store
            .merge_candidates(import.id, import.merged_through, self.batch)
            .await
            .map_err(|e| retry(&e))?;
        let Some(through) = candidates.last().map(|(row, _)| row.line) else {
            let to = Transition::between(ImportState::Merging, ImportState::Completed)
                .ok_or_else(|| JobError::Permanent("merging cannot complete".into()))?;
            return self
                .store
                .complete(import.id, &to)
                .await
                .map_err(|e| retry(&e));
        };
        let header = ImportHeader::from_checked(import.columns.clone());
        let now = self.clock.now();
        let mut plan = MergePlan {
            from: import.merged_through,
            through,
            ..MergePlan::default()
        };
        for (row, existing) in &candidates {
            match merge_row(row, existing.as_ref(), &header, now) {
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
        let changed = !plan.created.is_empty() || !plan.updated.is_empty();
        // false: another run merged this batch first, or a container changed since it was
        // read; the loop reads the state again and decides anew
        let applied = self
            .store
            .apply_merge(import.id, &plan)
            .await
            .map_err(|e| retry(&e))?;
        if applied && changed {
            self.cache.bump(CONTAINERS).await;
        }
        Ok(())
    }
}

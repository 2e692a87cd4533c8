//! The audit trail of an entity.

use super::Registry;
use super::paging::{Page, page_size};
use crate::AppError;
use crate::ports::AuditRecord;
use tisseco_domain::ContainerId;

impl Registry {
    /// A container's audit records, newest first, older than the `before` record id.
    ///
    /// # Errors
    /// `NotFound` when there is no such container; `Invalid` for a bad page size.
    pub async fn container_history(
        &self,
        id: ContainerId,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Page<AuditRecord, i64>, AppError> {
        self.get_container(id).await?;
        let limit = page_size(limit)?;
        let mut items = self
            .audit_log
            .history("container", id.0, before, limit + 1)
            .await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| r.id)
        } else {
            None
        };
        Ok(Page { items, next })
    }
}

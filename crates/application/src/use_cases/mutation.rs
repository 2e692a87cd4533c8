//! The one way an existing aggregate changes: load, check the version, mutate, save.

use crate::AppError;
use crate::ports::{AuditContext, Entity, Repository};
use tisseco_domain::Version;

/// Loads `id`, refuses if the caller's `expected` version is stale, applies `mutate` to a
/// copy and saves it with its audit record. The save itself re-checks the version, so a
/// concurrent change in between is refused too.
pub(crate) async fn change<E: Entity>(
    repository: &dyn Repository<E>,
    id: E::Id,
    expected: Option<Version>,
    action: &'static str,
    audit: &AuditContext,
    mutate: impl FnOnce(&mut E) -> Result<(), AppError>,
) -> Result<E, AppError> {
    let before = repository
        .find(id)
        .await?
        .ok_or_else(|| AppError::not_found(E::KIND, id))?;
    if let Some(expected) = expected
        && expected != before.version()
    {
        return Err(AppError::StaleVersion {
            entity: E::KIND,
            current: before.version(),
        });
    }
    let mut after = before.clone();
    mutate(&mut after)?;
    repository.update(&before, &after, action, audit).await?;
    Ok(after)
}

/// Loads `id` or says it does not exist.
pub(crate) async fn get<E: Entity>(
    repository: &dyn Repository<E>,
    id: E::Id,
) -> Result<E, AppError> {
    repository
        .find(id)
        .await?
        .ok_or_else(|| AppError::not_found(E::KIND, id))
}

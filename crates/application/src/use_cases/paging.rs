//! Keyset pagination shared by every list.

use crate::AppError;
use crate::ports::{Entity, PageRequest, Repository};
use tisseco_domain::ValidationError;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// What a caller asks for: items after a cursor, at most `limit` (default 50, max 500).
#[derive(Debug, Clone, Copy)]
pub struct PageParams<Id> {
    pub after: Option<Id>,
    pub limit: Option<u32>,
}

/// One page and the cursor of the next one, if any.
#[derive(Debug, Clone)]
pub struct Page<T, Cursor> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// Checks a requested page size.
///
/// # Errors
/// `Invalid` (field `limit`) when it is 0 or above [`MAX_PAGE_SIZE`].
pub fn page_size(limit: Option<u32>) -> Result<u32, AppError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(limit) if (1..=MAX_PAGE_SIZE).contains(&limit) => Ok(limit),
        Some(_) => Err(ValidationError::new(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )
        .into()),
    }
}

/// Lists one page of `E`, fetching one extra row to know whether another page follows.
pub(crate) async fn list_page<E: Entity>(
    repository: &dyn Repository<E>,
    filter: &E::Filter,
    params: PageParams<E::Id>,
) -> Result<Page<E, E::Id>, AppError> {
    let limit = page_size(params.limit)?;
    let mut items = repository
        .list(
            filter,
            PageRequest {
                after: params.after,
                limit: limit + 1,
            },
        )
        .await?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(Entity::id)
    } else {
        None
    };
    Ok(Page { items, next })
}

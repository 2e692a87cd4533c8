//! Why a transaction of the unit of work rolled back, and what the ports hear of it.

use crate::errors::from_diesel;
use tisseco_application::ports::RepoError;
use uuid::Uuid;

/// Why a transaction rolled back.
#[derive(Debug)]
pub(crate) enum TxError {
    Db(diesel::result::Error),
    /// `Some(current version)` when the row moved on, `None` when it vanished.
    Stale {
        entity: &'static str,
        id: Uuid,
        current: Option<i32>,
    },
    Repo(RepoError),
}

impl From<diesel::result::Error> for TxError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error)
    }
}

impl From<RepoError> for TxError {
    fn from(error: RepoError) -> Self {
        Self::Repo(error)
    }
}

impl From<TxError> for RepoError {
    fn from(error: TxError) -> Self {
        match error {
            TxError::Db(error) => from_diesel(error),
            TxError::Stale {
                entity,
                current: Some(current),
                ..
            } => Self::StaleVersion { entity, current },
            TxError::Stale {
                entity,
                id,
                current: None,
            } => Self::Unexpected(format!("{entity} {id} vanished")),
            TxError::Repo(error) => error,
        }
    }
}

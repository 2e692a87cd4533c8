//! The outcome of a use case that did not succeed, in the terms the callers distinguish.

use crate::ports::RepoError;
use tisseco_domain::{DomainError, ValidationError, Version};

/// Why a use case failed. Every variant maps to exactly one kind of answer for a client.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The input breaks a rule; nothing was changed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The change clashes with the current state (a duplicate, an archived entity…).
    #[error("{}{message}", field.as_ref().map_or_else(String::new, |f| format!("{f}: ")))]
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// The caller edited an older version than the one stored.
    #[error("the {entity} was changed by someone else (now at version {current})")]
    StaleVersion {
        entity: &'static str,
        current: Version,
    },
    /// No valid credentials: a missing, malformed, forged, expired or revoked token, or a
    /// failed login.
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials that do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many requests; try again after the given time.
    #[error("too many requests; retry in {} s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: std::time::Duration },
    /// A dependency (the database) can't be reached; worth retrying later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; the details are for the logs only.
    #[error("unexpected: {0}")]
    Unexpected(String),
    /// An unexpected failure of a store, with its causes (for the logs only).
    #[error("unexpected store failure")]
    Failed(#[source] RepoError),
}

impl AppError {
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(invalid) => Self::Invalid(invalid),
            DomainError::Archived { .. } => Self::Conflict {
                field: None,
                message: error.to_string(),
            },
            DomainError::Conflict(message) => Self::Conflict {
                field: None,
                message,
            },
            DomainError::NotYours => Self::Forbidden(error.to_string()),
            DomainError::ForbiddenTransition { .. } => Self::Conflict {
                field: Some("status".into()),
                message: error.to_string(),
            },
        }
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::Conflict { field, message } => Self::Conflict {
                field: Some(field),
                message,
            },
            RepoError::InvalidReference { field, message } => {
                Self::Invalid(ValidationError::new(field, message))
            }
            RepoError::Invalid { field, message } => {
                Self::Invalid(ValidationError::new(field, message))
            }
            RepoError::StaleVersion { entity, current } => Self::StaleVersion { entity, current },
            RepoError::Unavailable(reason) => Self::Unavailable(reason),
            RepoError::Unexpected(reason) => Self::Unexpected(reason),
            failed @ RepoError::Failed { .. } => Self::Failed(failed),
        }
    }
}

impl From<crate::jobs::QueueError> for AppError {
    fn from(error: crate::jobs::QueueError) -> Self {
        match error {
            crate::jobs::QueueError::Unavailable(reason) => Self::Unavailable(reason),
            crate::jobs::QueueError::UnknownQueue(name) => Self::not_found("queue", name),
            crate::jobs::QueueError::Unexpected(reason) => Self::Unexpected(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cause::{Cause, error_chain};

    #[derive(Debug, thiserror::Error)]
    #[error("relation \"containers\" does not exist")]
    struct DriverError;

    #[test]
    fn an_unexpected_store_failure_keeps_its_cause_down_to_the_driver() {
        let repo = RepoError::Failed {
            context: "the database refused a statement".into(),
            cause: Cause::new(DriverError),
        };
        let app = AppError::from(repo);
        assert!(matches!(app, AppError::Failed(_)));
        assert_eq!(
            error_chain(&app),
            "unexpected store failure: the database refused a statement: \
             relation \"containers\" does not exist"
        );
    }
}

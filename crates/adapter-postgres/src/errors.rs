//! Turns driver errors into the ports' [`RepoError`], naming the field a constraint guards.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use tisseco_application::ports::RepoError;

/// The field each named constraint protects, as clients know it.
fn field_of(constraint: &str) -> &str {
    match constraint {
        "sites_code_key" | "areas_site_code_key" | "sites_code_format" | "areas_code_format" => {
            "code"
        }
        "containers_public_code_key" | "containers_public_code_format" => "public_code",
        "containers_site_external_ref_key" | "containers_external_ref_length" => "external_ref",
        "areas_site_id_fkey" | "containers_site_id_fkey" => "site_id",
        "containers_area_id_fkey" => "area_id",
        "reports_assignee_id_fkey" => "assignee_id",
        "reports_container_id_fkey" => "container_id",
        "areas_boundary_valid" => "boundary",
        "containers_capacity_range" => "capacity_litres",
        "containers_address_length" => "address",
        "containers_kind_known" => "type",
        "containers_status_known" => "status",
        "sites_name_length" | "areas_name_length" => "name",
        "users_email_key" | "users_email_lower" => "email",
        "users_display_name_length" => "display_name",
        "users_role_known" => "role",
        other => other,
    }
}

/// What a person is told when a stored-data rule refuses a value the domain let through.
fn check_reason(constraint: &str) -> &'static str {
    match constraint {
        "areas_boundary_valid" => {
            "is not a valid polygon: its rings must not cross themselves or each other, and holes must lie inside the outer ring"
        }
        _ => "is not an accepted value",
    }
}

/// The server's messages of SQLSTATE class 57P (operator intervention: shutdown, restart,
/// recovery) and 08 (connection failure). diesel keeps the message, not the code.
fn server_going_away(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "terminating connection due to administrator command",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "terminating connection due to unexpected postmaster exit",
        "server closed the connection unexpectedly",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

pub(crate) fn from_diesel(error: DieselError) -> RepoError {
    match &error {
        DieselError::DatabaseError(kind, info) => {
            let constraint = info.constraint_name().unwrap_or_default();
            let field = field_of(constraint).to_owned();
            match kind {
                DatabaseErrorKind::UniqueViolation => RepoError::Conflict {
                    field,
                    message: "this value is already used".into(),
                },
                DatabaseErrorKind::ForeignKeyViolation => RepoError::InvalidReference {
                    field,
                    message: "refers to nothing that exists".into(),
                },
                // the database's own message names the constraint: logged, never shown
                DatabaseErrorKind::CheckViolation => {
                    tracing::info!(
                        db.constraint = constraint,
                        db.message = info.message(),
                        "a stored-data rule refused a value"
                    );
                    RepoError::Invalid {
                        field,
                        message: check_reason(constraint).into(),
                    }
                }
                // a connection lost mid-request (the server stopped or restarted): the
                // driver's own error, without a SQLSTATE
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    RepoError::Unavailable(format!("database connection lost: {}", info.message()))
                }
                _ if server_going_away(info.message()) => {
                    RepoError::Unavailable(format!("database unavailable: {}", info.message()))
                }
                // the last fence: the API refuses NUL at its door, PostgreSQL in text
                _ if info.message().contains("0x00") => RepoError::Invalid {
                    field: "text".into(),
                    message: "must not contain NUL characters".into(),
                },
                _ if info.message().contains("statement timeout") => {
                    RepoError::Unavailable("the database took too long to answer".into())
                }
                _ => failed("the database refused a statement", error),
            }
        }
        _ => failed("the database driver failed", error),
    }
}

/// An unplanned failure, with the driver's error as its cause.
fn failed(context: &str, error: DieselError) -> RepoError {
    RepoError::Failed {
        context: context.to_owned(),
        cause: tisseco_application::Cause::new(error),
    }
}

pub(crate) fn from_pool(error: PoolError) -> RepoError {
    RepoError::Unavailable(format!("no database connection: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn a_connection_lost_or_a_server_shutting_down_is_unavailable() {
        for error in [
            database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
            database_error(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            database_error(
                DatabaseErrorKind::Unknown,
                "the database system is shutting down",
            ),
        ] {
            assert!(
                matches!(from_diesel(error), RepoError::Unavailable(_)),
                "unavailable"
            );
        }
        let failed = from_diesel(database_error(DatabaseErrorKind::Unknown, "syntax error"));
        assert!(matches!(failed, RepoError::Failed { .. }));
        assert!(
            tisseco_application::error_chain(&failed).ends_with("syntax error"),
            "the driver's message is kept as the cause: {failed:?}"
        );
    }
}

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

pub(crate) fn from_diesel(error: DieselError) -> RepoError {
    match error {
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
                DatabaseErrorKind::ClosedConnection => {
                    RepoError::Unavailable("database connection closed".into())
                }
                // the last fence: the API refuses NUL at its door, PostgreSQL in text
                _ if info.message().contains("0x00") => RepoError::Invalid {
                    field: "text".into(),
                    message: "must not contain NUL characters".into(),
                },
                _ if info.message().contains("statement timeout") => {
                    RepoError::Unavailable("the database took too long to answer".into())
                }
                _ => RepoError::Unexpected(info.message().to_owned()),
            }
        }
        other => RepoError::Unexpected(other.to_string()),
    }
}

pub(crate) fn from_pool(error: PoolError) -> RepoError {
    RepoError::Unavailable(format!("no database connection: {error}"))
}

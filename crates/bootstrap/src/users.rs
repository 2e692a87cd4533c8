//! Accounts made outside the API: the first admin (CLI) and the demo accounts of `just dev`.

use tisseco_application::AppError;
use tisseco_application::auth::Auth;
use tisseco_application::ports::AuditContext;
use tisseco_domain::{Email, NewUser, Password, Role, User, display_name};

/// A demo account and its password, printed by `just dev`.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
}

/// Development only: production never runs this.
pub const DEMO_USERS: [DemoUser; 3] = [
    DemoUser {
        email: "admin@tisseco.test",
        password: "demo-admin-password",
        role: Role::Admin,
    },
    DemoUser {
        email: "manager@tisseco.test",
        password: "demo-manager-password",
        role: Role::Manager,
    },
    DemoUser {
        email: "driver@tisseco.test",
        password: "demo-driver-password",
        role: Role::Driver,
    },
];

fn audit() -> AuditContext {
    AuditContext {
        actor: None,
        request_id: Some("cli".into()),
    }
}

/// Creates an admin account (the first one, typically).
///
/// # Errors
/// `Invalid` for a bad e-mail, name or password; `Conflict` when the e-mail is taken.
pub async fn create_admin(
    auth: &Auth,
    email: &str,
    name: &str,
    password: &str,
) -> Result<User, AppError> {
    let new = NewUser {
        email: Email::parse(email)?,
        display_name: display_name(name)?,
        role: Role::Admin,
    };
    auth.create_user(new, &Password::new(password)?, &audit())
        .await
}

/// Creates the demo accounts that don't exist yet and returns all of them.
///
/// # Errors
/// When the store fails.
pub async fn seed_demo_users(auth: &Auth) -> Result<Vec<DemoUser>, AppError> {
    for demo in &DEMO_USERS {
        let new = NewUser {
            email: Email::parse(demo.email)?,
            display_name: display_name(&format!("Demo {}", demo.role.as_str()))?,
            role: demo.role,
        };
        match auth
            .create_user(new, &Password::new(demo.password)?, &audit())
            .await
        {
            Ok(_) | Err(AppError::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(DEMO_USERS.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tisseco_application::testing::in_memory_auth;

    #[tokio::test]
    async fn demo_users_are_created_once_and_can_log_in() {
        let (auth, _) = in_memory_auth();
        assert_eq!(seed_demo_users(&auth).await.unwrap().len(), 3);
        seed_demo_users(&auth).await.unwrap();
        for demo in DEMO_USERS {
            assert!(
                auth.login(demo.email, demo.password).await.is_ok(),
                "{}",
                demo.email
            );
        }
    }

    #[tokio::test]
    async fn an_admin_needs_a_policy_compliant_password() {
        let (auth, _) = in_memory_auth();
        let weak = create_admin(&auth, "root@tisseco.org", "Root", "short").await;
        assert!(matches!(weak, Err(AppError::Invalid(ref e)) if e.field == "password"));
        let admin = create_admin(&auth, "root@tisseco.org", "Root", "a long enough password")
            .await
            .unwrap();
        assert_eq!(admin.role, Role::Admin);
    }
}

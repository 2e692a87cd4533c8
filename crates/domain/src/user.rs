//! Staff and driver accounts, their roles, and what a route may require of a caller.

use crate::{DomainError, Locale, Name, UserId, ValidationError, Version};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do. Ordered: an admin can do what a manager can, who can do what a
/// driver can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Driver,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Driver, Self::Manager, Self::Admin];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Driver => "driver",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    /// # Errors
    /// When `value` is not a role's name.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| {
                ValidationError::new(
                    "role",
                    format!("unknown role '{value}'; expected driver, manager or admin"),
                )
            })
    }

    /// Whether this role includes the rights of `required`.
    #[must_use]
    pub fn includes(self, required: Self) -> bool {
        self >= required
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, without a token.
    Public,
    /// A signed-in user whose role includes this one.
    AtLeast(Role),
}

/// An e-mail address, compared case-insensitively (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// # Errors
    /// When it is not a plausible address (one `@`, a dotted domain, no spaces, ≤ 254 characters).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let email = value.trim().to_lowercase();
        // one address: no list separators, brackets or quotes (a mailer would read
        // `a@b.co,b@c.co` as two recipients, or refuse it and dead-letter the job)
        let plausible = email.len() <= 254
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || ",;<>()[]\\\"".contains(c))
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if plausible {
            Ok(Self(email))
        } else {
            Err(ValidationError::new(
                "email",
                "is not a valid e-mail address",
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// A new password, checked against the policy (12 to 256 characters).
    ///
    /// # Errors
    /// When it is too short or too long.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        let count = value.chars().count();
        if count < Self::MIN_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if count > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// A password as presented at login: not checked against the policy (it may predate
    /// it), only bounded so that hashing stays cheap.
    #[must_use]
    pub fn presented(value: &str) -> Self {
        Self(value.chars().take(Self::MAX_CHARS).collect())
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A stored password hash (PHC string); never serialised into the audit log.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: Name,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    pub password_hash: PasswordHash,
    pub version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The language of this user's e-mails; `None`: the platform's default.
    pub locale: Option<Locale>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: Name,
    pub role: Role,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<Name>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub locale: Option<Locale>,
}

impl User {
    #[must_use]
    pub fn create(new: NewUser, password_hash: PasswordHash, now: DateTime<Utc>) -> Self {
        Self {
            id: UserId::generate(),
            email: new.email,
            display_name: new.display_name,
            role: new.role,
            active: true,
            password_hash,
            version: 1,
            created_at: now,
            updated_at: now,
            locale: None,
        }
    }

    /// # Errors
    /// Never today; kept fallible like the other aggregates' changes.
    pub fn apply(&mut self, changes: UserChanges, now: DateTime<Utc>) -> Result<(), DomainError> {
        if let Some(name) = changes.display_name {
            self.display_name = name;
        }
        if let Some(role) = changes.role {
            self.role = role;
        }
        if let Some(active) = changes.active {
            self.active = active;
        }
        if let Some(locale) = changes.locale {
            self.locale = Some(locale);
        }
        self.version += 1;
        self.updated_at = now;
        Ok(())
    }

    /// Replaces the password hash (password reset, or an admin setting one).
    pub fn set_password_hash(&mut self, hash: PasswordHash, now: DateTime<Utc>) {
        self.password_hash = hash;
        self.version += 1;
        self.updated_at = now;
    }
}

/// Parses a display name for a user (same rules as other names).
///
/// # Errors
/// When blank or too long.
pub fn display_name(value: &str) -> Result<Name, ValidationError> {
    Name::parse(value).map_err(|e| ValidationError::new("display_name", e.reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.includes(Role::Manager));
        assert!(Role::Manager.includes(Role::Driver));
        assert!(Role::Driver.includes(Role::Driver));
        assert!(!Role::Driver.includes(Role::Manager));
        assert!(!Role::Manager.includes(Role::Admin));
        assert_eq!(Role::parse("manager"), Ok(Role::Manager));
        assert!(Role::parse("root").is_err_and(|e| e.field == "role"));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ana@Tisseco.ORG ").map(|e| e.as_str().to_owned()),
            Ok("ana@tisseco.org".into())
        );
        for bad in [
            "ana",
            "ana@",
            "@tisseco.org",
            "ana@tisseco",
            "a na@tisseco.org",
            "a@b@c.org",
            "ana@.org",
            "a@b.co,b@c.co",
            "a,b@c.co",
            "Ana <ana@tisseco.org>",
            "a;b@c.co",
            "a\u{0}b@c.co",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_follow_the_policy_and_never_print() {
        assert!(Password::new("short").is_err_and(|e| e.field == "password"));
        assert!(Password::new(&"x".repeat(257)).is_err());
        let password = Password::new("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(
            Password::presented(&"y".repeat(1000)).expose().len(),
            Password::MAX_CHARS
        );
    }

    #[test]
    fn changes_bump_the_version() {
        let new = NewUser {
            email: Email::parse("a@b.org").unwrap(),
            display_name: Name::parse("A").unwrap(),
            role: Role::Driver,
        };
        let mut user = User::create(new, PasswordHash(String::new()), Utc::now());
        user.apply(
            UserChanges {
                role: Some(Role::Manager),
                active: Some(false),
                ..UserChanges::default()
            },
            Utc::now(),
        )
        .unwrap();
        assert_eq!(
            (user.role, user.active, user.version),
            (Role::Manager, false, 2)
        );
    }
}

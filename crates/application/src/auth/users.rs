//! User administration: create, list, change role, deactivate; and the first admin.

use super::Auth;
use crate::AppError;
use crate::ports::{AuditContext, Entity};
use crate::use_cases::{Page, PageParams, list_page};
use tisseco_domain::{Locale, NewUser, Password, Role, User, UserChanges, UserId, Version};

/// Filters for listing users.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub include_inactive: bool,
}

impl Entity for User {
    type Id = UserId;
    type Filter = UserFilter;
    const KIND: &'static str = "user";

    fn id(&self) -> UserId {
        self.id
    }

    fn version(&self) -> Version {
        self.version
    }

    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        vec![("email", self.email.as_str().to_owned())]
    }

    fn matches(&self, filter: &UserFilter) -> bool {
        (filter.include_inactive || self.active) && filter.role.is_none_or(|r| r == self.role)
    }
}

impl Auth {
    /// # Errors
    /// `Conflict` when the e-mail is taken.
    pub async fn create_user(
        &self,
        new: NewUser,
        password: &Password,
        audit: &AuditContext,
    ) -> Result<User, AppError> {
        let hash = self.hasher.hash(password).await?;
        let user = User::create(new, hash, self.clock.now());
        self.users.insert(&user, audit).await?;
        Ok(user)
    }

    /// # Errors
    /// `NotFound` when there is no such user.
    pub async fn get_user(&self, id: UserId) -> Result<User, AppError> {
        crate::use_cases::get(self.users.as_ref(), id).await
    }

    /// # Errors
    /// `Invalid` for a bad page size.
    pub async fn list_users(
        &self,
        filter: &UserFilter,
        page: PageParams<UserId>,
    ) -> Result<Page<User, UserId>, AppError> {
        list_page(self.users.as_ref(), filter, page).await
    }

    /// Sets the language of the caller's own e-mails (no version asked: it is their own
    /// preference and changes no right).
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn set_own_locale(
        &self,
        id: UserId,
        locale: Locale,
        audit: &AuditContext,
    ) -> Result<User, AppError> {
        let now = self.clock.now();
        let changes = UserChanges {
            locale: Some(locale),
            ..UserChanges::default()
        };
        crate::use_cases::change(self.users.as_ref(), id, None, "update", audit, |user| {
            Ok(user.apply(changes, now)?)
        })
        .await
    }

    /// Changes a user. A new role or a deactivation ends the user's sessions, so that
    /// tokens issued under the old rights stop working at once.
    ///
    /// # Errors
    /// `NotFound`, `StaleVersion`.
    pub async fn update_user(
        &self,
        id: UserId,
        expected: Version,
        changes: UserChanges,
        audit: &AuditContext,
    ) -> Result<User, AppError> {
        let now = self.clock.now();
        let before = self.get_user(id).await?;
        let rights_change =
            changes.role.is_some_and(|r| r != before.role) || changes.active == Some(false);
        let loses_admin = before.role == Role::Admin
            && before.active
            && (changes.active == Some(false) || changes.role.is_some_and(|r| r != Role::Admin));
        if loses_admin {
            self.keep_an_admin(id, audit).await?;
        }
        let after = crate::use_cases::change(
            self.users.as_ref(),
            id,
            Some(expected),
            "update",
            audit,
            |user| Ok(user.apply(changes, now)?),
        )
        .await?;
        if rights_change {
            self.end_all_sessions_of(id).await?;
        }
        Ok(after)
    }

    /// Refuses to take admin rights from the caller's own account (nobody could give them
    /// back if it was the last) or from the last active admin.
    async fn keep_an_admin(&self, id: UserId, audit: &AuditContext) -> Result<(), AppError> {
        if audit.actor == Some(id) {
            return Err(AppError::Conflict {
                field: None,
                message: "you cannot deactivate your own account or give up your own admin \
                          role; ask another admin"
                    .into(),
            });
        }
        let filter = UserFilter {
            role: Some(Role::Admin),
            include_inactive: false,
        };
        let admins = self
            .list_users(
                &filter,
                PageParams {
                    after: None,
                    limit: Some(2),
                },
            )
            .await?;
        if admins.items.len() < 2 {
            return Err(AppError::Conflict {
                field: None,
                message: "this is the last active admin; make another user admin first".into(),
            });
        }
        Ok(())
    }
}

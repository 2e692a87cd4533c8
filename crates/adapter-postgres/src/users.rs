//! Users, login sessions (refresh-token digests) and the durable revocation list.

use crate::errors::from_diesel;
use crate::repository::repository;
use crate::schema::{password_resets, refresh_tokens, revoked_tokens, users};
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tisseco_application::auth::ports::{
    RefreshOutcome, Revocation, RevocationStore, SessionStore, UserDirectory,
};
use tisseco_application::auth::{PasswordResets, UserFilter};
use tisseco_application::ports::{PageRequest, RepoError};
use tisseco_domain::{
    Email, Locale, PasswordHash, Role, User, UserId, ValidationError, display_name,
};
use uuid::Uuid;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub password_hash: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub locale: Option<String>,
}

impl From<&User> for UserRow {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            active: user.active,
            password_hash: user.password_hash.0.clone(),
            version: user.version,
            created_at: user.created_at,
            updated_at: user.updated_at,
            locale: user.locale.map(|l| l.as_str().to_owned()),
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = RepoError;

    fn try_from(row: UserRow) -> Result<Self, RepoError> {
        let id = row.id;
        let build = move || -> Result<User, ValidationError> {
            Ok(User {
                id: row.id.into(),
                email: Email::parse(&row.email)?,
                display_name: display_name(&row.display_name)?,
                role: Role::parse(&row.role)?,
                active: row.active,
                password_hash: PasswordHash(row.password_hash),
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
                locale: row.locale.as_deref().and_then(Locale::from_tag),
            })
        };
        build().map_err(|e| RepoError::Unexpected(format!("stored user {id} breaks a rule: {e}")))
    }
}

pub(crate) async fn list_users(
    conn: &mut diesel_async::AsyncPgConnection,
    filter: &UserFilter,
    page: PageRequest<UserId>,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if !filter.include_inactive {
        query = query.filter(users::active.eq(true));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(users::id.gt(after.0));
    }
    query
        .order(users::id.asc())
        .limit(i64::from(page.limit))
        .load(conn)
        .await
}

#[async_trait]
impl UserDirectory for PgStore {
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        let mut conn = self.conn().await?;
        let row: Option<UserRow> = users::table
            .filter(users::email.eq(email.as_str()))
            .select(UserRow::as_select())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(User::try_from).transpose()
    }

    async fn set_password_hash(&self, user: UserId, hash: &PasswordHash) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::update(users::table.find(user.0))
            .set((
                users::password_hash.eq(&hash.0),
                users::version.eq(users::version + 1),
                users::updated_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}

#[async_trait]
impl SessionStore for PgStore {
    async fn add_refresh_token(
        &self,
        digest: &[u8],
        session_id: Uuid,
        user_id: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::digest.eq(digest),
                refresh_tokens::session_id.eq(session_id),
                refresh_tokens::user_id.eq(user_id.0),
                refresh_tokens::expires_at.eq(expires_at),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn consume_refresh_token(
        &self,
        digest: &[u8],
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepoError> {
        let mut conn = self.conn().await?;
        // One statement spends the token, so two concurrent refreshes can't both rotate.
        let rotated: Option<(Uuid, Uuid)> = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::digest.eq(digest))
                .filter(refresh_tokens::spent_at.is_null())
                .filter(refresh_tokens::expires_at.gt(now)),
        )
        .set(refresh_tokens::spent_at.eq(now))
        .returning((refresh_tokens::session_id, refresh_tokens::user_id))
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        if let Some((session_id, user_id)) = rotated {
            return Ok(RefreshOutcome::Rotated {
                session_id,
                user_id: user_id.into(),
            });
        }
        let spent: Option<(Uuid, Option<DateTime<Utc>>)> = refresh_tokens::table
            .filter(refresh_tokens::digest.eq(digest))
            .select((refresh_tokens::session_id, refresh_tokens::spent_at))
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(match spent {
            Some((session_id, Some(_))) => RefreshOutcome::Reused { session_id },
            _ => RefreshOutcome::Invalid,
        })
    }

    async fn end_session(&self, session_id: Uuid) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::session_id.eq(session_id))
                .filter(refresh_tokens::spent_at.is_null()),
        )
        .set(refresh_tokens::spent_at.eq(Utc::now()))
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(from_diesel)
    }

    async fn end_sessions_of(&self, user_id: UserId) -> Result<Vec<Uuid>, RepoError> {
        let mut conn = self.conn().await?;
        let mut sessions: Vec<Uuid> = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(user_id.0))
                .filter(refresh_tokens::spent_at.is_null()),
        )
        .set(refresh_tokens::spent_at.eq(Utc::now()))
        .returning(refresh_tokens::session_id)
        .get_results(&mut conn)
        .await
        .map_err(from_diesel)?;
        sessions.sort_unstable();
        sessions.dedup();
        Ok(sessions)
    }
}

#[async_trait]
impl RevocationStore for PgStore {
    async fn revoke(&self, revocations: &[Revocation]) -> Result<(), RepoError> {
        let rows: Vec<_> = revocations
            .iter()
            .map(|r| {
                (
                    revoked_tokens::id.eq(&r.id),
                    revoked_tokens::until.eq(r.until),
                )
            })
            .collect();
        let mut conn = self.conn().await?;
        diesel::insert_into(revoked_tokens::table)
            .values(rows)
            .on_conflict(revoked_tokens::id)
            .do_update()
            .set(
                revoked_tokens::until.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                    "GREATEST(revoked_tokens.until, excluded.until)",
                )),
            )
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn any_revoked(&self, ids: &[String], now: DateTime<Utc>) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        diesel::select(diesel::dsl::exists(
            revoked_tokens::table
                .filter(revoked_tokens::id.eq_any(ids))
                .filter(revoked_tokens::until.gt(now)),
        ))
        .get_result(&mut conn)
        .await
        .map_err(from_diesel)
    }

    async fn in_force(&self, now: DateTime<Utc>) -> Result<Vec<Revocation>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, DateTime<Utc>)> = revoked_tokens::table
            .filter(revoked_tokens::until.gt(now))
            .select((revoked_tokens::id, revoked_tokens::until))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|(id, until)| Revocation { id, until })
            .collect())
    }
}

/// Spends every unspent link of `user`: a newer link, or one used, makes the others void.
async fn spend_links_of(
    tx: &mut AsyncPgConnection,
    user: Uuid,
    now: DateTime<Utc>,
) -> diesel::QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user))
            .filter(password_resets::spent_at.is_null()),
    )
    .set(password_resets::spent_at.eq(now))
    .execute(tx)
    .await
}

#[async_trait]
impl PasswordResets for PgStore {
    async fn create(
        &self,
        digest: &[u8],
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            spend_links_of(tx, user.0, Utc::now()).await?;
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::digest.eq(digest),
                    password_resets::user_id.eq(user.0),
                    password_resets::expires_at.eq(expires_at),
                ))
                .execute(tx)
                .await
                .map(drop)
        })
        .await
        .map_err(from_diesel)
    }

    async fn consume(
        &self,
        digest: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, RepoError> {
        let mut conn = self.conn().await?;
        let user: Option<Uuid> = conn
            .transaction::<_, diesel::result::Error, _>(async |tx| {
                // One statement spends the token: two concurrent uses can't both succeed.
                let user: Option<Uuid> = diesel::update(
                    password_resets::table
                        .filter(password_resets::digest.eq(digest))
                        .filter(password_resets::spent_at.is_null())
                        .filter(password_resets::expires_at.gt(now)),
                )
                .set(password_resets::spent_at.eq(now))
                .returning(password_resets::user_id)
                .get_result(tx)
                .await
                .optional()?;
                if let Some(user) = user {
                    spend_links_of(tx, user, now).await?;
                }
                Ok(user)
            })
            .await
            .map_err(from_diesel)?;
        Ok(user.map(Into::into))
    }
}

repository!(User, UserRow, users, list_users);

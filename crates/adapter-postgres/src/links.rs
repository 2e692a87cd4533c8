//! Download links: stored by the digest of their secret; a download writes its audit record.

use crate::audit::{Change, record};
use crate::errors::from_diesel;
use crate::schema::download_links;
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tisseco_application::links::{DownloadLink, LinkStore};
use tisseco_application::ports::{AuditContext, RepoError};
use tisseco_domain::UserId;
use uuid::Uuid;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = download_links, check_for_backend(diesel::pg::Pg))]
struct LinkRow {
    id: Uuid,
    user_id: Uuid,
    session_id: Option<Uuid>,
    target: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    voided_at: Option<DateTime<Utc>>,
}

impl From<LinkRow> for DownloadLink {
    fn from(row: LinkRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id.into(),
            session_id: row.session_id,
            target: row.target,
            created_at: row.created_at,
            expires_at: row.expires_at,
            voided: row.voided_at.is_some(),
        }
    }
}

#[async_trait]
impl LinkStore for PgStore {
    async fn insert(&self, digest: &[u8], link: &DownloadLink) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(download_links::table)
            .values((
                download_links::id.eq(link.id),
                download_links::digest.eq(digest),
                download_links::user_id.eq(link.user_id.0),
                download_links::session_id.eq(link.session_id),
                download_links::target.eq(&link.target),
                download_links::created_at.eq(link.created_at),
                download_links::expires_at.eq(link.expires_at),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn find(&self, digest: &[u8]) -> Result<Option<DownloadLink>, RepoError> {
        let mut conn = self.conn().await?;
        let row: Option<LinkRow> = download_links::table
            .filter(download_links::digest.eq(digest))
            .select(LinkRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(Into::into))
    }

    async fn void_sessions(&self, sessions: &[Uuid]) -> Result<(), RepoError> {
        if sessions.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        diesel::update(
            download_links::table
                .filter(download_links::session_id.eq_any(sessions))
                .filter(download_links::voided_at.is_null()),
        )
        .set(download_links::voided_at.eq(Utc::now()))
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(from_diesel)
    }

    async fn void_user(&self, user: UserId) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::update(
            download_links::table
                .filter(download_links::user_id.eq(user.0))
                .filter(download_links::voided_at.is_null()),
        )
        .set(download_links::voided_at.eq(Utc::now()))
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(from_diesel)
    }

    async fn record_download(
        &self,
        link: &DownloadLink,
        context: &AuditContext,
    ) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        let change = Change {
            action: "download",
            entity_type: "download_link",
            entity_id: link.id,
            before: None,
            after: Some(serde_json::json!({ "target": link.target })),
        };
        record(&mut conn, change, context)
            .await
            .map_err(from_diesel)
    }
}

//! Reading imports back: one import's summary, and the list newest first.

use super::count;
use crate::errors::from_diesel;
use crate::store::PgStore;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use tisseco_application::imports::{ImportState, ImportSummary};
use tisseco_application::ports::RepoError;
use uuid::Uuid;

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    uploaded_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    encoding: Option<String>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Nullable<Text>)]
    failure: Option<String>,
    #[diesel(sql_type = Bool)]
    dry_run: bool,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = BigInt)]
    staged: i64,
    #[diesel(sql_type = BigInt)]
    valid: i64,
    #[diesel(sql_type = BigInt)]
    rejected: i64,
    #[diesel(sql_type = BigInt)]
    inserted: i64,
    #[diesel(sql_type = BigInt)]
    updated: i64,
    #[diesel(sql_type = BigInt)]
    unchanged: i64,
    #[diesel(sql_type = BigInt)]
    validated_through: i64,
    #[diesel(sql_type = BigInt)]
    merged_through: i64,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl TryFrom<SummaryRow> for ImportSummary {
    type Error = RepoError;

    fn try_from(r: SummaryRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: r.id,
            file_name: r.file_name,
            uploaded_by: r.uploaded_by,
            uploader_email: r.email,
            uploader_locale: r
                .locale
                .as_deref()
                .and_then(tisseco_domain::Locale::from_tag),
            encoding: r.encoding,
            state: ImportState::parse(&r.state).map_err(RepoError::Unexpected)?,
            failure: r.failure,
            dry_run: r.dry_run,
            columns: r.columns,
            staged: count(r.staged),
            valid: count(r.valid),
            rejected: count(r.rejected),
            inserted: count(r.inserted),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            validated_through: count(r.validated_through),
            merged_through: count(r.merged_through),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub(super) async fn get(store: &PgStore, id: Uuid) -> Result<Option<ImportSummary>, RepoError> {
    let mut conn = store.conn().await?;
    let rows: Vec<SummaryRow> = sql_query(
        "SELECT i.id, i.file_name, i.uploaded_by, u.email, u.locale, i.encoding, i.state, i.failure, i.dry_run, \
         i.columns, i.staged, i.valid, i.rejected, i.inserted, i.updated, i.unchanged, \
         i.validated_through, i.merged_through, i.created_at, i.updated_at \
         FROM imports i LEFT JOIN users u ON u.id = i.uploaded_by WHERE i.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .load(&mut conn)
    .await
    .map_err(from_diesel)?;
    rows.into_iter()
        .next()
        .map(ImportSummary::try_from)
        .transpose()
}

pub(super) async fn list(
    store: &PgStore,
    before: Option<Uuid>,
    limit: u32,
) -> Result<Vec<ImportSummary>, RepoError> {
    let mut conn = store.conn().await?;
    // Newest first; the cursor is an import id, compared on (created_at, id).
    let rows: Vec<SummaryRow> = sql_query(
        "SELECT i.id, i.file_name, i.uploaded_by, u.email, u.locale, i.encoding, i.state, i.failure, i.dry_run, \
         i.columns, i.staged, i.valid, i.rejected, i.inserted, i.updated, i.unchanged, \
         i.validated_through, i.merged_through, i.created_at, i.updated_at \
         FROM imports i LEFT JOIN users u ON u.id = i.uploaded_by \
         WHERE $1::uuid IS NULL \
            OR (i.created_at, i.id) < (SELECT b.created_at, b.id FROM imports b WHERE b.id = $1) \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $2",
    )
    .bind::<Nullable<SqlUuid>, _>(before)
    .bind::<BigInt, _>(i64::from(limit))
    .load(&mut conn)
    .await
    .map_err(from_diesel)?;
    rows.into_iter().map(ImportSummary::try_from).collect()
}

//! Records that make job effects happen once: e-mails sent (by de-duplication key) and
//! registry events handled (by job id).

use crate::errors::from_diesel;
use crate::registry::PgStore;
use crate::schema::{event_journal, sent_emails};
use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tisseco_application::events::EventJournal;
use tisseco_application::jobs::Job;
use tisseco_application::mail::SentEmails;
use tisseco_application::ports::RepoError;

#[async_trait]
impl SentEmails for PgStore {
    async fn reserve(&self, key: &str, to: &str, template: &str) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        let inserted = diesel::insert_into(sent_emails::table)
            .values((
                sent_emails::dedup_key.eq(key),
                sent_emails::recipient.eq(to),
                sent_emails::template.eq(template),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(inserted == 1)
    }

    async fn release(&self, key: &str) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::delete(sent_emails::table.find(key))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}

#[async_trait]
impl EventJournal for PgStore {
    async fn record(&self, job: &Job) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        let inserted = diesel::insert_into(event_journal::table)
            .values((
                event_journal::job_id.eq(&job.id),
                event_journal::event_type.eq(&job.kind),
                event_journal::correlation_id.eq(job.correlation_id.as_deref()),
                event_journal::payload.eq(&job.payload),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(inserted == 1)
    }
}

impl PgStore {
    /// How many times the journal recorded events of `event_type` (tests).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn journal_count(&self, event_type: &str) -> Result<i64, RepoError> {
        let mut conn = self.conn().await?;
        event_journal::table
            .filter(event_journal::event_type.eq(event_type))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)
    }
}
